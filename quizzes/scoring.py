"""Pure functions turning a trainee's answer into its stored form and scoring it."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from .errors import AnswerError
from .records import (
    FALSE_TEXT,
    OPTION_LETTERS,
    TRUE_TEXT,
    Question,
    QuestionType,
    clean_line,
    parse_true_false,
)

AnswerValue = str | bool | Sequence[str]
"""What a trainee gives: option letters (``"B"``, ``"AC"``, ``["A", "C"]``), a bool or
正确/错误 for true/false, or text for fill-in."""


def normalize_fill(text: str) -> str:
    """Normal form used to compare fill-in answers.

    NFKC folds full-width letters and digits to ASCII, every whitespace character is removed
    (spacing inside a Chinese answer carries no meaning), and case is folded.
    """
    text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).casefold()


def is_blank(given: AnswerValue | None) -> bool:
    """True for an answer that says nothing (None, empty or whitespace, empty list)."""
    if given is None:
        return True
    if isinstance(given, bool):
        return False
    if isinstance(given, str):
        return not given.strip()
    return not any(str(g).strip() for g in given)


def _letters(given: AnswerValue) -> list[str]:
    raw = given if isinstance(given, str) else "".join(str(g) for g in given)
    text = unicodedata.normalize("NFKC", raw).upper()
    letters = [c for c in text if not c.isspace() and c not in ",，、;；/."]
    bad = [c for c in letters if c not in OPTION_LETTERS]
    if bad:
        raise AnswerError(f"答案「{raw}」应为选项字母")
    return letters


def canonical_answer(question: Question, given: AnswerValue, option_order: str = "") -> str:
    """The stored form of an answer.

    Args:
        question: the question answered.
        given: the trainee's answer; choice letters refer to the options as displayed.
        option_order: original option letters in display order (``"CAB"`` means the option
            shown as A is the question's C); empty when options were not shuffled.

    Returns:
        Choice: original letters sorted (``"AC"``). True/false: ``正确``/``错误``.
        Fill-in: the text, cleaned to one line.

    Raises:
        AnswerError: the answer does not fit the question (letter out of range, two letters
            for a single-choice question, neither true nor false, blank).
    """
    if is_blank(given):
        raise AnswerError("答案不能为空")
    qtype = question.qtype
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        if isinstance(given, bool):
            raise AnswerError("选择题的答案应为选项字母")
        order = option_order or OPTION_LETTERS[: len(question.options)]
        chosen: set[str] = set()
        for letter in _letters(given):
            index = OPTION_LETTERS.index(letter)
            if index >= len(order):
                raise AnswerError(f"没有选项 {letter}")
            chosen.add(order[index])
        if qtype == QuestionType.SINGLE and len(chosen) != 1:
            raise AnswerError("单选题只能选一个选项")
        return "".join(sorted(chosen))
    if qtype == QuestionType.TRUE_FALSE:
        value = given if isinstance(given, bool | str) else "".join(given)
        verdict = parse_true_false(value)
        if verdict is None:
            raise AnswerError(f"判断题的答案应为 {TRUE_TEXT} 或 {FALSE_TEXT}")
        return verdict
    if isinstance(given, bool):
        raise AnswerError("填空题的答案应为文字")
    text = given if isinstance(given, str) else " ".join(given)
    return clean_line(text)


def is_correct(question: Question, answer: str) -> bool:
    """Whether a canonical answer (see :func:`canonical_answer`) is right.

    Single choice: the one letter matches. Multiple choice: exactly the key's set of letters.
    True/false: same verdict. Fill-in: equal to any accepted answer after
    :func:`normalize_fill`.
    """
    qtype = question.qtype
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return tuple(sorted(set(answer))) == tuple(question.key) and bool(answer)
    if qtype == QuestionType.TRUE_FALSE:
        return (answer,) == tuple(question.key)
    given = normalize_fill(answer)
    return bool(given) and any(given == normalize_fill(k) for k in question.key)


def score_answer(
    question: Question, given: AnswerValue, option_order: str = ""
) -> tuple[str, bool]:
    """Canonicalise and mark an answer in one step.

    Returns:
        ``(canonical_answer, correct)``.

    Raises:
        AnswerError: as :func:`canonical_answer`.
    """
    answer = canonical_answer(question, given, option_order)
    return answer, is_correct(question, answer)


def to_display(answer: str, qtype: QuestionType, option_order: str) -> str:
    """Map a canonical choice answer (original letters) to the letters the trainee saw."""
    if qtype not in (QuestionType.SINGLE, QuestionType.MULTIPLE) or not option_order:
        return answer
    return "".join(sorted(OPTION_LETTERS[option_order.index(c)] for c in answer))


def key_for_display(question: Question, option_order: str = "") -> str:
    """The key as the trainee should see it: displayed letters, 正确/错误, or answers by 或."""
    if question.qtype == QuestionType.FILL:
        return " 或 ".join(question.key)
    return to_display("".join(question.key), question.qtype, option_order)
