"""Dense vector indexes keyed by chunk rowid: FAISS, with a NumPy fallback."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np

try:  # faiss-cpu is a default dependency; the fallback keeps the package usable without it
    import faiss
except ImportError:  # pragma: no cover - exercised only where faiss is missing
    faiss = None


class DenseIndex(Protocol):
    """Inner-product search over L2-normalised vectors, ids = chunk rowids."""

    backend: str

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    def remove(self, ids: np.ndarray) -> None: ...

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]: ...

    def ids(self) -> np.ndarray: ...

    def save(self, path: Path) -> None: ...


class FaissIndex:
    """Exact inner-product FAISS index (IndexIDMap2 over IndexFlatIP).

    Exact search is fast enough for tens of thousands of chunks and never needs training.
    """

    backend = "faiss"

    def __init__(self, dim: int, index=None):
        self.dim = dim
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                     np.asarray(ids, dtype=np.int64))

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            self._index.remove_ids(np.asarray(ids, dtype=np.int64))

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        if self._index.ntotal == 0 or k <= 0:
            return []
        scores, ids = self._index.search(vector.reshape(1, -1).astype(np.float32),
                                         min(k, self._index.ntotal))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def ids(self) -> np.ndarray:
        if self._index.ntotal == 0:
            return np.zeros(0, dtype=np.int64)
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        faiss.write_index(self._index, str(tmp))
        os.replace(tmp, path)  # atomic: a crash leaves the old file or the new one

    @classmethod
    def load(cls, path: Path, dim: int) -> FaissIndex:
        index = faiss.read_index(str(path))
        if index.d != dim:
            raise ValueError(f"{path}: index dimension {index.d}, expected {dim}")
        return cls(dim, index)


class NumpyIndex:
    """Brute-force inner product in NumPy: the fallback when faiss is unavailable."""

    backend = "numpy"

    def __init__(self, dim: int, ids: np.ndarray | None = None, vectors: np.ndarray | None = None):
        self.dim = dim
        self._ids = np.zeros(0, dtype=np.int64) if ids is None else ids.astype(np.int64)
        self._vectors = (np.zeros((0, dim), dtype=np.float32) if vectors is None
                         else vectors.astype(np.float32))

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self._ids = np.concatenate([self._ids, np.asarray(ids, dtype=np.int64)])
        self._vectors = np.vstack([self._vectors, np.asarray(vectors, dtype=np.float32)])

    def remove(self, ids: np.ndarray) -> None:
        keep = ~np.isin(self._ids, np.asarray(ids, dtype=np.int64))
        self._ids, self._vectors = self._ids[keep], self._vectors[keep]

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        if not len(self._ids) or k <= 0:
            return []
        scores = self._vectors @ vector.astype(np.float32)
        top = np.argsort(-scores)[:k]
        return [(int(self._ids[i]), float(scores[i])) for i in top]

    def ids(self) -> np.ndarray:
        return self._ids.copy()

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, ids=self._ids, vectors=self._vectors)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, dim: int) -> NumpyIndex:
        with np.load(path) as data:
            vectors = data["vectors"]
            if vectors.shape[1] != dim:
                raise ValueError(f"{path}: vector dimension {vectors.shape[1]}, expected {dim}")
            return cls(dim, data["ids"], vectors)


def make_dense_index(dim: int, backend: str = "auto") -> DenseIndex:
    """A new empty index: FAISS when available (or asked for), else NumPy."""
    if backend == "faiss" or (backend == "auto" and faiss is not None):
        return FaissIndex(dim)
    return NumpyIndex(dim)


def load_dense_index(path: Path, dim: int, backend: str) -> DenseIndex:
    """Load an index saved by save(); backend is the one recorded in its config."""
    if backend == "faiss":
        return FaissIndex.load(path, dim)
    return NumpyIndex.load(path, dim)
