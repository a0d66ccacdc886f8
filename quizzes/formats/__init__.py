"""Question file formats: pick the format for a path, read a file, write a file."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

from ..records import ImportProblem, ParseResult, Question, Status
from .aiken import parse_aiken, to_aiken
from .gift import parse_gift, to_gift
from .spreadsheet import (
    EXPORT_COLUMNS,
    detect_encoding,
    parse_csv_text,
    parse_rows,
    read_csv,
    read_xlsx,
    write_csv,
    write_table,
    write_xlsx,
)

FORMATS = ("csv", "xlsx", "aiken", "gift")
_SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".gift": "gift", ".aiken": "aiken"}


def detect_format(path: Path, text: str | None = None) -> str:
    """Format from the file extension; a ``.txt`` file is sniffed (GIFT has braces).

    Raises:
        ValueError: the format cannot be told (Chinese message naming the file).
    """
    suffix = path.suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    if suffix == ".xls":
        raise ValueError(f"{path.name}: 不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx")
    if suffix == ".txt" and text is not None:
        if "{" in text and "}" in text:
            return "gift"
        if "ANSWER:" in text.upper():
            return "aiken"
    raise ValueError(f"{path.name}: 无法从扩展名判断格式，请用 --format 指定 {'/'.join(FORMATS)}")


def read_questions(
    path: str | Path, fmt: str | None = None, *, default_status: Status = Status.DRAFT
) -> ParseResult:
    """Read a question file without touching any database.

    Args:
        path: the file.
        fmt: csv, xlsx, aiken or gift; None picks it from the extension.
        default_status: status of questions the file does not give one.

    Returns:
        Questions and problems; every problem carries the file name in ``source``.
    """
    path = Path(path)
    result = _read(path, fmt, default_status)
    if not result.fmt:
        result.fmt = fmt or _SUFFIXES.get(path.suffix.lower(), "")
    result.problems = [dataclasses.replace(p, source=path.name) for p in result.problems]
    return result


def _read(path: Path, fmt: str | None, default_status: Status) -> ParseResult:
    if not path.is_file():
        return ParseResult(problems=[ImportProblem(0, "", "文件不存在")])
    if fmt is None:
        with path.open("rb") as f:  # a sample is enough to tell GIFT from Aiken
            sample = f.read(1 << 16).decode("utf-8", errors="ignore")
        try:
            fmt = detect_format(path, sample)
        except ValueError as exc:
            return ParseResult(problems=[ImportProblem(0, "", str(exc).split(": ", 1)[-1])])
    if fmt in ("csv", "xlsx"):
        read = read_csv if fmt == "csv" else read_xlsx
        result = read(path, default_status=default_status)
        result.fmt = fmt
        return result
    if fmt not in ("aiken", "gift"):
        return ParseResult(problems=[ImportProblem(0, "", f"未知格式「{fmt}」")])
    try:
        encoding = detect_encoding(path)
    except ValueError as exc:
        return ParseResult(problems=[ImportProblem(0, "", str(exc))])
    parse = parse_aiken if fmt == "aiken" else parse_gift
    result = parse(path.read_text(encoding=encoding), default_status=default_status)
    result.fmt = fmt
    result.encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    return result


def write_questions(questions: Iterable[Question], path: str | Path, fmt: str | None = None) -> str:
    """Write questions to a file in csv, xlsx, gift or aiken.

    Returns:
        The format written.

    Raises:
        ValueError: unknown format, or a question Aiken cannot hold.
    """
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt == "csv":
        write_csv(questions, path)
    elif fmt == "xlsx":
        write_xlsx(questions, path)
    elif fmt == "gift":
        path.write_text(to_gift(questions), encoding="utf-8")
    elif fmt == "aiken":
        path.write_text(to_aiken(questions), encoding="utf-8")
    else:
        raise ValueError(f"未知格式「{fmt}」（应为 {'/'.join(FORMATS)}）")
    return fmt


__all__ = [
    "EXPORT_COLUMNS",
    "FORMATS",
    "detect_format",
    "parse_aiken",
    "parse_csv_text",
    "parse_gift",
    "parse_rows",
    "read_questions",
    "to_aiken",
    "to_gift",
    "write_questions",
    "write_table",
]
