"""SQLite schema for the knowledge base, defined only in named migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

migrations = sqlite_utils.Migrations("kb")


@migrations()
def m001_documents_and_chunks(db: sqlite_utils.Database) -> None:
    db["documents"].create(
        {
            "id": int, "source": str, "sha256": str, "fmt": str, "title": str,
            "issuer": str, "kind": str, "doc_number": str, "date_published": str,
            "date_adopted": str, "date_effective": str, "text": str, "n_chars": int,
            "ingested_at": str,
        },
        pk="id",
        not_null={"source", "sha256", "text"},
    )
    db["documents"].create_index(["source"], unique=True)
    db["documents"].create_index(["sha256"], unique=True)
    db["chunks"].create(
        {
            "id": int, "doc_id": int, "ordinal": int, "text": str,
            "section_path": str,  # JSON list of headings, outermost first
            "tokens": str,  # BM25 tokens, space separated, so rebuilds never re-tokenise
            "embedding": bytes,  # float32 vector, so FAISS can be rebuilt without re-embedding
        },
        pk="id",
        foreign_keys=[("doc_id", "documents", "id")],
        not_null={"doc_id", "text", "embedding"},
    )
    db["chunks"].create_index(["doc_id", "ordinal"], unique=True)
    db["settings"].create({"key": str, "value": str}, pk="key")


def connect(path: Path) -> sqlite_utils.Database:
    """Open (and migrate) the knowledge-base database at path.

    Each caller gets its own connection: SQLite connections must not be shared across
    threads unguarded, and opening one is cheap.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA foreign_keys=ON")
    db = sqlite_utils.Database(conn)
    migrations.apply(db)
    return db


@migrations()
def m002_duties(db: sqlite_utils.Database) -> None:
    # Written as SQL because sqlite-utils cannot declare ON DELETE CASCADE: deleting or
    # replacing a document (foreign_keys=ON in connect) then removes its duties with it.
    db.execute(
        "CREATE TABLE duties ("
        " id INTEGER PRIMARY KEY,"
        " doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
        " ordinal INTEGER NOT NULL,"  # position in the document
        " kind TEXT NOT NULL,"  # task | group | sentence (see kb.duties.DutyRow)
        " task TEXT NOT NULL,"  # short title
        " quote TEXT NOT NULL,"  # the task paragraph as in the document
        " lead TEXT NOT NULL,"  # normalised lead unit, '' when none
        " others TEXT NOT NULL,"  # JSON list of normalised units, document order
        " section_path TEXT NOT NULL)"  # JSON list of headings, outermost first
    )
    db.execute("CREATE UNIQUE INDEX idx_duties_doc_ordinal ON duties (doc_id, ordinal)")
    db.execute(
        "CREATE TABLE duty_units ("
        " duty_id INTEGER NOT NULL REFERENCES duties(id) ON DELETE CASCADE,"
        " unit TEXT NOT NULL,"  # normalised (kb.units.normalize_unit)
        " role TEXT NOT NULL CHECK (role IN ('lead', 'other')),"
        " position INTEGER NOT NULL,"  # 0 = lead when there is one, then document order
        " PRIMARY KEY (duty_id, position))"
    )
    db.execute("CREATE INDEX idx_duty_units_unit ON duty_units (unit)")


@migrations()
def m003_sentence_tokens(db: sqlite_utils.Database) -> None:
    # BM25 tokens of each sentence of a chunk: sentences separated by newlines, tokens by
    # spaces; the sentence-level index is rebuilt from them like the chunk-level one.
    db["chunks"].add_column("sentence_tokens", str)


@migrations()
def m004_sentence_embeddings(db: sqlite_utils.Database) -> None:
    # One float32 vector per sentence of a chunk (kb.tokenize.split_sentences order),
    # concatenated: the sentence-level dense index is rebuilt from them without re-embedding.
    # NULL for chunks stored before this migration; the knowledge base fills them in on open.
    db["chunks"].add_column("sentence_embeddings", bytes)


@migrations()
def m005_document_fingerprint(db: sqlite_utils.Database) -> None:
    # Hash of the text, metadata, chunks and duties a file gave (kb.store.stored_fingerprint):
    # a file is "unchanged" only when this matches, so what older code chunked or read as
    # duties differently is replaced on the next ingest. NULL for documents stored before.
    db["documents"].add_column("fingerprint", str)
