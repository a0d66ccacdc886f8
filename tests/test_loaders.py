"""Tests for ingest.loaders: every format from real files written in tmp_path."""

from __future__ import annotations

import html
import random
import unicodedata
from pathlib import Path

import docx
import pytest
from bs4 import BeautifulSoup
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from samplefiles import encrypted_pdf, make_pdf, numbered_docx, scanned_pdf

from ingest import loaders
from ingest.docx_numbering import format_number
from ingest.loaders import (
    SUPPORTED_SUFFIXES,
    decode_text,
    iter_files,
    read_file,
)
from ingest.pipeline import prepare_file
from ingest.records import IngestError

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
REAL_PDF = CORPUS / "pdf" / "中华人民共和国安全生产法（2021年6月修订）.pdf"
LAW = "第一条　为了加强安全生产工作，防止和减少生产安全事故，制定本法。"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# --- text files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (LAW.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + LAW.encode("utf-8"), "utf-8-sig"),
        (LAW.encode("gbk"), "gb18030"),
        (LAW.encode("gb18030"), "gb18030"),
        (LAW.encode("utf-16"), "utf-16"),
    ],
)
def test_txt_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    raw = read_file(write(tmp_path / "law.txt", data))
    assert raw.text == LAW  # BOM removed, nothing else changed
    assert (raw.fmt, raw.encoding) == ("txt", encoding)


def test_md_is_read_as_md(tmp_path: Path) -> None:
    raw = read_file(write(tmp_path / "LAW.MD", "# 标题\n\n" + LAW))
    assert raw.fmt == "md"
    assert raw.text.startswith("# 标题")


def test_real_corpus_text_files_read() -> None:
    raw = read_file(CORPUS / "004_d3794485e0af9f99.txt")
    assert raw.encoding == "utf-8"
    assert "海淀区关于推进城市安全发展的实施方案" in raw.text


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04\x00\x00binary\x00zip",  # NUL bytes
        random.Random(1).randbytes(4000).replace(b"\x00", b"\x01"),  # junk without NUL
        bytes(range(1, 32)) * 20,  # control characters
    ],
)
def test_binary_under_text_suffix_is_rejected(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(IngestError, match="binary"):
        read_file(write(tmp_path / "x.txt", data))


def test_empty_and_blank_files_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="empty"):
        read_file(write(tmp_path / "empty.txt", b""))
    with pytest.raises(IngestError, match="no text"):
        read_file(write(tmp_path / "blank.md", " \n\u3000\n"))


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="unsupported") as info:
        read_file(write(tmp_path / "a.doc", b"x"))
    assert info.value.path.endswith("a.doc")
    with pytest.raises(IngestError, match="cannot read"):
        read_file(tmp_path / "missing.txt")


def test_text_up_to_the_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loaders, "MAX_DOC_CHARS", 1000)
    assert len(read_file(write(tmp_path / "ok.txt", "安" * 1000)).text) == 1000
    with pytest.raises(IngestError, match="too long"):
        read_file(write(tmp_path / "long.txt", "安" * 1001))


@pytest.mark.parametrize("suffix", [".html", ".pdf", ".docx"])
def test_oversized_binary_formats_are_refused_before_opening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.setitem(loaders.MAX_FILE_BYTES, suffix, 1 << 20)
    path = write(tmp_path / f"big{suffix}", b"x" * ((1 << 20) + 1))
    with pytest.raises(IngestError, match="file too large"):
        read_file(path)


# --- HTML -----------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>站点标题</title>
<style>p { color: red }</style><script>var x = "<p>不要</p>";</script></head>
<body>
<header>网站头部</header><nav><a href="/">首页</a></nav>
<form id="form1"><article><header><h1>关于做好安全生产工作的通知</h1>
<div class="meta">发布时间：2021-12-31</div></header>
<p>各单位：<br>现将有关事项
   通知如下。</p>
<ul><li>一、加强<b>组织</b>领导</li><li>二、落实责任</li></ul>
<table><tr><td>索引号</td><td>123</td></tr><tr><th>文号</th><th>京政发〔2021〕1号</th></tr></table>
<!-- 注释不要 --><noscript>请启用脚本</noscript><p hidden>隐藏</p>
<div style="display: none"><p>隐藏</p><script>y()</script></div>
<p>比较：3 &lt; 5 &amp;&amp; &lt;b&gt;不是标签&lt;/b&gt;</p>
</article></form><footer>版权所有</footer>
</body></html>"""


def test_html_keeps_blocks_as_lines_and_drops_markup(tmp_path: Path) -> None:
    raw = read_file(write(tmp_path / "page.html", PAGE))
    assert raw.fmt == "html"
    assert raw.text.split("\n") == [
        "# 关于做好安全生产工作的通知",  # <h1>: the author's heading, marked as in Markdown
        "发布时间：2021-12-31",
        "各单位：",
        "现将有关事项 通知如下。",
        "一、加强组织领导",
        "二、落实责任",
        "索引号 123",
        "文号 京政发〔2021〕1号",
        "比较：3 < 5 && <b>不是标签</b>",  # escaped text stays text (display must escape it)
    ]


def test_html_in_gbk_with_declared_charset(tmp_path: Path) -> None:
    page = PAGE.replace('charset="utf-8"', 'charset="gb2312"')
    raw = read_file(write(tmp_path / "page.htm", page.encode("gbk")))
    assert "关于做好安全生产工作的通知" in raw.text
    assert raw.encoding == "gb18030"


def test_html_without_text_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no text"):
        read_file(write(tmp_path / "e.html", "<html><script>x()</script><p> </p></html>"))


# --- PDF ------------------------------------------------------------------------------


def test_pdf_text_layer_pages_separated_by_form_feed(tmp_path: Path) -> None:
    pdf = make_pdf([["中华人民共和国测试法", LAW], ["第二条　第二页的内容。", "— 2 —"]])
    raw = read_file(write(tmp_path / "law.pdf", pdf))
    assert raw.fmt == "pdf"
    pages = raw.text.split("\f")
    assert len(pages) == 2
    assert "中华人民共和国测试法" in pages[0] and LAW in pages[0]
    assert "第二条　第二页的内容。" in pages[1]


def test_a_law_printed_with_its_name_as_running_header_keeps_title_and_articles(
        tmp_path: Path) -> None:
    # As many printed laws are: the name atop every page, the adoption history without
    # brackets, wrapped lines, a page number below, an article starting with 中华人民共和国.
    name = "中华人民共和国测试交通安全法"
    page1 = [name, "2003年10月28日第十届全国人民代表大会常务委员会第五次会议通过",
             "第一章　总　　则", "　　第一条 为了维护道路交通秩序，预防和减少交通事故，制定",
             "本法。", "　　第二条 中华人民共和国境内的车辆驾驶人、行人，都应当遵守本", "法。",
             "— 1 —"]
    page2 = [name, "　　第三条 道路交通安全工作，应当遵循依法管理、方便群众的原则。",
             "　　第四条 本法第三条中规定的原则，由各级人民政府组织实施。", "— 2 —"]
    page3 = [name, "　　第五条 本法自2004年5月1日起施行。", "— 3 —"]
    doc = prepare_file(write(tmp_path / "law.pdf", make_pdf([page1, page2, page3])), "law.pdf")
    assert doc.meta.title == name
    assert doc.text.count(name) == 1  # the header goes from later pages, not from the first
    articles = {c.section_path[-1]: c.text for c in doc.chunks if c.section_path}
    assert articles["第一条"].endswith("制定本法。")
    assert articles["第二条"].startswith("第二条 中华人民共和国境内")
    assert "第三条中规定" in articles["第四条"]


def _wrapped(paragraphs: list[str], width: int = 30) -> list[str]:
    """Paragraphs as a typeset page prints them: lines of `width` characters."""
    return [p[i:i + width] for p in paragraphs for i in range(0, len(p), width)]


def test_a_plan_printed_to_pdf_keeps_headings_tasks_and_their_units(tmp_path: Path) -> None:
    from kb.duties import extract_duties

    title = "某区关于推进城市安全发展的实施方案"
    tasks = [("1.科学制定规划。坚持安全发展理念，进一步完善分区规划，严密细致编制本区各类专项"
              "规划，严格落实专家论证制度。", "责任单位:区规划分局、区发展改革委、区应急管理局等，各街镇"),
             ("2.加强交通安全管理。优化城市道路网络功能和结构，科学规范设置道路交通安全设施，"
              "加快推进城区铁路平交道口立交化改造。", "责任单位:区城市管理委、区交通支队等"),
             ("3.加强消防安全设施建设。因地制宜规划建设小型和微型消防站，缩短灭火救援响应时间，"
              "推进电动自行车充电设施建设。", "责任单位:区消防救援支队、区财政局等，各街镇")]
    paragraphs = [title, "一、总体要求",
                  "为提升城市安全运行水平，构建现代化的城市安全保障体系，结合本区实际，制定本方案。",
                  "二、主要任务及分工", "(一)加强源头治理", *[x for t in tasks for x in t]]
    pdf = make_pdf([_wrapped(paragraphs)])
    doc = prepare_file(write(tmp_path / "plan.pdf", pdf), "plan.pdf")
    assert doc.meta.title == title
    lines = doc.text.split("\n")
    assert "一、总体要求" in lines and "二、主要任务及分工" in lines and "(一)加强源头治理" in lines
    for task, units in tasks:
        assert task in lines and units in lines  # each on its own line, as written
    duties = {d.task: d for d in extract_duties(doc.text)}
    assert duties["加强交通安全管理"].lead == "区城市管理委"
    by_task = {c.section_path[-1]: c.text for c in doc.chunks if c.section_path}
    assert by_task["2.加强交通安全管理"].endswith(tasks[1][1])  # a task stays with its units


def test_real_pdf_has_all_pages() -> None:
    raw = read_file(REAL_PDF)
    assert raw.text.count("\f") == len(PdfReader(REAL_PDF).pages) - 1 == 15
    assert "第一百一十九条" in raw.text


def test_encrypted_pdf_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="encrypted"):
        read_file(write(tmp_path / "locked.pdf", encrypted_pdf([LAW], "secret")))


def test_pdf_encrypted_with_empty_user_password_is_read(tmp_path: Path) -> None:
    assert LAW in read_file(write(tmp_path / "open.pdf", encrypted_pdf([LAW], ""))).text


@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_truncated_pdf_is_rejected(tmp_path: Path, keep: float) -> None:
    data = REAL_PDF.read_bytes()
    with pytest.raises(IngestError, match="corrupt or truncated"):
        read_file(write(tmp_path / "cut.pdf", data[: int(len(data) * keep)]))


def test_not_a_pdf_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="corrupt or truncated"):
        read_file(write(tmp_path / "fake.pdf", "这不是PDF文件"))


def test_scanned_pdf_needs_ocr(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="needs OCR"):
        read_file(write(tmp_path / "scan.pdf", scanned_pdf()))


# --- DOCX -----------------------------------------------------------------------------


def test_docx_labels_from_automatic_numbering_are_kept(tmp_path: Path) -> None:
    # Word numbers chapters, articles and items itself: the labels are in no paragraph's text.
    path = tmp_path / "numbered.docx"
    numbered_docx(path, [
        ("某市安全生产条例", None, 0), ("总则", 1, 0), ("为了加强安全生产，制定本条例。", 2, 0),
        ("本条例适用于本市。", 2, 0), ("生产经营单位", 1, 0),
        ("生产经营单位应当履行下列职责：", 2, 0), ("建立健全责任制；", 3, 0),
        ("组织制定规章制度。", 3, 0), ("主要负责人对本单位安全生产全面负责。", 2, 0),
        ("附则", 1, 0), ("本条例自2025年1月1日起施行。", 2, 0)],
        {1: [("chineseCounting", "第%1章", "space")],
         2: [("chineseCounting", "第%1条", "space")],
         3: [("chineseCounting", "（%1）", "nothing")]})
    lines = read_file(path).text.split("\n")
    assert lines[1:4] == ["第一章 总则", "第一条 为了加强安全生产，制定本条例。", "第二条 本条例适用于本市。"]
    assert "（二）组织制定规章制度。" in lines and "第五条 本条例自2025年1月1日起施行。" in lines
    doc = prepare_file(path, "numbered.docx")
    articles = {c.section_path[-1]: c for c in doc.chunks if c.section_path}
    assert articles["第三条"].section_path == ("第二章 生产经营单位", "第三条")
    assert "（一）建立健全责任制；" in articles["第三条"].text  # the items stay with the article


def test_docx_outline_numbered_by_word_gives_section_paths(tmp_path: Path) -> None:
    # An emergency plan whose multilevel list numbers its outline 1 / 1.1 / 1.1.1 itself.
    path = tmp_path / "plan.docx"
    numbered_docx(path, [
        ("某公司生产安全事故应急预案", None, 0), ("总则", 1, 0), ("编制目的", 1, 1),
        ("为规范应急工作，制定本预案。", None, 0), ("适用范围", 1, 1), ("本预案适用于本公司。", None, 0),
        ("应急响应", 1, 0), ("信息报告", 1, 1), ("事故发生后1小时内报告。", None, 0),
        ("报告内容", 1, 2), ("包括事故发生的时间、地点。", None, 0)],
        {1: [("decimal", "%1", "space"), ("decimal", "%1.%2", "space"),
             ("decimal", "%1.%2.%3", "space")]})
    assert "2.1.1 报告内容" in read_file(path).text.split("\n")
    paths = [c.section_path for c in prepare_file(path, "plan.docx").chunks]
    assert paths == [("1 总则", "1.1 编制目的"), ("1 总则", "1.2 适用范围"),
                     ("2 应急响应", "2.1 信息报告"),
                     ("2 应急响应", "2.1 信息报告", "2.1.1 报告内容")]


def test_docx_without_numbering_definitions_reads(tmp_path: Path) -> None:
    # Files from other editors may have no numbering part (python-docx cannot create one).
    document = docx.Document()
    document.add_paragraph("第一条 为了规范管理，制定本办法。")
    numbering = [r for r, rel in document.part.rels.items() if rel.reltype.endswith("/numbering")]
    for r_id in numbering:
        document.part.drop_rel(r_id)
    document.save(tmp_path / "plain.docx")
    assert read_file(tmp_path / "plain.docx").text == "第一条 为了规范管理，制定本办法。"


def test_docx_numbering_carried_by_a_paragraph_style(tmp_path: Path) -> None:
    path = tmp_path / "styled.docx"
    numbered_docx(path, [("某办法", None, 0), ("为了规范管理，制定本办法。", -4, 0),
                         ("本办法自公布之日起施行。", -4, 0)],
                  {4: [("chineseCounting", "第%1条", "space")]})
    assert read_file(path).text.split("\n")[1:] == ["第一条 为了规范管理，制定本办法。",
                                                    "第二条 本办法自公布之日起施行。"]


@pytest.mark.parametrize(("number", "fmt", "text"), [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (21, "chineseCounting", "二十一"),
    (105, "chineseCountingThousand", "一百零五"), (110, "chineseCounting", "一百一十"),
    (1010, "chineseCounting", "一千零一十"), (3, "decimal", "3"), (2, "ideographTraditional", "乙"),
    (4, "decimalEnclosedCircle", "④"), (28, "upperLetter", "BB"), (14, "lowerRoman", "xiv"),
    (7, "someNewFormat", "7"),
])
def test_word_number_formats(number: int, fmt: str, text: str) -> None:
    assert format_number(number, fmt) == text


def test_docx_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("某区安全生产应急预案", level=1)
    document.add_paragraph("一、总则")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text, table.cell(0, 1).text, table.cell(0, 2).text = "单位", "职责", "电话"
    table.cell(1, 0).text, table.cell(1, 1).text = "应急局", "统筹协调"
    table.cell(1, 1).merge(table.cell(1, 2))  # a merged cell must appear once
    document.add_paragraph("二、组织体系")
    path = tmp_path / "plan.docx"
    document.save(str(path))
    raw = read_file(path)
    assert raw.fmt == "docx"
    assert raw.text.split("\n") == [  # a heading style is marked as a Markdown heading
        "# 某区安全生产应急预案", "一、总则", "单位 职责 电话", "应急局 统筹协调", "二、组织体系",
    ]


def test_corrupt_docx_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="docx"):
        read_file(write(tmp_path / "bad.docx", b"PK\x03\x04 not really a zip"))


# --- iter_files -----------------------------------------------------------------------


def test_iter_files_walks_sorted_and_skips_hidden_and_unsupported(tmp_path: Path) -> None:
    root = tmp_path / "in"
    for name in ["b.txt", "a.md", "sub/c.pdf", "sub/d.DOCX", "e.xlsx", ".hidden.txt",
                 ".git/f.txt", "sub/.cache/g.md", "z.html"]:
        write(root / name, "x")
    single = write(tmp_path / "other" / "law.htm", "x")
    found = list(iter_files([root, single]))
    assert [(f.relative_to(r).as_posix(), r) for f, r in found] == [
        ("a.md", root), ("b.txt", root), ("z.html", root),
        ("sub/c.pdf", root), ("sub/d.DOCX", root), ("law.htm", single.parent),
    ]


def test_files_a_folder_walk_leaves_out_for_their_type_are_collected(tmp_path: Path) -> None:
    root = tmp_path / "in"
    for name in ["a.md", "old.doc", "sub/t.xlsx", "noext", ".hidden.doc", "README.txt"]:
        write(root / name, "x")
    skipped: list[Path] = []
    assert [f.name for f, _ in iter_files([root], skipped)] == ["a.md"]
    assert [f.relative_to(root).as_posix() for f in skipped] == ["noext", "old.doc", "sub/t.xlsx"]


def test_iter_files_yields_an_explicit_unsupported_file_and_rejects_missing(
    tmp_path: Path,
) -> None:
    odd = write(tmp_path / "notes.xlsx", "x")
    assert list(iter_files([odd])) == [(odd, tmp_path)]
    with pytest.raises(IngestError, match="no such"):
        list(iter_files([tmp_path / "nope"]))


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == {".txt", ".md", ".html", ".htm", ".pdf", ".docx"}


# --- properties -----------------------------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn")), max_size=300)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_decoding_any_bytes_gives_text_or_a_named_error(data: bytes) -> None:
    try:
        text, encoding = decode_text(data, "任意.txt")
    except IngestError as exc:
        assert exc.path == "任意.txt"
    else:
        assert isinstance(text, str) and encoding


@settings(max_examples=300, deadline=None)
@given(TEXT, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]))
def test_decoding_loses_no_text(text: str, encoding: str) -> None:
    data = text.encode(encoding)
    if encoding == "gb18030":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            # The same bytes are valid UTF-8 ("牛" in GB18030 is "ţ" in UTF-8): a file can
            # only be read one way, and UTF-8 is tried first. Real documents are long enough
            # for GB18030 text to be invalid UTF-8 somewhere.
            assume(False)
    try:
        decoded, _ = decode_text(data)
    except IngestError:
        # Only text that really looks like junk may be refused.
        assert any(unicodedata.category(c) in ("Co", "Cn") for c in text) or encoding == "gb18030"
        return
    assert decoded == text


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT.filter(lambda t: t.strip()), min_size=1, max_size=8))
def test_html_paragraph_text_survives_whole(paragraphs: list[str]) -> None:
    body = "".join(f"<p onclick='x()'>{html.escape(p)}</p><script>bad()</script>"
                   for p in paragraphs)
    lines = loaders._html_text(BeautifulSoup(f"<html><body>{body}</body></html>", "html.parser"))
    # Every visible character, in order; nothing of the scripts or handlers.
    assert "".join(lines.split()) == "".join("".join(p.split()) for p in paragraphs)
