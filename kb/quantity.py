"""Questions that ask for a quantity in a unit (多少天, 几年), and passages that state one."""

from __future__ import annotations

import re

from kb.tokenize import normalize

# A unit a question may ask for, with the spellings a passage may state it in: a question
# asking 多少天 is answered by "三十日内", one asking 几个小时 by "4小时". Units of measure,
# and 个 only after 多少 (see _ASKED): 几个方面 or 哪几项 ask for a list, not a number.
UNIT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "年": ("年",),
    "月": ("月",),
    "周": ("周", "星期"),
    "天": ("天", "日"),
    "日": ("日", "天"),
    "工作日": ("工作日", "日"),
    "小时": ("小时", "时"),
    "分钟": ("分钟",),
    "度": ("度", "℃"),
    "米": ("米",),
    "平方米": ("平方米", "㎡"),
    "公里": ("公里", "千米"),
    "人": ("人", "名"),
    "名": ("名", "人"),
    "次": ("次",),
    "元": ("元",),
    "万元": ("元",),
    "倍": ("倍",),
    "岁": ("岁",),
    "吨": ("吨",),
    "公斤": ("公斤", "千克"),
    "千克": ("千克", "公斤"),
    # 多少个 asks for a count, which a passage may give with any counter ("15处避难场所").
    "个": ("个", "处", "家", "座", "所", "项", "条", "名", "人", "次", "批", "支", "台", "辆",
          "栋", "类", "种", "片"),
}
_UNITS = "|".join(sorted(set(UNIT_SPELLINGS) - {"个"}, key=len, reverse=True))
# 多少天, 几个小时, 几个月: the unit right after the question word (a 个 between is skipped);
# else 多少个 asks for a count. 几个 alone does not: 哪几个方面 asks for a list.
_ASKED = re.compile(rf"(?:多少|几)个?({_UNITS})|多少(个)")
# A number in digits or Chinese numerals, optionally with 个 / 多 / 余 before the unit
# ("三个月", "10多万元"); 万 / 千 / 百 as multipliers belong to the number. An ordinal
# ("第三十一条", "第一次") is not a quantity: the whole number must not follow 第.
_NUMBER = (r"(?<![第\d.一二两三四五六七八九十百千万半〇零])"
           r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千万半〇零]+)[个多余万千百]*")


def asked_unit(question: str) -> str | None:
    """The unit a question asks a quantity in ("多少天之内" → "天"), or None.

    Args:
        question: the question as typed.
    """
    match = _ASKED.search(normalize(question))
    return (match.group(1) or match.group(2)) if match else None


def states_quantity(text: str, unit: str) -> bool:
    """Whether a passage states some quantity in the unit (or a spelling of it).

    Args:
        text: the passage.
        unit: a key of UNIT_SPELLINGS, as asked_unit returns it.
    """
    spellings = "|".join(re.escape(normalize(s)) for s in UNIT_SPELLINGS[unit])  # ℃ → °c
    return re.search(rf"{_NUMBER}(?:{spellings})", normalize(text)) is not None
