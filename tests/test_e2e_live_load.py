"""Load, end to end: 50 phones join one live session on a real server and answer at once.

The trainer uses the real 现场答题 page in Chromium, and so do two of the phones. The other 48
phones are real Streamlit sessions on the same server too, each with its own websocket, but
driven by :class:`ProtocolPhone`, a small client speaking Streamlit's own protocol (BackMsg /
ForwardMsg) instead of a browser page. Measured on the 2-core machine: Chromium spends about
3 s of CPU loading the app and about 0.06 s per page per second following the 1-second poll
of 加入答题, so 50 real pages need about three cores just to keep up (a run with 50 pages,
on the machine busy with other jobs too, took over 6 minutes and timed out). The client does what the front end does (first run,
form submit, button clicks with their fragment, the fragment's ``run_every`` poll) and reads
the elements the server sends, so the server does the same work as for 50 real phones; only
the drawing is left out. The two browser phones check that a real page behaves the same.
"""

from __future__ import annotations

import asyncio
import csv
import io
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import websockets
from conftest import CHROMIUM, CHROMIUM_ARGS
from playwright.async_api import Browser, Locator, Page, async_playwright, expect
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

import quizzes
from quizzes import Question, QuestionType

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)")]

TRAINER, PASSWORD = "负载老师", "load-password-1"
QUIZ_TITLE = "五十人现场答题"
PARTICIPANTS = 50
# (question, the button a right answer presses, the button a wrong answer presses)
QUESTIONS = (
    (Question(QuestionType.SINGLE, "火灾报警电话是多少？", key="B", options=("110", "119", "120")),
     "B. 119", "A. 110"),
    (Question(QuestionType.TRUE_FALSE, "特种作业人员必须持证上岗。", key="对"), "正确", "错误"),
    (Question(QuestionType.SINGLE, "灭火器压力表指针在哪个区域表示压力正常？", key="C",
              options=("红色区域", "黄色区域", "绿色区域", "白色区域")),
     "C. 绿色区域", "A. 红色区域"),
)
WAIT_S = 90  # 50 sessions and a browser share two cores: be patient, not flaky
BROWSER_PHONES = (3, 10)  # participants on real pages: no right answer, and all three right
DESKTOP = {"width": 1440, "height": 1000}
PHONE = {"width": 390, "height": 844}
FINISHED, FRAGMENT_FINISHED = 0, 3  # ForwardMsg.ScriptFinishedStatus values


def nickname(i: int) -> str:
    """Participant i's nickname (1-based)."""
    return f"学员{i:02d}"


def answers_right(i: int, position: int) -> bool:
    """Participant i answers question ``position`` right by this rule: 0 to 3 right each."""
    return (i % 2 == 0, i % 3 != 0, i % 5 < 3)[position]


def expected_correct(i: int) -> int:
    """Right answers participant i ends with."""
    return sum(answers_right(i, p) for p in range(len(QUESTIONS)))


class ProtocolPhone:
    """One participant's browser tab as the server sees it: a websocket session.

    It keeps the elements of the page by delta path, as the front end does: a finished run
    drops what it did not redraw (a fragment run only inside its fragment). Texts of
    headings, Markdown, alerts, metrics and buttons are what the checks read.
    """

    def __init__(self, url: str, code: str) -> None:
        self.ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.query = f"code={code}"
        self.page_hash = ""
        self.elements: dict[tuple[int, ...], tuple[Element | None, str]] = {}
        self.touched: set[tuple[int, ...]] = set()
        self.run_fragments: list[str] = []
        self.pollers: dict[str, asyncio.Task[None]] = {}
        self.changed = asyncio.Condition()
        self.error: BaseException | None = None

    async def open(self) -> None:
        """Connect and run the page, as opening the join link ``/join?code=…`` does."""
        self.ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"],
                                           max_size=None, open_timeout=WAIT_S)
        self.reader = asyncio.create_task(self._read())
        await self._send(page_name="join")
        await self.wait_text("昵称")

    async def close(self) -> None:
        """Stop polling and close the websocket (the tab is closed)."""
        for task in [*self.pollers.values(), self.reader]:
            task.cancel()
        await self.ws.close()

    async def _send(self, widgets: dict[str, object] | None = None, *, fragment: str = "",
                    page_name: str = "", auto: bool = False) -> None:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = self.page_hash
        state.page_name = page_name
        state.fragment_id = fragment
        state.is_auto_rerun = auto
        for widget_id, value in (widgets or {}).items():
            widget = state.widget_states.widgets.add()
            widget.id = widget_id
            if value is True:
                widget.trigger_value = True
            else:
                widget.string_value = str(value)
        await self.ws.send(msg.SerializeToString())

    async def _poll(self, fragment: str, interval: float) -> None:
        while True:  # the front end's timer for st.fragment(run_every=...)
            await asyncio.sleep(interval)
            await self._send(fragment=fragment, auto=True)

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                await self._apply(msg)
        except websockets.ConnectionClosedOK:
            pass
        except BaseException as exc:  # surfaced by the next wait_text()
            self.error = exc
            async with self.changed:
                self.changed.notify_all()
            raise

    async def _apply(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":  # a script run starts
            self.run_fragments = list(msg.metadata.run.fragment_ids)
            self.touched = set()
            if not self.run_fragments:  # a full run: timers are set up again by the run
                for task in self.pollers.values():
                    task.cancel()
                self.pollers.clear()
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "auto_rerun":
            fragment = msg.auto_rerun.fragment_id
            if fragment not in self.pollers:
                self.pollers[fragment] = asyncio.create_task(
                    self._poll(fragment, msg.auto_rerun.interval))
        elif kind == "delta":
            path = tuple(msg.metadata.delta_path)
            element = msg.delta.new_element if msg.delta.WhichOneof("type") == "new_element" \
                else None
            self.elements[path] = (element, msg.delta.fragment_id)
            self.touched.add(path)
        elif kind == "script_finished":
            status = msg.script_finished
            if status in (FINISHED, FRAGMENT_FINISHED):
                fragments = set(self.run_fragments)
                for path, (_, fragment) in list(self.elements.items()):
                    stale = path not in self.touched
                    if stale and (status == FINISHED or fragment in fragments):
                        del self.elements[path]
        async with self.changed:  # the front end shows each element as it arrives
            self.changed.notify_all()

    def texts(self) -> list[str]:
        """The visible texts, in page order."""
        out = []
        for _, (element, _) in sorted(self.elements.items()):
            kind = element.WhichOneof("type") if element is not None else None
            if kind in ("heading", "markdown", "alert"):
                out.append(getattr(element, kind).body)
            elif kind == "metric":
                out.append(f"{element.metric.label}: {element.metric.body}")
            elif kind in ("button", "text_input"):
                out.append(getattr(element, kind).label)
        return out

    def widget(self, label: str) -> tuple[str, str]:
        """(widget id, fragment id) of the button or text box with this label."""
        for element, fragment in self.elements.values():
            kind = element.WhichOneof("type") if element is not None else None
            if kind in ("button", "text_input") and getattr(element, kind).label == label:
                return getattr(element, kind).id, fragment
        raise AssertionError(f"no widget {label!r} on the page: {self.texts()}")

    async def wait_text(self, text: str) -> None:
        """Wait until some element's text contains ``text``."""
        def shown() -> bool:
            if self.error is not None:
                raise self.error
            return any(text in t for t in self.texts())

        async with self.changed:
            try:
                await asyncio.wait_for(self.changed.wait_for(shown), WAIT_S)
            except TimeoutError:
                raise AssertionError(f"{text!r} not shown; the page shows {self.texts()}") \
                    from None

    async def wait_metric(self, label: str, value: str) -> None:
        """Wait until the metric with this label shows this value."""
        await self.wait_text(f"{label}: {value}")

    async def submit_form(self, values: dict[str, str], submit: str) -> None:
        """Type into the form's text boxes and press its submit button."""
        await self.wait_text(submit)
        widgets: dict[str, object] = {self.widget(label)[0]: v for label, v in values.items()}
        button_id, fragment = self.widget(submit)
        await self._send({**widgets, button_id: True}, fragment=fragment)

    async def click(self, label: str) -> None:
        """Press a button once it is shown (inside a fragment, only that fragment reruns)."""
        await self.wait_text(label)
        button_id, fragment = self.widget(label)
        await self._send({button_id: True}, fragment=fragment)


class BrowserPhone:
    """One participant on a real page in Chromium, with the same methods as ProtocolPhone."""

    def __init__(self, browser: Browser, url: str, code: str) -> None:
        self.browser, self.link = browser, f"{url}/join?code={code}"

    async def open(self) -> None:
        """Open the join link in a phone-sized page of its own (its own session)."""
        self.context = await self.browser.new_context(viewport=PHONE, locale="zh-CN",
                                                      is_mobile=True, has_touch=True)
        self.page = await self.context.new_page()
        await self.page.goto(self.link, timeout=WAIT_S * 1000)
        await expect(self.page.get_by_label("昵称")).to_be_visible(timeout=WAIT_S * 1000)
        # Typing during a script run could be lost when it re-renders the form.
        await expect(self.page.get_by_test_id("stStatusWidget")).to_have_count(
            0, timeout=WAIT_S * 1000)

    async def close(self) -> None:
        await self.context.close()

    async def wait_text(self, text: str) -> None:
        await expect(self.page.get_by_text(text).first).to_be_visible(timeout=WAIT_S * 1000)

    async def wait_metric(self, label: str, value: str) -> None:
        metric = self.page.get_by_test_id("stMetric").filter(has_text=label)
        await expect(metric.get_by_test_id("stMetricValue")).to_have_text(
            value, timeout=WAIT_S * 1000)

    async def submit_form(self, values: dict[str, str], submit: str) -> None:
        for label, value in values.items():
            await self.page.get_by_label(label).fill(value)
        await button(self.page, submit).click(timeout=WAIT_S * 1000)

    async def click(self, label: str) -> None:
        await button(self.page, label).click(timeout=WAIT_S * 1000)


Phone = ProtocolPhone | BrowserPhone


async def join(phone: Phone, i: int, code: str) -> None:
    """Participant i presses 加入 with their nickname and waits in the lobby."""
    await phone.submit_form({"加入码": code, "昵称": nickname(i)}, "加入")
    await phone.wait_text("已加入，等待培训师开始")


async def answer(phone: Phone, i: int, position: int) -> None:
    """Participant i taps their answer (the question is on the phone already)."""
    _, right, wrong = QUESTIONS[position]
    await phone.click(right if answers_right(i, position) else wrong)
    await phone.wait_text("已提交答案")


async def verdict(phone: Phone, i: int, position: int) -> None:
    """After the reveal, participant i's phone says whether their answer was right."""
    await phone.wait_text("回答正确" if answers_right(i, position) else "回答错误")


async def final_standing(phone: Phone, i: int, rank: int) -> None:
    """The phone's final page shows the participant's rank and right answers."""
    await phone.wait_text("答题结束")
    await phone.wait_metric("我的名次", f"{rank} / {PARTICIPANTS}")
    await phone.wait_metric("答对", f"{expected_correct(i)} 题")


async def everyone(step: Callable[..., object], phones: dict[int, Phone], *args: object) -> float:
    """Run one step on every phone at once; return the seconds it took."""
    started = time.monotonic()
    await asyncio.gather(*(step(phone, i, *args) for i, phone in phones.items()))
    return time.monotonic() - started


def note(timings: dict[str, float], step: str, seconds: float) -> None:
    """Record how long a step took, and print it at once (shown with ``pytest -s``)."""
    timings[step] = seconds
    print(f"{step}: {seconds:.1f} s", flush=True)


def button(page: Page, label: str) -> Locator:
    """The one button whose accessible name contains label (icons add their own text)."""
    return page.get_by_role("button", name=label)


@pytest.fixture(scope="module")
def server(start_streamlit: Callable[[dict[str, str]], str],
           tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The app on a fresh database with a trainer and a three-question quiz."""
    work = tmp_path_factory.mktemp("e2e-live-load")
    db_path, kb_dir = work / "quizzes.db", work / "kb"
    kb_dir.mkdir()
    with quizzes.connect(db_path) as db:
        quizzes.add_trainer(db, TRAINER, PASSWORD)
        ids = [quizzes.add_question(db, replace(q, status="approved")).id
               for q, _, _ in QUESTIONS]
        quizzes.create_quiz(db, QUIZ_TITLE, question_ids=ids)
    env = {"SAFETY_QUIZ_DB": str(db_path), "SAFETY_KB_DIR": str(kb_dir),
           # No reloading on file changes (a deployed server has none): other jobs writing
           # into the repo meanwhile would otherwise cost the server CPU under load.
           "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}
    return start_streamlit(env), db_path


async def live_session(url: str, db_path: Path, timings: dict[str, float]) -> str:
    """The whole session, trainer in Chromium and 50 phones; returns the exported CSV."""
    wait_ms = WAIT_S * 1000
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                   args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport=DESKTOP, locale="zh-CN")
        host = await context.new_page()
        await host.goto(f"{url}/train_live", timeout=wait_ms)
        await expect(host.get_by_label("培训师名称")).to_be_visible(timeout=wait_ms)
        await expect(host.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=wait_ms)
        await host.get_by_label("培训师名称").fill(TRAINER)
        await host.get_by_label("密码").fill(PASSWORD)
        await button(host, "登录").click()
        await button(host, "开启现场答题").click(timeout=wait_ms)
        await expect(host.get_by_text("已加入 0 人")).to_be_visible(timeout=wait_ms)
        with quizzes.connect(db_path) as db:
            [session] = quizzes.list_live_sessions(db)
        code = session.join_code

        # 50 phones open the join link (?code=), then all press 加入 at once.
        phones: dict[int, Phone] = {
            i: BrowserPhone(browser, url, code) if i in BROWSER_PHONES
            else ProtocolPhone(url, code) for i in range(1, PARTICIPANTS + 1)}
        started = time.monotonic()
        await asyncio.gather(*(phone.open() for phone in phones.values()))
        note(timings, "50 phones open the join link", time.monotonic() - started)
        note(timings, "50 phones join at once", await everyone(join, phones, code))
        await expect(host.get_by_text(f"已加入 {PARTICIPANTS} 人")).to_be_visible(timeout=wait_ms)
        listed = await host.get_by_text(nickname(1)).inner_text()  # one line, in joining order
        assert sorted(listed.split("　")) == [nickname(i) for i in range(1, PARTICIPANTS + 1)]

        for position, (question, _, _) in enumerate(QUESTIONS):
            await button(host, "开始" if position == 0 else "下一题").click(timeout=wait_ms)
            started = time.monotonic()
            await asyncio.gather(*(p.wait_text(question.stem) for p in phones.values()))
            note(timings, f"question {position + 1} reaches 50 phones",
                 time.monotonic() - started)
            note(timings, f"question {position + 1}: 50 answers at once",
                 await everyone(answer, phones, position))
            await expect(host.get_by_text(f"{PARTICIPANTS} / {PARTICIPANTS}")).to_be_visible(
                timeout=wait_ms)
            await button(host, "公布答案").click(timeout=wait_ms)
            right = sum(answers_right(i, position) for i in phones)
            await expect(host.get_by_text(f"{right} / {PARTICIPANTS} 人答对")).to_be_visible(
                timeout=wait_ms)
            note(timings, f"question {position + 1}: 50 verdicts",
                 await everyone(verdict, phones, position))
        await button(host, "查看最终排名").click(timeout=wait_ms)
        await expect(host.get_by_text("最终排名")).to_be_visible(timeout=wait_ms)

        with quizzes.connect(db_path) as db:
            ranks = {r.nickname: r.rank for r in quizzes.live_leaderboard(db, session.id)}
        started = time.monotonic()
        await asyncio.gather(*(final_standing(phone, i, ranks[nickname(i)])
                               for i, phone in phones.items()))
        note(timings, "50 final pages", time.monotonic() - started)
        await asyncio.gather(*(phone.close() for phone in phones.values()))

        # The trainer's 统计 page exports the leaderboard of the session.
        await host.get_by_test_id("stSidebarNav").get_by_role("link", name="统计").click()
        await host.get_by_role("tab", name="现场答题").click(timeout=wait_ms)
        panel = host.get_by_role("tabpanel", name="现场答题")
        async with host.expect_download(timeout=wait_ms) as download_info:
            await panel.get_by_role("button", name="下载 CSV").click(timeout=wait_ms)
        download = await download_info.value
        exported = Path(await download.path()).read_text(encoding="utf-8-sig")
        await browser.close()
    return exported


def test_fifty_participants_join_and_answer_at_once(server: tuple[str, Path]) -> None:
    url, db_path = server
    timings: dict[str, float] = {}
    started = time.monotonic()
    exported = asyncio.run(live_session(url, db_path, timings))
    note(timings, "whole session", time.monotonic() - started)

    expected = {nickname(i): expected_correct(i) for i in range(1, PARTICIPANTS + 1)}
    assert sorted(set(expected.values())) == [0, 1, 2, 3]  # the leaderboard is not trivial
    with quizzes.connect(db_path) as db:
        [session] = quizzes.list_live_sessions(db)
        board = quizzes.live_leaderboard(db, session.id)
        stored = db.conn.execute("SELECT count(*) FROM live_responses").fetchone()[0]
    assert stored == PARTICIPANTS * len(QUESTIONS)
    assert sorted(r.nickname for r in board) == sorted(expected)  # each listed exactly once
    assert {r.nickname: r.correct for r in board} == expected
    assert all(r.answered == len(QUESTIONS) for r in board)
    assert [r.correct for r in board] == sorted(expected.values(), reverse=True)

    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == PARTICIPANTS
    assert {row["昵称"]: int(row["答对题数"]) for row in rows} == expected
    assert [row["昵称"] for row in rows] == [r.nickname for r in board]
