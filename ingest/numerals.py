"""Chinese numerals below 10000, as laws write them (pure): 一百零五 ↔ 105."""

from __future__ import annotations

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NAMES = "零一二三四五六七八九"


def cn_to_int(text: str) -> int | None:
    """Value of a Chinese numeral below 10000 (``一百零五`` → 105); None if it is not one."""
    if not text:
        return None
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0:
                return None  # two digits in a row (一二) is not a numeral
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def int_to_cn(value: int) -> str:
    """Chinese numeral for 0 ≤ value < 10000, as laws write it (十五, 一百零五, 二千)."""
    if value == 0:
        return "零"
    if 10 <= value < 20:
        return "十" + (_CN_NAMES[value % 10] if value % 10 else "")
    out, zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = value // unit % 10
        if digit:
            if zero and out:
                out += "零"
            out += _CN_NAMES[digit] + name
            zero = False
        else:
            zero = True
    return out
