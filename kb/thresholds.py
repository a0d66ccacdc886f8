"""A number a question states, against the thresholds a passage sets (pure functions).

Enterprise staff describe their case with a number ("我们厂有120人", "死了一个人", "预计两万人来
看的演唱会"); a regulation states who falls under a rule by thresholds ("从业人员超过一百人的",
"造成死亡一人以上", "1000人以上5000人以下的"). The clause whose threshold takes in the asked
number is the one that applies; one whose thresholds in the same unit all leave it out is about
another case ("死亡三人以上" is not the rule for one death).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ingest.numerals import cn_to_int
from kb.tokenize import normalize

_NUM = r"\d+(?:\.\d+)?|[一二两三四五六七八九十百千〇零]+"
# A number with its multiplier and unit: "3人", "一百名", "两万人", "一个工人", "五百万元".
_AMOUNT = rf"(?P<{{n}}>{_NUM})(?P<{{m}}>[万亿])?个?工?(?P<{{u}}>人|名|元)"
_LOW = _AMOUNT.format(n="n1", m="m1", u="u1")
_HIGH = _AMOUNT.format(n="n2", m="m2", u="u2")
_PAIR = re.compile(rf"(?P<n1>{_NUM})(?P<m1>[万亿])?(?P<u1>人|名|元)?以上{_HIGH}以下")
_ABOVE = re.compile(rf"(?:(?P<over>(?<!不)(?:超过|多于|高于))|(?P<least>不少于|不低于))?"
                    rf"{_LOW}(?P<up>以上)?")
_BELOW = re.compile(rf"(?P<under>不超过|不满|不足|(?<!不)(?:少于|低于)|未满)?{_HIGH}"
                    r"(?P<down>以下|以内)?")
# A number the question gives as its own case ("死了一个工人"), not a range it asks about
# ("5000人以上的活动").
_QUESTION_AMOUNT = re.compile(rf"{_LOW}(?!以上|以下|以内|至|到|-)")
_MULTIPLIER = {"万": 10_000, "亿": 100_000_000}
_UNIT_KIND = {"人": "人", "名": "人", "元": "元"}


# What a count of people counts, from its clause: deaths or injuries ("死亡一人以上" is not
# "重伤三人以上"); "" when the clause says neither.
_MEASURE = re.compile(r"死|伤")
_CLAUSE = re.compile(r"[^,，;；。:：、]+")


@dataclass(frozen=True)
class Threshold:
    """Values from low to high (low included unless open_low, high only if closed_high), in
    unit, of measure (死, 伤 or "")."""

    unit: str
    low: float = -math.inf
    high: float = math.inf
    open_low: bool = False
    closed_high: bool = False
    measure: str = ""

    def admits(self, value: float) -> bool:
        above = value > self.low if self.open_low else value >= self.low
        below = value <= self.high if self.closed_high else value < self.high
        return above and below

    def counts(self, unit: str, measure: str) -> bool:
        """Whether it counts what a number in unit of measure counts (either measure unsaid
        counts as the same)."""
        return self.unit == unit and (not measure or not self.measure or measure == self.measure)


def _measure(text: str, at: int) -> str:
    """死 or 伤, whichever is nearest to position at in its clause of text ("接到死亡事故或者
    一次重伤3人以上的事故报告": 伤); "" when the clause names neither."""
    clause = next((m for m in _CLAUSE.finditer(text) if m.start() <= at < m.end()), None)
    if clause is None:
        return ""
    words = [(abs(m.start() + clause.start() - at), m.group())
             for m in _MEASURE.finditer(clause.group())]
    return min(words)[1] if words else ""


def _value(number: str, multiplier: str | None) -> float | None:
    base = float(number) if number[0].isdigit() else cn_to_int(number.replace("两", "二"))
    if base is None:
        return None
    return base * _MULTIPLIER.get(multiplier or "", 1)


def question_amounts(question: str) -> list[tuple[float, str, str]]:
    """The numbers a question states as its case, with their unit kind (人 or 元) and what
    they count: "死了一个人" → [(1, "人", "死")], "预计两万人" → [(20000, "人", "")]."""
    question = normalize(question)
    out = []
    for m in _QUESTION_AMOUNT.finditer(question):
        value = _value(m["n1"], m["m1"])
        if value is not None:
            out.append((value, _UNIT_KIND[m["u1"]], _measure(question, m.start())))
    return out


def thresholds(text: str) -> list[Threshold]:
    """The thresholds a text sets on people or money: "3人以上10人以下" → [3, 10),
    "超过一百人" → (100, ∞), "五百万元以上" → [5000000, ∞), "不超过一百人" → (−∞, 100].

    以上 takes in the number, 以下 does not, as the regulations on accident grades define them
    (so that "1000人以上5000人以下" and "5000人以上" do not overlap).
    """
    text = normalize(text)
    found: list[Threshold] = []
    pairs: list[tuple[int, int]] = []  # where the pairs are: their ends are not read again

    def add(unit: str, at: int, **bounds) -> None:
        found.append(Threshold(_UNIT_KIND[unit], measure=_measure(text, at), **bounds))

    for m in _PAIR.finditer(text):
        low, high = _value(m["n1"], m["m1"]), _value(m["n2"], m["m2"])
        if low is not None and high is not None:
            add(m["u2"], m.start(), low=low, high=high)
            pairs.append(m.span())

    def free(m: re.Match[str], *marks: str) -> bool:  # a bound, not a number in a pair
        return any(m[g] for g in marks) and not any(a <= m.start() < b for a, b in pairs)

    for m in _ABOVE.finditer(text):
        if free(m, "over", "least", "up") and (value := _value(m["n1"], m["m1"])) is not None:
            add(m["u1"], m.start(), low=value, open_low=bool(m["over"]))
    for m in _BELOW.finditer(text):
        if free(m, "under", "down") and (value := _value(m["n2"], m["m2"])) is not None:
            # 不超过一百人 takes in 100; 一百人以下, 不满一百人 do not.
            add(m["u2"], m.start(), high=value, closed_high=m["under"] == "不超过")
    return found


def threshold_fit(question: str, text: str) -> int:
    """+1 when some threshold of text takes in a number the question states as its case; -1
    when text sets thresholds in that number's unit and none takes it in; 0 otherwise."""
    amounts = question_amounts(question)
    if not amounts:
        return 0
    limits = thresholds(text)
    fit = 0
    for value, unit, measure in amounts:
        same = [t for t in limits if t.counts(unit, measure)]
        if any(t.admits(value) for t in same):
            return 1
        if same:
            fit = -1
    return fit
