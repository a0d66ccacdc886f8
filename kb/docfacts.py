"""Questions about a document itself (its 文号, dates, issuer), answered from its metadata."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kb.records import Answer, Citation, DocumentInfo
from kb.tokenize import bigram_tokens, jieba_tokens, normalize

if TYPE_CHECKING:
    from kb.store import KnowledgeBase

_WHEN = r"(什么时[候间]|何时|哪一?[天年]|几月|几号|日期)"
# (DocumentInfo field, label in the answer, question cue)
FACTS: list[tuple[str, str, re.Pattern[str]]] = [
    ("doc_number", "文号", re.compile(r"文号|发文字号|字号")),
    ("date_effective", "施行日期",
     re.compile(rf"{_WHEN}.{{0,4}}(施行|生效)|(施行|生效)(日期|时间)|自何时起")),
    ("date_published", "发布日期",
     re.compile(rf"{_WHEN}.{{0,4}}(发布|印发|公布|发文)|(发布|印发|公布|发文)(日期|时间)")),
    ("date_adopted", "通过日期", re.compile(rf"{_WHEN}.{{0,4}}通过|通过(日期|时间)")),
    ("issuer", "发文机关",
     re.compile(r"(发文|印发|发布|制定)(机关|单位|部门)|(谁|哪个?(部门|单位|机关))(印发|发布|制定)")),
]
# Question words around the document's name, not part of it.
_FILLER = re.compile(r"请问|是什么|是哪[个一部]?|什么|哪[个部一]|多少|[的了吗呢是为？?。，,\s]")
# How much of what the question says besides the cue the title must hold: the question has
# to name the document, or it is not a question about one document's own facts.
MIN_TITLE_MATCH = 0.75


def asked_fact(question: str) -> tuple[str, str, str] | None:
    """The metadata a question asks for: (field, label, the question without its cue)."""
    q = normalize(question)
    for field, label, cue in FACTS:
        m = cue.search(q)
        if m:
            return field, label, q[:m.start()] + " " + q[m.end():]
    return None


def _terms(text: str) -> set[str]:
    return set(jieba_tokens(text)) | set(bigram_tokens(text))


def title_match(rest: str, title: str) -> float:
    """Share of the question's remaining terms (by length) that the title holds."""
    terms = _terms(_FILLER.sub(" ", rest))
    if not terms:
        return 0.0
    found = _terms(title)
    return sum(len(t) for t in terms & found) / sum(len(t) for t in terms)


def display(field: str, value: str) -> str:
    """A stored value as the document writes it: ISO dates become 2020年9月14日."""
    if field.startswith("date_"):
        parts = [int(p) for p in value.split("-")]
        return "".join(f"{n}{unit}" for n, unit in zip(parts, "年月日", strict=False))
    return value


def document_fact_answer(kb: KnowledgeBase, question: str) -> Answer | None:
    """Answer "X的文号/施行日期/发文机关是什么" from the named document's metadata.

    Returns None when the question asks no such thing, names no stored document closely
    enough, or the document does not state the fact: ordinary answering takes over.
    """
    asked = asked_fact(question)
    if asked is None:
        return None
    field, label, rest = asked
    scored = [(title_match(rest, d.title), d) for d in kb.documents()]
    best = max(scored, key=lambda s: s[0], default=(0.0, None))
    score, doc = best
    if doc is None or score < MIN_TITLE_MATCH or not getattr(doc, field):
        return None
    value = display(field, getattr(doc, field))
    return Answer(question, f"《{doc.title}》的{label}：{value}。",
                  [_citation(kb, doc, value)], refused=False, confidence=score)


def _citation(kb: KnowledgeBase, doc: DocumentInfo, value: str) -> Citation:
    """The passage stating the value, with its line marked (else the document's start)."""
    hit = kb.chunk_quoting(doc.id, value)
    if hit is None:
        chunks = kb.chunks(doc.id)
        text = chunks[0].text if chunks else ""
        return Citation(chunk_id=0, title=doc.title, source=doc.source,
                        section_path=chunks[0].section_path if chunks else (), text=text)
    line = next((ln for ln in hit.text.split("\n") if value in ln), value)
    return Citation(chunk_id=hit.chunk_id, title=hit.title, source=hit.source,
                    section_path=hit.section_path, text=hit.text, sentence=line, score=1.0)
