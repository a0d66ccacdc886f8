"""Hybrid retrieval: candidates from BM25 and both dense indexes, each scored by all, fused."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable

import numpy as np

from kb.dense import DenseIndex
from kb.fusion import Scores, rrf_fusion, zscore_fusion
from kb.lexical import LexicalIndex
from kb.records import SearchHit
from kb.thresholds import question_amounts, threshold_fit
from kb.tokenize import bigram_tokens

RETRIEVERS = ("hybrid", "bm25", "dense")
CANDIDATES = 50  # per index, before fusion
# Weights of the standardised scores in the fusion: BM25, then the dense side, split between
# the chunk's own vector and its best sentence's (a question usually aims at one sentence;
# a chunk vector blurs it with the rest of an article). Chosen on benchmarks/tune.jsonl and
# benchmarks/holdout.jsonl, not on the judged sample; BENCHMARKS.md has the figures.
LEXICAL_WEIGHT = 0.35
CHUNK_VECTOR_SHARE = 0.3
# BM25 counts less for a question worded unlike any passage: when the best BM25 passage holds
# few of the question's terms, the question is a paraphrase ("出人命的危险" for 危及人身安全)
# and meaning finds its passage better than words do. Full weight from the upper coverage,
# PARAPHRASE_LEXICAL_WEIGHT below the lower, linear between (no cliff where one more shared
# word flips the ranking). Chosen on the tuning sets (BENCHMARKS.md), then checked on sets
# never tuned on.
PARAPHRASE_LEXICAL_WEIGHT = 0.2
WORDING_COVERAGE = (0.25, 0.5)

# A question asking a quantity in a unit (多少天, 罚多少钱) or a sanction (怎么处罚) is answered by
# a passage stating one, not by the rule it asks about: among the best hits, those stating it
# gain this much, in the fused score's units (standard deviations), enough to pass
# a passage about the same thing without the number; only the first ANSWER_WINDOW are
# reordered, the passages the answer reads. Chosen on the studied sets (BENCHMARKS.md
# "Session 8"); 0.6 to 3 gave the same rankings but for one question.
STATES_ANSWER_BONUS = 1.0
ANSWER_WINDOW = 5

ChunkVectors = tuple[int, bytes, bytes | None]  # chunk id, its vector, its sentences' vectors


def lexical_scores(lexical: LexicalIndex, tokens: list[str], k: int = CANDIDATES,
                   also: Iterable[int] = ()) -> Scores:
    """BM25 scores of the top k chunks and of the chunks in also (e.g. the dense side's
    candidates), with the spread of the scores over every chunk.

    Every candidate gets its exact score: a passage the dense side found, worded unlike the
    question but under a title the question repeats, would otherwise count as average.
    """
    scores = lexical.all_scores(tokens)
    if not len(scores):
        return Scores({}, 0.0, 0.0)
    ids = lexical.ids()
    top = [i for i in np.argsort(-scores, kind="stable")[:k] if scores[i] > 0]
    wanted = set(also)
    if wanted:
        at = np.flatnonzero(np.isin(ids, np.fromiter(wanted, dtype=np.int64)))
        top = sorted(set(top) | set(at.tolist()))
    return Scores({int(ids[i]): float(scores[i]) for i in top},
                  float(scores.mean()), float(scores.std()))


def dense_candidates(chunks: DenseIndex, sentences: DenseIndex, vector: np.ndarray,
                     k: int = CANDIDATES) -> set[int]:
    """Chunks closest to the query by their own vector or by one of their sentences."""
    return {i for i, _ in chunks.search(vector, k)} | {i for i, _ in sentences.search(vector, k)}


def cosines(vector: np.ndarray, blob: bytes, sentence_blob: bytes | None) -> tuple[float,
                                                                                   float | None]:
    """Cosine of a chunk's stored vector with the query, and of its closest sentence (None
    when the chunk has no sentence vectors)."""
    chunk = float(np.frombuffer(blob, dtype=np.float32) @ vector)
    sentences = np.frombuffer(sentence_blob or b"", dtype=np.float32)
    if not len(sentences):
        return chunk, None
    return chunk, float((sentences.reshape(-1, len(vector)) @ vector).max())


def dense_scores(vector: np.ndarray, rows: Iterable[ChunkVectors], chunks: DenseIndex,
                 sentences: DenseIndex) -> tuple[Scores, Scores]:
    """Exact chunk-vector and best-sentence cosines of the candidates whose stored vectors
    are given, each with its index's spread over every vector held."""
    chunk_scores, sentence_scores = {}, {}
    for chunk_id, blob, sentence_blob in rows:
        chunk_scores[chunk_id], best = cosines(vector, blob, sentence_blob)
        if best is not None:
            sentence_scores[chunk_id] = best
    return (Scores(chunk_scores, *chunks.score_stats(vector)),
            Scores(sentence_scores, *sentences.score_stats(vector)))


def lexical_weight(coverage: float) -> float:
    """BM25's weight in the fusion for a question whose best BM25 passage holds this share
    of the question's terms (see WORDING_COVERAGE)."""
    low, high = WORDING_COVERAGE
    share = min(max((coverage - low) / (high - low), 0.0), 1.0)
    return PARAPHRASE_LEXICAL_WEIGHT + (LEXICAL_WEIGHT - PARAPHRASE_LEXICAL_WEIGHT) * share


def rank(retriever: str, lexical: Scores, chunk: Scores, sentence: Scores,
         fusion: str = "zscore", lexical_share: float = LEXICAL_WEIGHT
         ) -> list[tuple[int, float]]:
    """Candidates best first, by one retriever or by the fusion of all.

    Args:
        retriever: "hybrid", "bm25" or "dense" (chunk and sentence vectors together).
        lexical, chunk, sentence: each retriever's scores of the candidates.
        fusion: "zscore" (default) or "rrf" (reciprocal ranks of BM25 and chunk vectors,
            kept for comparison), for hybrid.
        lexical_share: BM25's weight in the z-score fusion (lexical_weight()); the rest
            goes to the dense side.
    """
    if retriever == "bm25":
        return _best_first(lexical)
    if retriever == "dense":
        return zscore_fusion([(chunk, CHUNK_VECTOR_SHARE), (sentence, 1 - CHUNK_VECTOR_SHARE)])
    if fusion == "rrf":
        return rrf_fusion(_best_first(lexical), _best_first(chunk))
    dense_weight = 1 - lexical_share
    return zscore_fusion([(lexical, lexical_share),
                          (chunk, dense_weight * CHUNK_VECTOR_SHARE),
                          (sentence, dense_weight * (1 - CHUNK_VECTOR_SHARE))])


def prefer_stating(hits: list[SearchHit], states: Callable[[str], bool],
                   named: Collection[str] = (), window: int = ANSWER_WINDOW,
                   bonus: float = STATES_ANSWER_BONUS) -> list[SearchHit]:
    """Hits with those of the first few that state what the question asks for raised.

    Only the first `window` hits are reordered: the answer looks no further for a passage
    stating it, so an unanswerable question is not given one from far down.

    Args:
        hits: search hits, best first (a named document's first).
        states: whether a passage states what is asked (kb.quoting.answer_test).
        named: titles of the documents the question names; their hits stay first.
        window: how many of the first hits are reordered.
        bonus: added to the score of a hit that states it.
    """
    return _moved(hits, states, bonus, named, window)


def _moved(hits: list[SearchHit], test: Callable[[str], bool], delta: float,
           named: Collection[str], window: int) -> list[SearchHit]:
    """Hits with delta added to the score of those of the first window whose text passes
    test, the first window re-sorted, a named document's hits first."""
    moved = [dataclasses.replace(h, score=h.score + delta) if test(h.text) else h
             for h in hits[:window]]
    moved.sort(key=lambda h: (h.title not in named, -h.score))
    return moved + hits[window:]


# A question stating its case with a number ("死了一个人", "我们厂有120人"): among the first
# few hits, an article whose thresholds in that number's unit all leave it out is about another
# case ("处三年以上七年以下有期徒刑：（一）造成死亡三人以上…" is not the rule for one death) and
# loses this much, in standard deviations of the fused score. Only a misfit moves a hit: a
# chunk holding several rules may fit by one it does not answer with (measured, BENCHMARKS.md
# "Session 15").
MISFIT_PENALTY = 1.0


def demote_misfits(hits: list[SearchHit], question: str, named: Collection[str] = (),
                   window: int = ANSWER_WINDOW, penalty: float = MISFIT_PENALTY
                   ) -> list[SearchHit]:
    """Hits with those of the first few whose thresholds all leave out the number the question
    states as its case lowered (kb.thresholds.threshold_fit < 0); unchanged when it states
    none. The hits of documents the question names (titles in named) stay first."""
    if not question_amounts(question):
        return hits
    return _moved(hits, lambda text: threshold_fit(question, text) < 0, -penalty, named, window)


def _best_first(scores: Scores) -> list[tuple[int, float]]:
    return sorted(scores.scores.items(), key=lambda item: (-item[1], item[0]))


def named_first(ranked: list[tuple[int, float]], named: set[int]) -> list[tuple[int, float]]:
    """Candidates of the documents a question names first, each group in its own order.

    Asked "依据《特种设备安全法》…", a user wants that law's article, not the same rule in
    another regulation that happens to score higher.
    """
    return [r for r in ranked if r[0] in named] + [r for r in ranked if r[0] not in named]


# Two passages with this share of character pairs in common are one text (the same law
# ingested as Markdown and as PDF differs only in extraction noise).
SAME_TEXT = 0.9


def collapse_duplicates(hits: list[SearchHit]) -> list[SearchHit]:
    """Hits without repeats: a passage with the title and section path of a better one
    and nearly the same text (the same article from another file of the same law) is
    dropped, so that it does not take a place in the top k."""
    kept: list[tuple[SearchHit, set[str]]] = []
    for hit in hits:
        pairs = set(bigram_tokens(hit.text))
        if not any(k.title == hit.title and k.section_path == hit.section_path
                   and _jaccard(pairs, k_pairs) >= SAME_TEXT for k, k_pairs in kept):
            kept.append((hit, pairs))
    return [hit for hit, _ in kept]


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0
