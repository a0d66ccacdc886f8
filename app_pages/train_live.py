"""现场答题 page (trainer host): open a live session, show the join code, lead the questions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import quizzes
from app_pages.common import escape_markdown, markdown_text
from app_pages.training import (
    leaderboard_rows,
    open_db,
    options_markdown,
    require_trainer,
    show_error,
)
from quizzes import LeaderboardRow, LivePhase, LiveSession, NotFound, QuizError

SESSION = "live_host_session"  # session_state: id of the live session this trainer hosts
ERROR = "live_host_error"
JOIN_PATH = "join"  # url_path of the 加入答题 page in app.py
POLL = "2s"
PHASE_LABELS = {
    LivePhase.LOBBY: "等待学员加入",
    LivePhase.QUESTION: "答题中",
    LivePhase.REVEAL: "已公布答案",
    LivePhase.FINISHED: "已结束",
}


def join_url(code: str) -> str:
    """The participants' join link, next to this page (``…/join?code=123456``)."""
    try:
        here = st.context.url or ""
    except Exception:  # no browser (tests)
        here = ""
    base = here.rsplit("/", 1)[0] if "://" in here else ""
    return f"{base}/{JOIN_PATH}?code={code}"


def act(session_id: int, action: str, seen: tuple[LivePhase, int]) -> None:
    """Button callback: move the session on (next question, reveal, finish).

    seen is the state the button was drawn for, so a press delivered twice acts once.
    """
    steps = {
        "next": quizzes.next_live_question,
        "reveal": quizzes.reveal_live_question,
        "finish": quizzes.finish_live_session,
    }
    try:
        with open_db() as db:
            steps[action](db, session_id, seen=seen)
    except QuizError as exc:  # e.g. two trainer tabs pressing at once
        st.session_state[ERROR] = str(exc)


def choose_session() -> None:
    """Pick a quiz and open a session for it, or resume a running one."""
    with open_db() as db:
        items = quizzes.list_quizzes(db)
        running = [s for s in quizzes.list_live_sessions(db) if s.phase != LivePhase.FINISHED]
    if not items:
        st.info("还没有测验。请先在「测验管理」页面创建测验。")
        return
    labels = {q.id: f"{q.id}. {q.title}（{q.question_count} 题）" for q in items}
    quiz_id = st.selectbox("选择测验", list(labels), key="live_quiz", format_func=labels.get)
    if st.button("开启现场答题", type="primary", icon=":material/podium:"):
        try:
            with open_db() as db:
                session = quizzes.open_live_session(db, quiz_id)
        except QuizError as exc:
            show_error(exc)
            return
        st.session_state[SESSION] = session.id
        st.rerun()
    if running:
        st.subheader("进行中的现场答题")
        labels = {s.id: f"加入码 {s.join_code} · {s.quiz_title}（{PHASE_LABELS[s.phase]}）"
                  for s in running}
        resume = st.selectbox("继续主持", list(labels), format_func=labels.get, key="live_resume")
        if st.button("继续主持", icon=":material/play_arrow:"):
            st.session_state[SESSION] = resume
            st.rerun()


def show_code(session: LiveSession) -> None:
    """The big join code and the join link."""
    st.markdown(f"# 加入码　:blue[{session.join_code}]")
    st.caption("学员用手机打开下面的链接（或打开「加入答题」页面输入加入码）并填写昵称：")
    st.code(join_url(session.join_code), language=None)


def show_participants(names: list[str]) -> None:
    """Who has joined so far, in joining order."""
    st.markdown(f"**已加入 {len(names)} 人**")
    if names:
        st.markdown("　".join(escape_markdown(n) for n in names))
    else:
        st.caption("等待学员加入…")


def controls(session: LiveSession) -> None:
    """开始 / 公布答案 / 下一题 / 结束, as the phase allows."""
    sid, seen = session.id, (session.phase, session.current_index)
    cols = st.columns(3)
    last = session.current_index + 1 >= session.question_count
    if session.phase == LivePhase.LOBBY:
        cols[0].button("开始", type="primary", on_click=act, args=(sid, "next", seen),
                       icon=":material/play_arrow:", key="live_start")
    elif session.phase == LivePhase.QUESTION:
        cols[0].button("公布答案", type="primary", on_click=act, args=(sid, "reveal", seen),
                       icon=":material/visibility:", key="live_reveal")
    elif session.phase == LivePhase.REVEAL:
        label = "查看最终排名" if last else "下一题"
        cols[0].button(label, type="primary", on_click=act, args=(sid, "next", seen),
                       icon=":material/skip_next:", key="live_next")
    cols[2].button("结束", on_click=act, args=(sid, "finish", seen), icon=":material/stop:",
                   key="live_finish")


def show_leaderboard(board: list[LeaderboardRow], title: str) -> None:
    """A ranking: more right answers first, ties broken by the time spent on them."""
    st.subheader(title)
    if board:
        st.dataframe(leaderboard_rows(board), hide_index=True, width="stretch")
    else:
        st.caption("没有学员参加。")


@st.fragment(run_every=POLL)
def host_panel(session_id: int) -> None:
    """Everything that changes while the session runs; reruns itself every few seconds."""
    with open_db() as db:
        session = quizzes.get_live_session(db, session_id)
        if session.phase == LivePhase.FINISHED:
            st.rerun()  # the whole page then shows the final ranking, without polling
        board = quizzes.live_leaderboard(db, session_id)
        question = quizzes.current_live_question(db, session_id)
        reveal = quizzes.live_reveal(db, session_id) if session.phase == LivePhase.REVEAL else None
        answered_now = 0
        if session.phase == LivePhase.QUESTION:
            before = quizzes.live_leaderboard(db, session_id,
                                              through_position=session.current_index - 1)
            answered_now = sum(r.answered for r in board) - sum(r.answered for r in before)
    if message := st.session_state.pop(ERROR, None):
        show_error(message)
    status = PHASE_LABELS[session.phase]
    if question is not None:
        status += f" · 第 {session.current_index + 1} / {session.question_count} 题"
    st.markdown(f"**{escape_markdown(session.quiz_title)}** · {status}")
    show_code(session)
    controls(session)
    if session.phase == LivePhase.LOBBY:
        show_participants([r.nickname for r in sorted(board, key=lambda r: r.participant_id)])
    if question is not None:
        with st.container(border=True):
            st.markdown(f"### 第 {question.position + 1} 题")
            st.markdown(markdown_text(question.stem))
            if question.options:
                st.markdown(options_markdown(question.options))
        if session.phase == LivePhase.QUESTION:
            st.metric("已作答", f"{answered_now} / {len(board)}")
    if reveal is not None:
        st.success(f"正确答案：{escape_markdown(reveal.key)}", icon=":material/check_circle:")
        if reveal.explanation:
            st.markdown(f"**解析**：{markdown_text(reveal.explanation)}")
        st.caption(f"{reveal.correct_count} / {len(board)} 人答对")
        if reveal.answer_counts:
            counts = pd.DataFrame(sorted(reveal.answer_counts.items()), columns=["答案", "人数"])
            st.bar_chart(counts, x="答案", y="人数", horizontal=True, sort=False)
        show_leaderboard(board, "当前排名")


def show_final(session: LiveSession) -> None:
    """The finished session's ranking (static: nothing changes any more)."""
    with open_db() as db:
        board = quizzes.live_leaderboard(db, session.id)
    st.markdown(f"**{escape_markdown(session.quiz_title)}** · {PHASE_LABELS[session.phase]}")
    show_leaderboard(board, "最终排名")
    if st.button("再开一场", icon=":material/refresh:"):
        st.session_state.pop(SESSION, None)
        st.rerun()


st.title("现场答题")
require_trainer()
hosted = st.session_state.get(SESSION)
if hosted is None:
    choose_session()
else:
    try:
        with open_db() as connection:
            hosted_session = quizzes.get_live_session(connection, hosted)
    except NotFound:  # e.g. the database was replaced
        st.session_state.pop(SESSION, None)
        st.rerun()
    if hosted_session.phase == LivePhase.FINISHED:
        show_final(hosted_session)
    else:
        host_panel(hosted)
