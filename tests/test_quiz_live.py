"""Live sessions: join codes, trainer-driven phases, answering the current question, leaderboard."""

from dataclasses import replace

import pytest

import quizzes
from quizzes import LivePhase, LiveSessionError, NotFound, Question, QuestionType
from quizzes.live import rank_leaderboard

T0 = 1_750_000_000.0


@pytest.fixture
def db(tmp_path):
    with quizzes.connect(tmp_path / "live.db") as database:
        yield database


@pytest.fixture
def quiz(db):
    made = [
        Question(QuestionType.SINGLE, "火警电话", key="B", options=("110", "119", "120")),
        Question(QuestionType.TRUE_FALSE, "特种作业须持证", key="对", explanation="持证上岗"),
    ]
    ids = [quizzes.add_question(db, replace(q, status="approved")).id for q in made]
    return quizzes.create_quiz(db, "安全知识竞赛", question_ids=ids)


def test_session_opens_in_the_lobby_with_a_six_digit_code(db, quiz):
    session = quizzes.open_live_session(db, quiz.id)
    assert len(session.join_code) == 6 and session.join_code.isdigit()
    assert (session.phase, session.current_index, session.question_count) == (
        LivePhase.LOBBY,
        -1,
        2,
    )
    assert quizzes.find_live_session(db, session.join_code).id == session.id
    assert quizzes.current_live_question(db, session.id) is None
    codes = {quizzes.open_live_session(db, quiz.id).join_code for _ in range(20)}
    assert len(codes) == 20 and session.join_code not in codes


def test_nicknames_are_unique_per_session(db, quiz):
    session = quizzes.open_live_session(db, quiz.id)
    quizzes.join_live_session(db, session.join_code, "小王")
    with pytest.raises(LiveSessionError):
        quizzes.join_live_session(db, session.join_code, " 小王 ")
    with pytest.raises(LiveSessionError):
        quizzes.join_live_session(db, session.join_code, "")
    with pytest.raises(NotFound):
        quizzes.join_live_session(db, "000000" if session.join_code != "000000" else "111111", "x")
    other = quizzes.open_live_session(db, quiz.id)
    assert quizzes.join_live_session(db, other.join_code, "小王").session_id == other.id


def test_only_the_current_open_question_takes_answers(db, quiz):
    session = quizzes.open_live_session(db, quiz.id)
    player = quizzes.join_live_session(db, session.join_code, "小王")
    with pytest.raises(LiveSessionError):
        quizzes.answer_live_question(db, player.id, 0, "B")  # still in the lobby
    session = quizzes.next_live_question(db, session.id, now=T0)
    assert (session.phase, session.current_index) == (LivePhase.QUESTION, 0)
    view = quizzes.current_live_question(db, session.id)
    assert view.position == 0 and view.options == ("110", "119", "120")
    with pytest.raises(LiveSessionError):
        quizzes.answer_live_question(db, player.id, 1, True)  # not the current question
    assert quizzes.answer_live_question(db, player.id, 0, "B", now=T0 + 2.5) is True
    with pytest.raises(LiveSessionError):
        quizzes.answer_live_question(db, player.id, 0, "A")  # once only
    [row] = quizzes.live_leaderboard(db, session.id)
    assert row.total_time_ms == 2500  # measured from when the trainer opened the question
    quizzes.reveal_live_question(db, session.id)
    late = quizzes.join_live_session(db, session.join_code, "迟到")
    with pytest.raises(LiveSessionError):
        quizzes.answer_live_question(db, late.id, 0, "B")  # answering closed
    reveal = quizzes.live_reveal(db, session.id)
    assert (reveal.key, reveal.answer_counts, reveal.correct_count) == ("B", {"B": 1}, 1)
    assert quizzes.live_feedback(db, player.id, 0).correct


def test_trainer_moves_through_to_the_end_and_frees_the_code(db, quiz):
    session = quizzes.open_live_session(db, quiz.id)
    for expected in (0, 1):
        assert quizzes.next_live_question(db, session.id).current_index == expected
    finished = quizzes.next_live_question(db, session.id)
    assert finished.phase == LivePhase.FINISHED and finished.finished_at
    assert quizzes.current_live_question(db, session.id) is None
    with pytest.raises(NotFound):
        quizzes.find_live_session(db, session.join_code)
    with pytest.raises(LiveSessionError):
        quizzes.next_live_question(db, session.id)


def test_a_trainer_press_delivered_twice_moves_the_session_once(db, quiz):
    session = quizzes.open_live_session(db, quiz.id)
    first = quizzes.next_live_question(db, session.id)
    revealed = quizzes.reveal_live_question(db, session.id)
    seen = (revealed.phase, revealed.current_index)
    for _ in range(2):  # "下一题" twice for the same reveal: question 2, not the end
        assert quizzes.next_live_question(db, session.id, seen=seen).current_index == 1
    again = quizzes.reveal_live_question(db, session.id, seen=(first.phase, 0))
    assert (again.phase, again.current_index) == (LivePhase.QUESTION, 1)  # stale: no change
    assert quizzes.finish_live_session(db, session.id, seen=(LivePhase.QUESTION, 1)).finished_at
    assert quizzes.finish_live_session(
        db, session.id, seen=(LivePhase.QUESTION, 1)).phase == LivePhase.FINISHED


def test_leaderboard_ranks_by_correct_then_total_time(db, quiz):
    session = quizzes.open_live_session(db, quiz.id)
    players = {n: quizzes.join_live_session(db, session.join_code, n).id for n in "ABCDE"}
    quizzes.next_live_question(db, session.id)
    # Question 1 (key B):   A right 3000 ms, B right 1000, C wrong 500, D right 2000, E silent.
    for name, given, ms in [("A", "B", 3000), ("B", "B", 1000), ("C", "A", 500), ("D", "B", 2000)]:
        quizzes.answer_live_question(db, players[name], 0, given, time_ms=ms)
    quizzes.reveal_live_question(db, session.id)
    after_one = [(r.rank, r.nickname) for r in quizzes.live_leaderboard(db, session.id)]
    # 1 right each for B (1000), D (2000), A (3000); C (wrong) and E (silent) have no right
    # answer, so no time counts for either: they share rank 4 (silence does not win).
    assert after_one == [(1, "B"), (2, "D"), (3, "A"), (4, "C"), (4, "E")]
    quizzes.next_live_question(db, session.id)
    # Question 2 (true): A right 1000 ms, B wrong 4000, C right 1000, D right 2000.
    for name, given, ms in [
        ("A", True, 1000),
        ("B", False, 4000),
        ("C", "对", 1000),
        ("D", "√", 2000),
    ]:
        quizzes.answer_live_question(db, players[name], 1, given, time_ms=ms)
    final = quizzes.live_leaderboard(db, session.id)
    # A: 2 right, 4000 ms; D: 2 right, 4000 ms -> shared rank 1.
    # B: 1 right in 1000 ms (its wrong 4000 ms adds nothing); C: 1 right in 1000 ms; E: nothing.
    assert [(r.rank, r.nickname, r.correct, r.total_time_ms) for r in final] == [
        (1, "A", 2, 4000),
        (1, "D", 2, 4000),
        (3, "B", 1, 1000),
        (3, "C", 1, 1000),
        (5, "E", 0, 0),
    ]
    assert [
        (r.rank, r.nickname) for r in quizzes.live_leaderboard(db, session.id, through_position=0)
    ] == after_one
    assert quizzes.live_session_results(db, session.id) == final


def test_rank_leaderboard_is_a_pure_ordering():
    rows = [
        (1, "甲", 3, 3, 9000),
        (2, "乙", 3, 3, 8000),
        (3, "丙", 4, 4, 20000),
        (4, "丁", 3, 3, 8000),
    ]
    ranked = rank_leaderboard(rows)
    assert [(r.rank, r.nickname) for r in ranked] == [(1, "丙"), (2, "丁"), (2, "乙"), (4, "甲")]


def test_silence_never_ranks_above_a_wrong_answer_and_fast_guessing_gains_nothing(db, quiz):
    session = quizzes.open_live_session(db, quiz.id)
    players = {n: quizzes.join_live_session(db, session.join_code, n).id for n in "错静对"}
    quizzes.next_live_question(db, session.id, now=T0)
    quizzes.answer_live_question(db, players["错"], 0, "A", now=T0 + 0.4)  # fast and wrong
    quizzes.answer_live_question(db, players["对"], 0, "B", now=T0 + 9.0)  # slow and right
    quizzes.reveal_live_question(db, session.id)
    board = {r.nickname: r for r in quizzes.live_leaderboard(db, session.id)}
    assert (board["对"].rank, board["对"].total_time_ms) == (1, 9000)
    assert board["错"].rank == board["静"].rank == 2  # silent is not ahead of wrong
    assert (board["错"].answered, board["错"].total_time_ms) == (1, 0)
    assert (board["静"].answered, board["静"].total_time_ms) == (0, 0)


def test_list_live_sessions_newest_first(db, quiz):
    first = quizzes.open_live_session(db, quiz.id)
    second = quizzes.open_live_session(db, quiz.id)
    quizzes.finish_live_session(db, first.id)
    assert [s.id for s in quizzes.list_live_sessions(db)] == [second.id, first.id]
    assert [s.id for s in quizzes.list_live_sessions(db, quiz.id)] == [second.id, first.id]
    assert quizzes.list_live_sessions(db, quiz.id + 99) == []
