"""Tests for ingest.clean and ingest.pdftext: web chrome, PDF repair (against the real law), normalisation."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ingest.clean import clean_text, normalize_for_match, strip_web_chrome
from ingest.loaders import read_file
from ingest.metadata import extract_metadata_from_raw
from ingest.pdftext import fix_pdf_text
from ingest.records import RawText

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
REAL_PDF = CORPUS / "pdf" / "中华人民共和国安全生产法（2021年6月修订）.pdf"
LAW_MD = CORPUS / "中华人民共和国安全生产法.md"
NUM = "一二三四五六七八九十百零"
ARTICLE = re.compile(rf"^(第[{NUM}]+条)[ 　]?(.*?)(?=^第[{NUM}]+[条章节]|^#|\Z)", re.M | re.S)


@cache
def cleaned_pdf() -> str:
    return clean_text(read_file(REAL_PDF))


def articles(text: str) -> dict[str, str]:
    """Article number → article text with all whitespace removed (NFKC)."""
    found: dict[str, str] = {}
    for m in ARTICLE.finditer(text):
        found.setdefault(m.group(1), normalize_for_match(m.group(2)))
    return found


# --- normalize_for_match / clean_text basics ------------------------------------------


def test_normalize_for_match() -> None:
    assert normalize_for_match("第一条　为了\n（一）ＡＢ１ 2\u200b，") == "第一条为了(一)AB12,"


def test_clean_text_normalises_lines() -> None:
    raw = RawText("  标题  \r\n\r\n\r\n\r\n\u3000\u3000第一段。\r第二段。\u2028\n\n\n", "txt")
    assert clean_text(raw) == "标题\n\n第一段。\n第二段。"


def test_clean_text_markdown_is_kept() -> None:
    text = LAW_MD.read_text(encoding="utf-8")
    cleaned = clean_text(RawText(text, "md"))
    assert cleaned.startswith("# 中华人民共和国安全生产法\n")
    assert normalize_for_match(cleaned) == normalize_for_match(text)


# --- web chrome -----------------------------------------------------------------------

HAIDIAN_CHROME = ["小logo", "信息公开大厅", "当前位置", "查看目录信息", "索引号", "信息名称",
                  "生成日期", "关键词", "公开类型", "载体类型", "记录形式", "公开形式", "内容概述",
                  "信息有效性", "备注", "附件 海政办发", "移动版", "主办:", "承办:", "网站标识码",
                  "京公网安备", "京ICP备"]


def test_haidian_page_loses_chrome_keeps_body() -> None:
    cleaned = clean_text(read_file(CORPUS / "004_d3794485e0af9f99.txt"))
    lines = cleaned.split("\n")
    for chrome in HAIDIAN_CHROME:
        assert not any(line.startswith(chrome) for line in lines), chrome
    assert lines[0] == "北京市海淀区人民政府办公室印发本区关于推进城市安全发展实施方案的通知"
    assert "海淀区关于推进城市安全发展的实施方案" in lines
    assert "北京市海淀区人民政府办公室" in lines and "2020年9月14日" in lines
    assert sum(line.startswith("责任单位:") for line in lines) == 30
    assert lines[-1].startswith("(四)强化示范引领和宣传动员。")


def test_xicheng_page_loses_footer_keeps_date() -> None:
    cleaned = clean_text(read_file(CORPUS / "000_ab22a65680ef1640.txt"))
    lines = cleaned.split("\n")
    assert lines[:2] == ["西城区“十四五”时期安全生产规划", "发布时间:2021-12-31"]
    assert lines[-1].startswith("建立完善规划实施情况的激励约束机制")
    assert "ICP" not in cleaned and "主办:" not in cleaned


OTHER_SITE = """\
无障碍 | 长者模式 | 繁體 | English
网站首页 > 政务公开 > 通知公告
您现在的位置：首页 > 政务公开 > 通知公告
关于开展安全生产月活动的通知
发布日期：2023-05-20  来源：区应急管理局
【字体：大 中 小】 【打印】 【关闭】
各街道：
本次活动由区政府主办，主办：这一行是正文，因为“主办”不在行首。
主办单位：区应急管理局
主办：区应急管理局
位置：某区某路1号
附件：1.活动方案
2.报名表
上一篇：关于做好汛期安全工作的通知
下一篇：无
扫一扫在手机打开当前页
Copyright © 2023 某区人民政府 版权所有
主办单位：某区人民政府办公室  地址：某区某路1号  邮编：100000
技术支持：某某科技有限公司
建议使用1920×1080分辨率，IE10以上浏览器
"""


def test_strip_web_chrome_generic_site() -> None:
    assert strip_web_chrome(OTHER_SITE).split("\n") == [
        "关于开展安全生产月活动的通知",
        "发布日期：2023-05-20  来源：区应急管理局",
        "各街道：",
        "本次活动由区政府主办，主办：这一行是正文，因为“主办”不在行首。",
        "主办单位：区应急管理局",
        "主办：区应急管理局",
        "位置：某区某路1号",
        "附件：1.活动方案",
        "2.报名表",
    ]


def test_metadata_keys_in_body_are_kept_unless_they_form_a_table() -> None:
    body = "附件：应急预案\n\n备注：以上时间为北京时间。\n\n关键词 很重要的一句话。\n正文继续。"
    assert strip_web_chrome(body) == body


def test_strip_web_chrome_is_idempotent_on_samples() -> None:
    for name in ("000_ab22a65680ef1640.txt", "004_d3794485e0af9f99.txt"):
        once = strip_web_chrome(read_file(CORPUS / name).text)
        assert strip_web_chrome(once) == once


# --- PDF ------------------------------------------------------------------------------


def test_pdf_articles_match_the_markdown_law() -> None:
    pdf, md = articles(cleaned_pdf()), articles(LAW_MD.read_text(encoding="utf-8"))
    assert len(md) == 119
    for number in ("第一条", "第三条", "第二十一条", "第五十三条", "第九十五条", "第一百一十四条",
                   "第一百一十九条"):
        assert pdf[number] == md[number], number
    assert pdf == md  # every article, word for word


def test_pdf_structure_is_one_unit_per_line() -> None:
    lines = cleaned_pdf().split("\n")
    assert lines[0] == "中华人民共和国安全生产法"
    assert lines[1].startswith("（2002年6月29日第九届全国人民代表大会常务委员会")
    assert lines[1].endswith("第三次修正）")
    assert "第二章 生产经营单位的安全生产保障" in lines
    start = lines.index("第二十一条 生产经营单位的主要负责人对本单位安全生产工作负有下列职责：")
    assert lines[start + 1].startswith("（一）建立健全并落实本单位全员安全生产责任制，")
    assert lines[start + 7] == "（七）及时、如实报告生产安全事故。"
    assert lines[-1] == "第一百一十九条 本法自2002年11月1日起施行。"


def test_pdf_page_furniture_is_gone() -> None:
    text = cleaned_pdf()
    assert "公报" not in text
    assert not re.search(r"^[\d\s—·-]*$", text, re.M)
    unlabelled = re.sub(r"^第[一二三四五六七八九十百零]+[章条] ", "", text, flags=re.M)
    assert not re.search(r"[\u4e00-\u9fff，。、] [\u4e00-\u9fff，。、]", unlabelled)  # spaced-out
    assert not re.search(r"^[，。、；：）]", text, re.M)  # no punctuation starting a line


def test_fix_pdf_text_synthetic_pages() -> None:
    footer = ["—", "{n}", "—", "　", "某某公报", "2021", "·", "5"]
    pages = [
        ["第一条", "　", "本法第", "十五条", "、", "第十六条", "规 定 的 事 项", "，", "自",
         "２００２"],
        ["年", "１１", "月", "１", "日", "起施行", "。", "第二条", "　", "下列职责", "：",
         "（", "一", "）", "甲", "；", "1．乙", "。"],
        ["- 3 -", "一、", "总体 要求", "（1）丙", "。", "English words", "continue here"],
    ]
    text = "\f".join("\n".join([*page, *(f.format(n=n) for f in footer)])
                     for n, page in enumerate(pages, start=1))
    assert fix_pdf_text(text).split("\n") == [
        "第一条 本法第十五条、第十六条规定的事项，自2002年11月1日起施行。",
        "第二条 下列职责：",
        "（一）甲；",
        "1．乙。",
        "一、总体要求",
        "（1）丙。English words continue here",
    ]


def test_fix_pdf_text_keeps_running_text_that_only_looks_like_structure() -> None:
    text = "依照本法\n第九十条\n规定处罚，对\n第二章\n的规定\n1\n倍"
    assert fix_pdf_text(text) == "依照本法第九十条规定处罚，对第二章的规定1倍"


# --- properties -----------------------------------------------------------------------

FORMATS = st.sampled_from(["txt", "md", "html", "pdf", "docx"])


@settings(max_examples=300, deadline=None)
@given(st.text(), FORMATS)
def test_cleaning_never_crashes(text: str, fmt: str) -> None:
    assert isinstance(clean_text(RawText(text, fmt)), str)
    assert isinstance(fix_pdf_text(text), str)
    assert isinstance(strip_web_chrome(text), str)
    assert isinstance(normalize_for_match(text), str)


# Characters of laws and of PDF damage, but none that make a page-number line (—, -, /, 页).
PDF_CHARS = "第一二三十条章节、（）()。，；：年月日法本安全生产１２0123.．ab \u3000\n"
FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=PDF_CHARS, max_size=300))
def test_fix_pdf_text_loses_no_character(text: str) -> None:
    def visible(s: str) -> str:
        return re.sub(r"\s+", "", s.translate(FULLWIDTH))

    assert visible(fix_pdf_text(text)) == visible(text)


def test_fix_pdf_text_drops_only_page_furniture() -> None:
    """The one exception to 'no character lost', on a plain two-page text."""
    text = "正文第一页\n3\f正文第二页\n4\f正文第三页\n第 5 页 共 9 页\f2002\n年正文"
    assert fix_pdf_text(text) == "正文第一页正文第二页正文第三页2002年正文"


CHROME_TEXT = st.lists(
    st.sampled_from(["首页", "打印本页", "索引号 1", "文号 2", "备注", "正文。", "", "  ",
                     "主办:某某", "京ICP备1号", "附件：表", "地址：某路", "第一条 内容。",
                     "来源：某局 字号：大 中 小", "来源：某局 浏览次数：3"])
    | st.text(max_size=20),
    max_size=30,
).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(CHROME_TEXT)
def test_strip_web_chrome_is_idempotent(text: str) -> None:
    once = strip_web_chrome(text)
    assert strip_web_chrome(once) == once


@settings(max_examples=200, deadline=None)
@given(CHROME_TEXT)
def test_strip_web_chrome_only_removes_whole_lines(text: str) -> None:
    """Lines are dropped whole, or lose only a toolbar at their end (字号：大 中 小 …)."""
    kept = strip_web_chrome(text).split("\n")
    assume(kept != [""])
    lines = iter(text.split("\n"))
    assert all(any(line == original or (line and original.startswith(line)
                                        and original[len(line):][:1].isspace())
                   for original in lines) for line in kept)


def test_toolbar_at_the_end_of_the_date_line_is_cut() -> None:
    page = ("气象灾害防御条例\n发布时间：2017-10-07　来源：办公室　字号：[大 中 小]　打印本页\n"
            "发布日期: 2020-01-02 【字体：大 中 小】【打印】【关闭】\n来源：市应急局  浏览次数：12\n"
            "大中小企业应当建立安全生产责任制。\n第一条 本条例的字号 大 中 小 不是工具栏。")
    assert strip_web_chrome(page).split("\n") == [
        "气象灾害防御条例", "发布时间：2017-10-07　来源：办公室", "发布日期: 2020-01-02",
        "来源：市应急局", "大中小企业应当建立安全生产责任制。",
        "第一条 本条例的字号 大 中 小 不是工具栏。"]


def test_a_menu_bar_with_the_sites_own_section_names_is_chrome() -> None:
    page = ("首页 | 政务公开 | 法规文件 | 办事服务 | 互动交流\n上海市急救医疗服务条例\n"
            "第一条 为了规范急救医疗服务，制定本条例。\n"
            "适用范围 | 职责 | 罚则\n甲|乙|丙")
    assert strip_web_chrome(page).split("\n") == [
        "上海市急救医疗服务条例", "第一条 为了规范急救医疗服务，制定本条例。",
        "适用范围 | 职责 | 罚则", "甲|乙|丙"]  # bars between words no site menu has stay


def test_fix_pdf_text_drops_web_chrome_of_a_printed_page_but_not_fragments() -> None:
    body = ["第一条 为了加强安全生产工作，防止和减少生产安全事故，保障人民群众生命和财产安全。"] * 12
    printed = ["首页 | 政务公开 | 政策文件 | 办事服务", "当前位置：首页 > 政务公开 > 法律法规", *body,
               "主办：某市人民政府办公厅", "网站标识码：1100000088 京ICP备05060933号"]
    fixed = fix_pdf_text("\n".join(printed))
    assert "当前位置" not in fixed and "网站标识码" not in fixed and "主办" not in fixed
    assert fixed.count("第一条") == 12
    # Text extracted in pieces: a lone "中" is a piece of "其中", not the 字号[大 中 小] toolbar.
    pieces = ["第四十一条", "生产经营单位应当建立安全风险分级管控制度，按照分级采取", "措施", "。",
              "其", "中", "，", "重大", "事故", "隐患", "排查治理情况应当及时向有关部门报告", "。",
              "县级", "以上", "地方各级人民政府负有安全生产监督管理职责的部门", "应当", "将"]
    assert "其中，重大事故隐患" in fix_pdf_text("\n".join(pieces))


def test_a_menu_laid_out_one_item_per_line_is_chrome_with_the_sites_own_names() -> None:
    # A page's <li> links become a line each: 机构设置, 法律法规, 防汛抗旱 are this site's own
    # section names, known only by standing among 首页, 政务公开, 办事服务.
    page = ("今天是：\n首页\n机构设置\n政务公开\n法律法规\n防汛抗旱\n办事服务\n互动交流\n"
            "# 中华人民共和国防汛条例\n第一条 为了做好防汛抗洪工作，制定本条例。\n"
            "友情链接：水利部 国家防汛抗旱总指挥部")
    assert strip_web_chrome(page).split("\n") == [
        "# 中华人民共和国防汛条例", "第一条 为了做好防汛抗洪工作，制定本条例。"]
    # Short lines with no known menu word, or a short title after a menu, stay.
    units = "区应急局\n区住建委\n区城管委\n区消防救援支队"
    assert strip_web_chrome(units) == units
    assert strip_web_chrome("首页\n政务公开\n防汛条例\n第一条 …。").split("\n") == [
        "防汛条例", "第一条 …。"]


def test_the_title_of_a_page_with_a_menu_list_is_its_heading(tmp_path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><div class='nav'><ul><li><a href='/'>首页</a></li>"
        "<li><a href='/a'>机构设置</a></li><li><a href='/b'>政务公开</a></li>"
        "<li><a href='/c'>法律法规</a></li></ul></div><div class='main'>"
        "<h1>中华人民共和国防汛条例</h1><p>第一条 为了做好防汛抗洪工作，制定本条例。</p>"
        "</div></body></html>", encoding="utf-8")
    meta = extract_metadata_from_raw(read_file(page), "page")
    assert meta.title == "中华人民共和国防汛条例"


def test_a_page_with_a_banner_sidebar_and_metadata_table_is_titled_by_its_head(tmp_path) -> None:
    # The title is the body line the <head> names (ArticleTitle, then the parts of <title>),
    # not the welcome bar, the site's banner or its slogan above it; a sidebar of related
    # documents and a metadata table with spaced keys (文　　号) are not text.
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>娱乐场所管理条例-政策法规-某省文化和旅游厅</title>"
        "<meta name='ArticleTitle' content='娱乐场所管理条例'></head><body>"
        "<div><span>欢迎访问某省文化和旅游厅门户网站</span><a>无障碍浏览</a> | <a>English</a></div>"
        "<div><h1>某省文化和旅游厅</h1><p>文化惠民　旅游富民</p></div>"
        "<ul><li><a>营业性演出管理条例</a></li><li><a>娱乐场所管理办法</a></li>"
        "<li><a>旅游安全管理办法</a></li></ul>"
        "<table><tr><th>索引号</th><td>000014349/2006-00012</td></tr>"
        "<tr><th>发布机构</th><td>国务院</td></tr><tr><th>名　　称</th><td>娱乐场所管理条例</td></tr>"
        "<tr><th>文　　号</th><td>中华人民共和国国务院令第458号</td></tr></table>"
        "<div>娱乐场所管理条例</div><p>第一条 为了加强对娱乐场所的管理，制定本条例。</p>"
        "</body></html>", encoding="utf-8")
    raw = read_file(page)
    assert extract_metadata_from_raw(raw, "page").title == "娱乐场所管理条例"
    text = clean_text(raw)
    for chrome in ("欢迎访问", "营业性演出管理条例", "索引号", "文　　号", "名　　称"):
        assert chrome not in text, chrome
    assert text.endswith("娱乐场所管理条例\n第一条 为了加强对娱乐场所的管理，制定本条例。")
