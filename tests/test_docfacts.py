"""Questions about a document's own 文号, dates and issuer, answered from its metadata."""

import pytest

from kb import KnowledgeBase
from kb.answer import document_fact_answer
from kb.docfacts import asked_fact, display, title_match


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ("海淀区方案的文号是什么?", "doc_number"),
        ("这个文件的发文字号", "doc_number"),
        ("安全生产法什么时候施行?", "date_effective"),
        ("安全生产法自何时起施行", "date_effective"),
        ("方案是哪一天印发的", "date_published"),
        ("条例什么时候通过的", "date_adopted"),
        ("条例的发文机关是哪个", "issuer"),
        ("方案由哪个部门印发", "issuer"),
        ("发生事故后多长时间内上报?", None),
        ("谁负责推进城区铁路平交道口立交化改造?", None),
        ("施工单位应当在什么时候施工前办理手续", None),
    ],
)
def test_asked_fact(question, field):
    asked = asked_fact(question)
    assert (asked[0] if asked else None) == field


def test_title_match_and_display():
    assert title_match("海淀区推进城市安全发展实施方案的 是什么", "海淀区关于推进城市安全发展的实施方案") > 0.9
    assert title_match("上海市浦东新区安全发展方案的 是什么", "海淀区关于推进城市安全发展的实施方案") < 0.75
    assert display("date_effective", "2021-09-01") == "2021年9月1日"
    assert display("date_published", "2020-09") == "2020年9月"
    assert display("doc_number", "海政办发〔2020〕14号") == "海政办发〔2020〕14号"


def test_document_facts_answered_with_the_line_that_states_them(sample_kb_dir):
    kb = KnowledgeBase(sample_kb_dir)
    answer = kb.answer("海淀区推进城市安全发展实施方案的文号是什么?")
    assert not answer.refused
    assert answer.text == "《海淀区关于推进城市安全发展的实施方案》的文号：海政办发〔2020〕14号。"
    assert "海政办发〔2020〕14号" in answer.citations[0].sentence
    assert answer.citations[0].sentence in answer.citations[0].text
    when = kb.answer("安全生产法自何时起施行?")
    assert "2002年11月1日" in when.text and "起施行" in when.citations[0].sentence


def test_unknown_document_or_missing_fact_falls_through(sample_kb_dir):
    kb = KnowledgeBase(sample_kb_dir)
    assert document_fact_answer(kb, "上海市浦东新区安全发展方案的文号是什么") is None
    assert kb.answer("上海市浦东新区安全发展方案的文号是什么").refused
    assert document_fact_answer(kb, "中华人民共和国安全生产法的文号是什么") is None  # none stated
    assert document_fact_answer(kb, "企业落实主体责任要做到哪几个到位?") is None


def test_a_title_is_named_exactly_or_without_the_states_name():
    from kb.docfacts import named_titles

    titles = ["中华人民共和国矿山安全法", "中华人民共和国矿山安全法实施条例",
              "北京市实施《中华人民共和国矿山安全法》办法", "大型群众性活动安全管理条例",
              "北京市大型群众性活动安全管理条例"]
    assert named_titles("按照《矿山安全法》，谁负责调查?", titles) == {"中华人民共和国矿山安全法"}
    assert named_titles("《大型群众性活动安全管理条例》规定了什么?", titles) \
        == {"大型群众性活动安全管理条例"}
    assert named_titles("《矿山安全法实施条例》和《北京市大型群众性活动安全管理条例》", titles) \
        == {"中华人民共和国矿山安全法实施条例", "北京市大型群众性活动安全管理条例"}
    assert named_titles("《消防法》规定了什么?", titles) == set()  # not stored


def test_a_title_is_named_without_brackets_but_not_inside_a_longer_name_or_word():
    from kb.docfacts import named_titles

    titles = ["中华人民共和国矿山安全法", "中华人民共和国矿山安全法实施条例",
              "北京市实施《中华人民共和国矿山安全法》办法", "中华人民共和国消防法", "实施方案"]
    assert named_titles("矿山安全法规定了什么?", titles) == {"中华人民共和国矿山安全法"}
    assert named_titles("按照矿山安全法实施条例，矿长要做什么?", titles) \
        == {"中华人民共和国矿山安全法实施条例"}
    assert named_titles("北京市实施矿山安全法办法里有什么规定?", titles) \
        == {"北京市实施《中华人民共和国矿山安全法》办法"}
    # 法规 and 法律 are words; a stored title that is no name ("实施方案") names nothing.
    assert named_titles("违反消防法规的单位怎么处罚?", titles) == set()
    assert named_titles("消防法律责任有哪些?", titles) == set()
    assert named_titles("推进矿山安全法治化建设", titles) == set()
    assert named_titles("这份实施方案的目标是什么?", titles) == set()


def test_a_question_without_a_document_kind_word_names_nothing_and_skips_the_titles():
    from kb.docfacts import may_name_a_document, named_titles

    titles = ["中华人民共和国消防法", "北京市消防条例", "海淀区关于推进城市安全发展的实施方案"]
    for question in ("按照消防法，谁负责?", "北京市消防条例规定了什么?", "海淀区关于推进城市安全发展的实施方案"):
        assert may_name_a_document(question) and named_titles(question, titles), question
    question = "动火作业前要办理什么手续?"
    assert not may_name_a_document(question) and not named_titles(question, titles)


def test_a_question_without_the_names_of_the_documents_it_names():
    from kb.docfacts import without_names

    rest = without_names("按照《大型群众性活动安全管理条例》，观众不配合安检会怎样？",
                         {"大型群众性活动安全管理条例"})
    assert "大型群众性活动" not in rest and "观众不配合安检会怎样" in rest
    rest = without_names("依据安全生产法和消防法，单位要做什么?",
                         {"中华人民共和国安全生产法", "中华人民共和国消防法"})
    assert "安全生产法" not in rest and "消防法" not in rest and "单位要做什么" in rest
    # Little left besides the name: the question itself is searched.
    assert without_names("《安全生产法》", {"中华人民共和国安全生产法"}) == "《安全生产法》"
    assert without_names("安全生产法全文", {"中华人民共和国安全生产法"}) == "安全生产法全文"


LAWS = ("安全生产许可证条例.md", "大型群众性活动安全管理条例.md", "北京市烟花爆竹安全管理规定.md")


@pytest.fixture(scope="module")
def three_laws_kb(tmp_path_factory):
    from conftest import CORPUS

    kb = KnowledgeBase(tmp_path_factory.mktemp("laws") / "kb")
    assert kb.ingest([CORPUS / name for name in LAWS]).ok
    return kb


@pytest.mark.parametrize("question", [
    "大型群众性活动安全管理条例里，观众不配合安检会怎样？",
    "北京市烟花爆竹安全管理规定中，过年家里能放多少烟花？",
    "按照北京市烟花爆竹安全管理规定，哪些地方不准放鞭炮？",
])
def test_a_question_naming_a_law_finds_an_article_not_its_title_page(three_laws_kb, question):
    """Every passage of a law carries its title, the title page most of all: asked within a
    named law, passages are ranked by what is asked."""
    hits = three_laws_kb.search(question, k=3)
    assert hits[0].section_path and hits[0].section_path[-1].startswith("第"), hits[0]
    assert {h.title for h in hits} == {"北京市烟花爆竹安全管理规定" if "烟花" in question
                                        else "大型群众性活动安全管理条例"}
