"""Shared UI for the training pages: database per run, trainer login, labels, tables, exports."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st
from sqlite_utils import Database

import quizzes
from app_pages.common import escape_markdown, markdown_text
from quizzes import (
    DIFFICULTY_LABELS,
    FLAG_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    AttemptResult,
    ItemStats,
    LeaderboardRow,
    Question,
    QuestionType,
    QuizResultRow,
    Trainer,
)

TRAINER = "train_trainer"  # session_state: the logged-in quizzes.Trainer
LETTERS = "ABCDEF"
CREATE_TRAINER_COMMAND = "python -m quizzes trainer add 名称 --password-stdin"
FIELD_LABELS = {
    "qtype": "题型", "stem": "题干", "key": "答案", "options": "选项", "explanation": "解析",
    "score": "分值", "category": "分类", "tags": "标签", "difficulty": "难度", "status": "状态",
}  # fmt: skip


@contextmanager
def open_db() -> Iterator[Database]:
    """A fresh quizzes connection for one script, fragment or callback run, closed afterwards.

    Connections are never kept in session state: Streamlit may run a session's next script
    run (or a download callable) on another thread.
    """
    with quizzes.connect() as db:
        yield db


def show_error(message: object) -> None:
    """An error box with the message as plain text (library messages quote user input)."""
    st.error(escape_markdown(str(message)), icon=":material/error:")


# ----- trainer login ----------------------------------------------------------------------


def current_trainer() -> Trainer | None:
    """The trainer logged in in this browser session, if any."""
    return st.session_state.get(TRAINER)


def _logout() -> None:
    st.session_state.pop(TRAINER, None)


def retry_message(retry_after_s: float) -> str:
    """The wait after too many wrong passwords, in whole seconds (at least 1)."""
    return f"尝试次数过多，请 {max(1, math.ceil(retry_after_s))} 秒后再试。"


def login_form(notice: str = "此页面仅限培训师使用，请先登录。") -> None:
    """The trainer login form; a right password stores the trainer and reruns the page."""
    st.info(notice, icon=":material/lock:")
    with st.form("train_login_form"):
        name = st.text_input("培训师名称", key="train_login_name")
        password = st.text_input("密码", type="password", key="train_login_password")
        submitted = st.form_submit_button("登录", type="primary", icon=":material/login:")
    st.caption(f"首个培训师账号由管理员在服务器上创建：`{CREATE_TRAINER_COMMAND}`")
    if not submitted:
        return
    if not name.strip() or not password:
        st.error("请填写培训师名称和密码。")
        return
    with open_db() as db:
        result = quizzes.verify_trainer(db, name, password)
    if result.ok and result.trainer is not None:
        st.session_state[TRAINER] = result.trainer
        st.rerun()
    message = "培训师名称或密码错误。"
    if result.retry_after_s > 0:
        message += retry_message(result.retry_after_s)
    st.error(message, icon=":material/error:")


def require_trainer() -> Trainer:
    """The logged-in trainer; otherwise only the login form is shown and the page stops.

    Call this first on every trainer page, before anything reads the database.
    """
    trainer = current_trainer()
    if trainer is None:
        login_form()
        st.stop()
        # st.stop() only returns outside a Streamlit script run (bare mode): never go on.
        raise RuntimeError("trainer login required")
    with st.sidebar:
        st.caption(f"培训师：{escape_markdown(trainer.name)}")
        st.button("退出登录", on_click=_logout, icon=":material/logout:", key="train_logout")
    return trainer


# ----- labels and text ---------------------------------------------------------------------


def option_label(index: int, text: str) -> str:
    """An option as Markdown: its letter and escaped text, e.g. ``A. 119``."""
    return f"{LETTERS[index]}. {escape_markdown(text)}"


def short(text: str, limit: int = 40) -> str:
    """One line of at most ``limit`` characters, for pickers (plain text)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def question_markdown(position: int, qtype: QuestionType, stem: str, score: float) -> str:
    """Heading line and escaped stem of a question shown to trainees."""
    points = f"{score:g} 分"
    return f"**第 {position + 1} 题**（{TYPE_LABELS[qtype]}，{points}）  \n{markdown_text(stem)}"


def options_markdown(options: Sequence[str]) -> str:
    """Options as escaped Markdown lines ``A. …``."""
    return "  \n".join(option_label(i, text) for i, text in enumerate(options))


def _zone() -> ZoneInfo | None:
    try:
        name = st.context.timezone
    except Exception:  # outside a browser session (tests)
        name = None
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_time(stamp: str | None) -> str:
    """A stored ISO-8601 UTC time in the browser's time zone, ``YYYY-MM-DD HH:MM``."""
    if not stamp:
        return ""
    moment = datetime.fromisoformat(stamp).astimezone(_zone())
    return moment.strftime("%Y-%m-%d %H:%M")


def epoch(stamp: str) -> float:
    """A stored ISO-8601 time as epoch seconds."""
    return datetime.fromisoformat(stamp).timestamp()


def local_datetime(stamp: str) -> datetime:
    """A stored ISO-8601 UTC time as a naive local datetime (for chart axes)."""
    return datetime.fromisoformat(stamp).astimezone(_zone()).replace(tzinfo=None)


def clock(seconds: float) -> str:
    """Seconds as ``MM:SS`` (or ``H:MM:SS``), rounded up, never negative."""
    total = max(0, math.ceil(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def problem_lines(problems: Iterable[tuple[str, str]]) -> str:
    """Question problems ``(field, message)`` as an escaped Markdown list in Chinese."""
    lines = []
    for field, message in problems:
        label = FIELD_LABELS.get(field, field)
        if field.startswith("option:"):
            label = f"选项 {field.split(':', 1)[1]}"
        lines.append(f"- {escape_markdown(label)}：{escape_markdown(message)}")
    return "\n".join(lines)


# ----- table rows (plain values: st.dataframe shows them as text) ---------------------------


def question_rows(questions: Iterable[Question]) -> list[dict[str, object]]:
    """Bank table rows: id, status, type, category, difficulty, stem, key, tags, source."""
    return [
        {
            "ID": q.id,
            "状态": STATUS_LABELS[q.status],
            "题型": TYPE_LABELS[q.qtype],
            "分类": q.category,
            "难度": DIFFICULTY_LABELS.get(q.difficulty or 0, ""),
            "分值": q.score,
            "题干": q.stem,
            "选项": " / ".join(f"{LETTERS[i]}. {o}" for i, o in enumerate(q.options)),
            "答案": q.key_text,
            "标签": "、".join(q.tags),
            "来源": " › ".join(p for p in (q.source_doc, q.source_section) if p),
        }
        for q in questions
    ]


def leaderboard_rows(rows: Iterable[LeaderboardRow]) -> list[dict[str, object]]:
    """Leaderboard table rows: rank, nickname, right answers, answered, time on right ones."""
    return [
        {
            "名次": r.rank,
            "昵称": r.nickname,
            "答对": r.correct,
            "已答": r.answered,
            "答对用时(秒)": round(r.total_time_ms / 1000, 1),
        }
        for r in rows
    ]


def attempt_rows(results: Iterable[AttemptResult]) -> list[dict[str, object]]:
    """A trainee's attempts: quiz, attempt number, time, score, percent, passed."""
    return [
        {
            "测验": r.quiz_title,
            "第几次": r.number,
            "提交时间": local_time(r.submitted_at),
            "得分": f"{r.score:g} / {r.max_score:g}",
            "得分率(%)": round(r.percent, 1),
            "及格": "是" if r.passed else "否",
        }
        for r in results
    ]


def quiz_result_rows(rows: Iterable[QuizResultRow]) -> list[dict[str, object]]:
    """Per-trainee quiz results (the attempt that counts)."""
    return [
        {
            "姓名": r.trainee_name,
            "工号": r.employee_no,
            "作答次数": r.attempts,
            "计分的作答": r.counted_attempt,
            "得分": f"{r.score:g} / {r.max_score:g}",
            "得分率(%)": round(r.percent, 1),
            "及格": "是" if r.passed else "否",
            "提交时间": local_time(r.submitted_at),
        }
        for r in rows
    ]


def item_rows(stats: Iterable[ItemStats]) -> list[dict[str, object]]:
    """Item analysis rows: question, n, facility F, discrimination D, flags."""
    return [
        {
            "题目ID": s.question_id,
            "题干": s.stem,
            "作答人数": s.n,
            "难度系数F": None if s.facility is None else round(s.facility, 1),
            "区分度D": None if s.discrimination is None else round(s.discrimination, 1),
            "提示": "；".join(FLAG_LABELS[f] for f in s.flags),
        }
        for s in stats
    ]


# ----- downloads ------------------------------------------------------------------------------


def export_bytes(rows: Sequence[object], kind: type, suffix: str) -> bytes:
    """Result records as the bytes of an .xlsx or .csv file (via quizzes.export_results)."""
    with tempfile.TemporaryDirectory(prefix="safety-quiz-export-") as tmp:
        path = Path(tmp) / f"results{suffix}"
        quizzes.export_results(rows, path, kind=kind)
        return path.read_bytes()


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def result_downloads(rows: Sequence[object], kind: type, name: str, key: str) -> None:
    """Two download buttons (.xlsx, .csv) for result records; files are made on click."""
    left, right = st.columns(2)
    rows = list(rows)
    left.download_button(
        "下载 Excel (.xlsx)",
        lambda: export_bytes(rows, kind, ".xlsx"),
        file_name=f"{name}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        icon=":material/download:",
        on_click="ignore",
    )
    right.download_button(
        "下载 CSV",
        lambda: export_bytes(rows, kind, ".csv"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        on_click="ignore",
    )

