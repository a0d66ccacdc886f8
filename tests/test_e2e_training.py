"""End-to-end test of a live quiz: trainer host and two phones in Chromium on a real server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

import quizzes
from quizzes import Question, QuestionType

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = REPO_ROOT / "docs"
TRAINER, PASSWORD = "王老师", "e2e-password-1"
QUIZ_TITLE = "消防安全知识竞赛"
FAST, SLOW = "小王", "小李"  # FAST answers both right; SLOW gets the first one wrong
WAIT_MS = 20_000
DESKTOP = {"width": 1440, "height": 1000}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(start_streamlit: Callable[[dict[str, str]], str],
           tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The app on a fresh quiz database with a trainer (made by the CLI) and a two-question quiz.

    The knowledge base is an empty folder: the training pages do not use it.
    """
    work = tmp_path_factory.mktemp("e2e-training")
    db_path, kb_dir = work / "quizzes.db", work / "kb"
    kb_dir.mkdir()
    env = {"SAFETY_QUIZ_DB": str(db_path), "SAFETY_KB_DIR": str(kb_dir)}
    made = subprocess.run(
        [sys.executable, "-m", "quizzes", "trainer", "add", TRAINER, "--password-stdin"],
        input=f"{PASSWORD}\n", text=True, capture_output=True, cwd=REPO_ROOT,
        env={**os.environ, **env}, check=False,
    )
    assert made.returncode == 0, made.stderr
    with quizzes.connect(db_path) as db:
        ids = [quizzes.add_question(db, replace(q, status="approved")).id for q in (
            Question(QuestionType.SINGLE, "火灾报警电话是多少？", key="B",
                     options=("110", "119", "120"), explanation="火警电话 119。"),
            Question(QuestionType.TRUE_FALSE, "特种作业人员必须持证上岗。", key="对",
                     explanation="《安全生产法》第三十条。"),
        )]
        quizzes.create_quiz(db, QUIZ_TITLE, question_ids=ids)
    return start_streamlit(env), db_path


def new_page(browser: Browser, viewport: dict[str, int], *, phone: bool = False) -> Page:
    """A page in its own browser context (its own Streamlit session)."""
    context: BrowserContext = browser.new_context(
        viewport=viewport, locale="zh-CN", is_mobile=phone, has_touch=phone,
        device_scale_factor=2 if phone else 1,
    )
    return context.new_page()


def button(page: Page, label: str):
    """The one button whose accessible name contains label (icons add their own text)."""
    return page.get_by_role("button", name=label)


def settle(page: Page) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator)."""
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT_MS)


def join(page: Page, url: str, code: str, nickname: str) -> None:
    """Open the join link on a phone and join under a nickname."""
    page.goto(f"{url}/join?code={code}")
    code_box = page.get_by_label("加入码")
    expect(code_box).to_have_value(code, timeout=WAIT_MS)
    settle(page)  # typing during a script run could be lost when it re-renders the form
    page.get_by_label("昵称").fill(nickname)
    button(page, "加入").click()
    expect(page.get_by_text("已加入，等待培训师开始")).to_be_visible(timeout=WAIT_MS)


def answer(page: Page, label: str) -> None:
    """Tap an answer button on a phone once the question is shown."""
    choice = button(page, label)
    expect(choice).to_be_visible(timeout=WAIT_MS)
    choice.click()
    expect(page.get_by_text("已提交答案")).to_be_visible(timeout=WAIT_MS)


def ranking(scope: Page | Locator, *names: str) -> list[str]:
    """The names in the order the first data table lists them, once it shows all of them.

    Reads the table's accessible <table> mirror, retrying while Streamlit re-renders it.
    """
    table = scope.get_by_test_id("stDataFrame").first
    for name in names:
        expect(table.locator("td", has_text=name)).to_have_count(1, timeout=WAIT_MS)
    for _ in range(50):
        cells = [t.strip() for t in table.locator("td").all_text_contents()]
        if all(name in cells for name in names):
            return [cell for cell in cells if cell in names]
        table.page.wait_for_timeout(200)
    pytest.fail(f"the table never listed all of {names}")


def test_live_session_from_login_to_dashboard(chromium_browser: Browser,
                                              server: tuple[str, Path]) -> None:
    url, db_path = server
    host = new_page(chromium_browser, DESKTOP)

    # The trainer logs in on the 现场答题 page.
    host.goto(f"{url}/train_live")
    expect(host.get_by_label("培训师名称")).to_be_visible(timeout=30_000)
    settle(host)
    host.get_by_label("培训师名称").fill(TRAINER)
    host.get_by_label("密码").fill(PASSWORD)
    host.screenshot(path=DOCS / "screenshot-train-login.png", full_page=True)
    button(host, "登录").click()

    # Opens a session: a big join code and the join link.
    expect(button(host, "开启现场答题")).to_be_visible(timeout=WAIT_MS)
    button(host, "开启现场答题").click()
    expect(host.get_by_text("加入码", exact=False).first).to_be_visible(timeout=WAIT_MS)
    with quizzes.connect(db_path) as db:
        [session] = quizzes.list_live_sessions(db)
    code = session.join_code
    expect(host.locator("h1", has_text=code)).to_be_visible()
    expect(host.get_by_text(f"/join?code={code}")).to_be_visible()

    # Two phones join with the code from the link.
    fast = new_page(chromium_browser, PHONE, phone=True)
    slow = new_page(chromium_browser, PHONE, phone=True)
    join(fast, url, code, FAST)
    join(slow, url, code, SLOW)
    expect(host.get_by_text("已加入 2 人")).to_be_visible(timeout=WAIT_MS)
    expect(host.get_by_text(f"{FAST}　{SLOW}")).to_be_visible()
    host.screenshot(path=DOCS / "screenshot-train-live-host.png", full_page=True)

    # Question 1: FAST right, SLOW wrong.
    button(host, "开始").click()
    expect(fast.get_by_text("火灾报警电话是多少")).to_be_visible(timeout=WAIT_MS)
    fast.mouse.move(1, 1)  # no hover highlight on an option in the screenshot
    fast.screenshot(path=DOCS / "screenshot-train-live-phone.png", full_page=True)
    answer(fast, "B. 119")
    answer(slow, "A. 110")
    expect(host.get_by_text("2 / 2")).to_be_visible(timeout=WAIT_MS)
    button(host, "公布答案").click()
    expect(fast.get_by_text("回答正确")).to_be_visible(timeout=WAIT_MS)
    expect(slow.get_by_text("回答错误")).to_be_visible(timeout=WAIT_MS)
    expect(host.get_by_text("正确答案：B")).to_be_visible(timeout=WAIT_MS)

    # Question 2: both right.
    button(host, "下一题").click()
    expect(fast.get_by_text("特种作业人员必须持证上岗")).to_be_visible(timeout=WAIT_MS)
    answer(fast, "正确")
    answer(slow, "正确")
    button(host, "公布答案").click()
    expect(button(host, "查看最终排名")).to_be_visible(timeout=WAIT_MS)
    button(host, "查看最终排名").click()

    # The final leaderboard: FAST (2 right) above SLOW (1 right), on the host and the phones.
    expect(host.get_by_text("最终排名")).to_be_visible(timeout=WAIT_MS)
    assert ranking(host, FAST, SLOW) == [FAST, SLOW]
    host.screenshot(path=DOCS / "screenshot-train-leaderboard.png", full_page=True)
    expect(fast.get_by_text("答题结束")).to_be_visible(timeout=WAIT_MS)
    expect(slow.get_by_test_id("stMetricValue").first).to_have_text("2 / 2")

    # The dashboard (still logged in: navigation keeps the session) shows both results.
    host.get_by_test_id("stSidebarNav").get_by_role("link", name="统计").click()
    expect(host.get_by_role("tab", name="现场答题")).to_be_visible(timeout=WAIT_MS)
    host.get_by_role("tab", name="现场答题").click()
    panel = host.get_by_role("tabpanel", name="现场答题")
    assert ranking(panel, FAST, SLOW) == [FAST, SLOW]
    expect(panel.get_by_test_id("stVegaLiteChart")).to_be_visible(timeout=WAIT_MS)
    expect(panel.get_by_role("button", name="下载 CSV")).to_be_visible(timeout=WAIT_MS)
    settle(host)
    host.screenshot(path=DOCS / "screenshot-train-dashboard.png", full_page=True)
