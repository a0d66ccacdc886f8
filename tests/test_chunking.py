"""Structure-aware chunking: literal documents and hypothesis invariants."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chunking import (
    OVERFLOW,
    chunk_text,
    heading_kind,
    heading_label,
    label_title,
    parse_blocks,
    split_long,
)
from ingest.clean import strip_heading_marks
from ingest.pipeline import prepare_file

# A made-up district emergency plan in the usual 1 / 1.1 / 1.1.1 outline, with a contents list.
EMERGENCY_PLAN = Path(__file__).parent / "data" / "emergency_plan.txt"

LAW = """中华人民共和国安全生产法
第一章 总则
第一条 为了加强安全生产工作，防止和减少生产安全事故，制定本法。
第二章 生产经营单位的安全生产保障
第二十一条 生产经营单位的主要负责人对本单位安全生产工作负有下列职责：
（一）建立健全并落实本单位全员安全生产责任制，加强安全生产标准化建设；
（二）组织制定并实施本单位安全生产规章制度和操作规程；
（三）组织制定并实施本单位安全生产教育和培训计划；
第二十二条 生产经营单位的全员安全生产责任制应当明确各岗位的责任人员、责任范围和考核标准等内容。
"""

PLAN = """海淀区关于推进城市安全发展的实施方案
一、总体要求
(一)指导思想。以习近平新时代中国特色社会主义思想为指导。
三、主要任务及分工
(二)夯实运行基础,确保城市安全
5.加强交通安全管理。配合市级相关部门加快推进城区铁路平交道口立交化改造。
责任单位:区城市管理委(区交通委)、海淀交通支队等,各街镇
6.加强消防安全设施建设和维护。因地制宜规划建设普通、小型和微型消防站。
责任单位:海淀消防救援支队等,各街镇
"""


def squash(text: str) -> str:
    return "".join(text.split())


def test_heading_kinds():
    assert heading_kind("第二十一条 生产经营单位") == "article"
    assert heading_kind("## 第一章 总则") == "chapter"
    assert heading_kind("三、主要任务及分工") == "cn_item"
    assert heading_kind("（九）实施安全发展重点工程") == "cn_paren"
    assert heading_kind("22.实施城市安全风险评估工程") == "num_item"
    assert heading_kind("(1)加强监测") == "num_paren"
    assert heading_kind("2020年,基本形成城市安全发展体系框架") == ""
    assert heading_kind("0.9以下") == ""
    assert heading_kind("第一部分 总体要求") == "division"
    assert heading_kind("①加强风险监测") == "circled"
    assert heading_kind("1）统一指挥现场处置") == "num_half"


def test_decimal_outline_heading_kinds():
    # Emergency plans number their outline 1 / 1.1 / 1.1.1 (GB/T 29639 style).
    assert heading_kind("1 总则") == "decimal1"
    assert heading_kind("1 总 则") == "decimal1"
    assert heading_kind("10 附则") == "decimal1"
    assert heading_kind("1.1 编制目的") == "decimal2"
    assert heading_kind("1.1编制目的") == "decimal2"
    assert heading_kind("4.1.1 报告内容") == "decimal3"
    assert heading_kind("4.1.1.2 现场报告") == "decimal4"
    # Quantities and table fragments are not headings.
    # Titles that merely start like a unit are headings.
    for line in ["3 人员防护", "4 日常管理", "4.2 处置措施", "2.1 台风预警", "3.4 个人防护"]:
        assert heading_kind(line).startswith("decimal"), line
    for line in ["1.5米以上的平台应当设置防护栏杆。", "0.9以下", "3人死亡", "2 人", "12 月",
                 "2016年", "1.1", "2.5倍", "1.5以上", "5 万元", "3 人死亡", "2 起事故", "4 日内",
                 "6.5级以上地震", "3.2公里以内"]:
        assert heading_kind(line) == "", line
    assert label_title("2.2 指挥部办公室") == "指挥部办公室"
    assert label_title("（九）实施安全发展重点工程") == "实施安全发展重点工程"
    assert label_title("1）组织抢险") == "组织抢险" and label_title("1.5米以上") == "1.5米以上"
    assert heading_label("1 总 则", "decimal1") == "1 总则"
    assert heading_label("1.1编制目的", "decimal2") == "1.1 编制目的"
    # Chapter titles spaced out for typography are one word in the section path.
    assert heading_label("## 第一章 总 则", "chapter") == "第一章 总则"
    assert heading_label("第二节  现场处置和调查", "section") == "第二节 现场处置和调查"
    assert heading_label("第二章", "chapter") == "第二章"
    assert heading_kind("附件2") == heading_kind("附件：") == "annex"
    assert heading_kind("附件：1.重点任务分工表") == ""  # a notice listing its attachments


def test_plan_parts_circled_items_and_annexes_give_section_paths():
    text = ("第一部分 总体要求\n一、工作目标\n到2025年，事故总量持续下降。\n"
            "第二部分 主要任务\n一、强化风险管控\n1.开展风险评估\n①加强风险监测。建设监测平台。\n"
            "②完善预警发布。健全发布机制。\n附件1\n重点任务分工表\n序号 任务 责任单位")
    paths = [c.section_path for c in chunk_text(text, max_chars=40)]
    assert ("第二部分 主要任务", "一、强化风险管控", "1.开展风险评估", "②完善预警发布") in paths
    assert ("附件1",) in paths  # the table is not part of the last task


def test_article_stays_whole_with_its_items():
    chunks = chunk_text(LAW)
    art21 = [c for c in chunks if "第二十一条" in c.text]
    assert len(art21) == 1
    assert "（三）组织制定并实施本单位安全生产教育和培训计划" in art21[0].text
    assert art21[0].section_path == ("第二章 生产经营单位的安全生产保障", "第二十一条")
    # Items inside an article are not headings of their own.
    assert all(not c.text.startswith("（") for c in chunks)



def test_a_laws_appendix_is_not_its_last_article_and_keeps_its_items_together():
    text = ("第十五条 用人单位违反本规定的，依法给予赔偿。\n第十六条 本规定自公布之日起施行。\n"
            "附录：\n女职工禁忌从事的劳动范围\n一、女职工禁忌从事的劳动范围：\n(一)矿山井下作业；\n"
            "(二)第四级体力劳动强度的作业。\n二、女职工在经期禁忌从事的劳动范围：\n"
            "(一)第二级、第三级、第四级冷水作业；\n(二)第三级、第四级高处作业。")
    chunks = {c.section_path: c.text for c in chunk_text(text)}
    assert chunks[("第十六条",)] == "第十六条 本规定自公布之日起施行。"
    assert chunks[("附录：", "二、女职工在经期禁忌从事的劳动范围")].endswith(
        "(一)第二级、第三级、第四级冷水作业；\n(二)第三级、第四级高处作业。")
    # Outside a law, an attachment's (一) items are headings of their own, as in a plan.
    plan = "一、主要任务\n附件\n一、重点工程\n(一)风险监测工程\n建设监测平台。"
    assert ("附件", "一、重点工程", "(一)风险监测工程") in [
        c.section_path for c in chunk_text(plan)]

def test_task_stays_with_its_duty_line_and_has_a_section_path():
    chunks = chunk_text(PLAN)
    task5 = next(c for c in chunks if "平交道口立交化改造" in c.text)
    assert "责任单位:区城市管理委(区交通委)、海淀交通支队等,各街镇" in task5.text
    assert "海淀消防救援支队" not in task5.text
    assert task5.section_path == ("三、主要任务及分工", "(二)夯实运行基础,确保城市安全",
                                  "5.加强交通安全管理")
    assert task5.section == "三、主要任务及分工 › (二)夯实运行基础,确保城市安全 › 5.加强交通安全管理"


def test_bare_headings_are_carried_into_the_next_chunk():
    chunks = chunk_text(PLAN)
    assert not any(c.text.strip() == "三、主要任务及分工" for c in chunks)
    assert chunks[0].text.startswith("海淀区关于推进城市安全发展的实施方案\n一、总体要求\n(一)指导思想")
    assert chunks[0].section_path == ("一、总体要求", "(一)指导思想")


def test_long_section_splits_at_sentence_ends_within_bound():
    sentence = "生产经营单位应当建立健全安全生产责任制并加强管理。"
    text = "一、要求\n" + sentence * 60
    chunks = chunk_text(text, max_chars=200)
    assert len(chunks) > 1
    assert all(len(c.text) <= 200 + OVERFLOW for c in chunks)
    assert all(c.text.endswith("。") for c in chunks)
    assert squash("".join(c.text for c in chunks)) == squash(text)


def test_emergency_plan_outline_gives_section_paths():
    chunks = prepare_file(EMERGENCY_PLAN, EMERGENCY_PLAN.name).chunks
    paths = [c.section_path for c in chunks]
    assert paths[0] == ()  # title and table of contents: no structure
    assert ("1 总则", "1.1 编制目的") in paths
    assert ("4 应急响应", "4.1 信息报告") in paths
    report = next(c for c in chunks if c.section_path[-1:] == ("4.1.1 报告内容",))
    assert report.section_path == ("4 应急响应", "4.1 信息报告", "4.1.1 报告内容")
    # "1." under a decimal heading is an item of that section, not a heading of its own.
    assert "1.事故发生单位概况；" in report.text and "4.已经采取的措施。" in report.text
    # A short item sentence stays in its own section, not carried into the next one.
    levels = [c for c in chunks if c.section_path[:2] == ("4 应急响应", "4.2 分级响应")]
    assert "".join(c.text for c in levels).count("）发生") == 3
    assert not any("（3）" in c.text for c in chunks if "4.3 现场处置" in c.section_path)


def test_outline_clauses_that_are_sentences_stay_in_their_own_section():
    # A standard's clauses: the number, then the rule itself on the same line.
    text = ("4.1 作业场所\n4.1.1 作业场所应设置安全警示标志。\n4.1.2 通道宽度不应小于1.2米。\n"
            "4.2 设备\n4.2.1 设备应定期检修。")
    assert [(c.section_path, c.text) for c in chunk_text(text)] == [
        (("4.1 作业场所", "4.1.1 作业场所应设置安全警示标志"), "4.1 作业场所\n4.1.1 作业场所应设置安全警示标志。"),
        (("4.1 作业场所", "4.1.2 通道宽度不应小于1.2米"), "4.1.2 通道宽度不应小于1.2米。"),
        (("4.2 设备", "4.2.1 设备应定期检修"), "4.2 设备\n4.2.1 设备应定期检修。")]


def test_outline_numbered_1_with_decimal_children():
    text = ("某市道路交通事故应急预案\n1、总则\n1.1 编制目的\n为做好应急处置，制定本预案。\n"
            "2、组织体系\n2.1 指挥部\n市政府设立应急指挥部。\n2.2 工作职责\n指挥部的职责如下：\n"
            "1.统一指挥事故处置；\n2.协调各部门工作。\n3、应急响应\n事故发生后立即上报。")
    assert [b.path for b in parse_blocks(text)] == [
        (), ("1、总则",), ("1、总则", "1.1 编制目的"), ("2、组织体系",),
        ("2、组织体系", "2.1 指挥部"), ("2、组织体系", "2.2 工作职责"), ("3、应急响应",)]


def test_half_bracket_items_nest_under_parenthesised_ones():
    text = "4.3 现场处置\n（1）抢险救援组\n1）组织抢险；\n2）转移群众。\n（2）医疗救治组\n负责救治伤员。"
    assert [b.path[1:] for b in parse_blocks(text)] == [
        (), ("（1）抢险救援组",), ("（1）抢险救援组", "1）组织抢险"),
        ("（1）抢险救援组", "2）转移群众"), ("（2）医疗救治组",)]


def test_table_of_contents_is_not_structure():
    text = "某某法\n目录\n第一章 总则\n第二章 附则\n第一章 总则\n第一条 本法。\n第二章 附则\n第二条 施行。"
    blocks = parse_blocks(text)
    assert [b.path for b in blocks] == [(), ("第一章 总则",), ("第一章 总则", "第一条"),
                                        ("第二章 附则",), ("第二章 附则", "第二条")]


def test_split_long_keeps_text():
    text = "甲乙丙，" * 100
    pieces = split_long(text, 50)
    assert "".join(pieces) == text
    assert all(len(p) <= 50 for p in pieces)


lines = st.lists(
    st.one_of(
        st.sampled_from(["第一章 总则", "第三条 生产经营单位应当遵守。", "一、总体要求", "(一)指导思想。",
                         "1.加强管理。", "责任单位:区应急管理局等,各街镇", "（一）建立制度；", "目录", "",
                         "# 某公司安全管理制度", "## 职责", "### 车间主任", "## 第二章 附则", "##"]),
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                max_size=300),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(lines, st.integers(min_value=20, max_value=600), st.booleans())
def test_no_text_lost_and_chunks_bounded(doc_lines, max_chars, markup):
    text = "\n".join(doc_lines)
    chunks = chunk_text(text, max_chars=max_chars, markup=markup)
    # With markup, "## " marks are headings, not text (tests/test_marked_headings.py).
    expected = strip_heading_marks(text) if markup else text
    assert squash("".join(c.text for c in chunks)) == squash(expected)
    assert all(len(c.text) < max_chars + 2 * OVERFLOW for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert all(c.text.strip() for c in chunks)
