"""Small named records and constants shared by the quizzes package."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from .errors import InvalidQuestion


class QuestionType(StrEnum):
    """Question types; the value is what the database stores."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "truefalse"
    FILL = "fill"


class Status(StrEnum):
    """Review status of a question in the bank."""

    DRAFT = "draft"
    APPROVED = "approved"
    RETIRED = "retired"


TYPE_LABELS: dict[QuestionType, str] = {
    QuestionType.SINGLE: "单选题",
    QuestionType.MULTIPLE: "多选题",
    QuestionType.TRUE_FALSE: "判断题",
    QuestionType.FILL: "填空题",
}
STATUS_LABELS: dict[Status, str] = {
    Status.DRAFT: "草稿",
    Status.APPROVED: "已审核",
    Status.RETIRED: "已停用",
}
# Five levels, the scale Chinese exam banks use (易、较易、中等、较难、难).
DIFFICULTY_LABELS: dict[int, str] = {1: "易", 2: "较易", 3: "中等", 4: "较难", 5: "难"}

TRUE_TEXT = "正确"
FALSE_TEXT = "错误"
OPTION_LETTERS = "ABCDEF"
MAX_OPTIONS = len(OPTION_LETTERS)
# Tags are stored one by one, so a tag may not contain a separator.
TAG_SEPARATORS = re.compile(r"[,，;；、|｜]")
_KEY_SEPARATORS = re.compile(r"[\s,，、;；/.．]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"[\r\n\t\u2028\u2029]+")


def clean_text(value: object) -> str:
    """Canonical multi-line text: ``\\n`` line ends, no control characters, stripped."""
    if value is None:
        return ""
    text = str(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in text or "\u2029" in text:  # Unicode line/paragraph separators
        text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return _CONTROL.sub("", text).strip()


def clean_line(value: object) -> str:
    """Canonical single-line text: like :func:`clean_text` with newlines and tabs as spaces."""
    return clean_text(_LINE_BREAKS.sub(" ", "" if value is None else str(value)))


def _choice_key(key: tuple[str, ...]) -> tuple[str, ...]:
    """Letters of a choice key, upper-case, sorted, unique; anything odd is kept for problems()."""
    joined = unicodedata.normalize("NFKC", "".join(key)).upper()
    chars = [c for c in _KEY_SEPARATORS.sub("", joined)]
    if all("A" <= c <= "Z" for c in chars):
        return tuple(sorted(set(chars)))
    return (joined.strip(),)


def _as_tuple(value: object) -> tuple:
    if value is None:
        return ()
    if isinstance(value, str | bytes | bool | int | float):
        return (value,)
    return tuple(value)  # type: ignore[call-overload]


@dataclass(frozen=True)
class Question:
    """One question of the bank.

    Construction normalises the fields (text cleaned, key letters sorted, tags split), so two
    questions with the same content compare equal; :meth:`problems` then says what is wrong.

    Attributes:
        qtype: single, multiple, true/false or fill-in.
        stem: the question text (题干).
        key: the answer key. Choice questions: option letters, e.g. ``("A", "C")``.
            True/false: ``("正确",)`` or ``("错误",)``. Fill-in: every accepted answer.
        options: option texts in order A, B, C… (choice questions only).
        explanation: 解析, shown after answering.
        score: points for a correct answer.
        category: free text, e.g. ``"消防"``.
        tags: free keywords.
        difficulty: 1 (易) to 5 (难), or None when unknown.
        status: draft / approved / retired. Only approved questions go into quizzes.
        source_doc: document a question was generated from (knowledge base), if any.
        source_section: section of that document, if any.
        id: database id, None until stored.
    """

    qtype: QuestionType
    stem: str
    key: tuple[str, ...]
    options: tuple[str, ...] = ()
    explanation: str = ""
    score: float = 1.0
    category: str = ""
    tags: tuple[str, ...] = ()
    difficulty: int | None = None
    status: Status = Status.DRAFT
    source_doc: str = ""
    source_section: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen dataclass: normalise once, here
        try:
            set_(self, "qtype", QuestionType(self.qtype))
        except ValueError:
            pass  # reported by problems()
        try:
            set_(self, "status", Status(self.status))
        except ValueError:
            pass
        set_(self, "stem", clean_text(self.stem))
        set_(self, "explanation", clean_text(self.explanation))
        set_(self, "category", clean_line(self.category))
        set_(self, "source_doc", clean_line(self.source_doc))
        set_(self, "source_section", clean_line(self.source_section))
        options = [clean_line(o) for o in _as_tuple(self.options)]
        while options and not options[-1]:
            options.pop()  # empty trailing columns (选项E, 选项F) are not options
        set_(self, "options", tuple(options))
        tags: list[str] = []
        for raw in _as_tuple(self.tags):
            for tag in TAG_SEPARATORS.split(clean_line(raw)):
                tag = tag.strip()
                if tag and tag not in tags:
                    tags.append(tag)
        set_(self, "tags", tuple(tags))
        key = tuple(str(k) for k in _as_tuple(self.key))
        if self.qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            key = _choice_key(key)
        elif self.qtype == QuestionType.TRUE_FALSE:
            key = tuple(parse_true_false(k) or clean_line(k) for k in key)
        else:
            answers: list[str] = []
            for k in key:
                k = clean_line(k)
                if k and k not in answers:
                    answers.append(k)
            key = tuple(answers)
        set_(self, "key", key)
        if isinstance(self.score, int | float) and not isinstance(self.score, bool):
            set_(self, "score", float(self.score))

    def problems(self) -> list[tuple[str, str]]:
        """Everything wrong with this question.

        Returns:
            ``(field, message)`` pairs; ``field`` is an attribute name, or ``"option:C"``
            for one option. Empty when the question is valid.
        """
        out: list[tuple[str, str]] = []
        if not isinstance(self.qtype, QuestionType):
            out.append(("qtype", f"未知题型「{self.qtype}」"))
        if not isinstance(self.status, Status):
            out.append(("status", f"未知状态「{self.status}」（应为 草稿/已审核/已停用）"))
        if not self.stem:
            out.append(("stem", "题干不能为空"))
        score_ok = isinstance(self.score, float) and math.isfinite(self.score)
        if not score_ok or not 0 < self.score <= 1000:
            out.append(("score", f"分值应为 0 到 1000 之间的正数，而不是「{self.score}」"))
        if self.difficulty is not None and (
            not isinstance(self.difficulty, int) or not 1 <= self.difficulty <= 5
        ):
            out.append(("difficulty", f"难度应为 1-5，而不是「{self.difficulty}」"))
        if self.qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            out.extend(self._choice_problems())
        elif self.qtype == QuestionType.TRUE_FALSE:
            if self.options:
                out.append(("options", "判断题不应有选项"))
            if self.key not in ((TRUE_TEXT,), (FALSE_TEXT,)):
                shown = "、".join(self.key) or "空"
                message = f"判断题答案应为 正确/错误（或 对/错、√/×、T/F），而不是「{shown}」"
                out.append(("key", message))
        elif self.qtype == QuestionType.FILL:
            if self.options:
                out.append(("options", "填空题不应有选项"))
            if not self.key:
                out.append(("key", "填空题至少需要一个答案"))
            if any("|" in k or "｜" in k for k in self.key):
                out.append(("key", "填空答案不能包含「|」（它用来分隔多个可接受的答案）"))
        return out

    def _choice_problems(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if len(self.options) < 2:
            out.append(("options", "选择题至少需要 2 个选项"))
        if len(self.options) > MAX_OPTIONS:
            out.append(("options", f"选项最多 {MAX_OPTIONS} 个，而这里有 {len(self.options)} 个"))
        for letter, text in zip(OPTION_LETTERS, self.options, strict=False):
            if not text:
                out.append((f"option:{letter}", f"选项 {letter} 为空，但后面还有选项"))
        seen = [o for o in self.options if o]
        if len(set(seen)) != len(seen):
            out.append(("options", "有重复的选项"))
        if not self.key or self.key == ("",):
            out.append(("key", "答案不能为空"))
            return out
        if len(self.key) == 1 and not ("A" <= self.key[0] <= "Z" and len(self.key[0]) == 1):
            out.append(("key", f"答案「{self.key[0]}」应为选项字母，如 A 或 ABC"))
            return out
        for letter in self.key:
            index = ord(letter) - ord("A")
            if index >= len(self.options) or not self.options[index]:
                out.append(("key", f"答案 {letter} 指向空的选项"))
        if self.qtype == QuestionType.SINGLE and len(self.key) > 1:
            out.append(("key", f"单选题只能有一个答案，而不是「{''.join(self.key)}」"))
        return out

    def validated(self) -> Question:
        """Return self, or raise :class:`InvalidQuestion` listing every problem."""
        problems = self.problems()
        if problems:
            raise InvalidQuestion(problems)
        return self

    @property
    def key_text(self) -> str:
        """The key as a trainer writes it: ``AC``, ``正确``, ``答案1|答案2``."""
        if self.qtype == QuestionType.FILL:
            return "|".join(self.key)
        return "".join(self.key)


_TRUE_WORDS = {"正确", "对", "是", "√", "✓", "✔", "T", "TRUE", "Y", "YES"}
_FALSE_WORDS = {"错误", "错", "否", "×", "X", "✗", "✘", "F", "FALSE", "N", "NO"}


def parse_true_false(value: object) -> str | None:
    """Map the spellings trainers use for true/false to ``正确`` / ``错误``; None if neither."""
    if isinstance(value, bool):
        return TRUE_TEXT if value else FALSE_TEXT
    word = unicodedata.normalize("NFKC", str(value)).strip().upper()
    if word in _TRUE_WORDS:
        return TRUE_TEXT
    if word in _FALSE_WORDS:
        return FALSE_TEXT
    return None


@dataclass(frozen=True)
class ImportProblem:
    """One error found while reading a question file.

    Attributes:
        row: spreadsheet row (header is row 1) or text line (1-based); 0 for the whole file.
        column: spreadsheet column header (e.g. ``"答案"``) or field name; "" when none.
        message: what is wrong, in Chinese.
        source: the file name, filled in when reading a file.
    """

    row: int
    column: str
    message: str
    source: str = ""

    def __str__(self) -> str:
        where = [self.source] if self.source else []
        if self.row:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"列「{self.column}」")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class ParseResult:
    """What a parser found: the questions and every problem (import only when there are none)."""

    questions: list[Question] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    encoding: str = ""
    fmt: str = ""

    @property
    def ok(self) -> bool:
        """True when there is something to import and nothing is wrong."""
        return not self.problems and bool(self.questions)


@dataclass(frozen=True)
class ImportResult:
    """Outcome of importing a file into the bank.

    Attributes:
        source: the file read.
        fmt: csv, xlsx, aiken or gift.
        question_ids: ids of the questions stored (empty when anything was wrong).
        duplicates: questions skipped because the bank already holds the same question.
        problems: every problem found; nothing is stored unless this is empty.
        encoding: detected text encoding (utf-8 or gb18030) for text formats.
    """

    source: str
    fmt: str
    question_ids: tuple[int, ...] = ()
    duplicates: int = 0
    problems: tuple[ImportProblem, ...] = ()
    encoding: str = ""

    @property
    def ok(self) -> bool:
        """True when the file was imported."""
        return not self.problems
