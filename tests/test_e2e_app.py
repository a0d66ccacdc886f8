"""End-to-end tests: the app as a real Streamlit server, driven by Playwright in Chromium."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

import quizzes
from app_pages.answers import BASIS_LABEL, RELATED_LABEL

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = REPO_ROOT / "docs"
ANSWER_MS = 90_000  # the first question loads the embedder inside the server
PLAN_TITLE = "海淀区关于推进城市安全发展的实施方案"
UPLOAD_TITLE = "测试市电梯安全管理办法"
UPLOAD_TEXT = (
    f"{UPLOAD_TITLE}\n\n"
    "第一条 为了加强电梯安全管理，保障人身和财产安全，制定本办法。\n\n"
    "第二条 电梯使用单位应当每十五日对电梯进行一次清洁、润滑、调整和检查。\n"
)


TRAINER, PASSWORD = "文库管理员", "library-pass-2026"


@pytest.fixture(scope="module")
def app_url(sample_kb_dir: Path, tmp_path_factory: pytest.TempPathFactory,
            start_streamlit: Callable[[dict[str, str]], str]) -> str:
    """URL of a Streamlit server running app.py on a private copy of the sample KB."""
    work = tmp_path_factory.mktemp("e2e")
    kb_dir = Path(shutil.copytree(sample_kb_dir, work / "kb"))  # the upload test changes it
    with quizzes.connect(work / "quizzes.db") as db:  # uploading needs a trainer
        quizzes.add_trainer(db, TRAINER, PASSWORD)
    return start_streamlit({"SAFETY_KB_DIR": str(kb_dir),
                            "SAFETY_QUIZ_DB": str(work / "quizzes.db")})


@pytest.fixture
def page(chromium_browser: Browser) -> Iterator[Page]:
    """A fresh browser tab (own cookies, hence own Streamlit session) per test."""
    context = chromium_browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    yield context.new_page()
    context.close()


def open_page(page: Page, url: str) -> None:
    """Load a page and wait until its script run has finished."""
    page.goto(url)
    expect(page.locator("h1").first).to_be_visible(timeout=30_000)
    settle(page)


def settle(page: Page) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator)."""
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=ANSWER_MS)


def wait_until_still(locator, timeout_ms: int = 5000, step_ms: int = 250) -> None:
    """Wait until an element stops changing size (e.g. an expander's opening animation)."""
    last = None
    for _ in range(timeout_ms // step_ms):
        box = locator.bounding_box()
        if box is not None and box == last:
            return
        last = box
        locator.page.wait_for_timeout(step_ms)


def ask(page: Page, question: str) -> None:
    """Type a question into the chat box and wait for the answer to replace the spinner."""
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    messages = page.get_by_test_id("stChatMessage")
    expect(messages).to_have_count(2, timeout=ANSWER_MS)
    # Every answer ends in cited passages and every refusal starts with a warning; until
    # one of them shows, the assistant message holds only a (possibly delayed) spinner.
    answer = messages.nth(1)
    done = answer.get_by_test_id("stExpander").or_(answer.get_by_test_id("stAlert"))
    expect(done.first).to_be_visible(timeout=ANSWER_MS)
    settle(page)
    errors = answer.get_by_test_id("stAlertContentError")  # the page's "回答问题时出错"
    assert errors.count() == 0, errors.all_inner_texts()


def test_question_gets_a_cited_answer(page: Page, app_url: str) -> None:
    open_page(page, app_url)
    ask(page, "谁负责推进城区铁路平交道口立交化改造?")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("平交道口立交化改造")
    citation = answer.get_by_test_id("stExpander").filter(has_text=PLAN_TITLE).first
    expect(citation).to_be_visible()
    citation.locator("summary").click()
    expect(citation).to_contain_text("004_d3794485e0af9f99.txt")
    # The chat scrolls inside a fixed-height container: make the window tall enough instead.
    page.set_viewport_size({"width": 1440, "height": 1400})
    wait_until_still(citation)  # the expander opens with an animation
    page.screenshot(path=DOCS / "screenshot-qa.png")


def test_out_of_scope_question_is_refused(page: Page, app_url: str) -> None:
    open_page(page, app_url)
    ask(page, "怎样申请办理出国护照?")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer.get_by_test_id("stAlertContentWarning")).to_have_count(1)
    expect(answer.locator("strong", has_text=RELATED_LABEL)).to_have_count(1)
    expect(answer.locator("strong").filter(has_text=re.compile(f"^{BASIS_LABEL}$"))) \
        .to_have_count(0)


def test_duty_page(page: Page, app_url: str) -> None:
    open_page(page, f"{app_url}/duties")
    expect(page.locator("h1").first).to_have_text("职责查询")
    table = page.get_by_test_id("stDataFrame")
    expect(table.locator("td").first).to_be_attached(timeout=30_000)  # rows drawn
    expect(page.get_by_role("button", name="下载 CSV")).to_be_visible()
    page.screenshot(path=DOCS / "screenshot-duties.png", full_page=True)


def test_upload_lists_the_new_document(page: Page, app_url: str, tmp_path: Path) -> None:
    upload = tmp_path / "电梯安全管理办法.txt"
    upload.write_text(UPLOAD_TEXT, encoding="utf-8")
    open_page(page, f"{app_url}/library")
    expect(page.get_by_text("共 2 份文档")).to_be_visible()
    expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(0)
    page.get_by_label("培训师名称").fill(TRAINER)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    settle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(upload)
    page.get_by_role("button", name="上传并入库").click()
    expect(page.get_by_text(f"{upload.name}：已入库")).to_be_visible(timeout=ANSWER_MS)
    settle(page)
    expect(page.get_by_text("共 3 份文档")).to_be_visible()
    table = page.get_by_test_id("stDataFrame")
    # st.dataframe draws on a canvas; its accessible <table> mirrors the visible cells.
    expect(table.locator("td", has_text=UPLOAD_TITLE)).to_have_count(1)
    page.screenshot(path=DOCS / "screenshot-library.png", full_page=True)
