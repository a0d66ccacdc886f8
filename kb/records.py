"""Small named records returned by the knowledge base."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocumentInfo:
    """One stored document with its metadata."""

    id: int
    source: str  # path relative to what was ingested
    title: str
    kind: str
    issuer: str
    doc_number: str
    date_published: str
    date_adopted: str
    date_effective: str
    fmt: str
    sha256: str
    n_chars: int
    n_chunks: int
    ingested_at: str


@dataclass(frozen=True)
class SearchHit:
    """One retrieved passage.

    Attributes:
        chunk_id: rowid of the chunk (also its id in the dense and lexical indexes).
        score: fused score (higher is better); bm25 and dense keep each retriever's own,
            sentence_dense the cosine of the chunk's sentence closest to the query.
    """

    chunk_id: int
    doc_id: int
    text: str
    title: str
    source: str
    section_path: tuple[str, ...]
    score: float
    bm25: float = 0.0
    dense: float = 0.0
    sentence_dense: float = 0.0

    @property
    def section(self) -> str:
        """Section path joined for display."""
        return " › ".join(self.section_path)


@dataclass(frozen=True)
class FileResult:
    """What happened to one file during ingest.

    status is one of: "added", "updated" (changed file replaced its old chunks),
    "unchanged" (same file, same content: no work), "duplicate" (same content already
    stored under another source), "failed" (error says why; nothing was changed),
    "skipped" (a file in an ingested folder of a type that cannot be read, e.g. .doc).
    """

    path: str
    source: str
    status: str
    doc_id: int | None = None
    n_chunks: int = 0
    error: str = ""


@dataclass
class IngestReport:
    """Results of one ingest call, one per file."""

    results: list[FileResult] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class Citation:
    """A quoted passage behind an answer.

    Attributes:
        text: the whole passage as stored.
        sentence: the answering sentence(s), an exact substring of text ("" if none marked).
    """

    chunk_id: int
    title: str
    source: str
    section_path: tuple[str, ...]
    text: str
    sentence: str = ""
    score: float = 0.0

    @property
    def section(self) -> str:
        """Section path joined for display (for laws it ends with the article)."""
        return " › ".join(self.section_path)


@dataclass(frozen=True)
class Answer:
    """What answer() returns.

    Attributes:
        text: the answer's own short text (or the refusal message).
        citations: the passages it comes from; when refused, the closest passages,
            to be shown as "possibly related", never as the answer.
        refused: the knowledge base has no basis for an answer.
        confidence: 0..1, calibrated on data (see benchmarks/calibrate.py).
        units: for "who is responsible" questions, the responsible units, lead first.
    """

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    confidence: float = 0.0
    units: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Duty:
    """One row of the duty table: a task and who does it, from a plan or scheme."""

    task: str  # the task as quoted from the document
    lead: str  # lead unit ("" when the document names no lead)
    others: tuple[str, ...]  # other responsible units, in the document's order
    doc_id: int
    title: str
    source: str
    section_path: tuple[str, ...]
    quote: str = ""  # the task paragraph exactly as written

    @property
    def units(self) -> tuple[str, ...]:
        """All responsible units, lead first."""
        return ((self.lead,) if self.lead else ()) + self.others
