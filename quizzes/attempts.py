"""Self-paced attempts: trainees identify, start, answer, submit, and see their own history."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from .bank import get_questions
from .db import from_iso, iso, now_ts, write_transaction
from .errors import AttemptError, NotFound
from .quiz import FeedbackMode, Grading, get_quiz, pick_questions
from .records import OPTION_LETTERS, Question, QuestionType, clean_line
from .scoring import AnswerValue, is_blank, key_for_display, score_answer, to_display

# Answers arriving this long after the deadline still count: the page may have been
# submitted in the last second and travelled over a slow network.
GRACE_S = 5.0


@dataclass(frozen=True)
class Trainee:
    """A trainee, identified by employee number (工号) and name (姓名)."""

    id: int
    name: str
    employee_no: str


@dataclass(frozen=True)
class Attempt:
    """One sitting of a quiz by a trainee. Times are ISO-8601 UTC text."""

    id: int
    quiz_id: int
    trainee_id: int
    number: int  # 1 for the trainee's first attempt at this quiz
    started_at: str
    deadline_at: str | None
    submitted_at: str | None

    @property
    def is_open(self) -> bool:
        """Not submitted yet."""
        return self.submitted_at is None


@dataclass(frozen=True)
class TraineeQuestion:
    """A question as a trainee sees it: no key, no explanation; options in display order.

    Attributes:
        position: 0-based place in the attempt or live session (show position + 1).
        question_id: the question's id (used when answering).
        qtype: question type.
        stem: question text.
        options: option texts, labelled A, B, … in this order.
        score: points for a right answer.
        given: the trainee's current answer in display letters / text, None if unanswered.
    """

    position: int
    question_id: int
    qtype: QuestionType
    stem: str
    options: tuple[str, ...]
    score: float
    given: str | None = None


@dataclass(frozen=True)
class Answer:
    """An answer sent with a submission; ``given`` uses the letters as displayed."""

    question_id: int
    given: AnswerValue
    time_ms: int = 0


@dataclass(frozen=True)
class Response:
    """One stored response row; ``answer`` is canonical (original letters, 正确/错误, text)."""

    attempt_id: int
    question_id: int
    answer: str
    correct: bool
    time_ms: int
    answered_at: str


@dataclass(frozen=True)
class Feedback:
    """Whether an answer was right, with the key and explanation (shown after answering)."""

    question_id: int
    correct: bool
    given: str
    key: str
    explanation: str


@dataclass(frozen=True)
class AttemptResult:
    """Score of an attempt, derived from its response rows.

    Attributes:
        score: points earned; max_score: points available; percent: 0-100.
        passed: submitted and percent reaches the quiz's pass mark.
        answered / correct_count / question_count: counts of questions.
    """

    attempt_id: int
    quiz_id: int
    quiz_title: str
    trainee_id: int
    trainee_name: str
    employee_no: str
    number: int
    started_at: str
    submitted_at: str | None
    score: float
    max_score: float
    percent: float
    passed: bool
    answered: int
    correct_count: int
    question_count: int


@dataclass(frozen=True)
class ReviewItem:
    """A question after submission: the trainee's answer next to the key (position 0-based)."""

    position: int
    question_id: int
    qtype: QuestionType
    stem: str
    options: tuple[str, ...]
    given: str | None
    key: str
    correct: bool
    explanation: str
    points: float
    max_points: float


def identify_trainee(db: Database, name: str, employee_no: str) -> Trainee:
    """Find or register a trainee by employee number; the name must match on later visits.

    Raises:
        AttemptError: empty name or number, or the number is registered under another name.
    """
    name = clean_line(unicodedata.normalize("NFKC", name))
    number = clean_line(unicodedata.normalize("NFKC", employee_no)).upper()
    if not name or not number:
        raise AttemptError("请填写姓名和工号")
    with write_transaction(db):
        db.conn.execute(
            "INSERT INTO trainees (employee_no, name, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (employee_no) DO NOTHING",
            [number, name, iso(now_ts())],
        )
        row = db.conn.execute(
            "SELECT id, name FROM trainees WHERE employee_no = ?", [number]
        ).fetchone()
    if row[1] != name:
        raise AttemptError("工号与姓名不匹配")
    return Trainee(row[0], name, number)


def get_attempt(db: Database, attempt_id: int) -> Attempt:
    """One attempt by id.

    Raises:
        NotFound: no such attempt.
    """
    row = db.conn.execute(
        "SELECT id, quiz_id, trainee_id, number, started_at, deadline_at, submitted_at "
        "FROM attempts WHERE id = ?",
        [attempt_id],
    ).fetchone()
    if row is None:
        raise NotFound(f"作答记录 {attempt_id} 不存在")
    return Attempt(*row)


_CLOSE_EXPIRED = (
    "UPDATE attempts SET submitted_at = deadline_at "
    "WHERE submitted_at IS NULL AND deadline_at IS NOT NULL AND deadline_at < ?"
)


def close_expired_attempts(db: Database, *, now: float | None = None) -> int:
    """Submit every open attempt whose time is up (grace included); returns how many.

    An expired attempt counts as submitted at its deadline with the answers it has. Starting
    an attempt does this for the trainee's own attempts; trainers may call it before reports.
    """
    with write_transaction(db):
        cursor = db.conn.execute(_CLOSE_EXPIRED, [iso(now_ts(now) - GRACE_S)])
    return cursor.rowcount


def start_attempt(
    db: Database,
    quiz_id: int,
    trainee: Trainee,
    *,
    now: float | None = None,
    rng: random.Random | None = None,
) -> Attempt:
    """Start an attempt, or return the trainee's attempt still in progress.

    Args:
        db: an open database.
        quiz_id: the quiz.
        trainee: from :func:`identify_trainee`.
        now: epoch seconds (tests fix the clock); None for the current time.
        rng: random source for draws and shuffles (tests pass a seeded one).

    Raises:
        NotFound: no such quiz.
        AttemptError: the trainee has used every allowed attempt.
        QuizError: the quiz has no usable questions.
    """
    quiz = get_quiz(db, quiz_id)
    started = now_ts(now)
    rng = rng or random.Random()
    with write_transaction(db):
        db.conn.execute(
            _CLOSE_EXPIRED + " AND quiz_id = ? AND trainee_id = ?",
            [iso(started - GRACE_S), quiz_id, trainee.id],
        )
        rows = db.conn.execute(
            "SELECT id, submitted_at FROM attempts WHERE quiz_id = ? AND trainee_id = ? "
            "ORDER BY number",
            [quiz_id, trainee.id],
        ).fetchall()
        open_ids = [r[0] for r in rows if r[1] is None]
        if open_ids:
            return get_attempt(db, open_ids[0])
        allowed = quiz.settings.max_attempts
        if allowed is not None and len(rows) >= allowed:
            raise AttemptError(f"已达到允许的作答次数（{allowed} 次）")
        picked = pick_questions(db, quiz, rng)
        limit = quiz.settings.time_limit_s
        cursor = db.conn.execute(
            "INSERT INTO attempts (quiz_id, trainee_id, number, started_at, deadline_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                quiz_id,
                trainee.id,
                len(rows) + 1,
                iso(started),
                iso(started + limit) if limit else None,
            ],
        )
        attempt_id = cursor.lastrowid
        db.conn.executemany(
            "INSERT INTO attempt_questions "
            "(attempt_id, position, question_id, option_order, max_points) VALUES (?, ?, ?, ?, ?)",
            [
                (attempt_id, position, q.id, order, q.score)
                for position, (q, order) in enumerate(picked)
            ],
        )
    return get_attempt(db, attempt_id)


def _attempt_items(db: Database, attempt_id: int) -> list[tuple[int, Question, str, float]]:
    """``(position, question, option_order, max_points)`` for every question of an attempt."""
    rows = db.conn.execute(
        "SELECT position, question_id, option_order, max_points FROM attempt_questions "
        "WHERE attempt_id = ? ORDER BY position",
        [attempt_id],
    ).fetchall()
    questions = get_questions(db, [r[1] for r in rows])
    return [(r[0], questions[r[1]], r[2], r[3]) for r in rows]


def shown_options(question: Question, order: str) -> tuple[str, ...]:
    """Option texts in the order shown (``order``: original letters, "" for unshuffled)."""
    if not order:
        return question.options
    return tuple(question.options[OPTION_LETTERS.index(letter)] for letter in order)


def attempt_questions(db: Database, attempt_id: int) -> list[TraineeQuestion]:
    """The attempt's questions as the trainee sees them (no keys), with answers so far."""
    get_attempt(db, attempt_id)
    given = {r.question_id: r for r in attempt_responses(db, attempt_id)}
    out = []
    for position, question, order, max_points in _attempt_items(db, attempt_id):
        response = given.get(question.id)
        shown = to_display(response.answer, question.qtype, order) if response else None
        out.append(
            TraineeQuestion(
                position,
                question.id,
                question.qtype,
                question.stem,
                shown_options(question, order),
                max_points,
                shown,
            )
        )
    return out


def attempt_responses(db: Database, attempt_id: int) -> list[Response]:
    """The stored response rows of an attempt."""
    rows = db.conn.execute(
        "SELECT attempt_id, question_id, answer, correct, time_ms, answered_at FROM responses "
        "WHERE attempt_id = ? ORDER BY id",
        [attempt_id],
    ).fetchall()
    return [Response(r[0], r[1], r[2], bool(r[3]), r[4], r[5]) for r in rows]


def _check_open(attempt: Attempt, now: float) -> None:
    if not attempt.is_open:
        raise AttemptError("本次作答已提交")
    if attempt.deadline_at and now > from_iso(attempt.deadline_at) + GRACE_S:
        raise AttemptError("答题时间已到，答案未记录")


def _store(
    db: Database,
    attempt: Attempt,
    items: dict[int, tuple[Question, str]],
    answer: Answer,
    immediate: bool,
    stamp: str,
) -> Feedback:
    """Mark and store one answer inside the caller's transaction."""
    if answer.question_id not in items:
        raise AttemptError(f"题目 {answer.question_id} 不在本次作答中")
    if answer.time_ms < 0:
        raise AttemptError("用时不能为负数")
    question, order = items[answer.question_id]
    canonical, correct = score_answer(question, answer.given, order)
    previous = db.conn.execute(
        "SELECT answer FROM responses WHERE attempt_id = ? AND question_id = ?",
        [attempt.id, question.id],
    ).fetchone()
    if previous is not None and immediate:
        if previous[0] != canonical:
            raise AttemptError("这道题已作答，答案已确定")  # the key was already shown
    else:
        # A changed answer replaces the old one; the time spent on the question adds up.
        db.conn.execute(
            "INSERT INTO responses (attempt_id, question_id, answer, correct, time_ms, "
            "answered_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (attempt_id, question_id) DO UPDATE SET answer = excluded.answer, "
            "correct = excluded.correct, time_ms = time_ms + excluded.time_ms, "
            "answered_at = excluded.answered_at",
            [attempt.id, question.id, canonical, int(correct), int(answer.time_ms), stamp],
        )
    return Feedback(
        question.id,
        correct,
        to_display(canonical, question.qtype, order),
        key_for_display(question, order),
        question.explanation,
    )


def answer_question(
    db: Database,
    attempt_id: int,
    question_id: int,
    given: AnswerValue,
    *,
    time_ms: int = 0,
    now: float | None = None,
) -> Feedback | None:
    """Record one answer (letters as displayed to the trainee).

    Returns:
        With immediate feedback, whether it was right plus key and explanation (the answer
        is then final); otherwise None (the answer may be changed until submitting).

    Raises:
        AttemptError: attempt submitted or out of time, question not in the attempt.
        AnswerError: the answer does not fit the question.
    """
    current = now_ts(now)
    attempt = get_attempt(db, attempt_id)
    immediate = get_quiz(db, attempt.quiz_id).settings.feedback == FeedbackMode.IMMEDIATE
    items = {q.id: (q, order) for _, q, order, _ in _attempt_items(db, attempt_id)}
    with write_transaction(db):
        _check_open(get_attempt(db, attempt_id), current)
        feedback = _store(
            db, attempt, items, Answer(question_id, given, time_ms), immediate, iso(current)
        )
    return feedback if immediate else None


def submit_attempt(
    db: Database, attempt_id: int, answers: Iterable[Answer] = (), *, now: float | None = None
) -> AttemptResult:
    """Store the given answers and submit, all in one transaction.

    If anything is wrong (an answer that does not fit, time up while sending answers, already
    submitted) nothing is stored and the attempt's score stays as it was. Blank answers are
    skipped. After the time limit, submitting with no answers still closes the attempt.

    Raises:
        NotFound: no such attempt.
        AttemptError: already submitted; answers sent after the time limit; unknown question.
        AnswerError: an answer does not fit its question.
    """
    current = now_ts(now)
    attempt = get_attempt(db, attempt_id)
    immediate = get_quiz(db, attempt.quiz_id).settings.feedback == FeedbackMode.IMMEDIATE
    items = {q.id: (q, order) for _, q, order, _ in _attempt_items(db, attempt_id)}
    answers = [a for a in answers if not is_blank(a.given)]
    stamp = iso(current)
    with write_transaction(db):
        attempt = get_attempt(db, attempt_id)
        if not attempt.is_open:
            raise AttemptError("本次作答已提交")
        if answers:
            _check_open(attempt, current)
        for answer in answers:
            _store(db, attempt, items, answer, immediate, stamp)
        late = attempt.deadline_at and current > from_iso(attempt.deadline_at) + GRACE_S
        db.conn.execute(
            "UPDATE attempts SET submitted_at = ? WHERE id = ?",
            [attempt.deadline_at if late else stamp, attempt_id],
        )
    return attempt_result(db, attempt_id)


_RESULTS_SQL = """
SELECT a.id, a.quiz_id, z.title, a.trainee_id, t.name, t.employee_no, a.number,
       a.started_at, a.submitted_at, z.pass_percent,
       (SELECT coalesce(sum(aq.max_points), 0) FROM responses r
          JOIN attempt_questions aq
            ON aq.attempt_id = r.attempt_id AND aq.question_id = r.question_id
         WHERE r.attempt_id = a.id AND r.correct = 1) AS score,
       (SELECT coalesce(sum(max_points), 0) FROM attempt_questions
         WHERE attempt_id = a.id) AS max_score,
       (SELECT count(*) FROM responses WHERE attempt_id = a.id) AS answered,
       (SELECT count(*) FROM responses WHERE attempt_id = a.id AND correct = 1) AS n_correct,
       (SELECT count(*) FROM attempt_questions WHERE attempt_id = a.id) AS n_questions
  FROM attempts a
  JOIN quizzes z ON z.id = a.quiz_id
  JOIN trainees t ON t.id = a.trainee_id
"""


def attempt_results(
    db: Database, where: str = "", params: Iterable[object] = ()
) -> list[AttemptResult]:
    """Results of attempts matching a SQL condition on ``a`` (attempts), oldest first.

    Args:
        db: an open database.
        where: condition with ``?`` placeholders, e.g. ``"a.quiz_id = ?"``; "" for all.
        params: values for the placeholders.
    """
    sql = _RESULTS_SQL + (f" WHERE {where}" if where else "") + " ORDER BY a.started_at, a.id"
    out = []
    for row in db.conn.execute(sql, list(params)):
        (
            attempt_id,
            quiz_id,
            title,
            trainee_id,
            name,
            number_text,
            number,
            started,
            submitted,
            pass_percent,
            score,
            max_score,
            answered,
            n_correct,
            n_questions,
        ) = row
        percent = 100.0 * score / max_score if max_score else 0.0
        passed = submitted is not None and round(percent, 6) >= pass_percent
        out.append(
            AttemptResult(
                attempt_id,
                quiz_id,
                title,
                trainee_id,
                name,
                number_text,
                number,
                started,
                submitted,
                score,
                max_score,
                percent,
                passed,
                answered,
                n_correct,
                n_questions,
            )
        )
    return out


def attempt_result(
    db: Database, attempt_id: int, *, trainee: Trainee | None = None
) -> AttemptResult:
    """The score of one attempt.

    Args:
        db: an open database.
        attempt_id: the attempt.
        trainee: when given (trainee-facing pages), the attempt must be theirs.

    Raises:
        NotFound: no such attempt, or it belongs to someone else.
    """
    where, params = "a.id = ?", [attempt_id]
    if trainee is not None:
        where, params = "a.id = ? AND a.trainee_id = ?", [attempt_id, trainee.id]
    results = attempt_results(db, where, params)
    if not results:
        raise NotFound(f"作答记录 {attempt_id} 不存在")
    return results[0]


def attempt_review(db: Database, attempt_id: int, trainee: Trainee) -> list[ReviewItem]:
    """A submitted attempt question by question, with keys and explanations, for its trainee.

    Raises:
        NotFound: no such attempt for this trainee.
        AttemptError: the attempt is not submitted yet (keys stay hidden until then).
    """
    attempt = get_attempt(db, attempt_id)
    if attempt.trainee_id != trainee.id:
        raise NotFound(f"作答记录 {attempt_id} 不存在")
    if attempt.is_open:
        raise AttemptError("提交后才能查看答案和解析")
    given = {r.question_id: r for r in attempt_responses(db, attempt_id)}
    out = []
    for position, question, order, max_points in _attempt_items(db, attempt_id):
        response = given.get(question.id)
        correct = bool(response and response.correct)
        out.append(
            ReviewItem(
                position,
                question.id,
                question.qtype,
                question.stem,
                shown_options(question, order),
                to_display(response.answer, question.qtype, order) if response else None,
                key_for_display(question, order),
                correct,
                question.explanation,
                max_points if correct else 0.0,
                max_points,
            )
        )
    return out


def trainee_history(db: Database, trainee: Trainee) -> list[AttemptResult]:
    """The trainee's own submitted attempts over time, oldest first."""
    return attempt_results(db, "a.trainee_id = ? AND a.submitted_at IS NOT NULL", [trainee.id])


def counted_result(results: list[AttemptResult], grading: Grading | str) -> AttemptResult | None:
    """The attempt that counts among one trainee's submitted attempts at one quiz.

    Args:
        results: that trainee's attempts at that quiz (open ones are ignored).
        grading: first, last or best (best: highest score, earliest on a tie).
    """
    done = sorted((r for r in results if r.submitted_at), key=lambda r: r.number)
    if not done:
        return None
    grading = Grading(grading)
    if grading == Grading.FIRST:
        return done[0]
    if grading == Grading.LAST:
        return done[-1]
    return max(done, key=lambda r: (r.score, -r.number))
