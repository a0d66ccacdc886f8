"""Questions about an organisation's own rules (a handbook, internal rules) are refused."""

import pytest

from kb import KnowledgeBase
from kb.docfacts import cited_own_rules, is_own_document


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("我们厂的安全管理手册规定夜班每两小时巡检一次，漏检一次按公司制度要扣多少分？", "厂的安全管理手册"),
        ("我们集团内部安全考核办法规定，一年内有几次违章就要调岗？", "内部安全考核办法"),
        ("某炼油厂内部规定的动火作业票有效期是几个小时？", "内部规定"),
        ("按照公司规定，动火作业要提前几天审批？", "按照公司规定"),
        ("员工守则里对劳保用品是怎么要求的？", "员工守则"),
        ("我们厂规定进车间要穿工作服，违反一次扣多少钱？", "我们厂规定"),
        ("我们公司的制度规定加班要提前几天申请？", "我们公司的制度"),
        # What the law requires of such rules, or of the company, is answerable.
        ("企业内部的安全管理制度里应该包括哪些内容?", None),
        ("企业内部应该建立哪些安全制度?", None),
        ("我们是一家贸易公司，员工八十来人，需要配专职的安全管理人员吗？", None),
        ("公司员工手册里规定的劳动防护用品，公司要免费发吗?", None),  # asks no content
        ("生产经营单位应当建立什么安全生产规章制度?", None),
        ("发生事故后多长时间内上报?", None),
        ("我们公司规定加班不给加班费，这合法吗？", None),  # asks whether the rule is lawful
    ],
)
def test_cited_own_rules(question, named):
    assert cited_own_rules(question) == named


def test_own_documents_are_told_by_their_title():
    assert is_own_document("星河化工有限公司安全生产管理制度")
    assert is_own_document("员工安全手册")
    assert not is_own_document("中华人民共和国安全生产法")
    assert not is_own_document("北京市生产经营单位安全生产主体责任规定")
    assert is_own_document("某集团内部安全考核办法")
    # A regulation governing what organisations do inside is still the state's.
    assert not is_own_document("企业事业单位内部治安保卫条例")
    assert not is_own_document("国有工厂安全管理条例（试行）")


def test_refused_until_the_organisations_own_document_is_stored(kb_copy, tmp_path):
    question = "按照公司规定，新员工上岗前的安全培训要多少学时？"
    kb = KnowledgeBase(kb_copy)
    refused = kb.answer(question)
    assert refused.refused
    assert "按照公司规定" in refused.text and "公开的法律法规" in refused.text
    assert refused.citations  # the public rules on training are still shown as related
    assert not kb.answer("生产经营单位的从业人员超过多少人应当设置安全生产管理机构?").refused

    own = tmp_path / "星河化工有限公司安全培训管理制度.txt"
    own.write_text("星河化工有限公司安全培训管理制度\n"
                   "第一条 为加强本公司安全培训，制定本制度。\n"
                   "第二条 新员工上岗前的安全培训不少于七十二学时，考试合格后方可上岗。\n",
                   encoding="utf-8")
    assert not kb.ingest([own]).failed
    answered = kb.answer(question)
    assert not answered.refused
    assert "七十二学时" in answered.text
