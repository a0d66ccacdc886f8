"""Small named records shared by the ingest pipeline."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


class IngestError(Exception):
    """A file could not be ingested; the message names the file and the reason."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass(frozen=True)
class RawText:
    """Text read from a file, before cleaning.

    Attributes:
        text: the extracted text (str, decoded).
        fmt: one of "txt", "md", "html", "pdf", "docx".
        encoding: the encoding detected for text files ("" for binary formats).
        title_hints: what the file says its title is apart from its text, best first (a web
            page's ArticleTitle and the parts of its <title>): a line of the text equal to one
            is the title, not a menu or banner line above it.
    """

    text: str
    fmt: str
    encoding: str = ""
    title_hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocMeta:
    """Metadata taken from a document's content (empty string when unknown)."""

    title: str
    issuer: str = ""
    date_published: str = ""  # ISO yyyy-mm-dd where the day is known, else yyyy-mm / yyyy
    date_adopted: str = ""
    date_effective: str = ""
    doc_number: str = ""  # e.g. 海政办发〔2020〕14号
    kind: str = ""  # 法律, 行政法规, 地方性法规, 部门规章, 司法解释, 规划, 实施方案, 通知, …


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage of a document.

    Attributes:
        text: the passage as displayed (original characters, cleaned of chrome).
        section_path: headings from the document root down, e.g.
            ("三、主要任务及分工", "(九)实施安全发展重点工程", "22.").
        ordinal: position of the chunk in its document (0-based).
    """

    text: str
    section_path: tuple[str, ...] = ()
    ordinal: int = 0

    @property
    def section(self) -> str:
        """Section path joined for display."""
        return " › ".join(self.section_path)


# A heading marked by its author, at levels 1-6: Markdown's "## ", and how ingest.loaders
# writes a DOCX heading style or a page's <h2>.
HEADING_MARK = re.compile(r"^(#{1,6})(?:[ \t\u3000]+|$)")
# Formats whose text marks its headings "## " (a DOCX's heading styles and a web page's
# <h1>…<h6> are read as such).
MARKED_FORMATS = ("md", "docx", "html")


@dataclass(frozen=True)
class PreparedDocument:
    """A file read, cleaned, described and chunked; ready to store."""

    source: str  # path relative to what was ingested
    sha256: str  # hash of the cleaned text without heading marks: stored once
    fmt: str
    meta: DocMeta
    text: str  # cleaned text; headings marked "## " where the format marks them (markup)
    chunks: list[Chunk] = field(default_factory=list)

    @property
    def markup(self) -> bool:
        """Whether the text's "#"-marked lines are its author's headings (Markdown, DOCX,
        web pages)."""
        return self.fmt in MARKED_FORMATS
