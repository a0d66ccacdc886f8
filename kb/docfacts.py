"""Questions about a document itself (文号, dates, issuer) or naming one: recognised (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from kb.records import DocumentInfo
from kb.tokenize import bigram_tokens, jieba_tokens, normalize

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


def named_document(rest: str, docs: Iterable[DocumentInfo]) -> DocumentInfo | None:
    """The document whose title best holds what the question says besides its cue, if any
    holds at least MIN_TITLE_MATCH of it."""
    score, doc = max(((title_match(rest, d.title), d) for d in docs),
                     key=lambda s: s[0], default=(0.0, None))
    return doc if score >= MIN_TITLE_MATCH else None


# A law is named with or without the state's name before it (《安全生产法》).
_STATE_PREFIX = "中华人民共和国"


def named_titles(question: str, titles: Iterable[str]) -> set[str]:
    """The stored titles a question names, exactly or without 中华人民共和国, in 《》 or not.

    《矿山安全法》 and "按照矿山安全法" name 中华人民共和国矿山安全法, not its 实施条例 nor
    Beijing's 实施办法: a name inside a longer one the question holds does not count, nor
    a law's name that runs into a word such as 法规 or 法治 ("违反消防法规"). A name no
    title matches is ignored.

    Args:
        question: the question as typed.
        titles: the stored documents' titles.
    """
    plain = re.sub(r"[《》\s]", "", normalize(question))
    matches = []  # (start, end, title)
    for title in set(titles):
        for form in _title_forms(title):
            for m in re.finditer(re.escape(form), plain):
                if not _LAW_WORD.match(plain, m.end() - 1):
                    matches.append((m.start(), m.end(), title))
    return {t for a, b, t in matches
            if not any(a2 <= a and b <= b2 and b2 - a2 > b - a for a2, b2, _ in matches)}


def without_names(question: str, titles: Iterable[str]) -> str:
    """The question without its mentions of these titles (those named_titles found), to
    rank passages within the named documents by what is asked, not by the name that every
    passage of the document carries with its title. The question itself when little else
    would be left ("安全生产法")."""
    plain = re.sub(r"[《》\s]", "", normalize(question))
    rest = plain
    for form in sorted({f for t in titles for f in _title_forms(t)}, key=len, reverse=True):
        rest = rest.replace(form, " ")
    return rest if len(re.findall(r"[\u4e00-\u9fff]", rest)) >= 4 else question


# 法规, 法律, 法治, 法人 … are words of their own, not a law's name (消防法) followed by more
# text: "安全生产法治化" does not name the 安全生产法 ("安全生产法规定" does).
_LAW_WORD = re.compile(r"法(?:[律治制人院官庭典务案则宝]|规(?!定))")
# A name counts only if it reads like one: a law (消防法) or another document kind at six
# characters or more, so that a file whose title came out as "实施方案" or "安全生产" does not
# claim every question using those words.
_KINDS = "条例|规定|办法|细则|规则|决定|解释|规划|方案|意见|通知|预案|标准"
_NAME = re.compile(rf".{{2,}}法|.{{4,}}(?:{_KINDS})")
# A question without any of these ends names no document: search skips reading the titles.
_NAME_END = re.compile(rf"法|{_KINDS}")


def may_name_a_document(question: str) -> bool:
    """Whether a question could name a stored document at all (see named_titles)."""
    return _NAME_END.search(question) is not None


def _title_forms(title: str) -> set[str]:
    """How a question may write a title: as stored, without 《》, without 中华人民共和国."""
    plain = re.sub(r"[《》\s]", "", normalize(title))
    forms = {plain, plain.replace(_STATE_PREFIX, "")}
    return {f for f in forms if _NAME.fullmatch(f)}


# An organisation's own rules (a company's handbook, a group's internal assessment rules)
# are not public documents: a knowledge base of laws and plans cannot say what they set.
_OWN_RULES = re.compile(
    r"内部[^，,。；;？?！!]{0,8}?(?:规定|制度|办法|规程|守则|手册|细则|标准)"
    r"|[^，,。；;？?！!]{0,6}(?:手册|守则)")
# ... cited as the source of what is asked ("手册规定…", "内部规定的…", "按公司制度…").
_CITED_AFTER = re.compile(r"规定|要求|里|中|上|写|的")
_CITED_OWN = re.compile(r"(?:(?:按|按照|根据|依照|依据)(?:我们|我司|本)?|我们|我司|咱们)"
                        r"(?:公司|厂|集团|单位|企业)的?(?:规章)?(?:制度|规定)")
# Asking what the law requires of such rules ("内部制度应当包括哪些内容") is answerable.
_ABOUT_THE_RULES = re.compile(r"建立|制定|包括|包含|具备|涵盖|符合")
_ASKS_CONTENT = re.compile(r"多少|几|多久|多长|什么|哪些|怎么|如何")
# A stored document of an organisation's own: its title names a company or is a handbook.
_OWN_TITLE = re.compile(r"公司|集团|厂|内部|手册|守则")


def cited_own_rules(question: str) -> str | None:
    """The organisation's own rules a question asks the content of, as it names them.

    "我们厂的安全管理手册规定…要扣多少绩效分" → "我们厂的安全管理手册"; "按公司制度…" →
    "按公司制度"; "我们厂规定…" → "我们厂规定". None when the question names no such
    rules, asks what the law requires of them ("内部制度应当包括哪些内容"), or asks no
    content (a yes/no question).
    """
    q = normalize(question)
    if _ABOUT_THE_RULES.search(q) or not _ASKS_CONTENT.search(q):
        return None
    found = [m for m in _OWN_RULES.finditer(q) if _CITED_AFTER.match(q, m.end())]
    found += list(_CITED_OWN.finditer(q))
    return min(found, key=lambda m: m.start()).group(0) if found else None


# Laws and regulations are the state's, whatever they govern (企业事业单位内部治安保卫条例).
_LEGISLATION_TITLE = re.compile(r"(?:(?<![办方])法|条例)(?:[（(][^）)]*[）)])?$")  # not 办法


def is_own_document(title: str) -> bool:
    """Whether a stored title is an organisation's own document (a company's, a handbook)."""
    return _OWN_TITLE.search(title) is not None and not _LEGISLATION_TITLE.search(title)
