"""Licences and certificates a question names, and passages about a different one (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import jieba

from ingest.chunking import heading_kind
from kb.tokenize import normalize

# A question about one licence is not answered by another's article: "职业卫生安全许可证的
# 有效期" is not "安全生产许可证的有效期为3年". The word that ends a credential's name; 照 is
# how people shorten 证 (驾照). A bare 证 must not be part of 证件, 证明, 证据, 证人, 证实,
# nor a verb's object (取证, 论证, 保证, 扣证, 领证, 持证 name no credential). A 合格证 is the
# mark of an inspection passed, which laws state as "检验合格" and its 有效期, not a licence.
_CREDENTIAL = re.compile(
    r"(许可证|资格证书|资格证|证书|执照|驾照|(?<![取论保验认查举凭签公辩考印见扣领办换发持无有格])证)"
    r"(?![件明据人实])")
# Words by which a passage names some particular licence or certificate, so it is about
# the asked one or another one. A bare "证" is not enough (持证上岗, 发证机关 name none).
_PASSAGE_HEADS = re.compile(r"许可证|证书|执照|驾驶证|合格证|资格证|登记证|操作证|资质证")
# Words that end a credential's name when reading back from its head: verbs done to a
# credential (领到的…, 吊销…, 出借…), question words (什么证) and particles.
_STOPS = frozenset(
    "的 了 个 之 和 与 及 或 把 将 被 对 凭 向 在 从 到 给 让 用 为 以 于 由 并 "
    "应当 应 可以 必须 按照 依照 依法 "
    "持 要持 需 需要 要 拿 拿到 领 领到 领取 取得 获得 "
    "申请 申领 报考 考 考取 办 办理 办好 持有 查 查验 核验 吊 吊销 扣 暂扣 出借 出租 转借 转让 "
    "伪造 变造 倒卖 涂改 冒用 使用 没有 没 没拿到 没取得 没办 未 无 有 换 换领 交回 收回 注销 "
    "颁发 核发 发 "
    "什么 哪 哪种 哪个 哪些 这个 那个 一个 本 该 其 此 原".split())
_MAX_NAME = 10  # characters before the head: a name, not a clause
# Characters allowed between two characters of the asked name where a passage writes it
# out in full: 安许证 in 安全生产许可证, 危化品 in 危险化学品, 零售许可证 in 经营（零售）许可证.
_GAP = 4


def credential_names(question: str) -> tuple[str, ...]:
    """The licences or certificates a question names (职业卫生安全许可证, 适任证, 驾照).

    A name needs at least two characters before its head: "什么证", "许可证" alone or
    "领到的证" name none.
    """
    q = normalize(question)
    names = []
    for m in _CREDENTIAL.finditer(q):
        stem = _stem(q[:m.start()])
        if len(stem) >= 2 or m.group(1) == "驾照":  # 驾照 is a name by itself
            names.append(stem + m.group(1))
    return tuple(dict.fromkeys(names))


def _stem(before: str) -> str:
    """The words of a credential's name just before its head (an article's number, as in
    "第十三条 许可证…", is none of them)."""
    words = []
    for word in reversed(list(jieba.cut(before[-_MAX_NAME - 4:]))):
        # A negated verb (没考, 未领) is no part of a name, whatever the verb.
        if word in _STOPS or word.endswith("了") or word.startswith(("没", "未")) \
                or not re.fullmatch(r"[\u4e00-\u9fff]+", word) or heading_kind(word) == "article":
            break
        if sum(map(len, words)) + len(word) > _MAX_NAME:
            break
        words.append(word)
    return "".join(reversed(words))


def _written_out(name: str) -> re.Pattern[str]:
    """A pattern finding name in a passage, also written out in full (驾照 → 机动车驾驶证)."""
    chars = [("[证照]" if c in "证照" else re.escape(c)) for c in name]
    return re.compile(f".{{0,{_GAP}}}".join(chars))


def other_credential(names: Sequence[str], text: str, document: str = "") -> bool:
    """Whether a passage is about another licence than every one the question names.

    True when the passage speaks of some licence or certificate and is not about_credential
    of the asked ones; a passage speaking of none is not judged.

    Args:
        names: credential_names of the question.
        text: the passage.
        document: the whole text of the passage's document ("" when not known).
    """
    return bool(names) and _speaks_of_one(text) and not about_credential(names, text, document)


def about_credential(names: Sequence[str], text: str, document: str = "") -> bool:
    """Whether a passage is about one of the asked licences.

    It names one, even written out in full or with its words apart; or it speaks of a licence
    bare ("许可证有效期为5年", as a regulation calls its own licence once it has named it, or
    when it never does) and its document holds the words of the asked name before its head
    (辐射安全许可证, asked of a regulation on 辐射安全 that only says 许可证).

    Args:
        names: credential_names of the question.
        text: the passage.
        document: the whole text of the passage's document ("" when not known).
    """
    if not names:
        return False
    t = _compact(text)
    if _names_any(names, t):
        return True
    if not _PASSAGE_HEADS.search(t) or names_a_credential(t):
        return False  # about no licence, or about another one it names
    whole = _compact(document)
    return any(len(stem := _CREDENTIAL.sub("", name)) >= 2 and stem in whole for name in names)


def names_a_credential(text: str) -> bool:
    """Whether a passage names some particular licence or certificate ("安全生产许可证",
    "《特种行业许可证》"), not only "许可证" bare, as a regulation calls its own licence
    once it has named it ("许可证有效期为5年" may be about any)."""
    t = _compact(text)
    return any(len(_stem(t[:m.start()])) >= 2 for m in _PASSAGE_HEADS.finditer(t))


def _speaks_of_one(text: str) -> bool:
    return _PASSAGE_HEADS.search(_compact(text)) is not None


def _compact(text: str) -> str:
    return "".join(normalize(text).split())


def _names_any(names: Sequence[str], text: str) -> bool:
    return any(_written_out(name).search(text) or _words_apart(name, text) for name in names)


def _words_apart(name: str, text: str) -> bool:
    """Every word of name is in text: 机动车驾驶证 in "机动车登记证书、号牌、行驶证、驾驶证"."""
    return all(word in text for word in jieba.cut(name))
