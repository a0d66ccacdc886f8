"""Administrative place names in questions and titles, and when they disagree."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import jieba.posseg as pseg

from kb.tokenize import normalize

# A question about a jurisdiction the knowledge base never mentions has no basis here,
# however well its other words match. jieba tags place (ns) and organisation (nt) names;
# only those ending like an administrative area count.
_PLACE_SUFFIXES = ("省", "自治区", "市", "新区", "区", "县", "州", "旗", "镇", "乡")
_PLACE_TAGS = ("ns", "nt")
_DICTIONARY_TAGS = pseg.dt.word_tag_tab  # jieba's own dictionary: word -> part of speech
# Levels of administration, by suffix: two different places of one level are different
# jurisdictions (西城区 and 朝阳区), while a city's regulation still governs its districts.
_LEVELS = (("省", "自治区"), ("市", "州", "盟"), ("新区", "区", "县", "旗"), ("镇", "乡"))


@lru_cache(maxsize=4096)  # an answer looks at the question and five titles, titles recur
def place_names(text: str) -> tuple[str, ...]:
    """Administrative place names in a text (e.g. 上海市浦东新区, 西城区, 广州).

    A name with its suffix counts; so does a bare name that jieba's dictionary knows as a
    place with one (广州 for 广州市). A bare word tagged as a place without such an entry
    (城市, 台风, 上岗: jieba tags those ns too) does not.
    """
    names = []
    for word, tag in pseg.cut(normalize(text)):
        if tag in _PLACE_TAGS and len(word) >= 3 and word.endswith(_PLACE_SUFFIXES):
            names.append(word)
        elif tag == "ns" and len(word) >= 2 and _dictionary_suffix(word):
            names.append(word)
        elif tag in _PLACE_TAGS and (city := _city_prefix(word)):  # 北京地铁: one word
            names.append(city)
    return tuple(names)


def _city_prefix(word: str) -> str:
    """A city or province a longer place-like word starts with (北京地铁 → 北京)."""
    head = word[:2]
    return head if len(word) > 2 and _DICTIONARY_TAGS.get(head) == "ns" \
        and _dictionary_suffix(head) in ("市", "省") else ""


def unknown_places(question: str, known_text: str) -> list[str]:
    """Place names in the question that the given text never mentions."""
    text = normalize(known_text)
    return [p for p in place_names(question) if p not in text]


def other_place(places: Sequence[str], title: str) -> str | None:
    """A place the title names at the level of one of the given places, but a different one.

    "西城区“十四五”时期安全生产规划" is about another district than a question naming 朝阳区
    or 上海市浦东新区, so it does not answer it; 北京市消防条例 still governs 朝阳区 (another
    level), and a national law names no place at all.

    Args:
        places: place names from the question (place_names).
        title: a document's title.
    """
    for other in place_names(title):
        stem, level = _stem_and_level(other)
        for place in places:
            own_stem, own_level = _stem_and_level(place)
            if level is not None and level == own_level \
                    and stem not in own_stem and own_stem not in stem:
                return other
    return None


def _dictionary_suffix(word: str) -> str:
    return next((s for s in _PLACE_SUFFIXES if _DICTIONARY_TAGS.get(word + s) == "ns"), "")


def _stem_and_level(place: str) -> tuple[str, int | None]:
    """"西城区" → ("西城", county level); a bare name takes its dictionary suffix's level."""
    suffix = next((s for s in sorted(_PLACE_SUFFIXES, key=len, reverse=True)
                   if place.endswith(s)), "")
    stem = place[:len(place) - len(suffix)] if suffix else place
    suffix = suffix or _dictionary_suffix(place)
    level = next((i for i, group in enumerate(_LEVELS) if suffix in group), None)
    return stem, level
