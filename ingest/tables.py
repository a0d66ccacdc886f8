"""Tables as lines of text (pure): a plan's task table becomes its tasks, each with its units."""

from __future__ import annotations

import re

# Column headers naming who does a task (牵头单位, 配合部门, 责任单位, …).
_UNIT_HEADER = re.compile(r"^(?:牵头|主要|主责|配合|协办|参与|协同|其他|承办|负责|责任)(?:责任)?"
                          r"(?:单位|部门)$")
_INDEX_HEADER = re.compile(r"序号|编号|^号$")


def _clean(cell: str) -> str:
    return " ".join(cell.split())


def is_task_table(rows: list[list[str]]) -> bool:
    """Whether a table's header row names unit columns (牵头单位, 配合单位, 责任单位)."""
    return len(rows) > 1 and bool(_unit_columns(rows[0]))


def _unit_columns(header: list[str]) -> list[int]:
    return [i for i, h in enumerate(header) if _UNIT_HEADER.match("".join(h.split()))]


def table_lines(rows: list[list[str]]) -> list[str]:
    """Lines for a table given as rows of cell texts (one entry per grid column; a cell merged
    across columns holds its text once and "" after it).

    A task table, whose header row names unit columns (牵头单位, 配合单位, 责任单位), gives
    for each row the task ("3.推进城区铁路平交道口立交化改造", numbered by its 序号 column),
    a line "header：text" for every other column, and one line naming its units by their
    headers ("牵头单位：区交通委；配合单位：区规划分局"): the shape a plan's text has, so that
    chunking and the duty table read it as they read prose plans. Any other table gives one
    line per row, cells separated by a space.

    Args:
        rows: cell texts, header row first.

    Returns:
        The table's lines; no cell text is left out.
    """
    rows = [[_clean(c) for c in row] for row in rows]
    if not is_task_table(rows):
        return [" ".join(c for c in row if c) for row in rows]
    header = rows[0]
    unit_cols = _unit_columns(header)
    index_col = next((i for i, h in enumerate(header) if _INDEX_HEADER.search(h)), None)
    text_cols = [i for i in range(len(header)) if i not in unit_cols and i != index_col]
    lines = [" ".join(c for c in header if c)]
    for row in rows[1:]:
        cells = row + [""] * (len(header) - len(row))
        fields = [(header[i], cells[i]) for i in text_cols if cells[i]]
        number = cells[index_col] if index_col is not None else ""
        if fields:
            task = fields[0][1]
            lines.append(f"{number}.{task}" if number.isdigit() else
                         " ".join(p for p in (number, task) if p))
            lines += [f"{h}：{text}" if h else text for h, text in fields[1:]]
        elif number:
            lines.append(number)
        units = [f"{header[i]}：{cells[i]}" for i in unit_cols if cells[i]]
        if units:
            lines.append("；".join(units))
        lines += [c for c in cells[len(header):] if c]  # cells beyond the header's columns
    return lines
