"""Calibrate the refusal threshold on data, reproducibly.

Builds (or reuses, with --kb) a knowledge base from the sample corpus, runs the calibration
questions (benchmarks/tune.jsonl: answerable questions on the laws, written for tuning and
never taken from the judged sets; benchmarks/out_of_scope.jsonl: questions the corpus cannot
answer), fits a logistic model of "the top passage is right" on the answer features
(IDF-weighted question-term coverage of the top passage and of its best sentence, and the
dense cosines of the passage and of its closest sentence; see kb.answer.answer_features), then picks
the threshold that best separates answerable from unanswerable questions. Writes
kb/calibration.json.

    .venv/bin/python benchmarks/calibrate.py [--kb DIR] [--corpus data/corpus] [--sets tune ...]

--sets fits on other question sets in benchmarks/ (BENCHMARKS.md, session 7, has a refit on
tune + holdout + holdout2 + holdout3 + out_of_scope that was measured and not adopted).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kb.answer import CALIBRATION_FILE, Calibration, answer_features  # noqa: E402
from kb.config import SAMPLE_CORPUS  # noqa: E402
from kb.evaluate import is_right_passage, load_questions  # noqa: E402
from kb.store import KnowledgeBase  # noqa: E402

HERE = Path(__file__).resolve().parent
FEATURES = ("coverage", "sentence_coverage", "dense", "sentence_dense")
CALIBRATION_SETS = ("tune", "out_of_scope")


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, steps: int = 20000):
    """Plain gradient-descent logistic regression on standardised features."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / std
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        w -= 0.1 * (z.T @ (p - y) / len(y) + l2 * w)
        b -= 0.1 * float(np.mean(p - y))
    # Undo the standardisation so the weights apply to raw features.
    raw_w = w / std
    return raw_w, b - float(raw_w @ mean)


def best_threshold(conf_answerable: np.ndarray, conf_unanswerable: np.ndarray) -> float:
    """Threshold maximising balanced accuracy; the median of the tied midpoints."""
    values = np.unique(np.concatenate([conf_answerable, conf_unanswerable]))
    mids = np.concatenate([[values[0] / 2], (values[:-1] + values[1:]) / 2,
                           [(values[-1] + 1) / 2]])
    scores = np.array([np.mean(conf_answerable >= t) + np.mean(conf_unanswerable < t)
                       for t in mids])
    return float(np.median(mids[scores == scores.max()]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kb", type=Path)
    parser.add_argument("--corpus", type=Path, default=SAMPLE_CORPUS)
    parser.add_argument("--sets", nargs="+", default=list(CALIBRATION_SETS),
                        help="question sets in benchmarks/ to fit on (names without .jsonl)")
    args = parser.parse_args()
    questions = [q for name in args.sets for q in load_questions(HERE / f"{name}.jsonl")]
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(args.kb or tmp)
        kb.ingest([args.corpus])
        rows = []
        for q in questions:
            hits = kb.search(q.question, k=5)
            features = answer_features(kb, q.question, hits[0])
            right = q.answerable and is_right_passage(hits[0], q)
            rows.append((q, features, right))
    usable = [(f, r) for _, f, r in rows if not f["unknown_place"]]
    x = np.array([[f[name] for name in FEATURES] for f, _ in usable])
    y = np.array([float(r) for _, r in usable])
    (w_cov, w_sent, w_dense, w_sent_dense), bias = fit_logistic(x, y)
    cal = Calibration(threshold=0.5, coverage_weight=float(w_cov),
                      sentence_weight=float(w_sent), dense_weight=float(w_dense),
                      sentence_dense_weight=float(w_sent_dense), bias=float(bias))
    conf = {q.id: (0.0 if f["unknown_place"] else cal.confidence(f)) for q, f, _ in rows}
    answerable = np.array([conf[q.id] for q, _, _ in rows if q.answerable])
    unanswerable = np.array([conf[q.id] for q, _, _ in rows if not q.answerable])
    threshold = best_threshold(answerable, unanswerable)
    result = {"threshold": threshold, "coverage_weight": cal.coverage_weight,
              "sentence_weight": cal.sentence_weight, "dense_weight": cal.dense_weight,
              "sentence_dense_weight": cal.sentence_dense_weight, "bias": cal.bias,
              "fitted_on": {"answerable": int(len(answerable)),
                            "unanswerable": int(len(unanswerable)),
                            "right_top_passages": int(y.sum())},
              "at_threshold": {"answered": float(np.mean(answerable >= threshold)),
                               "refused": float(np.mean(unanswerable < threshold))}}
    CALIBRATION_FILE.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n",
                                encoding="utf-8")
    for q, f, right in rows:
        print(f"{q.id} {'right' if right else 'wrong':5} cov={f['coverage']:.2f} "
              f"sent={f['sentence_coverage']:.2f} "
              f"dense={f['dense']:.3f} sent_dense={f['sentence_dense']:.3f} "
              f"place={int(f['unknown_place'])} "
              f"conf={conf[q.id]:.2f} {q.question}")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
