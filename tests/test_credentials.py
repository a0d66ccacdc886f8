"""A question naming one licence is not answered from an article about another."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.credentials import (
    about_credential,
    credential_names,
    names_a_credential,
    other_credential,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
LICENCE_RULES = REPO_ROOT / "data" / "corpus" / "安全生产许可证条例.md"
TERM = "第九条 安全生产许可证的有效期为3年。安全生产许可证有效期满需要延期的，企业应当于期满前3个月办理延期手续。"


@pytest.mark.parametrize("question, names", [
    ("使用有毒物品的企业领到的职业卫生安全许可证有效期是几年？", ("职业卫生安全许可证",)),
    ("公司的安许证过期了一直没去办延期，会怎么罚？", ("安许证",)),
    ("醉驾被吊了驾照，多少年内不能再考？", ("驾照",)),
    ("船员的适任证是靠行贿拿到的，会怎么处理？", ("适任证",)),
    ("建筑施工企业出借资质证书，要承担什么责任？", ("资质证书",)),
    ("领了施工许可证后多长时间内必须开工？", ("施工许可证",)),
    ("没拿到特种行业许可证就开旅馆，会受到什么处罚？", ("特种行业许可证",)),
    # A negated verb is no part of the name, whichever verb it is.
    ("没考操作证就开拖拉机，被查到要罚多少钱？", ("操作证",)),
    ("未领营业执照就开业，怎么处理？", ("营业执照",)),
])
def test_the_licence_a_question_names(question, names):
    assert credential_names(question) == names


@pytest.mark.parametrize("question", [
    "开叉车的工人需要持什么证才能上岗？",  # asks which one: names none
    "爆破单位要去公安申请许可证吗？",  # 许可证 alone
    "特种作业人员必须持证上岗吗？",
    "海事部门调查取证结束后多久给出结论？",
    "建设项目实施前需要做哪些安全评估论证？",
    "乘车要出示什么证件？",
    "第一次酒后开车会被扣证多久？",
    "单位的电梯检验合格证快到期了，要提前多久申请定期检验？",  # an inspection's mark
])
def test_no_licence_is_named(question):
    assert credential_names(question) == ()


def test_a_passage_about_another_licence():
    assert other_credential(("采矿许可证",), TERM)
    assert other_credential(("职业卫生安全许可证",), TERM)
    assert other_credential(("叉车证",), "第八条 特种作业人员应当取得相应资格证书，方可上岗作业。")


def test_a_licence_written_out_in_full_is_the_same_one():
    assert not other_credential(("安全生产许可证",), TERM)
    assert not other_credential(("安许证",), TERM)
    assert not other_credential(("驾照",), "吊销机动车驾驶证，五年内不得重新取得机动车驾驶证。")
    assert not other_credential(("危化品经营许可证",), "申请人持危险化学品经营许可证办理登记。")
    assert not other_credential(("零售许可证",), "零售经营者应当取得《烟花爆竹经营（零售）许可证》。")
    # A list sharing its modifier names each of its items.
    assert not other_credential(("机动车驾驶证",), "伪造机动车登记证书、号牌、行驶证、驾驶证的，予以收缴。")
    # Any of the question's licences will do.
    assert not other_credential(("采矿许可证", "安全生产许可证"), TERM)


def test_a_passage_names_the_asked_licence():
    assert about_credential(("安许证",), TERM)
    assert about_credential(("机动车驾驶证",), "伪造机动车登记证书、号牌、行驶证、驾驶证的。")
    assert not about_credential(("采矿许可证",), TERM)
    assert not about_credential(("采矿许可证",), "特种作业人员必须持证上岗。")
    assert not about_credential((), TERM)


def test_a_passage_naming_no_licence_is_not_judged():
    assert not other_credential(("优惠证",), "乘客不得冒用他人证件乘车。")
    assert not other_credential(("采矿许可证",), "特种作业人员必须持证上岗。")
    assert not other_credential((), TERM)



def test_a_passage_speaking_of_a_licence_bare_is_about_its_documents():
    # A regulation names its licence once, or never, and then says "许可证": the article on its
    # term answers a question calling the licence by a name whose words the document holds
    # (辐射安全许可证 in a regulation on 辐射安全), and no question on another licence.
    bare = ("第十三条 许可证有效期为5年。有效期届满，需要延续的，持证单位应当于许可证有效期"
            "届满30日前，向原发证机关提出延续申请。")
    document = "放射性同位素与射线装置安全和防护条例 … 辐射安全管理 … " + bare
    assert not names_a_credential(bare)
    assert about_credential(("辐射安全许可证",), bare, document)
    assert not other_credential(("辐射安全许可证",), bare, document)
    assert other_credential(("药品经营许可证",), bare, document)
    assert other_credential(("辐射安全许可证",), bare)  # its document unknown
    assert names_a_credential(TERM)
    assert names_a_credential("被吊销《特种行业许可证》的，五年内不得重新申领。")

TOXIC_RULES = """# 某市使用有毒物品作业场所管理办法
第一条 为了保护从事使用有毒物品作业的劳动者的生命安全、身体健康，制定本办法。
第二条 用人单位应当每年对使用有毒物品作业场所进行一次职业中毒危害因素检测，检测结果存入职业卫生档案。
第三条 从事使用高毒物品作业的劳动者，每三年至少进行一次职业健康检查。
"""


def test_another_licences_term_is_not_an_answer(tmp_path):
    # Real knowledge base and default embedder. Before, "采矿许可证" was answered with
    # 安全生产许可证's three years, the only term of validity the knowledge base states,
    # and the toxic-substances licence from that article or from the rules on toxic
    # substances, which name no licence at all.
    from kb.store import KnowledgeBase

    (tmp_path / "toxic.md").write_text(TOXIC_RULES, encoding="utf-8")
    kb = KnowledgeBase(tmp_path / "kb")
    assert kb.ingest([LICENCE_RULES, tmp_path / "toxic.md"]).ok
    for question in ("采矿许可证的有效期最长可以批多少年？", "危险化学品经营许可证的有效期是几年？",
                     "使用有毒物品的企业领到的职业卫生安全许可证有效期是几年？"):
        answer = kb.answer(question)
        assert answer.refused, (question, answer.text)
    answer = kb.answer("安全生产许可证的有效期是几年？")
    assert not answer.refused and "有效期为3年" in answer.text, answer.text
    answer = kb.answer("公司的安许证过期了还没去办延期，被查到会怎么罚？")
    assert not answer.refused and "安全生产许可证" in answer.text, answer.text
