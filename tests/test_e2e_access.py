"""Who may see what, in Chromium against a real server (see tests/test_access.py headless).

Besides the rendered page (``page.content()``), every test records what the server sent over
the websocket, so a secret hidden in an element that is not drawn would still be caught.
"""

from __future__ import annotations

import http.client
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from access_data import (
    BANK_MARK,
    DASHBOARD_WORDS,
    EXPLAIN_FILL,
    EXPLAIN_SINGLE,
    FILL_STEM,
    HOSTILE_STEM,
    HTML_QUESTION,
    HTML_TITLE,
    KEY_MARK,
    LITERALS,
    OTHER_NUMBER,
    OTHER_PLAYER,
    OTHER_TRAINEE,
    PASSWORD,
    QUIZ_TITLE,
    SECRETS,
    TRAINER,
    TXT_QUESTION,
    TXT_TITLE,
    Seeded,
    navigation_url_paths,
    seed_training,
    write_hostile_documents,
)
from google.protobuf.message import DecodeError
from playwright.sync_api import Browser, Dialog, Page, WebSocket, expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

import quizzes
from kb.store import KnowledgeBase

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[1]
WAIT_MS = 20_000
ANSWER_MS = 90_000  # the first question loads the embedder inside the server
LOGIN_NOTICE = "此页面仅限培训师使用"
# url path (those of app.py: checked below) -> the page's heading ("" is the default page).
PAGES = {"": "安全生产法规问答", "duties": "职责查询", "library": "文库", "train_self": "自助测验",
         "join": "加入答题", "train_bank": "题库", "train_quizzes": "测验管理",
         "train_live": "现场答题", "train_stats": "统计"}
TRAINER_PATHS = ("train_bank", "train_quizzes", "train_live", "train_stats")
# Made-up paths: one segment falls back to the default page (or, after the browser resolves
# "..", to a real one); deeper paths do not even start the app (its scripts are not found).
MADE_UP_PATHS = ("admin", "dashboard", "answers", "TRAIN_STATS", "train_self/../train_stats")
NESTED_PATHS = ("train_stats/export", "app_pages/train_stats.py")
NAV_LINKS = ("问答", "职责查询", "文库", "加入答题", "题库", "测验管理", "现场答题", "统计", "自助测验")
# Trainer-only words beyond the data markers: the dashboard's and the trainer's controls.
NOT_FOR_VISITORS = (*SECRETS, *DASHBOARD_WORDS, "退出登录", "开启现场答题", "新建测验", "审核草稿")


def hostile_query(code: str) -> str:
    """Query parameters a curious trainee might try, on any page."""
    return urllib.parse.urlencode({
        "code": code, "quiz": "1", "attempt": "1", "trainee": "1", "page": "train_stats",
        "admin": "1", "debug": "1", "trainer": TRAINER, "role": "trainer", "user": "admin",
        "session": "1", "show_answers": "true",
    })


@dataclass
class Server:
    url: str
    seeded: Seeded
    db_path: Path


@pytest.fixture(scope="module")
def server(start_streamlit: Callable[[dict[str, str]], str],
           tmp_path_factory: pytest.TempPathFactory) -> Server:
    """The app on the marked training database and a knowledge base of hostile documents."""
    work = tmp_path_factory.mktemp("e2e-access")
    db_path, kb_dir = work / "quizzes.db", work / "kb"
    seeded = seed_training(db_path)
    report = KnowledgeBase(kb_dir).ingest(write_hostile_documents(work / "docs"))
    assert report.ok, [(r.source, r.error) for r in report.failed]
    url = start_streamlit({"SAFETY_QUIZ_DB": str(db_path), "SAFETY_KB_DIR": str(kb_dir)})
    return Server(url, seeded, db_path)


@dataclass
class Tab:
    """A browser tab (own context, own Streamlit session) that records what it receives.

    ``finished`` counts the script runs the server reported as finished, so a test can wait
    for the run an action started instead of guessing from the page.
    """

    page: Page
    frames: list[bytes] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    finished: int = 0

    def receive(self, payload: str | bytes) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode()
        self.frames.append(data)
        try:
            message = ForwardMsg.FromString(data)
        except DecodeError:
            return
        if message.WhichOneof("type") == "script_finished":
            self.finished += 1

    def run(self, action: Callable[[], object], timeout: int = WAIT_MS) -> None:
        """Do something that reruns the page and wait until that run has finished."""
        before = self.finished
        action()
        waited = 0
        while self.finished == before:
            assert waited < timeout, "the script run did not finish"
            self.page.wait_for_timeout(50)  # (also lets Playwright deliver the events)
            waited += 50
        settle(self.page, timeout)

    def received(self) -> bytes:
        """Everything the server sent over the websocket since the tab opened (or clear())."""
        return b"".join(self.frames)

    def assert_hidden(self, secrets: tuple[str, ...] | list[str], where: str) -> None:
        """None of the secrets is on the page or anywhere in what the server sent."""
        html, sent = self.page.content(), self.received()
        assert not [s for s in secrets if s in html], f"{where}: on the page"
        assert not [s for s in secrets if s.encode() in sent], f"{where}: sent to the browser"

    def assert_shown(self, texts: tuple[str, ...] | list[str], where: str) -> None:
        """The texts are on the page and were sent (the recording does see such things)."""
        for text in texts:
            expect(self.page.get_by_text(text).first).to_be_attached(timeout=WAIT_MS)
            assert text.encode() in self.received(), f"{where}: {text} not recorded"

    def assert_not_scripted(self, where: str) -> None:
        """No text ran as code: no flag, no dialog, no live javascript: link or script."""
        page = self.page
        assert page.evaluate("typeof window.__pwned") == "undefined", where
        assert not self.dialogs, f"{where}: dialogs {self.dialogs}"
        assert page.locator("a[href^='javascript:' i], iframe[src^='javascript:' i]").count() \
            == 0, where
        assert page.locator("[onerror], [onclick], [onload]").count() == 0, where
        assert page.locator("script", has_text="__pwned").count() == 0, where
        assert page.locator("img[src='x']").count() == 0, where


@pytest.fixture
def open_tab(chromium_browser: Browser) -> Iterator[Callable[..., Tab]]:
    """Factory of recording tabs; all closed after the test."""
    contexts = []

    def make(*, phone: bool = False) -> Tab:
        size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        context = chromium_browser.new_context(viewport=size, locale="zh-CN", is_mobile=phone,
                                               has_touch=phone)
        contexts.append(context)
        tab = Tab(context.new_page())

        def record(socket: WebSocket) -> None:
            socket.on("framereceived", tab.receive)

        def dialog(d: Dialog) -> None:
            tab.dialogs.append(d.message)
            d.dismiss()

        tab.page.on("websocket", record)
        tab.page.on("dialog", dialog)
        return tab

    yield make
    for context in contexts:
        context.close()


def settle(page: Page, timeout: int = WAIT_MS) -> None:
    """Wait until no 'running' indicator shows."""
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=timeout)


def visit(tab: Tab, url: str) -> None:
    """Load a URL (a new session) and wait for its first script run to end."""
    tab.frames.clear()
    tab.run(lambda: tab.page.goto(url), timeout=60_000)
    expect(tab.page.locator("h1").first).to_be_visible()


def navigate(tab: Tab, link: str) -> None:
    """Follow a sidebar link (the session, and what it holds, is kept)."""
    nav = tab.page.get_by_test_id("stSidebarNav")
    tab.run(nav.get_by_role("link", name=link, exact=True).click)
    title = PAGES["" if link == "问答" else next(p for p, t in PAGES.items() if t == link)]
    expect(tab.page.locator("h1").first).to_have_text(title)


def choose(tab: Tab, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox."""
    tab.page.get_by_label(label, exact=True).first.click()
    tab.run(tab.page.get_by_role("option", name=option).first.click)


def log_in(tab: Tab, password: str) -> None:
    tab.page.get_by_label("培训师名称").fill(TRAINER)
    tab.page.get_by_label("密码").fill(password)
    tab.run(tab.page.get_by_role("button", name="登录").click)


# ----- every path, every query: a visitor sees nothing secret ----------------------------------


def test_no_path_or_query_shows_a_visitor_anything_secret(server: Server,
                                                          open_tab: Callable[..., Tab]) -> None:
    assert set(PAGES) == navigation_url_paths(REPO_ROOT / "app.py")  # every page is tried
    tab = open_tab()
    query = hostile_query(server.seeded.join_code)
    # (Without parameters, the bank and the dashboard are visited in the login test below.)
    for url in [f"{server.url}/{path}?{query}" for path in (*PAGES, *MADE_UP_PATHS)]:
        visit(tab, url)
        tab.assert_hidden(NOT_FOR_VISITORS, url)
        tab.assert_not_scripted(url)
        path = urllib.parse.urlsplit(tab.page.url).path.strip("/")
        expect(tab.page.locator("h1").first).to_have_text(PAGES.get(path, PAGES[""]))
        if path in TRAINER_PATHS:
            expect(tab.page.get_by_text(LOGIN_NOTICE)).to_be_visible()
            expect(tab.page.get_by_label("密码")).to_be_visible()
    for path in NESTED_PATHS:
        tab.frames.clear()
        tab.page.goto(f"{server.url}/{path}?{query}")
        tab.page.wait_for_timeout(2000)
        assert tab.page.locator("body").inner_text().strip() == "", path
        assert not tab.frames, f"{path}: the app started"


def test_server_serves_no_files_beside_the_app(server: Server) -> None:
    # Raw requests (no browser path normalisation) for the databases and page sources.
    parsed = urllib.parse.urlsplit(server.url)
    paths = ["/quizzes.db", "/kb/kb.db", "/var/quizzes.db", "/app/static/../../quizzes.db",
             "/app/static/..%2f..%2fquizzes.db", "/media/../quizzes.db", "/%2e%2e/quizzes.db",
             "/_stcore/../quizzes.db", "/component/../../quizzes.db",
             "/app_pages/train_stats.py", "/app_pages/training.py", "/tests/access_data.py",
             f"/{server.db_path}", "/train_stats?admin=1"]
    for path in paths:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        conn.request("GET", path)
        body = conn.getresponse().read()
        conn.close()
        assert b"SQLite format 3" not in body, path
        assert b"require_trainer" not in body and b"PASSWORD" not in body, path
        assert not [s for s in SECRETS if s.encode() in body], path


# ----- a trainee's own session -----------------------------------------------------------------


def test_trainee_session_gets_no_keys_results_or_dashboard(server: Server,
                                                          open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    visit(tab, f"{server.url}/train_self?{hostile_query(server.seeded.join_code)}")
    page.get_by_label("姓名").fill("张三")
    page.get_by_label("工号").fill("E001")
    tab.run(page.get_by_role("button", name="开始").click)
    choose(tab, "选择测验", QUIZ_TITLE)
    tab.run(page.get_by_role("button", name="开始作答").click)
    expect(page.get_by_text("已作答 0 / 2 题")).to_be_visible()  # drawn after the questions
    expect(page.get_by_text(FILL_STEM)).to_be_visible()
    tab.assert_hidden([*NOT_FOR_VISITORS, "正确答案"], "the quiz before answering")
    tab.assert_not_scripted("the quiz")
    assert HOSTILE_STEM in page.locator("body").inner_text()  # markup shown as text

    # Every other page, reached within this session: nothing secret, trainer pages locked.
    for link in NAV_LINKS:
        navigate(tab, link)
        tab.assert_hidden([*NOT_FOR_VISITORS, "正确答案"], f"{link} during the quiz")
        if link in ("题库", "测验管理", "现场答题", "统计"):
            expect(page.get_by_text(LOGIN_NOTICE)).to_be_visible()
    expect(page.get_by_text(FILL_STEM)).to_be_visible()  # back on 自助测验: same attempt

    # Answering (feedback after submitting) still shows no key; 交卷 shows them, and the
    # recording sees them then (so it would have seen them before).
    box = page.get_by_placeholder("填写答案后按回车")
    box.fill("不知道")
    tab.run(lambda: box.press("Enter"))
    tab.run(page.get_by_test_id("stRadio").first.get_by_text("B.", exact=False).click)
    expect(page.get_by_text("已作答 2 / 2 题")).to_be_visible()
    tab.assert_hidden([*NOT_FOR_VISITORS, "正确答案"], "the quiz after answering")
    tab.run(page.get_by_role("button", name="交卷").click)
    tab.assert_shown([KEY_MARK, EXPLAIN_FILL, EXPLAIN_SINGLE], "the review")
    tab.assert_hidden([OTHER_TRAINEE, OTHER_NUMBER, OTHER_PLAYER, BANK_MARK,
                       *DASHBOARD_WORDS], "the review")
    tab.assert_not_scripted("the review")
    assert HOSTILE_STEM in page.locator("body").inner_text()

    # Typing another page and parameters into the address bar starts over as a visitor.
    visit(tab, f"{server.url}/train_stats?trainee={server.seeded.other_trainee_id}&admin=1")
    expect(page.get_by_text(LOGIN_NOTICE)).to_be_visible()
    tab.assert_hidden(NOT_FOR_VISITORS, "the dashboard URL")


def test_live_participant_gets_no_key_before_the_reveal(server: Server,
                                                        open_tab: Callable[..., Tab]) -> None:
    with quizzes.connect(server.db_path) as db:
        session = quizzes.open_live_session(db, server.seeded.quiz_id)
        quizzes.join_live_session(db, session.join_code, OTHER_PLAYER)
    tab = open_tab(phone=True)
    page = tab.page
    visit(tab, f"{server.url}/join?{hostile_query(session.join_code)}")
    expect(page.get_by_label("加入码")).to_have_value(session.join_code)
    page.get_by_label("昵称").fill("小王")
    tab.run(page.get_by_role("button", name="加入").click)
    expect(page.get_by_text("已加入，等待培训师开始")).to_be_visible()
    with quizzes.connect(server.db_path) as db:
        quizzes.next_live_question(db, session.id)
    expect(page.get_by_role("button", name="提交答案")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text(FILL_STEM)).to_be_visible()
    tab.assert_hidden(SECRETS, "the live question")
    page.get_by_label("你的答案").fill("不知道")
    tab.run(page.get_by_role("button", name="提交答案").click)
    expect(page.get_by_text("已提交答案")).to_be_visible(timeout=WAIT_MS)
    tab.assert_hidden(SECRETS, "the live question after answering")
    with quizzes.connect(server.db_path) as db:
        quizzes.reveal_live_question(db, session.id)
    expect(page.get_by_text("回答错误")).to_be_visible(timeout=WAIT_MS)
    tab.assert_shown([KEY_MARK, EXPLAIN_FILL], "the reveal")
    tab.assert_hidden([OTHER_PLAYER, OTHER_TRAINEE, EXPLAIN_SINGLE, BANK_MARK], "the reveal")
    with quizzes.connect(server.db_path) as db:
        quizzes.next_live_question(db, session.id)  # the question with markup in its text
    expect(page.get_by_text(HOSTILE_STEM)).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_role("button", name="B.", exact=False)).to_be_visible()
    tab.assert_hidden([EXPLAIN_SINGLE], "the second live question")
    tab.assert_not_scripted("the live question with markup")


# ----- trainer pages: the login, its lock, and the pages behind it ----------------------------


def test_dashboard_and_bank_refuse_until_login_and_lock_after_wrong_passwords(
        server: Server, open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    for path in ("train_stats", "train_bank"):
        visit(tab, f"{server.url}/{path}")
        expect(page.get_by_text(LOGIN_NOTICE)).to_be_visible()
        tab.assert_hidden(NOT_FOR_VISITORS, path)
    for attempt in range(quizzes.auth.FREE_FAILURES):
        log_in(tab, f"wrong-password-{attempt}")
        expect(page.get_by_text("培训师名称或密码错误")).to_be_visible()
    expect(page.get_by_text("秒后再试")).to_be_visible()
    log_in(tab, PASSWORD)  # locked: the right password is refused too, for now
    expect(page.get_by_text("秒后再试")).to_be_visible()
    expect(page.get_by_text(LOGIN_NOTICE)).to_be_visible()
    tab.assert_hidden(NOT_FOR_VISITORS, "the locked bank")
    page.wait_for_timeout(1000 * quizzes.auth.lock_seconds(quizzes.auth.FREE_FAILURES) + 300)
    log_in(tab, PASSWORD)
    # Behind the login: the bank, with the markup of a question shown as text.
    table = page.get_by_test_id("stDataFrame").first
    expect(table.locator("td", has_text=BANK_MARK)).to_have_count(1, timeout=WAIT_MS)
    expect(table.locator("td", has_text="危险品题干")).to_have_count(1)
    choose(tab, "选择题目进行编辑或审核", f"{server.seeded.single_id}.")
    expect(page.get_by_label("题干", exact=True).first).to_have_value(HOSTILE_STEM)
    tab.assert_not_scripted("the bank")
    # And the dashboard: the words the checks above look for are its words.
    navigate(tab, "统计")
    choose(tab, "测验", f"{server.seeded.quiz_id}. {QUIZ_TITLE}")
    tab.assert_shown([*DASHBOARD_WORDS, OTHER_TRAINEE], "the dashboard")
    tab.assert_not_scripted("the dashboard")


# ----- document text is text -------------------------------------------------------------------


def open_expanders(page: Page) -> None:
    for details in page.get_by_test_id("stExpander").locator("details").all():
        if not details.evaluate("d => d.open"):
            details.locator("summary").first.click()


def assert_literals_shown(page: Page, literals: tuple[str, ...]) -> None:
    text = page.locator("body").inner_text()
    for literal in literals:
        assert literal in text, f"{literal!r} is not shown as text"


def test_document_text_with_markup_is_shown_as_text(server: Server,
                                                    open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    visit(tab, server.url)
    box = page.get_by_test_id("stChatInputTextArea")
    for question in (TXT_QUESTION, HTML_QUESTION):
        box.fill(question)
        tab.run(lambda: box.press("Enter"), timeout=ANSWER_MS)  # the first loads the embedder
    for title in (TXT_TITLE, HTML_TITLE):
        expect(page.get_by_test_id("stExpander").filter(has_text=title).first).to_be_visible()
    open_expanders(page)
    assert_literals_shown(page, LITERALS)
    tab.assert_not_scripted("the cited passages")

    visit(tab, f"{server.url}/library")
    for title in (TXT_TITLE, HTML_TITLE):
        choose(tab, "选择文档", title)
        if not page.get_by_role("switch").first.is_checked():
            tab.run(page.get_by_text("显示条文内容").click)
        open_expanders(page)
        # The HTML page's entities and the TXT file's text, as text.
        assert_literals_shown(page, LITERALS if title == TXT_TITLE else LITERALS[:2])
        tab.assert_not_scripted(f"the library, {title}")
