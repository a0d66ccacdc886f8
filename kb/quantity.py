"""Questions that ask for a quantity in a unit (多少天, 几年), and passages that state one."""

from __future__ import annotations

import re

from kb.tokenize import normalize

MONEY = "金额"  # how much money: a sum, a multiple of one, or a share (see states_quantity)
SHARE = "比例"  # a share (10%, 百分之十, 十分之一), not a unit of measure
WEIGHT = "重量"  # how heavy (多重): in 吨, 公斤, 千克 or 克
AREA = "面积"  # how large an area (多大面积): in 平方米, 平方公里, 公顷 or 亩
# A unit a question may ask for, with the spellings a passage may state it in: a question
# asking 多少天 is answered by "三十日内", one asking 几个小时 by "4小时". Units of measure,
# and 个 only after 多少 (see _ASKED): 几个方面 or 哪几项 ask for a list, not a number.
UNIT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "年": ("年",),
    "月": ("月",),
    "周": ("周", "星期"),
    "天": ("天", "日", "工作日"),  # 多少天内答复 → "5个工作日内"
    "日": ("日", "天", "工作日"),
    "工作日": ("工作日", "日"),
    "小时": ("小时", "时"),
    "分钟": ("分钟",),
    "度": ("度", "℃"),
    "米": ("米", "公里", "千米"),
    "平方米": ("平方米", "㎡"),
    "公里": ("公里", "千米"),
    "人": ("人", "名"),
    "名": ("名", "人"),
    "次": ("次",),
    "元": ("元",),
    MONEY: ("元", "倍"),  # "二万元以上", "违法所得一倍以上五倍以下"
    "万元": ("元",),
    "倍": ("倍",),
    "岁": ("岁",),
    "学时": ("学时", "课时"),  # 安全培训不少于多少学时
    "课时": ("课时", "学时"),
    "层": ("层",),
    "分贝": ("分贝", "db"),
    "厘米": ("厘米", "毫米"),
    "毫米": ("毫米", "厘米"),
    "立方米": ("立方米", "m3", "m³"),
    "千瓦": ("千瓦", "kw"),
    "平方公里": ("平方公里",),
    "公顷": ("公顷",),
    AREA: ("平方米", "㎡", "平方公里", "公顷", "亩"),
    "吨": ("吨",),
    WEIGHT: ("吨", "公斤", "千克", "克"),
    "公斤": ("公斤", "千克"),
    "千克": ("千克", "公斤"),
    # 多少个 asks for a count, which a passage may give with any counter ("15处避难场所").
    "个": ("个", "处", "家", "座", "所", "项", "条", "名", "人", "次", "批", "支", "台", "辆",
          "栋", "类", "种", "片"),
}
_SHARE = re.compile(r"\d[%‰]|[百千]分之|[一二三四五六七八九十\d]分之[一二三四五六七八九十\d]")
_UNITS = "|".join(sorted(set(UNIT_SPELLINGS) - {"个"}, key=len, reverse=True))
# 多少天, 几个小时, 几个月: the unit right after the question word (a 个 between is skipped);
# else 多少个 asks for a count. 几个 alone does not: 哪几个方面 asks for a list, and 哪几天
# which days (a date or a season), not how many.
_ASKED = re.compile(rf"(?:多少|(?<!哪)几)个?({_UNITS})|多少(个)")
# Questions that name no unit but ask for one: how far (多远, 多高) is a distance, how much
# money (多少钱, 罚多少) an amount (MONEY).
_ASKED_IMPLIED = (
    # 百分之几, 多大比例, 比例最低是多少: a share, stated as 10%, 百分之十 or 十分之一.
    (re.compile(r"百分之(?:几|多少)|多少个?百分点|百分比|多[少大]比例"
                r"|比例[^，,。;；?？]{0,4}(?:多少|几)"), SHARE),
    (re.compile(r"多[远高深宽]"), "米"),
    # 判多重, 罚得多重: how severe a sentence or penalty is, not a weight.
    (re.compile(r"(?<![判罚刑])(?<!判得)(?<!罚得)多重|多大重量|重量是多少"), WEIGHT),
    (re.compile(r"多大(?:的)?面积|面积[^，,。;；?？]{0,4}(?:多少|多大)"), AREA),
    (re.compile(r"多少钱|[罚赔缴付花][款偿]?多少|多少(?:罚款|赔偿|费用)"), MONEY),
)
# A calendar date ("2013年7月18日", "2035年", "二〇二一年六月", "7月18日") is not a quantity:
# asked 多少个月, "7月18日" does not answer.
_YEAR_NUMBER = r"(?:19|20)\d{2}|[一二][〇零一二三四五六七八九]{3}"
_YEAR = rf"(?<!\d)(?:{_YEAR_NUMBER})年"  # not the end of a longer number ("91900年")
_DAY = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_DATE = re.compile(rf"{_YEAR}(?:{_DAY}月(?:{_DAY}日)?)?|{_DAY}月{_DAY}日")
MONTH_DAY = re.compile(rf"{_DAY}月{_DAY}[日号]")  # a day of the year: "11月9日"
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
    question = normalize(question)
    match = _ASKED.search(question)
    if match:
        return match.group(1) or match.group(2)
    return next((unit for cue, unit in _ASKED_IMPLIED if cue.search(question)), None)


def states_quantity(text: str, unit: str) -> bool:
    """Whether a passage states some quantity in the unit (or a spelling of it).

    Args:
        text: the passage.
        unit: a key of UNIT_SPELLINGS or SHARE, as asked_unit returns it.
    """
    if unit in (SHARE, MONEY) and _SHARE.search(normalize(text)):
        return True
    if unit == SHARE:
        return False
    spellings = "|".join(re.escape(normalize(s)) for s in UNIT_SPELLINGS[unit])  # ℃ → °c
    text = _DATE.sub(" ", normalize(text))
    return re.search(rf"{_NUMBER}(?:{spellings})", text) is not None


# Money paid to someone (a reward, an allowance, a fee): a fine is not what is asked, so only
# a statement naming the same payment answers "举报有功能拿到多少钱的奖励".
_PAYMENT = re.compile(r"奖励|奖金|补贴|津贴|补助|补偿|赔偿|工资|工本费|起步费|收费|费用")


def asked_payment(question: str) -> str | None:
    """The payment a question asks the amount of ("多少钱的奖励" → "奖励"), or None; a
    question about a fine (罚) asks none."""
    match = _PAYMENT.search(question)
    return match.group(0) if match and "罚" not in question else None


# How long (多久, 多长时间, 期限): answered by a duration in any unit of time, not by a date.
_ASKS_DURATION = re.compile(r"多久|多长时间|多少时间|期限|时限")
_DURATION = re.compile(rf"{_NUMBER}(?:工作日|小时|分钟|年|个?月|周|星期|日|天)")


def asks_duration(question: str) -> bool:
    """Whether a question asks how long (多久, 多长时间内, 期限是多少)."""
    return _ASKS_DURATION.search(normalize(question)) is not None


def states_duration(text: str) -> bool:
    """Whether a text states a duration ("30日内", "六个月", "1小时"); dates do not count."""
    return _DURATION.search(_DATE.sub(" ", normalize(text))) is not None


# A year named: "2025年", the "2021" of "2021—2025年", "二〇二五年"; not part of a longer
# number, nor a 文号's "〔2020〕".
_NAMED_YEAR = re.compile(rf"(?<![\d〔\[])(?:{_YEAR_NUMBER})(?![\d〕\]])")
_YEAR_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def years(text: str) -> set[str]:
    """The years text names, as four digits."""
    return {m.group().translate(_YEAR_DIGITS) for m in _NAMED_YEAR.finditer(normalize(text))}


def year_fit(question: str, text: str) -> int:
    """+1 when text names a year the question names ("到2025年要做到什么程度" → "到2025年,…");
    -1 when it names years and none of them ("到2035年,…"); 0 otherwise."""
    asked, named = years(question), years(text)
    if not asked or not named:
        return 0
    return 1 if asked & named else -1
