"""Retrieval and answer quality over the whole sample corpus: the judged sample set, and the
project's own tuning and held-out sets (benchmarks/), where questions use other wording."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kb.config import REPO_ROOT

SHARED = REPO_ROOT.parent / "shared"
CORPUS = SHARED / "corpus" if (SHARED / "corpus").is_dir() else REPO_ROOT / "data" / "corpus"
DEV = SHARED / "eval" / "dev.jsonl"
OWN_SETS = {name: REPO_ROOT / "benchmarks" / f"{name}.jsonl"
            for name in ("tune", "holdout", "holdout2", "holdout3", "holdout4", "holdout6",
                         "holdout8", "holdout10")}
# Questions on documents outside the sample corpus (benchmarks/newdocs/README.md).
NEW_DOCS = REPO_ROOT / "benchmarks" / "newdocs"
# holdout7 and holdout9 (BENCHMARKS.md "Session 14", "Session 15"): blind sets over the sample
# corpus and those documents.
NEW_DOC_SETS = {name: REPO_ROOT / "benchmarks" / f"{name}.jsonl"
                for name in ("newdocs1", "newdocs2", "newdocs3", "newdocs4", "newdocs5",
                             "newdocs6", "holdout7", "holdout9")}
NEW_DOC_FOLDERS = ("extra", "extra2", "extra3", "extra4", "extra5", "extra6")
# Sets whose refusals are a known gap (below).
REFUSAL_GAPS = ("newdocs3", "holdout7", "newdocs6")
# Sets on which hybrid does not beat dense alone on hit@1, a known gap (below).
FUSION_GAPS = ("newdocs5",)
# Questions naming licences and certificates, half in everyday words (安许证, 驾照), and licences
# no document regulates, many of them neighbours of one that is (BENCHMARKS.md "Session 12").
LICENCES = REPO_ROOT / "benchmarks" / "licences.jsonl"
# Questions like the judged sample's (on the two district plans, and the law as a PDF), in
# other words, written blind (BENCHMARKS.md "Session 8").
LIKE_DEV = REPO_ROOT / "benchmarks" / "holdout5.jsonl"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not DEV.exists(), reason="../shared/eval/dev.jsonl is not beside the repo"),
]


def run_eval(kb_dir: Path, questions: Path, retriever: str, answers: bool = True,
             corpus: Path = CORPUS) -> dict:
    command = [sys.executable, "-m", "kb", "eval", str(questions), "--corpus", str(corpus),
               "--kb", str(kb_dir), "--retriever", retriever, "--json"]
    out = subprocess.run(command + ([] if answers else ["--retrieval-only"]),
                         capture_output=True, text=True, cwd=REPO_ROOT, check=True,
                         timeout=1800)
    print(out.stdout)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def kb_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("eval-kb")  # the first run builds it, the others reuse it


@pytest.fixture(scope="module")
def figures(kb_dir) -> dict[str, dict]:
    return {r: run_eval(kb_dir, DEV, r, answers=r == "hybrid") for r in ("hybrid", "bm25", "dense")}


@pytest.fixture(scope="module")
def own_figures(kb_dir, figures) -> dict[str, dict[str, dict]]:
    return {name: {r: run_eval(kb_dir, path, r, answers=False)
                   for r in ("hybrid", "bm25", "dense")}
            for name, path in OWN_SETS.items()}


@pytest.fixture(scope="module")
def plus_kb(kb_dir, figures, tmp_path_factory) -> tuple[Path, Path]:
    """(corpus, knowledge base) of the sample corpus plus the thirty outside documents: the eval
    knowledge base copied, and only the new files ingested into the copy."""
    corpus = tmp_path_factory.mktemp("corpus-plus")
    shutil.copytree(CORPUS, corpus, dirs_exist_ok=True)
    for folder in NEW_DOC_FOLDERS:
        shutil.copytree(NEW_DOCS / folder, corpus / folder)
    kb = tmp_path_factory.mktemp("eval-kb-plus")
    shutil.copytree(kb_dir, kb, dirs_exist_ok=True)
    return corpus, kb


@pytest.fixture(scope="module")
def new_doc_figures(plus_kb) -> dict[str, dict[str, dict]]:
    corpus, kb = plus_kb
    return {name: {r: run_eval(kb, path, r, answers=r == "hybrid", corpus=corpus)
                   for r in ("hybrid", "bm25", "dense")}
            for name, path in NEW_DOC_SETS.items()}


def test_hybrid_retrieval_meets_the_bar(figures):
    hybrid = figures["hybrid"]
    assert hybrid["n"] >= 40
    assert hybrid["hit@1"] >= 0.90
    assert hybrid["hit@5"] >= 0.975
    assert hybrid["hit@1"] >= figures["bm25"]["hit@1"]
    assert hybrid["hit@1"] > figures["dense"]["hit@1"]


def test_questions_like_the_judged_samples_in_other_words(kb_dir, figures):
    result = {r: run_eval(kb_dir, LIKE_DEV, r, answers=r == "hybrid")
              for r in ("hybrid", "bm25", "dense")}
    hybrid = result["hybrid"]
    assert hybrid["hit@1"] >= 0.90 and hybrid["hit@5"] >= 0.98
    assert hybrid["hit@1"] >= result["bm25"]["hit@1"]
    assert hybrid["hit@1"] > result["dense"]["hit@1"]
    assert hybrid["answer_accuracy"] >= 0.90 and hybrid["false_refusals"] <= 0.05
    # A number stated about something else does not answer (BENCHMARKS.md "Session 13").
    assert hybrid["refusal_accuracy"] >= 0.8


@pytest.mark.parametrize("name", list(OWN_SETS))
def test_hybrid_beats_each_retriever_alone_on_other_wording(own_figures, name):
    result = own_figures[name]
    assert result["hybrid"]["hit@1"] > result["bm25"]["hit@1"]
    assert result["hybrid"]["hit@1"] > result["dense"]["hit@1"]
    assert result["hybrid"]["mrr@10"] > max(result["bm25"]["mrr@10"], result["dense"]["mrr@10"])


# Known gaps on the judged sample, kept as strict xfails so that they are seen, and flagged
# once they pass.
@pytest.mark.xfail(strict=True, reason="one question (d13) needs a semantic link (考核 ↔ "
                   "一票否决) neither BM25 nor e5-small makes: hit@5 is 0.975")
def test_hybrid_hit5_reaches_098(figures):
    assert figures["hybrid"]["hit@5"] >= 0.98


@pytest.mark.xfail(strict=True, reason="on this set hybrid (0.950) ties BM25 alone (0.950): "
                   "both miss d13 and h10, which no retriever here ranks first")
def test_hybrid_beats_bm25_alone(figures):
    assert figures["hybrid"]["hit@1"] > figures["bm25"]["hit@1"]


def test_refusals(figures):
    assert figures["hybrid"]["refusal_accuracy"] == 1.0
    assert figures["hybrid"]["false_refusals"] <= 0.05


def test_answer_accuracy_meets_the_bar(figures):
    assert figures["hybrid"]["answer_accuracy"] >= 0.90


@pytest.mark.parametrize("name", list(NEW_DOC_SETS))
def test_documents_outside_the_sample_corpus_are_found_and_answered(new_doc_figures, name):
    result = new_doc_figures[name]
    hybrid = result["hybrid"]
    assert hybrid["n"] >= 45
    assert hybrid["hit@5"] >= 0.9
    if name not in FUSION_GAPS:
        assert hybrid["hit@1"] > max(result["bm25"]["hit@1"], result["dense"]["hit@1"])
        assert hybrid["mrr@10"] > max(result["bm25"]["mrr@10"], result["dense"]["mrr@10"])
    assert hybrid["hit@1"] > result["bm25"]["hit@1"]
    assert hybrid["answer_accuracy"] >= 0.6
    if name not in REFUSAL_GAPS:
        assert hybrid["refusal_accuracy"] >= 0.6


def test_a_licence_is_not_answered_from_another_licences_article(plus_kb):
    corpus, kb = plus_kb
    result = run_eval(kb, LICENCES, "hybrid", corpus=corpus)
    assert result["n"] >= 45
    assert result["hit@5"] >= 0.9
    assert result["answer_accuracy"] >= 0.8
    assert result["false_refusals"] <= 0.05
    assert result["refusal_accuracy"] >= 0.6


@pytest.mark.xfail(strict=True, reason="of seven unanswerable questions, newdocs3 answers six, "
                   "holdout7 four and newdocs6 five that ask about something next to what a "
                   "document says (草原 for 森林, a bus for the metro, outdoor heat for a mine's "
                   "28℃, a power bank for an e-bike battery); the extractive answer takes the "
                   "neighbour")
@pytest.mark.parametrize("name", REFUSAL_GAPS)
def test_questions_about_a_neighbouring_thing_are_refused(new_doc_figures, name):
    assert new_doc_figures[name]["hybrid"]["refusal_accuracy"] >= 0.6


@pytest.mark.xfail(strict=True, reason="on newdocs5 (five documents new in session 16, measured "
                   "blind) hybrid (0.756) ranks the right passage first less often than dense "
                   "alone (0.800): BM25 alone is at 0.600 there, and its weight in the fusion does "
                   "not drop enough for questions worded unlike the documents")
@pytest.mark.parametrize("name", FUSION_GAPS)
def test_hybrid_beats_dense_alone_on_every_outside_set(new_doc_figures, name):
    result = new_doc_figures[name]
    assert result["hybrid"]["hit@1"] > result["dense"]["hit@1"]
