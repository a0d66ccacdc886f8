"""Moodle's GIFT format (choice, true/false, short answer, $CATEGORY, # feedback): parse, write."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..records import (
    FALSE_TEXT,
    OPTION_LETTERS,
    TRUE_TEXT,
    ImportProblem,
    ParseResult,
    Question,
    QuestionType,
    Status,
)
from .fields import field_column, format_score, parse_difficulty, parse_score, split_lines

# Characters GIFT escapes with a backslash. Moodle knows ~ = # { } : and \n; "/", "%", "[", ">"
# are escaped by this package only where they would otherwise be misread.
_ESCAPABLE = set("~=#{}:\\/%[>")
_WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = re.compile(r"(?is)(T|TRUE|F|FALSE)\s*(#.*)?")
_META = re.compile(r"^//\s*\[(\w+):(.*)\]\s*$")
_FORMAT = re.compile(r"^\s*\[(?:html|moodle|plain|markdown)\]", re.IGNORECASE)
_CATEGORY_PREFIX = re.compile(r"^\$\w+\$/")
BLANK = "____"  # where the answer goes in a "missing word" question


def _find(text: str, target: str, start: int = 0) -> int:
    """Index of the first unescaped ``target`` at or after ``start``, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(target, i):
            return i
        i += 1
    return -1


def unescape(text: str) -> str:
    """Undo GIFT escapes: ``\\n`` is a newline, ``\\~`` is ``~``; unknown escapes stay as is."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt if nxt in _ESCAPABLE else char + nxt)
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def escape(text: str) -> str:
    """Escape text for GIFT so that :func:`unescape` gives it back exactly."""
    out = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        out = out.replace(char, "\\" + char)
    out = out.replace("\n", "\\n").replace("->", "-\\>")  # "->" would read as matching
    if out[:1] in ("%", "/", "["):  # weight, comment or format marker at the start
        out = "\\" + out
    return out


@dataclass
class _Meta:
    """Comment metadata (``// [tag:消防]``) waiting for the next question."""

    tags: list[str] = field(default_factory=list)
    values: dict[str, tuple[int, str]] = field(default_factory=dict)


def parse_gift(text: str, *, default_status: Status = Status.DRAFT) -> ParseResult:
    """Parse GIFT text.

    Supported: multiple choice (``=`` right, ``~`` wrong: single choice; ``~%50%`` weights:
    multiple choice, the positive ones are the key), true/false (``{T}``, ``{FALSE}``), short
    answer (``{=a =b}``: fill-in), ``$CATEGORY:``, ``::title::`` (ignored), ``#`` feedback and
    ``####`` general feedback (both become the explanation), and ``// [tag:…]`` comments.
    Numeric, matching and essay questions are reported as unsupported.

    Returns:
        Questions and every problem, each naming its line and field.
    """
    result = ParseResult()
    category = ""
    meta = _Meta()
    block: list[tuple[int, str]] = []

    def flush() -> None:
        nonlocal meta
        if block:
            _parse_block(block, category, meta, default_status, result)
            block.clear()
            meta = _Meta()

    for line_no, line in enumerate(split_lines(text), 1):
        stripped = line.strip()
        if not stripped:
            flush()
        elif stripped.startswith("//"):
            match = _META.match(stripped)
            if match and match.group(1).lower() == "tag":
                meta.tags.append(match.group(2))
            elif match:
                meta.values[match.group(1).lower()] = (line_no, match.group(2))
        elif stripped.startswith("$CATEGORY:"):
            flush()
            category = _category(stripped[len("$CATEGORY:") :])
        else:
            block.append((line_no, line))
    flush()
    if not result.questions and not result.problems:
        result.problems.append(ImportProblem(0, "", "文件中没有题目"))
    return result


def _category(raw: str) -> str:
    name = _CATEGORY_PREFIX.sub("", raw.strip())  # $course$/, $system$/ …
    name = re.sub(r"^top(/|$)", "", name)
    return name.strip()


def _parse_block(
    lines: list[tuple[int, str]], category: str, meta: _Meta, status: Status, result: ParseResult
) -> None:
    text = "\n".join(line for _, line in lines)
    first_line = lines[0][0]
    problems: list[ImportProblem] = []

    def line_at(pos: int) -> int:
        return first_line + text.count("\n", 0, max(pos, 0))

    def bad(pos: int, column: str, message: str) -> None:
        problems.append(ImportProblem(line_at(pos), column, message))

    open_pos = _find(text, "{")
    close_pos = _find(text, "}", open_pos + 1) if open_pos >= 0 else -1
    if open_pos < 0:
        bad(0, "答案", "缺少答案部分 {…}（不支持说明类题目）")
    elif close_pos < 0:
        bad(open_pos, "答案", "答案部分缺少右括号 }")
    elif _find(text, "{", close_pos + 1) >= 0:
        bad(close_pos, "答案", "一道题只能有一个答案部分（题目之间需要空一行）")
    if problems:
        result.problems.extend(problems)
        return
    before, after = text[:open_pos], text[close_pos + 1 :]
    stripped = before.lstrip()
    if stripped.startswith("::"):
        end = _find(stripped, "::", 2)
        if end < 0:
            bad(0, "标题", "标题缺少结尾的 ::")
        before = stripped[end + 2 :] if end >= 0 else ""
    before = _FORMAT.sub("", before, count=1)
    stem = unescape(before.lstrip())
    if after.strip():
        stem = stem + BLANK + unescape(after.rstrip())
    kind = _parse_answers(text[open_pos + 1 : close_pos], lambda m: bad(open_pos, "答案", m))
    score, difficulty = 1.0, None
    source: dict[str, str] = {}
    for name, (line_no, value) in meta.values.items():
        try:
            if name == "score":
                score = parse_score(value)
            elif name == "difficulty":
                difficulty = parse_difficulty(value)
            elif name in ("source_doc", "source_section"):
                source[name] = value
        except ValueError as exc:
            problems.append(ImportProblem(line_no, field_column(name), str(exc)))
    if kind is not None:
        qtype, options, key, explanation = kind
        question = Question(
            qtype=qtype,
            stem=stem,
            key=key,
            options=options,
            explanation=explanation,
            score=score,
            category=category,
            tags=tuple(meta.tags),
            difficulty=difficulty,
            status=status,
            source_doc=source.get("source_doc", ""),
            source_section=source.get("source_section", ""),
        )
        for name, message in question.problems():
            bad(open_pos if name != "stem" else 0, field_column(name), message)
        if not problems:
            result.questions.append(question)
    result.problems.extend(problems)


_Kind = tuple[QuestionType, tuple[str, ...], tuple[str, ...], str]


def _parse_answers(raw: str, bad: Callable[[str], None]) -> _Kind | None:
    """The part between braces: type, options, key and explanation; None after a problem."""
    general = ""
    cut = _find(raw, "####")
    if cut >= 0:
        general, raw = unescape(raw[cut + 4 :]).strip(), raw[:cut]
    body = raw.strip()
    if not body:
        bad("不支持论述题（空的 {}）")
        return None
    if body.startswith("#"):
        bad("不支持数值题（{#…}）")
        return None
    match = _TRUE_FALSE.fullmatch(body)
    if match:
        verdict = TRUE_TEXT if match.group(1)[0].upper() == "T" else FALSE_TEXT
        feedback = [unescape(f).strip() for f in _split(body, "#")[1:]]
        # Moodle: {T#feedback for a wrong answer#feedback for a right answer}. There is one
        # explanation here: general feedback, else the right-answer one, else the wrong one.
        explanation = general or next((f for f in reversed(feedback[:2]) if f), "")
        return QuestionType.TRUE_FALSE, (), (verdict,), explanation
    answers = _split_markers(body)
    if answers is None:
        bad("答案应以 = 或 ~ 开头")
        return None
    raw_texts: list[str] = []
    texts: list[str] = []
    weights: list[float | None] = []
    markers: list[str] = []
    feedback: list[str] = []
    for marker, part in answers:
        cut = _find(part, "#")
        answer_raw, feedback_raw = (part[:cut], part[cut + 1 :]) if cut >= 0 else (part, "")
        weight_match = _WEIGHT.match(answer_raw)
        weight = float(weight_match.group(1)) if weight_match else None
        if weight_match:
            answer_raw = answer_raw[weight_match.end() :]
        markers.append(marker)
        raw_texts.append(answer_raw)
        weights.append(weight)
        texts.append(unescape(answer_raw).strip())
        feedback.append(unescape(feedback_raw).strip())
    if "~" not in markers:
        if len(texts) > 1 and all(_find(t, "->") >= 0 for t in raw_texts):
            bad("不支持配对题（=… -> …）")
            return None
        if any(w is not None and w != 100 for w in weights):
            bad("不支持部分得分的填空答案（%…%）")
            return None
        return QuestionType.FILL, (), tuple(texts), general or feedback[0]
    if "=" in markers:
        right = [i for i, m in enumerate(markers) if m == "="]
        if len(right) > 1:
            bad("单选题只能有一个以 = 开头的正确答案")
            return None
        qtype = QuestionType.SINGLE
    else:
        right = [i for i, w in enumerate(weights) if w is not None and w > 0]
        qtype = QuestionType.MULTIPLE
        if not right:
            bad("没有正确答案（用 = 标出正确答案，或用 ~%50% 这样的正分值）")
            return None
    key = tuple(OPTION_LETTERS[i] if i < len(OPTION_LETTERS) else "?" for i in right)
    explanation = general or feedback[right[0]]
    return qtype, tuple(texts), key, explanation


def _split(text: str, separator: str) -> list[str]:
    """Split on unescaped ``separator``."""
    parts, start = [], 0
    while (pos := _find(text, separator, start)) >= 0:
        parts.append(text[start:pos])
        start = pos + len(separator)
    parts.append(text[start:])
    return parts


def _split_markers(body: str) -> list[tuple[str, str]] | None:
    """``=a ~b`` into ``[("=", "a "), ("~", "b")]``; None if text comes before the first marker."""
    positions = []
    i = 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        if body[i] in "=~":
            positions.append(i)
        i += 1
    if not positions or body[: positions[0]].strip():
        return None
    bounds = [*positions, len(body)]
    return [(body[a], body[a + 1 : b]) for a, b in zip(bounds, bounds[1:], strict=False)]


def to_gift(questions: Iterable[Question]) -> str:
    """GIFT text for the questions, grouped by category (``$CATEGORY: $course$/top/…``).

    Score, difficulty and source travel in ``// [score:2]``-style comments, which Moodle
    ignores and :func:`parse_gift` reads back; tags use Moodle's own ``// [tag:…]``.
    """
    chunks = ["// 安全生产培训题库导出（GIFT 格式）"]
    current = ""
    for question in sorted(questions, key=lambda q: q.category):
        if question.category != current:
            current = question.category
            chunks.append(f"$CATEGORY: $course$/top/{current}")
        chunks.append(_question_gift(question))
    return "\n\n".join(chunks) + "\n"


def _question_gift(question: Question) -> str:
    lines = [f"// [tag:{tag}]" for tag in question.tags]
    if question.score != 1:
        lines.append(f"// [score:{format_score(question.score)}]")
    if question.difficulty is not None:
        lines.append(f"// [difficulty:{question.difficulty}]")
    if question.source_doc:
        lines.append(f"// [source_doc:{question.source_doc}]")
    if question.source_section:
        lines.append(f"// [source_section:{question.source_section}]")
    lines.append(escape(question.stem) + " {")
    if question.qtype == QuestionType.TRUE_FALSE:
        lines.append("TRUE" if question.key == (TRUE_TEXT,) else "FALSE")
    elif question.qtype == QuestionType.FILL:
        lines += [f"={escape(answer)}" for answer in question.key]
    elif question.qtype == QuestionType.SINGLE:
        for letter, option in zip(OPTION_LETTERS, question.options, strict=False):
            lines.append(("=" if letter in question.key else "~") + escape(option))
    else:
        weight = format_weight(100 / len(question.key))
        for letter, option in zip(OPTION_LETTERS, question.options, strict=False):
            prefix = f"~%{weight}%" if letter in question.key else "~%-100%"
            lines.append(prefix + escape(option))
    if question.explanation:
        lines.append("####" + escape(question.explanation))
    lines.append("}")
    return "\n".join(lines)


def format_weight(percent: float) -> str:
    """Weights as Moodle lists them: ``50``, ``33.33333``."""
    return str(int(percent)) if percent.is_integer() else f"{percent:.5f}"
