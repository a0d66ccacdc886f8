"""Text analysis for question generation: clauses and their key elements (pure functions)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ingest.numerals import cn_to_int, int_to_cn

MIN_CLAUSE = 15
MAX_CLAUSE = 160
BLANK = "____"

# ----- numerals ---------------------------------------------------------------------------

MONEY = {"元": 1, "万元": 10000}


def render_amount(value: float, unit: str, style: str) -> str | None:
    """Number and unit as laws write them; amounts of money in 万元 when they are whole."""
    if unit == "元" and value >= 10000 and value % 10000 == 0:
        value, unit = value / 10000, "万元"
    text = render_number(value, style)
    return text + unit if text else None


def parse_number(text: str) -> float | None:
    """Value of an Arabic or Chinese numeral."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    value = cn_to_int(text)
    return None if value is None else float(value)


def render_number(value: float, style: str) -> str | None:
    """Write value in the style of the key (``arabic`` or ``chinese``); None if impossible."""
    if style == "chinese":
        if value != int(value) or not 0 < value < 10000:
            return None
        return int_to_cn(int(value))
    return str(int(value)) if value == int(value) else f"{value:g}"


# ----- elements ---------------------------------------------------------------------------

_NUM = r"\d+(?:\.\d+)?|[一二两三四五六七八九十][零〇一二两三四五六七八九十百千]*"
# Longest first, so 个工作日 is not read as 日 and 万元 not as 元.
_UNITS = ("个工作日", "工作日", "个小时", "小时", "分钟", "个月", "周岁", "日", "天", "年", "周",
          "万元", "元", "人", "倍", "平方米", "立方米", "千米", "公里", "米", "吨", "千克", "公斤",
          "次", "层", "名", "辆", "%", "％")  # fmt: skip
_UNIT = "|".join(map(re.escape, _UNITS))
# Not inside a bigger numeral, an ordinal (第三), a frequency (每年) or 上一年/同一年度.
_BEFORE = r"(?<![第\d.零〇一二两三四五六七八九十百千每上下同])"
_SUFFIX = r"以上|以下|以内|之内|内"
_RANGE_RE = re.compile(
    rf"{_BEFORE}(?P<a>{_NUM})(?P<ua>{_UNIT})以上(?P<b>{_NUM})(?P<ub>{_UNIT})以下"
)
_NUMBER_RE = re.compile(
    rf"{_BEFORE}(?P<num>{_NUM})(?P<unit>{_UNIT})(?![性度])(?P<suffix>{_SUFFIX})?"
)
_PERIODS = ("半年", "季度", "年", "月", "周", "日", "天")
_FREQ_RE = re.compile(
    rf"每(?P<period>{'|'.join(_PERIODS)})(?:至少|不少于|不得少于)?"
    r"(?:组织|进行|开展|召开|检查|检测|演练)?(?P<count>[一二两三四五六七八九十]|\d+)次"
)
# 有权 also occurs in 所有权人, 享有权利, 具有权威: not a modal there; nor is a word in a
# list of nouns (危险化学品禁止、限制、控制措施).
_MODAL_RE = re.compile(
    r"(?<![、不])(?:(?:应当|可以)|必须|不得(?!不)|禁止|严禁|(?<![所享具拥])有权(?![限利益威属]))"
    r"(?!、)"
)
MODAL_GROUPS = {"应当": "obligation", "必须": "obligation", "不得": "prohibition",
                "禁止": "prohibition", "严禁": "prohibition", "可以": "permission",
                "有权": "right"}  # fmt: skip

# Actor kinds by how their names end (longest first): governments, government departments,
# organisations and people. Distractors are drawn from the same kind so they are plausible;
# governments and departments are kept apart because a department is often part of what a
# government-level answer means (应急管理部门 is one of the 负有安全生产监督管理职责的部门).
_ACTOR_ENDINGS = (
    ("人民政府", "gov"), ("政府", "gov"), ("国务院", "gov"), ("办事处", "gov"),
    ("部门", "dept"), ("机关", "dept"), ("人民法院", "dept"), ("人民检察院", "dept"),
    ("负责人", "person"), ("人员", "person"), ("职工", "person"), ("劳动者", "person"),
    ("个人", "person"), ("公民", "person"), ("驾驶人", "person"), ("投资人", "person"),
    ("工程师", "person"), ("承运人", "person"), ("托运人", "person"), ("监护人", "person"),
    ("单位", "org"), ("企业", "org"), ("经营者", "org"), ("公司", "org"), ("组织", "org"),
    ("机构", "org"), ("学校", "org"), ("工会", "org"), ("协会", "org"), ("委员会", "org"),
    ("医院", "org"), ("承办者", "org"), ("业主", "org"),
)  # fmt: skip
_ACTOR_LEADING = ("但是", "但", "并且", "并", "其中", "同时", "由", "对于", "另外")
_ACTOR_TRAILING = ("同时", "依法", "首先", "也", "均", "都", "还", "并", "亦", "则", "即", "仍",
                   "应")  # fmt: skip
# Subjects that name nobody in particular, or only by reference to other text.
_ACTOR_VAGUE = re.compile(r"^(其|该|本|此|上述|前款|前述|有关|相关|其他|其它|任何|各)|[、和及或与]")
_ACTOR_BAD = re.compile(r"[的在对向从为于将把被经未因由]$|[，,：:（(）)“”《》]|的.*的.*的")


@dataclass(frozen=True)
class Element:
    """A key element of a clause that a question can blank or change.

    Attributes:
        kind: ``number`` (30日, 1小时), ``range`` (二万元以上十万元以下), ``freq`` (每年至少一次),
            ``modal`` (应当, 不得, …) or ``actor`` (the subject before a modal).
        text: the element exactly as written.
        start: offset of the element in the clause.
        group: numbers: the unit; ranges: the unit (元 for any amount of money); freq: the
            period; modal: obligation / prohibition / permission / right; actor: gov /
            dept / org / person.
        value: numbers: the value; ranges: the lower bound (in 元 for money); freq: the
            count; else None.
        value2: ranges: the upper bound.
        style: ``arabic`` or ``chinese`` numerals (numbers, ranges, freq).
        suffix: numbers: 以上 / 以下 / 内 … written after the unit (not part of text).
        num_len: numbers: length of the numeral at the start of text (what a fill-in blanks).
    """

    kind: str
    text: str
    start: int
    group: str = ""
    value: float | None = None
    value2: float | None = None
    style: str = ""
    suffix: str = ""
    num_len: int = 0

    @property
    def end(self) -> int:
        """Offset just after the element in the clause."""
        return self.start + len(self.text)


@dataclass(frozen=True)
class Clause:
    """A sentence or semicolon clause of a chunk, with its key elements.

    Attributes:
        text: the clause exactly as written, without its final 。 or ；.
        start: offset of the clause in the text it was taken from.
        elements: key elements found in it, in order.
        refers: it points at other text (第X条, 前款, 下列…, a sentence ending with a colon
            before a list, a clause continuing the one before it), so it cannot stand alone;
            commencement and repeal clauses are marked too.
        item: it is an enumerated list item ((一)…, 1.…), so it lacks its lead-in.
    """

    text: str
    start: int
    elements: tuple[Element, ...] = ()
    refers: bool = False
    item: bool = False

    def count(self, element: Element) -> int:
        """How often the element's text occurs in the clause (a blank must be unambiguous)."""
        return self.text.count(element.text)

    def replaced(self, element: Element, new: str, *, numeral_only: bool = False) -> str:
        """The clause with the element (or only its numeral) replaced by new."""
        end = element.start + element.num_len if numeral_only else element.end
        return self.text[: element.start] + new + self.text[end:]


def actor_kind(name: str) -> str | None:
    """gov / org / person for a subject by how it ends; None if it names no actor."""
    for ending, kind in _ACTOR_ENDINGS:
        if name.endswith(ending):
            return kind
    return None


def _numbers(text: str) -> list[Element]:
    found: list[Element] = []
    taken: list[tuple[int, int]] = []
    for m in _FREQ_RE.finditer(text):
        count = parse_number(m["count"])
        style = "arabic" if m["count"].isdigit() else "chinese"
        found.append(Element("freq", m[0], m.start(), m["period"], count, style=style))
        taken.append(m.span())
    for m in _RANGE_RE.finditer(text):
        a, b = parse_number(m["a"]), parse_number(m["b"])
        units = {m["ua"], m["ub"]}
        if a is None or b is None or _is_date(text, m.start(), m["ua"]):
            continue
        unit = m["ua"]
        if units <= set(MONEY):  # 5000元以上2万元以下: compare amounts in 元
            unit, a, b = "元", a * MONEY[m["ua"]], b * MONEY[m["ub"]]
        elif len(units) > 1:
            continue
        style = "arabic" if m["a"][0].isdigit() else "chinese"
        found.append(Element("range", m[0], m.start(), unit, a, b, style))
        taken.append(m.span())
    for m in _NUMBER_RE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        value = parse_number(m["num"])
        if value is None or _is_date(text, m.start(), m["unit"], m["num"]):
            continue
        if m["unit"] == "次" and value == 1:
            continue  # 一次造成…: "at one time", not a count worth asking
        style = "arabic" if m["num"][0].isdigit() else "chinese"
        span = m["num"] + m["unit"]
        found.append(Element("number", span, m.start(), m["unit"], value, style=style,
                             suffix=m["suffix"] or "", num_len=len(m["num"])))
    return found


def _is_date(text: str, start: int, unit: str, num: str = "") -> bool:
    """Years (2020年, 二〇二〇年) and days of a month (9月14日) are dates, not quantities."""
    if unit == "年" and (len(num) == 4 or "〇" in num):
        return True
    return unit == "日" and start > 0 and text[start - 1] == "月"


def _actor_before(text: str, modal_start: int) -> Element | None:
    """The subject written just before a modal, when it names an actor."""
    cut = max(text.rfind(c, 0, modal_start) for c in "，,：:；;。") + 1
    seg_start, seg = cut, text[cut:modal_start]
    for word in _ACTOR_LEADING:
        if seg.startswith(word):
            seg, seg_start = seg[len(word):], seg_start + len(word)
            break
    for word in _ACTOR_TRAILING:
        if seg.endswith(word):
            seg = seg[: -len(word)]
            break
    if not 2 <= len(seg) <= 24 or _ACTOR_VAGUE.search(seg) or _ACTOR_BAD.search(seg):
        return None
    kind = actor_kind(seg)
    if kind is None or ("的" in seg and kind != "person"):
        # 负有…职责的部门, 受理申请的公安机关: descriptions, whose scope overlaps any named
        # distractor; 生产经营单位的主要负责人 is a plain role and stays.
        return None
    return Element("actor", seg, seg_start, kind)


def find_elements(text: str) -> list[Element]:
    """Every key element of a clause: numbers, ranges, frequencies, modals and actors.

    Args:
        text: one clause (see :func:`clause_candidates`).

    Returns:
        Elements in order of their position; overlapping number matches are resolved in
        favour of the longer form (a frequency or a range over its numbers).
    """
    found = _numbers(text)
    for m in _MODAL_RE.finditer(text):
        found.append(Element("modal", m[0], m.start(), MODAL_GROUPS[m[0]]))
        actor = _actor_before(text, m.start())
        if actor is not None and not any(e.kind == "actor" and e.start == actor.start
                                         for e in found):
            found.append(actor)
    # Nothing inside a title (《北京市关于禁止燃放烟花爆竹的规定》) is a rule to ask about.
    titles = [m.span() for m in _TITLE.finditer(text)]
    found = [e for e in found if not any(s < e.end and e.start < t for s, t in titles)]
    return sorted(found, key=lambda e: (e.start, -len(e.text)))


# ----- clauses ----------------------------------------------------------------------------

_ARTICLE_LABEL = re.compile(
    r"^第[零〇一二两三四五六七八九十百千\d]+条(?:之[一二三四五六七八九十]+)?[\s\u3000]*"
)
_HEADING = re.compile(r"^第[零〇一二两三四五六七八九十百千\d]+[编章节](?:\s|$)")
_ENUMERATOR = re.compile(
    r"^(?:[(（][零一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d{1,3}[.．、](?!\d))"
)
_REFERS = re.compile(
    r"第[零〇一二两三四五六七八九十百千\d]+(?:条|款|项)|前款|前两款|前三款|本条|前条|下列|如下"
    r"|前述|上述|以下规定|之一的"
    # Commencement, repeal and rule-making housekeeping: nothing for a trainee to learn.
    r"|起施行|同时废止|实施办法|具体办法|参照本"
)
# A clause that is not the opening of its paragraph and starts like this continues the one
# before it (逾期未改正的，处…: overdue for what?), so it cannot stand alone.
_CONTINUES = re.compile(
    r"^(逾期|情节|拒不|其|并|但|对其|造成|构成|尚|没有|有违法所得|违法所得|不|属于|否则|处以|处罚"
    r"|罚款)"
)
_TITLE = re.compile(r"《[^》]*》")
_SENTENCE_END = re.compile(r"[。！？!?]")
_CLAUSE_END = re.compile(r"[；;]")


def normalize(text: str) -> str:
    """Form used to compare text with the corpus: NFKC, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def is_heading(line: str) -> bool:
    """Whether a line is a heading (第一章 总则, 一、总体要求) rather than running text."""
    line = line.strip()
    if _HEADING.match(line):
        return True
    return not re.search(r"[。；;，,]", line) and len(line) < 40


def _pieces(text: str, start: int, end: int, pattern: re.Pattern) -> list[tuple[int, int]]:
    """Spans of text[start:end] between matches of pattern (terminators excluded)."""
    spans, pos = [], start
    for m in pattern.finditer(text, start, end):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def clause_candidates(text: str) -> list[Clause]:
    """Split a chunk of a regulation into clauses that could become questions.

    Every sentence (ended by 。) is a candidate; sentences made of several ；-clauses also
    yield each of those clauses, so an element that occurs twice in a sentence can still be
    asked about in the clause that holds it once. Headings, article labels (第五条) and
    clauses shorter than 15 or longer than 160 characters are left out.

    Args:
        text: a chunk's text (any string; nothing here raises).

    Returns:
        Clauses in text order, each with its elements; ``clause.text`` is an exact substring
        of ``text`` starting at ``clause.start``.
    """
    out: list[Clause] = []
    pos = 0
    for line in text.split("\n"):
        line_start, pos = pos, pos + len(line) + 1
        if not line.strip() or is_heading(line):
            continue
        body = line_start
        label = _ARTICLE_LABEL.match(line)
        if label:
            body += label.end()
        item = bool(_ENUMERATOR.match(text[body:line_start + len(line)].lstrip()))
        sentences = _pieces(text, body, line_start + len(line), _SENTENCE_END)
        for s_index, (s_start, s_end) in enumerate(sentences):
            # A sentence ending in a colon introduces a list: none of it stands alone.
            lead_in = text[s_start:s_end].rstrip().endswith((":", "：")) or text[
                s_end:s_end + 1] in (":", "：")
            parts = [(s_start, s_end)]
            subs = _pieces(text, s_start, s_end, _CLAUSE_END)
            if len(subs) > 1:
                parts += subs
            for n, (c_start, c_end) in enumerate(parts):
                while c_start < c_end and text[c_start].isspace():
                    c_start += 1
                while c_end > c_start and text[c_end - 1].isspace():
                    c_end -= 1
                clause = text[c_start:c_end]
                if not MIN_CLAUSE <= len(clause) <= MAX_CLAUSE:
                    continue
                refers = lead_in or bool(_REFERS.search(clause))
                # Only the paragraph's first sentence (parts[0]) and its first ；-clause
                # (parts[1]) are sure to have their own opening.
                opening = s_index == 0 and n <= 1
                refers = refers or (not opening and bool(_CONTINUES.match(clause)))
                out.append(Clause(clause, c_start, tuple(find_elements(clause)), refers, item))
    return out
