"""BM25 lexical index (bm25s) over chunks and their sentences, keyed by chunk rowid."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import bm25s
import numpy as np

# Share of the sentence-level score in the lexical score of a chunk. Questions usually aim at
# one sentence; a whole-chunk score alone favours long chunks that repeat the question's
# words, a sentence score alone loses words spread over a chunk (title, section, item list).
SENTENCE_WEIGHT = 0.5


class Bm25Index:
    """BM25 over token lists; several lists may share one id (sentences of one chunk).

    bm25s cannot update in place, so changes rebuild it whole; tokens are stored in SQLite,
    so a rebuild never re-tokenises.
    """

    def __init__(self, ids: np.ndarray | None = None, retriever: bm25s.BM25 | None = None):
        self._ids = np.zeros(0, dtype=np.int64) if ids is None else np.asarray(ids, np.int64)
        # Distinct ids, sorted, and where each entry's id sits among them.
        self._unique, self._owner = np.unique(self._ids, return_inverse=True)
        self._bm25 = retriever
        self._vocab: dict[str, int] = retriever.vocab_dict if retriever is not None else {}
        self._idf: dict[str, float] | None = None

    @classmethod
    def build(cls, ids: list[int], token_lists: list[list[str]]) -> Bm25Index:
        """Index token lists; ids[i] is the chunk rowid of token_lists[i]."""
        if not ids:
            return cls()
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        retriever.index(token_lists, show_progress=False)
        return cls(np.asarray(ids, dtype=np.int64), retriever)

    def all_scores(self, tokens: list[str]) -> np.ndarray:
        """The best BM25 score of each id's entries, aligned with ids() (0 where none match)."""
        best = np.zeros(len(self._unique), dtype=np.float64)
        known = [t for t in tokens if t in self._vocab]
        if self._bm25 is not None and known:
            np.maximum.at(best, self._owner, self._bm25.get_scores(known))
        return best

    def search(self, tokens: list[str], k: int) -> list[tuple[int, float]]:
        """Top k (chunk id, best BM25 score among its entries), positive scores only."""
        scores = self.all_scores(tokens)
        top = [i for i in np.argsort(-scores, kind="stable")[:max(k, 0)] if scores[i] > 0]
        return [(int(self._unique[i]), float(scores[i])) for i in top]

    def idf(self) -> dict[str, float]:
        """BM25 inverse document frequency of every indexed token (computed once)."""
        if self._idf is None:
            idf: dict[str, float] = {}
            if self._bm25 is not None:
                n = self._bm25.scores["num_docs"]
                df = np.diff(self._bm25.scores["indptr"])
                # bm25s adds an empty token to the vocabulary that has no column.
                idf = {t: float(np.log(1 + (n - df[i] + 0.5) / (df[i] + 0.5)))
                       for t, i in self._vocab.items() if t and i < len(df)}
            self._idf = idf
        return self._idf

    def ids(self) -> np.ndarray:
        """The distinct chunk ids indexed, sorted."""
        return self._unique

    def save(self, folder: Path) -> None:
        """Write into an empty folder."""
        folder.mkdir(parents=True)
        np.save(folder / "ids.npy", self._ids)
        if self._bm25 is not None:
            self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> Bm25Index:
        ids = np.load(folder / "ids.npy")
        if not len(ids):
            return cls()
        return cls(ids, bm25s.BM25.load(str(folder), show_progress=False, verbosity=0))


def _scale_to_max(scores: np.ndarray) -> np.ndarray:
    """Scores divided by the best one (BM25 scores are unbounded and query-dependent)."""
    top = scores.max() if len(scores) else 0.0
    return scores / top if top > 0 else scores


class LexicalIndex:
    """Chunk-level and sentence-level BM25, fused per chunk."""

    backend = "bm25s"

    def __init__(self, chunks: Bm25Index | None = None, sentences: Bm25Index | None = None):
        self.chunks = chunks or Bm25Index()
        self.sentences = sentences or Bm25Index()

    @classmethod
    def build(cls, ids: list[int], chunk_tokens: list[list[str]],
              sentence_tokens: list[list[list[str]]]) -> LexicalIndex:
        """Index chunks (ids[i] has chunk_tokens[i]) and their sentences (sentence_tokens[i])."""
        owners = [i for i, sents in zip(ids, sentence_tokens, strict=True) for _ in sents]
        flat = [toks for sents in sentence_tokens for toks in sents]
        return cls(Bm25Index.build(ids, chunk_tokens), Bm25Index.build(owners, flat))

    def all_scores(self, tokens: list[str]) -> np.ndarray:
        """Score of every chunk, aligned with ids(): the weighted sum of its max-normalised
        chunk-level score and its best sentence's max-normalised score."""
        whole = _scale_to_max(self.chunks.all_scores(tokens))
        best = np.zeros(len(whole))
        if len(self.sentences.ids()):
            at = np.searchsorted(self.ids(), self.sentences.ids())
            best[at] = _scale_to_max(self.sentences.all_scores(tokens))
        return (1 - SENTENCE_WEIGHT) * whole + SENTENCE_WEIGHT * best

    def search(self, tokens: list[str], k: int) -> list[tuple[int, float]]:
        """Top k chunks by all_scores(), positive scores only, ties by id."""
        scores = self.all_scores(tokens)
        top = [i for i in np.argsort(-scores, kind="stable")[:max(k, 0)] if scores[i] > 0]
        return [(int(self.ids()[i]), float(scores[i])) for i in top]

    def idf(self) -> dict[str, float]:
        """Chunk-level IDF (how rare a term is among passages)."""
        return self.chunks.idf()

    def ids(self) -> np.ndarray:
        return self.chunks.ids()

    def save(self, folder: Path) -> None:
        """Write to folder atomically: a temp folder renamed over the old one."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.chunks.save(tmp / "chunks")
        self.sentences.save(tmp / "sentences")
        (tmp / "done.json").write_text(json.dumps({"n": int(len(self.ids()))}))
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Load what save() wrote; raises if the folder is incomplete."""
        if not (folder / "done.json").exists():
            raise FileNotFoundError(f"{folder}: no complete BM25 index")
        index = cls(Bm25Index.load(folder / "chunks"), Bm25Index.load(folder / "sentences"))
        if set(index.sentences.ids().tolist()) - set(index.ids().tolist()):
            raise ValueError(f"{folder}: sentence index names chunks the chunk index lacks")
        return index
