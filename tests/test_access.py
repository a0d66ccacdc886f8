"""Who may see what: trainer pages, trainees' view of keys and results, HTML, hostile SQL.

Headless checks (AppTest, the page scripts' messages and session state) and hostile strings
at run time; tests/test_sql_parameterised.py scans the source for SQL built from values. The same properties in a
real browser are checked by tests/test_e2e_access.py.
"""

from __future__ import annotations

import ast
import collections
import dataclasses
import functools
import re
import sqlite3
import threading
import time
import types
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from access_data import (
    BANK_MARK,
    DASHBOARD_WORDS,
    DRAFT_MARK,
    EXPLAIN_FILL,
    EXPLAIN_SINGLE,
    FILL_STEM,
    HOSTILE_NAME,
    HOSTILE_OPTIONS,
    HOSTILE_STEM,
    HTML_QUESTION,
    HTML_TITLE,
    KEY_MARK,
    LITERALS,
    OTHER_NUMBER,
    OTHER_PLAYER,
    OTHER_TRAINEE,
    PASSWORD,
    PERCENT_STEM,
    QUIZ_TITLE,
    SECRETS,
    TRAINER,
    TXT_QUESTION,
    TXT_TITLE,
    UNDERSCORE_STEM,
    Seeded,
    seed_training,
    write_hostile_documents,
)
from apptesting import click, login, proto_strings
from google.protobuf.message import Message
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.runtime.state import SessionState
from streamlit.testing.v1 import AppTest

import quizzes
from app_pages.training import retry_message
from kb.store import KnowledgeBase

REPO_ROOT = Path(__file__).resolve().parents[1]
PAGES = REPO_ROOT / "app_pages"
# Pages anyone may open, and why; every other page of the navigation is for trainers only.
PUBLIC_PAGES = {
    "qa.py": "问答: regulations are public",
    "duties.py": "职责查询: regulations are public",
    "library.py": "文库: regulations are public; upload and delete ask for a trainer login",
    "train_self.py": "自助测验: trainees identify with name and employee number",
    "train_join.py": "加入答题: participants join with the session's code",
}
# quizzes functions that return what only trainers may see (keys of unanswered questions,
# everyone's results, the bank) or change the training set-up; no public page may use them.
TRAINER_ONLY_CALLS = {
    "add_question", "add_questions", "create_quiz", "delete_question", "export_questions",
    "export_results", "finish_live_session", "get_question", "get_questions", "import_file",
    "item_analysis", "list_questions", "list_trainees", "list_trainers",
    "live_session_results", "next_live_question", "open_live_session", "quiz_attempts",
    "quiz_item_analysis", "quiz_results", "reveal_live_question", "set_question_status",
    "update_question", "attempt_results",
}
LOGIN_NOTICE = "此页面仅限培训师使用"
HOSTILE_QUERY = {"code": "000000' OR '1'='1", "quiz": "1", "attempt": "1", "trainee": "1",
                 "page": "train_stats", "admin": "1", "debug": "1", "trainer": TRAINER,
                 "role": "trainer", "user": "admin", "session": "1"}


def navigation_pages() -> list[str]:
    """File names of the pages app.py routes to (every st.Page)."""
    tree = ast.parse((REPO_ROOT / "app.py").read_text(encoding="utf-8"))
    return [Path(ast.literal_eval(node.args[0])).name for node in ast.walk(tree)
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "st.Page"]


def trainer_pages() -> list[str]:
    """Every page of the navigation that is not public (a new page lands here by default)."""
    return sorted(set(navigation_pages()) - set(PUBLIC_PAGES))


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    """The marked training database as ``$SAFETY_QUIZ_DB`` (a fresh one per test)."""
    db_path = tmp_path / "quizzes.db"
    monkeypatch.setenv("SAFETY_QUIZ_DB", str(db_path))
    return seed_training(db_path)


def run_page(name: str, *, state: dict[str, object] | None = None,
             query: dict[str, str] | None = None) -> AppTest:
    """Run one page script with session state and query parameters set beforehand."""
    at = AppTest.from_file(str(PAGES / name), default_timeout=60)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def tree_nodes(at: AppTest) -> Iterator[object]:
    """Every element and block of the page (main, sidebar and the rest)."""
    stack: list[object] = [at._tree]
    while stack:
        node = stack.pop()
        yield node
        children = getattr(node, "children", None) or {}
        stack.extend(children.values())


def delivered(at: AppTest) -> str:
    """Everything the page sends to the browser, as text (markup escapes undone).

    Every string and byte field of every element's message, labels and options included,
    plus the cells of data frames (sent as Arrow bytes).
    """
    parts = []
    for node in tree_nodes(at):
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            parts.extend(proto_strings(proto))
    parts += [df.value.to_csv() for df in at.dataframe]
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", "\n".join(parts))


def held_strings(root: object, max_depth: int = 16) -> Iterator[str]:
    """Every string reachable from a session's state: values, widget values and callbacks'
    arguments and closures (what the server keeps for the session, not what it sends).

    Breadth first, so that an object is reached by its shortest path before the depth limit.
    """
    seen: set[int] = set()
    queue: collections.deque[tuple[object, int]] = collections.deque([(root, 0)])
    while queue:
        obj, depth = queue.popleft()
        if depth > max_depth or id(obj) in seen:
            continue
        seen.add(id(obj))
        children: list[object] = []
        if isinstance(obj, str):
            yield obj
        elif isinstance(obj, bytes):
            yield obj.decode("utf-8", "replace")
        elif isinstance(obj, Message):
            yield from proto_strings(obj)
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            # (before Mapping: Streamlit's widget states are a dataclass that is also a
            # Mapping of values only; its fields hold the widgets' callbacks and arguments)
            children = [getattr(obj, f.name) for f in dataclasses.fields(obj)]
        elif isinstance(obj, Mapping):
            children = [*obj.keys(), *obj.values()]
        elif isinstance(obj, list | tuple | set | frozenset):
            children = list(obj)
        elif isinstance(obj, functools.partial):
            children = [obj.func, obj.args, obj.keywords]
        elif isinstance(obj, types.FunctionType | types.MethodType):
            func = getattr(obj, "__func__", obj)
            children = [c.cell_contents for c in func.__closure__ or () if _cell_full(c)]
            children += [func.__defaults__, getattr(obj, "__self__", None)]
        elif type(obj).__module__.split(".")[0] in ("quizzes", "app_pages", "kb", "streamlit") \
                and hasattr(obj, "__dict__"):
            children = list(vars(obj).values())
        queue.extend((child, depth + 1) for child in children)


def _cell_full(cell: types.CellType) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:
        return False
    return True


def session_held(at: AppTest) -> str:
    """What the server holds for this session (never sent to the browser)."""
    return "\n".join(held_strings(at.session_state._state._state))


def assert_none_of(text: str, secrets: tuple[str, ...] | list[str], where: str) -> None:
    found = [s for s in secrets if s in text]
    assert not found, f"{where} shows {found}"


# ===== trainer pages refuse a visitor who has not logged in ==================================


def test_every_page_is_public_or_for_trainers_only() -> None:
    pages = navigation_pages()
    assert set(PUBLIC_PAGES) <= set(pages), "a public page left the navigation"
    assert {"train_bank.py", "train_live.py", "train_quizzes.py", "train_stats.py"} <= \
        set(trainer_pages())
    for name in trainer_pages():
        body = ast.parse((PAGES / name).read_text(encoding="utf-8")).body
        first = next(i for i, node in enumerate(body)
                     if isinstance(node, ast.Expr) and ast.unparse(node) == "require_trainer()")
        # Before the login check: only the docstring, imports, definitions, constants (no
        # calls) and the page title.
        for node in body[:first]:
            calls = any(isinstance(n, ast.Call) for n in ast.walk(node))
            allowed = isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef
                                 | ast.ClassDef) or (
                isinstance(node, ast.Assign | ast.AnnAssign) and not calls) or (
                isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)) or (
                isinstance(node, ast.Expr) and ast.unparse(node).startswith("st.title("))
            assert allowed, f"{name}:{node.lineno} runs before require_trainer()"
    for name in PUBLIC_PAGES:
        tree = ast.parse((PAGES / name).read_text(encoding="utf-8"))
        used = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
                and ast.unparse(n.value) == "quizzes"}
        used |= {alias.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                 for alias in n.names}
        assert not used & TRAINER_ONLY_CALLS, f"{name} uses {used & TRAINER_ONLY_CALLS}"


def visitor_states(seeded: Seeded) -> dict[str, dict[str, object]]:
    """Sessions that are not a trainer's: nobody, a trainee mid-quiz, a live participant."""
    with quizzes.connect() as db:
        trainee = quizzes.identify_trainee(db, "张三", "E001")
        attempt = quizzes.start_attempt(db, seeded.quiz_id, trainee)
        player = quizzes.join_live_session(db, seeded.join_code, "小王")
    return {
        "nobody": {},
        "trainee": {"self_trainee": trainee, "self_attempt": attempt.id},
        "participant": {"live_me": player, "live_host_session": seeded.session_id},
    }


@pytest.mark.parametrize("page", trainer_pages())
def test_trainer_page_shows_only_the_login_form(seeded: Seeded, page: str) -> None:
    for who, state in visitor_states(seeded).items():
        for query in ({}, HOSTILE_QUERY):
            at = run_page(page, state=state, query=query)
            where = f"{page} for {who} with {query}"
            assert [t.label for t in at.text_input] == ["培训师名称", "密码"], where
            assert not (at.dataframe or at.tabs or at.selectbox or at.expander or at.metric), \
                where
            assert not at.get("download_button") and not at.sidebar.button, where
            text = delivered(at)
            assert LOGIN_NOTICE in text, where
            assert_none_of(text, [*SECRETS, *DASHBOARD_WORDS, QUIZ_TITLE, seeded.join_code,
                                  FILL_STEM, "退出登录"], where)
            assert "train_trainer" not in at.session_state


def test_wrong_passwords_lock_the_account_then_the_right_one_works(seeded: Seeded) -> None:
    at = run_page("train_bank.py")
    login(at, "没有这个人", "whatever-1")  # unknown and wrong name: the same reply
    assert "培训师名称或密码错误。" in delivered(at) and "秒后再试" not in delivered(at)
    for attempt in range(quizzes.auth.FREE_FAILURES):
        login(at, TRAINER, f"wrong-password-{attempt}")
        assert "培训师名称或密码错误" in delivered(at)
    assert retry_message(quizzes.auth.lock_seconds(quizzes.auth.FREE_FAILURES)) in delivered(at)
    login(at, TRAINER, PASSWORD)  # locked: even the right password is refused for now
    assert "train_trainer" not in at.session_state and "秒后再试" in delivered(at)
    assert_none_of(delivered(at), [BANK_MARK, DRAFT_MARK], "the locked login")
    # The lock is on the account, not the browser session: another session is refused too.
    other = run_page("train_stats.py")
    login(other, TRAINER, PASSWORD)
    assert "秒后再试" in delivered(other) and "train_trainer" not in other.session_state
    time.sleep(quizzes.auth.lock_seconds(quizzes.auth.FREE_FAILURES) + 0.2)
    login(at, TRAINER, PASSWORD)
    assert at.session_state["train_trainer"] == seeded.trainer
    assert BANK_MARK in delivered(at) and LOGIN_NOTICE not in delivered(at)


def test_session_state_cannot_be_forged_from_the_browser() -> None:
    # The browser only sends widget values, keyed by widget id. A made-up id named like the
    # login key has no widget behind it: Streamlit does not let the page read it.
    state = SessionState()
    forged = WidgetStates()
    for key in ("train_trainer", "self_trainee", "live_me", "self_attempt"):
        widget = forged.widgets.add()
        widget.id = key
        widget.string_value = "王老师"
    state.on_script_will_rerun(forged)
    for key in ("train_trainer", "self_trainee", "live_me", "self_attempt"):
        assert key not in state
        with pytest.raises(KeyError):
            state[key]  # noqa: B018


# ===== a trainee sees no keys before answering and no one else's results =====================


def identified(seeded: Seeded, query: dict[str, str] | None = None) -> AppTest:
    """The 自助测验 page after 张三 identified himself (through the form)."""
    at = run_page("train_self.py", query=query)
    at.text_input(key="self_name").input("张三")
    at.text_input(key="self_number").input("E001")
    return click(at, "开始")


def test_self_paced_page_holds_and_sends_no_key_before_answering(seeded: Seeded) -> None:
    at = identified(seeded, HOSTILE_QUERY)
    at.selectbox(key="self_quiz").set_value(seeded.quiz_id).run()  # feedback after submitting
    click(at, "开始作答")
    text = delivered(at)
    assert FILL_STEM in text and "危险品题干" in text
    assert_none_of(text, [*SECRETS, "正确答案"], "the quiz on screen")
    held = session_held(at)
    assert FILL_STEM in held  # the walk reaches the questions kept in widget callbacks …
    assert_none_of(held, SECRETS, "the session state during the quiz")  # … without keys
    at.text_input[0].input("不知道").run()  # an answer (saved, after-submit: no verdict yet)
    at.radio[0].set_value(0).run()
    assert "已作答 2 / 2 题" in delivered(at)
    assert_none_of(delivered(at), [*SECRETS, "正确答案"], "the quiz after answering")
    assert_none_of(session_held(at), SECRETS, "the session state after answering")
    click(at, "交卷")
    text = delivered(at)  # now the review shows keys and explanations (the check can see them)
    assert KEY_MARK in text and EXPLAIN_FILL in text and EXPLAIN_SINGLE in text
    assert_none_of(text, [OTHER_TRAINEE, OTHER_NUMBER, DRAFT_MARK, BANK_MARK], "the review")


def test_immediate_feedback_reveals_only_the_answered_question(seeded: Seeded) -> None:
    at = identified(seeded)
    at.selectbox(key="self_quiz").set_value(seeded.immediate_id).run()
    click(at, "开始作答")
    assert_none_of(delivered(at), SECRETS, "the immediate quiz")
    assert_none_of(session_held(at), SECRETS, "the session state")
    at.text_input[0].input("不知道")
    click(at, "确认答案")
    text = delivered(at)
    assert KEY_MARK in text and EXPLAIN_FILL in text  # answered: key and explanation shown
    assert KEY_MARK in session_held(at)  # (the feedback kept: the state walk does see keys)
    assert EXPLAIN_SINGLE not in text and EXPLAIN_SINGLE not in session_held(at)


def test_self_paced_page_shows_no_one_elses_results(seeded: Seeded) -> None:
    query = {**HOSTILE_QUERY, "trainee": str(seeded.other_trainee_id),
             "attempt": str(seeded.other_attempt_id)}
    at = identified(seeded, query)
    assert "还没有作答记录" in delivered(at)
    assert_none_of(delivered(at), SECRETS, "the trainee's own page")
    # An attempt id that is not this trainee's (stale, or another tab) is dropped, not shown.
    with quizzes.connect() as db:
        me = quizzes.identify_trainee(db, "张三", "E001")
    at = run_page("train_self.py", state={"self_trainee": me,
                                          "self_attempt": seeded.other_attempt_id})
    assert "self_attempt" not in at.session_state
    assert_none_of(delivered(at), SECRETS, "another trainee's attempt id")
    assert_none_of(session_held(at), SECRETS, "the session state")


def test_participant_sees_no_key_and_no_one_else_before_the_reveal(seeded: Seeded) -> None:
    at = run_page("train_join.py", query={**HOSTILE_QUERY, "code": seeded.join_code})
    assert_none_of(delivered(at), SECRETS, "the join form")
    at.text_input(key="live_join_nickname").input("小王")
    click(at, "加入")
    assert "等待培训师开始" in delivered(at)
    with quizzes.connect() as db:
        quizzes.next_live_question(db, seeded.session_id)
    at.run()
    text = delivered(at)
    assert FILL_STEM in text
    assert_none_of(text, SECRETS, "the live question")
    assert_none_of(session_held(at), SECRETS, "the participant's session state")
    at.text_input(key=f"live_q{seeded.session_id}_0").input("不知道")
    click(at, "提交答案")
    assert_none_of(delivered(at), SECRETS, "the live question after answering")
    with quizzes.connect() as db:
        quizzes.reveal_live_question(db, seeded.session_id)
    at.run()
    text = delivered(at)  # answering closed: the key is shown, the others' results are not
    assert KEY_MARK in text and EXPLAIN_FILL in text
    assert_none_of(text, [OTHER_PLAYER, OTHER_TRAINEE, EXPLAIN_SINGLE], "the reveal")


# ===== document and question text is never rendered as HTML ==================================

# Message types whose strings the browser shows as plain values (never as Markdown).
PLAIN_VALUE_TYPES = {"TextArea", "TextInput", "Selectbox", "MultiSelect", "Arrow", "Code",
                     "ChatInput"}
# Pieces of the hostile texts that would be markup if they reached Markdown unescaped.
MARKUP = ("<script>", "<img src", "onerror=", "onclick=", "](javascript:", "<a href", "<b ",
          "<u>", ":red[红")


def markdown_strings(message: Message, plain: bool = False) -> Iterator[tuple[str, str]]:
    """(message type, string) of every string the browser interprets as Markdown."""
    kind = message.DESCRIPTOR.name
    plain = plain or kind in PLAIN_VALUE_TYPES
    for fd, value in message.ListFields():
        values = value if fd.is_repeated else [value]
        if fd.type == fd.TYPE_STRING and not plain:
            yield from ((kind, v) for v in values)
        elif fd.type == fd.TYPE_MESSAGE and not isinstance(value, Mapping):
            for item in values:
                yield from markdown_strings(item, plain)


def assert_text_not_markup(at: AppTest, literals: tuple[str, ...]) -> None:
    """No Markdown allows HTML, no markup reaches Markdown unescaped, literals are shown."""
    for node in tree_nodes(at):
        proto = getattr(node, "proto", None)
        if not isinstance(proto, Message):
            continue
        for kind, text in markdown_strings(proto):
            found = [m for m in MARKUP if re.search(r"(?<!\\)" + re.escape(m), text)]
            assert not found, f"{kind} carries unescaped {found}: {text!r}"
        stack = [proto]
        while stack:  # every Markdown message, however deep
            message = stack.pop()
            if message.DESCRIPTOR.name == "Markdown":
                assert not message.allow_html, message.body
            for fd, value in message.ListFields():
                if fd.type == fd.TYPE_MESSAGE and not isinstance(value, Mapping):
                    stack.extend(value if fd.is_repeated else [value])
    shown = delivered(at)
    for literal in literals:
        assert literal in shown, f"{literal!r} is not shown as text"


@pytest.fixture(scope="module")
def hostile_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base of the hostile HTML page and TXT file only (about 10 s to build)."""
    work = tmp_path_factory.mktemp("hostile-kb")
    folder = work / "kb"
    report = KnowledgeBase(folder).ingest(write_hostile_documents(work / "docs"))
    assert report.ok, [(r.source, r.error) for r in report.failed]
    return folder


def test_cited_document_text_is_shown_as_text(hostile_kb: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFETY_KB_DIR", str(hostile_kb))
    at = run_page("qa.py")
    for question in (TXT_QUESTION, HTML_QUESTION):
        at.chat_input[0].set_value(question).run()
        assert not at.exception and not at.error, at.error
    assert {TXT_TITLE, HTML_TITLE} <= {unescape_label(e.label) for e in at.expander}
    assert_text_not_markup(at, LITERALS)


def unescape_label(label: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", label).split(" › ")[0]


def test_library_shows_document_text_as_text(hostile_kb: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFETY_KB_DIR", str(hostile_kb))
    at = run_page("library.py")
    shown = []
    for doc in KnowledgeBase(hostile_kb, load=False).documents():
        at.selectbox(key="lib_structure_doc").set_value(doc.id).run()
        at.toggle(key="lib_show_text").set_value(True).run()
        assert not at.exception
        shown.append(delivered(at))
        assert_text_not_markup(at, ())
    for literal in LITERALS:
        assert any(literal in text for text in shown), literal


def test_question_text_is_shown_as_text_to_trainees_and_trainers(seeded: Seeded) -> None:
    with quizzes.connect() as db:
        assert quizzes.get_question(db, seeded.single_id).stem == HOSTILE_STEM  # stored as is
        trainee = quizzes.identify_trainee(db, HOSTILE_NAME, "E002")
    at = run_page("train_self.py", state={"self_trainee": trainee})
    at.selectbox(key="self_quiz").set_value(seeded.quiz_id).run()
    click(at, "开始作答")
    assert_text_not_markup(at, (HOSTILE_STEM, *HOSTILE_OPTIONS, HOSTILE_NAME))
    at.radio[0].set_value(1).run()
    click(at, "交卷")
    assert_text_not_markup(at, (HOSTILE_STEM, *HOSTILE_OPTIONS))
    with quizzes.connect() as db:
        player = quizzes.join_live_session(db, seeded.join_code, "<b>小王</b>")
        quizzes.next_live_question(db, seeded.session_id)
        quizzes.answer_live_question(db, player.id, 0, "x")
        quizzes.reveal_live_question(db, seeded.session_id)
        quizzes.next_live_question(db, seeded.session_id)  # the hostile question
    at = run_page("train_join.py", state={"live_me": player})
    assert_text_not_markup(at, (HOSTILE_STEM, *HOSTILE_OPTIONS))
    at = run_page("train_bank.py", state={"train_trainer": seeded.trainer})
    at.selectbox(key="bank_pick").set_value(seeded.single_id).run()
    assert HOSTILE_STEM in set(at.dataframe[0].value["题干"])
    assert at.text_area(key=f"edit_{seeded.single_id}_stem").value == HOSTILE_STEM
    assert_text_not_markup(at, (HOSTILE_STEM,))
    at = run_page("train_stats.py", state={"train_trainer": seeded.trainer})
    assert_text_not_markup(at, ())


# ===== hostile strings are data, never SQL (runtime) ==========================================

HOSTILE_STRINGS = ("'; DROP TABLE questions; --", "' OR '1'='1", '" OR ""="', "%", "_",
                   "100%' --", "\\'; DELETE FROM trainees; --", "`); DROP TABLE x;--")


def snapshot(db_path: Path) -> dict[str, int]:
    """Row count of every table, after checking the file's integrity."""
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        # Names come from sqlite_master itself, quoted as identifiers.
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_hostile_trainee_flow_stores_data_as_data(seeded: Seeded, tmp_path: Path) -> None:
    db_path = tmp_path / "quizzes.db"
    before = snapshot(db_path)
    name, number = "Robert'); DROP TABLE trainees;--", "E1' OR '1'='1"
    answer = "'; DROP TABLE responses; -- %_"
    at = run_page("train_self.py")
    at.text_input(key="self_name").input(name)
    at.text_input(key="self_number").input(number)
    click(at, "开始")
    at.selectbox(key="self_quiz").set_value(seeded.quiz_id).run()
    click(at, "开始作答")
    at.text_input[0].input(answer).run()
    at.radio[0].set_value(1).run()
    click(at, "交卷")
    assert {m.label: m.value for m in at.metric}["得分"] == "1 / 2"
    at = run_page("train_join.py", query={"code": seeded.join_code})
    at.text_input(key="live_join_nickname").input("'); DROP TABLE x;--")
    click(at, "加入")
    at = run_page("train_bank.py")
    login(at, "' OR '1'='1' --", "' OR '1'='1' --")
    assert "train_trainer" not in at.session_state
    after = snapshot(db_path)
    grown = {t: after[t] - before.get(t, 0) for t in after if after[t] != before.get(t)}
    assert set(after) == set(before)
    assert grown == {"trainees": 1, "attempts": 1, "attempt_questions": 2, "responses": 2,
                     "live_participants": 1}
    with quizzes.connect(db_path) as db:
        me = quizzes.identify_trainee(db, name, number)  # found again, verbatim
        [result] = quizzes.trainee_history(db, me)
        [review] = [r for r in quizzes.attempt_review(db, result.attempt_id, me)
                    if r.question_id == seeded.fill_id]
        assert review.given == answer
        [other] = quizzes.trainee_history(db, quizzes.identify_trainee(db, OTHER_TRAINEE,
                                                                        OTHER_NUMBER))
        assert other.score == 2
        nicknames = [r.nickname for r in quizzes.live_leaderboard(db, seeded.session_id)]
        assert "'); DROP TABLE x;--" in nicknames


def test_hostile_bank_searches_match_literally(seeded: Seeded, tmp_path: Path) -> None:
    before = snapshot(tmp_path / "quizzes.db")
    at = run_page("train_bank.py", state={"train_trainer": seeded.trainer})
    expected = {"%": [PERCENT_STEM], "_": [HOSTILE_STEM, UNDERSCORE_STEM],  # "__pwned"
                "100%": [PERCENT_STEM],
                "A_B": [UNDERSCORE_STEM]}
    for text in (*HOSTILE_STRINGS, "100%", "A_B"):
        at.text_input(key="bank_f_search").input(text).run()
        assert not at.exception
        stems = list(at.dataframe[0].value["题干"]) if at.dataframe else []
        assert stems == expected.get(text, []), text
    assert snapshot(tmp_path / "quizzes.db") == before


def test_hostile_knowledge_base_queries_change_nothing(
        hostile_kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFETY_KB_DIR", str(hostile_kb))
    kb_file = hostile_kb / "kb.db"
    before = snapshot(kb_file)
    kb = KnowledgeBase(hostile_kb)
    texts = [c.text for d in kb.documents() for c in kb.chunks(d.id)]
    for text in HOSTILE_STRINGS:
        kb.search(text, retriever="bm25")
        kb.who_is_responsible(text)
        assert kb.tasks_of_unit(text) == {}
        assert kb.mentions(text) == any(text in t for t in texts), text  # "_" is in "__pwned"
        with pytest.raises(KeyError):
            kb.document(text)
    assert not kb.mentions("100%") and kb.mentions("<script>")  # instr: literal, no wildcards
    assert kb.answer("'; DROP TABLE chunks; -- 钢瓶充装单位应当设置什么装置？").citations
    at = run_page("duties.py")  # the pages' own inputs
    at.radio[0].set_value("按任务").run()
    for text in HOSTILE_STRINGS:
        at.text_input[0].input(text).run()
        assert not at.exception and "没有找到相关职责" in delivered(at)
    at = run_page("qa.py")
    at.chat_input[0].set_value(HOSTILE_STRINGS[0]).run()
    assert not at.exception and not at.error
    assert snapshot(kb_file) == before
    assert len(kb.documents()) == 2


def test_parallel_wrong_passwords_get_one_check_per_lock(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # A script can open many sessions and send guesses at once: the lock must still let
    # only one guess be checked per lock window, not one per session.
    db_path = tmp_path / "quizzes.db"
    with quizzes.connect(db_path) as db:
        quizzes.add_trainer(db, TRAINER, PASSWORD)
        for i in range(quizzes.auth.FREE_FAILURES - 1):  # the next failure locks the account
            assert not quizzes.verify_trainer(db, TRAINER, f"wrong-{i}").ok
    checked: list[str] = []
    real_check = quizzes.auth.check_password

    def slow_check(password: str, stored: str) -> bool:
        checked.append(password)
        time.sleep(0.3)  # a window in which the other guesses arrive
        return real_check(password, stored)

    monkeypatch.setattr(quizzes.auth, "check_password", slow_check)
    start = threading.Barrier(6)

    def guess(password: str) -> quizzes.AuthResult:
        with quizzes.connect(db_path, migrate=False) as db:
            start.wait()
            return quizzes.verify_trainer(db, TRAINER, password)

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(guess, [f"guess-{i}" for i in range(5)] + [PASSWORD]))
    assert len(checked) == 1, checked
    assert sum(r.ok for r in results) <= 1 and all(r.retry_after_s > 0 for r in results
                                                   if not r.ok)
