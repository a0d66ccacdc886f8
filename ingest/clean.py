"""Pure text clean-up: web-page chrome, normalisation for matching; PDF text in ingest.pdftext."""

from __future__ import annotations

import re
import unicodedata

from ingest.records import HEADING_MARK, RawText

# ---------------------------------------------------------------------------
# Shared character classes

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
FULLWIDTH_ALNUM = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},
    **{0xFF21 + i: ord("A") + i for i in range(26)},
    **{0xFF41 + i: ord("a") + i for i in range(26)},
}


def is_wide(c: str) -> bool:
    """CJK ideographs, CJK punctuation, fullwidth forms: text that takes no spaces."""
    o = ord(c)
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFE30 <= o <= 0xFE4F
            or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x3FFFF
            or c in "—…‘’“”·")


def normalize_for_match(text: str) -> str:
    """NFKC-normalise and remove all whitespace (and zero-width characters).

    Used to compare or look up text whatever its width, spacing or line breaks; the
    original text is kept for display.

    Args:
        text: any text.

    Returns:
        The normalised text.
    """
    text = unicodedata.normalize("NFKC", text.translate(_ZERO_WIDTH))
    return re.sub(r"\s+", "", text)


def clean_text(raw: RawText) -> str:
    """Clean extracted text for storage and display, according to its format.

    PDF text is repaired with fix_pdf_text; other formats lose web-page chrome
    (harmless for Markdown and DOCX). Then: line endings normalised, zero-width
    characters removed, each line stripped (leading indentation, ASCII or full-width,
    carries no meaning once paragraphs are lines), runs of blank lines collapsed to one.

    Args:
        raw: text from ingest.loaders.read_file.

    Returns:
        The cleaned text, without leading or trailing blank lines.
    """
    from ingest.pdftext import fix_pdf_text  # ingest.pdftext builds on this module

    text = normalize_newlines(raw.text).translate(_ZERO_WIDTH)
    if raw.fmt == "pdf":
        text = fix_pdf_text(text)
    else:
        text = strip_web_chrome(text.replace("\f", "\n"))
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")


def normalize_newlines(text: str) -> str:
    """Turn CRLF, CR and Unicode line/paragraph separators into "\\n" (form feeds kept)."""
    return re.sub(r"\r\n?|[\u2028\u2029\x85\v]", "\n", text)


# ---------------------------------------------------------------------------
# Web chrome

# Whole lines that are navigation, toolbars or footers on government sites. A line is
# dropped only if ALL of it is made of such words (see _is_chrome_line).
_CHROME_WORDS = frozenset("""
首页 网站首页 返回首页 回到首页 信息公开大厅 政务公开 政府信息公开 查看目录信息 目录信息
移动版 手机版 电脑版 无障碍 无障碍浏览 长者模式 关怀版 适老化 繁體 繁体 简体 English
登录 注册 搜索 高级搜索 站内搜索 打印 打印本页 打印此页 打印正文 关闭 关闭窗口 关闭本页
收藏 加入收藏 设为首页 分享 分享到 返回顶部 顶部 TOP 网站地图 站点地图 联系我们 相关链接
友情链接 字号 字体 大 中 小 默认 纠错 我要纠错 扫一扫 微信 微博 二维码 主站 办事服务
互动交流 政民互动 新闻中心 数据开放 专题专栏 公众参与 返回 上一页 下一页 视力保护色 >> > » ->
""".split())
# Lines starting like this are page chrome wherever they are (the rest of the line is
# a breadcrumb, a counter, a site owner...).
_CHROME_PREFIX = re.compile(
    r"(?:当前位置|您现在的位置|您的位置|您当前的位置|所在位置|当前所在位置)\s*[:：]"
    r"|(?:首页|网站首页)\s*(?:>|->|》|»|/|＞)"
    r"|(?:字号|【?字体|浏览次数|阅读次数|访问次数|点击数|点击量|分享到|责任编辑|上一篇|下一篇)\s*[:：]"
    r"|(?:友情链接|相关链接|今天是)\s*[:：]|欢迎(?:访问|光临|来到)"
    r"|(?:政府)?网站标识码|\S{0,12}ICP\s*备|\S{0,12}公网安备|版权所有|Copyright|©"
    r"|(?:技术支持|网站维护|运行维护|维护单位)\s*[:：]"
    r"|(?:扫一扫|手机扫描|用手机扫描|微信扫一扫)"
    r"|(?:建议|推荐)(?:使用|采用).{0,40}(?:浏览器|分辨率)",
    re.IGNORECASE,
)
# More footer lines, dropped only at the very end of the text: in the body, a line
# like "主办：区应急管理局" belongs to an event notice.
_FOOTER_TAIL = re.compile(
    r"(?:主办|承办|协办|联办|主管|主办单位|承办单位|协办单位|主管单位)\s*[:：]"
    r"|(?:网站地址|网站声明|隐私声明|联系我们|网站地图|地址)\s*[:：]?"
    r"|.{0,40}(?:邮编|邮政编码)\s*[:：]\s*\d{6}"
)
_LOGO = re.compile(r".{0,12}logo", re.IGNORECASE)
# The toolbar a page puts at the end of its 发布时间/来源 line ("发布时间：2017-10-07 来源：
# 办公室 字号：[大 中 小] 打印本页", "… 浏览次数：12"): cut from 字号/字体 or the counter on.
_TOOLBAR_TAIL = re.compile(
    r"\s+[【\[]?(?:(?:字号|字体)\s*[:：]?\s*[【\[(（]?\s*大\s*中\s*小"
    r"|(?:浏览次数|阅读次数|访问次数|点击数|点击量|分享到)\s*[:：]).*$")
# Keys of the metadata table that government "信息公开" pages put above a document.
_TABLE_KEYS = re.compile(
    r"(?:索引号|信息名称|名称|生成日期|公开日期|成文日期|发布日期|发布机构|发文机关|发文机构|关键词|主题词"
    r"|公开类型|公开方式|公开范围|公开时限|公开形式|文号|发文字号|载体类型|记录形式|内容概述|信息有效性|有效性"
    r"|所属目录|主题分类|体裁分类|组配分类|服务对象|信息分类|公文种类|备注|附件|公开责任部门|责任部门)"
    r"(?:\s|[:：]|$)"
)
# Keys that only such a table has (附件, 备注, 关键词 also start body lines).
_TABLE_CORE = re.compile(
    r"(?:索引号|信息名称|生成日期|公开日期|成文日期|发布机构|发文机关|发文机构|公开类型|公开方式|公开范围"
    r"|公开形式|文号|发文字号|载体类型|记录形式|信息有效性|所属目录|主题分类|体裁分类|公开责任部门)"
)
_MAX_CHROME_LINE = 120  # chrome lines are short; long lines are body text
_MAX_MENU_ITEM = 8
_MAX_TABLE_LINE = 200  # a metadata row can carry a long document title
_TABLE_GAP = 2  # at most this many other lines between rows of one metadata table
_TABLE_MIN_ROWS = 3
_TABLE_MIN_CORE = 2


def _is_chrome_line(line: str) -> bool:
    """Whether one stripped, non-empty line is navigation, toolbar or footer chrome."""
    if len(line) > _MAX_CHROME_LINE:
        return False
    if _CHROME_PREFIX.match(line) or _LOGO.fullmatch(line):
        return True
    tokens = [t.strip("【】[]()（）|｜·•") for t in re.split(r"[\s|｜/]+", line)]
    tokens = [t for t in tokens if t]
    if tokens and all(t in _CHROME_WORDS for t in tokens):
        return True
    # A menu bar: short link words between bars ("首页 | 政务公开 | 法规文件 | 办事服务"), some
    # of them known chrome; the site's own section names (法规文件) vary too much to list.
    items = [t.strip() for t in re.split(r"[|｜]", line)]
    return (len(items) >= 3 and all(0 < len(t) <= _MAX_MENU_ITEM for t in items)
            and sum(t in _CHROME_WORDS for t in items) >= 2)


def strip_web_chrome(text: str) -> str:
    """Drop the chrome that pages scraped from government sites carry.

    Removed: whole lines of navigation/toolbar words (首页, 信息公开大厅, 打印本页, 关闭窗口, ...),
    breadcrumbs (当前位置:首页->...), logos, footer lines (网站标识码, ICP备, 公网安备, 版权所有,
    ...), the footer block ending the text (主办:, 承办:, 地址, ... — only at the end, since
    "主办：…" can be body text), and the "信息公开" metadata table (索引号, 信息名称, 文号, ...
    — only where rows stand together, so a body line like "附件：..." stays). Body text is
    safe: patterns match whole short lines or line starts, never words mid-sentence.

    Kept on purpose: 发布时间/来源 lines, which tell the reader (and extract_metadata) when
    and where the document was published; a font-size toolbar at their end (字号：[大 中 小]
    打印本页) is cut off.

    Args:
        text: text with "\\n" line breaks.

    Returns:
        The text without chrome lines; other lines are unchanged but for a toolbar cut off
        their end, and runs of blank lines left behind are reduced to one. Idempotent.
    """
    lines = text.split("\n")
    keep = not_chrome(lines)
    out: list[str] = []
    for line, kept in zip(lines, keep, strict=True):
        if not kept:
            continue
        if len(line) <= _MAX_CHROME_LINE:
            line = _TOOLBAR_TAIL.sub("", line)
        if not line.strip() and out and not out[-1].strip():
            continue  # a blank line already ends the previous paragraph
        out.append(line)
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


def strip_heading_marks(text: str) -> str:
    """The text without its lines' heading marks ("## 第一章 总则" → "第一章 总则")."""
    return "\n".join(HEADING_MARK.sub("", line.strip()) if HEADING_MARK.match(line.strip())
                     else line for line in text.split("\n"))


def not_chrome(lines: list[str]) -> list[bool]:
    """Which lines are not web-page chrome (see strip_web_chrome)."""
    # A page's headings are marked "## " (ingest.loaders); a marked menu is still a menu.
    keep = [not _is_chrome_line(HEADING_MARK.sub("", line.strip())) for line in lines]
    for i in [*_metadata_table_rows(lines, keep), *_menu_items(lines)]:
        keep[i] = False
    for i in reversed(range(len(lines))):  # the footer block at the end
        stripped = lines[i].strip()
        if keep[i] and stripped and not (len(stripped) <= _MAX_CHROME_LINE
                                         and _FOOTER_TAIL.match(stripped)):
            break
        keep[i] = False
    return keep


# A menu has at least this many items (ingest.loaders reads a list of links the same way).
MENU_MIN_ITEMS = 3


def _menu_items(lines: list[str]) -> list[int]:
    """Indexes of the items of a menu laid out one per line (a page's <li> links).

    A run of short lines (at most _MAX_MENU_ITEM characters, no punctuation, not an author's
    marked heading) holding at least MENU_MIN_ITEMS items, two of them known chrome words
    (首页, 政务公开 …): the site's own section names between the first and the last of those
    (机构设置, 法律法规) go with them. A short line after the menu (a title) stays.
    """
    out: list[int] = []
    run: list[int] = []
    for i, line in enumerate([*lines, ""]):
        stripped = line.strip()
        if stripped and len(stripped) <= _MAX_MENU_ITEM and not HEADING_MARK.match(stripped) \
                and not re.search(r"[，。；：:,;、]", stripped):
            run.append(i)
            continue
        known = [j for j in run if lines[j].strip() in _CHROME_WORDS]
        if len(run) >= MENU_MIN_ITEMS and len(known) >= 2:
            out.extend(range(known[0], known[-1] + 1))
        run = []
    return out


def _metadata_table_rows(lines: list[str], keep: list[bool]) -> list[int]:
    """Indexes of the rows of metadata tables.

    A table is >= 3 key rows (索引号 …, 文号 …) with at most 2 other lines between them,
    >= 2 of them with keys only such tables have. A line ending in 。 is a sentence.
    """
    clusters: list[list[int]] = []
    gap = _TABLE_GAP + 1
    for i, line in enumerate(lines):
        if not keep[i] or not line.strip():
            continue  # dropped or blank lines neither extend nor break a table
        if _is_table_row(line.strip()):
            if gap > _TABLE_GAP:
                clusters.append([])
            clusters[-1].append(i)
            gap = 0
        else:
            gap += 1
    return [i for rows in clusters
            if len(rows) >= _TABLE_MIN_ROWS
            and sum(1 for j in rows
                    if _TABLE_CORE.match(_unspaced_key(lines[j].strip()))) >= _TABLE_MIN_CORE
            for i in rows]


def _is_table_row(line: str) -> bool:
    return (len(line) <= _MAX_TABLE_LINE and not line.endswith("。")
            and _TABLE_KEYS.match(_unspaced_key(line)) is not None)


def _unspaced_key(line: str) -> str:
    """A table row with its key's spacing taken out ("文　　号 …" → "文号 …")."""
    return re.sub(r"^([\u4e00-\u9fff])[ \t\u3000]+([\u4e00-\u9fff])(?=[ \t\u3000:：])",
                  r"\1\2", line)
