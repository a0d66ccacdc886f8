"""测验管理 page (trainers): the quizzes so far, and a form to create a new one."""

from __future__ import annotations

import streamlit as st
from sqlite_utils import Database

import quizzes
from app_pages.common import escape_markdown
from app_pages.training import open_db, require_trainer, short
from quizzes import (
    DIFFICULTY_LABELS,
    TYPE_LABELS,
    DrawRule,
    FeedbackMode,
    Grading,
    Quiz,
    QuizError,
    QuizSettings,
    Status,
)

FIXED, RANDOM = "固定题目", "随机抽题"
GRADING_LABELS = {Grading.BEST: "最高分", Grading.FIRST: "首次作答", Grading.LAST: "最后一次"}
FEEDBACK_LABELS = {
    FeedbackMode.AFTER_SUBMIT: "交卷后显示答案和解析",
    FeedbackMode.IMMEDIATE: "每题作答后立即显示（答案随即锁定）",
}
CREATED = "quiz_created"
FORM_RUN = "quiz_form_run"


def quiz_rows(items: list[Quiz]) -> list[dict[str, object]]:
    """One table row per quiz with its settings in words."""
    rows = []
    for q in items:
        s = q.settings
        rows.append({
            "ID": q.id,
            "标题": q.title,
            "组卷": RANDOM if q.is_random else FIXED,
            "题数": q.question_count,
            "时间限制": f"{s.time_limit_s // 60} 分钟" if s.time_limit_s else "不限",
            "题目乱序": "是" if s.shuffle_questions else "否",
            "选项乱序": "是" if s.shuffle_options else "否",
            "作答次数": s.max_attempts or "不限",
            "计分": GRADING_LABELS[s.grading],
            "反馈": FEEDBACK_LABELS[s.feedback].split("（")[0],
            "及格线(%)": s.pass_percent,
        })
    return rows


def show_quizzes(db: Database) -> None:
    """The existing quizzes."""
    items = quizzes.list_quizzes(db)
    if not items:
        st.info("还没有测验。请在下方新建。")
        return
    st.dataframe(quiz_rows(items), hide_index=True, width="stretch")


def pick_fixed(db: Database, prefix: str) -> list[int]:
    """Approved questions picked for a fixed quiz, in the order picked."""
    approved = quizzes.list_questions(db, status=Status.APPROVED)
    if not approved:
        st.warning("题库中还没有已审核的题目。请先在「题库」页面审核或添加题目。")
        return []
    by_id = {q.id: q for q in approved}
    return st.multiselect(
        "题目（按选择顺序出题）", list(by_id), key=f"{prefix}_fixed",
        format_func=lambda i: f"{i}. [{TYPE_LABELS[by_id[i].qtype]}] {short(by_id[i].stem, 50)}",
        placeholder="选择已审核的题目",
    )


def draw_rule(db: Database, prefix: str) -> DrawRule:
    """How many approved questions to draw and from which categories, tags, levels, types."""
    count = st.number_input("抽题数量", 1, 500, 10, key=f"{prefix}_count")
    cols = st.columns(2)
    categories = cols[0].multiselect("分类（不选为全部）", quizzes.categories(db),
                                     key=f"{prefix}_categories")
    tags = cols[1].multiselect("标签（不选为全部）", quizzes.all_tags(db), key=f"{prefix}_tags")
    cols = st.columns(2)
    levels = cols[0].multiselect("难度（不选为全部）", list(DIFFICULTY_LABELS),
                                 key=f"{prefix}_levels",
                                 format_func=lambda d: f"{d} {DIFFICULTY_LABELS[d]}")
    types = cols[1].multiselect("题型（不选为全部）", list(TYPE_LABELS), key=f"{prefix}_types",
                                format_func=lambda t: TYPE_LABELS[t])
    return DrawRule(int(count), tuple(categories), tuple(tags), tuple(levels), tuple(types))


def settings_fields(prefix: str) -> QuizSettings:
    """Time limit, shuffling, attempts and which counts, feedback mode and pass mark."""
    cols = st.columns(3)
    minutes = cols[0].number_input("时间限制（分钟，0 为不限）", 0, 600, 0,
                                   key=f"{prefix}_minutes")
    attempts = cols[1].number_input("允许作答次数（0 为不限）", 0, 100, 1,
                                    key=f"{prefix}_attempts")
    grading = cols[2].selectbox("多次作答时计分", list(GRADING_LABELS), key=f"{prefix}_grading",
                                format_func=lambda g: GRADING_LABELS[g])
    cols = st.columns(3)
    shuffle_questions = cols[0].checkbox("题目乱序", key=f"{prefix}_shuffle_q")
    shuffle_options = cols[1].checkbox("选项乱序", key=f"{prefix}_shuffle_o")
    pass_percent = cols[2].number_input("及格线（得分率 %）", 0.0, 100.0, 60.0, 5.0,
                                        key=f"{prefix}_pass")
    feedback = st.radio("答案反馈", list(FEEDBACK_LABELS), key=f"{prefix}_feedback",
                        format_func=lambda f: FEEDBACK_LABELS[f], horizontal=True)
    return QuizSettings(
        time_limit_s=int(minutes) * 60 or None,
        shuffle_questions=shuffle_questions,
        shuffle_options=shuffle_options,
        max_attempts=int(attempts) or None,
        grading=grading,
        feedback=feedback,
        pass_percent=float(pass_percent),
    )


def create_form(db: Database) -> None:
    """Title, fixed list or random draw, settings, and the create button."""
    if created := st.session_state.pop(CREATED, None):
        st.success(escape_markdown(created), icon=":material/check_circle:")
    prefix = f"quiz_new_{st.session_state.setdefault(FORM_RUN, 0)}"
    title = st.text_input("测验标题", key=f"{prefix}_title", placeholder="例如：消防安全月考")
    mode = st.radio("组卷方式", [FIXED, RANDOM], horizontal=True, key=f"{prefix}_mode")
    ids, draw = ([], ()) if mode == RANDOM else (pick_fixed(db, prefix), ())
    if mode == RANDOM:
        draw = (draw_rule(db, prefix),)
    st.markdown("**测验设置**")
    settings = settings_fields(prefix)
    if not st.button("创建测验", type="primary", icon=":material/add:", key=f"{prefix}_create"):
        return
    try:
        quiz = quizzes.create_quiz(db, title, question_ids=ids, draw=draw, settings=settings)
    except QuizError as exc:
        st.error(escape_markdown(str(exc)), icon=":material/error:")
        return
    count = quiz.question_count
    st.session_state[CREATED] = f"已创建测验 {quiz.id}「{quiz.title}」，每次 {count} 道题。"
    st.session_state[FORM_RUN] += 1  # a fresh, empty form
    st.rerun()


st.title("测验管理")
require_trainer()
with open_db() as connection:
    st.subheader("全部测验")
    show_quizzes(connection)
    st.subheader("新建测验")
    create_form(connection)
