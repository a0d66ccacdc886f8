"""Duty questions: "谁负责X" / "Y负责哪些任务" recognised, and how well a duty's task matches."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kb.units import looks_like_unit, normalize_unit

# Words of the question itself, not of the task asked about.
_QUESTION_BIGRAMS = frozenset({"负责", "责任", "任单", "单位", "部门", "牵头", "哪个", "哪些",
                               "什么", "请问", "由谁"})


def _bigrams(text: str) -> set[str]:
    runs = re.findall(r"[\u4e00-\u9fff]+|[a-z0-9]+", unicodedata.normalize("NFKC", text).lower())
    grams = {r[i:i + 2] for r in runs for i in range(len(r) - 1)}
    grams |= {r for r in runs if len(r) == 1}
    return grams


def duty_score(query: str, task: str, quote: str, context: str = "") -> float:
    """How well a duty answers "who is responsible for query": 0..1.

    The share of the query's character bigrams found in the task title or its paragraph,
    with title hits counting 1.5 times (a query repeating the title is the best evidence)
    and those found only in its context half (they tell which document, not which task).

    Args:
        query: the task asked about (question words are ignored).
        task: the duty's short title.
        quote: the duty's paragraph.
        context: what the paragraph is part of, such as its document's title: "谁负责危险
            化学品事故现场的环境监测" names the plan a member's "负责事故现场环境监测" is in.
    """
    q = _bigrams(query) - _QUESTION_BIGRAMS
    if not q:
        return 0.0
    own = _bigrams(task) | _bigrams(quote)
    in_title = len(q & _bigrams(task))
    in_any = len(q & own)
    in_context = len((q & _bigrams(context)) - own)
    return (in_any + 0.5 * in_title + 0.5 * in_context) / (1.5 * len(q))


@dataclass(frozen=True)
class DutyQuery:
    """A recognised duty question: kind "who" (text = the task) or "tasks" (text = the unit)."""

    kind: str
    text: str


_WHO = "(?:谁|哪个部门|哪个单位|哪些部门|哪些单位|哪家单位|哪个机构|什么部门|什么单位)"
_WHO_PATTERNS = [
    re.compile(r"^(?P<x>.+?)的?(?:主要|牵头)?(?:责任单位|牵头单位|责任部门|牵头部门|主责单位)"
               rf"(?:是|为|有)?(?:{_WHO}|哪个|哪些|什么|哪家)?(?:单位|部门)?$"),
    re.compile(rf"^负责(?P<x>.+?)的(?:是)?{_WHO}$"),
]
# "谁负责X", "X由谁负责", "谁来推进X", "由哪个单位牵头负责X", "X是哪个部门的职责": the asked
# words are cut out of the question and what is left is the task.
_WHO_DOES = re.compile(rf"{_WHO}(?:来)?(?:牵头)?(?:负责|牵头|主管|承担|管理|管|推进|推动|组织|"
                       rf"落实|开展|实施|保障|编制|编)|{_WHO}的(?:职责|责任|任务|工作|事)")
_WHO_PHRASE = re.compile(rf"(?:是|应|应当|应该)?(?:由|归)?{_WHO}(?:来)?(?:牵头)?"
                         r"(?:负责|主管|承担|管理|管)?(?:的(?:职责|责任|任务|工作|事情?))?")
# A polite opening, or a clause before the asked one that only sets the scene ("在海淀区,").
_SCENE = re.compile(r"^请问|^在[^,]{1,10},")
_TASK_PATTERNS = [
    re.compile(r"^(?P<y>.+?)(?:负责|承担|牵头)(?:了)?(?:哪些|什么|哪几项|几项)"
               r"(?:任务|工作|职责|事项|事情)?$"),
    re.compile(r"^(?P<y>.+?)(?:有|的)(?:哪些|什么)(?:职责任务|工作任务|任务|职责|分工)$"),
]


def _bare(question: str) -> str:
    """The question in NFKC without spaces, quotes and end punctuation."""
    return re.sub(r"[\s?？!！。.“”\"'「」]+", "", unicodedata.normalize("NFKC", question))


def asks_who(question: str) -> bool:
    """Whether a question, or one part of it ("由谁负责?"), asks who is responsible."""
    parsed = parse_duty_question(question)
    return (parsed is not None and parsed.kind == "who") \
        or _WHO_DOES.search(_bare(question)) is not None


def parse_duty_question(question: str) -> DutyQuery | None:
    """Recognise "谁负责X" / "X由谁负责" / "X的责任单位是" (and other wordings: "谁来推进X",
    "X是哪个部门的职责", "在海淀区,由哪个单位牵头负责X") and "Y负责哪些任务".

    A "tasks" question is only recognised when Y looks like a unit name, so that
    "主要负责人有哪些职责" (a question about the law) is left to ordinary search.

    Args:
        question: the user's question.

    Returns:
        DutyQuery("who", X) or DutyQuery("tasks", Y), or None for other questions.
    """
    q = _bare(question)
    for pattern in _WHO_PATTERNS:
        m = pattern.match(q)
        if m and (x := m.group("x").strip("的是,:")):
            return DutyQuery("who", x)
    if _WHO_DOES.search(q):
        x = _WHO_PHRASE.sub("", _SCENE.sub("", q)).strip("的是,:")
        if x:
            return DutyQuery("who", x)
    for pattern in _TASK_PATTERNS:
        m = pattern.match(q)
        if m:
            y = normalize_unit(m.group("y"))
            if looks_like_unit(y) or y.startswith(("各", "相关")):
                return DutyQuery("tasks", y)
    return None
