"""The trainers' spreadsheet layout (题型,题干,选项A…F,答案,…) as CSV or XLSX: read and write."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from ..records import (
    OPTION_LETTERS,
    ImportProblem,
    ParseResult,
    Question,
    QuestionType,
    Status,
    parse_true_false,
)
from .fields import (
    cell_text,
    difficulty_label,
    field_column,
    format_score,
    parse_difficulty,
    parse_score,
    parse_status,
    parse_type,
    type_label,
)

OPTION_COLUMNS = [f"选项{letter}" for letter in OPTION_LETTERS]
REQUIRED_COLUMNS = ["题型", "题干", "答案"]
# The layout trainers use, then three optional columns this package adds on export.
COLUMNS = ["题型", "题干", *OPTION_COLUMNS, "答案", "解析", "分值", "分类", "标签", "难度"]
EXPORT_COLUMNS = [*COLUMNS, "状态", "来源文件", "来源条款"]

_ALIASES: dict[str, tuple[str, ...]] = {
    "题型": ("题目类型", "试题类型", "类型"),
    "题干": ("题目", "试题", "题目内容", "试题内容", "问题"),
    "答案": ("正确答案", "标准答案", "参考答案"),
    "解析": ("答案解析", "试题解析", "题目解析"),
    "分值": ("分数",),
    "分类": ("类别", "题目分类", "试题分类"),
    "标签": ("关键词",),
    "难度": ("难易度", "难易程度", "难度等级"),
    "来源文件": ("来源", "出处"),
    "来源条款": ("条款", "来源章节"),
}
_HEADER_NAMES: dict[str, str] = {}
for _name in EXPORT_COLUMNS:
    _HEADER_NAMES[_name.upper()] = _name
    for _alias in _ALIASES.get(_name, ()):
        _HEADER_NAMES[_alias.upper()] = _name
for _letter, _name in zip(OPTION_LETTERS, OPTION_COLUMNS, strict=True):
    _HEADER_NAMES[_letter] = _name
    _HEADER_NAMES[f"{_letter}选项"] = _name


def _header_key(value: object) -> str:
    text = unicodedata.normalize("NFKC", cell_text(value))
    text = re.sub(r"\(.*?\)|\*|\s+", "", text)  # 答案(必填), *题干
    return text.upper()


def _map_header(
    header: Sequence[object], row_no: int
) -> tuple[dict[str, int], list[ImportProblem]]:
    columns: dict[str, int] = {}
    problems: list[ImportProblem] = []
    for index, value in enumerate(header):
        name = _HEADER_NAMES.get(_header_key(value))
        if name is None:
            continue  # extra columns such as 序号 are ignored
        if name in columns:
            problems.append(ImportProblem(row_no, name, f"列「{name}」出现了两次"))
        columns[name] = index
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            problems.append(ImportProblem(row_no, name, f"缺少必需的列「{name}」"))
    return columns, problems


def parse_rows(
    rows: Iterable[Sequence[object]], *, default_status: Status = Status.DRAFT
) -> ParseResult:
    """Parse spreadsheet rows; the first non-blank row is the header.

    Args:
        rows: cell values row by row (strings, numbers or None), as csv or openpyxl give them.
        default_status: status of questions when the sheet has no 状态 column.

    Returns:
        Questions and every problem, each naming its row (header is row 1) and column.
    """
    result = ParseResult()
    iterator = iter(rows)
    header: Sequence[object] | None = None
    header_row = 0
    for row in iterator:
        header_row += 1
        if any(cell_text(c).strip() for c in row):
            header = row
            break
    if header is None:
        result.problems.append(ImportProblem(0, "", "文件为空"))
        return result
    columns, problems = _map_header(header, header_row)
    if problems:
        result.problems.extend(problems)
        return result
    for row_no, row in enumerate(iterator, header_row + 1):
        cells = [cell_text(c) for c in row]
        if not any(c.strip() for c in cells):
            continue

        def get(name: str, cells: list[str] = cells) -> str:
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        question, row_problems = _parse_row(get, row_no, default_status)
        result.problems.extend(row_problems)
        if question is not None and not row_problems:
            result.questions.append(question)
    if not result.questions and not result.problems:
        result.problems.append(ImportProblem(0, "", "文件中没有题目（只有表头）"))
    return result


def _parse_row(
    get: Callable[[str], str], row_no: int, default_status: Status
) -> tuple[Question | None, list[ImportProblem]]:
    problems: list[ImportProblem] = []

    def bad(column: str, message: str) -> None:
        problems.append(ImportProblem(row_no, column, message))

    raw_type = get("题型").strip()
    qtype = parse_type(raw_type)
    if not raw_type:
        bad("题型", "题型不能为空")
    elif qtype is None:
        bad("题型", f"未知题型「{raw_type}」（应为 单选/多选/判断/填空）")
    score, difficulty, status = 1.0, None, default_status
    try:
        score = parse_score(get("分值"))
    except ValueError as exc:
        bad("分值", str(exc))
    try:
        difficulty = parse_difficulty(get("难度"))
    except ValueError as exc:
        bad("难度", str(exc))
    try:
        status = parse_status(get("状态"), default_status)
    except ValueError as exc:
        bad("状态", str(exc))
    if qtype is None:
        if not get("题干").strip():
            bad("题干", "题干不能为空")
        return None, problems
    options = [get(name) for name in OPTION_COLUMNS]
    raw_key = get("答案")
    key: tuple[str, ...] = (raw_key,)
    if qtype == QuestionType.TRUE_FALSE:
        key, options = _true_false_key(raw_key, options)
    elif qtype == QuestionType.FILL:
        key = tuple(raw_key.replace("｜", "|").split("|"))
    question = Question(
        qtype=qtype,
        stem=get("题干"),
        key=key,
        options=tuple(options),
        explanation=get("解析"),
        score=score,
        category=get("分类"),
        tags=(get("标签"),),
        difficulty=difficulty,
        status=status,
        source_doc=get("来源文件"),
        source_section=get("来源条款"),
    )
    for field, message in question.problems():
        bad(field_column(field), message)
    return question, problems


def _true_false_key(raw_key: str, options: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """Templates often give 判断题 options A 正确 / B 错误 and the answer ``A``: accept that."""
    filled = [o for o in options if o.strip()]
    if not filled or not all(parse_true_false(o) for o in filled):
        return (raw_key,), options
    verdict = parse_true_false(raw_key)
    letter = unicodedata.normalize("NFKC", raw_key).strip().upper()
    if verdict is None and len(letter) == 1 and letter in OPTION_LETTERS:
        index = OPTION_LETTERS.index(letter)
        if index < len(options) and options[index].strip():
            verdict = parse_true_false(options[index])
    return (verdict or raw_key,), []


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GB18030 (a superset of GBK), checked over the whole file.

    Raises:
        ValueError: neither decodes the file.
    """
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as f:
                while chunk := f.read(1 << 16):  # stream: memory stays bounded
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ValueError("无法识别文件编码（支持 UTF-8 和 GBK）")


def _csv_rows(lines: Iterable[str], problems: list[ImportProblem]) -> Iterator[list[str]]:
    """csv.reader rows; a malformed record ends reading with a problem instead of a crash."""
    lines = iter(lines)
    first = next(lines, "")
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(_chain(first, lines), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        problems.append(ImportProblem(reader.line_num, "", f"CSV 格式错误: {exc}"))


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def parse_csv_text(text: str, *, default_status: Status = Status.DRAFT) -> ParseResult:
    """Parse CSV text (already decoded) in the trainers' layout."""
    problems: list[ImportProblem] = []
    result = parse_rows(
        _csv_rows(io.StringIO(text, newline=""), problems), default_status=default_status
    )
    result.problems[:0] = problems
    return result


def read_csv(path: Path, *, default_status: Status = Status.DRAFT) -> ParseResult:
    """Read a CSV file in UTF-8 or GBK, streaming rows."""
    try:
        encoding = detect_encoding(path)
    except ValueError as exc:
        return ParseResult(problems=[ImportProblem(0, "", str(exc))])
    problems: list[ImportProblem] = []
    with path.open(encoding=encoding, newline="") as f:
        result = parse_rows(_csv_rows(f, problems), default_status=default_status)
    result.problems[:0] = problems
    result.encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    return result


def read_xlsx(source: Path | bytes, *, default_status: Status = Status.DRAFT) -> ParseResult:
    """Read the first worksheet of an ``.xlsx`` workbook, streaming rows (read-only mode)."""
    from openpyxl import load_workbook  # imported here: the CLI should start fast

    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        message = f"无法读取 xlsx 文件（{type(exc).__name__}: {exc}）"
        return ParseResult(problems=[ImportProblem(0, "", message)])
    problems: list[ImportProblem] = []
    try:
        sheet = workbook.worksheets[0]
        result = parse_rows(
            _xlsx_rows(sheet.iter_rows(values_only=True), problems), default_status=default_status
        )
    finally:
        workbook.close()
    result.problems[:0] = problems
    return result


def _xlsx_rows(rows: Iterator[tuple], problems: list[ImportProblem]) -> Iterator[tuple]:
    row_no = 0
    try:
        for row_no, row in enumerate(rows, 1):  # noqa: B007 - row_no is read after the loop
            yield row
    except Exception as exc:  # a damaged sheet fails part-way through in openpyxl
        problems.append(ImportProblem(row_no + 1, "", f"无法读取 xlsx 内容（{exc}）"))


def question_row(question: Question) -> list[str | float]:
    """One question as a row of :data:`EXPORT_COLUMNS`."""
    options = list(question.options) + [""] * (len(OPTION_LETTERS) - len(question.options))
    score = question.score
    return [
        type_label(question.qtype),
        question.stem,
        *options[: len(OPTION_LETTERS)],
        question.key_text,
        question.explanation,
        int(score) if score.is_integer() else score,
        question.category,
        ",".join(question.tags),
        difficulty_label(question.difficulty),
        question.status.value,
        question.source_doc,
        question.source_section,
    ]


def write_csv(questions: Iterable[Question], path: Path) -> None:
    """Write questions as CSV in UTF-8 with a BOM, so Excel opens the Chinese text correctly."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(EXPORT_COLUMNS)
        for question in questions:
            row = question_row(question)
            writer.writerow([format_score(v) if isinstance(v, float) else v for v in row])


def write_xlsx(questions: Iterable[Question], path: Path) -> None:
    """Write questions to a one-sheet ``.xlsx`` workbook (streaming, write-only mode)."""
    write_table(path, EXPORT_COLUMNS, (question_row(q) for q in questions), sheet_title="题库")


def write_table(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    sheet_title: str = "Sheet1",
) -> None:
    """Write a header and rows to ``.xlsx``; text is always stored as text, never as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value: object) -> object:
        if value == "":
            return None  # no cell at all: smaller file, faster to read back
        if isinstance(value, str) and value.startswith("="):
            text = WriteOnlyCell(sheet, value=value)
            text.data_type = "s"  # "=SUM(…)" typed by a trainer must stay text, not a formula
            return text
        return value

    header = [WriteOnlyCell(sheet, value=h) for h in headers]
    for title in header:
        title.font = bold
    sheet.append(header)
    for row in rows:
        sheet.append([cell(v) for v in row])
    workbook.save(path)
