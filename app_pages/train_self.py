"""自助测验 page (trainees, no login): identify, take a quiz against the clock, see own results."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st
from sqlite_utils import Database

import quizzes
from app_pages.common import escape_markdown, markdown_text
from app_pages.training import (
    LETTERS,
    attempt_rows,
    clock,
    epoch,
    local_datetime,
    open_db,
    option_label,
    options_markdown,
    question_markdown,
    show_error,
)
from quizzes import (
    Answer,
    Attempt,
    Feedback,
    FeedbackMode,
    NotFound,
    QuestionType,
    Quiz,
    QuizError,
    Trainee,
    TraineeQuestion,
)
from quizzes.attempts import GRACE_S

TRAINEE = "self_trainee"  # session_state: the identified quizzes.Trainee
ATTEMPT = "self_attempt"  # session_state: id of the attempt on screen
FEEDBACK = "self_feedback"  # session_state: {question id: Feedback} (immediate mode)
MESSAGE = "self_message"
CLOCK = "self_clock"  # session_state: {attempt id: time of the last answer, or of the start}
TRUE_FALSE = ("正确", "错误")
FEEDBACK_WORDS = {FeedbackMode.IMMEDIATE: "每题作答后显示对错和解析",
                  FeedbackMode.AFTER_SUBMIT: "交卷后显示答案和解析"}  # fmt: skip


# ----- who is taking the quiz -----------------------------------------------------------


def identify_form() -> None:
    """Name and employee number; the first visit registers the trainee."""
    st.info("请输入姓名和工号。首次使用时自动登记，以后请使用相同的姓名和工号。",
            icon=":material/badge:")
    with st.form("self_identify"):
        name = st.text_input("姓名", key="self_name")
        number = st.text_input("工号", key="self_number")
        submitted = st.form_submit_button("开始", type="primary", icon=":material/login:")
    if not submitted:
        return
    try:
        with open_db() as db:
            trainee = quizzes.identify_trainee(db, name, number)
    except QuizError as exc:
        show_error(exc)
        return
    st.session_state[TRAINEE] = trainee
    st.rerun()


def _switch_trainee() -> None:
    for key in (TRAINEE, ATTEMPT, FEEDBACK):
        st.session_state.pop(key, None)


def trainee_bar(trainee: Trainee) -> None:
    """Who is signed in, and a button to change."""
    left, right = st.columns([3, 1])
    name, number = escape_markdown(trainee.name), escape_markdown(trainee.employee_no)
    left.markdown(f"学员：**{name}**（工号 {number}）")
    right.button("切换学员", on_click=_switch_trainee, icon=":material/switch_account:")


# ----- choosing a quiz and history ------------------------------------------------------


def describe(quiz: Quiz) -> str:
    """A quiz's rules in one line of Markdown."""
    s = quiz.settings
    limit = f"限时 {s.time_limit_s // 60} 分钟" if s.time_limit_s else "不限时"
    attempts = f"可作答 {s.max_attempts} 次" if s.max_attempts else "作答次数不限"
    return (f"{quiz.question_count} 道题 · {limit} · {attempts} · 及格线 {s.pass_percent:g}% · "
            f"{FEEDBACK_WORDS[s.feedback]}")


def choose_quiz(db: Database, trainee: Trainee) -> None:
    """Pick a quiz and start (or resume) an attempt."""
    items = quizzes.list_quizzes(db)
    if not items:
        st.info("目前没有可参加的测验。")
        return
    labels = {q.id: q.title for q in items}
    quiz_id = st.selectbox("选择测验", list(labels), format_func=labels.get, key="self_quiz")
    st.caption(describe(next(q for q in items if q.id == quiz_id)))
    if st.button("开始作答", type="primary", icon=":material/edit_note:"):
        try:
            attempt = quizzes.start_attempt(db, quiz_id, trainee)
        except QuizError as exc:
            show_error(exc)
            return
        st.session_state[ATTEMPT] = attempt.id
        st.session_state[FEEDBACK] = {}
        st.rerun()


def show_history(db: Database, trainee: Trainee) -> None:
    """This trainee's own submitted attempts, and a chart of them over time."""
    history = quizzes.trainee_history(db, trainee)
    if not history:
        st.caption("还没有作答记录。")
        return
    st.dataframe(attempt_rows(history), hide_index=True, width="stretch")
    if len(history) > 1:
        chart = pd.DataFrame({
            "时间": [local_datetime(r.submitted_at or r.started_at) for r in history],
            "得分率(%)": [round(r.percent, 1) for r in history],
            "测验": [r.quiz_title for r in history],
        })
        st.line_chart(chart, x="时间", y="得分率(%)", color="测验", height=260)


# ----- taking the quiz ------------------------------------------------------------------


def widget_key(attempt_id: int, question_id: int) -> str:
    """Session-state key of the answer widget of one question."""
    return f"self_a{attempt_id}_q{question_id}"


def current_answer(key: str, question: TraineeQuestion) -> str:
    """What the widget of a question holds, in the letters/words the trainee sees."""
    if question.qtype == QuestionType.MULTIPLE:
        return "".join(LETTERS[i] for i in range(len(question.options))
                       if st.session_state.get(f"{key}_{i}"))
    value = st.session_state.get(key)
    if value is None:
        return ""
    if question.qtype == QuestionType.SINGLE:
        return LETTERS[value]
    return str(value).strip()


def elapsed_ms(attempt_id: int) -> int:
    """Milliseconds since the trainee's previous answer (or the start), and restart the clock.

    Every answer event is timed, so time spent on a question adds up across changes.
    """
    clocks = st.session_state.setdefault(CLOCK, {})
    now = time.monotonic()
    started = clocks.get(attempt_id, now)
    clocks[attempt_id] = now
    return int((now - started) * 1000)


def save_answer(attempt_id: int, question: TraineeQuestion) -> None:
    """Widget callback (after-submit mode): store the answer as it changes (kept if time ends)."""
    given = current_answer(widget_key(attempt_id, question.question_id), question)
    if not given:
        return
    try:
        with open_db() as db:
            quizzes.answer_question(db, attempt_id, question.question_id, given,
                                    time_ms=elapsed_ms(attempt_id))
    except QuizError as exc:
        st.session_state[MESSAGE] = str(exc)


def confirm_answer(attempt_id: int, question: TraineeQuestion) -> None:
    """Button callback (immediate mode): answer for good and keep the feedback to show."""
    given = current_answer(widget_key(attempt_id, question.question_id), question)
    if not given:
        st.session_state[MESSAGE] = "请先作答"
        return
    try:
        with open_db() as db:
            feedback = quizzes.answer_question(db, attempt_id, question.question_id, given,
                                               time_ms=elapsed_ms(attempt_id))
    except QuizError as exc:
        st.session_state[MESSAGE] = str(exc)
        return
    if feedback is not None:
        st.session_state.setdefault(FEEDBACK, {})[question.question_id] = feedback


def submit(attempt_id: int, questions: list[TraineeQuestion]) -> None:
    """交卷: store what the widgets hold and submit in one step; after the time, just close."""
    answers = []
    for q in questions:
        if q.question_id in st.session_state.get(FEEDBACK, {}):
            continue  # immediate mode: already final
        given = current_answer(widget_key(attempt_id, q.question_id), q)
        if given:
            answers.append(Answer(q.question_id, given, time_ms=elapsed_ms(attempt_id)))
    try:
        with open_db() as db:
            try:
                quizzes.submit_attempt(db, attempt_id, answers)
            except QuizError as exc:
                if not quizzes.get_attempt(db, attempt_id).is_open:
                    return  # submitted already (another tab, or the timer)
                quizzes.submit_attempt(db, attempt_id)  # time is up: close with saved answers
                st.session_state[MESSAGE] = f"{exc}。已按时间到时保存的答案交卷。"
    except QuizError as exc:
        st.session_state[MESSAGE] = str(exc)


def answer_widget(attempt: Attempt, question: TraineeQuestion, immediate: bool,
                  locked: bool) -> None:
    """The input for one question, prefilled with the stored answer."""
    key = widget_key(attempt.id, question.question_id)
    change = None if immediate else save_answer
    args = (attempt.id, question)
    given = question.given or ""
    if question.qtype == QuestionType.SINGLE:
        if key not in st.session_state and given:
            st.session_state[key] = LETTERS.index(given)
        st.radio("选择答案", range(len(question.options)), index=None, key=key,
                 format_func=lambda i: option_label(i, question.options[i]),
                 label_visibility="collapsed", disabled=locked, on_change=change, args=args)
    elif question.qtype == QuestionType.MULTIPLE:
        for i, text in enumerate(question.options):
            box = f"{key}_{i}"
            if box not in st.session_state:
                st.session_state[box] = LETTERS[i] in given
            st.checkbox(option_label(i, text), key=box, disabled=locked, on_change=change,
                        args=args)
    elif question.qtype == QuestionType.TRUE_FALSE:
        if key not in st.session_state and given:
            st.session_state[key] = given
        st.radio("判断", TRUE_FALSE, index=None, key=key, horizontal=True,
                 label_visibility="collapsed", disabled=locked, on_change=change, args=args)
    else:
        if key not in st.session_state:
            st.session_state[key] = given
        st.text_input("填写答案", key=key, disabled=locked, on_change=change, args=args,
                      label_visibility="collapsed", placeholder="填写答案后按回车")


def show_feedback(feedback: Feedback) -> None:
    """Right or wrong, the key and the explanation (after answering, immediate mode)."""
    if feedback.correct:
        st.success("回答正确", icon=":material/check_circle:")
    else:
        st.error(f"回答错误。正确答案：{escape_markdown(feedback.key)}", icon=":material/cancel:")
    if feedback.explanation:
        st.caption(f"解析：{markdown_text(feedback.explanation)}")


@st.fragment(run_every="1s")
def countdown(attempt_id: int, deadline: float, questions: list[TraineeQuestion]) -> None:
    """Remaining time, refreshed every second; at zero the attempt is handed in."""
    left = deadline - time.time()
    if left > 0:
        st.markdown(f"### :material/timer: 剩余时间 {clock(left)}")
        return
    submit(attempt_id, questions)
    with open_db() as db:
        closed = not quizzes.get_attempt(db, attempt_id).is_open
    if closed:
        st.rerun()
    st.warning("答题时间已到。", icon=":material/timer_off:")


def take_quiz(db: Database, attempt: Attempt) -> None:
    """Questions without keys, one answer input each, and the 交卷 button."""
    quiz = quizzes.get_quiz(db, attempt.quiz_id)
    questions = quizzes.attempt_questions(db, attempt.id)  # no keys, no explanations
    st.session_state.setdefault(CLOCK, {}).setdefault(attempt.id, time.monotonic())
    immediate = quiz.settings.feedback == FeedbackMode.IMMEDIATE
    feedbacks: dict[int, Feedback] = st.session_state.setdefault(FEEDBACK, {})
    st.subheader(escape_markdown(quiz.title))
    st.caption(describe(quiz))
    if attempt.deadline_at:
        countdown(attempt.id, epoch(attempt.deadline_at), questions)
    if message := st.session_state.pop(MESSAGE, None):
        show_error(message)
    for q in questions:
        with st.container(border=True):
            st.markdown(question_markdown(q.position, q.qtype, q.stem, q.score))
            if immediate and q.given and q.question_id not in feedbacks:
                # Answered in an earlier visit: repeating the same answer returns its feedback.
                found = quizzes.answer_question(db, attempt.id, q.question_id, q.given)
                if found is not None:
                    feedbacks[q.question_id] = found
            locked = q.question_id in feedbacks
            answer_widget(attempt, q, immediate, locked)
            if immediate and locked:
                show_feedback(feedbacks[q.question_id])
            elif immediate:
                st.button("确认答案", key=f"self_confirm_{attempt.id}_{q.question_id}",
                          on_click=confirm_answer, args=(attempt.id, q))
    answered = sum(1 for q in questions
                   if q.question_id in feedbacks
                   or current_answer(widget_key(attempt.id, q.question_id), q))
    st.caption(f"已作答 {answered} / {len(questions)} 题")
    st.button("交卷", type="primary", icon=":material/send:", on_click=submit,
              args=(attempt.id, questions), key=f"self_submit_{attempt.id}")


# ----- after submitting -----------------------------------------------------------------


def _back() -> None:
    st.session_state.pop(ATTEMPT, None)
    st.session_state.pop(FEEDBACK, None)


def show_result(db: Database, attempt_id: int, trainee: Trainee) -> None:
    """Own score, then every question with the key and explanation."""
    result = quizzes.attempt_result(db, attempt_id, trainee=trainee)
    st.subheader(f"{escape_markdown(result.quiz_title)} · 成绩")
    cols = st.columns(4)
    cols[0].metric("得分", f"{result.score:g} / {result.max_score:g}")
    cols[1].metric("得分率", f"{result.percent:.0f}%")
    cols[2].metric("答对", f"{result.correct_count} / {result.question_count}")
    cols[3].metric("结果", "及格" if result.passed else "不及格")
    if result.passed:
        st.success("恭喜，本次测验及格！", icon=":material/celebration:")
    else:
        st.warning("本次测验未及格，请复习后再试。", icon=":material/school:")
    st.button("返回测验列表", on_click=_back, icon=":material/arrow_back:", key="self_back")
    st.subheader("答案与解析")
    for item in quizzes.attempt_review(db, attempt_id, trainee):
        with st.container(border=True):
            st.markdown(question_markdown(item.position, item.qtype, item.stem, item.max_points))
            if item.options:
                st.markdown(options_markdown(item.options))
            mine = escape_markdown(item.given) if item.given else "未作答"
            verdict = ":green[正确]" if item.correct else ":red[错误]"
            st.markdown(f"{verdict} · 你的答案：{mine} · 正确答案：{escape_markdown(item.key)}")
            if item.explanation:
                st.caption(f"解析：{markdown_text(item.explanation)}")


# ----- page -------------------------------------------------------------------------------

st.title("自助测验")
me: Trainee | None = st.session_state.get(TRAINEE)
if me is None:
    identify_form()
    st.stop()
trainee_bar(me)
attempt_id: int | None = st.session_state.get(ATTEMPT)
with open_db() as connection:
    if attempt_id is not None:
        try:
            current = quizzes.get_attempt(connection, attempt_id)
        except NotFound:
            current = None
        if current is None or current.trainee_id != me.id:
            _back()
            st.rerun()
        expired = current.deadline_at and time.time() > epoch(current.deadline_at) + GRACE_S
        if current.is_open and expired:
            quizzes.close_expired_attempts(connection)
            current = quizzes.get_attempt(connection, attempt_id)
        if current.is_open:
            take_quiz(connection, current)
        else:
            show_result(connection, attempt_id, me)
    else:
        take_tab, history_tab = st.tabs(["参加测验", "我的记录"])
        with take_tab:
            choose_quiz(connection, me)
        with history_tab:
            show_history(connection, me)
