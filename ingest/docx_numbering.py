"""Word's automatic numbering ("第一条", "一、", "(一)", "1."): the labels a DOCX shows but does
not hold in its paragraph text."""

from __future__ import annotations

from docx.document import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from ingest.numerals import int_to_cn

_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
# A label ending like these joins its text directly ("一、总体要求"); others take a space
# ("第一条 为了…"), as the documents are written by hand.
_JOINING_END = "、.．)）:："


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out += numeral * count
    return out


def format_number(n: int, fmt: str) -> str:
    """A counter value in a Word number format (w:numFmt); decimal for unknown formats."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
               "ideographDigital", "japaneseCounting", "taiwaneseCounting"):
        return int_to_cn(n) if 0 <= n < 10000 else str(n)
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return _HEAVENLY_STEMS[n - 1]
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt in ("upperLetter", "lowerLetter") and n >= 1:
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman") and n >= 1:
        return _roman(n) if fmt == "upperRoman" else _roman(n).lower()
    return str(n)


def _val(element, tag: str) -> str | None:
    child = element.find(qn(tag)) if element is not None else None
    return child.get(qn("w:val")) if child is not None else None


class Numbering:
    """Counts a document's numbered paragraphs in order and gives each its label."""

    def __init__(self, document: Document):
        self._levels: dict[str, dict[int, tuple[int, str, str, str]]] = {}
        self._nums: dict[str, tuple[str, dict[int, int]]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._started: set[str] = set()
        try:
            root = document.part.numbering_part.element
        except NotImplementedError:  # python-docx cannot add the missing part: none is numbered
            return
        for abstract in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in abstract.findall(qn("w:lvl")):
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = (
                    int(_val(lvl, "w:start") or 1), _val(lvl, "w:numFmt") or "decimal",
                    _val(lvl, "w:lvlText") or "", _val(lvl, "w:suff") or "tab")
            self._levels[abstract.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            overrides = {int(o.get(qn("w:ilvl"), "0")): int(_val(o, "w:startOverride"))
                         for o in num.findall(qn("w:lvlOverride"))
                         if _val(o, "w:startOverride") is not None}
            self._nums[num.get(qn("w:numId"))] = (_val(num, "w:abstractNumId") or "", overrides)

    def label(self, paragraph: Paragraph) -> str:
        """The label Word shows before this paragraph ("" if none); call once per paragraph,
        in document order."""
        num_id, ilvl = _num_pr(paragraph)
        if num_id is None or num_id not in self._nums:
            return ""
        abstract_id, overrides = self._nums[num_id]
        levels = self._levels.get(abstract_id, {})
        if ilvl not in levels:
            return ""
        counters = self._counters.setdefault(abstract_id, {})
        if num_id not in self._started:  # a list instance restarting its numbering
            self._started.add(num_id)
            for level, start in overrides.items():
                counters[level] = start - 1
        start, fmt, text, suffix = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [lv for lv in counters if lv > ilvl]:
            del counters[deeper]  # a new item restarts the levels below it
        if fmt in ("bullet", "none"):
            return ""
        for level in range(9):
            if f"%{level + 1}" in text:
                lv_start, lv_fmt = levels.get(level, (1, "decimal", "", ""))[:2]
                value = counters.get(level, lv_start)
                text = text.replace(f"%{level + 1}", format_number(value, lv_fmt))
        if not text or suffix == "nothing" or text[-1] in _JOINING_END:
            return text
        return text + " "


def _num_pr(paragraph: Paragraph) -> tuple[str | None, int]:
    """(numId, level) of a paragraph's numbering, from its own properties or its style's."""
    sources = [paragraph._p.pPr]
    style = paragraph.style
    while style is not None:  # a heading style may carry the numbering ("第X章")
        sources.append(style.element.pPr)
        style = style.base_style
    for ppr in sources:
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        if num_pr is None:
            continue
        num_id = _val(num_pr, "w:numId")
        if num_id in (None, "0"):
            return None, 0  # numbering switched off here
        return num_id, int(_val(num_pr, "w:ilvl") or 0)
    return None, 0
