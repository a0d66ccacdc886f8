"""Who acts: the kind of party a question asks about, and the subject of a regulation's sentence.

Enterprise staff ask what their company must do ("公司应该在多少天内申请工伤认定?"); the
article next door often states what the authority does with the same words ("社会保险行政部门
应当自受理工伤认定申请之日起60日内作出…决定"). Telling the regulated party from the authority
lets the answer quote the sentence about the right one. Pure functions over text.
"""

from __future__ import annotations

import re

ORGANISATION = "organisation"  # the regulated party: a company, an employer, a work unit
AUTHORITY = "authority"  # a government department, agency, court or public service

# A party named in a question, in the order tried (longer names first).
_QUESTION_PARTY = re.compile(
    r"用人单位|生产经营单位|监管部门|执法人员|消防队|海事管理机构|派出所|交警|公安"
    r"|公司|企业|单位|工厂|厂|老板|雇主|我们|商家|部门|政府|机关|机构|法院")
_AUTHORITY_WORD = re.compile(
    r"部门|政府|机关|机构|局|委员会|法院|检察院|执法|监管|消防队|公安|海事|派出所|交警")
_ORGANISATION_WORD = re.compile(r"单位|企业|经营者|公司|承包|业主|雇主")
# The party is the question's subject when a modal follows it closely ("公司最晚要在…",
# "监理机构该怎么办"); "取得" and the like are not the modal 得.
_MODAL_AFTER = re.compile(
    r"[^，,。？?；;]{0,4}?(?:应当|应该|需要|必须|要|能|可以|该|(?<![取获记懂使])得)")
# Where a regulation's sentence states its duty or power.
_SENTENCE_MODAL = re.compile(r"应当|必须|可以|不得|有权|应")
_ARTICLE_NUMBER = re.compile(r"^第[一二三四五六七八九十百零〇]+条\s*")
# A clause that is not the subject: a condition ("…的"), or "除…外", "经…批准", "在…前提下".
_NOT_SUBJECT = re.compile(r"^(?:除|在|经|对|因|如|凡)")

# Everyday names of parties and the statutory ones: asked "该房东修还是租客修", the sentence
# on "房屋出租人…承租人…" answers.
EVERYDAY_PARTIES = {"房东": "出租人", "租客": "承租人", "租户": "承租人", "房客": "承租人"}


def statutory_parties(question: str) -> list[str]:
    """The statutory names of the parties a question names in everyday words (房东 → 出租人)."""
    return [law for word, law in EVERYDAY_PARTIES.items() if word in question]


MATCH_WEIGHT = 1.25  # the sentence is about the party the question asks about
MISMATCH_WEIGHT = 0.8  # it is about the other kind of party


def _kind(words: str) -> str | None:
    if _AUTHORITY_WORD.search(words):
        return AUTHORITY
    if _ORGANISATION_WORD.search(words):
        return ORGANISATION
    return None


def question_party(question: str) -> str | None:
    """The kind of party whose duty the question asks about, or None when it names none
    as its subject: "公司应该在多少天内…" → organisation, "监管部门要提前多久通知企业" →
    authority, "海淀区要求哪些地方组建专职消防队" → None."""
    for m in _QUESTION_PARTY.finditer(question):
        if _MODAL_AFTER.match(question, m.end()):
            return AUTHORITY if _AUTHORITY_WORD.search(m.group()) else ORGANISATION
    return None


def sentence_subject(sentence: str) -> str | None:
    """The kind of party a regulation's sentence gives a duty or power to, or None.

    The subject is the clause before the sentence's first modal (应当, 可以, 不得 …), else an
    earlier clause that is neither a condition ("…的") nor a circumstance ("除…外", "经…"):
    "…部门依照前款规定采取停止供电措施，除有…外，应当提前二十四小时通知…" → authority.
    """
    sentence = _ARTICLE_NUMBER.sub("", sentence)
    modal = _SENTENCE_MODAL.search(sentence)
    if modal is None:
        return None
    clauses = re.split(r"[，,：:]", sentence[:modal.start()])
    earlier = [c for c in clauses[:-1] if not c.endswith("的") and not _NOT_SUBJECT.match(c)]
    return next((k for k in map(_kind, [clauses[-1], *earlier]) if k is not None), None)


def party_weight(question: str, sentence: str) -> float:
    """How much more (or less) a sentence is worth as the answer for the party it is about."""
    asked = question_party(question)
    if asked is None:
        return 1.0
    subject = sentence_subject(sentence)
    if subject is None:
        return 1.0
    return MATCH_WEIGHT if subject == asked else MISMATCH_WEIGHT
