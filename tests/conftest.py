"""Shared fixtures: a small real knowledge base, built once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb.store import KnowledgeBase

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = REPO_ROOT / "data" / "corpus"
# A plan with a duty table (海淀) and a law with chapters and articles; embedding both takes
# about a minute on two cores, so keep this list short.
SAMPLE_KB_FILES = (
    CORPUS / "004_d3794485e0af9f99.txt",
    CORPUS / "中华人民共和国安全生产法.md",
)


@pytest.fixture(scope="session")
def sample_kb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of a knowledge base built from SAMPLE_KB_FILES; treat it as read-only."""
    folder = tmp_path_factory.mktemp("sample-kb") / "kb"
    report = KnowledgeBase(folder).ingest(SAMPLE_KB_FILES)
    assert report.ok, [(r.source, r.error) for r in report.failed]
    return folder


@pytest.fixture
def kb_copy(sample_kb_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the sample knowledge base, for a test that changes it."""
    return Path(shutil.copytree(sample_kb_dir, tmp_path / "kb"))
