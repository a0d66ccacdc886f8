"""Pure score fusion for hybrid search: weighted sum of normalised scores, or RRF."""

from __future__ import annotations

from collections.abc import Sequence

Ranked = Sequence[tuple[int, float]]  # (id, score), best first


def normalise_max(ranked: Ranked) -> dict[int, float]:
    """Scale scores so the best is 1 (BM25 scores are unbounded and query-dependent)."""
    if not ranked:
        return {}
    top = max(score for _, score in ranked)
    if top <= 0:
        return {i: 0.0 for i, _ in ranked}
    return {i: max(score, 0.0) / top for i, score in ranked}


def normalise_minmax(ranked: Ranked) -> dict[int, float]:
    """Scale scores to [0, 1] over the candidates (cosine scores crowd in a narrow band)."""
    if not ranked:
        return {}
    scores = [s for _, s in ranked]
    lo, hi = min(scores), max(scores)
    if hi - lo < 1e-9:
        return {i: 1.0 for i, _ in ranked}
    return {i: (s - lo) / (hi - lo) for i, s in ranked}


def weighted_fusion(lexical: Ranked, dense: Ranked,
                    lexical_weight: float = 0.7) -> list[tuple[int, float]]:
    """Convex combination of normalised lexical and dense scores.

    A candidate missing from one list gets 0 from it. Returns (id, fused score) best first,
    ties broken by id so the order is deterministic.
    """
    lex = normalise_max(lexical)
    den = normalise_minmax(dense)
    fused = {
        i: lexical_weight * lex.get(i, 0.0) + (1 - lexical_weight) * den.get(i, 0.0)
        for i in lex.keys() | den.keys()
    }
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def rrf_fusion(lexical: Ranked, dense: Ranked, k: int = 60,
               lexical_weight: float = 0.5) -> list[tuple[int, float]]:
    """Weighted reciprocal-rank fusion (plain RRF at weight 0.5)."""
    fused: dict[int, float] = {}
    for weight, ranked in ((lexical_weight, lexical), (1 - lexical_weight, dense)):
        for rank, (i, _) in enumerate(ranked):
            fused[i] = fused.get(i, 0.0) + 2 * weight / (k + rank + 1)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))
