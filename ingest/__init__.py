"""Ingest: read regulations and plans, clean them, describe them and chunk them."""

from ingest.chunking import chunk_text
from ingest.clean import clean_text
from ingest.loaders import SUPPORTED_SUFFIXES, iter_files, read_file
from ingest.metadata import extract_metadata
from ingest.pipeline import prepare_file
from ingest.records import Chunk, DocMeta, IngestError, PreparedDocument, RawText

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Chunk",
    "DocMeta",
    "IngestError",
    "PreparedDocument",
    "RawText",
    "chunk_text",
    "clean_text",
    "extract_metadata",
    "iter_files",
    "prepare_file",
    "read_file",
]
