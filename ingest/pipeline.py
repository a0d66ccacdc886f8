"""Read, clean, describe and chunk one file: everything before storage."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ingest.chunking import chunk_text
from ingest.clean import clean_text, strip_heading_marks
from ingest.loaders import read_file
from ingest.metadata import extract_metadata_from_raw
from ingest.records import MARKED_FORMATS, IngestError, PreparedDocument

MAX_CHUNK_CHARS = 500
_MD_COMMENT = re.compile(r"<!--.*?-->", re.S)


def prepare_file(path: Path, source: str, max_chars: int = MAX_CHUNK_CHARS) -> PreparedDocument:
    """Turn one file into a document ready to store.

    Args:
        path: the file on disk.
        source: its path relative to what was ingested (stored and shown to users).
        max_chars: chunk size bound.

    Raises:
        IngestError: the file cannot be read or holds no text; the message names the file.
    """
    raw = read_file(path)
    text = clean_text(raw)
    meta = extract_metadata_from_raw(raw, fallback_title=path.stem)
    if raw.fmt == "md":
        text = _MD_COMMENT.sub("", text)
    markup = raw.fmt in MARKED_FORMATS
    # The content without heading marks: what is hashed, so a Markdown file and a text
    # file of the same regulation are one document.
    plain = strip_heading_marks(text) if markup else text
    if not plain.strip():
        raise IngestError(path, "文件中没有可用的文字内容 (no text after cleaning)")
    if meta.doc_number and meta.doc_number not in plain:
        # Scraped pages often carry the document number only in the web metadata table that
        # cleaning drops; keep it as a line of the text so it can be found and quoted.
        text, plain = f"文号：{meta.doc_number}\n{text}", f"文号：{meta.doc_number}\n{plain}"
    chunks = chunk_text(text, max_chars=max_chars, markup=markup)
    sha = hashlib.sha256(plain.encode("utf-8")).hexdigest()
    return PreparedDocument(source=source, sha256=sha, fmt=raw.fmt, meta=meta, text=text,
                            chunks=chunks)
