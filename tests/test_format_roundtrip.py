"""Every law and plan of the sample corpus, as a typeset PDF, a DOCX (also with Word numbering
its chapters and articles) or a government web page, ingests to the same title and sections as
its source."""

import html
import re
from pathlib import Path

import docx
import pytest
from samplefiles import numbered_docx, typeset_pdf

from ingest.pipeline import prepare_file

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared" / "corpus"
CORPUS = SHARED if SHARED.is_dir() else REPO_ROOT / "data" / "corpus"
SOURCES = sorted(p for p in [*CORPUS.glob("*.md"), *CORPUS.glob("*.txt")] if p.name != "README.md")
# An emergency plan numbering its outline 1 / 1.1 / 1.1.1 (made up; the corpus has none).
SOURCES.append(Path(__file__).parent / "data" / "emergency_plan.txt")


def _sections(path: Path, source: str) -> dict[tuple[str, ...], str]:
    doc = prepare_file(path, source)
    out: dict[tuple[str, ...], str] = {}
    for chunk in doc.chunks:  # a long section split in two is compared as a whole
        # Spacing is not compared: "总　则" in a Markdown heading, "总则" once printed.
        path = tuple(re.sub(r"\s", "", p) for p in chunk.section_path)
        out[path] = out.get(path, "") + re.sub(r"\s", "", chunk.text)
    return out


def _paragraphs(source: Path) -> list[str]:
    """The document's paragraphs as printed: Markdown marks left out; the district plans are
    pages scraped from a website, printed without the site's chrome."""
    text = (prepare_file(source, source.name).text if source.suffix == ".txt"
            else source.read_text(encoding="utf-8"))
    lines = [re.sub(r"^#+\s*", "", ln).strip() for ln in text.splitlines()]
    return [ln for ln in lines if ln and not ln.startswith("<!--")]


def _docx(paragraphs: list[str], path: Path) -> None:
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    document.save(path)


def _web_page(paragraphs: list[str], path: Path) -> None:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs[1:])
    path.write_text(
        f"<html><head><meta charset='utf-8'><title>{html.escape(paragraphs[0])}_某市人民政府"
        "</title></head><body><div>首页 | 政务公开 | 政策文件 | 办事服务</div>"
        "<div>当前位置：首页 > 政务公开 > 法律法规</div>"
        f"<h1>{html.escape(paragraphs[0])}</h1>{body}"
        "<div>主办：某市人民政府办公厅 承办：某市大数据中心</div>"
        "<div>网站标识码：1100000088 京ICP备05060933号</div></body></html>", encoding="utf-8")


_CN = "一二三四五六七八九十百零"


def _auto_numbered_docx(paragraphs: list[str], path: Path) -> None:
    """The DOCX a drafter makes with Word numbering its chapters and articles itself."""
    numbered = []
    for p in paragraphs:
        chapter = re.match(rf"第[{_CN}]+章\s*", p)
        article = re.match(rf"第[{_CN}]+条\s*", p)
        label = chapter or article
        numbered.append((p[label.end():], 1 if chapter else 2, 0) if label else (p, None, 0))
    numbered_docx(path, numbered, {1: [("chineseCounting", "第%1章", "space")],
                                   2: [("chineseCounting", "第%1条", "space")]})


@pytest.mark.parametrize("fmt", ["pdf", "docx", "numbered.docx", "html"])
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_another_format_gives_the_same_title_and_sections(source: Path, fmt: str,
                                                          tmp_path: Path) -> None:
    other = tmp_path / f"{source.stem}.{fmt}"
    paragraphs = _paragraphs(source)
    if fmt == "pdf":
        other.write_bytes(typeset_pdf("\n".join(paragraphs)))
    elif fmt == "docx":
        _docx(paragraphs, other)
    elif fmt == "numbered.docx":
        _auto_numbered_docx(paragraphs, other)
    else:
        _web_page(paragraphs, other)
    assert prepare_file(other, other.name).meta.title == \
        prepare_file(source, source.name).meta.title
    want, got = _sections(source, source.name), _sections(other, other.name)
    assert len(want) > 1  # the source has structure to keep, or the comparison proves nothing
    same = sum(got.get(path) == text for path, text in want.items())
    # Paragraph breaks inside an article that ends a page exactly at the line's end cannot
    # be told from a wrap: allow one section in twenty to differ.
    assert same >= 0.95 * len(want), [p for p in want if got.get(p) != want[p]][:5]
