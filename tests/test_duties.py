"""Duty table: extraction from the Haidian scheme, unit names, storage and both lookups."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.pipeline import prepare_file
from kb.db import connect
from kb.duties import (
    all_duties,
    all_units,
    delete_duties,
    extract_duties,
    parse_assignment,
    store_duties,
    tasks_of_unit,
    who_is_responsible,
)
from kb.duty_questions import DutyQuery, duty_score, parse_duty_question
from kb.units import normalize_unit, parse_unit_list, unit_matches

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
HAIDIAN = "004_d3794485e0af9f99.txt"
TRAFFIC = "区城市管理委(区交通委)"
PLANNING = "市规划自然资源委海淀分局"
FIRE = "海淀消防救援支队"
EMERGENCY = "区应急管理局"

# Units of numbered tasks, lead first, as read from the scheme's 责任单位 lines.
EXPECTED_TASKS = {
    1: [PLANNING, "区发展改革委", EMERGENCY, "区地震局", "区水务局", FIRE, TRAFFIC,
        "区住房城乡建设委", "区卫生健康委", "各街镇"],
    5: [TRAFFIC, "海淀交通支队", "市交通委海淀运管分局", "市交通执法总队第六执法大队", PLANNING,
        "各街镇"],
    9: [EMERGENCY, "负有安全生产执法检查职责的部门", "区司法局", "区市场监管局", "公安海淀分局"],
    10: [EMERGENCY, "各街镇"],
    12: ["区气象局", "区地震局", EMERGENCY, FIRE, "公安海淀分局", PLANNING, "区水务局",
         "区生态环境局", TRAFFIC, "海淀交通支队", "市交通委海淀运管分局",
         "市交通执法总队第六执法大队", "各街镇"],
    16: [EMERGENCY, FIRE, "区园林绿化局", "相关街镇"],
    19: [EMERGENCY, FIRE, "区科信局"],
    20: ["区科信局", "区城管指挥中心", EMERGENCY, FIRE, TRAFFIC, "区住房城乡建设委", "区水务局",
         "各街镇"],
    22: [TRAFFIC, PLANNING, "相关街镇"],
    23: [FIRE, "各街镇"],
    28: [EMERGENCY, "区住房城乡建设委", TRAFFIC, "区水务局", "区商务局", "区体育局",
         "区文化和旅游局", "区园林绿化局", "公安海淀分局", "各街镇"],
}
# The five working groups of 二、组织机构: (task, lead, others).
EXPECTED_GROUPS = [
    ("发展规划工作组", PLANNING, ["区发展改革委", EMERGENCY, TRAFFIC, "区地震局", "区水务局", FIRE,
                            "区住房城乡建设委", "区卫生健康委"]),
    ("消防安全工作组", FIRE, ["区防火委相关成员单位"]),
    ("交通安全工作组", TRAFFIC, ["海淀交通支队", "市交通委海淀运管分局",
                          "市交通执法总队第六执法大队", "各街镇"]),
    ("城市运行安全工作组", TRAFFIC, ["区住房城乡建设委", "区园林绿化局", "各街镇"]),
    ("应急管理安全工作组", EMERGENCY, ["区应急委和区安委会相关成员单位"]),
]


@pytest.fixture(scope="module")
def haidian():
    return prepare_file(CORPUS / HAIDIAN, HAIDIAN)


@pytest.fixture(scope="module")
def rows(haidian):
    return extract_duties(haidian.text)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _duty_lines(text: str) -> dict[int, str]:
    """Task number → its 责任单位 line, read straight from the text."""
    out, number = {}, None
    for line in text.splitlines():
        if m := re.match(r"^(\d+)\.", line):
            number = int(m.group(1))
        elif line.startswith("责任单位") and number is not None:
            out[number] = _nfkc(line).split(":", 1)[1]
    return out


def _naive_units(line: str) -> list[str]:
    """An independent reading of a 责任单位 line: split at 、 and ,; 等 ends a name."""
    units = []
    for piece in re.split(r"[、,]", line):
        for part in piece.split("等"):
            if part and part not in units:
                units.append(part)
    return units


# ----- extraction from the Haidian scheme ----------------------------------------------


def test_haidian_has_30_tasks_and_5_groups(rows):
    tasks = [r for r in rows if r.kind == "task"]
    groups = [r for r in rows if r.kind == "group"]
    assert len(tasks) == 30
    assert len(groups) == 5
    numbers = [int(re.match(r"\d+", r.section_path[-1]).group()) for r in tasks]
    assert numbers == list(range(1, 31))


def test_expected_task_units(rows):
    tasks = [r for r in rows if r.kind == "task"]
    for number, units in EXPECTED_TASKS.items():
        row = tasks[number - 1]
        assert list(row.units) == units, number
        assert row.lead == units[0]


def test_task_fields(rows):
    task5 = [r for r in rows if r.kind == "task"][4]
    assert task5.task == "加强交通安全管理"
    assert task5.quote.startswith("5.加强交通安全管理。优化城市道路网络功能和结构")
    assert task5.quote.endswith("完善大型桥梁、高风险公路路段的安全监测系统和安全防护、避险设施。")
    assert task5.section_path == ("三、主要任务及分工", "(二)夯实运行基础,确保城市安全",
                                  "5.加强交通安全管理")


def test_every_task_matches_its_duty_line(rows, haidian):
    lines = _duty_lines(haidian.text)
    assert sorted(lines) == list(range(1, 31))
    text = _nfkc(haidian.text)
    for number, row in enumerate((r for r in rows if r.kind == "task"), start=1):
        assert row.units, number
        assert list(row.units) == _naive_units(lines[number]), number
        assert lines[number].startswith(row.lead), number  # lead is listed first
        assert all(u in text for u in row.units), number
        assert "责任单位" not in row.quote
        assert row.quote.startswith(f"{number}.{row.task}")
        assert row.section_path[0] == "三、主要任务及分工" and len(row.section_path) == 3


def test_expected_groups(rows, haidian):
    groups = [r for r in rows if r.kind == "group"]
    for row, (task, lead, others) in zip(groups, EXPECTED_GROUPS, strict=True):
        assert row.task == task
        assert row.lead == lead
        assert list(row.others) == others
        assert row.section_path[0] == "二、组织机构"
        assert "负责按照国家安全发展示范城市创建要求" in row.quote
        assert row.quote in haidian.text


def test_prose_duty_in_plan_but_not_in_laws(rows):
    prose = [r for r in rows if r.kind == "sentence"]
    assert [(r.lead, r.task) for r in prose] == [("区安全生产委员会办公室", "组织协调、定期调度")]
    for name in ("中华人民共和国安全生产法.md", "北京市安全生产条例.md", "中华人民共和国消防法.md"):
        law = prepare_file(CORPUS / name, name)
        assert extract_duties(law.text) == [], name


def test_xicheng_plan_names_no_concrete_duties():
    name = "000_ab22a65680ef1640.txt"
    assert extract_duties(prepare_file(CORPUS / name, name).text) == []


# ----- other layouts -------------------------------------------------------------------


def test_lead_and_partner_labels_and_inline_duties():
    text = "\n".join([
        "一、重点任务",
        "1.开展燃气安全专项整治。排查餐饮场所燃气隐患。",
        "牵头单位：区城市管理委",
        "配合单位：区市场监管局、区商务局等部门和各街道",
        "2.加强电梯安全管理。(责任单位:区市场监管局、区住房城乡建设委(牵头)等)",
        "3.开展消防安全检查。（牵头单位：区消防救援支队；配合单位：区教委）",
        "4.推进老旧小区改造。由区住房城乡建设委牵头,会同区财政局制定年度计划。",
        "日常巡查工作由区城管执法局负责。",
    ])
    got = [(r.kind, r.task, r.lead, r.others) for r in extract_duties(text)]
    assert got == [
        ("task", "开展燃气安全专项整治", "区城市管理委", ("区市场监管局", "区商务局", "各街道")),
        ("task", "加强电梯安全管理", "区住房城乡建设委", ("区市场监管局",)),
        ("task", "开展消防安全检查", "区消防救援支队", ("区教委",)),
        ("sentence", "制定年度计划", "区住房城乡建设委", ("区财政局",)),
        ("sentence", "日常巡查工作", "区城管执法局", ()),
    ]


@pytest.mark.parametrize(("sentence", "expected"), [
    ("由区应急管理局牵头,会同区财政局等部门制定实施细则。",
     ("制定实施细则", EMERGENCY, ("区财政局",))),
    ("由区应急管理局、区财政局牵头，联合区审计局部署检查。",
     ("部署检查", EMERGENCY, ("区财政局", "区审计局"))),
    ("由区住房城乡建设委牵头,会同区城市管理委（区交通委）、区财政局制定计划。",
     ("制定计划", "区住房城乡建设委", (TRAFFIC, "区财政局"))),
    ("区消防救援支队具体负责火灾调查。", ("火灾调查", "区消防救援支队", ())),
    # An emergency plan's list of members' duties: the unit, a colon, 负责….
    ("区公安分局：负责事故现场治安警戒和交通管制，参与事故调查。",
     ("事故现场治安警戒和交通管制", "区公安分局", ())),
    ("（3）区财政局：负责应急救援经费保障。", ("应急救援经费保障", "区财政局", ())),
])
def test_prose_duties(sentence, expected):
    assert [(r.task, r.lead, r.others) for r in extract_duties(sentence)] == [expected]


@pytest.mark.parametrize("sentence", [
    "县级以上人民政府负责本行政区域内的安全生产工作。",
    "各部门负责本行业领域的安全监管。",
    "生产经营单位的主要负责人对本单位安全生产工作全面负责。",
    "实行谁主管、谁负责的原则。",
    "国务院负责特种设备安全监督管理的部门制定目录。",
    "主要职责：负责统筹协调全区应急工作。",
])
def test_generic_prose_is_not_a_duty(sentence):
    assert extract_duties(sentence) == []


def test_emergency_plan_lists_its_members_duties():
    plan = Path(__file__).parent / "data" / "emergency_plan.txt"
    rows = extract_duties(prepare_file(plan, plan.name).text)
    listed = [(d.lead, d.task) for d in rows if d.section_path[-1:] == ("2.3 成员单位职责",)]
    assert listed == [("区公安分局", "事故现场治安警戒和交通管制"),
                      ("区卫生健康委", "组织伤员医疗救治和卫生防疫工作"),
                      ("区市场监管局", "特种设备事故的应急处置和技术支持")]
    # …and the prose duties elsewhere in the plan.
    assert ("区公安分局", "现场警戒和交通疏导") in [(d.lead, d.task) for d in rows]


@pytest.mark.parametrize(("text", "markup"), [
    ("2.3 成员单位职责\n（1）区公安分局\n负责事故现场治安警戒和交通管制，参与事故调查。\n"
     "（2）区卫生健康委\n负责组织伤员医疗救治。\n（3）主要职责\n负责统筹协调全区应急工作。", False),
    ("# 某区应急预案\n## 成员单位职责\n### 区公安分局\n负责事故现场治安警戒和交通管制，参与事故调查。\n"
     "### 区卫生健康委\n负责组织伤员医疗救治。\n### 主要职责\n负责统筹协调全区应急工作。", True),
])
def test_members_duties_under_their_unit_as_a_heading(text, markup):
    # A plan's members' duties are often laid out as the unit on a line of its own, its
    # duties below it; a heading that is no unit (主要职责) assigns nothing.
    rows = extract_duties(text, markup=markup)
    assert [(r.lead, r.task) for r in rows] == [
        ("区公安分局", "事故现场治安警戒和交通管制"), ("区卫生健康委", "组织伤员医疗救治")]


def test_parse_assignment():
    assert parse_assignment("责任单位：区应急管理局等、各街镇") == (EMERGENCY, ("各街镇",))
    assert parse_assignment("今天天气很好") is None
    assert parse_assignment("责任单位:") is None


# ----- unit names ----------------------------------------------------------------------


def test_normalize_unit():
    assert normalize_unit("区城市管理委(区交通委)") == normalize_unit("区城市管理委（区交通委）")
    assert normalize_unit(" 区卫生健康委 等 ") == "区卫生健康委"
    assert normalize_unit("区卫生健康委等部门") == "区卫生健康委"
    assert normalize_unit("各街镇") != normalize_unit("相关街镇")


def test_parse_unit_list():
    units, marked = parse_unit_list("区城市管理委（区交通委）、海淀交通支队等部门和各街镇")
    assert units == [TRAFFIC, "海淀交通支队", "各街镇"] and marked is None
    assert parse_unit_list("区文化和旅游局、区体育局")[0] == ["区文化和旅游局", "区体育局"]
    shared = "区应急委和区安委会相关成员单位"  # the qualifier covers both committees
    assert parse_unit_list(shared)[0] == [shared]
    assert parse_unit_list("区水务局,区应急管理局(牵头)") == (["区水务局", EMERGENCY], 1)
    assert parse_unit_list("高等学校、区教委")[0] == ["高等学校", "区教委"]


def test_unit_matches():
    assert unit_matches("城市管理委", TRAFFIC)
    assert unit_matches("区交通委", TRAFFIC)
    assert unit_matches("区城市管理委（区交通委）", TRAFFIC)
    assert unit_matches("海淀区应急管理局", EMERGENCY)
    assert unit_matches("区安全生产委员会办公室", "区安全生产委办")
    assert not unit_matches("各街镇", "相关街镇")
    assert not unit_matches("区", EMERGENCY)


# ----- storage and lookups --------------------------------------------------------------


@pytest.fixture
def db(tmp_path, haidian, rows):
    database = connect(tmp_path / "kb.sqlite")
    with database.conn:
        cur = database.execute(
            "INSERT INTO documents (source, sha256, fmt, title, text) VALUES (?, ?, ?, ?, ?)",
            [haidian.source, haidian.sha256, haidian.fmt, haidian.meta.title, haidian.text])
        assert store_duties(database, cur.lastrowid, rows) == len(rows)
    yield database
    database.close()


def test_store_and_read_back(db, rows):
    duties = all_duties(db)
    assert len(duties) == len(rows)
    assert [(d.task, d.lead, d.others, d.section_path) for d in duties] == [
        (r.task, r.lead, r.others, r.section_path) for r in rows]
    assert {d.title for d in duties} == {"海淀区关于推进城市安全发展的实施方案"}
    assert all_duties(db, doc_id=duties[0].doc_id + 1) == []
    units = all_units(db)
    assert units[:2] == ["各街镇", EMERGENCY]  # named in most duties
    assert {"各街镇", "相关街镇", TRAFFIC} <= set(units)


def test_who_is_responsible(db):
    found = who_is_responsible(db, "城区铁路平交道口立交化改造")
    assert found[0].task == "推动城区铁路平交道口立交化改造工程"
    assert found[0].units == (TRAFFIC, PLANNING, "相关街镇")
    assert found[0].section_path[-1].startswith("22.")
    assert "加强交通安全管理" in [d.task for d in found]  # task 5 mentions it too
    assert who_is_responsible(db, "谁负责城区铁路平交道口立交化改造?")[0] == found[0]
    assert who_is_responsible(db, "量子计算机的散热设计") == []


def test_tasks_of_unit(db):
    grouped = tasks_of_unit(db, "海淀消防救援支队")
    assert list(grouped) == ["海淀区关于推进城市安全发展的实施方案"]
    tasks = [d.task for d in grouped["海淀区关于推进城市安全发展的实施方案"]]
    assert len(tasks) == 17  # 15 numbered tasks and 2 working groups name it
    assert tasks[:2] == ["发展规划工作组", "消防安全工作组"]
    assert "实施消防安全设施建设工程" in tasks
    traffic = tasks_of_unit(db, "区交通委")["海淀区关于推进城市安全发展的实施方案"]
    assert len(traffic) == 16 and all(TRAFFIC in d.units for d in traffic)
    assert tasks_of_unit(db, "区教委")["海淀区关于推进城市安全发展的实施方案"][0].task == \
        "加强安全宣传教育"
    assert tasks_of_unit(db, "区统计局") == {}


def test_deleting_a_document_deletes_its_duties(db):
    doc_id = all_duties(db)[0].doc_id
    with db.conn:
        db.execute("DELETE FROM documents WHERE id = ?", [doc_id])
    assert all_duties(db) == [] and all_units(db) == []


def test_delete_duties(db):
    doc_id = all_duties(db)[0].doc_id
    with db.conn:
        delete_duties(db, doc_id)
    assert all_duties(db) == [] and all_units(db) == []
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 1


# ----- questions and scoring ------------------------------------------------------------


@pytest.mark.parametrize(("question", "expected"), [
    ("谁负责城区铁路平交道口立交化改造？", DutyQuery("who", "城区铁路平交道口立交化改造")),
    ("地下综合管廊建设由谁负责", DutyQuery("who", "地下综合管廊建设")),
    ("消防站建设的责任单位是哪个?", DutyQuery("who", "消防站建设")),
    ("应急预案修订由哪个部门牵头", DutyQuery("who", "应急预案修订")),
    ("城市安全风险管控的主要责任单位", DutyQuery("who", "城市安全风险管控")),
    ("哪个部门负责安全宣传教育", DutyQuery("who", "安全宣传教育")),
    ("燃气安全隐患排查归谁管?", DutyQuery("who", "燃气安全隐患排查")),
    ("谁管理应急避难场所建设", DutyQuery("who", "应急避难场所建设")),
    ("谁来推进立交化改造?", DutyQuery("who", "推进立交化改造")),
    ("请问谁负责消防站建设", DutyQuery("who", "消防站建设")),
    ("立交化改造是哪个部门的职责?", DutyQuery("who", "立交化改造")),
    ("由谁组织开展风险评估?", DutyQuery("who", "组织开展风险评估")),
    ("在海淀区，谁负责推进立交化改造?", DutyQuery("who", "推进立交化改造")),
    ("消防安全工作组由哪个单位牵头负责？", DutyQuery("who", "消防安全工作组")),
    ("海淀消防救援支队负责哪些任务", DutyQuery("tasks", "海淀消防救援支队")),
    ("区应急管理局有哪些职责任务？", DutyQuery("tasks", "区应急管理局")),
    ("各街镇负责哪些工作", DutyQuery("tasks", "各街镇")),
    ("生产经营单位的主要负责人有哪些职责", None),
    ("安全生产许可证的有效期是几年", None),
])
def test_parse_duty_question(question, expected):
    assert parse_duty_question(question) == expected


def test_a_part_asking_only_who_asks_who():
    from kb.duty_questions import asks_who

    assert asks_who("由谁负责？") and asks_who("请问谁负责消防站建设")
    assert not asks_who("基层应急救援能力提升工程要推行什么楼宇消防管理制度？")


def test_duty_score():
    title = "推动城区铁路平交道口立交化改造工程"
    assert duty_score("城区铁路平交道口立交化改造", title, title) == 1.0
    partial = duty_score("城区铁路平交道口", "加强交通安全管理", "推进城区铁路平交道口立交化改造")
    assert 0.5 < partial < 1.0
    assert duty_score("负责", title, title) == 0.0
    assert duty_score("", title, title) == 0.0
    # The plan a duty is in counts, at half weight: it tells which document, not which task.
    task, quote = "事故现场及周边环境监测", "负责事故现场及周边环境监测。"
    alone = duty_score("危险化学品事故现场的环境监测", task, quote)
    in_plan = duty_score("危险化学品事故现场的环境监测", task, quote, "某区危险化学品事故应急预案")
    assert alone < 0.5 < in_plan < duty_score("事故现场的环境监测", task, quote)


MEMBERS_PLAN = """# 某区危险化学品事故应急预案
## 1 总则
为有效应对危险化学品事故，保障人民群众生命财产安全，制定本预案。
## 2 组织体系
### 2.1 成员单位职责
#### 区公安分局
负责事故现场治安警戒和交通管制，组织疏散周边群众。
#### 区生态环境局
负责事故现场及周边环境监测，提出环境污染处置建议。
"""


def test_who_question_answered_from_members_duties_under_unit_headings(tmp_path):
    # Real knowledge base and default embedder: the unit is a heading, its duty below it,
    # and the question names the plan's subject (危险化学品) rather than words of the duty.
    from kb.answer import answer_question, load_calibration
    from kb.store import KnowledgeBase

    (tmp_path / "plan.md").write_text(MEMBERS_PLAN, encoding="utf-8")
    kb = KnowledgeBase(tmp_path / "kb")
    assert kb.ingest([tmp_path / "plan.md"]).ok
    answer = answer_question(kb, "谁负责危险化学品事故现场的环境监测？", load_calibration())
    assert answer.units == ["区生态环境局"]
    assert answer.citations[0].section_path[-1] == "区生态环境局"


# ----- robustness -----------------------------------------------------------------------

_PLANNISH = st.text(
    alphabet="责任单位牵头主要其他为负责由区局委队街镇等和、,，:：;。()（）1.(一)\n ", max_size=200)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), _PLANNISH))
def test_extract_duties_never_crashes(text):
    for row in extract_duties(text):
        assert all(row.units) and row.lead not in row.others
