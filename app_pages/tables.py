"""Pure helpers turning knowledge-base records into table rows, CSV and a section outline."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app_pages.common import escape_markdown
from ingest.records import Chunk
from kb.records import DocumentInfo, Duty

NO_SECTION = "（正文）"

# Most telling columns first: the table is wider than the page and scrolls sideways.
DOCUMENT_COLUMNS = {
    "id": "编号", "title": "标题", "kind": "类型", "n_chunks": "分块数", "n_chars": "字数",
    "issuer": "发布机关", "doc_number": "文号", "date_published": "发布日期",
    "date_adopted": "通过日期", "date_effective": "施行日期", "fmt": "格式",
    "source": "来源文件", "ingested_at": "入库时间",
}


def document_rows(docs: Iterable[DocumentInfo]) -> list[dict[str, object]]:
    """One row per document, keyed by the Chinese column names of the library table."""
    return [{label: getattr(doc, field) for field, label in DOCUMENT_COLUMNS.items()}
            for doc in docs]


def duty_rows(duties: Iterable[Duty]) -> list[dict[str, str]]:
    """One row per duty: task, lead unit, other units, document, section, source file."""
    return [
        {"任务": d.task, "牵头单位": d.lead, "配合单位": "、".join(d.others),
         "文件": d.title, "章节": " › ".join(d.section_path), "来源文件": d.source}
        for d in duties
    ]


def flatten_grouped(grouped: dict[str, list[Duty]]) -> list[Duty]:
    """Duties grouped by document title (as tasks_of_unit returns them), in one list."""
    return [duty for duties in grouped.values() for duty in duties]


def rows_csv(rows: Sequence[dict[str, object]]) -> bytes:
    """Rows as CSV in UTF-8 with a BOM, so that Excel opens the Chinese text correctly.

    Args:
        rows: dicts sharing the same keys (the header); may be empty.
    """
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


@dataclass
class Section:
    """A node of a document's section tree with the chunks directly under it."""

    heading: str
    chunks: list[Chunk]
    children: dict[str, Section]

    @property
    def n_chunks(self) -> int:
        """Chunks in this section and all its subsections."""
        return len(self.chunks) + sum(c.n_chunks for c in self.children.values())


def section_tree(chunks: Iterable[Chunk]) -> list[Section]:
    """Group a document's chunks by section path into a tree, in document order.

    Args:
        chunks: the chunks in order (as KnowledgeBase.chunks returns them).

    Returns:
        The top-level sections; chunks with no section path go under NO_SECTION.
    """
    roots: dict[str, Section] = {}
    for chunk in chunks:
        path = chunk.section_path or (NO_SECTION,)
        level = roots
        node: Section | None = None
        for heading in path:
            node = level.setdefault(heading, Section(heading, [], {}))
            level = node.children
        assert node is not None
        node.chunks.append(chunk)
    return list(roots.values())


def outline_lines(section: Section, depth: int = 0) -> list[tuple[int, Section]]:
    """The section's subsections depth-first as (depth, section), excluding itself."""
    lines: list[tuple[int, Section]] = []
    for child in section.children.values():
        lines.append((depth, child))
        lines.extend(outline_lines(child, depth + 1))
    return lines


def outline_markdown(section: Section) -> str:
    """The section's subsections as a nested Markdown list with chunk counts ("" if none)."""
    return "\n".join(
        f"{'  ' * depth}- {escape_markdown(node.heading)}（{node.n_chunks} 个分块）"
        for depth, node in outline_lines(section)
    )


def chunks_under(chunks: Iterable[Chunk], heading: str) -> list[Chunk]:
    """The chunks of one top-level section (NO_SECTION: those without a section path)."""
    return [c for c in chunks if (c.section_path[:1] or (NO_SECTION,))[0] == heading]
