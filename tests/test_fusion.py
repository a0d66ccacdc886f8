"""Hybrid fusion and ranking (pure): z-score fusion of standardised retriever scores, RRF."""

from hypothesis import given
from hypothesis import strategies as st

from kb.fusion import Scores, rrf_fusion, zscore_fusion


def test_zscore_fusion_rewards_agreement_and_keeps_every_candidate():
    lexical = Scores({1: 10.0, 2: 9.0, 3: 1.0}, mean=0.5, std=1.0)
    dense = Scores({2: 0.90, 1: 0.80, 4: 0.85}, mean=0.80, std=0.02)
    fused = zscore_fusion([(lexical, 0.5), (dense, 0.5)])
    assert fused[0][0] == 2  # second in BM25, first in dense
    assert {i for i, _ in fused} == {1, 2, 3, 4}


def test_a_standout_counts_more_than_a_crowded_top():
    # Dense cosines crowd in a narrow band: 0.90 vs 0.89 is no evidence when every chunk
    # scores about 0.89, and min-max scaling over candidates would make it 1 vs 0.
    lexical = Scores({1: 12.0, 2: 6.0}, mean=0.2, std=1.0)
    crowded_dense = Scores({2: 0.90, 1: 0.89}, mean=0.88, std=0.05)
    assert zscore_fusion([(lexical, 0.4), (crowded_dense, 0.6)])[0][0] == 1
    standout_dense = Scores({2: 0.90, 1: 0.80}, mean=0.78, std=0.02)
    assert zscore_fusion([(lexical, 0.4), (standout_dense, 0.6)])[0][0] == 2


def test_a_retriever_without_spread_or_without_the_candidate_adds_nothing():
    flat = Scores({1: 0.0, 2: 0.0}, mean=0.0, std=0.0)  # e.g. no query term is indexed
    dense = Scores({1: 0.7, 2: 0.9}, mean=0.5, std=0.1)
    assert [i for i, _ in zscore_fusion([(flat, 0.5), (dense, 0.5)])] == [2, 1]
    assert Scores({1: 3.0}, 1.0, 1.0).standardised(99) == 0.0
    assert zscore_fusion([]) == []


score_maps = st.dictionaries(st.integers(0, 40), st.floats(-5, 50, allow_nan=False),
                             max_size=25)


@given(score_maps, score_maps, st.floats(0.01, 100), st.floats(-10, 10), st.floats(0, 1))
def test_fusion_ignores_each_retrievers_scale_and_offset(a, b, scale, shift, weight):
    """Standardising makes the ranking independent of a retriever's units."""
    first = Scores(a, mean=1.0, std=2.0)
    second = Scores(b, mean=0.3, std=0.1)
    moved = Scores({i: s * scale + shift for i, s in b.items()},
                   mean=0.3 * scale + shift, std=0.1 * scale)
    fused = zscore_fusion([(first, weight), (second, 1 - weight)])
    fused_moved = zscore_fusion([(first, weight), (moved, 1 - weight)])
    assert {i for i, _ in fused} == set(a) | set(b)
    moved_scores = dict(fused_moved)
    assert moved_scores.keys() == dict(fused).keys()
    for i, x in fused:
        assert abs(x - moved_scores[i]) < 1e-6 * max(1.0, abs(x))


def test_rrf_fusion_prefers_items_both_lists_rank_high():
    lexical = [(1, 10.0), (2, 9.0), (3, 1.0)]
    dense = [(2, 0.9), (1, 0.5), (4, 0.4)]
    fused = rrf_fusion(lexical, dense)
    assert {i for i, _ in fused[:2]} == {1, 2}
    assert {i for i, _ in fused} == {1, 2, 3, 4}


def test_rank_uses_each_retriever_alone_or_all_three_fused():
    from kb.retrieve import rank

    lexical = Scores({1: 9.0, 2: 3.0}, mean=0.1, std=1.0)
    chunk = Scores({1: 0.80, 2: 0.83, 3: 0.84}, mean=0.80, std=0.01)
    sentence = Scores({1: 0.82, 2: 0.90, 3: 0.85}, mean=0.80, std=0.02)
    assert [i for i, _ in rank("bm25", lexical, chunk, sentence)] == [1, 2]
    assert [i for i, _ in rank("dense", lexical, chunk, sentence)][0] == 2
    hybrid = rank("hybrid", lexical, chunk, sentence)
    assert {i for i, _ in hybrid} == {1, 2, 3}
    assert hybrid[0][0] == 2  # fair in BM25, best by its sentence, good by its vector
    assert {i for i, _ in rank("hybrid", lexical, chunk, sentence, fusion="rrf")} == {1, 2, 3}


def test_candidates_of_named_documents_come_first_in_their_order():
    from kb.retrieve import named_first

    ranked = [(1, 3.0), (2, 2.0), (3, 1.0), (4, 0.5)]
    assert named_first(ranked, {4, 2}) == [(2, 2.0), (4, 0.5), (1, 3.0), (3, 1.0)]
    assert named_first(ranked, set()) == ranked
    assert named_first(ranked, {9}) == ranked


def test_the_same_article_from_a_second_file_is_dropped():
    from kb.records import SearchHit
    from kb.retrieve import collapse_duplicates

    def hit(i, text, title="中华人民共和国安全生产法", path=("第三章", "第五十五条")):
        return SearchHit(chunk_id=i, doc_id=i, text=text, title=title, source=f"{i}.md",
                         section_path=path, score=1.0 / i)

    md = "第五十五条 从业人员发现直接危及人身安全的紧急情况时，有权停止作业。"
    pdf = "第五十五条 从业人员发现直接危及人身安全的紧急情况时, 有权停止作业 。"  # extraction noise
    hits = [hit(1, md), hit(2, pdf), hit(3, md, title="北京市安全生产条例"),
            hit(4, md, path=("第三章", "第五十六条")), hit(5, "第五十五条 生产经营单位应当……")]
    assert [h.chunk_id for h in collapse_duplicates(hits)] == [1, 3, 4, 5]
    assert collapse_duplicates([]) == []


@given(st.floats(0, 1), st.floats(0, 1))
def test_bm25_weighs_less_the_less_of_the_question_its_best_passage_holds(a, b):
    from kb.retrieve import LEXICAL_WEIGHT, PARAPHRASE_LEXICAL_WEIGHT, lexical_weight

    low, high = sorted((a, b))
    assert PARAPHRASE_LEXICAL_WEIGHT <= lexical_weight(low) <= lexical_weight(high) \
        <= LEXICAL_WEIGHT


def test_a_paraphrased_question_leans_on_meaning():
    from kb.retrieve import WORDING_COVERAGE, lexical_weight, rank

    assert lexical_weight(WORDING_COVERAGE[1]) == lexical_weight(1.0)
    assert lexical_weight(WORDING_COVERAGE[0]) == lexical_weight(0.0)
    # Passage 1 shares the question's words; passage 2 means the same as the question.
    lexical = Scores({1: 8.0, 2: 2.0}, mean=0.0, std=1.0)
    chunk = Scores({1: 0.80, 2: 0.84}, mean=0.80, std=0.02)
    sentence = Scores({1: 0.80, 2: 0.86}, mean=0.80, std=0.02)
    worded = rank("hybrid", lexical, chunk, sentence, lexical_share=lexical_weight(0.9))
    paraphrased = rank("hybrid", lexical, chunk, sentence, lexical_share=lexical_weight(0.1))
    assert worded[0][0] == 1 and paraphrased[0][0] == 2


def test_hits_stating_what_is_asked_are_raised_among_the_first_few():
    from kb.quoting import answer_test
    from kb.records import SearchHit
    from kb.retrieve import ANSWER_WINDOW, STATES_ANSWER_BONUS, prefer_stating

    def hit(i, text, score, title="校车安全管理条例"):
        return SearchHit(chunk_id=i, doc_id=1, text=text, title=title, source="x",
                         section_path=(), score=score)

    unit = answer_test("使用未取得校车标牌的车辆提供校车服务的，处多少罚款？")
    rule = hit(1, "禁止使用未取得校车标牌的车辆提供校车服务。", 2.0)
    penalty = hit(2, "使用未取得校车标牌的车辆提供校车服务的，处1万元以上2万元以下的罚款。", 1.6)
    other = hit(3, "校车标牌应当载明本车的号牌号码。", 0.5)
    raised = prefer_stating([rule, penalty, other], unit)
    assert [h.chunk_id for h in raised] == [2, 1, 3]
    assert raised[0].score == 1.6 + STATES_ANSWER_BONUS
    # Far behind, a passage stating the unit stays behind.
    assert prefer_stating([hit(1, rule.text, 9.0), penalty], unit)[0].chunk_id == 1
    # Beyond the first few it is not looked at: the answer reads no further.
    fillers = [hit(10 + i, "校车应当配备安全设备。", 3.0 - 0.1 * i) for i in range(ANSWER_WINDOW)]
    assert prefer_stating([*fillers, penalty], unit)[-1] == penalty
    # A named document's hits stay first.
    elsewhere = hit(4, "处2000元以上5000元以下的罚款。", 1.9, title="其他条例")
    named = prefer_stating([rule, elsewhere], unit, named={"校车安全管理条例"})
    assert [h.chunk_id for h in named] == [1, 4]


def test_what_a_question_asks_a_passage_to_state():
    from kb.quoting import answer_test

    days = answer_test("发生事故后多少天内要上报？")
    assert days("应当在30日内上报。") and not days("应当及时上报。")
    sanction = answer_test("未投保安全生产责任保险的，怎么处罚？")
    assert sanction("处五万元以上十万元以下的罚款。") and not sanction("应当投保安全生产责任保险。")
    assert answer_test("谁负责推进城区铁路平交道口立交化改造？") is None
