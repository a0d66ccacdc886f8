"""Where things live by default; every default can be overridden by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = REPO_ROOT / "data" / "corpus"


def default_kb_dir() -> Path:
    """The app's knowledge-base folder: $SAFETY_KB_DIR or var/kb in the repo."""
    return Path(os.environ.get("SAFETY_KB_DIR") or REPO_ROOT / "var" / "kb")
