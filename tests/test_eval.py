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
    assert hybrid["hit@5"] >= 0.975
    assert hybrid["hit@1"] > figures["dense"]["hit@1"]


# Known gaps, kept as strict xfails so that they are seen, and flagged once they pass.
@pytest.mark.xfail(strict=True, reason="one question (d13) needs a semantic link no retriever "
                   "here makes: hit@5 is 0.975")
def test_hybrid_hit5_reaches_098(figures):
    assert figures["hybrid"]["hit@5"] >= 0.98


@pytest.mark.xfail(strict=True, reason="on this set BM25 alone (0.95) beats the fusion weight "
                   "chosen on benchmarks/tune.jsonl, where hybrid wins; see BENCHMARKS.md")
def test_hybrid_beats_bm25_alone(figures):
    assert figures["hybrid"]["hit@1"] > figures["bm25"]["hit@1"]


def test_refusals(figures):
    assert figures["hybrid"]["refusal_accuracy"] == 1.0
    assert figures["hybrid"]["false_refusals"] <= 0.05


def test_answer_accuracy_meets_the_bar(figures):
    assert figures["hybrid"]["answer_accuracy"] >= 0.90
