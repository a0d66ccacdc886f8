"""Duty table: who does what in plans and schemes — extraction, storage and both lookups."""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from ingest.chunking import Block, heading_label, label_title, parse_blocks
from kb.duty_questions import duty_score, parse_duty_question
from kb.records import Duty
from kb.units import looks_like_unit, parse_unit_list, unit_matches

# ----- extraction -----------------------------------------------------------------------

_LEAD_LABELS = ("牵头责任单位", "主要责任单位", "牵头单位", "牵头部门", "主责单位", "主办单位")
_OTHER_LABELS = ("其他责任单位", "配合单位", "配合部门", "协办单位", "参与单位", "协同单位")
_ANY_LABELS = ("责任单位", "责任部门")
# Longest labels first so 主要责任单位 is not read as 责任单位.
_LABEL = "|".join(sorted(_LEAD_LABELS + _OTHER_LABELS + _ANY_LABELS, key=len, reverse=True))
# Matched on NFKC text, where （）：， have become ():,
_LABEL_RE = re.compile(rf"[(\[]?({_LABEL})[)\]]?(?:为|是)?:")
_DUTY_LINE = re.compile(rf"^[(\[]?(?:{_LABEL})[)\]]?:")
# "…完善行人过街安全设施。(责任单位:区城市管理委(区交通委))" at the end of a task line.
_INLINE_DUTY = re.compile(rf"[(\[]((?:{_LABEL}):.*)[)\]][。.]?$")
# Working-group paragraphs: "主要责任单位为X,其他责任单位为A、B等部门。负责…"
_GROUP_LEAD = re.compile(rf"(?:{'|'.join(_LEAD_LABELS)})(?:为|是|:)([^,;。]+)")
_GROUP_OTHERS = re.compile(
    r"(?:其他责任单位|配合单位|配合部门|参与单位|责任单位)(?:为|是|:)([^;。]+)")
_CN = "一二三四五六七八九十百零〇两"
_SENTENCE = re.compile(r"(?<=[。!?;！？；])")
# A plan's list of members' duties: "区公安分局:负责…", after any enumerator (NFKC text).
_LISTED_UNIT = re.compile(r"([^,;:。]{2,40}):")
_CLAUSE_BREAK = re.compile(r"[,;:。!?]")
_LEADING_WORDS = ("并且", "并由", "同时", "另外", "其中", "并", "要", "由")
_TRAILING_WORDS = ("具体", "主要", "统一", "共同", "分别", "应当", "应", "要", "依法", "全面",
                   "切实", "继续", "按职责", "牵头")
_MAX_TITLE = 40
_ADJECTIVAL = re.compile(r"的(部门|机构|单位|人员|工作机构|范围)")


@dataclass(frozen=True)
class DutyRow:
    """One extracted duty, before storage.

    Attributes:
        kind: "task" (a task followed by a 责任单位 line), "group" (a working-group paragraph
            naming 主要/其他责任单位) or "sentence" ("X负责Y" / "由X牵头" in a plan's prose).
        task: short title, e.g. "加强交通安全管理" or "发展规划工作组".
        quote: the task paragraph(s) exactly as in the document (the 责任单位 line excluded).
        lead: lead unit, normalised ("" when none can be told).
        others: the other units in the document's order, normalised.
        section_path: headings from the document root down to the task.
    """

    kind: str
    task: str
    quote: str
    lead: str
    others: tuple[str, ...]
    section_path: tuple[str, ...]

    @property
    def units(self) -> tuple[str, ...]:
        """All units, lead first."""
        return ((self.lead,) if self.lead else ()) + self.others


def _nfkc(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def parse_assignment(text: str) -> tuple[str, tuple[str, ...]] | None:
    """Read one or more 责任单位-style lines into (lead, others).

    The lead is, in order of preference: a unit marked "(牵头)"; the first unit after a lead
    label (牵头单位, 主要责任单位, …); otherwise the first unit listed. Plans list the lead
    first by convention (the Haidian scheme's working groups confirm it: each group's 主要
    责任单位 is the first unit of the matching tasks), so that is the default.

    Args:
        text: e.g. "责任单位:区应急管理局、区科信局等,各街镇" or
            "牵头单位:区应急管理局;配合单位:区财政局".

    Returns:
        (lead, others), or None when no unit is named.
    """
    norm = _nfkc(text)
    labels = list(_LABEL_RE.finditer(norm))
    if not labels:
        return None
    entries: list[tuple[str, str, bool]] = []  # (unit, label kind, marked 牵头)
    for i, m in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(norm)
        units, marked = parse_unit_list(norm[m.end():end])
        hint = "lead" if m.group(1) in _LEAD_LABELS else (
            "other" if m.group(1) in _OTHER_LABELS else "any")
        entries.extend((u, hint, j == marked) for j, u in enumerate(units))
    if not entries:
        return None
    lead = next((u for u, _, mk in entries if mk), None)
    lead = lead or next((u for u, h, _ in entries if h == "lead"), None) or entries[0][0]
    others: list[str] = []
    for unit, _, _ in entries:
        if unit != lead and unit not in others:
            others.append(unit)
    return lead, tuple(others)


def _title(line: str, kind: str, is_heading: bool) -> str:
    """Short task title: the heading without its number, else the first sentence."""
    if is_heading and kind:
        label = heading_label(line, kind)
    else:
        label = re.split(r"[。;；]", line.strip(), maxsplit=1)[0]
    return label_title(label)[:_MAX_TITLE].strip("。.,:，：")


def _group_row(line: str, block: Block, is_heading: bool) -> DutyRow | None:
    norm = _nfkc(line)
    lead_m = _GROUP_LEAD.search(norm)
    if not lead_m or _DUTY_LINE.match(norm):
        return None
    leads, _ = parse_unit_list(lead_m.group(1))
    if not leads:
        return None
    others_m = _GROUP_OTHERS.search(norm, lead_m.end())
    others = parse_unit_list(others_m.group(1))[0] if others_m else []
    rest = tuple(dict.fromkeys(u for u in leads[1:] + others if u != leads[0]))
    return DutyRow("group", _title(line, block.kind, is_heading), line.strip(), leads[0], rest,
                   block.path)


def _block_rows(block: Block) -> list[DutyRow]:
    """Task and group rows of one block.

    A block runs from a heading to the next one, so a task and the 责任单位 line after it
    always share a block; a 责任单位 line with no unassigned paragraph before it is skipped.
    """
    rows: list[DutyRow] = []
    pending: list[tuple[str, bool]] = []  # (line, is the block's heading line)
    lines = list(block.lines)
    i = 0
    while i < len(lines):
        line, norm = lines[i], _nfkc(lines[i])
        is_heading = i == 0 and bool(block.kind)
        if _DUTY_LINE.match(norm):
            assignment = [line]
            while i + 1 < len(lines) and _DUTY_LINE.match(_nfkc(lines[i + 1])):
                i += 1
                assignment.append(lines[i])
            parsed = parse_assignment("\n".join(assignment))
            if pending and parsed:
                rows.append(_task_row(pending, parsed, block))
            pending = []
        elif (inline := _INLINE_DUTY.search(norm)) and (parsed := parse_assignment(
                inline.group(1))):
            rows.append(_task_row([*pending, (line, is_heading)], parsed, block))
            pending = []
        elif (group := _group_row(line, block, is_heading)) is not None:
            rows.append(group)
            pending = []
        else:
            pending.append((line, is_heading))
        i += 1
    return rows


def _task_row(lines: list[tuple[str, bool]], parsed: tuple[str, tuple[str, ...]],
              block: Block) -> DutyRow:
    first, first_is_heading = lines[0]
    return DutyRow("task", _title(first, block.kind, first_is_heading),
                   "\n".join(t for t, _ in lines), parsed[0], parsed[1], block.path)


def _strip_words(s: str, words: tuple[str, ...], *, leading: bool) -> str:
    changed = True
    while changed:
        changed = False
        for w in words:
            if leading and s.startswith(w):
                s, changed = s[len(w):], True
            elif not leading and s.endswith(w) and len(s) > len(w):
                s, changed = s[:-len(w)], True
    return s


def _concrete_units(text: str) -> list[str]:
    units, _ = parse_unit_list(text)
    return units if units and all(looks_like_unit(u, strict=True) for u in units) else []


def _leading_units(text: str) -> tuple[list[str], str]:
    """Split "区财政局、区审计局制定年度计划" into its leading units and the rest.

    The shortest prefix that is a list of units wins, so "区审计局部署检查" keeps 部署 as
    a verb; a prefix is never cut before a list separator, an alias bracket or "等部门".
    """
    for end in range(2, min(len(text), 60) + 1):
        head, rest = text[:end], text[end:]
        if (rest[:1] in tuple("、,和及与()等门位构") or rest.startswith(("部门", "单位", "机构"))
                or head[-1] in "、,和及与" or head.count("(") > head.count(")")):
            continue
        units = _concrete_units(text[:end])
        if units:
            return units, text[end:]
    return [], text


def _sentence_rows(sentence: str, path: tuple[str, ...]) -> list[DutyRow]:
    """Rows for "X负责Y", "Y由X负责" and "由X牵头" in one sentence of a plan's prose."""
    norm = _nfkc(sentence)
    rows: list[DutyRow] = []
    quote = sentence.strip()
    for m in re.finditer(r"由([^,;:。!?由]{2,60}?)牵头", norm):
        units = _concrete_units(m.group(1))
        after = _CLAUSE_BREAK.split(norm[m.end():].lstrip(",:"), maxsplit=1)[0]
        partners: list[str] = []
        if p := re.match(r"(?:会同|联合|协调)(.+)", after):  # "…牵头,会同区财政局制定计划"
            partners, after = _leading_units(p.group(1))
        before = _CLAUSE_BREAK.split(norm[:m.start()])[-1]
        title = before or after
        if units and title:
            others = tuple(dict.fromkeys(u for u in units[1:] + partners if u != units[0]))
            rows.append(DutyRow("sentence", title[:_MAX_TITLE], quote, units[0], others, path))
    heading = label_title(_nfkc(path[-1])) if path else ""  # a unit heading its duties
    for m in re.finditer("负责", norm):
        after = norm[m.end():]
        title = _CLAUSE_BREAK.split(after, maxsplit=1)[0]
        # 负责人 is a person; "负责X的部门" names a department, it assigns nothing.
        if after.startswith(("人", "同志", "的")) or _ADJECTIVAL.search(title):
            continue
        subject = _CLAUSE_BREAK.split(norm[:m.start()])[-1]
        listed = _LISTED_UNIT.fullmatch(label_title(norm[:m.start()]))
        if not subject and listed:
            subject = listed.group(1)  # "(1)区公安分局:负责现场警戒…": a member's duties
        elif not subject and _concrete_units(heading):
            # "（1）区公安分局" as a heading, its duties below it ("负责现场警戒…")
            subject = heading
        if "由" in subject:  # "日常工作由区应急管理局负责": the task comes first
            title, subject = subject.rsplit("由", 1)
        subject = _strip_words(_strip_words(subject, _LEADING_WORDS, leading=True),
                               _TRAILING_WORDS, leading=False)
        units = _concrete_units(subject)
        if units and title:
            rows.append(DutyRow("sentence", title[:_MAX_TITLE], quote, units[0],
                                tuple(units[1:]), path))
    return rows


def extract_duties_from_blocks(blocks: Iterable[Block]) -> list[DutyRow]:
    """Duties of a parsed document (see extract_duties)."""
    blocks = list(blocks)
    # Laws say "…负责" of generic actors everywhere ("县级以上人民政府…负责"); only documents
    # without articles (plans, schemes, notices) get duties read from their prose.
    prose_duties = not any(b.kind == "article" for b in blocks)
    rows: list[DutyRow] = []
    for block in blocks:
        found = _block_rows(block)
        rows.extend(found)
        if prose_duties and not found:
            for line in block.lines:
                for sentence in _SENTENCE.split(line):  # quoted as written
                    rows.extend(_sentence_rows(sentence, block.path))
    return rows


def extract_duties(text: str, markup: bool = False) -> list[DutyRow]:
    """Extract who-does-what rows from a cleaned document.

    Three sources, in document order: (a) a task paragraph followed by a 责任单位 line (or
    an inline "(责任单位:…)") — lead is the first unit unless marked 牵头; (b) a paragraph
    naming 主要责任单位为X,其他责任单位为A、B (working groups); (c) in documents without
    articles only, sentences "X负责Y", "Y由X负责", "由X牵头" whose X is a concrete unit
    (ends in 局/委/办/支队/中心…, not a generic 有关部门/各街镇).

    Args:
        text: cleaned document text (PreparedDocument.text).
        markup: whether its "#"-marked lines are headings (PreparedDocument.markup).

    Returns:
        DutyRow values with normalised unit names; [] when the text names no duties.
    """
    return extract_duties_from_blocks(parse_blocks(text, markup=markup))


# ----- storage --------------------------------------------------------------------------

_DUTY_FIELDS = {f.name for f in dataclasses.fields(Duty)}


def store_duties(db: sqlite_utils.Database, doc_id: int, rows: Iterable[DutyRow]) -> int:
    """Insert a document's duties; call inside the ingest transaction (does not commit).

    Args:
        db: open knowledge-base database (migrated).
        doc_id: documents.id the rows belong to.
        rows: output of extract_duties for that document's text.

    Returns:
        Number of duties stored.
    """
    n = 0
    for ordinal, row in enumerate(rows):
        cur = db.execute(
            "INSERT INTO duties (doc_id, ordinal, kind, task, quote, lead, others, section_path)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [doc_id, ordinal, row.kind, row.task, row.quote, row.lead,
             json.dumps(list(row.others), ensure_ascii=False),
             json.dumps(list(row.section_path), ensure_ascii=False)])
        roles = ([(row.lead, "lead")] if row.lead else []) + [(u, "other") for u in row.others]
        for position, (unit, role) in enumerate(roles):
            db.execute("INSERT INTO duty_units (duty_id, unit, role, position) VALUES (?, ?, ?, ?)",
                       [cur.lastrowid, unit, role, position])
        n += 1
    return n


def delete_duties(db: sqlite_utils.Database, doc_id: int) -> None:
    """Delete a document's duties (deleting the document row cascades to them as well)."""
    db.execute("DELETE FROM duty_units WHERE duty_id IN (SELECT id FROM duties WHERE doc_id = ?)",
               [doc_id])
    db.execute("DELETE FROM duties WHERE doc_id = ?", [doc_id])


_DUTY_SQL = ("SELECT u.task, u.lead, u.others, u.doc_id, d.title, d.source, u.section_path,"
             " u.quote, u.id FROM duties u JOIN documents d ON d.id = u.doc_id")


def _duty(row: tuple) -> Duty:
    task, lead, others, doc_id, title, source, path, quote = row[:8]
    fields = {"task": task, "lead": lead, "others": tuple(json.loads(others)),
              "doc_id": doc_id, "title": title or source, "source": source,
              "section_path": tuple(json.loads(path))}
    if "quote" in _DUTY_FIELDS:  # kb.records.Duty gains quote once the lead adds the field
        fields["quote"] = quote
    return Duty(**fields)


def all_duties(db: sqlite_utils.Database, doc_id: int | None = None) -> list[Duty]:
    """Every stored duty (of one document when doc_id is given), in document order."""
    where, params = (" WHERE u.doc_id = ?", [doc_id]) if doc_id is not None else ("", [])
    sql = _DUTY_SQL + where + " ORDER BY u.doc_id, u.ordinal"
    return [_duty(r) for r in db.execute(sql, params).fetchall()]


def all_units(db: sqlite_utils.Database) -> list[str]:
    """Every unit named in some duty, most often named first."""
    sql = "SELECT unit FROM duty_units GROUP BY unit ORDER BY count(*) DESC, unit"
    return [r[0] for r in db.execute(sql).fetchall()]


def tasks_of_unit(db: sqlite_utils.Database, unit: str) -> dict[str, list[Duty]]:
    """Every duty naming a unit (lead or other), grouped by document title.

    Args:
        db: open knowledge-base database.
        unit: the unit as asked; matched with unit_matches, so "消防救援支队" finds
            "海淀消防救援支队" and "区交通委" finds "区城市管理委(区交通委)".

    Returns:
        {document title: duties in document order}; documents in id order; {} when none.
    """
    names = [u for u in all_units(db) if unit_matches(unit, u)]
    if not names:
        return {}
    marks = ", ".join("?" for _ in names)
    sql = (_DUTY_SQL + f" WHERE u.id IN (SELECT duty_id FROM duty_units WHERE unit IN ({marks}))"
           " ORDER BY u.doc_id, u.ordinal")
    grouped: dict[str, list[Duty]] = {}
    for row in db.execute(sql, names).fetchall():
        duty = _duty(row)
        grouped.setdefault(duty.title, []).append(duty)
    return grouped


# ----- lookups ---------------------------------------------------------------------------

def rank_duties(db: sqlite_utils.Database, query: str, limit: int = 5,
                min_score: float = 0.3) -> list[tuple[Duty, float]]:
    """Duties best matching a task description, with their duty_score, best first."""
    parsed = parse_duty_question(query)
    topic = parsed.text if parsed and parsed.kind == "who" else query
    sql = _DUTY_SQL + " ORDER BY u.doc_id, u.ordinal"
    duties = [_duty(r) for r in db.execute(sql).fetchall()]
    scored = [(d, duty_score(topic, d.task, d.quote, d.title)) for d in duties]
    scored = [(d, s) for d, s in scored if s >= min_score]
    scored.sort(key=lambda ds: -ds[1])  # stable: ties keep document order
    return scored[:limit]


def who_is_responsible(db: sqlite_utils.Database, query: str, limit: int = 5) -> list[Duty]:
    """Duties whose task best matches query; each Duty lists its units lead first.

    Args:
        db: open knowledge-base database.
        query: the task asked about ("城区铁路平交道口立交化改造") or a whole question
            ("谁负责城区铁路平交道口立交化改造?").
        limit: at most this many duties.

    Returns:
        Best first; [] when no duty shares enough of the query (score below 0.3).
    """
    return [d for d, _ in rank_duties(db, query, limit)]
