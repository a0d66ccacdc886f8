"""统计 page (trainers): results per quiz and live session, trainee history, item analysis."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlite_utils import Database

import quizzes
from app_pages.training import (
    attempt_rows,
    item_rows,
    leaderboard_rows,
    local_datetime,
    local_time,
    open_db,
    quiz_result_rows,
    require_trainer,
    result_downloads,
)
from quizzes import AttemptResult, ItemStats, LeaderboardRow, QuizResultRow

PHASES = {"lobby": "等待开始", "question": "进行中", "reveal": "进行中", "finished": "已结束"}


def pick_quiz(db: Database, key: str) -> int | None:
    """A quiz picker; None when there are no quizzes."""
    items = quizzes.list_quizzes(db)
    if not items:
        st.info("还没有测验。")
        return None
    labels = {q.id: f"{q.id}. {q.title}" for q in items}
    return st.selectbox("测验", list(labels), format_func=labels.get, key=key)


def quiz_tab(db: Database) -> None:
    """Each trainee's counted result for one quiz, a chart, and downloads."""
    quiz_id = pick_quiz(db, "stats_quiz")
    if quiz_id is None:
        return
    quizzes.close_expired_attempts(db)  # attempts whose time ran out count as handed in
    rows = quizzes.quiz_results(db, quiz_id)
    if not rows:
        st.caption("还没有学员交卷。")
        return
    passed = sum(r.passed for r in rows)
    cols = st.columns(3)
    cols[0].metric("交卷人数", len(rows))
    cols[1].metric("及格率", f"{100 * passed / len(rows):.0f}%")
    cols[2].metric("平均得分率", f"{sum(r.percent for r in rows) / len(rows):.1f}%")
    st.dataframe(quiz_result_rows(rows), hide_index=True, width="stretch")
    chart = pd.DataFrame({"学员": [f"{r.trainee_name}（{r.employee_no}）" for r in rows],
                          "得分率(%)": [round(r.percent, 1) for r in rows]})
    st.bar_chart(chart, x="学员", y="得分率(%)", horizontal=True, sort=False)
    result_downloads(rows, QuizResultRow, f"测验{quiz_id}成绩", "stats_quiz_dl")
    every = quizzes.quiz_attempts(db, quiz_id)
    with st.expander(f"全部作答记录（{len(every)} 次）"):
        st.dataframe(attempt_rows(every), hide_index=True, width="stretch")
        result_downloads(every, AttemptResult, f"测验{quiz_id}全部作答", "stats_attempts_dl")


def items_tab(db: Database) -> None:
    """Facility and discrimination of each question of a quiz, with flags."""
    quiz_id = pick_quiz(db, "stats_items_quiz")
    if quiz_id is None:
        return
    stats = quizzes.quiz_item_analysis(db, quiz_id)
    if not stats:
        st.caption("还没有学员交卷。")
        return
    st.caption("基于每位学员的首次作答。难度系数 F = 平均得分 ÷ 满分 × 100（越高越容易）；"
               "区分度 D = 本题得分与其余题目得分的相关系数 × 100。"
               "F > 95 过易、F < 20 过难、D < 30 区分度低的题目会被标出。")
    rows = item_rows(stats)
    flagged = sum(1 for s in stats if s.flags)
    if flagged:
        st.warning(f"{flagged} 道题需要留意（见「提示」列）。", icon=":material/flag:")
    st.dataframe(rows, hide_index=True, width="stretch")
    chart = pd.DataFrame({"题目": [f"题{s.question_id}" for s in stats],
                          "难度系数F": [s.facility or 0.0 for s in stats],
                          "区分度D": [s.discrimination or 0.0 for s in stats]})
    st.bar_chart(chart, x="题目", y=["难度系数F", "区分度D"], stack=False, sort=False,
                 height=280)
    result_downloads(stats, ItemStats, f"测验{quiz_id}题目分析", "stats_items_dl")


def live_tab(db: Database) -> None:
    """The leaderboard of a live session, with a chart and downloads."""
    sessions = quizzes.list_live_sessions(db)
    if not sessions:
        st.info("还没有现场答题记录。")
        return
    labels = {s.id: f"{local_time(s.created_at)} · {s.quiz_title} · 加入码 {s.join_code}"
                    f"（{PHASES[s.phase]}）" for s in sessions}
    session_id = st.selectbox("现场答题", list(labels), format_func=labels.get,
                              key="stats_live")
    board = quizzes.live_session_results(db, session_id)
    if not board:
        st.caption("没有学员参加。")
        return
    st.dataframe(leaderboard_rows(board), hide_index=True, width="stretch")
    chart = pd.DataFrame({"昵称": [r.nickname for r in board], "答对": [r.correct for r in board]})
    st.bar_chart(chart, x="昵称", y="答对", horizontal=True, sort=False)
    result_downloads(board, LeaderboardRow, f"现场答题{session_id}排名", "stats_live_dl")


def trainee_tab(db: Database) -> None:
    """One trainee's attempts over time as a table and a line chart."""
    trainees = quizzes.list_trainees(db)
    if not trainees:
        st.info("还没有学员记录。")
        return
    by_id = {t.id: t for t in trainees}
    picked = st.selectbox("学员", list(by_id), key="stats_trainee",
                          format_func=lambda i: f"{by_id[i].name}（{by_id[i].employee_no}）")
    history = quizzes.trainee_history(db, by_id[picked])
    if not history:
        st.caption("该学员还没有交卷记录。")
        return
    chart = pd.DataFrame({
        "时间": [local_datetime(r.submitted_at or r.started_at) for r in history],
        "得分率(%)": [round(r.percent, 1) for r in history],
        "测验": [r.quiz_title for r in history],
    })
    st.line_chart(chart, x="时间", y="得分率(%)", color="测验", height=280)
    st.dataframe(attempt_rows(history), hide_index=True, width="stretch")
    result_downloads(history, AttemptResult, f"学员{picked}作答记录", "stats_trainee_dl")


st.title("统计")
require_trainer()
quiz_t, items_t, live_t, trainee_t = st.tabs(["测验成绩", "题目分析", "现场答题", "学员记录"])
with open_db() as connection:
    with quiz_t:
        quiz_tab(connection)
    with items_t:
        items_tab(connection)
    with live_t:
        live_tab(connection)
    with trainee_t:
        trainee_tab(connection)
