"""SQL reads and writes of documents and chunks, on a connection the caller owns."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from ingest.records import Chunk, PreparedDocument
from kb.records import DocumentInfo, SearchHit
from kb.retrieve import cosines

_DOC_SQL = (
    "SELECT d.id, d.source, d.title, d.kind, d.issuer, d.doc_number, d.date_published,"
    " d.date_adopted, d.date_effective, d.fmt, d.sha256, d.n_chars,"
    " (SELECT count(*) FROM chunks c WHERE c.doc_id = d.id), d.ingested_at FROM documents d"
)


@dataclass(frozen=True)
class ChunkRow:
    """What is stored for one chunk besides its text: vectors and BM25 tokens."""

    chunk: Chunk
    vector: np.ndarray
    tokens: str
    sentence_tokens: str  # one line per sentence
    sentence_vectors: np.ndarray  # (n_sentences, dim)


def insert_document(db, doc: PreparedDocument, fingerprint: str,
                    rows: list[ChunkRow]) -> tuple[int, list[int]]:
    """Insert a document and its chunks (inside the caller's transaction).

    Returns:
        The document's id and its chunks' ids, in order.
    """
    meta = doc.meta
    cursor = db.execute(
        "INSERT INTO documents (source, sha256, fingerprint, fmt, title, issuer,"
        " kind, doc_number, date_published, date_adopted, date_effective, text,"
        " n_chars, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [doc.source, doc.sha256, fingerprint, doc.fmt, meta.title, meta.issuer,
         meta.kind, meta.doc_number, meta.date_published, meta.date_adopted,
         meta.date_effective, doc.text, len(doc.text),
         datetime.now(UTC).isoformat(timespec="seconds")])
    doc_id = cursor.lastrowid
    ids = []
    for row in rows:
        cur = db.execute(
            "INSERT INTO chunks (doc_id, ordinal, text, section_path, tokens,"
            " sentence_tokens, embedding, sentence_embeddings) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [doc_id, row.chunk.ordinal, row.chunk.text,
             json.dumps(list(row.chunk.section_path), ensure_ascii=False), row.tokens,
             row.sentence_tokens, np.asarray(row.vector, dtype=np.float32).tobytes(),
             np.asarray(row.sentence_vectors, dtype=np.float32).tobytes()])
        ids.append(cur.lastrowid)
    return doc_id, ids


def delete_document(db, doc_id: int) -> list[int]:
    """Delete a document and its chunks (inside the caller's transaction); returns the
    deleted chunks' ids."""
    ids = [r[0] for r in db.execute("SELECT id FROM chunks WHERE doc_id = ?", [doc_id])]
    db.execute("DELETE FROM chunks WHERE doc_id = ?", [doc_id])
    db.execute("DELETE FROM documents WHERE id = ?", [doc_id])
    return ids


def document_infos(db) -> list[DocumentInfo]:
    """All documents, by source path."""
    return [DocumentInfo(*row) for row in db.execute(_DOC_SQL + " ORDER BY d.source")]


def document_info(db, doc: int | str) -> DocumentInfo | None:
    """One document by id or source path (a digit string is tried as both)."""
    by_id = isinstance(doc, int) or (isinstance(doc, str) and doc.isdigit())
    where = " WHERE d.id = ?" if by_id else " WHERE d.source = ?"
    row = db.execute(_DOC_SQL + where, [int(doc) if by_id else doc]).fetchone()
    if row is None and by_id and isinstance(doc, str):
        row = db.execute(_DOC_SQL + " WHERE d.source = ?", [doc]).fetchone()
    return DocumentInfo(*row) if row else None


def document_chunks(db, doc_id: int) -> list[Chunk]:
    """A document's chunks in order."""
    rows = db.execute("SELECT text, section_path, ordinal FROM chunks WHERE doc_id = ?"
                      " ORDER BY ordinal", [doc_id]).fetchall()
    return [Chunk(text=r[0], section_path=tuple(json.loads(r[1])), ordinal=r[2]) for r in rows]


def chunk_context(db, chunk_id: int) -> tuple[str, tuple[str, ...], str] | None:
    """(document title, section path, text) of one chunk."""
    row = db.execute("SELECT d.title, c.section_path, c.text FROM chunks c JOIN documents d"
                     " ON d.id = c.doc_id WHERE c.id = ?", [chunk_id]).fetchone()
    return (row[0], tuple(json.loads(row[1])), row[2]) if row else None


def chunk_ids_of_titles(db, titles: Iterable[str]) -> set[int]:
    """Ids of every chunk of the documents with these titles."""
    titles = sorted(titles)
    if not titles:
        return set()
    rows = db.execute("SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id"
                      f" WHERE d.title IN ({','.join('?' * len(titles))})", titles).fetchall()
    return {r[0] for r in rows}


def chunk_vectors(db, ids: Iterable[int]) -> list[tuple[int, bytes, bytes | None]]:
    """The stored chunk and sentence vectors of the given chunks."""
    ids = list(ids)
    if not ids:
        return []
    rows = db.execute("SELECT id, embedding, sentence_embeddings FROM chunks"
                      f" WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
    return [tuple(r) for r in rows]


def search_hits(db, ranked: list[tuple[int, float]], lexical: dict[int, float],
                query_vector: np.ndarray | None = None) -> list[SearchHit]:
    """Named records for ranked ids, with the exact cosines of the chunk's vector and of its
    best sentence with the query (0 when no query vector is given)."""
    if not ranked:
        return []
    ids = [i for i, _ in ranked]
    rows = db.execute(
        "SELECT c.id, c.doc_id, c.text, d.title, d.source, c.section_path, c.embedding,"
        " c.sentence_embeddings FROM chunks c JOIN documents d ON d.id = c.doc_id"
        f" WHERE c.id IN ({','.join('?' * len(ids))})", ids).fetchall()
    by_id = {r[0]: r for r in rows}
    hits = []
    for i, score in ranked:
        if i not in by_id:
            continue
        _, doc_id, text, title, source, path, blob, sentence_blob = by_id[i]
        cosine, best_sentence = 0.0, None
        if query_vector is not None and len(blob) == 4 * len(query_vector):
            cosine, best_sentence = cosines(query_vector, blob, sentence_blob)
        hits.append(SearchHit(chunk_id=i, doc_id=doc_id, text=text, title=title,
                              source=source, section_path=tuple(json.loads(path)),
                              score=score, bm25=lexical.get(i, 0.0), dense=cosine,
                              sentence_dense=best_sentence or 0.0))
    return hits
