"""Headings marked by their author (Markdown "##", DOCX heading styles, <h2>) are sections even
without a number: a company's rules often head their parts 适用范围, 职责, 车间主任."""

from pathlib import Path

import docx

from ingest.chunking import chunk_text, parse_blocks
from ingest.clean import strip_heading_marks
from ingest.pipeline import prepare_file
from kb.store import KnowledgeBase

# A made-up company rule, headed the way such documents are: a title, unnumbered parts, a
# numbered part, and numbered items under unnumbered headings.
RULE = """# 动火作业安全管理制度
## 适用范围
本制度适用于公司各车间、仓库及办公区域内的动火作业。
## 职责
### 安全环保部
1.负责动火作业许可证的审批和现场监督检查。
2.负责组织动火作业人员的安全培训。
### 车间主任
1.负责本车间动火作业的现场安全管理，指定专人监护。
2.动火作业结束后负责检查现场，确认无遗留火种。
## 三、作业要求
（一）动火作业前必须办理动火作业许可证。
（二）动火点周围十米内不得存放易燃易爆物品。
### 特级动火
特级动火作业由公司主要负责人审批。
## 附则
本制度自发布之日起施行。
"""


def paths(text: str) -> list[tuple[tuple[str, ...], str]]:
    return [(b.path, b.lines[-1]) for b in parse_blocks(text, markup=True)]


def test_marked_headings_nest_by_level_and_lose_their_marks():
    blocks = parse_blocks(RULE, markup=True)
    # Numbered items are sections of their own, as in plans; what matters is what they are in.
    by_line = {line: b.path[:2] for b in blocks for line in b.lines}
    assert by_line["动火作业安全管理制度"] == ()  # the title is not a section
    assert by_line["本制度适用于公司各车间、仓库及办公区域内的动火作业。"] == ("适用范围",)
    assert by_line["1.负责动火作业许可证的审批和现场监督检查。"] == ("职责", "安全环保部")
    # Numbered items under an unnumbered heading stay in it; the next marked heading of the
    # same level closes them.
    assert by_line["2.动火作业结束后负责检查现场，确认无遗留火种。"] == ("职责", "车间主任")
    assert by_line["（二）动火点周围十米内不得存放易燃易爆物品。"][0] == "三、作业要求"
    assert by_line["特级动火作业由公司主要负责人审批。"] == ("三、作业要求", "特级动火")
    assert by_line["本制度自发布之日起施行。"] == ("附则",)
    assert not any(line.startswith("#") for b in blocks for line in b.lines)


def test_without_markup_the_marks_are_text_as_before():
    # Text and web pages do not mark headings: "## 职责" there is a line of text.
    blocks = parse_blocks(RULE)
    assert not {"职责", "车间主任", "附则"} & {label for b in blocks for label in b.path}
    assert any("## 职责" in b.lines for b in blocks)


def test_a_numbered_law_in_markdown_chunks_as_without_marks():
    marked = "# 某某条例\n## 第一章 总则\n第一条 为了加强管理，制定本条例。\n### 第一节 一般规定\n" \
             "第二条 本条例适用于本市。\n（一）第一项；\n## 第二章 附则\n第三条 本条例自公布之日起施行。\n"
    assert chunk_text(marked, markup=True) == chunk_text(strip_heading_marks(marked))


def test_an_unmarked_numbered_heading_does_not_close_a_marked_one():
    text = "## 职责\n一、安全部\n负责审批。\n二、车间\n负责监护。\n## 附则\n自发布之日起施行。"
    assert paths(text) == [(("职责",), "职责"), (("职责", "一、安全部"), "负责审批。"),
                           (("职责", "二、车间"), "负责监护。"), (("附则",), "自发布之日起施行。")]


def write_rule_docx(path: Path) -> Path:
    """RULE as Word writes it: a Title paragraph, Heading 1/2 styles, body paragraphs."""
    document = docx.Document()
    for line in RULE.strip().split("\n"):
        marks, _, text = line.partition(" ") if line.startswith("#") else ("", "", line)
        if marks == "#":
            document.add_paragraph(text, style="Title")
        elif marks:
            document.add_heading(text, level=len(marks) - 1)
        else:
            document.add_paragraph(text)
    document.save(str(path))
    return path


def test_docx_heading_styles_are_sections(tmp_path):
    doc = prepare_file(write_rule_docx(tmp_path / "动火作业安全管理制度.docx"), "rule.docx")
    assert doc.meta.title == "动火作业安全管理制度"
    chunk = next(c for c in doc.chunks if "指定专人监护" in c.text)
    assert chunk.section_path[:2] == ("职责", "车间主任")
    assert not any("#" in c.text for c in doc.chunks)
    # The same rule as Markdown is the same document, chunked the same way.
    (tmp_path / "rule.md").write_text(RULE, encoding="utf-8")
    as_markdown = prepare_file(tmp_path / "rule.md", "rule.md")
    assert as_markdown.sha256 == doc.sha256
    assert [(c.section_path, c.text) for c in as_markdown.chunks] \
        == [(c.section_path, c.text) for c in doc.chunks]


def write_rule_page(path: Path) -> Path:
    """RULE as a web page: <h1> title, <h2>/<h3> headings, with a menu and a chrome heading."""
    body = []
    for line in RULE.strip().split("\n"):
        marks, _, text = line.partition(" ") if line.startswith("#") else ("", "", line)
        body.append(f"<h{len(marks)}>{text}</h{len(marks)}>" if marks else f"<p>{text}</p>")
    path.write_text("<html><body><div>首页 | 政务公开 | 办事服务</div>" + "".join(body)
                    + "<h3>相关链接</h3><p>网站标识码：1100000001</p></body></html>",
                    encoding="utf-8")
    return path


def test_web_page_headings_are_sections(tmp_path):
    page = prepare_file(write_rule_page(tmp_path / "rule.html"), "rule.html")
    assert page.meta.title == "动火作业安全管理制度"
    (tmp_path / "rule.md").write_text(RULE, encoding="utf-8")
    as_markdown = prepare_file(tmp_path / "rule.md", "rule.md")
    # The menu and the chrome heading are gone; the rest is the Markdown rule, section for
    # section.
    assert [(c.section_path, c.text) for c in page.chunks] \
        == [(c.section_path, c.text) for c in as_markdown.chunks]


def test_a_question_finds_the_section_by_its_unnumbered_heading(tmp_path):
    # Real knowledge base, default embedder: both retrievers see the section path, so the
    # workshop director's duties are found by his title, which only the heading holds.
    kb = KnowledgeBase(tmp_path / "kb")
    report = kb.ingest([write_rule_docx(tmp_path / "动火作业安全管理制度.docx")])
    assert report.ok, [(r.source, r.error) for r in report.failed]
    top = kb.search("车间主任在动火作业中要负责什么？", k=1)[0]
    assert top.section_path[:2] == ("职责", "车间主任")
    assert "指定专人监护" in top.text
