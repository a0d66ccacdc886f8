"""Lexical retrieval: tokenisation, BM25 at chunk and sentence level."""

from kb.lexical import Bm25Index, LexicalIndex
from kb.tokenize import query_text, split_sentences, tokenize


def test_tokenize_drops_question_words_and_keeps_numbers_and_units():
    tokens = tokenize("事故发生后多长时间内上报?", "jieba")
    assert "事故" in tokens and "上报" in tokens
    assert "多长" not in tokens
    assert "79.21%" in tokenize("降低了79.21%", "jieba")
    assert tokenize("（一）", "bigram") == tokenize("(一)", "bigram")  # full/half width agree
    assert all(t.startswith("_") for t in tokenize("安全生产", "bigram"))


def test_roman_numerals_are_read_as_chinese_ones():
    # Regulations class things as Ⅲ类 or Ⅳ级; people type 三类 or 四级. NFKC alone made Ⅲ "iii".
    for method in ("jieba", "bigram"):
        assert tokenize("Ⅲ类放射源丢失", method) == tokenize("三类放射源丢失", method)
        assert tokenize("ⅳ级响应", method) == tokenize("四级响应", method)
    assert "_十二" in tokenize("第Ⅻ类", "bigram")
    assert "iii" not in tokenize("Ⅲ类", "jieba")


def test_a_querys_terms_leave_out_its_question_words_whole():
    # Bigrams straddling a question word matched passages merely holding "时间" or "内"
    # ("每级上报的时间不得超过2小时" for "发生事故后多长时间内报告").
    tokens = tokenize(query_text("发生事故后多长时间内报告?"))
    assert {"事故", "报告", "_事故", "_报告"} <= set(tokens)
    assert not {"_时间", "_间内", "_长时", "_多长"} & set(tokens)
    tokens = tokenize(query_text("安全生产执法采用什么检查方式?"))
    assert "_检查" in tokens and not {"_用什", "_什么", "_么检"} & set(tokens)
    assert query_text("谁负责推进平交道口改造?").strip() == "负责推进平交道口改造?"
    # "哪一级" asks which grade: its "一级" is no term ("报各自的上一级主管部门" held it).
    assert not {"一级", "_一级"} & set(tokenize(query_text("死了4个人算哪一级事故?")))


def test_a_query_asking_a_prison_term_in_everyday_words_holds_the_statutory_word():
    # "会判几年" shares no word with "处三年以下有期徒刑"; a question about a sentence served
    # asks no prison term.
    for question in ("死了一个人，负有责任的人会被判几年?", "相关责任人会被判多重?", "会不会坐牢?"):
        assert "有期徒刑" in tokenize(query_text(question)), question
    for question in ("被判了刑，刑满以后还能当负责人吗?", "事故调查报告多久提交?"):
        assert "有期徒刑" not in tokenize(query_text(question)), question



def test_a_query_asking_whether_something_is_charged_holds_the_statutory_words():
    # "会收钱吗" shares no word with "不得收取任何费用"; asked a number of days about fees, or a
    # fine, it asks no charge.
    for question in ("消防队来灭火完了会收钱吗?", "事后要付钱吗？", "消防队会不会收费?", "收不收费"):
        assert {"收取", "费用"} <= set(tokenize(query_text(question))), question
    for question in ("就燃气收费问题查询，几个工作日内答复?", "罚多少钱?", "收费标准谁定?"):
        assert "收取" not in tokenize(query_text(question)), question


def test_a_query_asking_who_pays_holds_the_statutory_words():
    # "体检的钱是公司出还是个人出" shares no word with "…检查费用由用人单位承担".
    for question in ("体检的钱是公司出还是个人出?", "救援产生的费用谁来出？", "这笔钱谁出钱?"):
        assert {"费用", "承担"} <= set(tokenize(query_text(question))), question
    assert "承担" not in tokenize(query_text("体检要花多少钱?"))

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


def test_all_scores_cover_every_chunk_and_agree_with_search():
    texts = ["动火作业应当审批。", "有限空间作业应当通风。通风后检测。", "燃气管道巡查。"]
    index = LexicalIndex.build([5, 7, 9], [tokenize(t) for t in texts],
                               [[tokenize(s) for s in split_sentences(t)] for t in texts])
    scores = index.all_scores(tokenize("有限空间通风"))
    assert index.ids().tolist() == [5, 7, 9] and len(scores) == 3
    assert scores[1] == max(scores) and scores[2] == 0
    assert index.search(tokenize("有限空间通风"), 3)[0] == (7, scores[1])
    assert all(s > 0 for _, s in index.search(tokenize("有限空间通风"), 3))


def test_candidates_found_by_meaning_get_their_exact_bm25_score():
    """A passage the dense side found, below BM25's top k, keeps its real BM25 score (here
    from the title words the question repeats), not the collection's average."""
    from kb.retrieve import lexical_scores

    texts = ["轨道交通 冒用 他人 证件 乘车 罚款", "轨道交通 车站 禁止 吸烟", "轨道交通 车站 禁止 饮食",
             "燃气 管道 保护"]
    index = LexicalIndex.build([1, 2, 3, 4], [tokenize(t) for t in texts],
                               [[tokenize(t)] for t in texts])
    tokens = tokenize("轨道交通车站禁止拿别人的卡乘车")
    exact = dict(zip(index.ids().tolist(), index.all_scores(tokens).tolist(), strict=True))
    top_only = lexical_scores(index, tokens, k=1)
    assert set(top_only.scores) == {max(exact, key=exact.get)} != {1}
    with_dense = lexical_scores(index, tokens, k=1, also={1, 4})
    assert with_dense.scores == {i: exact[i] for i in {*top_only.scores, 1, 4}}
    assert with_dense.scores[1] > 0 and with_dense.scores[4] == 0
    assert (with_dense.mean, with_dense.std) == (top_only.mean, top_only.std)


def test_traditional_characters_become_simplified_and_simplified_text_is_unchanged():
    from kb.tokenize import simplified

    assert simplified("誰負責推進城區鐵路平交道口立交化改造？") == "谁负责推进城区铁路平交道口立交化改造？"
    for text in ("发生事故后多长时间内上报？", "企业落实主体责任要做到哪几个到位?", "第十一条 2小时"):
        assert simplified(text) == text
