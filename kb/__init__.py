"""Knowledge base: documents and chunks in SQLite, FAISS + BM25 search, answers, duty table."""

from kb.answer import REFUSAL_TEXT
from kb.embed import Embedder, make_embedder
from kb.records import (
    Answer,
    Citation,
    DocumentInfo,
    Duty,
    FileResult,
    IngestReport,
    SearchHit,
)
from kb.store import KbConfigError, KnowledgeBase, reindex

__all__ = [
    "REFUSAL_TEXT",
    "Answer",
    "Citation",
    "DocumentInfo",
    "Duty",
    "Embedder",
    "FileResult",
    "IngestReport",
    "KbConfigError",
    "KnowledgeBase",
    "SearchHit",
    "make_embedder",
    "reindex",
]
