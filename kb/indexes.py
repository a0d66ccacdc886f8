"""The search indexes derived from SQLite: loaded when they match it, else rebuilt from it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from kb.dense import DenseIndex, load_dense_index, make_dense_index
from kb.lexical import LexicalIndex
from kb.tokenize import TOKENS_REVISION

# Every write transaction counts up the generation. SQLite reuses the rowids of deleted chunks,
# so a replaced document may get the ids its old version had: equal ids do not prove that the
# saved indexes hold the current vectors, the generation they were saved at does.
_BUMP_GENERATION = ("INSERT INTO settings (key, value) VALUES ('generation', '1')"
                    " ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")


def generation(db) -> int:
    """The database's write generation (0 before the first write)."""
    row = db.execute("SELECT value FROM settings WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


def bump_generation(db) -> int:
    """Count up the generation inside the caller's write transaction; returns the new value."""
    db.execute(_BUMP_GENERATION)
    return generation(db)


def sentence_rows(ids: list[int], blobs: list[np.ndarray],
                  dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vectors) for the sentence index: each chunk's sentence vectors under its id."""
    blocks = [np.asarray(b, dtype=np.float32).reshape(-1, dim) for b in blobs]
    owners = [i for i, block in zip(ids, blocks, strict=True) for _ in range(len(block))]
    vectors = np.vstack(blocks) if blocks else np.zeros((0, dim), dtype=np.float32)
    return np.array(owners, dtype=np.int64), vectors


def _digest(ids: np.ndarray) -> str:
    return hashlib.sha1(np.sort(np.asarray(ids, dtype=np.int64)).tobytes()).hexdigest()


class Indexes:
    """A dense index of chunk vectors, one of sentence vectors (under their chunk's id) and
    the BM25 index, with the SQLite generation they reflect.

    Not thread-safe by itself: the knowledge base calls it under its lock.
    """

    def __init__(self, folder: Path, connect: Callable, embedder_name: str, tokenizer: str,
                 dense_backend: str = "auto"):
        """Args:
            folder: where the index files and index.json are saved.
            connect: opens a new connection to the knowledge base's SQLite file.
            embedder_name, tokenizer: what the stored vectors and tokens were made with;
                saved in index.json and checked on load.
            dense_backend: "auto" (FAISS if installed), "faiss" or "numpy".
        """
        self.folder = folder
        self._connect = connect
        self._embedder_name = embedder_name
        self._tokenizer = tokenizer
        self._backend = dense_backend
        self.dense: DenseIndex | None = None
        self.sentences: DenseIndex | None = None
        self.lexical: LexicalIndex | None = None
        self.generation = 0

    @property
    def _config_path(self) -> Path:
        return self.folder / "index.json"

    def _dense_path(self, backend: str, name: str = "dense") -> Path:
        return self.folder / (f"{name}.faiss" if backend == "faiss" else f"{name}.npz")

    def _fetch_all(self, sql: str) -> list:
        db = self._connect()
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()

    def stale(self) -> bool:
        """Whether SQLite changed since these indexes were built (e.g. by another process)."""
        db = self._connect()
        current = generation(db)
        db.close()
        return current != self.generation

    def load(self) -> None:
        """Load the saved indexes if they match SQLite, else rebuild them from SQLite."""
        db = self._connect()
        current = generation(db)
        ids = np.array([r[0] for r in db.execute("SELECT id FROM chunks ORDER BY id")],
                       dtype=np.int64)
        db.close()
        try:
            config = json.loads(self._config_path.read_text())
            if (config["embedder"] != self._embedder_name or config["tokenizer"] != self._tokenizer
                    or config.get("tokens_revision") != TOKENS_REVISION
                    or config["ids_digest"] != _digest(ids)
                    or config.get("generation") != current):
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
            self.rebuild()
            return
        self.dense, self.sentences, self.lexical = dense, sentences, lexical
        self.generation = current

    def rebuild(self) -> None:
        """Rebuild every index from the vectors and tokens stored in SQLite, then save."""
        db = self._connect()
        self.generation = generation(db)
        ids, vectors, sentence_vectors = [], [], []
        for row in db.execute("SELECT id, embedding, sentence_embeddings FROM chunks"
                              " ORDER BY id"):
            ids.append(row[0])
            vectors.append(np.frombuffer(row[1], dtype=np.float32))
            sentence_vectors.append(np.frombuffer(row[2] or b"", dtype=np.float32))
        db.close()
        dim = len(vectors[0]) if vectors else self._stored_dim()
        dense = make_dense_index(dim, self._backend) if dim else None
        sentences = make_dense_index(dim, self._backend) if dim else None
        if dense is not None and ids:
            dense.add(np.array(ids, dtype=np.int64), np.vstack(vectors))
            sentences.add(*sentence_rows(ids, sentence_vectors, dim))
        self.dense, self.sentences = dense, sentences
        self.lexical = self._build_lexical()
        self.save(dim)

    def replace(self, old_ids: list[int], new_ids: list[int], vectors: np.ndarray,
                sentence_vectors: list[np.ndarray]) -> None:
        """Follow a committed write: drop old_ids' vectors, add new_ids' (BM25 is rebuilt
        once per batch, by refresh)."""
        dim = vectors.shape[1]
        if self.dense is None:
            self.dense = make_dense_index(dim, self._backend)
            self.sentences = make_dense_index(dim, self._backend)
        self.remove(old_ids)
        self.dense.add(np.array(new_ids, dtype=np.int64), vectors)
        self.sentences.add(*sentence_rows(new_ids, sentence_vectors, dim))

    def remove(self, ids: list[int]) -> None:
        """Drop the vectors of deleted chunks."""
        if self.dense is not None:
            self.dense.remove(np.array(ids, dtype=np.int64))
            self.sentences.remove(np.array(ids, dtype=np.int64))

    def track(self, new: int) -> None:
        """Follow our own write; a gap means another process wrote too (indexes then stale)."""
        self.generation = new if new == self.generation + 1 else -1

    def refresh(self) -> None:
        """After a batch of writes: rebuild BM25 and save, or rebuild everything from SQLite
        when another process wrote too (the in-memory dense index lacks its changes)."""
        if self.stale():
            self.rebuild()
            return
        self.lexical = self._build_lexical()
        self.save(self._stored_dim())

    def save(self, dim: int) -> None:
        """Write the index files, then index.json naming what they were built from."""
        ids = self.lexical.ids()
        backend = self.dense.backend if self.dense is not None else "numpy"
        if self.dense is not None:
            self.dense.save(self._dense_path(backend))
            self.sentences.save(self._dense_path(backend, "sentences"))
        self.lexical.save(self.folder / "lexical")
        config = {"embedder": self._embedder_name, "dim": dim, "dense_backend": backend,
                  "tokenizer": self._tokenizer, "tokens_revision": TOKENS_REVISION,
                  "n_chunks": int(len(ids)),
                  "n_sentence_vectors": len(self.sentences) if self.sentences else 0,
                  "ids_digest": _digest(ids), "generation": self.generation}
        tmp = self._config_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(config, ensure_ascii=False, indent=1))
        tmp.replace(self._config_path)

    def _stored_dim(self) -> int:
        rows = self._fetch_all("SELECT value FROM settings WHERE key = 'dim'")
        return int(rows[0][0]) if rows else 0

    def _build_lexical(self) -> LexicalIndex:
        """Both BM25 levels from the tokens stored in SQLite."""
        rows = self._fetch_all("SELECT id, tokens, sentence_tokens FROM chunks ORDER BY id")
        return LexicalIndex.build(
            [r[0] for r in rows], [r[1].split() for r in rows],
            [[line.split() for line in (r[2] or "").split("\n") if line] for r in rows])
