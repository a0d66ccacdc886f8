"""BM25 lexical index (bm25s) over pre-tokenised chunks, keyed by chunk rowid."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import bm25s
import numpy as np


class Bm25Index:
    """BM25 over token lists. bm25s cannot update in place, so changes rebuild it whole;
    tokens are stored in SQLite, so a rebuild never re-tokenises."""

    backend = "bm25s"

    def __init__(self, ids: np.ndarray | None = None, retriever: bm25s.BM25 | None = None):
        self._ids = np.zeros(0, dtype=np.int64) if ids is None else np.asarray(ids, np.int64)
        self._bm25 = retriever
        self._vocab: dict[str, int] = retriever.vocab_dict if retriever is not None else {}

    @classmethod
    def build(cls, ids: list[int], token_lists: list[list[str]]) -> Bm25Index:
        """Index token lists; ids[i] is the chunk rowid of token_lists[i]."""
        if not ids:
            return cls()
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        retriever.index(token_lists, show_progress=False)
        return cls(np.asarray(ids, dtype=np.int64), retriever)

    def search(self, tokens: list[str], k: int) -> list[tuple[int, float]]:
        """Top k (chunk id, BM25 score) with a positive score, best first."""
        known = [t for t in tokens if t in self._vocab]
        if self._bm25 is None or not known or k <= 0:
            return []
        scores = self._bm25.get_scores(known)
        top = np.argsort(-scores, kind="stable")[:k]
        return [(int(self._ids[i]), float(scores[i])) for i in top if scores[i] > 0]

    def ids(self) -> np.ndarray:
        return self._ids.copy()

    def save(self, folder: Path) -> None:
        """Write to folder atomically: a temp folder renamed over the old one."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        np.save(tmp / "ids.npy", self._ids)
        if self._bm25 is not None:
            self._bm25.save(str(tmp), show_progress=False)
        (tmp / "done.json").write_text(json.dumps({"n": int(len(self._ids))}))
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> Bm25Index:
        """Load what save() wrote; raises if the folder is incomplete."""
        if not (folder / "done.json").exists():
            raise FileNotFoundError(f"{folder}: no complete BM25 index")
        ids = np.load(folder / "ids.npy")
        if not len(ids):
            return cls()
        retriever = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
        return cls(ids, retriever)
