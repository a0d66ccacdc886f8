#!/usr/bin/env bash
# Set up .venv, build the sample knowledge base if it is missing, start the Streamlit app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh app
kb_dir="${SAFETY_KB_DIR:-var/kb}"
if [ ! -f "$kb_dir/kb.db" ]; then
  echo "首次运行：正在用 data/corpus 中的样例法规建立知识库（约 5 分钟）…"
  .venv/bin/python -m kb ingest data/corpus --kb "$kb_dir"
fi
exec .venv/bin/streamlit run app.py --server.headless true "$@"
