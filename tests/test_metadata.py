"""Tests for ingest.metadata against every file of the sample corpus, and edge cases."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.clean import clean_text
from ingest.loaders import iter_files, read_file
from ingest.metadata import extract_metadata, extract_metadata_from_raw, parse_date
from ingest.records import DocMeta, RawText

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
NPC = "全国人民代表大会常务委员会"
BJ = "北京市人民代表大会常务委员会"
COURTS = "最高人民法院、最高人民检察院"
CRIME = "关于办理危害生产安全刑事案件适用法律若干问题的解释"
SC = "国务院"

# Expected metadata per corpus file, checked by reading each file's header and last
# articles: (title, kind, issuer, number, published, adopted, effective); the title is
# the file name unless given. Adopted = the latest 通过/修订/修正 date of the history.
EXPECTED: dict[str, tuple[str, str, str, str, str, str, str]] = {
    "000_ab22a65680ef1640.txt": (
        "西城区“十四五”时期安全生产规划", "规划", "", "", "2021-12-31", "", ""),
    "004_d3794485e0af9f99.txt": (
        "海淀区关于推进城市安全发展的实施方案", "实施方案", "北京市海淀区人民政府办公室",
        "海政办发〔2020〕14号", "2020-09-14", "", ""),
    "中华人民共和国安全生产法.md": ("", "法律", NPC, "", "", "2021-06-10", "2002-11-01"),
    "中华人民共和国消防法.md": ("", "法律", NPC, "", "", "2021-04-29", "2009-05-01"),
    "中华人民共和国特种设备安全法.md": ("", "法律", NPC, "", "", "2013-06-29", "2014-01-01"),
    "中华人民共和国矿山安全法.md": ("", "法律", NPC, "", "", "2009-08-27", "1993-05-01"),
    "中华人民共和国矿山安全法实施条例.md": (
        "", "行政法规", "劳动部", "劳动部令第4号", "1996-10-30", "1996-10-11", "1996-10-30"),
    "中华人民共和国突发事件应对法.md": ("", "法律", NPC, "", "", "2024-06-28", "2024-11-01"),
    "中华人民共和国职业病防治法.md": ("", "法律", NPC, "", "", "2018-12-29", "2002-05-01"),
    "北京市大型群众性活动安全管理条例.md": (
        "", "地方性法规", BJ, "", "", "2010-07-30", "2010-12-01"),
    "北京市安全生产条例.md": ("", "地方性法规", BJ, "", "", "2022-05-25", "2022-08-01"),
    "北京市实施《中华人民共和国矿山安全法》办法.md": (
        "", "地方性法规", BJ, "", "", "2021-09-24", ""),  # 自公布之日起施行, date not given
    "北京市实施《中华人民共和国突发事件应对法》办法.md": (
        "", "地方性法规", BJ, "", "", "2008-05-23", "2008-07-01"),
    "北京市消防条例.md": ("", "地方性法规", BJ, "", "", "2011-05-27", "2011-09-01"),
    "北京市烟花爆竹安全管理规定.md": ("", "地方性法规", BJ, "", "", "2010-12-23", "2005-12-01"),
    "北京市燃气管理条例.md": ("", "地方性法规", BJ, "", "", "2020-09-25", "2021-01-01"),
    "危险化学品安全管理条例.md": (
        "", "行政法规", SC, "中华人民共和国国务院令第344号", "2002-01-26", "2011-02-16",
        "2011-12-01"),
    "国务院关于特大安全事故行政责任追究的规定.md": (
        "", "行政法规", SC, "中华人民共和国国务院令第302号", "2001-04-21", "", "2001-04-21"),
    "大型群众性活动安全管理条例.md": (
        "", "行政法规", SC, "中华人民共和国国务院令第505号", "2007-09-14", "2007-08-29",
        "2007-10-01"),
    "安全生产许可证条例.md": (
        "", "行政法规", SC, "中华人民共和国国务院令第397号", "2004-01-13", "2013-07-18",
        "2004-01-13"),
    "工伤保险条例.md": (
        "", "行政法规", SC, "中华人民共和国国务院令第375号", "2003-04-27", "", "2004-01-01"),
    "建设工程安全生产管理条例.md": (
        "", "行政法规", SC, "中华人民共和国国务院令第393号", "2003-11-24", "2003-11-12",
        "2004-02-01"),
    f"最高人民法院、最高人民检察院{CRIME}.md": (
        "", "司法解释", COURTS, "", "", "", "2015-12-16"),
    f"最高人民法院、最高人民检察院{CRIME}（二）.md": (
        "", "司法解释", COURTS, "法释〔2022〕19号", "", "2022-10-25", "2022-12-19"),
    "民用爆炸物品安全管理条例.md": (
        "", "行政法规", SC, "中华人民共和国国务院令第466号", "2006-05-10", "", "2006-09-01"),
    "烟花爆竹安全管理条例.md": (
        "", "行政法规", SC, "中华人民共和国国务院令第455号", "2006-01-21", "", "2006-01-21"),
    "煤矿安全生产条例.md": ("", "行政法规", "", "", "", "", "2024-05-01"),
    "特种设备安全监察条例.md": (
        "", "行政法规", SC, "中华人民共和国国务院令第373号", "2003-03-11", "", "2003-06-01"),
    "特种设备安全监督检查办法.md": (
        "", "部门规章", "国家市场监督管理总局", "国家市场监督管理总局令第57号", "2022-05-26", "",
        "2022-07-01"),
    "生产安全事故应急条例.md": (
        "", "行政法规", SC, "中华人民共和国国务院令第708号", "2019-02-17", "2018-12-05",
        "2019-04-01"),
    "生产安全事故报告和调查处理条例.md": (
        "", "行政法规", SC, "中华人民共和国国务院令第493号", "2007-04-09", "2007-03-28",
        "2007-06-01"),
    "电力安全事故应急处置和调查处理条例.md": (
        "", "行政法规", SC, "中华人民共和国国务院令第599号", "2011-07-07", "2011-06-15",
        "2011-09-01"),
    "pdf/中华人民共和国安全生产法（2021年6月修订）.pdf": (
        "中华人民共和国安全生产法", "法律", NPC, "", "", "2021-06-10", "2002-11-01"),
}


def expected_meta(name: str) -> DocMeta:
    title, kind, issuer, number, published, adopted, effective = EXPECTED[name]
    return DocMeta(
        title=title or Path(name).stem, issuer=issuer, date_published=published,
        date_adopted=adopted, date_effective=effective, doc_number=number, kind=kind,
    )


def test_expectations_cover_the_whole_corpus() -> None:
    names = {f.relative_to(root).as_posix() for f, root in iter_files([CORPUS])}
    assert names == set(EXPECTED)


@cache
def read(name: str) -> RawText:
    return read_file(CORPUS / name)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_metadata(name: str) -> None:
    raw = read(name)
    assert extract_metadata_from_raw(raw, "FALLBACK") == expected_meta(name)


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n != "004_d3794485e0af9f99.txt"))
def test_cleaned_text_gives_the_same_metadata(name: str) -> None:
    raw = read(name)
    assert extract_metadata(clean_text(raw), "FALLBACK") == expected_meta(name)


def test_web_metadata_table_is_only_in_the_raw_text() -> None:
    """The Haidian page states its number only in the table that cleaning removes."""
    raw = read("004_d3794485e0af9f99.txt")
    from_clean = extract_metadata(clean_text(raw), "x")
    assert from_clean.doc_number == ""
    assert from_clean.title == "海淀区关于推进城市安全发展的实施方案"


# --- rules on small texts -------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("京政办发[2019]17号", "京政办发〔2019〕17号"),
        ("京政办发（2019）17号", "京政办发〔2019〕17号"),
        ("应急 〔2021〕 第 5 号", "应急〔2021〕5号"),
        ("法释［2015］22号", "法释〔2015〕22号"),
    ],
)
def test_doc_number_brackets_are_normalised(line: str, number: str) -> None:
    text = f"关于加强安全管理的通知\n{line}\n各单位：\n特此通知。"
    assert extract_metadata(text, "x").doc_number == number


def test_number_cited_in_the_body_is_not_the_documents_number() -> None:
    text = "某区关于推进安全发展的实施方案\n根据《意见》（中办发〔2018〕1号），制定本方案。"
    assert extract_metadata(text, "x").doc_number == ""


def test_plain_notice_is_a_notice_with_its_signature() -> None:
    text = "\n".join([
        "北京市应急管理局关于做好汛期安全生产工作的通知", "京应急发〔2023〕8号", "各区应急管理局：",
        "现将有关事项通知如下。", "本通知自印发之日起施行。",
        "北京市应急管理局", "二〇二三年六月一日",
    ])
    assert extract_metadata(text, "x") == DocMeta(
        title="北京市应急管理局关于做好汛期安全生产工作的通知", issuer="北京市应急管理局",
        date_published="2023-06-01", date_effective="2023-06-01",
        doc_number="京应急发〔2023〕8号", kind="通知",
    )


def test_notice_wrapper_without_the_attached_title_keeps_its_own() -> None:
    title = "某区人民政府办公室印发《某区安全生产应急预案》的通知"
    meta = extract_metadata(f"{title}\n各单位：\n现将《某区安全生产应急预案》印发。", "x")
    assert (meta.title, meta.kind) == (title, "通知")


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("某区突发事件总体应急预案", "预案"),
        ("城市供水条例", "行政法规"),
        ("上海市安全生产条例", "地方性法规"),
        ("国务院办公厅关于加强安全生产工作的意见", "意见"),
        ("最高人民法院关于审理某类案件适用法律问题的解释", "司法解释"),
        ("中华人民共和国刑法", "法律"),
    ],
)
def test_kind_from_title(title: str, kind: str) -> None:
    assert extract_metadata(f"# {title}\n\n正文。", "x").kind == kind


def test_effective_date_from_the_text() -> None:
    text = "# 某某规定\n\n第一条 为了……\n第九条 本规定自2021年9月1日起施行。"
    assert extract_metadata(text, "x").date_effective == "2021-09-01"
    text = "关于修改某法的决定\n现予公布，自2021年9月1日起施行。"
    assert extract_metadata(text, "x").date_effective == "2021-09-01"


def test_an_order_printed_right_after_its_date_names_its_issuer() -> None:
    """A PDF's text may join the date and the order ("…1日中华人民共和国国务院令"): 日 is no
    part of the issuer or the number."""
    text = ("森林防火条例\n2008年11月19日国务院第36次常务会议修订通过\n"
            "2008年12月1日中华人民共和国国务院令第541号公布\n2009年1月1日施行\n"
            "第一章 总则\n第一条 为了有效预防和扑救森林火灾，制定本条例。")
    meta = extract_metadata(text, "x")
    assert (meta.issuer, meta.doc_number, meta.kind) == ("国务院", "中华人民共和国国务院令第541号",
                                                         "行政法规")
    assert meta.date_published == "2008-12-01"


def test_fallback_title() -> None:
    assert extract_metadata("。。。\n", " 文件名 ").title == "文件名"
    assert extract_metadata("", "文件名") == DocMeta(title="文件名")


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2021年6月10日", "2021-06-10"), ("发布时间:2021-12-31", "2021-12-31"),
        ("2020年09月27日", "2020-09-27"), ("2021.1.5", "2021-01-05"),
        ("二〇二〇年九月十四日", "2020-09-14"), ("二〇二一年十二月三十一日", "2021-12-31"),
        ("2021年13月1日", ""), ("无日期", ""),
    ],
)
def test_parse_date(text: str, iso: str) -> None:
    assert parse_date(text) == iso


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(["txt", "pdf", "html"]))
def test_metadata_never_crashes(text: str, fmt: str) -> None:
    meta = extract_metadata_from_raw(RawText(text, fmt), "fallback")
    assert meta.title
    for date in (meta.date_published, meta.date_adopted, meta.date_effective):
        assert date == "" or parse_date(date) == date


GOV_PAGE = """<html><head><meta charset="utf-8"><title>某区政府网</title></head><body>
<div class="nav">首页 | 政务公开 | 办事服务</div>
<div>当前位置：首页 &gt; 政务公开 &gt; 通知公告</div>
<table>
<tr><td>索引号</td><td>000014348/2023-00012</td><td>发布机构</td><td>某区人民政府办公室</td></tr>
<tr><td>成文日期</td><td>2023年03月02日</td><td>发布日期</td><td>2023年03月06日</td></tr>
<tr><td>文号</td><td>某政办发[2023]3号</td><td>主题分类</td><td>安全生产</td></tr>
</table>
<h1>某区人民政府办公室关于印发某区生产安全事故应急预案的通知</h1>
<p>各街道：</p><p>现将《某区生产安全事故应急预案》印发给你们，请认真贯彻执行。</p>
<p>某区人民政府办公室</p><p>2023年3月2日</p>
<h2>某区生产安全事故应急预案</h2><p>1 总则</p><p>1.1 编制目的</p>
<div class="footer">主办：某区人民政府办公室</div><p>网站标识码：1234567890</p>
</body></html>"""


def test_government_html_page_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(GOV_PAGE, encoding="utf-8")
    raw = read_file(path)
    assert extract_metadata_from_raw(raw, "page") == DocMeta(
        title="某区生产安全事故应急预案", issuer="某区人民政府办公室",
        date_published="2023-03-02", doc_number="某政办发〔2023〕3号", kind="预案",
    )
    cleaned = clean_text(raw)
    # The <h1> stays marked as a heading for chunking (ingest.chunking.parse_blocks).
    assert cleaned.split("\n")[0] == "# 某区人民政府办公室关于印发某区生产安全事故应急预案的通知"
    assert cleaned.split("\n")[-1] == "1.1 编制目的"
