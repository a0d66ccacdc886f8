"""Moodle's Aiken format (stem, ``A.`` options, ``ANSWER: B``): parse and write."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from ..records import OPTION_LETTERS, ImportProblem, ParseResult, Question, QuestionType, Status
from .fields import field_column, split_lines

# Full-width "Ａ．" and "）" are accepted too; "、" is common in Chinese lists.
_OPTION = re.compile(r"^([A-Za-zＡ-Ｚａ-ｚ])\s*[.)、．）]\s*(.*)$")
_ANSWER = re.compile(r"^(?:ANSWER|答案)\s*[:：]\s*(.*)$", re.IGNORECASE)


class _Block:
    """Lines of one question while it is being read."""

    def __init__(self, line_no: int, stem: str):
        self.line_no = line_no
        self.stem = [stem]
        self.options: list[str] = []
        self.option_lines: list[int] = []
        self.broken = False  # a problem was reported while reading the block


def parse_aiken(text: str, *, default_status: Status = Status.DRAFT) -> ParseResult:
    """Parse Aiken text.

    A question is a stem (first line, plus following lines until the first option), options
    ``A.`` / ``A)`` in order, and an ``ANSWER:`` line that ends it. One answer letter gives a
    single-choice question; several (``ANSWER: AC``, an extension) give multiple choice.

    Returns:
        Questions and every problem, each naming its line and field.
    """
    result = ParseResult()
    block: _Block | None = None

    def bad(line_no: int, column: str, message: str) -> None:
        result.problems.append(ImportProblem(line_no, column, message))

    for line_no, raw in enumerate(split_lines(text), 1):
        line = raw.strip()
        if not line:
            continue
        answer = _ANSWER.match(line)
        if block is None:
            if answer:
                bad(line_no, "ANSWER", "ANSWER 行前面没有题目")
            else:
                block = _Block(line_no, line)
            continue
        option = _OPTION.match(line)
        if answer:
            _finish(block, answer.group(1), line_no, default_status, result)
            block = None
        elif option:
            letter = unicodedata.normalize("NFKC", option.group(1)).upper()
            expected = OPTION_LETTERS[len(block.options)] if len(block.options) < 6 else "?"
            if letter != expected:
                bad(line_no, "选项", f"选项字母应为 {expected}，而不是 {letter}")
                block.broken = True
            block.options.append(option.group(2))
            block.option_lines.append(line_no)
        elif block.options:
            bad(line_no, "选项", "选项之后应为下一个选项或 ANSWER: 行")
            block.broken = True
        else:
            block.stem.append(line)
    if block is not None:
        bad(block.line_no, "ANSWER", "题目缺少 ANSWER: 行")
    if not result.questions and not result.problems:
        bad(0, "", "文件中没有题目")
    return result


def _finish(
    block: _Block, raw_key: str, answer_line: int, status: Status, result: ParseResult
) -> None:
    letters = [c for c in unicodedata.normalize("NFKC", raw_key).upper() if c.isalnum()]
    qtype = QuestionType.MULTIPLE if len(letters) > 1 else QuestionType.SINGLE
    question = Question(
        qtype=qtype,
        stem="\n".join(block.stem),
        key=(raw_key,),
        options=tuple(block.options),
        status=status,
    )
    problems = question.problems()
    for field, message in problems:
        line_no = answer_line if field == "key" else block.line_no
        if field.startswith("option:"):
            index = OPTION_LETTERS.index(field[-1])
            line_no = block.option_lines[index] if index < len(block.option_lines) else line_no
        column = "ANSWER" if field == "key" else field_column(field)
        result.problems.append(ImportProblem(line_no, column, message))
    if not problems and not block.broken:
        result.questions.append(question)


def to_aiken(questions: Iterable[Question]) -> str:
    """Aiken text for choice questions. Aiken holds only stem, options and key.

    Raises:
        ValueError: a question is not single or multiple choice (Aiken cannot hold it).
    """
    blocks = []
    for question in questions:
        if question.qtype not in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            raise ValueError(f"Aiken 格式只支持选择题，第 {question.id or '?'} 题是其他题型")
        # The stem must stay on one line per Aiken's rules; the first line is always the stem.
        lines = [" ".join(question.stem.split("\n"))]
        pairs = zip(OPTION_LETTERS, question.options, strict=False)
        lines += [f"{letter}. {text}" for letter, text in pairs]
        lines.append(f"ANSWER: {''.join(question.key)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")
