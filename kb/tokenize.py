"""Chinese tokenisation for the lexical index: jieba words, character bigrams, or both."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

import jieba
from opencc import OpenCC

jieba.setLogLevel(logging.WARNING)

TOKENIZERS = ("jieba", "bigram", "jieba+bigram")
DEFAULT_TOKENIZER = "jieba+bigram"

# Question words and particles: frequent in questions, rare in regulations, so BM25 would
# otherwise give them a high weight and reward passages that merely contain them.
STOPWORDS = frozenset(
    "的 了 和 与 及 或 是 在 由 对 为 把 被 将 等 中 之 其 该 这 那 有 "
    "哪 哪些 哪个 哪几个 哪几 什么 怎么 怎样 如何 多少 多长 几 几个 谁 "
    "吗 呢 吧 啊 要 需要 应 应该 可以 能 会 都 也 还 又 "
    "什么样 何 何时 时间 是否 一个 哪里 哪儿 呀".split()
)
_WORD = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+(?:[.%][a-z0-9]+)*%?")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_HAN_WORD = re.compile(r"[\u4e00-\u9fff]+")
_SENTENCE = re.compile(r"[^。；！？!?;\n]+[。；！？!?;]?")


# Question words: what a question asks, not what a passage must hold. A query's bigrams must
# not straddle them ("多长时间内上报" gave "_时间", "_间内", matching "上报的时间"); a clause
# ending in one asks something (kb.answer.question_parts).
QUESTION_WORD = re.compile(r"多长时间|多少时间|多久|多长|多远|多少|几个?|哪一?[些个里儿种类]?"
                           r"|什么样?|谁|怎么样?|怎样|如何|是否|吗|呢|呀|吧")


# How a question asks for a kind of answer in everyday words: the words added to its query,
# and what a passage giving that answer states. Asked "会判几年", a passage sentencing
# "处三年以下有期徒刑" answers, yet shares no word with the question; asked "消防队灭火会收钱吗",
# one saying "不得收取任何费用" (or "不得收费", "免费…"); asked "体检的钱谁出", one saying
# "…费用由用人单位承担".
@dataclass(frozen=True)
class AskedAnswer:
    """A kind of answer asked in everyday words: the cue in the question, the statutory words
    added to the query, and the pattern of a passage stating such an answer."""

    cue: re.Pattern[str]
    query: str
    states: re.Pattern[str]


ASKED_ANSWERS = (
    AskedAnswer(re.compile(r"判(?:处|了)?(?:几年|多少年|多久|多长时间|多重|什么刑)|(?:坐|蹲)(?:几年|多久)?牢|"
                           r"(?:会|要)(?:不会)?(?:被)?判刑"),
                "有期徒刑", re.compile("有期徒刑")),
    # Who pays: "检查的钱是公司出还是个人出", "费用谁来出", "谁出钱" ("…费用由用人单位承担").
    AskedAnswer(re.compile(r"(?:钱|费用?)[^，。？?！!]{0,10}(?:谁|哪个|哪方|公司|单位|个人|自己|老板)"
                           r"[^，。？?！!]{0,4}(?:出|掏|付|承担|负担|报销)|谁来?(?:出钱|掏钱|付钱|买单)"),
                "费用 承担",
                re.compile(r"费用[^。；]*(?:承担|负担|支付)|(?:承担|负担|支付)[^。；]*费用")),
    # Whether something is charged for, asked yes or no: 会收钱吗, 要付费吗, 收不收费, 免费吗
    # (not "燃气收费问题…几日内答复", which asks a number of days).
    AskedAnswer(re.compile(r"(?:收|付|交|给|花|要)(?:不收|不付|不交|不给|不要)?(?:钱|费)"
                           r"(?=吗|么|嘛|不|没|[?？]|$)|免费(?=吗|么|嘛|[?？]|$)"),
                "收取费用", re.compile(r"收取[^。；]{0,4}费用|收费|免费|费用由")),
)


def asked_answer(question: str) -> AskedAnswer | None:
    """The kind of answer the question asks for in everyday words (ASKED_ANSWERS: "会判几年"
    → a prison term, "钱谁出" → who bears a cost, "会收钱吗" → a charge), or None."""
    return next((asked for asked in ASKED_ANSWERS if asked.cue.search(question)), None)


def query_text(question: str) -> str:
    """A question with its question words replaced by spaces, for tokenising as a query, and
    words of the kind of answer it asks for in everyday words (判几年 → 有期徒刑) added."""
    asked = asked_answer(question)
    return QUESTION_WORD.sub(" ", question) + (f" {asked.query}" if asked else "")


_NUMERAL = re.compile(r"[零〇一二三四五六七八九十百千万两\d]")


def spelled_out(tokens: Iterable[str], vocabulary: Collection[str]) -> list[str]:
    """The words of vocabulary that spell out the query's unknown words, shortened in speech by
    leaving out a character inside: "女工" → "女职工", "保安员" → "保安人员", "交警" → "交通警".

    A query word of two or more Chinese characters that vocabulary (the indexed words) lacks is
    looked for as a word one character longer with the same first and last characters holding
    it in order. Numbers are left alone ("七八" is not "七十八").
    """
    out: list[str] = []
    for word in tokens:
        if word in vocabulary or len(word) < 2 or not _HAN_WORD.fullmatch(word) \
                or _NUMERAL.search(word):
            continue
        longer = _by_ends(vocabulary).get((word[0], word[-1], len(word) + 1), ())
        out.extend(v for v in longer if _holds_in_order(v, word))
    return out


# The vocabularies indexed by _by_ends, by id (each kept, so that its id is not reused).
_ENDS: dict[int, tuple[Collection[str], dict[tuple[str, str, int], list[str]]]] = {}


def _by_ends(vocabulary: Collection[str]) -> dict[tuple[str, str, int], list[str]]:
    """The Chinese words of vocabulary by (first character, last character, length), built
    once per vocabulary (an index's IDF table lives as long as the index)."""
    cached = _ENDS.get(id(vocabulary))
    if cached is None or cached[0] is not vocabulary:
        index: dict[tuple[str, str, int], list[str]] = {}
        for v in vocabulary:
            if _HAN_WORD.fullmatch(v):
                index.setdefault((v[0], v[-1], len(v)), []).append(v)
        if len(_ENDS) >= 4:
            _ENDS.clear()
        cached = _ENDS[id(vocabulary)] = (vocabulary, index)
    return cached[1]


def _holds_in_order(longer: str, word: str) -> bool:
    chars = iter(longer)
    return all(c in chars for c in word)


@lru_cache(maxsize=1)
def _to_simplified() -> OpenCC:
    return OpenCC("t2s")


def simplified(text: str) -> str:
    """Text in simplified characters: a question typed in traditional ones (誰負責…) is asked
    of documents in simplified ones. Simplified text is returned unchanged."""
    return _to_simplified().convert(text)


# Roman numerals as Chinese ones: regulations class things as Ⅲ类 or Ⅳ级, people type 三类 or
# 四级 (NFKC alone would make Ⅲ the word "iii").
_HAN_NUMBERS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
_ROMAN_NUMERALS = str.maketrans({chr(first + i): han for first in (0x2160, 0x2170)  # Ⅰ…, ⅰ…
                                 for i, han in enumerate(_HAN_NUMBERS)})
# Saved with the indexes: a change to how text becomes tokens rebuilds BM25 from SQLite on load.
# 2: Roman numerals read as Chinese ones.
TOKENS_REVISION = 2


def normalize(text: str) -> str:
    """Roman numerals as Chinese ones, then NFKC and lower case, so full-width and half-width
    forms compare equal (Ⅲ类 = 三类, ＡＢＣ = abc)."""
    return unicodedata.normalize("NFKC", text.translate(_ROMAN_NUMERALS)).lower()


@lru_cache(maxsize=4096)
def _jieba_words(run: str) -> tuple[str, ...]:
    return tuple(jieba.lcut_for_search(run))


def jieba_tokens(text: str) -> list[str]:
    """Words from jieba's search mode (long words and their parts), stopwords removed."""
    out: list[str] = []
    for run in _WORD.findall(normalize(text)):
        if _HAN.match(run):
            out.extend(w for w in _jieba_words(run) if w not in STOPWORDS)
        else:
            out.append(run)
    return out


def bigram_tokens(text: str) -> list[str]:
    """Overlapping Chinese character bigrams (a lone character stays a unigram) and ASCII words."""
    out: list[str] = []
    for run in _WORD.findall(normalize(text)):
        if not _HAN.match(run):
            out.append(run)
        elif len(run) == 1:
            if run not in STOPWORDS:
                out.append(run)
        else:
            out.extend("_" + run[i:i + 2] for i in range(len(run) - 1))
    return out


def tokenize(text: str, method: str = DEFAULT_TOKENIZER) -> list[str]:
    """Tokens of text for BM25.

    Args:
        text: any text.
        method: "jieba", "bigram", or "jieba+bigram" (both token streams; bigrams are
            prefixed with "_" so they never collide with one-word jieba tokens).
    """
    if method == "jieba":
        return jieba_tokens(text)
    if method == "bigram":
        return bigram_tokens(text)
    if method == "jieba+bigram":
        # ASCII words are already in the jieba stream; add only the Chinese bigrams.
        return jieba_tokens(text) + [t for t in bigram_tokens(text) if t.startswith("_")]
    raise ValueError(f"unknown tokenizer {method!r}; expected one of {TOKENIZERS}")


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage (split at 。；！？ and line ends), in order, stripped."""
    return [s for s in (m.group(0).strip() for m in _SENTENCE.finditer(text)) if s]


def search_text(title: str, section_path: Iterable[str], text: str) -> str:
    """What both retrievers see of a chunk: its document title and section path, then its text.

    Questions often name a district, a law or a heading rather than words in the passage.
    """
    return "\n".join([title, " ".join(section_path), text])
