"""Live sessions: a trainer leads participants (joined by a 6-digit code) through a quiz."""

from __future__ import annotations

import random
import secrets
import sqlite3
import unicodedata
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from sqlite_utils import Database

from .attempts import Feedback, TraineeQuestion, shown_options
from .bank import get_questions
from .db import from_iso, iso, now_ts, write_transaction
from .errors import LiveSessionError, NotFound
from .quiz import get_quiz, pick_questions
from .records import Question, clean_line
from .scoring import AnswerValue, key_for_display, score_answer, to_display

MAX_NICKNAME = 20


class LivePhase(StrEnum):
    """Where a live session stands; pages poll it to follow the trainer."""

    LOBBY = "lobby"  # participants join; no question yet
    QUESTION = "question"  # the current question takes answers
    REVEAL = "reveal"  # answering closed; key and leaderboard shown
    FINISHED = "finished"


@dataclass(frozen=True)
class LiveSession:
    """A live session's state as stored (pages poll :func:`get_live_session`).

    Attributes:
        current_index: 0-based index of the current question; -1 in the lobby.
        question_started_at: ISO time the current question opened (answer times count from it).
    """

    id: int
    quiz_id: int
    quiz_title: str
    join_code: str
    phase: LivePhase
    current_index: int
    question_count: int
    question_started_at: str | None
    created_at: str
    finished_at: str | None


@dataclass(frozen=True)
class LiveParticipant:
    """Someone who joined a live session under a nickname."""

    id: int
    session_id: int
    nickname: str


@dataclass(frozen=True)
class LeaderboardRow:
    """One line of a leaderboard: more correct answers first, then less time on them.

    Attributes:
        rank: 1-based; participants equal on both counts share a rank (1, 2, 2, 4).
        total_time_ms: sum of the participant's answer times over the correct answers counted;
            wrong and missing answers add nothing, so staying silent never beats answering.
    """

    rank: int
    participant_id: int
    nickname: str
    correct: int
    answered: int
    total_time_ms: int


@dataclass(frozen=True)
class LiveReveal:
    """The current question after answering closed: key, explanation, answer counts."""

    position: int
    question_id: int
    key: str
    explanation: str
    answer_counts: dict[str, int]  # displayed answer -> participants who gave it
    correct_count: int


def _session_row(db: Database, where: str, params: list[object]) -> LiveSession:
    row = db.conn.execute(
        "SELECT s.id, s.quiz_id, z.title, s.join_code, s.phase, s.current_index, "
        "(SELECT count(*) FROM live_questions WHERE session_id = s.id), "
        "s.question_started_at, s.created_at, s.finished_at "
        f"FROM live_sessions s JOIN quizzes z ON z.id = s.quiz_id WHERE {where} "
        "ORDER BY s.id DESC LIMIT 1",
        params,
    ).fetchone()
    if row is None:
        raise NotFound("直播答题不存在")
    return LiveSession(*row[:4], LivePhase(row[4]), *row[5:])


def get_live_session(db: Database, session_id: int) -> LiveSession:
    """A session by id (poll this to follow the trainer).

    Raises:
        NotFound: no such session.
    """
    return _session_row(db, "s.id = ?", [session_id])


def find_live_session(db: Database, join_code: str) -> LiveSession:
    """The unfinished session with this join code.

    Raises:
        NotFound: no running session has this code.
    """
    code = unicodedata.normalize("NFKC", join_code).strip()
    try:
        return _session_row(db, "s.join_code = ? AND s.phase != 'finished'", [code])
    except NotFound:
        raise NotFound(f"没有进行中的直播答题使用加入码 {code}") from None


def list_live_sessions(db: Database, quiz_id: int | None = None) -> list[LiveSession]:
    """Every live session (of one quiz, if given), newest first."""
    where, params = ("s.quiz_id = ?", [quiz_id]) if quiz_id is not None else ("1", [])
    ids = db.conn.execute(
        f"SELECT s.id FROM live_sessions s WHERE {where} ORDER BY s.id DESC", params
    ).fetchall()
    return [get_live_session(db, row[0]) for row in ids]


def open_live_session(
    db: Database, quiz_id: int, *, rng: random.Random | None = None
) -> LiveSession:
    """Open a session for a quiz with a fresh random 6-digit join code, in the lobby.

    The questions (and option order) are fixed now, the same for every participant.

    Raises:
        NotFound: no such quiz.
        QuizError: the quiz has no usable questions.
    """
    quiz = get_quiz(db, quiz_id)
    picked = pick_questions(db, quiz, rng or random.Random())
    for _ in range(20):
        code = f"{secrets.randbelow(10**6):06d}"  # unpredictable: codes are not guessable
        try:
            with write_transaction(db):
                cursor = db.conn.execute(
                    "INSERT INTO live_sessions (quiz_id, join_code, created_at) VALUES (?, ?, ?)",
                    [quiz_id, code, iso(now_ts())],
                )
                db.conn.executemany(
                    "INSERT INTO live_questions (session_id, position, question_id, option_order) "
                    "VALUES (?, ?, ?, ?)",
                    [(cursor.lastrowid, i, q.id, order) for i, (q, order) in enumerate(picked)],
                )
        except sqlite3.IntegrityError:
            continue  # the code is in use by a running session: draw another
        return get_live_session(db, cursor.lastrowid)
    raise LiveSessionError("无法生成唯一的加入码，请稍后重试")


def join_live_session(db: Database, join_code: str, nickname: str) -> LiveParticipant:
    """Join a running session under a nickname (unique within the session).

    Raises:
        NotFound: no running session has this code.
        LiveSessionError: empty, too long or taken nickname.
    """
    session = find_live_session(db, join_code)
    name = clean_line(unicodedata.normalize("NFKC", nickname))
    if not name:
        raise LiveSessionError("请填写昵称")
    if len(name) > MAX_NICKNAME:
        raise LiveSessionError(f"昵称最多 {MAX_NICKNAME} 个字")
    try:
        with write_transaction(db):
            cursor = db.conn.execute(
                "INSERT INTO live_participants (session_id, nickname, joined_at) VALUES (?, ?, ?)",
                [session.id, name, iso(now_ts())],
            )
    except sqlite3.IntegrityError:
        raise LiveSessionError(f"昵称「{name}」已被使用，请换一个") from None
    return LiveParticipant(cursor.lastrowid, session.id, name)


def _set_phase(
    db: Database,
    session_id: int,
    allowed: tuple[LivePhase, ...],
    phase: LivePhase,
    index_step: int,
    now: float | None,
    seen: tuple[LivePhase, int] | None = None,
) -> LiveSession:
    stamp = iso(now_ts(now))
    with write_transaction(db):
        session = get_live_session(db, session_id)
        if seen is not None and (session.phase, session.current_index) != seen:
            return session  # the press was for a state already left: it was applied before
        if session.phase not in allowed:
            raise LiveSessionError(f"当前状态（{session.phase}）不能进行此操作")
        index = session.current_index + index_step
        if phase == LivePhase.QUESTION and index >= session.question_count:
            phase = LivePhase.FINISHED  # "next" after the last question ends the session
            index = session.current_index
        db.conn.execute(
            "UPDATE live_sessions SET phase = ?, current_index = ?, "
            "question_started_at = CASE WHEN ? = 'question' THEN ? ELSE question_started_at END, "
            "finished_at = CASE WHEN ? = 'finished' THEN ? ELSE finished_at END WHERE id = ?",
            [phase.value, index, phase.value, stamp, phase.value, stamp, session_id],
        )
    return get_live_session(db, session_id)


def next_live_question(db: Database, session_id: int, *, now: float | None = None,
                       seen: tuple[LivePhase, int] | None = None) -> LiveSession:
    """Trainer: open the next question (from the lobby, a reveal, or straight from a question).

    After the last question this finishes the session.

    Args:
        seen: (phase, current_index) the trainer's button was drawn for. A press that arrives
            twice (a double click, or Streamlit delivering one click to two reruns under load)
            then moves the session once instead of skipping a question.
    """
    allowed = (LivePhase.LOBBY, LivePhase.QUESTION, LivePhase.REVEAL)
    return _set_phase(db, session_id, allowed, LivePhase.QUESTION, 1, now, seen)


def reveal_live_question(db: Database, session_id: int, *,
                         seen: tuple[LivePhase, int] | None = None) -> LiveSession:
    """Trainer: close answering for the current question and show key and leaderboard."""
    return _set_phase(db, session_id, (LivePhase.QUESTION,), LivePhase.REVEAL, 0, None, seen)


def finish_live_session(db: Database, session_id: int, *,
                        seen: tuple[LivePhase, int] | None = None) -> LiveSession:
    """Trainer: end the session now (its join code becomes free)."""
    allowed = (LivePhase.LOBBY, LivePhase.QUESTION, LivePhase.REVEAL)
    return _set_phase(db, session_id, allowed, LivePhase.FINISHED, 0, None, seen)


def _live_item(db: Database, session_id: int, position: int) -> tuple[Question, str]:
    row = db.conn.execute(
        "SELECT question_id, option_order FROM live_questions "
        "WHERE session_id = ? AND position = ?",
        [session_id, position],
    ).fetchone()
    if row is None:
        raise NotFound(f"第 {position + 1} 题不存在")
    return get_questions(db, [row[0]])[row[0]], row[1]


def current_live_question(db: Database, session_id: int) -> TraineeQuestion | None:
    """The current question as participants see it (no key); None in the lobby or at the end.

    ``TraineeQuestion.position`` is the 0-based index to pass to :func:`answer_live_question`.
    """
    session = get_live_session(db, session_id)
    if session.phase not in (LivePhase.QUESTION, LivePhase.REVEAL):
        return None
    question, order = _live_item(db, session_id, session.current_index)
    return TraineeQuestion(
        session.current_index,
        question.id,
        question.qtype,
        question.stem,
        shown_options(question, order),
        question.score,
    )


def answer_live_question(
    db: Database,
    participant_id: int,
    position: int,
    given: AnswerValue,
    *,
    time_ms: int | None = None,
    now: float | None = None,
) -> bool:
    """Participant: answer the current question, once.

    Args:
        db: an open database.
        participant_id: from :func:`join_live_session`.
        position: index of the question the participant is looking at; must be the current
            one, so an answer to a question the trainer has moved past is refused.
        given: the answer, letters as displayed.
        time_ms: answer time; None measures it from when the question opened.
        now: epoch seconds (tests fix the clock).

    Returns:
        Whether the answer is right.

    Raises:
        LiveSessionError: not the current question, answering closed, already answered.
        AnswerError: the answer does not fit the question.
    """
    current = now_ts(now)
    with write_transaction(db):
        row = db.conn.execute(
            "SELECT session_id FROM live_participants WHERE id = ?", [participant_id]
        ).fetchone()
        if row is None:
            raise NotFound("参与者不存在")
        session = get_live_session(db, row[0])
        if session.phase != LivePhase.QUESTION or session.current_index != position:
            raise LiveSessionError("这道题已停止作答")
        question, order = _live_item(db, session.id, position)
        answer, correct = score_answer(question, given, order)
        if time_ms is None:
            started = from_iso(session.question_started_at or iso(current))
            time_ms = max(0, round((current - started) * 1000))
        try:
            db.conn.execute(
                "INSERT INTO live_responses (session_id, participant_id, position, question_id, "
                "answer, correct, time_ms, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    session.id,
                    participant_id,
                    position,
                    question.id,
                    answer,
                    int(correct),
                    int(time_ms),
                    iso(current),
                ],
            )
        except sqlite3.IntegrityError:
            raise LiveSessionError("这道题已经作答过了") from None
    return correct


def live_reveal(db: Database, session_id: int) -> LiveReveal:
    """Key, explanation and answer counts of the current question, once answering closed.

    Raises:
        LiveSessionError: the current question still takes answers (or none is current).
    """
    session = get_live_session(db, session_id)
    if session.phase != LivePhase.REVEAL:
        raise LiveSessionError("公布答案后才能查看")
    question, order = _live_item(db, session_id, session.current_index)
    rows = db.conn.execute(
        "SELECT answer, correct FROM live_responses WHERE session_id = ? AND position = ?",
        [session_id, session.current_index],
    ).fetchall()
    counts = Counter(to_display(r[0], question.qtype, order) for r in rows)
    return LiveReveal(
        session.current_index,
        question.id,
        key_for_display(question, order),
        question.explanation,
        dict(counts),
        sum(r[1] for r in rows),
    )


def live_feedback(db: Database, participant_id: int, position: int) -> Feedback | None:
    """A participant's own answer to one question with the key; None if they did not answer."""
    row = db.conn.execute(
        "SELECT session_id, answer, correct FROM live_responses "
        "WHERE participant_id = ? AND position = ?",
        [participant_id, position],
    ).fetchone()
    if row is None:
        return None
    question, order = _live_item(db, row[0], position)
    return Feedback(
        question.id,
        bool(row[2]),
        to_display(row[1], question.qtype, order),
        key_for_display(question, order),
        question.explanation,
    )


def rank_leaderboard(rows: list[tuple[int, str, int, int, int]]) -> list[LeaderboardRow]:
    """Order ``(participant_id, nickname, correct, answered, total_time_ms)`` tuples.

    More correct answers rank higher; on equal counts, less total time on the correct answers
    ranks higher; participants equal on both share a rank. No streak or speed bonuses.
    """
    ordered = sorted(rows, key=lambda r: (-r[2], r[4], r[1], r[0]))
    out: list[LeaderboardRow] = []
    for index, (pid, nickname, correct, answered, total) in enumerate(ordered):
        tied = out and (out[-1].correct, out[-1].total_time_ms) == (correct, total)
        rank = out[-1].rank if tied else index + 1
        out.append(LeaderboardRow(rank, pid, nickname, correct, answered, total))
    return out


def live_leaderboard(
    db: Database, session_id: int, *, through_position: int | None = None
) -> list[LeaderboardRow]:
    """Leaderboard over the questions so far (or up to ``through_position``, 0-based).

    Everyone who joined is listed, including those who have not answered yet. Ties on correct
    answers are broken by the time spent on the correct answers only: summing every answer
    time would rank a participant who never answers (0 ms) above one who answered wrongly,
    and would reward guessing fast.
    """
    get_live_session(db, session_id)
    last = through_position if through_position is not None else 1 << 30
    rows = db.conn.execute(
        "SELECT p.id, p.nickname, coalesce(sum(r.correct), 0), count(r.id), "
        "coalesce(sum(CASE WHEN r.correct = 1 THEN r.time_ms ELSE 0 END), 0) "
        "FROM live_participants p "
        "LEFT JOIN live_responses r ON r.participant_id = p.id AND r.position <= ? "
        "WHERE p.session_id = ? GROUP BY p.id",
        [last, session_id],
    ).fetchall()
    return rank_leaderboard([tuple(r) for r in rows])
