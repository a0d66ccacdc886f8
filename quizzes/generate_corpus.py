"""The corpus behind generated questions: citations, the rejection check and distractors."""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ingest.chunking import label_title

from .generate_text import (
    Clause,
    Element,
    clause_candidates,
    normalize,
    render_amount,
    render_number,
)

_ALT_MODALS = {
    "应当": ("可以", "不得", "无须"), "必须": ("可以", "不得", "无须"),
    "不得": ("可以", "应当", "有权"), "严禁": ("允许", "鼓励", "提倡"),
    "禁止": ("允许", "鼓励", "提倡"), "可以": ("应当", "不得", "无权"),
    "有权": ("无权", "应当", "不得"),
}  # fmt: skip
_PERIOD_SWAPS = ("半年", "季度", "月", "年")
_ARTICLE = re.compile(r"^第[零〇一二两三四五六七八九十百千\d]+条(?:之[一二三四五六七八九十]+)?$")
_LONG_PREFIX = "最高人民法院、最高人民检察院"
# Agencies renamed in the 2018 reform: laws of different years name the same body.
_RENAMED = (
    ("安全生产监督管理", "应急管理"), ("公安机关消防机构", "消防救援机构"),
    ("消防机构", "消防救援机构"), ("工商行政管理", "市场监督管理"),
    ("质量技术监督", "市场监督管理"), ("质量监督检验检疫", "市场监督管理"),
    ("社会保险行政", "人力资源社会保障"), ("劳动行政", "人力资源社会保障"),
    ("特种设备安全监督管理", "市场监督管理"), ("职业卫生监督管理", "卫生行政"),
    # Not renamed, but a subcontractor or main contractor is a 施工单位 on site.
    ("总承包单位", "施工单位"), ("分包单位", "施工单位"),
)  # fmt: skip
_ROLE_ENDINGS = ("单位", "企业", "人员", "机构")
# Corpus values more than ten times larger or smaller than the key are implausible
# distractors (10人以上30人以下 for a 大型群众性活动 of 1000人以上5000人以下).
_NEAR = math.log(10)
_BROAD_NAMES = {
    "生产经营单位", "用人单位", "单位", "企业", "经营单位", "使用单位", "生产单位", "从业人员",
    "工作人员", "人员", "作业人员", "有关人员", "个人", "公民", "人民政府", "地方人民政府",
    "政府", "部门", "主管部门", "行政主管部门", "监督管理部门",
}  # fmt: skip
_BROAD = re.compile(
    r"以上|各级|有关|上级|本级|同级|所在地|当地|从业单位$|从业人员$|^(?:危险化学品|民用爆炸物品|特种设备|烟花爆竹|燃气|矿山|煤矿)(?:单位|企业)$"
)


# ----- citations and the corpus -----------------------------------------------------------


@dataclass(frozen=True)
class Citation:
    """Where a clause comes from: document title and source, section path, document kind."""

    title: str
    source: str
    section_path: tuple[str, ...]
    kind: str = ""

    @property
    def section(self) -> str:
        """Section path joined for display (stored as the question's source_section)."""
        return " › ".join(self.section_path)

    @property
    def is_article(self) -> bool:
        """Whether the section is an article of a regulation (its path ends with 第X条)."""
        return bool(self.section_path) and bool(_ARTICLE.match(self.section_path[-1].strip()))

    @property
    def label(self) -> str:
        """第二十一条 for an article, “heading”部分 for a plan section, "" when neither."""
        if not self.section_path:
            return ""
        last = self.section_path[-1].strip()
        if _ARTICLE.match(last):
            return last
        return f"“{label_title(last)}”部分"

    @property
    def short_title(self) -> str:
        """The title as a stem names it (joint interpretations drop the issuers)."""
        title = self.title
        if title.startswith(_LONG_PREFIX) and len(title) > len(_LONG_PREFIX) + 4:
            return title[len(_LONG_PREFIX):]
        return title

    def context(self) -> str:
        """Opening of a stem, so it makes sense standing alone: 根据《…》第X条，"""
        return f"根据《{self.short_title}》{self.label}，"

    def quote(self, clause: str) -> str:
        """The clause quoted with its citation: 《标题》第X条：“…”"""
        return f"《{self.title}》{self.label}：“{clause}”"


class Corpus:
    """All chunk text of the knowledge base, normalised, with pools of distractor material.

    Args:
        chunks: ``(document source, chunk text)`` pairs, every chunk of every document.
    """

    def __init__(self, chunks: Iterable[tuple[str, str]]):
        chunks = list(chunks)
        # NUL never occurs in normalised text, so no match spans two chunks.
        self.text = "\x00".join(normalize(t) for _, t in chunks)
        self.numbers: dict[str, Counter[float]] = {}
        self.ranges: dict[str, Counter[tuple[float, float]]] = {}
        self.actors: dict[str, Counter[str]] = {}
        self.doc_actors: dict[tuple[str, str], Counter[str]] = {}  # (source, kind) → names
        for source, text in chunks:
            for clause in clause_candidates(text):
                for e in clause.elements:
                    if e.kind == "number" and e.value:
                        self.numbers.setdefault(e.group, Counter())[e.value] += 1
                    elif e.kind == "range" and e.value and e.value2:
                        self.ranges.setdefault(e.group, Counter())[(e.value, e.value2)] += 1
                    elif e.kind == "actor":
                        self.actors.setdefault(e.group, Counter())[e.text] += 1
                        self.doc_actors.setdefault((source, e.group), Counter())[e.text] += 1

    def contains(self, text: str) -> bool:
        """Whether text occurs in the corpus (after normalisation)."""
        return normalize(text) in self.text

    def attested(self, clause: Clause, element: Element, new: str, window: int = 0) -> bool:
        """Whether the corpus supports the clause with element changed to new.

        True when the whole changed clause occurs in the corpus, or (window > 0) when the
        change with up to window characters of the clause either side does.
        """
        if self.contains(clause.replaced(element, new)):
            return True
        if not window:
            return False
        left = clause.text[max(0, element.start - window): element.start]
        right = clause.text[element.end: element.end + window]
        return self.contains(left + new + right)


# ----- distractors -------------------------------------------------------------------------


def _closest(values: Iterable, key: float, distance) -> list:
    return sorted(values, key=lambda v: (distance(v, key), v))


def _bigrams(text: str) -> set[str]:
    return {text[i: i + 2] for i in range(len(text) - 1)}


def _canon_actor(name: str) -> str:
    name = re.sub(r"地方|各级|的", "", name)
    for old, new in _RENAMED:
        name = name.replace(old, new)
    return name


def _same_actor(a: str, b: str) -> bool:
    """Names that may mean the same actor, or one a part of the other.

    True when one contains the other, also after dropping 地方/各级/的 and mapping old agency
    names to new ones (县级以上地方各级人民政府 ~ 县级以上人民政府; 安全生产监督管理部门 ~
    应急管理部门); and for organisations and people when both end in the same role
    (锅炉使用单位 is one of the 特种设备使用单位).
    """
    ca, cb = _canon_actor(a), _canon_actor(b)
    if a in b or b in a or ca in cb or cb in ca:
        return True
    role = a[-4:]
    return len(role) == 4 and role == b[-4:] and role.endswith(_ROLE_ENDINGS)


def is_broad(name: str) -> bool:
    """Whether an actor names a whole class (生产经营单位, 县级以上人民政府, …) or is named
    relative to another (上级人民政府, 同级财政部门).

    An obligation of a class binds each of its members, and a member's may be meant for the
    class; a relative name fits whoever is above or beside the actor in the stem. So such an
    actor is never offered as a distractor and never asked about as a key.
    """
    return name in _BROAD_NAMES or bool(_BROAD.search(name))


def _actor_name(name: str) -> bool:
    """A subject that can stand as an option: a name, not a description (接到报告的部门) nor
    a role in one event (事故发生单位, 被检查单位), which fits few stems and overlaps others."""
    return ("的" not in name and not name.startswith(("下列", "所有", "全部", "前述", "事故", "被"))
            and not is_broad(name))


def alternatives(element: Element, corpus: Corpus, rng: random.Random,
                 source: str = "") -> list[str]:
    """Plausible wrong values for an element, best first, drawn from the corpus.

    Numbers: other values with the same unit seen in the corpus, nearest first (a few
    shuffled), then doubled / halved values; written in the key's numeral style. Ranges:
    other ranges with the same unit (amounts of money in 元 or 万元). Frequencies: another
    period. Modals: the opposite modals. Actors: other subjects of the same kind
    (government / organisation / person) named as subjects in the same document, then in
    the corpus, most similar first; never two that may name the same actor. Nothing
    returned equals the element's text.

    Args:
        element: the key element.
        corpus: the corpus (pools of numbers, ranges and actors).
        rng: random source (only shuffles among the nearest candidates).
        source: the document the element comes from (actors from it are preferred).
    """
    out: list[str] = []
    if element.kind == "number" and element.value:
        key = element.value
        pool = [v for v in corpus.numbers.get(element.group, ())
                if v > 0 and v != key and abs(math.log(v / key)) <= _NEAR]
        near = _closest(pool, key, lambda v, k: abs(math.log(v / k)))[:6]
        rng.shuffle(near)
        for value in [*near, key * 2, key / 2, key * 3, key + 1, key * 5, key * 10]:
            text = render_number(value, element.style)
            if text:
                out.append(text + element.group)
    elif element.kind == "range" and element.value and element.value2:
        key = (element.value, element.value2)

        def dist(v: tuple[float, float], k: tuple[float, float]) -> float:
            return abs(math.log(v[0] / k[0])) + abs(math.log(v[1] / k[1]))

        pool = [v for v in corpus.ranges.get(element.group, ()) if v != key and min(v) > 0
                and dist(v, key) <= 2 * _NEAR]
        near = _closest(pool, key, dist)[:6]
        rng.shuffle(near)
        a, b = key
        for lo, hi in [*near, (a * 2, b * 2), (a / 2, b / 2), (a, b * 2), (a * 2, b * 4)]:
            r_lo = render_amount(lo, element.group, element.style)
            r_hi = render_amount(hi, element.group, element.style)
            if r_lo and r_hi and lo < hi:
                out.append(f"{r_lo}以上{r_hi}以下")
    elif element.kind == "freq":
        period = element.group
        for other in _PERIOD_SWAPS:
            if other != period:
                out.append(element.text.replace("每" + period, "每" + other, 1))
    elif element.kind == "modal":
        out.extend(_ALT_MODALS.get(element.text, ()))
    elif element.kind == "actor":
        key_grams = _bigrams(element.text)
        glob = corpus.actors.get(element.group, Counter())
        local = corpus.doc_actors.get((source, element.group), Counter())

        def ranked(names: Iterable[str], counts: Counter) -> list[str]:
            def score(a: str) -> float:
                grams = _bigrams(a)
                overlap = len(grams & key_grams) / max(1, len(grams | key_grams))
                return -(overlap + 0.05 * math.log(counts[a]))

            names = [a for a in names if _actor_name(a) and not _same_actor(a, element.text)]
            top = sorted(names, key=lambda a: (score(a), a))[:6]
            rng.shuffle(top)
            return top

        chosen: list[str] = []
        for name in ranked(local, local) + ranked((a for a, n in glob.items() if n >= 2), glob):
            if not any(_same_actor(name, c) for c in chosen):
                chosen.append(name)
        out.extend(chosen)
    seen: set[str] = {element.text}
    return [t for t in out if not (t in seen or seen.add(t))]
