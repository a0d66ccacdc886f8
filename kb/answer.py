"""Extractive answers with citations, and honest refusals when the evidence is weak."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kb.credentials import about_credential, credential_names, other_credential
from kb.docfacts import asked_fact, cited_own_rules, display, is_own_document, named_document
from kb.duty_questions import asks_who, parse_duty_question
from kb.places import other_place, place_names
from kb.quantity import asked_unit, states_quantity
from kb.quoting import (
    LIST_MAX_CHARS,
    MIN_QUANTITY_EVIDENCE,
    best_quote,
    coverage,
    quantity_evidence,
    question_terms,
)
from kb.records import Answer, Citation, Duty, SearchHit
from kb.tokenize import QUESTION_WORD, search_text, split_sentences

if TYPE_CHECKING:
    from kb.llm import LlmConfig
    from kb.store import KnowledgeBase

REFUSAL_TEXT = "知识库中没有找到与此问题相关的规定。"
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class Calibration:
    """Refusal threshold and feature weights, written by benchmarks/calibrate.py."""

    threshold: float = 0.5
    coverage_weight: float = 8.0
    sentence_weight: float = 0.0
    dense_weight: float = 20.0
    sentence_dense_weight: float = 0.0
    bias: float = -22.0

    def confidence(self, features: dict[str, float]) -> float:
        """Probability-like confidence that the top passage answers the question."""
        z = (self.bias + self.coverage_weight * features["coverage"]
             + self.sentence_weight * features["sentence_coverage"]
             + self.dense_weight * features["dense"]
             + self.sentence_dense_weight * features["sentence_dense"])
        return 1 / (1 + math.exp(-max(min(z, 50), -50)))


def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration:
    """The calibration saved by benchmarks/calibrate.py (defaults if it is missing)."""
    if not path.exists():
        return Calibration()
    data = json.loads(path.read_text(encoding="utf-8"))
    return Calibration(**{k: data[k] for k in Calibration.__dataclass_fields__ if k in data})


def to_citation(hit: SearchHit, sentence: str = "") -> Citation:
    """A citation for a hit, with the answering sentence marked."""
    return Citation(chunk_id=hit.chunk_id, title=hit.title, source=hit.source,
                    section_path=hit.section_path, text=hit.text, sentence=sentence,
                    score=hit.score)


def refusal(question: str, hits: list[SearchHit], confidence: float,
            text: str = REFUSAL_TEXT) -> Answer:
    """The knowledge base has no basis: say so, and show the closest passages as related."""
    related = [to_citation(h) for h in hits[:3]]
    return Answer(question, text, related, refused=True, confidence=confidence)


def own_rules_refusal(own_rules: str) -> str:
    """Why a question about an organisation's own rules is not answered."""
    return (f"{REFUSAL_TEXT}问题问的是单位自己的制度（「{own_rules}」），知识库收录的是公开的"
            "法律法规、规划和预案，没有这份制度的内容；下面是相关的公开规定。")


def question_parts(question: str) -> list[str]:
    """The questions asked in one: "有效期是几年?到期怎么延期?" → two; "酒驾会被扣证多久、罚多少钱"
    → "酒驾会被扣证多久" and "酒驾罚多少钱" (clauses that each end in a question word, with
    the clauses before them as shared context). The whole question when it asks one thing.
    A part needs at least two characters of its own."""
    parts = [p.strip() for p in re.split(r"[?？]", question)]
    parts = [p for p in parts if len(re.sub(r"[\W_]", "", p)) >= 2]
    if len(parts) > 1:
        return parts
    clauses = [c.strip() for c in re.split(r"[，,、；;]", parts[0] if parts else question)]
    asking = [i for i, c in enumerate(clauses) if _ends_in_question_word(c)]
    if len(asking) < 2:
        return [question]
    context = "，".join(clauses[:asking[0]])
    return [f"{context}，{clauses[i]}" if context else clauses[i] for i in asking]


def _ends_in_question_word(clause: str) -> bool:
    # At most one character after it ("罚多少钱"): the clause asks a question of its own.
    words = list(QUESTION_WORD.finditer(clause))
    return bool(words) and len(clause) - words[-1].end() <= 1


def extractive_answer(question: str, hits: list[SearchHit], confidence: float,
                      idf: dict[str, float] | None = None) -> Answer:
    """Answer with the best sentence(s) among the top three passages, citing all three.

    Each passage's answering sentence is scored like a sentence within a passage, scaled by
    how far the passage's retrieval score is below the first's: a runner-up passage whose
    sentence answers the question much better than anything in the first one provides the
    answer. A question asking two things ("几年?怎么延期?") gets a quote for each, joined into one
    span where both come from one passage close together; a part asking a quantity in a unit
    (多少天) is quoted only from a passage stating one.
    """
    spans: dict[int, list[tuple[int, int]]] = {}  # index in hits -> where its quotes are
    for part in question_parts(question):
        unit = asked_unit(part)
        candidates = [i for i, h in enumerate(hits)
                      if unit is None or states_quantity(h.text, unit)][:3]
        if not candidates:
            continue
        best, quote = best_quote(part, [hits[j] for j in candidates], idf)
        i = candidates[best]
        start = hits[i].text.find(quote)
        _add_span(spans.setdefault(i, []), (start, start + len(quote)))
    if not spans:  # no part could be quoted on its own: answer the question as a whole
        i, quote = best_quote(question, hits[:3], idf)
        start = hits[i].text.find(quote)
        spans[i] = [(start, start + len(quote))]
    quotes = {i: [hits[i].text[a:b] for a, b in sorted(s)] for i, s in spans.items()}
    others = [i for i in range(min(3, len(hits))) if i not in spans]
    # A passage quoted in two places marks the first (a citation marks one substring).
    citations = [to_citation(hits[i], quotes[i][0] if i in quotes else "")
                 for i in [*spans, *others]]
    text = "\n".join("\n".join(q for q in quotes[i] if q) or hits[i].text for i in spans)
    return Answer(question, text, citations, refused=False, confidence=confidence)


def _add_span(spans: list[tuple[int, int]], new: tuple[int, int]) -> None:
    """Two quotes from one passage become one span, unless that grows too long: then both
    are kept ("…许可证。" and, after a list of conditions, "…十二个工作日内作出…决定。")."""
    for j, (a, b) in enumerate(spans):
        lo, hi = min(a, new[0]), max(b, new[1])
        if hi - lo <= LIST_MAX_CHARS:
            spans[j] = (lo, hi)
            return
    spans.append(new)


def duty_answer(question: str, duty: Duty, hit: SearchHit | None, confidence: float) -> Answer:
    """Answer "who is responsible" with the units as a list, lead first, and the task quoted."""
    units = list(duty.units)
    text = f"「{duty.task}」的责任单位：" + "、".join(units) + "。"
    quote = duty.quote or duty.task
    if hit is not None:
        citation = to_citation(hit, quote if quote in hit.text else "")
    else:
        citation = Citation(chunk_id=0, title=duty.title, source=duty.source,
                            section_path=duty.section_path, text=quote, sentence=quote)
    return Answer(question, text, [citation], refused=False, confidence=confidence, units=units)


def with_other_parts(duty: Answer, rest: Answer, who_first: bool) -> Answer:
    """A duty answer joined with the answer to the question's other parts, in the order the
    question asks them; each passage cited once."""
    first, second = (duty, rest) if who_first else (rest, duty)
    seen = {c.chunk_id for c in first.citations}
    citations = first.citations + [c for c in second.citations
                                   if c.chunk_id == 0 or c.chunk_id not in seen]
    return Answer(duty.question, first.text + "\n" + second.text, citations, refused=False,
                  confidence=duty.confidence, units=duty.units)


def tasks_answer(question: str, unit: str, groups: dict[str, list[Duty]]) -> Answer:
    """Answer "Y负责哪些任务": every task naming the unit, grouped by document."""
    lines = []
    citations = []
    for title, duties in groups.items():
        lines.append(f"《{title}》：" + "；".join(d.task for d in duties))
        citations += [Citation(chunk_id=0, title=d.title, source=d.source,
                               section_path=d.section_path, text=d.quote or d.task,
                               sentence=d.quote or d.task) for d in duties]
    n = sum(len(d) for d in groups.values())
    text = f"{unit}参与的任务共{n}项。" + "\n".join(lines)
    return Answer(question, text, citations, refused=False, confidence=1.0, units=[unit])


def document_fact_answer(kb: KnowledgeBase, question: str) -> Answer | None:
    """Answer "X的文号/施行日期/发文机关是什么" from the named document's metadata.

    Returns None when the question asks no such thing, names no stored document closely
    enough, or the document does not state the fact: ordinary answering takes over.
    """
    asked = asked_fact(question)
    if asked is None:
        return None
    field, label, rest = asked
    doc = named_document(rest, kb.documents())
    if doc is None or not getattr(doc, field):
        return None
    value = display(field, getattr(doc, field))
    # The passage stating the value, its line marked; else the document's first passage
    # (instr() finds "" at the start of any text).
    hit = kb.chunk_quoting(doc.id, value) or kb.chunk_quoting(doc.id, "")
    line = next((ln for ln in hit.text.split("\n") if value in ln), "") if hit else ""
    return Answer(question, f"《{doc.title}》的{label}：{value}。",
                  [to_citation(hit, line)] if hit else [], refused=False, confidence=1.0)


def answer_question(kb: KnowledgeBase, question: str, calibration: Calibration,
                    llm: LlmConfig | None = None) -> Answer:
    """Answer from the knowledge base, or refuse when the evidence is weak.

    Questions about a named document's 文号, dates or issuer are answered from its metadata;
    "who is responsible" and "what does unit Y do" questions from the duty table when it
    holds a close match (a who-question's other parts quoted from the passages); everything
    else extractively from the best passage. A question asking one quantity in a unit
    (多少天, 几年) is answered only from passages that state a number in that unit, and
    refused when none of the top five does (for a question in several parts, when none states
    the number one part asks) or, asked one quantity, when none states it in a sentence about
    what was asked (kb.quoting.quantity_evidence).

    Args:
        kb: the knowledge base.
        question: the question as typed.
        calibration: refusal threshold and confidence weights.
        llm: an OpenAI-compatible endpoint; when given, a confident answer is generated from
            the passages (every sentence cited), falling back to the extractive one.
    """
    fact = document_fact_answer(kb, question)  # "X的文号/施行日期是什么"
    if fact is not None:
        return fact
    hits = kb.search(question, k=5)
    # What a company's handbook or internal rules set is not in public regulations, unless
    # the knowledge base holds an organisation's own documents.
    own_rules = cited_own_rules(question)
    if own_rules and not any(is_own_document(d.title) for d in kb.documents()):
        return refusal(question, hits, 0.0, own_rules_refusal(own_rules))
    # A passage from another district's (or city's) document does not answer for this one.
    places = place_names(question)
    found = [h for h in hits if other_place(places, h.title) is None]
    parsed = parse_duty_question(question)
    if parsed and parsed.kind == "tasks":
        groups = kb.tasks_of_unit(parsed.text)
        if groups:
            return tasks_answer(question, parsed.text, groups)
    if parsed and parsed.kind == "who":
        ranked = kb.rank_duties(question, 1)
        if ranked:
            duty, score = ranked[0]
            same_doc = bool(found) and found[0].doc_id == duty.doc_id
            # A loose match is trusted only where retrieval agrees on the document.
            if (score >= 0.75 or (score >= 0.5 and same_doc)) \
                    and other_place(places, duty.title) is None:
                hit = kb.chunk_quoting(duty.doc_id, (duty.quote or duty.task)[:40])
                answer = duty_answer(question, duty, hit, score)
                # Its other parts ("要推行什么制度？由谁负责？") are answered from the passages.
                parts = question_parts(question)
                who = [asks_who(p) for p in parts]
                if found and 0 < who.count(False) < len(parts):
                    others = "？".join(p for p, w in zip(parts, who, strict=True) if not w)
                    rest = extractive_answer(others, found, score, kb.idf())
                    answer = with_other_parts(answer, rest, who_first=who[0])
                return answer
    if not found:
        return refusal(question, hits, 0.0)
    # Nor one about another licence than the question names (采矿许可证 ≠ 安全生产许可证);
    # once such passages are set aside, what is left must name the asked one (or come from a
    # document naming it), or it can only be about something else (the asked licence is not
    # in the knowledge base).
    credentials = credential_names(question)
    documents = {h.doc_id: kb.document_text(h.doc_id) for h in found} if credentials else {}
    kept = [h for h in found
            if not other_credential(credentials, h.text, documents.get(h.doc_id, ""))]
    if len(kept) < len(found) and not any(
            about_credential(credentials, h.text, documents[h.doc_id]) for h in kept):
        return refusal(question, hits, 0.0)
    hits = kept
    # "多少天", "几年": only a passage stating such a number answers; asked in several parts
    # ("有效期是几年？到期怎么延续？"), some passage must state the number each part asks.
    parts = question_parts(question)
    units = [u for u in map(asked_unit, parts) if u is not None]
    if any(not any(states_quantity(h.text, u) for h in hits) for u in units):
        return refusal(question, hits, 0.0)
    if len(parts) == 1 and units:
        # Asked one quantity, the number must be stated about what was asked: "西城区的专职
        # 安全员队伍有多少人" is not answered by a plan's "百名安全生产专家…". (A part of a
        # longer question, "几天能批下来?", names too little of the topic to judge by.)
        if max(quantity_evidence(question, h.text, units[0], kb.idf())
               for h in hits) < MIN_QUANTITY_EVIDENCE:
            return refusal(question, hits, 0.0)
        hits = [h for h in hits if states_quantity(h.text, units[0])]
    features = answer_features(kb, question, hits[0])
    confidence = 0.0 if features["unknown_place"] else calibration.confidence(features)
    if confidence < calibration.threshold:
        return refusal(question, hits, confidence)
    if llm is not None:
        from kb.llm import generate_answer  # kb.llm builds on this module

        generated = generate_answer(question, hits, llm, confidence)
        if generated is not None:
            return generated
    return extractive_answer(question, hits, confidence, kb.idf())


def answer_features(kb: KnowledgeBase, question: str, hit: SearchHit) -> dict[str, float]:
    """What the confidence is computed from (also what benchmarks/calibrate.py fits).

    coverage: IDF-weighted share of the question's terms in the passage with its title and
    section; sentence_coverage: the same for the passage's best single sentence (with title
    and section), since a question usually targets one sentence while an unrelated passage
    matches words scattered over it; dense: the passage's cosine with the question;
    unknown_place: the question names a place no stored document mentions.
    """
    terms, idf = question_terms(question), kb.idf()
    context = search_text(hit.title, hit.section_path, "")
    cov = coverage(terms, context + hit.text, idf)
    best = max((coverage(terms, context + s, idf) for s in split_sentences(hit.text)),
               default=0.0)
    places = [p for p in place_names(question) if not kb.mentions(p)]
    return {"coverage": cov, "sentence_coverage": best, "dense": hit.dense,
            "sentence_dense": hit.sentence_dense,
            "unknown_place": float(bool(places))}
