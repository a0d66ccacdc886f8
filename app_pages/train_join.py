"""加入答题 page (participants, no login, phone-sized): join by code, answer, see the ranking."""

from __future__ import annotations

import streamlit as st

import quizzes
from app_pages.common import escape_markdown, markdown_text
from app_pages.training import (
    LETTERS,
    leaderboard_rows,
    open_db,
    option_label,
    options_markdown,
    show_error,
)
from quizzes import (
    LeaderboardRow,
    LiveParticipant,
    LivePhase,
    NotFound,
    QuestionType,
    QuizError,
    TraineeQuestion,
)
from quizzes.live import MAX_NICKNAME

ME = "live_me"  # session_state: this browser's LiveParticipant
ANSWERED = "live_answered"  # session_state: {(session id, position): answer as given}
ERROR = "live_error"
POLL = "1s"
TRUE_FALSE = ("正确", "错误")


def code_from_link() -> str:
    """The join code from ``?code=`` (digits only), or ""."""
    raw = st.query_params.get("code", "")
    return "".join(ch for ch in raw if ch.isdigit())[:6]


def join_form() -> None:
    """Join code and nickname; joining stores the participant for this browser session."""
    with st.form("live_join_form"):
        code = st.text_input("加入码", code_from_link(), placeholder="6 位数字",
                             key="live_join_code")
        nickname = st.text_input("昵称", max_chars=MAX_NICKNAME,
                                 key="live_join_nickname", placeholder="排行榜上显示的名字")
        submitted = st.form_submit_button("加入", type="primary", width="stretch",
                                          icon=":material/login:")
    if not submitted:
        return
    try:
        with open_db() as db:
            me = quizzes.join_live_session(db, "".join(code.split()), nickname)
    except QuizError as exc:
        show_error(exc)
        return
    st.session_state[ME] = me
    st.session_state[ANSWERED] = {}
    st.rerun()


def _answered() -> dict[tuple[int, int], str]:
    return st.session_state.setdefault(ANSWERED, {})


def send(me: LiveParticipant, position: int, given: str) -> None:
    """Button callback: answer the current question once (the verdict waits for the reveal)."""
    if not given.strip():
        st.session_state[ERROR] = "请先选择或填写答案"
        return
    try:
        with open_db() as db:
            quizzes.answer_live_question(db, me.id, position, given)
    except QuizError as exc:
        st.session_state[ERROR] = str(exc)
        return
    _answered()[(me.session_id, position)] = given.strip()


def send_checked(me: LiveParticipant, position: int, key: str, count: int) -> None:
    """Button callback for multiple choice: the ticked letters."""
    ticked = [LETTERS[i] for i in range(count) if st.session_state.get(f"{key}_{i}")]
    send(me, position, "".join(ticked))


def send_typed(me: LiveParticipant, position: int, key: str) -> None:
    """Button callback for fill-in: the text typed."""
    send(me, position, st.session_state.get(key, ""))


def answer_widgets(me: LiveParticipant, question: TraineeQuestion) -> None:
    """Big buttons for single choice and true/false; checkboxes or a text box otherwise."""
    pos = question.position
    key = f"live_q{me.session_id}_{pos}"
    if question.qtype == QuestionType.SINGLE:
        for i, text in enumerate(question.options):
            st.button(option_label(i, text), key=f"{key}_opt{i}", width="stretch",
                      on_click=send, args=(me, pos, LETTERS[i]))
    elif question.qtype == QuestionType.TRUE_FALSE:
        cols = st.columns(2)
        for col, verdict in zip(cols, TRUE_FALSE, strict=True):
            col.button(verdict, key=f"{key}_{verdict}", width="stretch",
                       on_click=send, args=(me, pos, verdict))
    elif question.qtype == QuestionType.MULTIPLE:
        st.caption("多选题：选出全部正确选项后提交")
        for i, text in enumerate(question.options):
            st.checkbox(option_label(i, text), key=f"{key}_{i}")
        st.button("提交答案", key=f"{key}_send", type="primary", width="stretch",
                  on_click=send_checked, args=(me, pos, key, len(question.options)))
    else:
        st.text_input("你的答案", key=key)
        st.button("提交答案", key=f"{key}_send", type="primary", width="stretch",
                  on_click=send_typed, args=(me, pos, key))


def my_row(board: list[LeaderboardRow], me: LiveParticipant) -> LeaderboardRow | None:
    """This participant's leaderboard line."""
    return next((r for r in board if r.participant_id == me.id), None)


def show_rank(board: list[LeaderboardRow], me: LiveParticipant) -> None:
    """Own rank, right answers and time."""
    row = my_row(board, me)
    if row is None:
        return
    cols = st.columns(2)
    cols[0].metric("我的名次", f"{row.rank} / {len(board)}")
    cols[1].metric("答对", f"{row.correct} 题")


@st.fragment(run_every=POLL)
def participant_panel(me: LiveParticipant) -> None:
    """Follows the trainer: waits, shows the question, the verdict after the reveal, the end."""
    feedback = reveal = None
    board: list[LeaderboardRow] = []
    with open_db() as db:
        session = quizzes.get_live_session(db, me.session_id)
        if session.phase == LivePhase.FINISHED:
            st.rerun()  # the whole page then shows the final ranking, without polling
        question = quizzes.current_live_question(db, me.session_id)  # never carries the key
        if session.phase == LivePhase.REVEAL and question is not None:
            # Answering has closed: only now may the key reach this page.
            feedback = quizzes.live_feedback(db, me.id, question.position)
            if feedback is None:
                reveal = quizzes.live_reveal(db, me.session_id)
        if session.phase == LivePhase.REVEAL:
            board = quizzes.live_leaderboard(db, me.session_id)
    st.caption(f"{escape_markdown(me.nickname)} · {escape_markdown(session.quiz_title)}")
    if message := st.session_state.pop(ERROR, None):
        show_error(message)
    if session.phase == LivePhase.LOBBY:
        st.info("已加入，等待培训师开始…", icon=":material/hourglass_top:")
        return
    assert question is not None
    st.markdown(f"**第 {question.position + 1} / {session.question_count} 题**")
    st.markdown(markdown_text(question.stem))
    given = _answered().get((me.session_id, question.position))
    if session.phase == LivePhase.QUESTION:
        if given is None:
            answer_widgets(me, question)
        else:
            st.info(f"已提交答案：{escape_markdown(given)}。等待培训师公布答案…",
                    icon=":material/hourglass_top:")
        return
    if question.options:
        st.markdown(options_markdown(question.options))
    if feedback is not None:
        if feedback.correct:
            st.success(f"回答正确！你的答案：{escape_markdown(feedback.given)}",
                       icon=":material/check_circle:")
        else:
            st.error(f"回答错误。你的答案：{escape_markdown(feedback.given)}；"
                     f"正确答案：{escape_markdown(feedback.key)}", icon=":material/cancel:")
        explanation = feedback.explanation
    else:
        assert reveal is not None
        st.warning(f"本题未作答。正确答案：{escape_markdown(reveal.key)}",
                   icon=":material/schedule:")
        explanation = reveal.explanation
    if explanation:
        st.markdown(f"**解析**：{markdown_text(explanation)}")
    show_rank(board, me)


def show_final(me: LiveParticipant) -> None:
    """The final ranking (static: nothing changes any more) and a way to leave."""
    with open_db() as db:
        session = quizzes.get_live_session(db, me.session_id)
        board = quizzes.live_leaderboard(db, me.session_id)
    st.caption(f"{escape_markdown(me.nickname)} · {escape_markdown(session.quiz_title)}")
    st.success("答题结束，感谢参与！", icon=":material/flag:")
    show_rank(board, me)
    st.subheader("最终排名")
    st.dataframe(leaderboard_rows(board), hide_index=True, width="stretch")
    if st.button("离开", icon=":material/logout:"):
        st.session_state.pop(ME, None)
        st.rerun()


st.title("加入答题")
participant: LiveParticipant | None = st.session_state.get(ME)
if participant is None:
    join_form()
else:
    try:
        with open_db() as connection:
            phase = quizzes.get_live_session(connection, participant.session_id).phase
    except NotFound:  # e.g. the database was replaced: join again
        st.session_state.pop(ME, None)
        st.rerun()
    if phase == LivePhase.FINISHED:
        show_final(participant)
    else:
        participant_panel(participant)
