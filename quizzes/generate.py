"""Draft questions generated from the knowledge base's regulations and duty table (no LLM).

Clause questions blank or change one key element of a clause (a number with its unit, a
modal such as 应当/不得, or the actor before the modal); duty questions ask which unit leads
a task of a plan. Every question quotes its clause, cites document and section, starts as a
draft, and is dropped when the corpus says a distractor (or the altered statement) is also
right. See docs/GENERATION_REVIEW.md for how good the drafts are.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from .bank import add_questions, fingerprint
from .generate_corpus import Citation, Corpus, alternatives, is_broad
from .generate_duties import duty_questions
from .generate_text import BLANK, Clause, Element, clause_candidates, parse_number, render_number
from .records import TYPE_LABELS, Question, QuestionType, Status

if TYPE_CHECKING:
    from kb.store import KnowledgeBase

__all__ = [
    "KINDS", "Citation", "Corpus", "alternatives", "clause_candidates", "clause_questions",
    "duty_questions",
    "generate_questions", "make_fill_in", "make_single_choice", "make_true_false",
    "register_cli", "store_generated",
]  # fmt: skip

KINDS = ("duty", "fill", "single", "truefalse")
CATEGORY = "法规条款"
# Characters either side of a changed element that must not appear, with the change, anywhere
# in the corpus: catches another article saying the altered thing in the same words.
WINDOW = 8
# Share of true/false items that are the unaltered clause (正确).
TRUE_SHARE = 0.3
_FLIP = {"应当": "可以", "必须": "可以", "不得": "可以", "严禁": "允许", "禁止": "允许",
         "可以": "应当", "有权": "无权"}  # fmt: skip
_ELEMENT_TAGS = {"number": "数字与期限", "range": "处罚幅度", "freq": "检查频次",
                 "modal": "义务与禁止", "actor": "责任主体"}  # fmt: skip
_DIFFICULTY = {"modal": 2, "actor": 3, "number": 3, "freq": 3, "range": 4}


# ----- question makers ----------------------------------------------------------------------


def _reject(reasons: Counter | None, why: str) -> None:
    if reasons is not None:
        reasons[why] += 1


def _usable(clause: Clause, element: Element, reasons: Counter | None) -> bool:
    """Whether the clause can be asked about this element at all."""
    if clause.refers:
        _reject(reasons, "clause refers to other text (第X条/前款/下列)")
    elif clause.item:
        _reject(reasons, "list item without its lead-in")
    elif clause.count(element) != 1:
        _reject(reasons, "element occurs more than once")
    elif element.kind == "actor" and is_broad(element.text):
        _reject(reasons, "actor names a whole class (its members would be right too)")
    elif element.kind == "modal" and element.start == 0 and element.text not in ("禁止", "严禁"):
        # "有权拒绝违章指挥…": the subject is in the sentence before, so who may or must?
        _reject(reasons, "clause has no subject before its modal")
    else:
        return True
    return False


def _has_subject(clause: Clause, modal: Element) -> bool:
    """Whether an actor is written just before the modal (allowing 也/均/依法…)."""
    return any(e.kind == "actor" and 0 <= modal.start - e.end <= 2 for e in clause.elements)


def _difficulty(clause: Clause, element: Element | None) -> int:
    base = _DIFFICULTY.get(element.kind, 2) if element else 2
    return min(5, base + (len(clause.text) > 100))


def _question(qtype: QuestionType, stem: str, key: tuple[str, ...], cite: Citation,
              clause: Clause, element: Element | None, *, options: Sequence[str] = (),
              note: str = "") -> Question:
    tags = [t for t in (cite.kind, _ELEMENT_TAGS.get(element.kind) if element else "") if t]
    explanation = cite.quote(clause.text) + (f"\n{note}" if note else "")
    return Question(qtype=qtype, stem=stem, key=key, options=tuple(options),
                    explanation=explanation, category=CATEGORY, tags=tuple(tags),
                    difficulty=_difficulty(clause, element), status=Status.DRAFT,
                    source_doc=cite.source, source_section=cite.section)


def make_fill_in(clause: Clause, element: Element, cite: Citation,
                 reasons: Counter | None = None) -> Question | None:
    """A fill-in question blanking a number (the unit stays in the stem: ____日内).

    The key accepts the numeral as written and in the other style (三十 and 30; 两 also
    as 二).

    Args:
        clause: the clause (from :func:`clause_candidates`).
        element: one of its elements; only ``number`` elements make fill-in questions.
        cite: where the clause comes from.
        reasons: counts why questions were not made, if given.

    Returns:
        The draft question, or None when the element cannot be blanked unambiguously.
    """
    if element.kind != "number" or not _usable(clause, element, reasons):
        return None
    numeral = element.text[: element.num_len]
    value = parse_number(numeral)
    other_style = "arabic" if element.style == "chinese" else "chinese"
    other = render_number(value, other_style) if value is not None else None
    key = (numeral, other) if other else (numeral,)
    if "两" in numeral:  # 两人 is also written 二人
        key += (numeral.replace("两", "二"),)
    stem = cite.context() + clause.replaced(element, BLANK, numeral_only=True) + "。"
    return _question(QuestionType.FILL, stem, key, cite, clause, element)


def make_single_choice(clause: Clause, element: Element, cite: Citation, corpus: Corpus,
                       rng: random.Random, reasons: Counter | None = None) -> Question | None:
    """A single-choice question blanking the element, with three distractors.

    Distractors come from :func:`alternatives`; any whose substitution the corpus attests
    (the changed clause occurs in it; for actors and modals also the change in its near
    context) is also correct and is never offered.

    Args:
        clause: the clause.
        element: the element to blank.
        cite: where the clause comes from.
        corpus: the whole corpus, for distractors and the rejection check.
        rng: random source for distractor choice and option order.
        reasons: counts why questions were not made, if given.

    Returns:
        The draft question, or None (ambiguous blank, or fewer than three safe distractors).
    """
    if not _usable(clause, element, reasons):
        return None
    if element.kind == "modal" and (element.group == "obligation"
                                    or element.text in ("禁止", "严禁")):
        # 应当 vs 可以/不得 is guessed from the rest of the sentence, and 禁止 has one real
        # alternative (允许), not three; the flip makes a better true/false item.
        _reject(reasons, "obligation or 禁止 modal (single choice too easy)")
        return None
    window = WINDOW if element.kind in ("actor", "modal") else 0
    distractors: list[str] = []
    for alt in alternatives(element, corpus, rng, cite.source):
        if alt in clause.text and element.kind != "modal":
            continue  # a value shown elsewhere in the stem only confuses
        if corpus.attested(clause, element, alt, window):
            _reject(reasons, "distractor attested in corpus (dropped)")
            continue
        distractors.append(alt)
        if len(distractors) == 3:
            break
    if len(distractors) < 3:
        _reject(reasons, "fewer than 3 safe distractors")
        return None
    options = [element.text, *distractors]
    rng.shuffle(options)
    key = "ABCD"[options.index(element.text)]
    stem = cite.context() + clause.replaced(element, BLANK) + "。"
    return _question(QuestionType.SINGLE, stem, (key,), cite, clause, element, options=options)


def make_true_false(clause: Clause, element: Element | None, cite: Citation, corpus: Corpus,
                    rng: random.Random, reasons: Counter | None = None) -> Question | None:
    """A true/false question: the clause as written (正确), or with one element changed (错误).

    Modals flip (应当/必须/不得→可以, 禁止→允许, 可以→应当, 有权→无权); numbers, ranges,
    frequencies and actors take the first :func:`alternatives` value the corpus does not
    attest (neither the changed clause nor the change in its near context occurs in it).

    Args:
        clause: the clause.
        element: the element to change, or None for the unaltered (true) statement.
        cite: where the clause comes from.
        corpus: the whole corpus.
        rng: random source.
        reasons: counts why questions were not made, if given.

    Returns:
        The draft question, or None.
    """
    if element is None:
        if clause.refers or clause.item:
            _reject(reasons, "clause refers to other text or is a list item")
            return None
        stem = cite.context() + clause.text + "。"
        return _question(QuestionType.TRUE_FALSE, stem, ("正确",), cite, clause, None,
                         note="题干与原文一致。")
    if not _usable(clause, element, reasons):
        return None
    if element.kind == "modal":
        if element.group == "obligation" and not _has_subject(clause, element):
            # "事故调查报告可以由…批复" reads as a loosened rule, not a false one; the
            # flip is only clear-cut when someone is told what to do.
            _reject(reasons, "obligation flip without an actor before it")
            return None
        candidates = [_FLIP[element.text]] if element.text in _FLIP else []
    else:
        candidates = alternatives(element, corpus, rng, cite.source)
    for alt in candidates:
        if alt in clause.text and element.kind != "modal":
            continue
        if corpus.attested(clause, element, alt, WINDOW):
            _reject(reasons, "altered statement attested in corpus")
            continue
        stem = cite.context() + clause.replaced(element, alt) + "。"
        note = f"题干将原文的「{element.text}」改为「{alt}」，与原文不符。"
        return _question(QuestionType.TRUE_FALSE, stem, ("错误",), cite, clause, element,
                         note=note)
    _reject(reasons, "no unattested alteration")
    return None


# ----- the whole knowledge base --------------------------------------------------------------


def _seeded(seed: int, *parts: object) -> random.Random:
    """A random source fixed by the seed and the question's place, so adding documents to
    the knowledge base does not change the questions generated from the others."""
    return random.Random(":".join(map(str, (seed, *parts))))


# Which element each question type asks about first: numbers are the most worth asking,
# then who must act; 应当 vs 可以 suits true/false best.
_PRIORITY = {
    "fill": ("number",),
    "single": ("number", "range", "freq", "actor", "modal"),
    "truefalse": ("modal", "number", "range", "freq", "actor"),
}


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def clause_questions(chunks: Sequence[tuple[Citation, str]], corpus: Corpus, *,
                     kinds: Sequence[str] = KINDS, seed: int = 0,
                     reasons: Counter | None = None) -> list[Question]:
    """Clause questions (fill-in, single choice, true/false) for chunks of text.

    At most one question of each type per sentence (a ；-clause counts as a sentence when
    its sentence gives none), so a trainer does not review seven variants of one rule.
    The single-choice and true/false items of a sentence ask about different elements
    where they can; about 30% of the true/false items are the unaltered clause (正确).

    Args:
        chunks: ``(citation, chunk text)`` pairs; only articles (第X条) are used.
        corpus: the corpus the distractors and rejection checks use.
        kinds: which of fill / single / truefalse to make.
        seed: random seed.
        reasons: counts why questions were not made, if given.
    """
    out: list[Question] = []
    for index, (cite, text) in enumerate(chunks):
        if not cite.is_article:
            # Only articles of regulations state rules; a plan's prose ("下降79.21%",
            # "三年行动") and title blocks give nonsense items.
            continue
        used: dict[str, list[tuple[int, int]]] = {k: [] for k in _PRIORITY}
        for clause in clause_candidates(text):
            span = (clause.start, clause.start + len(clause.text))
            asked: set[int] = set()  # elements already asked about in this clause
            for kind in ("fill", "single", "truefalse"):
                if kind not in kinds or _overlaps(used[kind], *span):
                    continue
                rng = _seeded(seed, cite.source, index, clause.start, kind)
                q = None
                order = sorted(
                    (e for e in clause.elements if e.kind in _PRIORITY[kind]),
                    key=lambda e: (e.start in asked, _PRIORITY[kind].index(e.kind), e.start),
                )
                for element in order:
                    if kind == "fill":
                        q = make_fill_in(clause, element, cite, reasons)
                    elif kind == "single":
                        q = make_single_choice(clause, element, cite, corpus, rng, reasons)
                    else:
                        q = make_true_false(clause, element, cite, corpus, rng, reasons)
                    if q:
                        asked.add(element.start)
                        break
                if q and kind == "truefalse" and rng.random() < TRUE_SHARE:
                    # Only clauses that could be altered convincingly are asked as they are,
                    # so a true item is no easier to spot than a false one.
                    q = make_true_false(clause, None, cite, corpus, rng, reasons)
                if q:
                    out.append(q)
                    used[kind].append(span)
    return out


def _kind_of(question: Question) -> str:
    return "duty" if question.category != CATEGORY else str(question.qtype)


def generate_questions(kb: KnowledgeBase, limit: int | None = None,
                       kinds: Sequence[str] = KINDS, *, seed: int = 0,
                       reasons: Counter | None = None) -> list[Question]:
    """Draft questions from every document of a knowledge base.

    Deterministic for a given knowledge base and seed. Duplicates are removed: the same
    type, stem, options and key; and for clause questions the same type on the same quoted
    clause of the same title (a law stored both as text and as PDF is asked once).

    Args:
        kb: the knowledge base.
        limit: at most this many, drawn evenly across kinds (None: all).
        kinds: any of ``duty`` (牵头单位 questions), ``fill``, ``single``, ``truefalse``.
        seed: random seed.
        reasons: counts why candidates were not made, if given.

    Returns:
        Draft questions: clause questions in document order, then duty questions.
    """
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; expected some of {KINDS}")
    chunks: list[tuple[Citation, str]] = []
    # The same law may be stored twice (a .md and a gazette PDF); text files come first so
    # their cleaner wording is the one kept when the copies give the same question.
    for doc in sorted(kb.documents(), key=lambda d: (d.fmt == "pdf", d.source)):
        for chunk in kb.chunks(doc.id):
            chunks.append((Citation(doc.title, doc.source, chunk.section_path, doc.kind),
                           chunk.text))
    corpus = Corpus((cite.source, text) for cite, text in chunks)
    questions = clause_questions(chunks, corpus, kinds=kinds, seed=seed, reasons=reasons)
    if "duty" in kinds:
        questions += duty_questions(kb.all_duties(), kb.all_units(),
                                    rng=_seeded(seed, "duty"), reasons=reasons)
    unique: dict[object, Question] = {}
    for q in questions:
        # Clause questions: one per type for each quoted clause of a titled document, even
        # when two copies of the document gave different distractors or alterations.
        same = (q.qtype, q.explanation.split("\n")[0]) if q.category == CATEGORY else None
        unique.setdefault(same or fingerprint(q), q)
    questions = list(unique.values())
    if limit is not None and len(questions) > limit:
        questions = _stratified(questions, limit, random.Random(seed))
    return questions


def _stratified(questions: list[Question], limit: int, rng: random.Random) -> list[Question]:
    """limit questions taken round-robin from each kind (shuffled), in original order."""
    by_kind: dict[str, list[int]] = {}
    for i, q in enumerate(questions):
        by_kind.setdefault(_kind_of(q), []).append(i)
    for indexes in by_kind.values():
        rng.shuffle(indexes)
    chosen: list[int] = []
    while len(chosen) < limit:
        for kind in sorted(by_kind):
            if by_kind[kind] and len(chosen) < limit:
                chosen.append(by_kind[kind].pop())
    return [questions[i] for i in sorted(chosen)]


def store_generated(db: Database, questions: Sequence[Question]) -> tuple[int, int]:
    """Store generated drafts, skipping any the bank already holds.

    Returns:
        ``(number stored, number skipped as duplicates)``.
    """
    ids, skipped = add_questions(db, questions, skip_duplicates=True)
    return len(ids), skipped


# ----- command line ---------------------------------------------------------------------------


def _cmd_generate(args: argparse.Namespace, db: Database) -> int:
    from kb.config import default_kb_dir
    from kb.store import KnowledgeBase

    folder = Path(args.kb) if args.kb else default_kb_dir()
    if not (folder / "kb.db").exists():
        print(f"错误: 知识库 {folder} 不存在；先运行 python -m kb ingest …", file=sys.stderr)
        return 1
    reasons: Counter = Counter()
    questions = generate_questions(KnowledgeBase(folder), args.limit, args.kinds or KINDS,
                                   seed=args.seed, reasons=reasons)
    counts = Counter(_kind_of(q) for q in questions)
    labels = {"duty": "职责分工单选题", **{str(t): TYPE_LABELS[t] for t in QuestionType}}
    for kind, n in sorted(counts.items()):
        print(f"{labels.get(kind, kind)}: {n}")
    print(f"共生成 {len(questions)} 道草稿题")
    if args.verbose:
        for why, n in reasons.most_common():
            print(f"  未采用 {n}: {why}")
    for q in questions[: args.show]:
        print(f"\n[{labels[_kind_of(q)]}] {q.stem}")
        for letter, option in zip("ABCD", q.options, strict=False):
            print(f"  {letter}. {option}")
        print(f"  答案: {q.key_text}\n  解析: {q.explanation}")
    if args.dry_run:
        print("（试运行，未写入题库）")
        return 0
    stored, skipped = store_generated(db, questions)
    print(f"已存入 {stored} 道草稿题，跳过题库中已有的 {skipped} 道；请在应用中审核")
    return 0


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``generate`` to the ``python -m quizzes`` command line."""
    p = subparsers.add_parser("generate", help="从知识库的法规条款和职责分工生成草稿题")
    p.add_argument("--kb", type=Path, help="知识库文件夹（默认 $SAFETY_KB_DIR 或 var/kb）")
    p.add_argument("--limit", type=int, help="最多生成的题数（各题型均衡抽取）")
    p.add_argument("--seed", type=int, default=0, help="随机种子（默认 0）")
    p.add_argument("--kinds", nargs="+", choices=KINDS,
                   help=f"题目种类（默认全部：{' '.join(KINDS)}）")
    p.add_argument("--dry-run", action="store_true", help="只统计和显示，不写入题库")
    p.add_argument("--show", type=int, default=0, metavar="N", help="显示前 N 道题")
    p.add_argument("--verbose", action="store_true", help="显示未采用候选的原因统计")
    p.set_defaults(handler=_cmd_generate)
