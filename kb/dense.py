"""Dense vector indexes keyed by chunk rowid: FAISS, with a NumPy fallback.

An index may hold several vectors under one id (the sentences of a chunk); a search then
returns each id once, with its best score.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np

try:  # faiss-cpu is a default dependency; the fallback keeps the package usable without it
    import faiss
except ImportError:  # pragma: no cover - exercised only where faiss is missing
    faiss = None


# A search fetches this many times k entries before keeping each id once: enough for the
# sentences of the best chunks to crowd each other out without starving the list.
_FANOUT = 4


class DenseIndex(Protocol):
    """Inner-product search over L2-normalised vectors, ids = chunk rowids."""

    backend: str

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    def remove(self, ids: np.ndarray) -> None: ...

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]: ...

    def score_stats(self, vector: np.ndarray) -> tuple[float, float]: ...

    def ids(self) -> np.ndarray: ...

    def __len__(self) -> int: ...

    def save(self, path: Path) -> None: ...


def best_per_id(ids: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The first k distinct ids of a best-first result list, each with its first score."""
    out: dict[int, float] = {}
    for i, s in zip(ids.tolist(), scores.tolist(), strict=True):
        if i >= 0 and i not in out:
            out[i] = float(s)
            if len(out) == k:
                break
    return list(out.items())


class _Moments:
    """Mean and spread of a query's scores against every stored vector, without scoring them.

    The inner products of q with vectors v have mean q·m and second moment q^T C q, where m
    is the mean vector and C the mean outer product: O(dim^2) per query, whatever the size.
    """

    def __init__(self, vectors: np.ndarray):
        v = np.asarray(vectors, dtype=np.float64)
        self.n = len(v)
        self.mean = v.mean(axis=0) if self.n else None
        self.second = (v.T @ v) / self.n if self.n else None

    def stats(self, vector: np.ndarray) -> tuple[float, float]:
        if not self.n:
            return 0.0, 0.0
        q = np.asarray(vector, dtype=np.float64)
        mean = float(q @ self.mean)
        return mean, float(np.sqrt(max(float(q @ self.second @ q) - mean * mean, 0.0)))


class FaissIndex:
    """Exact inner-product FAISS index (IndexIDMap2 over IndexFlatIP).

    Exact search is fast enough for tens of thousands of chunks and never needs training.
    """

    backend = "faiss"

    def __init__(self, dim: int, index=None):
        self.dim = dim
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._moments: _Moments | None = None

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                     np.asarray(ids, dtype=np.int64))
            self._moments = None

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            self._index.remove_ids(np.asarray(ids, dtype=np.int64))
            self._moments = None

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        if self._index.ntotal == 0 or k <= 0:
            return []
        scores, ids = self._index.search(vector.reshape(1, -1).astype(np.float32),
                                         min(k * _FANOUT, self._index.ntotal))
        return best_per_id(ids[0], scores[0], k)

    def score_stats(self, vector: np.ndarray) -> tuple[float, float]:
        """Mean and standard deviation of the vector's scores against every stored vector."""
        if self._moments is None:
            flat = self._index.index  # the IndexFlatIP under the id map holds every vector
            self._moments = _Moments(flat.reconstruct_n(0, flat.ntotal) if flat.ntotal
                                     else np.zeros((0, self.dim), dtype=np.float32))
        return self._moments.stats(vector)

    def __len__(self) -> int:
        """How many vectors are held (an id may hold several)."""
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        """The distinct ids held, sorted."""
        if self._index.ntotal == 0:
            return np.zeros(0, dtype=np.int64)
        return np.unique(faiss.vector_to_array(self._index.id_map).astype(np.int64))

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
        self._moments: _Moments | None = None

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self._ids = np.concatenate([self._ids, np.asarray(ids, dtype=np.int64)])
        self._vectors = np.vstack([self._vectors, np.asarray(vectors, dtype=np.float32)])
        self._moments = None

    def remove(self, ids: np.ndarray) -> None:
        keep = ~np.isin(self._ids, np.asarray(ids, dtype=np.int64))
        self._ids, self._vectors = self._ids[keep], self._vectors[keep]
        self._moments = None

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        if not len(self._ids) or k <= 0:
            return []
        scores = self._vectors @ vector.astype(np.float32)
        top = np.argsort(-scores, kind="stable")[:k * _FANOUT]
        return best_per_id(self._ids[top], scores[top], k)

    def score_stats(self, vector: np.ndarray) -> tuple[float, float]:
        """Mean and standard deviation of the vector's scores against every stored vector."""
        if self._moments is None:
            self._moments = _Moments(self._vectors)
        return self._moments.stats(vector)

    def __len__(self) -> int:
        return len(self._ids)

    def ids(self) -> np.ndarray:
        """The distinct ids held, sorted."""
        return np.unique(self._ids)

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
