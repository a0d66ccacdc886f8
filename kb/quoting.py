"""Choosing what to quote: the sentence(s) of a passage, and the passage, that answer a question.

Pure functions: the question's terms, their IDF-weighted coverage of a text, and the kind of
answer a question asks for (a number, a date, a sanction, a rule, a list, a unit, the clause
whose threshold takes in the number the question states) decide.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping

from ingest.chunking import heading_kind, label_title
from kb.actors import party_weight, statutory_parties
from kb.quantity import (
    MONEY,
    MONTH_DAY,
    asked_payment,
    asked_unit,
    asks_duration,
    states_duration,
    states_quantity,
    year_fit,
)
from kb.records import SearchHit
from kb.thresholds import threshold_fit
from kb.tokenize import (
    asked_answer,
    bigram_tokens,
    jieba_tokens,
    spelled_out,
    split_sentences,
)


def question_terms(question: str) -> set[str]:
    """Content terms of a question: jieba words and character bigrams, stopwords removed."""
    return set(jieba_tokens(question)) | set(bigram_tokens(question))


def quoting_terms(question: str, idf: Mapping[str, float] | None) -> set[str]:
    """A question's terms with the indexed words (the keys of idf) spelling out its shortened
    ones: asked "能安排女工下井吗", the sentence on "女职工" answers (kb.tokenize.spelled_out);
    and the statutory names of the parties it names in everyday words (房东 → 出租人)."""
    terms = question_terms(question) | question_terms(" ".join(statutory_parties(question)))
    return terms | set(spelled_out(sorted(terms), idf)) if idf else terms


def _weight(term: str) -> int:
    return len(term.lstrip("_"))


# Within one document, a question term its title holds tells which document, not which
# sentence: such terms count this much when choosing the answering sentence.
TITLE_TERM_WEIGHT = 0.25


def coverage(terms: set[str], text: str, idf: Mapping[str, float] | None = None,
             title_terms: frozenset[str] = frozenset()) -> float:
    """Share of the question's terms found in text, weighted by IDF (or by length).

    Args:
        terms: the question's terms (question_terms).
        text: where to look for them.
        idf: term weights (rare terms say more); by length when None.
        title_terms: terms of the document's title, which count TITLE_TERM_WEIGHT as much.
    """
    if not terms:
        return 0.0
    found = question_terms(text)

    def w(t: str) -> float:
        weight = idf.get(t, 1.0) if idf else _weight(t)
        return weight * TITLE_TERM_WEIGHT if t in title_terms else weight

    return sum(w(t) for t in terms & found) / sum(w(t) for t in terms)


_WHO_CUE = re.compile(r"谁|哪个部门|哪个单位|哪些部门|哪些单位|哪个机构|什么部门|什么单位")
# The line of a plan's task naming who does it ("责任单位:区应急管理局等、各街镇").
_RESPONSIBLE_LINE = re.compile(
    r"^[ \t]*(?:主要)?(?:责任单位|牵头单位|责任部门|牵头部门)[ \t]*[:：]", re.MULTILINE)
# How long a quoted answer may grow when it is a list the best sentence announces.
LIST_MAX_CHARS = 400
_LIST_ITEM = re.compile(r"[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、]|[一二三四五六七八九十]+、")


def best_sentences(question: str, passage: str, idf: Mapping[str, float] | None = None,
                   max_chars: int = 160, own_title: str = "",
                   headings: tuple[str, ...] = ()) -> str:
    """The sentence(s) of a passage that best answer the question, as one exact substring.

    The sentence sharing the most (IDF-weighted) question terms is taken, then the sentences
    after it in the same paragraph while the whole stays within max_chars: an answer often
    restates the question in one sentence and gives the substance in the next. When it
    announces a list (ends with a colon), the list's items follow it, up to LIST_MAX_CHARS.

    Args:
        question: the question.
        passage: the passage to quote from.
        idf: term weights (rare terms say more); by length when None.
        max_chars: how long the quoted answer may grow.
        own_title: the title of the passage's document: asked which document something is
            based on, a sentence naming only the document itself does not answer; and the
            question's terms that the title holds count less (they name the document, not
            the sentence: "海淀区2020年的目标" is not answered by the notice issuing it).
        headings: the passage's section path: a line that is one of its labels is a
            heading even without a number ("区卫生健康委" above its duties).
    """
    sentences = split_sentences(passage)
    if not sentences:
        return ""
    terms = quoting_terms(question, idf)
    # A bare heading names a topic but answers nothing: prefer real sentences. A sentence
    # holding the kind of thing asked for (a number, a document, a unit) is preferred.
    scores = [sentence_score(question, terms, s, idf, own_title, headings) for s in sentences]
    if _ASKS_LIST.search(question):
        # Asked which ones, a list is the kind of answer wanted (like a number for 多少), and
        # it answers as a whole: its lead ("禁止在下列地点燃放：") is scored with its items, so
        # that an item or a later sentence repeating the question's words does not win alone.
        for i, sentence in enumerate(sentences):
            items = _list_items(sentences, i)
            if items:
                whole = "".join([sentence, *items])
                scores[i] = max(scores[i], LIST_ANSWER_WEIGHT * sentence_score(
                    question, terms, whole, idf, own_title, headings))
    # Asked a number or a sanction, an item of a list is read with the sentence announcing
    # it, as it is quoted (_context_start): the case is in the item, the number often in the
    # lead ("…由应急管理部门依照下列规定处以罚款：" over "(一)发生一般事故的，处…"), or the
    # other way round ("有下列情形之一的，为一般事故：" over "(三)电梯轿厢滞留人员2小时以上的").
    # Items whose lead holds what they share with the question tie; the item that holds more
    # of it itself is the one asked about (a lead naming every grade, "重大森林火灾" asked).
    own = list(scores)
    if answer_test(question) is not None or asks_duration(question):
        for i, lead in _item_leads(sentences):
            scores[i] = max(scores[i], sentence_score(
                question, terms, sentences[lead] + sentences[i], idf, own_title, headings))
    best = max(range(len(sentences)), key=lambda i: (scores[i], own[i], -i))
    start = passage.find(sentences[best])
    end = start + len(sentences[best])
    start = _context_start(passage, sentences, best, start, end)
    whole = _section_paragraph(question, passage, headings, start, end)
    if whole is not None and not _is_heading(sentences[best], headings):
        return whole
    # A sentence announcing a list ("应当履行下列职责：") is answered by the list's items.
    announces_list = sentences[best].endswith((":", "："))
    limit = max(max_chars, LIST_MAX_CHARS) if announces_list else max_chars
    # A heading answers nothing alone: when it wins ("区卫生健康委" asked what that unit
    # does), the paragraph under it is what it heads.
    heading = _is_heading(sentences[best], headings)
    for nxt in sentences[best + 1:]:
        nxt_start = passage.find(nxt, end)
        new_paragraph = "\n" in passage[end:nxt_start]
        if new_paragraph and not (announces_list and _LIST_ITEM.match(nxt)) and not heading:
            break  # a new paragraph, unless it is an item of the announced list
        heading = False
        if nxt_start + len(nxt) - start > limit:
            break
        end = nxt_start + len(nxt)
    if _WHO_CUE.search(question):  # asked who: the task's 责任单位 line answers it
        line = _RESPONSIBLE_LINE.search(passage, end)
        if line:
            line_end = passage.find("\n", line.start())
            end = line_end if line_end != -1 else len(passage)
    return passage[start:end]


# A sentence that only makes sense with the one before it: "其他组织和个人不得…" after the
# sentence saying who may, "但…", "前款规定的…".
_REFERS_BACK = re.compile(r"其他|但|前款|上述|否则")


def _context_start(passage: str, sentences: list[str], best: int, start: int,
                   end: int) -> int:
    """Where a quote of sentences[best] (at passage[start:end]) must start to be understood.

    An item of a list ("（三）学生自行到校活动…的；") is quoted from the paragraph of the
    sentence announcing the list ("…有下列情形之一的，不承担损害赔偿责任："), which says
    what the items are for (the answer, often); a sentence referring back ("其他组织和个人不得
    …", "但…") from the sentence before it in its paragraph. Up to LIST_MAX_CHARS in all.
    """
    if _LIST_ITEM.match(sentences[best]):
        lead = _lead_of(sentences, best)
        if lead is None:
            return start
        lead_start = passage.rfind(sentences[lead], 0, start)
        paragraph = passage.rfind("\n", 0, lead_start) + 1
        candidates = (paragraph, lead_start) if lead_start != -1 else ()
    elif _REFERS_BACK.match(sentences[best]) and best > 0:
        lead_start = passage.rfind(sentences[best - 1], 0, start)
        same_paragraph = lead_start != -1 and "\n" not in passage[lead_start:start]
        candidates = (lead_start,) if same_paragraph else ()
    else:
        return start
    return next((c for c in candidates if end - c <= LIST_MAX_CHARS), start)


# Asked what a section holds as a whole ("…工程具体要做哪些事", "主要包括哪些内容").
_ASKS_CONTENT = re.compile(r"(?:哪些|什么|哪几[项个]?)(?:具体)?"
                           r"(?:事情?|内容|工作|措施|任务|方面|举措)|(?:做|干)(?:些)?什么")


def _section_paragraph(question: str, passage: str, headings: tuple[str, ...], start: int,
                       end: int) -> str | None:
    """The whole paragraph around passage[start:end] when the question names the passage's
    section ("西城区的有限空间安全提升工程具体要做哪些事" under "(五)有限空间安全提升工程") and
    asks what it holds: each of its sentences is a part of the answer. None otherwise, or
    when the paragraph is longer than LIST_MAX_CHARS."""
    if not headings or not _ASKS_CONTENT.search(question):
        return None
    title = label_title(headings[-1])
    if len(title) < 4 or title not in question:
        return None
    paragraph_start = passage.rfind("\n", 0, start) + 1
    paragraph_end = passage.find("\n", end)
    paragraph_end = len(passage) if paragraph_end == -1 else paragraph_end
    if paragraph_end - paragraph_start > LIST_MAX_CHARS:
        return None
    return passage[paragraph_start:paragraph_end]


_ASKS_LIST = re.compile(r"哪些|哪几|有什么|包括什么|哪一?[级类种档]|什么(?:级别|等级|类别)")
LIST_ANSWER_WEIGHT = 1.5


def _quotes_a_list(quote: str) -> bool:
    """Whether a quote is a list: a lead announcing it and at least one item."""
    sentences = split_sentences(quote)
    return any(_list_items(sentences, i) for i in range(len(sentences)))


def _list_items(sentences: list[str], lead: int) -> list[str]:
    """The items of the list sentences[lead] announces (none if it announces no list)."""
    if not sentences[lead].endswith((":", "：")):
        return []
    items = []
    for sentence in sentences[lead + 1:]:
        if not _LIST_ITEM.match(sentence):
            break
        items.append(sentence)
    return items


def _lead_of(sentences: list[str], item: int) -> int | None:
    """The sentence announcing the list sentences[item] is an item of: the last one before it
    ending with a colon (an item may run over several sentences), or None."""
    if not _LIST_ITEM.match(sentences[item]):
        return None
    return next((j for j in range(item - 1, -1, -1)
                 if sentences[j].endswith((":", "：")) and not _LIST_ITEM.match(sentences[j])),
                None)


def _item_leads(sentences: list[str]) -> list[tuple[int, int]]:
    """(item, lead) for every item of a list and the sentence announcing that list."""
    leads = ((i, _lead_of(sentences, i)) for i in range(len(sentences)))
    return [(i, lead) for i, lead in leads if lead is not None]


def _is_heading(sentence: str, headings: tuple[str, ...]) -> bool:
    """A bare heading: numbered, or one of the passage's section labels."""
    return _is_bare_heading(sentence) or sentence in headings


def sentence_score(question: str, terms: set[str], sentence: str,
                   idf: Mapping[str, float] | None, own_title: str = "",
                   headings: tuple[str, ...] = ()) -> float:
    """How well a sentence answers: the question terms it holds, times the answer-type
    weight; a bare heading (numbered, or one of the passage's section labels) names a
    topic but answers nothing."""
    typed = sentence.replace(f"《{own_title}》", "") if own_title else sentence
    title_terms = frozenset(question_terms(own_title)) if own_title else frozenset()
    type_weight = _type_weight(question, typed)
    # The answer type also breaks ties among sentences sharing no term with the question
    # ("几天能批下来?" is answered by "…之日起3日内，作出批准…的决定").
    return (coverage(terms, sentence, idf, title_terms)
            * (0.5 if _is_heading(sentence, headings) else 1.0) * type_weight
            + 1e-3 * (type_weight - 1.0))


ASKS_SANCTION = re.compile(r"(?:怎么|怎样|如何|什么|哪些)(?:处罚|处分|惩罚|追责)|罚则|法律责任")
STATES_SANCTION = re.compile(
    r"罚款|处分|吊销|撤销|暂扣|拘留|有期徒刑|拘役|撤职|开除|降级|责令停产|没收")


def answer_test(question: str) -> Callable[[str], bool] | None:
    """What a passage answering the question must state, when the question says: the kind
    of answer asked in everyday words (判几年 → 有期徒刑, 收钱吗 → 收取费用), a quantity in the unit
    asked (多少天, 罚多少钱), or a sanction (怎么处罚); None otherwise."""
    asked = asked_answer(question)
    if asked is not None:
        return lambda text: asked.states.search(text) is not None
    unit = asked_unit(question)
    if unit is not None:
        return functools.partial(states_quantity, unit=unit)
    if ASKS_SANCTION.search(question):
        return lambda text: STATES_SANCTION.search(text) is not None
    return None


# (question cue, what an answering sentence holds, weight): the expected answer type.
_ANSWER_TYPES = [
    (re.compile(r"多少|几[个项次年日天级类种]?|多长(?!时间)|比例|百分|[比概]率"),
     re.compile(r"\d|[一二三四五六七八九十百千万]+[个项次年日天级类种人元%％小时]"), 1.5),
    (re.compile(r"文号|文件|依据|根据哪|哪部|什么法"), re.compile(r"〔\d{4}〕|\[\d{4}\]"), 1.5),
    (re.compile(r"文件|依据|根据哪|哪部|什么法"), re.compile(r"《"), 1.2),
    (_WHO_CUE, re.compile(r"[局委办厅部]|支队|中心|政府|机关|单位|企业|经营者|承办者|负责人"), 1.5),
    # How one is punished (怎么处罚, 受什么处分) is answered by the sanction, not the duty.
    (ASKS_SANCTION, STATES_SANCTION, 1.5),
    # May one (可以吗, 允许吗, 合法吗, 会不会): the rule allowing ("…可以直接申请") or
    # forbidding it answers, not the penalty for breaking it ("可以并处罚款") nor a sentence
    # merely sharing the question's words.
    (re.compile(r"吗\s*[?？]?\s*$|可不可以|能不能|能否|会不会|允许|合法|行不行"),
     re.compile(r"禁止|不得|严禁|无效|有权|允许|可以(?!并?处|责令|给予)"), 1.5),
    # Which day (哪一天, 几月几日) is a calendar date; "什么时候" is left out: it usually asks
    # a time limit ("什么时候上报" → "1小时内").
    (re.compile(r"哪一?[天日]|几月几[日号]|日期"), MONTH_DAY, 1.5),
]


def _type_weight(question: str, sentence: str) -> float:
    """How much more a sentence holding the kind of thing asked for is worth, and about
    the party asked about ("公司应该…" → a sentence on what the employer must do)."""
    weight = party_weight(question, sentence)
    for cue, pattern, factor in _ANSWER_TYPES:
        if cue.search(question) and pattern.search(sentence):
            weight *= factor
    asked = asked_answer(question)
    if asked is not None and asked.states.search(sentence):  # 判几年 → "处三年以下有期徒刑"
        weight *= 1.5
    if asks_duration(question) and states_duration(sentence):  # 多久 → "1小时内", not a date
        weight *= 1.5
    unit = asked_unit(question)
    if unit is not None and states_quantity(sentence, unit):  # 多少天 → "30日内"
        weight *= 1.2
    # "死了一个人" → the clause "造成死亡一人以上" applies, not "造成死亡三人以上"; "到2025年
    # 要做到什么程度" → the 2025 target, not the 2035 one beside it.
    for fit in (threshold_fit(question, sentence), year_fit(question, sentence)):
        if fit:
            weight *= THRESHOLD_WEIGHT if fit > 0 else 1 / THRESHOLD_WEIGHT
    return weight


# How much more a sentence whose threshold takes in the number the question states is worth
# (and how much less one whose thresholds all leave it out).
THRESHOLD_WEIGHT = 1.5


# A quantity answers only when stated about what was asked: its sentence (read with the one
# it continues) must share at least this IDF-weighted share of the question's terms.
MIN_QUANTITY_EVIDENCE = 0.05


def quantity_evidence(question: str, passage: str, unit: str,
                      idf: Mapping[str, float] | None = None) -> float:
    """How well the passage's statements of a quantity in unit match the question.

    The best IDF-weighted coverage of the question's terms among the passage's sentences
    stating such a quantity, each read with the sentence it continues: the one before it in
    its paragraph, or the lead of its list ("有下列情形之一的：" before "（一）造成死亡一人以上…").
    0 when no sentence states one. "西城区的专职安全员队伍有多少人" is not answered by a
    plan's "开展百名专家服务万家企业活动"; an amount of a payment asked ("多少钱的奖励") only
    by a sentence naming that payment, not by a fine.

    Args:
        question: the question (or the part of it asking the quantity).
        passage: the passage.
        unit: the unit asked, as kb.quantity.asked_unit gives it.
        idf: term weights; by length when None.
    """
    terms = question_terms(question)
    payment = asked_payment(question) if unit in (MONEY, "元", "万元") else None
    best, lead = 0.0, ""  # lead: the last sentence that is not a list item
    for line in passage.splitlines():
        sentences = split_sentences(line)
        for i, sentence in enumerate(sentences):
            item = _LIST_ITEM.match(sentence) is not None
            if states_quantity(sentence, unit):
                window = (lead if item else (sentences[i - 1] if i else "")) + sentence
                if payment is None or payment in window:
                    best = max(best, coverage(terms, window, idf))
            if not item:
                lead = sentence
    return best


def _is_bare_heading(sentence: str) -> bool:
    return bool(heading_kind(sentence)) and sentence[-1] not in "。；！？!?;" \
        and len(sentence) <= 40


def best_quote(question: str, hits: list[SearchHit],
                idf: Mapping[str, float] | None) -> tuple[int, str]:
    """Which of the given passages answers best, and its answering sentence(s).

    Each passage's answering sentence is scored like a sentence within a passage, scaled by
    how far the passage's retrieval score is below the first's; asked which ones (哪些, 哪一级),
    a quoted list weighs LIST_ANSWER_WEIGHT as much, as it does within a passage.
    """
    quotes = [best_sentences(question, h.text, idf, own_title=h.title, headings=h.section_path)
              for h in hits]
    terms, top_score = quoting_terms(question, idf), hits[0].score
    asks_list = _ASKS_LIST.search(question) is not None

    def strength(i: int) -> tuple[float, int]:
        # Fused scores are sums of standardised scores: a passage one standard deviation
        # below the first counts e^-1 of its sentence score. (The ratio of the scores, used
        # before, let a runner-up 0.1 below win with a sentence sharing one more word.)
        relative = math.exp(min(hits[i].score - top_score, 0.0))
        score = sentence_score(question, terms, quotes[i], idf, hits[i].title,
                               hits[i].section_path)
        if asks_list and _quotes_a_list(quotes[i]):  # asked which one, a list answers
            score *= LIST_ANSWER_WEIGHT
        return score * relative, -i

    best = max(range(len(quotes)), key=strength)
    return best, quotes[best]
