"""Retrieval and answer quality on the judged sample set, over the whole sample corpus."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kb.config import REPO_ROOT

SHARED = REPO_ROOT.parent / "shared"
CORPUS = SHARED / "corpus" if (SHARED / "corpus").is_dir() else REPO_ROOT / "data" / "corpus"
DEV = SHARED / "eval" / "dev.jsonl"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not DEV.exists(), reason="../shared/eval/dev.jsonl is not beside the repo"),
]


def run_eval(kb_dir: Path, retriever: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "kb", "eval", str(DEV), "--corpus", str(CORPUS), "--kb",
         str(kb_dir), "--retriever", retriever, "--json"],
        capture_output=True, text=True, cwd=REPO_ROOT, check=True, timeout=1800)
    print(out.stdout)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def figures(tmp_path_factory) -> dict[str, dict]:
    kb_dir = tmp_path_factory.mktemp("eval-kb")
    # The first run builds the knowledge base; the others reuse it (unchanged files).
    return {r: run_eval(kb_dir, r) for r in ("hybrid", "bm25", "dense")}


def test_hybrid_retrieval_meets_the_bar(figures):
    hybrid = figures["hybrid"]
    assert hybrid["n"] >= 40
    assert hybrid["hit@1"] >= 0.90
    assert hybrid["hit@5"] >= 0.98


def test_hybrid_beats_each_retriever_alone(figures):
    assert figures["hybrid"]["hit@1"] > figures["bm25"]["hit@1"]
    assert figures["hybrid"]["hit@1"] > figures["dense"]["hit@1"]


def test_answers_and_refusals(figures):
    hybrid = figures["hybrid"]
    assert hybrid["answer_accuracy"] >= 0.90
    assert hybrid["refusal_accuracy"] == 1.0
    assert hybrid["false_refusals"] <= 0.05
