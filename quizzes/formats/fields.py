"""Parsing of single field values as trainers write them (题型, 分值, 难度, 状态)."""

from __future__ import annotations

import math
import re
import unicodedata

from ..records import DIFFICULTY_LABELS, STATUS_LABELS, TYPE_LABELS, QuestionType, Status

_TYPE_WORDS: dict[str, QuestionType] = {
    "单选": QuestionType.SINGLE,
    "单选题": QuestionType.SINGLE,
    "单项选择": QuestionType.SINGLE,
    "单项选择题": QuestionType.SINGLE,
    "单择题": QuestionType.SINGLE,
    "多选": QuestionType.MULTIPLE,
    "多选题": QuestionType.MULTIPLE,
    "多项选择": QuestionType.MULTIPLE,
    "多项选择题": QuestionType.MULTIPLE,
    "不定项": QuestionType.MULTIPLE,
    "不定项选择": QuestionType.MULTIPLE,
    "不定项选择题": QuestionType.MULTIPLE,
    "判断": QuestionType.TRUE_FALSE,
    "判断题": QuestionType.TRUE_FALSE,
    "是非题": QuestionType.TRUE_FALSE,
    "填空": QuestionType.FILL,
    "填空题": QuestionType.FILL,
}
_TYPE_WORDS.update({t.value: t for t in QuestionType})
_TYPE_WORDS.update({"true/false": QuestionType.TRUE_FALSE, "truefalse": QuestionType.TRUE_FALSE})

_DIFFICULTY_WORDS: dict[str, int] = {
    "易": 1, "容易": 1, "简单": 1, "低": 1, "easy": 1,
    "较易": 2, "较容易": 2, "较简单": 2, "中低": 2,
    "中": 3, "中等": 3, "一般": 3, "适中": 3, "medium": 3,
    "较难": 4, "较困难": 4, "中高": 4,
    "难": 5, "困难": 5, "高": 5, "hard": 5,
}  # fmt: skip
_DIFFICULTY_WORDS.update({label: level for level, label in DIFFICULTY_LABELS.items()})

_STATUS_WORDS: dict[str, Status] = {label: status for status, label in STATUS_LABELS.items()}
_STATUS_WORDS.update({s.value: s for s in Status})
_STATUS_WORDS.update(
    {"审核通过": Status.APPROVED, "已通过": Status.APPROVED, "停用": Status.RETIRED}
)


def _word(value: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).lower()


def split_lines(text: str) -> list[str]:
    """Lines as an editor numbers them (``\n``, ``\r\n`` or ``\r``), without a leading BOM."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def cell_text(value: object) -> str:
    """A spreadsheet cell as text; integral numbers lose their ``.0`` (Excel stores 3 as 3.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_type(value: object) -> QuestionType | None:
    """题型 label (单选/多选题/判断/填空/single…) to a type; None if not recognised."""
    return _TYPE_WORDS.get(_word(value))


def type_label(qtype: QuestionType) -> str:
    """The Chinese label written on export, e.g. ``单选题``."""
    return TYPE_LABELS[qtype]


def parse_score(value: object) -> float:
    """分值 to a positive number; empty means 1.

    Raises:
        ValueError: with a Chinese message.
    """
    text = _word(cell_text(value)).removesuffix("分")
    if not text:
        return 1.0
    try:
        score = float(text)
    except ValueError:
        raise ValueError(f"分值「{value}」不是数字") from None
    if not math.isfinite(score) or not 0 < score <= 1000:
        raise ValueError(f"分值应为 0 到 1000 之间的正数，而不是「{value}」")
    return score


def format_score(score: float) -> str:
    """A score as trainers write it: ``2`` rather than ``2.0``."""
    return str(int(score)) if float(score).is_integer() else repr(float(score))


def parse_difficulty(value: object) -> int | None:
    """难度 (1-5 or 易/较易/中等/较难/难 and synonyms) to 1..5; empty means None.

    Raises:
        ValueError: with a Chinese message.
    """
    text = _word(cell_text(value))
    if not text:
        return None
    if text in _DIFFICULTY_WORDS:
        return _DIFFICULTY_WORDS[text]
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if number.is_integer() and 1 <= number <= 5:
        return int(number)
    raise ValueError(f"难度「{value}」无法识别（应为 1-5 或 易/较易/中等/较难/难）")


def difficulty_label(level: int | None) -> str:
    """The label written on export; empty for unknown difficulty."""
    return DIFFICULTY_LABELS.get(level, "") if level is not None else ""


def parse_status(value: object, default: Status) -> Status:
    """状态 (草稿/已审核/已停用 or draft/approved/retired) to a status; empty means default.

    Raises:
        ValueError: with a Chinese message.
    """
    text = _word(cell_text(value))
    if not text:
        return default
    if text in _STATUS_WORDS:
        return _STATUS_WORDS[text]
    raise ValueError(f"状态「{value}」无法识别（应为 草稿/已审核/已停用）")


FIELD_COLUMNS: dict[str, str] = {
    "qtype": "题型",
    "stem": "题干",
    "options": "选项",
    "key": "答案",
    "explanation": "解析",
    "score": "分值",
    "category": "分类",
    "tags": "标签",
    "difficulty": "难度",
    "status": "状态",
    "source_doc": "来源文件",
    "source_section": "来源条款",
}


def field_column(field: str) -> str:
    """Column name for a :meth:`Question.problems` field (``option:C`` becomes ``选项C``)."""
    if field.startswith("option:"):
        return "选项" + field.split(":", 1)[1]
    return FIELD_COLUMNS.get(field, field)
