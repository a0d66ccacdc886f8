"""Names of responsible units (责任单位): normalisation, list splitting and matching."""

from __future__ import annotations

import re
import unicodedata

# Endings of concrete organisation names: 区应急管理局, 海淀消防救援支队, 区城管指挥中心, …
UNIT_SUFFIXES = (
    "委员会", "办公室", "办事处", "指挥部", "管理处", "人民政府", "政府", "街道", "街镇", "乡镇",
    "局", "委", "办", "厅", "署", "院", "所", "站", "队", "中心", "公司", "集团", "分局",
    "单位", "部门", "机构", "部", "处", "科", "会",
)
# Stricter endings for units named in running prose ("X负责Y"): 部门/单位/机构 there are
# almost always generic ("有关部门负责…"), so they do not make a concrete unit.
CONCRETE_SUFFIXES = tuple(s for s in UNIT_SUFFIXES if s not in ("单位", "部门", "机构", "会"))
# Openings of generic phrases that name no particular unit.
GENERIC_PREFIXES = (
    "各", "相关", "有关", "其他", "其它", "本", "该", "所在", "上级", "下级", "县级", "市级",
    "区级", "省级", "乡级", "国家", "谁", "负有", "所属", "其", "同级", "主管", "属地",
)
# A trailing qualifier that distributes over both sides of 和: "区应急委和区安委会相关成员单位"
# means the member units of both committees, so it stays one unit.
_SHARED_QUALIFIER = re.compile(r"(相关|有关)?(成员单位|所属单位|下属单位|成员部门)$")
_TRAILING = re.compile(r"(等(相关|有关|其他)?(部门|单位|机构)?|[。.;:,、])+$")
_LEAD_MARK = re.compile(r"[(\[]\s*(牵头|主责|牵头单位|牵头部门)\s*[)\]]")
# Words that make a phrase a description rather than a name (县级以上…, 第五条国务院…).
_NOT_A_NAME = re.compile(r"的|以上|以下|负责|各级|应当|^第.{1,8}条")
_SPACE = re.compile(r"\s+")
# What may follow 等 without naming anything: 部门, 相关单位, 有关部门和单位, …
_GENERIC_TAIL = re.compile(r"^(相关|有关|其他|其它)?(部门|单位|机构)(和|及)?(单位|部门)?$")
_SEPARATORS = "、,;/"
_CONJUNCTIONS = ("以及", "和", "及", "与")
# Long-form and short-form spellings that people use interchangeably when asking.
_MATCH_ALIASES = (("委员会", "委"), ("办公室", "办"))


def normalize_unit(name: str) -> str:
    """Canonical spelling of a unit name.

    NFKC folds full-width forms ("（）" → "()", "，" → ","), spaces are removed and a trailing
    "等" / "等部门" / "等单位" is dropped, so "区卫生健康委等" and "区卫生健康委" are one unit.
    Group names such as 各街镇 and 相关街镇 are kept as written: they are different sets.

    Args:
        name: a unit name as written in a document or a question.

    Returns:
        The normalised name ("" if nothing is left).
    """
    s = _SPACE.sub("", unicodedata.normalize("NFKC", name))
    s = s.replace("【", "[").replace("】", "]")
    return _TRAILING.sub("", s)


def _match_key(name: str) -> str:
    key = normalize_unit(name)
    for long, short in _MATCH_ALIASES:
        key = key.replace(long, short)
    return key


def unit_matches(query: str, unit: str) -> bool:
    """Whether a unit named in a question refers to a stored unit.

    Both are normalised, then either must contain the other, so "城市管理委" and "区交通委"
    both find "区城市管理委(区交通委)". A one-character query matches nothing: "区" would
    otherwise match every district unit.

    Args:
        query: the unit as the user wrote it.
        unit: a stored (normalised) unit name.
    """
    q, u = _match_key(query), _match_key(unit)
    if len(q) < 2 or len(u) < 2:
        return False
    return q in u or u in q


def has_unit_suffix(name: str, suffixes: tuple[str, ...] = UNIT_SUFFIXES) -> bool:
    """Whether name ends like an organisation (a closing "(…)" alias is looked through)."""
    core = re.sub(r"\([^()]*\)$", "", name)
    return bool(core) and core.endswith(suffixes)


def looks_like_unit(name: str, *, strict: bool = False) -> bool:
    """Whether a phrase plausibly names one concrete responsible unit.

    Used for units found in running prose, where most subjects of 负责 are generic
    ("县级以上人民政府", "有关部门", "生产经营单位的主要负责人").

    Args:
        name: a normalised candidate.
        strict: require a concrete ending (局/委/办/支队/中心…, not 部门/单位).
    """
    if not 2 <= len(name) <= 30 or name.startswith(GENERIC_PREFIXES):
        return False
    if re.search(r"[^\u4e00-\u9fff()A-Za-z0-9]", name) or _NOT_A_NAME.search(name):
        return False
    return has_unit_suffix(name, CONCRETE_SUFFIXES if strict else UNIT_SUFFIXES)


def _split_top_level(text: str) -> list[str]:
    """Split at list separators that are not inside brackets: 区城市管理委(区交通委、…)."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        if ch in _SEPARATORS and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _split_conjunction(piece: str) -> list[str]:
    """Split "A和B" only when both sides are units: 区文化和旅游局 is one unit, not two."""
    for conj in _CONJUNCTIONS:
        idx = piece.find(conj)
        while idx > 0:
            left, right = piece[:idx], piece[idx + len(conj):]
            left_core = _cut_at_deng(left)
            if (right and has_unit_suffix(left_core) and not _SHARED_QUALIFIER.search(right)
                    and (right.startswith(GENERIC_PREFIXES) or has_unit_suffix(right))):
                return [left, *_split_conjunction(right)]
            idx = piece.find(conj, idx + 1)
    return [piece]


def _cut_at_deng(piece: str) -> str:
    """Cut at an 等 that closes a unit name: "区卫生健康委等部门" → "区卫生健康委".

    An 等 inside a word (高等学校) is kept because what precedes it is not a unit.
    """
    return _split_at_deng(piece)[0]


def _split_at_deng(piece: str) -> tuple[str, str]:
    """(unit before 等, descriptive group after it or "").

    "区应急管理局等负有安全生产执法检查职责的部门" names a set of departments of which
    区应急管理局 is one; the set is kept as a unit of its own, like 各街镇, while the bare
    "等部门" / "等相关单位" adds nothing and is dropped.
    """
    for m in re.finditer("等", piece):
        head = piece[:m.start()]
        if has_unit_suffix(head):
            tail = piece[m.end():]
            if len(_GENERIC_TAIL.sub("", tail)) < 2:
                tail = ""
            return head, tail
    return piece, ""


def parse_unit_list(text: str) -> tuple[list[str], int | None]:
    """Split a list of units as written after 责任单位 into normalised names.

    Separators are 、 , ， ; ； / (outside brackets) and 和/及/与 between two units; a
    trailing 等/等部门 is dropped ("…等部门和各街镇" gives …, 各街镇); duplicates are dropped.

    Args:
        text: e.g. "区城市管理委（区交通委）、海淀交通支队等，各街镇".

    Returns:
        The units in the document's order, and the index of the unit marked "(牵头)"
        (None when no unit carries that marker).
    """
    units: list[str] = []
    marked: int | None = None
    norm = _SPACE.sub("", unicodedata.normalize("NFKC", text))
    for raw in _split_top_level(norm):
        for piece in _split_conjunction(raw):
            is_lead = bool(_LEAD_MARK.search(piece))
            head, group = _split_at_deng(_LEAD_MARK.sub("", piece))
            for j, name in enumerate((normalize_unit(head), normalize_unit(group))):
                if not name or name in ("部门", "单位", "机构") or name in units:
                    continue
                units.append(name)
                if is_lead and j == 0 and marked is None:
                    marked = units.index(name)
    return units, marked
