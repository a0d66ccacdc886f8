"""An emergency plan (应急预案) whose outline is numbered 1 / 1.1 / 1.1.1, end to end: printed
as a typeset PDF, ingested into a real knowledge base with the default embedder, and asked
questions whose answers must cite the outline section they come from."""

from pathlib import Path

import pytest
from samplefiles import typeset_pdf

from kb import KnowledgeBase

PLAN = Path(__file__).parent / "data" / "emergency_plan.txt"


@pytest.fixture(scope="module")
def plan_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    folder = tmp_path_factory.mktemp("plan")
    pdf = folder / "某区生产安全事故应急预案.pdf"
    pdf.write_bytes(typeset_pdf(PLAN.read_text(encoding="utf-8")))
    kb = KnowledgeBase(folder / "kb")
    assert [r.status for r in kb.ingest([pdf]).results] == ["added"]
    return kb


@pytest.mark.parametrize(("question", "section", "words"), [
    ("事故发生后单位负责人多长时间内要向区应急管理局报告？",
     ("4 应急响应", "4.1 信息报告"), "1小时内"),
    ("事故报告应当包括哪些内容？", ("4 应急响应", "4.1 信息报告", "4.1.1 报告内容"),
     "已经采取的措施"),
    ("风险研判多久开展一次？", ("3 预防与预警", "3.1 风险监测"), "每季度"),
    ("橙色预警由谁批准发布？", ("3 预防与预警", "3.2 预警发布"), "总指挥批准"),
])
def test_answers_cite_the_outline_section(plan_kb: KnowledgeBase, question: str,
                                          section: tuple[str, ...], words: str) -> None:
    answer = plan_kb.answer(question)
    assert not answer.refused and words in answer.text
    assert answer.citations[0].section_path == section


def test_who_is_responsible_comes_from_the_list_of_members_duties(plan_kb: KnowledgeBase) -> None:
    answer = plan_kb.answer("谁负责特种设备事故的应急处置？")
    assert "区市场监管局" in answer.text
    assert answer.citations[0].section_path == ("2 组织体系", "2.3 成员单位职责")
