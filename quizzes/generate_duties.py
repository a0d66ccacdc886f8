"""Questions from the duty table: which unit leads a task (distractors: same-kind units)."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence

from ingest.chunking import label_title
from kb.duty_questions import duty_score
from kb.records import Duty
from kb.units import looks_like_unit, unit_matches

from .records import Question, QuestionType, Status

CATEGORY = "职责分工"
# A duty counts as "the same task" when the knowledge base's own who-is-responsible ranking
# would return it for this task's title with at least this score (see kb.duty_questions.duty_score).
SAME_TASK_SCORE = 0.6
# Unit kinds by ending, most specific first; the closing "(…)" alias is ignored.
_KIND_ENDINGS = ("支队", "大队", "分局", "中心", "委员会", "办公室", "局", "委", "办", "队")
# Kinds that are interchangeable as distractors when a kind has too few units: district
# government departments (局/委/办) all look alike to a trainee.
_KIND_FAMILY = {"分局": "dept", "委员会": "dept", "办公室": "dept", "局": "dept", "委": "dept",
                "办": "dept", "支队": "team", "大队": "team", "队": "team", "中心": "center"}
_MEMBERS = re.compile(r"(成员单位|所属单位|下属单位|成员部门)$")
_MAX_QUOTE = 120


def unit_kind(unit: str) -> str:
    """The unit's kind by its ending (局, 委, 支队, 中心, …); "" if none of these."""
    core = re.sub(r"\([^()]*\)$", "", unit)
    return next((k for k in _KIND_ENDINGS if core.endswith(k)), "")


def _concrete(unit: str) -> bool:
    """A named unit (区应急管理局), not a group (各街镇, 相关成员单位, 负有…的部门)."""
    return bool(unit_kind(unit)) and looks_like_unit(unit, strict=True) and not _MEMBERS.search(
        unit
    )


def _same_task(duty: Duty, other: Duty) -> bool:
    return other.doc_id == duty.doc_id and (
        other.task == duty.task or duty_score(duty.task, other.task, other.quote)
        >= SAME_TASK_SCORE
    )


def _quote(duty: Duty) -> str:
    """The start of the duty's paragraph, exactly as written: whole sentences that fit in
    _MAX_QUOTE characters, else the first _MAX_QUOTE characters and an ellipsis."""
    text = duty.quote.strip().split("\n")[0]
    head = text[:_MAX_QUOTE]
    end = head.rfind("。")
    if len(text) <= _MAX_QUOTE:
        return f"“{text}”"
    if end >= 40:  # more than a bare task title
        return f"“{head[: end + 1]}”"
    return f"“{head}”…"


def _stem(duty: Duty) -> str:
    if duty.section_path and duty.task not in duty.section_path[-1]:
        # From running prose ("X负责组织协调、定期调度"): the task is a fragment, so name
        # the section it comes from.
        heading = label_title(duty.section_path[-1])
        return f"根据《{duty.title}》“{heading}”部分，负责“{duty.task}”的是哪个单位？"
    role = "主要责任单位" if duty.task.endswith("组") else "牵头单位"
    what = f"“{duty.task}”" + ("" if duty.task.endswith("组") else "这项任务")
    return f"根据《{duty.title}》，{what}的{role}是哪个？"


def duty_questions(
    duties: Sequence[Duty],
    all_units: Sequence[str],
    *,
    rng: random.Random | None = None,
    reasons: Counter | None = None,
) -> list[Question]:
    """Single-choice questions "which unit leads task X", one per duty with a named lead.

    Distractors are units of the same kind (局/委/支队/中心…, then the same family) that are
    not responsible for the task: not among the duty's units, nor among the units of any
    duty of the same document whose task matches the same task. A duty whose matching
    duties name a different lead is skipped (the key would be disputable).

    Args:
        duties: the duty table (``KnowledgeBase.all_duties()``).
        all_units: every unit named in it, most often named first (``all_units()``).
        rng: random source for choosing distractors and the key's position.
        reasons: counts why duties were skipped, if given.

    Returns:
        Draft questions, in duty order.
    """
    rng = rng or random.Random(0)
    reasons = reasons if reasons is not None else Counter()
    pool = [u for u in all_units if _concrete(u)]
    out: list[Question] = []
    for duty in duties:
        if not duty.lead or not _concrete(duty.lead) or len(duty.task) < 4:
            reasons["duty: no concrete lead or task"] += 1
            continue
        related = [d for d in duties if _same_task(duty, d)]
        if any(d.lead and not unit_matches(d.lead, duty.lead) for d in related):
            reasons["duty: same task led by another unit"] += 1
            continue
        responsible = {u for d in related for u in d.units}
        allowed = [u for u in pool if not any(unit_matches(u, r) for r in responsible)]
        kind = unit_kind(duty.lead)
        same = [u for u in allowed if unit_kind(u) == kind]
        family = [u for u in allowed if u not in same
                  and _KIND_FAMILY.get(unit_kind(u)) == _KIND_FAMILY.get(kind)]
        rng.shuffle(same)
        rng.shuffle(family)
        distractors = (same + family)[:3]
        if len(distractors) < 3:
            reasons["duty: too few units of the same kind"] += 1
            continue
        options = [duty.lead, *distractors]
        rng.shuffle(options)
        units = "、".join(duty.units)
        section = " › ".join(duty.section_path)
        explanation = (f"《{duty.title}》{section}：{_quote(duty)}\n"
                       f"责任单位：{units}（{duty.lead}牵头）")
        out.append(Question(
            qtype=QuestionType.SINGLE,
            stem=_stem(duty),
            key=("ABCD"[options.index(duty.lead)],),
            options=tuple(options),
            explanation=explanation,
            category=CATEGORY,
            tags=("职责分工", "牵头单位"),
            difficulty=3,
            status=Status.DRAFT,
            source_doc=duty.source,
            source_section=section,
        ))
    return out
