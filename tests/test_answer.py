"""Answer composition (pure parts): answering sentences, coverage, places, duty answers."""

import pytest
from hits import passage

from kb.answer import (
    REFUSAL_TEXT,
    Calibration,
    duty_answer,
    extractive_answer,
    question_parts,
    refusal,
)
from kb.quoting import answer_test, best_sentences, coverage, question_terms
from kb.records import Duty, SearchHit

PASSAGE = ("第八十三条 事故发生后，事故现场有关人员应当立即报告本单位负责人。"
           "单位负责人接到事故报告后，应当于1小时内向事故发生地县级以上人民政府应急管理部门报告。"
           "情况紧急时，事故现场有关人员可以直接报告。")


def hit(text: str = PASSAGE) -> SearchHit:
    return SearchHit(chunk_id=1, doc_id=1, text=text, title="生产安全事故报告和调查处理条例",
                     source="a.md", section_path=("第三章", "第八十三条"), score=1.0)


def test_a_class_asked_in_chinese_numerals_is_quoted_from_its_roman_numeral():
    text = ("第四十条 从重到轻将辐射事故分为特别重大辐射事故、重大辐射事故、较大辐射事故和一般辐射事故。"
            "特别重大辐射事故，是指Ⅰ类、Ⅱ类放射源丢失、被盗、失控造成大范围严重辐射污染后果。"
            "较大辐射事故，是指Ⅲ类放射源丢失、被盗、失控。"
            "一般辐射事故，是指Ⅳ类、Ⅴ类放射源丢失、被盗、失控。")
    quote = best_sentences("一枚三类放射源丢了，属于哪一级辐射事故？", text)
    assert quote.startswith("较大辐射事故，是指Ⅲ类")


def test_an_item_of_a_list_is_read_with_the_sentence_announcing_it():
    # The fine is in the lead, the case in the item: neither answers alone, and a later
    # sentence sharing more of the question's words must not win over the two together.
    text = ("第一百一十四条 发生生产安全事故，对负有责任的生产经营单位除要求其依法承担相应的赔偿等责任外，"
            "由应急管理部门依照下列规定处以罚款：\n（一）发生一般事故的，处三十万元以上一百万元以下的罚款；\n"
            "（二）发生较大事故的，处一百万元以上二百万元以下的罚款；\n"
            "发生生产安全事故，情节特别严重、影响特别恶劣的，应急管理部门可以按照前款罚款数额的"
            "二倍以上五倍以下对负有责任的生产经营单位处以罚款。")
    quote = best_sentences("发生一般生产安全事故，负有责任的企业会被应急管理部门罚款多少？", text)
    assert quote.startswith("第一百一十四条") and quote.endswith("一百万元以下的罚款；")
    text = ("第六十四条 有下列情形之一的，为一般事故：\n(一)压力容器、压力管道有毒介质泄漏，造成500人以上1万人以下转移的；\n"
            "(二)电梯轿厢滞留人员2小时以上的；\n"
            "除前款规定外，国务院有关部门可以对一般事故的其他情形做出补充规定。")
    quote = best_sentences("电梯困人困了多久就算是特种设备一般事故了？", text)
    assert "为一般事故" in quote and quote.endswith("电梯轿厢滞留人员2小时以上的；")


def test_best_sentence_is_an_exact_substring_that_answers():
    sentence = best_sentences("单位负责人接到事故报告后多长时间内上报?", PASSAGE)
    assert sentence in PASSAGE
    assert "1小时内" in sentence


def test_the_sentence_after_a_restated_question_is_kept():
    text = ("2.严格建设项目安全评估论证。加强建设项目实施前的评估论证。"
            "依法施行安全预评价、安全设施设计审核。\n责任单位:区住房城乡建设委")
    answer = best_sentences("建设项目实施前要做哪些评估论证?", text)
    assert "安全预评价" in answer and "责任单位" not in answer


def test_an_enumeration_is_kept_with_its_lead_sentence():
    text = "生产经营单位的主要负责人负有下列职责：\n（一）建立健全责任制；\n（二）组织制定规章制度；"
    assert "（一）建立健全责任制" in best_sentences("主要负责人有哪些职责", text)


def test_asked_what_a_named_section_holds_its_whole_paragraph_answers():
    text = ("(五)有限空间安全提升工程\n"
            "加强有限空间风险排查工作,督促企业自主开展有限空间隐患排查整治工作。加大企业有限空间"
            "安全作业培训力度,定期组织开展有限空间作业技能培训。组织开展有限空间安全社会宣传教育活动。")
    path = ("四、重点工程", "(五)有限空间安全提升工程")
    answer = best_sentences("有限空间安全提升工程具体要做哪些事？", text, headings=path)
    assert answer.startswith("加强有限空间风险排查") and answer.endswith("宣传教育活动。")
    # Asked one detail of it, the sentence answering that is the quote.
    assert best_sentences("有限空间安全提升工程要定期组织开展什么培训？", text,
                          headings=path).startswith("加大企业")


def test_coverage_counts_question_terms_found():
    terms = question_terms("事故报告的时限")
    assert coverage(terms, PASSAGE) > coverage(terms, "烟花爆竹不得在文物保护单位燃放。")
    assert coverage(set(), PASSAGE) == 0.0


def test_calibration_confidence_is_monotonic():
    cal = Calibration(threshold=0.5, coverage_weight=5, sentence_weight=2, dense_weight=10,
                      sentence_dense_weight=4, bias=-14)

    def conf(cov: float, sent: float, dense: float, sent_dense: float = 0.5) -> float:
        return cal.confidence({"coverage": cov, "sentence_coverage": sent, "dense": dense,
                               "sentence_dense": sent_dense})

    assert conf(0.9, 0.5, 0.9) > conf(0.3, 0.5, 0.9) > conf(0.3, 0.5, 0.5)
    assert conf(0.3, 0.9, 0.5) > conf(0.3, 0.5, 0.5)
    assert conf(0.3, 0.5, 0.5, 0.9) > conf(0.3, 0.5, 0.5, 0.5)


def test_refusal_shows_related_passages_but_no_answer():
    answer = refusal("怎样申请护照?", [hit()], 0.1)
    assert answer.refused and answer.text == REFUSAL_TEXT
    assert answer.citations and not answer.citations[0].sentence


def test_duty_answer_lists_units_lead_first_and_quotes_the_task():
    duty = Duty(task="加强交通安全管理", lead="区城市管理委(区交通委)",
                others=("海淀交通支队", "各街镇"), doc_id=1, title="方案", source="p.txt",
                section_path=("三、主要任务及分工",), quote="5.加强交通安全管理。配合推进立交化改造。")
    passage = "5.加强交通安全管理。配合推进立交化改造。\n责任单位:区城市管理委(区交通委)、海淀交通支队等,各街镇"
    answer = duty_answer("谁负责立交化改造?", duty, hit(passage), 0.9)
    assert answer.units == ["区城市管理委(区交通委)", "海淀交通支队", "各街镇"]
    assert answer.text.index("区城市管理委(区交通委)") < answer.text.index("海淀交通支队")
    assert answer.citations[0].sentence == duty.quote


# ----- answers from a real knowledge base (海淀 plan + 安全生产法, built once per session) -----

def test_who_is_responsible_is_answered_from_the_duty_table(sample_kb_dir):
    from kb.store import KnowledgeBase

    answer = KnowledgeBase(sample_kb_dir).answer("谁负责推进城区铁路平交道口立交化改造?")
    assert not answer.refused
    assert answer.units[0] == "区城市管理委(区交通委)"
    assert "市规划自然资源委海淀分局" in answer.units
    assert "平交道口立交化改造" in answer.citations[0].text
    assert answer.citations[0].source == "004_d3794485e0af9f99.txt"


@pytest.mark.parametrize("question", [
    "谁来推进城区铁路平交道口立交化改造?",
    "城区铁路平交道口立交化改造是哪个部门的职责?",
    "在海淀区，城区铁路平交道口立交化改造由哪个单位牵头负责?",
])
def test_who_is_responsible_in_other_words(sample_kb_dir, question):
    from kb.store import KnowledgeBase

    answer = KnowledgeBase(sample_kb_dir).answer(question)
    assert answer.units[:2] == ["区城市管理委(区交通委)", "市规划自然资源委海淀分局"]


def test_a_question_in_traditional_characters_is_answered(sample_kb_dir):
    from kb.store import KnowledgeBase

    question = "誰負責推進城區鐵路平交道口立交化改造？"
    answer = KnowledgeBase(sample_kb_dir).answer(question)
    assert answer.question == question  # as typed
    assert answer.units[0] == "区城市管理委(区交通委)"


def test_a_question_in_two_parts_gets_the_units_and_the_other_part_answered(sample_kb_dir):
    from kb.store import KnowledgeBase

    answer = KnowledgeBase(sample_kb_dir).answer(
        "谁负责推进城区铁路平交道口立交化改造？要消除哪里的平交道口？")
    assert answer.units[0] == "区城市管理委(区交通委)"
    first, second = answer.text.split("\n")
    assert "区城市管理委(区交通委)" in first and "人员密集区域" in second
    assert len({c.chunk_id for c in answer.citations}) == len(answer.citations)


def test_article_answer_cites_the_article_with_the_sentence_marked(sample_kb_dir):
    from kb.store import KnowledgeBase

    answer = KnowledgeBase(sample_kb_dir).answer("从业人员发现直接危及人身安全的紧急情况时有什么权利?")
    assert not answer.refused
    top = answer.citations[0]
    assert top.title == "中华人民共和国安全生产法"
    assert top.section_path[-1] == "第五十五条"
    assert top.sentence and top.sentence in top.text and top.sentence in answer.text
    assert "停止作业" in answer.text


def test_out_of_scope_questions_are_refused(sample_kb_dir):
    from kb.store import KnowledgeBase

    kb = KnowledgeBase(sample_kb_dir)
    for question in ("怎样申请办理出国护照?", "上海市浦东新区的安全生产规划目标是什么?"):
        answer = kb.answer(question)
        assert answer.refused and answer.text == REFUSAL_TEXT, question


def test_asked_what_a_document_is_based_on_its_own_title_does_not_answer():
    text = ("经区政府研究同意，现将《某区燃气安全专项治理方案》印发给你们，请认真贯彻执行。\n"
            "为加强燃气安全管理，根据国务院安委会《全国城镇燃气安全专项整治工作方案》"
            "（安委〔2023〕3号），结合本区实际，制定本方案。")
    question = "某区燃气方案依据的上级文件是哪个?"
    assert "安委〔2023〕3号" in best_sentences(question, text, own_title="某区燃气安全专项治理方案")
    # Without knowing the document's own title, its self-mention looks like an answer.
    assert "印发给你们" in best_sentences(question, text)


def test_a_runner_up_passage_that_answers_much_better_gives_the_answer():
    vague = hit("第五条 高层建筑的管理单位应当加强消防安全管理，落实消防安全责任。")
    exact = SearchHit(chunk_id=2, doc_id=2, title="某区消防安全专项整治方案", source="b.txt",
                      text="（三）高层建筑推行消防安全楼长制度，由楼长负责日常防火巡查。",
                      section_path=("二、主要任务",), score=0.9)
    answer = extractive_answer("高层建筑推行什么消防安全制度?", [vague, exact], 0.9)
    assert "楼长制度" in answer.text
    assert [c.chunk_id for c in answer.citations] == [2, 1]  # the answering passage first
    # A runner-up far below the first passage is not preferred for a slightly better sentence.
    weak = SearchHit(**{**exact.__dict__, "score": 0.2})
    assert "楼长制度" not in extractive_answer("高层建筑推行什么消防安全制度?",
                                               [vague, weak], 0.9).text


def test_a_sentence_announcing_a_list_is_answered_with_its_items():
    text = ("第十七条 消防安全重点单位除应当履行本法第十六条规定的职责外，还应当履行下列消防安全职责：\n"
            "（一）确定消防安全管理人，组织实施本单位的消防安全管理工作；\n"
            "（二）建立消防档案，确定消防安全重点部位，设置防火标志，实行严格管理；\n"
            "（三）实行每日防火巡查，并建立巡查记录；\n"
            "（四）对职工进行岗前消防安全培训，定期组织消防安全培训和消防演练。\n"
            "县级以上地方人民政府消防救援机构应当将发生火灾可能性较大的单位确定为消防安全重点单位。")
    answer = best_sentences("消防安全重点单位还要履行哪些职责?", text)
    assert "还应当履行下列消防安全职责：" in answer and "（三）实行每日防火巡查" in answer
    assert "县级以上地方人民政府" not in answer  # the paragraph after the list is not an item
    # Without an announced list, a new paragraph still ends the quote.
    assert best_sentences("发现火灾隐患怎么办?", "发现火灾隐患应当立即报告。\n（一）其他事项。") \
        == "发现火灾隐患应当立即报告。"


def test_asked_who_the_quote_runs_to_the_tasks_responsible_units():
    text = ("(四)完善双控体系\n"
            "10.建立城市安全风险评估制度。定期开展城市安全风险辨识评估,编制城市安全风险白皮书。\n"
            "责任单位:区应急管理局等、各街镇\n"
            "11.深化隐患排查治理体系。")
    answer = best_sentences("定期开展城市安全风险评估这件事归谁管?", text)
    assert answer.endswith("责任单位:区应急管理局等、各街镇") and "风险辨识评估" in answer
    assert "11." not in answer
    # Not asked who: the quote stays in its paragraph.
    assert "责任单位" not in best_sentences("城市安全风险白皮书多久编制一次?", text)


def test_a_question_asking_two_things_has_two_parts():
    assert question_parts("许可证的有效期是几年？到期怎么延期？") == ["许可证的有效期是几年",
                                                                   "到期怎么延期"]
    assert question_parts("发生事故后多长时间内上报?") == ["发生事故后多长时间内上报?"]
    assert question_parts("是吗?好?") == ["是吗?好?"]  # a one-character part is no question


def test_clauses_that_each_end_in_a_question_word_are_parts_with_shared_context():
    assert question_parts("第一次酒后开车被查，会被扣证多久、罚多少钱？") == [
        "第一次酒后开车被查，会被扣证多久", "第一次酒后开车被查，罚多少钱"]
    # Question words inside a clause ask one thing: 哪些单位、哪些人员 are two subjects.
    for question in ("哪些单位、哪些人员需要培训?", "发生事故后，负责人应当在多长时间内、向哪个部门报告?",
                     "工伤认定申请，单位要在多少天内提出?"):
        assert question_parts(question) == [question]


def test_each_clause_of_a_two_clause_question_is_quoted():
    text = ("第九十一条 饮酒后驾驶机动车的，处暂扣六个月机动车驾驶证，并处一千元以上二千元以下罚款。\n"
            "醉酒驾驶机动车的，由公安机关交通管理部门约束至酒醒，吊销机动车驾驶证。")
    answer = extractive_answer("酒后开车被查，会被扣证多久、罚多少钱？", [hit(text)], 0.9)
    assert "暂扣六个月" in answer.text and "一千元以上二千元以下" in answer.text


def test_how_long_is_answered_by_a_duration_not_a_date():
    passage = ("2013年7月18日 国务院令第653号第一次修订。\n"
               "第九条 安全生产许可证的有效期为3年。")
    assert best_sentences("安全生产许可证第一次领了以后多久要换?", passage) == \
        "第九条 安全生产许可证的有效期为3年。"


def test_both_parts_are_quoted_as_one_span_from_one_passage():
    text = ("第九条 安全生产许可证的有效期为3年。安全生产许可证有效期满需要延期的，企业应当于"
            "期满前3个月向原安全生产许可证颁发管理机关办理延期手续。\n"
            "企业在安全生产许可证有效期内，严格遵守有关安全生产的法律法规，未发生死亡事故的，"
            "安全生产许可证有效期届满时，经原安全生产许可证颁发管理机关同意，不再审查。")
    answer = extractive_answer("安全生产许可证能用几年？快到期了提前多久办延期？", [hit(text)], 0.9)
    assert "有效期为3年" in answer.text and "期满前3个月" in answer.text
    assert answer.citations[0].sentence == answer.text  # one exact span of the passage
    assert answer.citations[0].sentence in text
    # Asked one of the two, the quote is the sentence answering it.
    assert "有效期为3年" not in extractive_answer("许可证快到期了提前多久办延期?",
                                                   [hit(text)], 0.9).text


def test_parts_answered_far_apart_in_one_passage_are_both_quoted():
    conditions = "".join(f"（{n}）符合燃气经营许可的第{n}项条件，具体要求由市城市管理部门另行规定；\n"
                         for n in "一二三四五六七八九十")
    text = ("第十六条 在本市行政区域内从事燃气经营活动的，应当取得区城市管理部门颁发的燃气经营许可证。\n"
            f"取得燃气经营许可证应当具备下列条件：\n{conditions}"
            "区城市管理部门应当自受理燃气经营许可申请之日起十二个工作日内作出行政许可决定。")
    answer = extractive_answer("燃气经营许可证找哪个部门办？受理后多长时间出决定？", [hit(text)], 0.9)
    assert "区城市管理部门颁发" in answer.text and "十二个工作日内" in answer.text
    assert "第十项条件" not in answer.text  # two quotes, not the list between them
    assert answer.citations[0].sentence in text


def test_parts_answered_by_different_passages_are_quoted_from_each():
    who = hit("第三十八条 购买剧毒化学品的，应当向所在地县级人民政府公安机关申请取得购买许可证。")
    when = SearchHit(chunk_id=2, doc_id=1, title="危险化学品安全管理条例", source="a.md",
                     text="第三十九条 申请人应当提交下列材料。公安机关应当自收到材料之日起3日内，"
                          "作出批准或者不予批准的决定。",
                     section_path=("第四章", "第三十九条"), score=0.9)
    answer = extractive_answer("买剧毒化学品要向哪个部门申请许可证?几天能批下来?", [who, when], 0.9)
    assert "县级人民政府公安机关" in answer.text and "3日内" in answer.text
    assert [c.chunk_id for c in answer.citations] == [1, 2]
    assert all(c.sentence and c.sentence in c.text for c in answer.citations)


def test_the_asked_unit_chooses_among_sentences_sharing_no_term():
    text = ("第三十九条 申请人应当提交营业执照的复印件。"
            "公安机关应当自收到材料之日起3日内，作出批准或者不予批准的决定。")
    assert best_sentences("几天能批下来?", text).startswith("公安机关应当自收到材料之日起3日内")


def test_asked_which_day_the_sentence_stating_a_date_answers():
    text = ("第五十二条 每年11月9日为本市消防日。\n"
            "本市各级人民政府和负有消防工作职责的部门应当在消防日组织开展多种形式的消防安全宣传活动。")
    # The title's words count little, so both sentences share only 消防日 with the question.
    assert "11月9日" in best_sentences("北京市的消防日是哪一天?", text, own_title="北京市消防条例")
    assert "11月9日" not in best_sentences("消防日各级政府要组织开展什么活动?", text,
                                            own_title="北京市消防条例")



FIRE_BRIGADE = ("第四十九条 国家综合性消防救援队、专职消防队扑救火灾、应急救援，不得收取任何费用。\n"
                "单位专职消防队、志愿消防队参加扑救外单位火灾所损耗的燃料、灭火剂和器材、装备等，"
                "由火灾发生地的人民政府给予补偿。")
FOREST_FIRE_COSTS = ("第四十五条 参加森林火灾扑救的人员的误工补贴和生活补助以及扑救森林火灾所发生的其他"
                     "费用，按照省、自治区、直辖市人民政府规定的标准，由火灾肇事单位或者个人支付；"
                     "起火单位对起火没有责任或者确实无力支付的，由当地人民政府先行支付。\n"
                     "第四十六条 森林火灾扑灭后，对火灾现场应当全面检查，清理余火。")


@pytest.mark.parametrize("question, text, quoted, states, states_not", [
    # Asked whether something is charged: the sentence on charges (收取费用, 收费, 免费).
    ("家里着火打119，消防队来灭火完了会收钱吗？", FIRE_BRIGADE, "不得收取任何费用",
     ("考核不得收费。", "不得收取任何费用"), "由火灾发生地的人民政府给予补偿。"),
    # Asked who pays: the clause saying who bears or pays a cost.
    ("山火扑灭后，来帮忙救火的人的误工补贴该谁出钱？", FOREST_FIRE_COSTS, "由火灾肇事单位或者个人支付",
     ("职业健康检查费用由用人单位承担。",), "用人单位应当组织职业健康检查。"),
])
def test_asked_about_money_in_everyday_words_the_sentence_stating_it_answers(
        question, text, quoted, states, states_not):
    assert quoted in best_sentences(question, text)
    test = answer_test(question)
    assert all(test(s) for s in states) and not test(states_not)


def test_asked_how_one_is_punished_the_sanction_answers_not_the_duty():
    text = ("第三十六条 矿山、危险化学品等高危行业、领域的生产经营单位，应当投保安全生产责任保险。\n"
            "第五十九条 生产经营单位未投保安全生产责任保险的，责令限期改正，处五万元以上十万元以下的罚款。")
    asked = best_sentences("高危行业的生产经营单位没投保安全生产责任保险，怎么处罚?", text,
                           own_title="北京市安全生产条例")
    assert asked.startswith("第五十九条")
    duty = best_sentences("高危行业的生产经营单位应当投保什么保险?", text,
                          own_title="北京市安全生产条例")
    assert duty.startswith("第三十六条")


FIREWORKS_ARTICLE = (
    "第十一条 禁止在下列地点及其周边销售、燃放烟花爆竹：\n（一）文物保护单位；\n"
    "（二）车站、机场等交通枢纽；\n（三）其他禁止燃放烟花爆竹的地点。\n"
    "前款规定禁止燃放烟花爆竹的地点及其周边具体范围，由有关单位设置明显的禁止燃放烟花爆竹警示标志。")
PERMIT_ARTICLE = (
    "第十五条 大型活动有下列情形之一的，承办者应当向市公安机关申请安全许可：\n"
    "（一）预计参加人数在5000人以上的；\n（二）在市中心区举办的。\n"
    "前款规定以外的其他大型活动，承办者应当向举办所在地区、县公安机关申请安全许可。")


@pytest.mark.parametrize(("question", "text", "lead", "item"), [
    ("燃放烟花爆竹的禁止场所有哪些?", FIREWORKS_ARTICLE, "第十一条", "（一）文物保护单位"),
    # Asked which level or class, the classifying list answers.
    ("办一场两万人的演唱会，安全许可要向哪一级公安机关申请?", PERMIT_ARTICLE, "第十五条", "5000人以上"),
])
def test_asked_which_ones_the_list_is_quoted_with_its_lead(question, text, lead, item):
    answer = best_sentences(question, text)
    assert answer.startswith(lead) and item in answer
    assert "前款规定" not in answer


def test_asked_which_grade_a_list_in_a_runner_up_passage_answers():
    from kb.quoting import best_quote

    law = "地质灾害防治条例"
    definition = passage(1, "第二条 本条例所称地质灾害，包括自然因素或者人为活动引发的山体崩塌、"
                            "滑坡、泥石流等灾害。", 1.0, title=law)
    grades = passage(2, "第四条 地质灾害按照人员伤亡、经济损失的大小，分为四个等级：\n"
                        "(一)特大型：因灾死亡30人以上的；\n(二)大型：因灾死亡10人以上30人以下的；\n"
                        "(三)中型：因灾死亡3人以上10人以下的；\n(四)小型：因灾死亡3人以下的。", 0.8,
                     title=law)
    i, quote = best_quote("后山发生了山体滑坡，死了5个人，这在地质灾害等级里算哪一级？",
                          [definition, grades], None)
    assert i == 1 and "(三)中型" in quote


def test_not_asked_for_a_list_the_sentence_sharing_most_words_answers():
    assert "警示标志" in best_sentences("禁止燃放烟花爆竹的警示标志由谁设置?", FIREWORKS_ARTICLE)


def test_asked_whether_one_may_the_rule_answers_not_the_penalty():
    text = ("第四十一条 对携带烟花爆竹搭乘公共交通工具，或者邮寄烟花爆竹的，由公安部门没收非法携带、"
            "邮寄的烟花爆竹，可以并处200元以上1000元以下的罚款。\n"
            "第二十八条 禁止邮寄烟花爆竹，禁止在托运的行李、包裹、邮件中夹带烟花爆竹。")
    answer = best_sentences("过年想通过快递邮寄点烟花爆竹回老家，可以吗?", text)
    assert answer.startswith("第二十八条 禁止邮寄烟花爆竹")
    assert "罚款" in best_sentences("邮寄烟花爆竹会被罚多少钱?", text)


def test_asked_whether_one_may_a_sentence_saying_who_may_answers():
    text = ("第十七条 职工发生事故伤害，所在单位应当自事故伤害发生之日起30日内，向社会保险行政部门"
            "提出工伤认定申请。\n"
            "用人单位未按前款规定提出工伤认定申请的，工伤职工或者其近亲属在事故伤害发生之日起1年内，"
            "可以直接向用人单位所在地统筹地区社会保险行政部门提出工伤认定申请。")
    assert "1年内" in best_sentences("单位不给报的话，工人自己能去申请吗？", text)


def test_asked_who_a_sentence_naming_a_company_or_operator_answers():
    """The party responsible may be an enterprise, not only a government body."""
    from kb.quoting import sentence_score

    question = "按上海的轨道交通管理条例，地铁运营安全的第一责任方是谁？"
    terms = question_terms(question)
    company = ("轨道交通企业是轨道交通运营安全的责任主体，应当按照有关规定设置安全生产管理机构，"
               "配备专职安全生产管理人员，建立健全安全生产管理制度和操作规程，维护轨道交通运营安全。")
    government = ("市人民政府及其应急、交通等行政管理部门应当按照国家和本市的有关规定对轨道交通"
                  "运营安全事故组织调查和处理，公布事故原因和处理结果。")
    assert sentence_score(question, terms, company, None) \
        > sentence_score(question, terms, government, None)


PENALTY_ARTICLE = (
    "第四十六条 违反本条例规定，有下列行为之一的，由县级以上气象主管机构责令改正，给予警告，"
    "可以处5万元以下的罚款；构成违反治安管理行为的，由公安机关依法给予处罚：\n"
    "(一)擅自向社会发布灾害性天气警报、气象灾害预警信号的；\n"
    "(二)广播、电视、报纸等媒体未按照要求播发灾害性天气警报的。")


def test_an_item_is_quoted_with_the_paragraph_announcing_its_list():
    """The item alone ("(一)擅自…发布…的；") does not say what happens: its lead does."""
    answer = best_sentences("有人擅自在网上发布台风预警信号，会受到什么处罚？", PENALTY_ARTICLE)
    assert answer.startswith("第四十六条") and "5万元以下" in answer
    assert answer.endswith("预警信号的；") and "(二)" not in answer
    # An item of a list too long to quote with its lead is quoted alone.
    long_list = PENALTY_ARTICLE.replace("(一)", "".join(
        f"({n})在建设项目的设计、施工和竣工验收的各个环节中有某种与预警信号完全无关的违法行为的；\n" for n in "一二三四五六七八九十") + "(十一)")
    assert best_sentences("擅自发布台风预警信号会受到什么处罚？", long_list).startswith("(十一)")


def test_a_sentence_referring_back_is_quoted_with_the_one_before():
    text = ("第三十条 各级气象主管机构所属的气象台站应当按照职责向社会统一发布灾害性天气警报和气象灾害"
            "预警信号；其他组织和个人不得向社会发布灾害性天气警报和气象灾害预警信号。\n"
            "其他组织不得擅自设立气象台站。")
    answer = best_sentences("我们园区管委会能不能自己对外发布暴雨预警信号？", text)
    assert answer.startswith("第三十条") and "其他组织和个人不得" in answer
    # The sentence before in another paragraph is not part of it.
    assert best_sentences("其他组织可以设立气象台站吗？", text) == "其他组织不得擅自设立气象台站。"


def test_a_heading_is_not_an_answer_but_what_it_heads_is():
    # Asked what a unit does, its name as an unnumbered heading (Markdown "###", a DOCX
    # heading style) matches best; its passage's section path tells it is a heading, and
    # the duties under it answer.
    unit = SearchHit(chunk_id=3, doc_id=1, title="某区危险化学品事故应急预案", source="plan.md",
                     text="区卫生健康委\n负责组织伤员医疗救治和卫生防疫工作。",
                     section_path=("2.2 成员单位职责", "区卫生健康委"), score=1.0)
    answer = extractive_answer("区卫生健康委在危险化学品事故应急中负责什么？", [unit], 0.9)
    assert "医疗救治" in answer.text
