"""Task tables (序号 | 重点任务 | 牵头单位 | 配合单位) in DOCX and HTML plans: read as tasks with units."""

from pathlib import Path

import docx

from ingest.loaders import read_file
from ingest.tables import table_lines
from kb import KnowledgeBase

HEADER = ["序号", "重点任务", "完成时限", "牵头单位", "配合单位"]
ROWS = [["1", "加强交通安全管理，完善行人过街安全设施", "2025年底", "区城市管理委", "区交通支队、各街镇"],
        ["2", "推进城区铁路平交道口立交化改造", "", "区交通委", "区规划分局"]]
INTRO = ["某区城市安全发展三年行动方案", "一、总体要求", "到2025年，城市安全发展体系基本形成。",
         "二、重点任务", "各部门按照分工表推进落实。", "附件", "重点任务分工表"]


def test_a_task_table_becomes_tasks_each_with_its_units():
    lines = table_lines([HEADER, *ROWS])
    assert lines == [
        "序号 重点任务 完成时限 牵头单位 配合单位",
        "1.加强交通安全管理，完善行人过街安全设施", "完成时限：2025年底",
        "牵头单位：区城市管理委；配合单位：区交通支队、各街镇",
        "2.推进城区铁路平交道口立交化改造", "牵头单位：区交通委；配合单位：区规划分局"]


def test_other_tables_keep_one_line_per_row():
    # "单位" here is a unit of measure, not who does something.
    assert table_lines([["器材", "单位", "数量"], ["灭火器", "具", "20"]]) == ["器材 单位 数量",
                                                                        "灭火器 具 20"]
    assert table_lines([["牵头单位"]]) == ["牵头单位"]  # a header alone is no task table


def _docx_plan(path: Path) -> None:
    document = docx.Document()
    for line in INTRO:
        document.add_paragraph(line)
    table = document.add_table(rows=1 + len(ROWS), cols=len(HEADER))
    for r, row in enumerate([HEADER, *ROWS]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.save(path)


def _html_plan(path: Path) -> None:
    cells = "".join(f"<th>{h}</th>" for h in HEADER)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in ROWS)
    paragraphs = "".join(f"<p>{line}</p>" for line in INTRO)
    path.write_text(f"<html><body>{paragraphs}<table><tr>{cells}</tr>{body}</table>"
                    "</body></html>", encoding="utf-8")


def test_docx_and_html_task_tables_are_read_as_tasks(tmp_path):
    for name, make in (("plan.docx", _docx_plan), ("plan.html", _html_plan)):
        make(tmp_path / name)
        text = read_file(tmp_path / name).text
        assert "2.推进城区铁路平交道口立交化改造\n牵头单位：区交通委；配合单位：区规划分局" in text, name


def test_who_is_responsible_is_answered_from_a_task_table(tmp_path):
    _docx_plan(tmp_path / "plan.docx")
    kb = KnowledgeBase(tmp_path / "kb")
    assert kb.ingest([tmp_path / "plan.docx"]).ok
    answer = kb.answer("谁负责推进城区铁路平交道口立交化改造?")
    assert not answer.refused
    assert answer.units[0] == "区交通委" and "区规划分局" in answer.units
    hit = kb.search("行人过街安全设施由哪个部门牵头", k=1)[0]
    assert hit.section_path[-1] == "1.加强交通安全管理，完善行人过街安全设施"
    assert "牵头单位：区城市管理委" in hit.text
