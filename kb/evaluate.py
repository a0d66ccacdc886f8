"""Retrieval and answer evaluation over a JSON Lines question set (see shared/eval/README)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kb.records import SearchHit


@dataclass(frozen=True)
class EvalQuestion:
    """One line of a question set."""

    id: str
    question: str
    sources: tuple[str, ...]  # empty: the corpus cannot answer it
    expect: tuple[str, ...]
    answer: tuple[str, ...]
    kind: str

    @property
    def answerable(self) -> bool:
        return bool(self.sources)


@dataclass
class EvalResult:
    """Figures over a question set; answer figures are None when no answerer was given."""

    n: int
    hit1: float
    hit5: float
    mrr10: float
    answer_accuracy: float | None = None
    refusal_accuracy: float | None = None
    false_refusals: float | None = None
    misses: list[str] = field(default_factory=list)  # ids whose right passage was not first

    def as_json(self) -> dict:
        return {"hit@1": self.hit1, "hit@5": self.hit5, "mrr@10": self.mrr10,
                "answer_accuracy": self.answer_accuracy,
                "refusal_accuracy": self.refusal_accuracy,
                "false_refusals": self.false_refusals, "n": self.n}


def match_key(text: str) -> str:
    """NFKC and no whitespace: how expected strings are compared with passages."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def load_questions(path: Path) -> list[EvalQuestion]:
    """Read a question set; raises ValueError naming the line of a malformed entry."""
    questions = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            source = row.get("source")
            sources = () if source is None else (source,) if isinstance(source, str) \
                else tuple(source)
            questions.append(EvalQuestion(str(row["id"]), row["question"], sources,
                                          tuple(row.get("expect", [])),
                                          tuple(row.get("answer", [])), row.get("kind", "")))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: 无法解析的题目 ({exc})") from exc
    return questions


def is_right_passage(hit: SearchHit, question: EvalQuestion) -> bool:
    """A passage is right when it comes from a source file and holds every expected string."""
    text = match_key(hit.text)
    return hit.source in question.sources and all(match_key(e) in text for e in question.expect)


def first_right_rank(hits: list[SearchHit], question: EvalQuestion) -> int | None:
    """1-based rank of the first right passage, or None."""
    for rank, hit in enumerate(hits, 1):
        if is_right_passage(hit, question):
            return rank
    return None


def answer_is_correct(answer_text: str, question: EvalQuestion) -> bool:
    """The answer's own text holds every expected answer string."""
    text = match_key(answer_text)
    return all(match_key(a) in text for a in question.answer)


def evaluate(questions: list[EvalQuestion], search: Callable[[str], list[SearchHit]],
             answer: Callable[[str], tuple[str, bool]] | None = None) -> EvalResult:
    """Compute the figures.

    Args:
        questions: the question set.
        search: question -> ranked hits (at least 10).
        answer: optional question -> (answer text, is_refusal).
    """
    answerable = [q for q in questions if q.answerable]
    unanswerable = [q for q in questions if not q.answerable]
    hit1 = hit5 = mrr = 0.0
    misses = []
    for q in answerable:
        rank = first_right_rank(search(q.question)[:10], q)
        hit1 += rank == 1
        hit5 += rank is not None and rank <= 5
        mrr += 1 / rank if rank else 0.0
        if rank != 1:
            misses.append(f"{q.id}:{rank}")
    n = max(len(answerable), 1)
    result = EvalResult(n=len(questions), hit1=hit1 / n, hit5=hit5 / n, mrr10=mrr / n,
                        misses=misses)
    if answer is not None:
        correct = refused = 0
        for q in answerable:
            text, is_refusal = answer(q.question)
            refused += is_refusal
            correct += (not is_refusal) and answer_is_correct(text, q)
        right_refusals = sum(answer(q.question)[1] for q in unanswerable)
        result.answer_accuracy = correct / n
        result.false_refusals = refused / n
        result.refusal_accuracy = right_refusals / len(unanswerable) if unanswerable else None
    return result
