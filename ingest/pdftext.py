"""Repair of text extracted from PDFs (pure): page furniture, broken lines, structure."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ingest.chunking import OUTLINE_NUMBER, heading_kind
from ingest.clean import (
    FULLWIDTH_ALNUM,
    is_wide,
    normalize_for_match,
    normalize_newlines,
    not_chrome,
)

_CN_NUM = "〇零一二三四五六七八九十百千两"
# Heading labels: 第X编/章/节/条 at the start of a (whitespace-free) line.
_LABEL = re.compile(rf"第[{_CN_NUM}\d]{{1,8}}(?:[编章节条]|部分)")
# Enumerated items, matched on the whitespace-free start of a unit.
_ITEM = re.compile(
    rf"[{_CN_NUM}]{{1,4}}、"
    rf"|[（(][{_CN_NUM}]{{1,4}}[）)]"
    r"|\d{1,2}[.．、](?!\d)"
    r"|[（(]?\d{1,2}[）)]"
    r"|[\u2460-\u2473]"  # ①…⑳
)
# The adoption history of a law: （2002年6月29日第九届全国人民代表大会常务委员会…通过…）
_HISTORY = re.compile(r"[（(]\d{4}年\d{1,2}月\d{1,2}日")
_TOC = re.compile(r"目录(?=第)")
# An outline number and the space after it, before a title: "1 总则", "4.1 信息报告".
_OUTLINE_NUMBER = re.compile(rf"\s*({OUTLINE_NUMBER})\s+(?=[\u4e00-\u9fff])")
# The line of a plan's task naming who does it: 责任单位:区应急管理局、各街镇
_RESPONSIBLE = re.compile(r"(?:主要|其他)?(?:责任单位|牵头单位|配合单位|责任部门|牵头部门)[:：]")
# A reference rather than a heading: 第九十条规定的…, 第十条、第十一条…
_REFERENCE_AFTER = "、，,。；;的规之中第款项和或及至"
_CLOSED_END = "。：:；;！!？?"
_PAGE_NUMBER = re.compile(
    r"[-—–－_~·\s]*\d{1,4}[-—–－_~·\s]*"  # 12, - 12 -, — 12 —
    r"|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?"  # 第 3 页 共 16 页
    r"|\d{1,4}\s*/\s*\d{1,4}"  # 3/16
    r"|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?",
    re.IGNORECASE,
)
_MAX_HEADING = 40  # a short line without sentence punctuation is a heading or title
_EDGE_LINES = 10  # how deep into a page a running header/footer can reach
# A running header that names the document (中华人民共和国劳动法) is also its title on the
# first page, where it stays: metadata reads the title from there.
_TITLE_END = re.compile(r"^[^\s，。；：,;:、]{3,}(?<![本该此])"
                        r"(?:法|条例|规定|办法|细则|规则|解释|决定|方案|规划|预案|意见|通知|纲要)$")
_NEVER_FURNITURE = re.compile(r"[，。、；：？！）」』”,.;:?!)]+")


def fix_pdf_text(text: str) -> str:
    """Repair text extracted from a typeset PDF so that it reads like the source.

    - Running headers/footers and page numbers are dropped. With pages separated by
      "\\f" (as read_file gives), a line is furniture when the same line (digits ignored)
      sits at the same place at the top or bottom of many pages; a bare number at a page
      edge goes when the next or previous page has the next or previous number there.
      Decorated numbers like "— 12 —" or "第3页 共16页" go anywhere. A header naming the
      document stays once, as the title atop the first page.
    - Web-page chrome (a page printed to PDF from a government site) is dropped as in
      strip_web_chrome, line by line before lines are joined.
    - Lines broken mid-sentence are joined; punctuation alone on a line goes back to
      the line before; spaces between Chinese characters and punctuation are removed.
    - A new line starts at each structural unit: 第X编/部分/章/节/条 headings, items 一、
      （一） (一) 1. 1． （1） ①, a plan's 责任单位: line, the adoption history （2002年…）,
      目录; and after a line stopping short of the text's width (a paragraph, heading, title
      or signature ends there).
    - Full-width digits and Latin letters become ASCII, as in the published texts.

    Text extracted in fragments (a character or number per line, as in the sample
    安全生产法 PDF) says nothing by its line widths or chrome-like words: there lines are
    only joined, and paragraph breaks inside an article cannot be recovered.

    Args:
        text: PDF text, pages separated by "\\f".

    Returns:
        The repaired text, one structural unit per line.
    """
    text = normalize_newlines(text).translate(FULLWIDTH_ALNUM)
    pages = [page.split("\n") for page in text.split("\f")]
    lines = [line for page in _drop_page_furniture(pages) for line in page]
    # A web page printed to PDF keeps its navigation, metadata table and footer lines; text
    # extracted in fragments has lines like "中" that only look like chrome ("[大 中 小]").
    fragmentary = _fragmentary(lines)
    if not fragmentary:
        lines = [line for line, kept in zip(lines, not_chrome(lines), strict=True) if kept]
    units = _join_units(lines, by_width=not fragmentary)
    return "\n".join(_squeeze(u) for u in units)


def _compact(line: str) -> str:
    """The line without any whitespace (structure is matched on this)."""
    return re.sub(r"\s+", "", line)


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "0", normalize_for_match(line))


def _drop_page_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Remove running headers/footers and page numbers from each page's lines."""
    pages = [_fold_blank_lines(page) for page in pages]
    pages = [[ln for ln in page if not _is_decorated_page_number(ln)] for page in pages]
    if len(pages) < 2:
        return pages
    threshold = max(2, math.ceil(0.4 * len(pages)))
    tops = _repeated_at_edge(pages, threshold, from_end=False)
    bottoms = _repeated_at_edge(pages, threshold, from_end=True)
    cleaned = []
    for number, page in enumerate(pages):
        start, end = 0, len(page)
        while start < end and tops.get(start) == _furniture_key(page[start]) \
                and not (number == 0 and _TITLE_END.search(_compact(page[start]))):
            start += 1
        while end > start and bottoms.get(len(page) - end) == _furniture_key(page[end - 1]):
            end -= 1
        cleaned.append(page[start:end])
    for edge in (0, -1):
        for i in _numbered_pages(cleaned, edge):
            del cleaned[i][edge]
    return cleaned


def _numbered_pages(pages: list[list[str]], edge: int) -> list[int]:
    """Pages whose first (edge 0) or last (-1) line is a bare page number.

    A lone number counts only if a neighbouring page has the next or previous number at
    the same edge: a year like 2002 that ends a page is text.
    """
    numbers = [int(p[edge]) if p and p[edge].strip().isdecimal() and len(p[edge].strip()) <= 4
               and p[edge].strip().isascii() else None for p in pages]
    found = []
    for i, n in enumerate(numbers):
        before = numbers[i - 1] if i > 0 else None
        after = numbers[i + 1] if i + 1 < len(numbers) else None
        if n is not None and (before == n - 1 or after == n + 1):
            found.append(i)
    return found


def _fold_blank_lines(lines: list[str]) -> list[str]:
    """Drop whitespace-only lines, marking the next line with a leading space instead.

    In PDF text a whitespace-only line stands for a visible space (after 第一条, inside
    总　则), which joining must keep; the mark keeps page edges free of blank lines.
    """
    out: list[str] = []
    gap = False
    for line in lines:
        if not line.strip():
            gap = True
            continue
        out.append(" " + line if gap and not line[:1].isspace() else line)
        gap = False
    return out


def _repeated_at_edge(pages: list[list[str]], threshold: int, from_end: bool) -> dict[int, str]:
    """For each depth from a page edge, the line key found there on >= threshold pages."""
    found: dict[int, str] = {}
    for depth in range(_EDGE_LINES):
        counts: dict[str, int] = {}
        for page in pages:
            if depth < len(page):
                key = _furniture_key(page[-1 - depth] if from_end else page[depth])
                counts[key] = counts.get(key, 0) + 1
        best = max(counts.items(), key=lambda kv: kv[1], default=("", 0))
        if best[1] < threshold or not best[0] or _NEVER_FURNITURE.fullmatch(best[0]):
            break  # furniture is contiguous from the edge
        found[depth] = best[0]
    return found


def _is_decorated_page_number(line: str) -> bool:
    stripped = line.strip()
    return bool(_PAGE_NUMBER.fullmatch(stripped)) and not stripped.isdigit()


@dataclass
class _Unit:
    """A logical line being assembled from physical lines (parts joined once, at the end)."""

    parts: list[str]
    heading: bool  # a title, 目录, 第X章 or adoption history line
    kind: str = ""  # what started it (see _unit_kind); "" for the first line or a paragraph
    length: int = 0
    has_comma: bool = False  # sentence punctuation seen: not a short heading

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)
        self.has_comma = self.has_comma or re.search(r"[，。；：,;:]", text) is not None

    @property
    def last(self) -> str:
        return self.parts[-1][-1]

    @property
    def closed(self) -> bool:
        """Whether a new unit may start after this one."""
        return (self.last in _CLOSED_END or self.heading
                or (self.length <= _MAX_HEADING and not self.has_comma))


def _join_units(lines: list[str], by_width: bool = True) -> list[str]:
    """Join physical lines into logical lines, one per structural unit."""
    units: list[_Unit] = []
    compact = [_compact(ln) for ln in lines]
    short = _short_lines(lines) if by_width else [False] * len(lines)
    after_short = False  # the line before ended short of the text's width
    for i, line in enumerate(lines):
        if not compact[i]:
            continue
        text = line.strip()
        prev = units[-1] if units else None
        kind = _unit_kind(lines, compact, i, prev, after_short)
        if len(units) == 1 and units[0].heading and units[0].length <= _MAX_HEADING \
                and _TITLE_END.search(_compact("".join(units[0].parts))):
            kind = kind or "heading"  # nothing continues the document's title line
        if after_short:
            # A line stopping short of the text's width ends its paragraph, heading ("二、组织
            # 机构"), title or signature line: the next line starts a new one.
            kind = kind or "paragraph"
        after_short = short[i]
        if kind or not units:
            units.append(_Unit([], heading=kind in ("heading", "history") or not units,
                               kind=kind))
        else:
            unit = units[-1]
            unit.add(_separator(unit.last, text[0], gap=line[:1].isspace()))
            if unit.heading and text[-1] in _CLOSED_END:
                unit.heading = False
        units[-1].add(text)
    return ["".join(u.parts) for u in units]


def _short_lines(lines: list[str]) -> list[bool]:
    """Lines that end well before the text's usual width: a paragraph or heading ends there.

    Wrapped lines of a typeset page all reach about the same width (counting a CJK
    character as 1 and an ASCII one as 1/2); the last line of a paragraph, a heading or a
    plan's "责任单位:…各街镇" line stops short of it.
    """
    widths = [_width(ln) for ln in lines]
    filled = sorted(w for w in widths if w)
    if len(filled) < 10:
        return [False] * len(lines)
    full = filled[int(0.9 * (len(filled) - 1))]
    return [0 < w < 0.8 * full for w in widths]


def _width(line: str) -> float:
    return sum(1.0 if is_wide(c) else 0.5 for c in line.strip())


# Share of lines one or two characters wide from which a text counts as extracted in pieces.
FRAGMENT_SHARE = 0.25


def _fragmentary(lines: list[str]) -> bool:
    """Whether most lines are fragments, as when a PDF's text is extracted piece by piece
    (the sample 安全生产法 PDF: "（", "２００２", "年", …): then a line's width or its words say
    nothing about paragraphs or chrome. Short lines alone do not make it: an emergency plan's
    contents list and outline headings ("1.1 编制目的") are short whole lines, while
    fragments are mostly a character or two (half the sample PDF's lines, 3% of a law's)."""
    filled = sorted(w for w in map(_width, lines) if w)
    if not filled:
        return False
    tiny = sum(w <= 2 for w in filled) / len(filled)
    return filled[len(filled) // 2] < 0.5 * filled[int(0.9 * (len(filled) - 1))] \
        and tiny >= FRAGMENT_SHARE


def _unit_kind(lines: list[str], compact: list[str], i: int, prev: _Unit | None,
               after_short: bool = False) -> str:
    """'heading', 'article', 'item', 'history', 'responsible' if line i starts a unit, else ''."""
    head = "".join(compact[i:i + 8])[:40]  # the unit may be split over several lines
    # A plan's "责任单位:…" line lists units and ends without punctuation; nothing continues it.
    closed = prev is None or prev.closed or after_short or prev.kind == "responsible"
    if _RESPONSIBLE.match(head) and closed:
        return "responsible"
    label = _LABEL.match(compact[i])
    if label:
        rest = head[label.end():]
        # "第二条中规定的…" refers to an article, but "第二条 中华人民共和国境内…" starts one: a
        # space after the label as printed (not in text spaced out character by character).
        spaced = re.match(rf"{re.escape(label.group())}\s", lines[i].lstrip()) is not None
        if rest[:1] and rest[0] in _REFERENCE_AFTER and not (closed and spaced):
            return ""
        is_article = label.group()[-1] == "条"
        if closed or (not is_article and _label_alone(lines[i], label.end())):
            return "article" if is_article else "heading"
        return ""
    if _TOC.match(head) and closed:
        return "heading"
    # An emergency plan's outline heading ("1 总则", "4.1 信息报告") is a line of its own.
    if closed and heading_kind(lines[i]).startswith("decimal"):
        return "heading"
    if _HISTORY.match(head) and closed:
        return "history"
    if _ITEM.match(head) and closed:
        return "item"
    return ""


def _label_alone(line: str, label_len: int) -> bool:
    """Whether the label (label_len non-space characters) is followed by space or line end."""
    seen = 0
    for pos, c in enumerate(line.lstrip()):
        if not c.isspace():
            seen += 1
            if seen == label_len:
                after = line.lstrip()[pos + 1:pos + 2]
                return not after or after.isspace()
    return True


def _separator(before: str, after: str, gap: bool) -> str:
    """How to join two lines: no space within CJK text, one space between words or at a gap."""
    if gap:
        return " "
    return "" if is_wide(before) or is_wide(after) else " "


def _squeeze(unit: str) -> str:
    """Remove spaces next to CJK characters/punctuation; keep one after a heading label."""
    label = _LABEL.match(_compact(unit))
    head = ""
    outline = _OUTLINE_NUMBER.match(unit)
    if outline and not label:  # "1 总则", "4.1 信息报告": the space after the number stays
        head, unit = outline.group(1) + " ", unit[outline.end():]
    elif label:
        # Split off the label as it appears in the unit (it may contain spaces).
        seen = 0
        for pos, c in enumerate(unit):
            seen += not c.isspace()
            if seen == label.end():
                head, unit = re.sub(r"\s+", "", unit[:pos + 1]), unit[pos + 1:]
                break
        sep = " " if unit[:1].isspace() else ""
        head += sep
    body = re.sub(r"\s+", " ", unit.strip())
    body = re.sub(r"(?<=\S) (?=\S)", lambda m: _space_or_not(body, m.start()), body)
    return (head + body).rstrip()


def _space_or_not(text: str, pos: int) -> str:
    return "" if is_wide(text[pos - 1]) or is_wide(text[pos + 1]) else " "
