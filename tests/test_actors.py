"""Who acts: the party a question asks about, a sentence's subject, and the quote they choose."""

import pytest
from hits import passage

from kb.actors import (
    AUTHORITY,
    MATCH_WEIGHT,
    MISMATCH_WEIGHT,
    ORGANISATION,
    party_weight,
    question_party,
    sentence_subject,
    statutory_parties,
)
from kb.answer import extractive_answer
from kb.quoting import best_sentences
from kb.records import SearchHit


@pytest.mark.parametrize("question, party", [
    ("员工在车间干活受了伤，公司最晚要在多长时间内去申请工伤认定？", ORGANISATION),
    ("用人单位应当在多长时间内提出工伤认定申请？", ORGANISATION),
    ("我们得给工人配什么劳保用品？", ORGANISATION),
    ("企业拒不执行停产决定，监管部门要采取停止供电的措施，需要提前多久通知企业？", AUTHORITY),
    ("监理发现隐患，施工单位却拒不停工，项目监理机构该怎么办？", AUTHORITY),
    # A party that is not the subject: what is asked about, or who is told.
    ("海淀区要求哪些地方自己组建专职消防队？", None),
    ("家里着火叫了消防队来灭火，事后要付钱吗？", None),
    ("企业取得安全生产许可证有什么条件？", None),
    ("安全生产许可证的有效期是几年？", None),
])
def test_the_party_a_question_asks_about(question, party):
    assert question_party(question) == party


@pytest.mark.parametrize("sentence, subject", [
    ("第十七条 职工发生事故伤害，所在单位应当自事故伤害发生之日起30日内提出工伤认定申请。",
     ORGANISATION),
    ("第二十条 社会保险行政部门应当自受理工伤认定申请之日起60日内作出工伤认定的决定。", AUTHORITY),
    # The subject opens the sentence; a circumstance stands between it and the modal.
    ("负有安全生产监督管理职责的部门依照前款规定采取停止供电措施，除有危及生产安全的紧急情形外，"
     "应当提前二十四小时通知生产经营单位。", AUTHORITY),
    # A condition ("…的") is not the subject.
    ("生产经营单位拒不执行，有发生生产安全事故的现实危险的，负有安全生产监督管理职责的部门可以"
     "采取停止供电措施。", AUTHORITY),
    ("工伤职工或者其近亲属可以直接提出工伤认定申请。", None),
    ("安全生产许可证的有效期为3年。", None),
])
def test_the_subject_of_a_sentence(sentence, subject):
    assert sentence_subject(sentence) == subject


def test_the_weight_favours_the_sentence_about_the_party_asked():
    question = "公司应该在多少天内申请工伤认定？"
    assert MATCH_WEIGHT > 1.0 > MISMATCH_WEIGHT
    assert party_weight(question, "所在单位应当自…起30日内提出工伤认定申请。") == MATCH_WEIGHT
    assert party_weight(question, "社会保险行政部门应当自…起60日内作出决定。") == MISMATCH_WEIGHT
    assert party_weight(question, "工伤认定申请表应当包括事故发生的时间。") == 1.0
    assert party_weight("工伤认定要多少天？", "社会保险行政部门应当…60日内作出决定。") == 1.0


def _hit(chunk_id: int, text: str, score: float) -> SearchHit:
    return passage(chunk_id, text, score, title="工伤保险条例", source="工伤保险条例.md",
                   section_path=("第三章 工伤认定",))


def test_the_answer_quotes_what_the_company_must_do_not_the_authority():
    # Retrieval puts the employer's article first; the authority's article, just below it,
    # repeats more of the question's words ("申请工伤认定") and used to give the answer.
    employer = _hit(17, "第十七条 职工发生事故伤害或者按照职业病防治法规定被诊断、鉴定为职业病，"
                        "所在单位应当自事故伤害发生之日或者被诊断、鉴定为职业病之日起30日内，"
                        "向统筹地区社会保险行政部门提出工伤认定申请。", 5.91)
    authority = _hit(20, "第二十条 社会保险行政部门应当自受理工伤认定申请之日起60日内作出工伤认定的"
                         "决定，并书面通知申请工伤认定的职工或者其近亲属和该职工所在单位。", 5.79)
    question = "员工在车间干活受了伤，公司最晚要在多长时间内去申请工伤认定？"
    answer = extractive_answer(question, [employer, authority], 0.9)
    assert "30日内" in answer.text and "60日内" not in answer.text
    # Asked about the authority, the authority's article answers.
    answer = extractive_answer("社会保险行政部门应当在多长时间内作出工伤认定的决定？",
                               [employer, authority], 0.9)
    assert "60日内" in answer.text


def test_everyday_names_of_parties_have_their_statutory_names():
    assert statutory_parties("该房东修还是租客自己修?") == ["出租人", "承租人"]
    assert statutory_parties("燃气灶坏了谁修?") == []


def test_asked_about_a_landlord_the_sentence_on_the_lessor_is_quoted():
    text = ("燃气用户应当安装、使用符合标准的燃气燃烧器具及其连接管、燃气泄漏报警装置，并按照使用年限"
            "要求进行更换。\n房屋出租人出租房屋应当承担燃气设施和用气设备的维护、维修责任，"
            "承租人应当承担日常燃气使用安全责任。")
    quote = best_sentences("燃气灶的连接管、报警器坏了，该房东修还是租客自己修？", text)
    assert quote.startswith("房屋出租人")
