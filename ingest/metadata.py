"""Document metadata (title, issuer, dates, number, kind) read from a document's own text."""

from __future__ import annotations

import re

from ingest.clean import (
    normalize_for_match,
    normalize_newlines,
    strip_heading_marks,
    strip_web_chrome,
)
from ingest.numerals import cn_to_int
from ingest.pdftext import fix_pdf_text
from ingest.records import DocMeta, RawText

_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0}
_CN_NUM = "〇○零一二三四五六七八九十"
_DATE = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
    r"|(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)"
    rf"|([{_CN_NUM}]{{4}})年([{_CN_NUM}]{{1,3}})月([{_CN_NUM}]{{1,3}})日"
)
# 海政办发〔2020〕14号, 法释[2022]19号, 京政办发(2019)17号
_DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{1,12})\s*[〔\[［【(（]\s*(\d{4})\s*[〕\]］】)）]\s*第?\s*(\d{1,4})\s*号"
)
_ORDER_NUMBER = re.compile(  # 中华人民共和国国务院令第344号, 国家市场监督管理总局令第57号
    rf"((?:中华人民共和国)?[\u4e00-\u9fff]{{2,16}}?)令\s*(?:第\s*([\d{_CN_NUM}]+)\s*号)"
)


def _order(header: list[str]) -> re.Match[str] | None:
    """The order that promulgated the document (…令第N号), its dates blanked out first: a PDF
    may print "2008年12月1日中华人民共和国国务院令" with no space, and 日 is no issuer's."""
    return _ORDER_NUMBER.search(_DATE.sub(" ", "\n".join(header)))


_CONGRESS = re.compile(
    r"([\u4e00-\u9fff]{2,12}?(?:省|市|自治区|自治州|县|区))?第[一二三四五六七八九十]+届"
    r"(全国)?人民代表大会(常务委员会)?"
)
_ORG_SUFFIX = ("人民政府", "办公室", "办公厅", "委员会", "人民代表大会常务委员会", "局", "厅", "部",
               "总局", "署", "院", "中心", "管委会", "指挥部", "领导小组", "安委会", "公司")
# A place name opening a title: 北京市…条例 is a local regulation, 城市供水条例 is not.
_LOCAL_PREFIX = re.compile(
    r"北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南"
    r"|广东|海南|四川|贵州|云南|陕西|甘肃|青海|内蒙古|广西|西藏|宁夏|新疆"
    r"|[\u4e00-\u9fff]{2,5}?(?:省|市|自治区|自治州|县|经济特区)"
)
_COURTS = re.compile(r"(?:最高人民法院|最高人民检察院)(?:[、 ](?:最高人民法院|最高人民检察院))?")
# "X关于…" names its issuer X when X is an organisation: 国务院办公厅关于…的通知.
_TITLE_ISSUER = re.compile(
    r"([\u4e00-\u9fff]{0,20}?(?:国务院|人民政府|办公厅|办公室|委员会|部|总局|局|厅))关于"
)
_ENACTING = ("法", "条例", "规定", "办法", "细则", "规则", "解释", "决定")
# Kinds by the end of the title, most specific first.
_TITLE_KINDS = (
    ("实施方案", "实施方案"), ("工作方案", "方案"), ("方案", "方案"), ("应急预案", "预案"),
    ("预案", "预案"), ("规划", "规划"), ("纲要", "规划"), ("实施意见", "意见"), ("意见", "意见"),
    ("通知", "通知"), ("决定", "决定"), ("公告", "公告"), ("通告", "通告"), ("报告", "报告"),
    ("指南", "指南"), ("细则", "规范性文件"), ("办法", "规范性文件"), ("规定", "规范性文件"),
)
_MAX_TITLE = 80
_HEADER_LINES = 40  # where the title and adoption history of a document are
_TOP_LINES = 200  # where page metadata (发布时间, 文号 …) can be: after a long breadcrumb/menu


def extract_metadata_from_raw(raw: RawText, fallback_title: str) -> DocMeta:
    """Metadata of a document as read by read_file, before cleaning.

    Web pages keep their metadata table (文号 …) in the raw text; PDF text must be
    repaired first. Prefer this over extract_metadata(clean_text(raw)).

    Args:
        raw: text from ingest.loaders.read_file.
        fallback_title: title to use when the text has none (e.g. the file name).

    Returns:
        The metadata found.
    """
    text = normalize_newlines(raw.text)
    text = fix_pdf_text(text) if raw.fmt == "pdf" else text.replace("\f", "\n")
    if raw.fmt in ("docx", "html"):
        # Their heading marks come from styles and tags (ingest.loaders); the title is found
        # as in plain text, while a Markdown file's own "# " line is its title.
        text = strip_heading_marks(text)
    return extract_metadata(text, fallback_title, raw.title_hints)


def extract_metadata(text: str, fallback_title: str,
                     title_hints: tuple[str, ...] = ()) -> DocMeta:
    """Metadata taken from a document's content (raw or cleaned text).

    Title: a Markdown "# " title, else the first title-like line after web chrome. When
    that line is a notice that issues another document (…印发《X》的通知) and X appears as
    a line of its own, X is the title: the content is X, the notice is its wrapper.
    Dates are ISO yyyy-mm-dd. date_adopted is the LAST 通过/修订/修正/批准 date of the
    adoption history (it dates the version at hand); date_published the 公布/发布 date,
    else the 成文日期 or the date under the signature, else 发布时间/公开日期;
    date_effective the 施行 date (自…起施行; 自公布之日起施行 means the publication date).

    Args:
        text: the document text; web chrome may still be there.
        fallback_title: title to use when the text has none.
        title_hints: titles the file gives apart from its text (RawText.title_hints): the
            first that is a line of the text's top is the title.

    Returns:
        The metadata; fields not stated in the text are "".
    """
    text = normalize_newlines(text)
    lines = [ln.strip() for ln in text.split("\n")]
    header = _header(lines)
    title = _title(lines, title_hints) or fallback_title.strip()
    events = _history_events(header)
    published = _last(events, "published") or _published(lines)
    effective = _last(events, "effective") or _effective(text, published)
    issuer = _issuer(title, header, lines)
    return DocMeta(
        title=title,
        issuer=issuer,
        date_published=published,
        date_adopted=_last(events, "adopted"),
        date_effective=effective,
        doc_number=_doc_number(lines, header),
        kind=_kind(title, issuer, header),
    )


# --- dates -----------------------------------------------------------------------------


def parse_date(s: str) -> str:
    """The first date in s as ISO yyyy-mm-dd ("" if none or impossible).

    Accepts 2021年6月10日, 2021-12-31, 2021.12.31, 2021/12/31 and 二〇二〇年九月十四日.
    """
    for m in _DATE.finditer(s):
        if m.group(1):
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        elif m.group(4):
            y, mo, d = int(m.group(4)), int(m.group(5)), int(m.group(6))
        else:
            y = int("".join(str(_CN_DIGITS.get(c, 0)) for c in m.group(7)))
            mo, d = cn_to_int(m.group(8)) or 0, cn_to_int(m.group(9)) or 0
        if 1 <= mo <= 12 and 1 <= d <= 31 and 1900 <= y <= 2200:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    return ""


def _history_events(header: list[str]) -> list[tuple[str, str]]:
    """(event, date) pairs from the adoption history: each date and what follows it.

    History lines start with a date (or "（date" / "根据date"); a line can hold several
    events, each running from its date to the next one.
    """
    events = []
    for line in header:
        if not re.match(rf"[（(]?(?:根据)?\s*(?:{_DATE.pattern})", line):
            continue
        starts = [m.start() for m in _DATE.finditer(line)]
        for start, end in zip(starts, [*starts[1:], len(line)], strict=True):
            segment = line[start:end]
            date, m = parse_date(segment), _DATE.match(segment)
            after = segment[m.end():] if m else segment
            if "施行" in after and not re.search(r"自.{0,6}之日起?施行", after):
                events.append(("effective", date))
            elif re.search(r"公布|发布", after):
                events.append(("published", date))
                if re.search(r"自(?:公布|发布)之日起?施行", after):
                    events.append(("effective", date))
            elif re.search(r"通过|修订|修正|批准", after):
                events.append(("adopted", date))
    return events


def _last(events: list[tuple[str, str]], kind: str) -> str:
    return next((d for k, d in reversed(events) if k == kind and d), "")


def _published(lines: list[str]) -> str:
    """成文日期, else the date under a signature, else a 发布时间/公开日期 label."""
    top = lines[:_TOP_LINES]
    return (_labelled_date(top, "成文日期") or _signature(lines)[1]
            or _labelled_date(top, "发布时间|发布日期|公开日期|印发日期"))


def _labelled_date(lines: list[str], labels: str) -> str:
    """A date right after one of the labels (生成日期 … 公开日期 …: the 公开 one)."""
    pattern = re.compile(rf"(?:{labels})\s*[:：]?\s*(?=[\d{_CN_NUM}])")
    for line in lines:
        for m in pattern.finditer(line):
            if date := parse_date(line[m.end():m.end() + 20]):
                return date
    return ""


def _effective(text: str, published: str) -> str:
    """The date of 本法/本条例…自…起施行 (自公布之日 → the publication date)."""
    m = re.search(r"本(?:法|条例|规定|办法|细则|规则|解释|决定|方案|规划|意见|通知|预案|标准)"
                  r"自(.{0,24}?)起?(?:施行|实施|执行)", text)
    m = m or re.search(r"自(\d{4}年\d{1,2}月\d{1,2}日)起施行", text)
    if not m:
        return ""
    if re.search(r"(?:公布|发布|印发|颁布)之日", m.group(1)):
        return published
    return parse_date(m.group(1))


# --- title, issuer, number, kind --------------------------------------------------------


def _header(lines: list[str]) -> list[str]:
    """Lines before the body: up to <!-- INFO END -->, the first article, or 40 lines."""
    out = []
    for line in lines[:_HEADER_LINES]:
        if "INFO END" in line or re.match(r"第[一二三四五六七八九十百零]+条", line):
            break
        out.append(line)
    return out


def _title(lines: list[str], hints: tuple[str, ...] = ()) -> str:
    """A Markdown title, else a line the hints name, else the first title-like line (or the
    document a notice issues)."""
    for line in lines[:_HEADER_LINES]:
        if line.startswith("# "):
            return line[2:].strip()
    top = strip_web_chrome("\n".join(lines[:_TOP_LINES]))
    content = [ln.strip() for ln in top.split("\n") if ln.strip()]
    for hint in map(normalize_for_match, hints):
        named = next((ln for ln in content if normalize_for_match(ln) == hint), None)
        if named is not None and _is_title_like(named):
            return named
    title = next((ln for ln in content[:_HEADER_LINES] if _is_title_like(ln)), "")
    issued = _issued_title(title, content)
    return issued or title


def _is_title_like(line: str) -> bool:
    # "文号：…", "索引号：…": a labelled metadata line is not a title.
    return (len(line) <= _MAX_TITLE and not line.startswith(("<!--", "发布", "来源", "#"))
            and not re.match(r"[\u4e00-\u9fff]{2,6}[:：]", line)
            and line[-1] not in "。，；：,;:" and not _DATE.match(line)
            and not _is_org_line(line) and re.search(r"[\u4e00-\u9fff]{4}", line) is not None)


def _issued_title(title: str, content: list[str]) -> str:
    """X when title is a notice issuing 《X》 and X is also a line of the text."""
    if not title.endswith("通知") or not re.search(r"印发|转发|发布|颁布", title):
        return ""
    lines = {normalize_for_match(ln): ln for ln in content}
    for name in re.findall(r"《([^《》]{4,60})》", "\n".join(content[:_HEADER_LINES])):
        if normalize_for_match(name) in lines:
            return lines[normalize_for_match(name)]
    return ""


def _is_org_line(line: str) -> bool:
    line = line.strip()
    return (4 <= len(line) <= 30 and line.endswith(_ORG_SUFFIX)
            and re.fullmatch(r"[\u4e00-\u9fff（）()、 ]+", line) is not None)


def _issuer(title: str, header: list[str], lines: list[str]) -> str:
    joined = "\n".join(header)
    m = _COURTS.match(title)
    if m:
        return m.group(0).replace(" ", "、")
    m = _CONGRESS.search(joined)
    if m:
        place = m.group(1) or ""
        body = ("全国" if m.group(2) else "") + "人民代表大会" + (m.group(3) or "")
        return place + body
    m = _order(header)
    if m:
        return m.group(1).removeprefix("中华人民共和国")
    m = _TITLE_ISSUER.match(title)
    if m:
        return m.group(1)
    if re.search(r"国务院第\d+次常务会议", joined):
        return "国务院"
    return _signature(lines)[0]


def _signature(lines: list[str]) -> tuple[str, str]:
    """(organisation, ISO date) of a notice's signature: a name right above a date line."""
    content = [ln for ln in lines if ln]
    for prev, line in zip(content, content[1:], strict=False):
        if _is_org_line(prev) and _DATE.fullmatch(line.replace(" ", "")):
            return prev.strip(), parse_date(line)
    return "", ""


def _doc_number(lines: list[str], header: list[str]) -> str:
    """文号 from a metadata table, else a number alone on a line, else an order (…令第N号)."""
    for line in lines[:_TOP_LINES]:  # a 文号 field of a metadata table
        for label in re.finditer(r"(?:^|\s)(?:文号|发文字号)\s*[:：]?\s*", line):
            m = _DOC_NUMBER.match(line, label.end())
            if m:
                return _format_number(m)
    for line in lines[:_TOP_LINES]:  # the number printed alone under a title
        m = _DOC_NUMBER.fullmatch(line.replace(" ", ""))
        if m:
            return _format_number(m)
    m = _order(header)
    return m.group(0).replace(" ", "") if m else ""


def _format_number(m: re.Match[str]) -> str:
    return f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号"


def _kind(title: str, issuer: str, header: list[str]) -> str:
    """Legal rank for legislation (by issuer and title), else the type named by the title."""
    base = re.sub(r"[（(][一二三四五六七八九十\d]+[）)]$", "", title)  # …解释（二）
    local = _LOCAL_PREFIX.match(base) is not None
    if "最高人民法院" in issuer or "最高人民检察院" in issuer:
        return "司法解释" if "解释" in base or "规定" in base else "司法文件"
    if base.startswith("中华人民共和国") and base.endswith("法"):
        return "法律"
    if issuer.endswith(("人民代表大会", "人民代表大会常务委员会")):
        return "法律" if issuer.startswith("全国") else "地方性法规"
    if base.endswith("条例"):
        return "地方性法规" if local else "行政法规"
    if base.endswith(_ENACTING) and (issuer == "国务院" or base.startswith("国务院")):
        return "行政法规"
    if base.endswith(_ENACTING) and _order(header):
        return "地方政府规章" if issuer.endswith("人民政府") else "部门规章"
    for suffix, kind in _TITLE_KINDS:
        if base.endswith(suffix):
            return kind
    return ""
