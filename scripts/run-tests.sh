#!/usr/bin/env bash
# Set up .venv with everything the tests need, then run the whole suite (browser tests too).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
