"""Pure score fusion for hybrid search: z-score fusion (default) or reciprocal-rank fusion."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Ranked = Sequence[tuple[int, float]]  # (id, score), best first


@dataclass(frozen=True)
class Scores:
    """One retriever's scores for the candidates, and how its scores spread over the whole
    collection for this query (mean and standard deviation over every chunk or vector)."""

    scores: Mapping[int, float]
    mean: float
    std: float

    def standardised(self, i: int) -> float:
        """How many standard deviations candidate i stands above the collection's mean.

        A candidate the retriever did not score counts as average (0).
        """
        if self.std <= 1e-12 or i not in self.scores:
            return 0.0
        return (self.scores[i] - self.mean) / self.std


def zscore_fusion(parts: Sequence[tuple[Scores, float]]) -> list[tuple[int, float]]:
    """Weighted sum of standardised scores over the union of candidates.

    Standardising against the whole collection, not the candidate list, keeps each
    retriever's confidence: a dense cosine of 0.90 is a standout for one question and noise
    for another, and min-max scaling over the candidates would stretch either to 0..1.

    Args:
        parts: (scores, weight) per retriever.

    Returns:
        (id, fused score) best first, ties broken by id so the order is deterministic.
    """
    ids = set().union(*(part.scores.keys() for part, _ in parts)) if parts else set()
    fused = {i: sum(w * part.standardised(i) for part, w in parts) for i in ids}
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def rrf_fusion(lexical: Ranked, dense: Ranked, k: int = 60,
               lexical_weight: float = 0.5) -> list[tuple[int, float]]:
    """Weighted reciprocal-rank fusion (plain RRF at weight 0.5), for comparison."""
    fused: dict[int, float] = {}
    for weight, ranked in ((lexical_weight, lexical), (1 - lexical_weight, dense)):
        for rank, (i, _) in enumerate(ranked):
            fused[i] = fused.get(i, 0.0) + 2 * weight / (k + rank + 1)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))
