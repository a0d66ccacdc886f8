"""Structure-aware chunking: split cleaned text along the document's own hierarchy."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.records import HEADING_MARK, Chunk

# Heading kinds in rank order: a heading closes every open heading of equal or lower rank.
# Laws use 编/章/节/条; plans and schemes use 第一部分/一、/(一)/1./(1)/①, emergency plans
# 1/1.1/1.1.1.
_CN_NUM = "一二三四五六七八九十百零〇两"
# An emergency plan's outline number (1, 3.2, 4.1.1, 4.1.1.2); a decimal heading level is its
# count of dots plus one.
OUTLINE_NUMBER = r"[1-9]\d?(?:[.．]\d{1,2}){0,3}"
_DECIMAL_END = r"(?![.．\d])(?=\s*[\u4e00-\u9fff])"  # the whole number, then a title
HEADING_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # An attachment or appendix (附件1, 附件：, 附录：, 附：) closes everything before it: its task
    # table, form or list of barred work is not part of the main text's last item or article.
    ("annex", re.compile(rf"^(?:附件|附录|附表)\s*[{_CN_NUM}\d]*\s*[:：]?\s*$|^附\s*[:：]\s*$")),
    ("part", re.compile(rf"^第[{_CN_NUM}\d]+编(\s|$)")),
    ("division", re.compile(rf"^第[{_CN_NUM}\d]+部分(\s|$)")),  # plans: 第一部分 总体要求
    ("chapter", re.compile(rf"^第[{_CN_NUM}\d]+章(\s|$)")),
    ("section", re.compile(rf"^第[{_CN_NUM}\d]+节(\s|$)")),
    ("article", re.compile(rf"^第[{_CN_NUM}\d]+条(之[{_CN_NUM}]+)?(\s|$)")),
    ("cn_item", re.compile(rf"^[{_CN_NUM}]+、")),
    ("cn_paren", re.compile(rf"^[(（][{_CN_NUM}]+[)）]")),
    ("num_item", re.compile(r"^\d{1,3}[.．、](?!\d)")),
    # Emergency plans (应急预案) and standards number their outline 1 / 1.1 / 1.1.1: "1 总则",
    # "3.2 分级响应". A bare "1" needs a space and a short title after it ("3人死亡" is no
    # heading); a number followed by a unit is a quantity (see _is_quantity).
    ("decimal1", re.compile(r"^[1-9]\d?[ \t\u3000]+(?:[\u4e00-\u9fff][ \t\u3000]*){2,16}$")),
    ("decimal2", re.compile(rf"^[1-9]\d?[.．]\d{{1,2}}{_DECIMAL_END}")),
    ("decimal3", re.compile(rf"^[1-9]\d?(?:[.．]\d{{1,2}}){{2}}{_DECIMAL_END}")),
    ("decimal4", re.compile(rf"^[1-9]\d?(?:[.．]\d{{1,2}}){{3}}{_DECIMAL_END}")),
    ("num_paren", re.compile(r"^[(（]\d{1,3}[)）]")),
    ("num_half", re.compile(r"^\d{1,2}[)）](?!\d)")),  # 1）: a level below (1) in plans
    ("circled", re.compile(r"^[\u2460-\u2473]")),  # ①…⑳
]
RANK = {kind: i for i, (kind, _) in enumerate(HEADING_PATTERNS)}
# A number followed by a unit is a quantity, not an outline heading: "1.5米以上", "0.9以下",
# "6.5级", and "5 万元", "3 人死亡", "2 起" (table cells read as lines). Titles that merely
# start like a unit ("3 人员防护", "4.2 处置措施", "2.1 台风预警") are headings.
_UNITS = tuple("米吨倍元万亿千百个名家起处项辆台座天年月日周时秒度级次人至") + (
    "公里", "公斤", "公顷", "平方", "立方", "以上", "以下", "以内", "左右")
_UNIT_LIKE_WORDS = ("人员", "人民", "日常", "处置", "处理", "个人", "项目", "台风", "天然",
                    "年度", "周边", "次生", "名称", "家庭", "级别", "元旦", "起草", "座谈")
_OUTLINE_TITLE = re.compile(rf"{OUTLINE_NUMBER}\s*")
# Inside an article, enumerations such as (一)…(七) are the article's items, not headings.
_ITEM_KINDS_IN_ARTICLE = {"cn_item", "cn_paren", "num_item", "num_paren", "num_half", "circled"}
# A heading line longer than this that has no sentence break is body text, not a heading.
_MAX_LABEL = 40
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
_SOFT_BREAK = re.compile(r"(?<=[，、,：:])")
# How far a chunk may exceed max_chars: by headings carried into it, or by the 责任单位 line
# kept with its task.
OVERFLOW = 200
_DUTY_LINE = re.compile(r"^\s*[(（]?(牵头|主要|配合)?责任单位[)）]?\s*[:：]")


@dataclass(frozen=True)
class Block:
    """A run of lines under one heading.

    Attributes:
        path: labels of the open headings, outermost first.
        lines: the heading line itself (if any) and the body lines up to the next heading.
        kind: the heading kind of the last label ("" for text before any heading).
    """

    path: tuple[str, ...]
    lines: tuple[str, ...]
    kind: str = ""


def heading_kind(line: str) -> str:
    """Return the heading kind of a line, or "" if it is body text.

    Args:
        line: one line of cleaned text.
    """
    s = line.strip().lstrip("#").strip()
    for kind, pattern in HEADING_PATTERNS:
        if pattern.match(s):
            return "" if kind.startswith("decimal") and _is_quantity(s) else kind
    return ""


def _is_quantity(line: str) -> bool:
    """Whether an outline-numbered line is a number with its unit ("1.5米以上", "5 万元")."""
    title = line[_OUTLINE_TITLE.match(line).end():]
    return title.startswith(_UNITS) and not title.startswith(_UNIT_LIKE_WORDS)


# The number of a heading or item label: （九） 九、 1. 1、 1） and an outline's "2.2 ".
_LABEL_NUMBER = re.compile(
    rf"^(?:[(（][{_CN_NUM}\d]+[)）]|[{_CN_NUM}]+、|\d{{1,3}}[.．、](?!\d)|\d{{1,2}}[)）]"
    rf"|{OUTLINE_NUMBER}\s)\s*")


def label_title(label: str) -> str:
    """A section label without its number, for naming the section in a sentence:
    "（九）实施安全发展重点工程" → "实施安全发展重点工程", "2.2 指挥部办公室" → "指挥部办公室"."""
    return _LABEL_NUMBER.sub("", label.strip()).strip()


def heading_label(line: str, kind: str) -> str:
    """Short label for a heading line: the number plus its title, without the body.

    "第二十一条 生产经营单位…" → "第二十一条"; "1.科学制定规划。坚持…" → "1.科学制定规划".
    """
    s = line.strip().lstrip("#").strip()
    if kind == "article":
        return s.split()[0] if s.split() else s
    if kind in ("annex", "part", "division", "chapter", "section"):
        # "第一章 总 则" → "第一章 总则": a short title spaced out for typography.
        number, _, title = re.sub(r"\s+", " ", s).partition(" ")
        return (number + " " + _unspace(title)).strip()[:_MAX_LABEL]
    head = re.split(r"[。；;：:]", s, maxsplit=1)[0]
    if kind.startswith("decimal"):  # "1 总 则" → "1 总则", "1.1编制目的" → "1.1 编制目的"
        number, title = re.match(r"([\d.．]+)\s*(.*)", head).groups()
        head = number + " " + _unspace(title)
    return head[:_MAX_LABEL]


def _unspace(title: str) -> str:
    """Remove spaces between Chinese characters ("总 则" → "总则")."""
    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", title)


def _leading_number(label: str) -> int | None:
    m = re.match(r"\d+", label)
    return int(m.group()) if m else None


def _is_heading(line: str, kind: str, stack: list[tuple[str, str]], law: bool = False) -> bool:
    if not kind:
        return False
    if kind in _ITEM_KINDS_IN_ARTICLE and any(k == "article" for k, _ in stack):
        return False
    # A law's appendix (附录：女职工禁忌从事的劳动范围) is sectioned by 一、二、, and its (一)…(十)
    # are the items of a section, kept together as an article's are.
    if law and kind in _ITEM_KINDS_IN_ARTICLE - {"cn_item"} \
            and any(k == "annex" for k, _ in stack):
        return False
    s = line.strip()
    if kind == "num_item" and any(k.startswith("decimal") for k, _ in stack):
        # Under a decimal outline (3.2 分级响应), "1." starts a list item of that section,
        # unless it is the next top-level heading of an outline numbered 1、总则 / 1.1.
        return _leading_number(s) == (_leading_number(stack[0][1]) or -1) + 1
    # A long numbered line with no sentence end in its first part is a list item in prose
    # only when the label would be absurdly long; keep the rule simple and permissive.
    return not (kind in _ITEM_KINDS_IN_ARTICLE and len(heading_label(s, kind)) >= _MAX_LABEL
                and len(s) > 200 and "。" not in s[:_MAX_LABEL])


def parse_blocks(text: str, markup: bool = False) -> list[Block]:
    """Split cleaned text into blocks, one per heading, each with its section path.

    Args:
        text: cleaned document text, one paragraph or heading per line.
        markup: whether lines marked "#" … "######" are headings by their author (Markdown,
            a DOCX's heading styles): then they are headings even without a number, nest
            by their level, and lose the mark. The only line marked at level 1, when it
            comes first and has no number, is the document's title, not a section.

    Returns:
        Blocks in document order; joining their lines gives back every non-blank line
        (without heading marks when markup is set).
    """
    blocks: list[Block] = []
    stack: list[tuple[str, str, int]] = []  # (kind, label, heading mark level or 0)
    current: list[str] = []
    current_kind = ""

    def flush() -> None:
        if current:
            blocks.append(Block(tuple(e[1] for e in stack), tuple(current), current_kind))

    law = False  # whether an article has been seen: the document is a law
    toc = _TableOfContents()
    marks = [_heading_mark(line) if markup else (0, line) for line in text.splitlines()]
    title = _title_line(marks)
    for i, (level, line) in enumerate(marks):
        if not line.strip():
            continue
        kind = toc.kind(line, heading_kind(line))
        if toc.inside or i == title:
            level = 0  # the title and a contents list are text, as in an unmarked text
        if level and not kind:
            kind = "markup"
        if kind and (level or _is_heading(line, kind, [(k, lb) for k, lb, _ in stack], law)):
            law = law or kind == "article"
            flush()
            current = []
            while stack and _closes(stack[-1], kind, level):
                stack.pop()
            stack.append((kind, heading_label(line, kind), level))
            current_kind = kind
        current.append(line.strip())
    flush()
    return blocks


def _title_line(marks: list[tuple[int, str]]) -> int | None:
    """Index of the document's title among (mark level, line) pairs: its only line marked at
    level 1 ("# 动火作业安全管理制度"), unnumbered and before any other marked line."""
    first = [i for i, (level, _) in enumerate(marks) if level == 1]
    marked = next((i for i, (level, _) in enumerate(marks) if level), None)
    if len(first) == 1 and first[0] == marked and not heading_kind(marks[marked][1]):
        return marked
    return None


def _heading_mark(line: str) -> tuple[int, str]:
    """(level, line without its mark) for a line marked "## …"; (0, line) otherwise."""
    m = HEADING_MARK.match(line.strip())
    return (len(m.group(1)), line.strip()[m.end():]) if m else (0, line)


def _closes(top: tuple[str, str, int], kind: str, level: int) -> bool:
    """Whether a new heading (kind, mark level or 0) closes the open heading top.

    Numbered headings close each other by rank, marked or not; an unnumbered marked one
    ("## 职责") closes what was opened at its level or deeper and any unmarked heading
    opened inside the previous section; an unmarked numbered heading never closes it.
    """
    top_kind, _, top_level = top
    if kind == "markup":
        return top_level == 0 or top_level >= level
    if top_kind == "markup":
        return 0 < level <= top_level
    return RANK[top_kind] >= RANK[kind]


class _TableOfContents:
    """A table of contents (目录) lists the headings once before the body repeats them: its
    lines stay body text until the first listed heading comes round again."""

    def __init__(self) -> None:
        self.inside = False
        self._first = ""

    def kind(self, line: str, kind: str) -> str:
        """The line's heading kind, or "" while inside the table of contents."""
        if line.strip().replace(" ", "").replace("\u3000", "") == "目录":
            self.inside, self._first = True, ""
        elif self.inside and kind:
            if not self._first:
                self._first = line.strip()
            elif _same_heading(line, self._first):
                self.inside = False
            return "" if self.inside else kind
        return kind


def _same_heading(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


def split_long(paragraph: str, max_chars: int) -> list[str]:
    """Split one paragraph into pieces of at most max_chars, at sentence ends where possible.

    Args:
        paragraph: text without line breaks.
        max_chars: upper bound for every piece (at least 1).

    Returns:
        Pieces whose concatenation is the paragraph.
    """
    if len(paragraph) <= max_chars:
        return [paragraph]
    pieces: list[str] = []
    for sentence in _pack(_SENTENCE_END.split(paragraph), max_chars, ""):
        if len(sentence) <= max_chars:
            pieces.append(sentence)
            continue
        for clause in _pack(_SOFT_BREAK.split(sentence), max_chars, ""):
            pieces.extend(clause[i:i + max_chars] for i in range(0, len(clause), max_chars))
    return [p for p in pieces if p]


def _pack(parts: list[str], max_chars: int, sep: str) -> list[str]:
    """Greedily join consecutive parts with sep while the result stays within max_chars."""
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        if out and len(out[-1]) + len(sep) + len(part) <= max_chars:
            out[-1] = out[-1] + sep + part
        else:
            out.append(part)
    return out


def _block_pieces(block: Block, max_chars: int) -> list[str]:
    """Pieces of one block: whole when it fits, else paragraphs packed up to max_chars."""
    whole = "\n".join(block.lines)
    if len(whole) <= max_chars:
        return [whole]
    paragraphs: list[str] = []
    for line in block.lines:
        paragraphs.extend(split_long(line, max_chars))
    pieces = _pack(paragraphs, max_chars, "\n")
    # A heading line that could not be packed with its body goes with the first piece.
    if len(pieces) > 1 and len(pieces[0]) <= _MAX_LABEL and block.kind:
        pieces[:2] = [pieces[0] + "\n" + pieces[1]]
    # Keep a trailing 责任单位 line with the task text it belongs to.
    if (len(pieces) > 1 and _DUTY_LINE.match(pieces[-1]) and "\n" not in pieces[-1]
            and len(pieces[-1]) < OVERFLOW):
        tail = pieces.pop()
        pieces[-1] = pieces[-1] + "\n" + tail
    return pieces


def chunk_blocks(blocks: list[Block], max_chars: int = 500) -> list[Chunk]:
    """Turn blocks into chunks within a size bound.

    An article stays whole with its items when it fits; a task stays with the 责任单位
    line that follows it; a block holding only a heading is carried into the next block
    so that no chunk is a bare title; long blocks split at sentence ends.

    Args:
        blocks: output of parse_blocks.
        max_chars: size bound; a chunk may exceed it, by less than 2·OVERFLOW, only by a
            carried heading or a task's trailing 责任单位 line.

    Returns:
        Chunks in document order with ordinals and section paths.
    """
    chunks: list[Chunk] = []
    carry: list[str] = []  # heading-only lines waiting for their first body
    for block in blocks:
        if len(block.lines) == 1 and _is_bare_heading(block):
            carry.append(block.lines[0])
            continue
        pieces = _block_pieces(block, max_chars)
        if carry:
            heading = "\n".join(carry)
            if len(heading) < OVERFLOW:
                pieces[0] = heading + "\n" + pieces[0]
            else:  # a long run of bare headings (e.g. an unmarked contents list)
                pieces = [heading[i:i + max_chars] for i in range(0, len(heading), max_chars)] \
                    + pieces
            carry = []
        for piece in pieces:
            chunks.append(Chunk(text=piece, section_path=block.path, ordinal=len(chunks)))
    if carry:
        heading = "\n".join(carry)
        for i in range(0, len(heading), max_chars):
            chunks.append(Chunk(text=heading[i:i + max_chars], section_path=blocks[-1].path,
                                ordinal=len(chunks)))
    return chunks


def _is_bare_heading(block: Block) -> bool:
    """True when the block's only line is its heading with no body after the label."""
    line = block.lines[0]
    if block.kind == "article":
        return False
    # "（3）发生重大事故，启动一级响应。" is a short item, a sentence (so is a standard's clause
    # "4.1.2 作业场所应设置警示标志。"): carried into the next block it would land in another
    # section (4.3) or under a sibling's label.
    sentence_kind = block.kind in _ITEM_KINDS_IN_ARTICLE or block.kind.startswith("decimal")
    if sentence_kind and line.endswith(("。", "；", ";")):
        return False
    return len(line) <= _MAX_LABEL and not re.search(r"[。；;]", line.rstrip("。"))


def chunk_text(text: str, max_chars: int = 500, markup: bool = False) -> list[Chunk]:
    """Parse and chunk cleaned text in one call.

    Args:
        text: cleaned document text.
        max_chars: size bound for chunks.
        markup: whether "#"-marked lines are the author's headings (see parse_blocks).
    """
    return chunk_blocks(parse_blocks(text, markup=markup), max_chars=max_chars)
