"""Lexical retrieval: tokenisation, BM25 at chunk and sentence level, fusion (pure parts)."""

from hypothesis import given
from hypothesis import strategies as st

from kb.fusion import normalise_max, normalise_minmax, rrf_fusion, weighted_fusion
from kb.lexical import Bm25Index, LexicalIndex
from kb.tokenize import split_sentences, tokenize


def test_tokenize_drops_question_words_and_keeps_numbers_and_units():
    tokens = tokenize("事故发生后多长时间内上报?", "jieba")
    assert "事故" in tokens and "上报" in tokens
    assert "多长" not in tokens
    assert "79.21%" in tokenize("降低了79.21%", "jieba")
    assert tokenize("（一）", "bigram") == tokenize("(一)", "bigram")  # full/half width agree
    assert all(t.startswith("_") for t in tokenize("安全生产", "bigram"))


def test_idf_is_higher_for_rarer_terms():
    index = Bm25Index.build([1, 2, 3], [["安全", "消防"], ["安全", "燃气"], ["安全"]])
    idf = index.idf()
    assert idf["消防"] > idf["安全"] and set(idf) == {"安全", "消防", "燃气"}


def test_sentence_level_score_lifts_the_chunk_holding_the_sentence():
    chunk_a = "发生事故应当立即报告。单位负责人接到报告后应当于1小时内上报。"
    chunk_b = "事故报告制度。事故调查制度。事故统计制度。事故责任追究制度。报告报告。"
    ids = [10, 20]
    texts = [chunk_a, chunk_b]
    index = LexicalIndex.build(ids, [tokenize(t) for t in texts],
                               [[tokenize(s) for s in split_sentences(t)] for t in texts])
    ranked = index.search(tokenize("接到事故报告后多长时间内上报"), k=2)
    assert ranked[0][0] == 10
    assert sorted(index.ids().tolist()) == ids


def test_lexical_index_save_and_load_round_trip(tmp_path):
    texts = ["动火作业应当审批。", "有限空间作业应当通风。"]
    index = LexicalIndex.build([1, 2], [tokenize(t) for t in texts],
                               [[tokenize(t)] for t in texts])
    index.save(tmp_path / "lexical")
    index.save(tmp_path / "lexical")  # overwrite in place
    loaded = LexicalIndex.load(tmp_path / "lexical")
    query = tokenize("有限空间通风")
    assert loaded.search(query, 2) == index.search(query, 2)


def test_weighted_fusion_rewards_agreement():
    lexical = [(1, 10.0), (2, 9.0), (3, 1.0)]
    dense = [(2, 0.9), (1, 0.5), (4, 0.4)]
    fused = weighted_fusion(lexical, dense, lexical_weight=0.5)
    assert fused[0][0] == 2
    assert {i for i, _ in fused} == {1, 2, 3, 4}
    assert rrf_fusion(lexical, dense)[0][0] in (1, 2)


scores = st.lists(st.tuples(st.integers(0, 50), st.floats(-5, 50, allow_nan=False)),
                  max_size=30, unique_by=lambda x: x[0])


@given(scores, scores, st.floats(0, 1))
def test_fusion_scores_are_bounded_and_keep_every_candidate(lexical, dense, weight):
    fused = weighted_fusion(lexical, dense, weight)
    assert {i for i, _ in fused} == {i for i, _ in lexical} | {i for i, _ in dense}
    assert all(-1e-9 <= s <= 1 + 1e-9 for _, s in fused)
    assert all(0 <= v <= 1 for v in normalise_max(lexical).values())
    assert all(0 <= v <= 1 for v in normalise_minmax(dense).values())
