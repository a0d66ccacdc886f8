"""Item analysis with Moodle's facility (F) and discrimination (D) indices over first attempts."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from .bank import get_questions
from .quiz import get_quiz

TOO_EASY, TOO_HARD, LOW_DISCRIMINATION = "too_easy", "too_hard", "low_discrimination"
FLAG_LABELS = {
    TOO_EASY: "过易 (F>95)",
    TOO_HARD: "过难 (F<20)",
    LOW_DISCRIMINATION: "区分度低 (D<30)",
}


@dataclass(frozen=True)
class ItemStats:
    """Statistics of one question over first attempts.

    Attributes:
        question_id: the question.
        n: first attempts that included it.
        mean_score: average points earned on it.
        max_score: points available.
        facility: F = 100 · mean / max (percent of trainees' possible score); None if n = 0.
        discrimination: D = 100 · Pearson r between the item score and the rest of the test
            (total minus this item); None when undefined (n < 2 or either score constant).
        flags: ``too_easy`` (F > 95), ``too_hard`` (F < 20), ``low_discrimination`` (D < 30);
            see :data:`FLAG_LABELS` for Chinese labels.
        stem: question text, for display.
    """

    question_id: int
    n: int
    mean_score: float
    max_score: float
    facility: float | None
    discrimination: float | None
    flags: tuple[str, ...]
    stem: str = ""


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation coefficient; None for fewer than 2 pairs or a constant series."""
    n = len(xs)
    if n < 2 or n != len(ys):
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    # Relative tolerance: float noise in a constant series must not count as variance.
    if sxx <= 1e-12 * max(1.0, mx * mx) * n or syy <= 1e-12 * max(1.0, my * my) * n:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def item_analysis(
    attempts: Sequence[Mapping[int, float]], max_scores: Mapping[int, float]
) -> list[ItemStats]:
    """Facility and discrimination of each question (a pure function).

    Args:
        attempts: one mapping per trainee's first attempt: question id -> points earned, for
            every question that attempt contained (random quizzes differ per attempt). The
            attempt's total is the sum of its values.
        max_scores: question id -> points available, in the order to report.

    Returns:
        One :class:`ItemStats` per question of ``max_scores``, flagged as the spec says.
    """
    out = []
    for qid, max_score in max_scores.items():
        pairs = [(a[qid], sum(a.values()) - a[qid]) for a in attempts if qid in a]
        xs = [x for x, _ in pairs]
        n = len(xs)
        mean = sum(xs) / n if n else 0.0
        facility = 100.0 * mean / max_score if n and max_score > 0 else None
        r = pearson(xs, [rest for _, rest in pairs])
        discrimination = 100.0 * r if r is not None else None
        flags = []
        if facility is not None and facility > 95:
            flags.append(TOO_EASY)
        if facility is not None and facility < 20:
            flags.append(TOO_HARD)
        if discrimination is not None and discrimination < 30:
            flags.append(LOW_DISCRIMINATION)
        out.append(ItemStats(qid, n, mean, max_score, facility, discrimination, tuple(flags)))
    return out


def first_attempt_scores(
    db: Database, quiz_id: int
) -> tuple[list[dict[int, float]], dict[int, float]]:
    """Per-question points of every trainee's first submitted attempt at a quiz.

    Returns:
        ``(attempts, max_scores)`` as :func:`item_analysis` takes them; questions appear in
        quiz order (fixed quizzes) or by id (random ones).
    """
    quiz = get_quiz(db, quiz_id)
    rows = db.conn.execute(
        "SELECT aq.attempt_id, aq.question_id, aq.max_points, coalesce(r.correct, 0) "
        "FROM attempt_questions aq JOIN attempts a ON a.id = aq.attempt_id "
        "LEFT JOIN responses r "
        "  ON r.attempt_id = aq.attempt_id AND r.question_id = aq.question_id "
        "WHERE a.quiz_id = ? AND a.number = 1 AND a.submitted_at IS NOT NULL "
        "ORDER BY aq.attempt_id, aq.position",
        [quiz_id],
    ).fetchall()
    attempts: dict[int, dict[int, float]] = {}
    maxima: dict[int, float] = {}
    for attempt_id, qid, max_points, correct in rows:
        attempts.setdefault(attempt_id, {})[qid] = max_points if correct else 0.0
        maxima[qid] = max(maxima.get(qid, 0.0), max_points)
    order = [q for q in quiz.question_ids if q in maxima] + sorted(
        q for q in maxima if q not in set(quiz.question_ids)
    )
    return list(attempts.values()), {q: maxima[q] for q in order}


def quiz_item_analysis(db: Database, quiz_id: int) -> list[ItemStats]:
    """:func:`item_analysis` of a quiz's first attempts, with each question's stem."""
    attempts, max_scores = first_attempt_scores(db, quiz_id)
    stats = item_analysis(attempts, max_scores)
    stems = get_questions(db, max_scores)
    return [
        ItemStats(
            s.question_id,
            s.n,
            s.mean_score,
            s.max_score,
            s.facility,
            s.discrimination,
            s.flags,
            stems[s.question_id].stem,
        )
        for s in stats
    ]
