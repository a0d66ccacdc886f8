"""Load: 200 trainee processes answer a 20-question quiz at once against one SQLite file."""

from __future__ import annotations

import gc
import multiprocessing
import time
import traceback
from dataclasses import replace
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import quizzes
from quizzes import Answer, Question, QuestionType, QuizSettings, TraineeQuestion

TRAINEES = 200
QUESTIONS = 20
LETTERS = "ABCDEF"


def make_bank() -> list[Question]:
    """Twenty questions of every type, worth 1 to 3 points (a wrong score formula shows up)."""
    bank = []
    for j in range(QUESTIONS):
        stem, points = f"负载测试第{j + 1}题", 1 + j % 3
        if j % 4 == 0:
            bank.append(Question(QuestionType.SINGLE, stem, key="C", score=points,
                                 options=(f"甲{j}", f"乙{j}", f"丙{j}", f"丁{j}")))
        elif j % 4 == 1:
            bank.append(Question(QuestionType.MULTIPLE, stem, key="AD", score=points,
                                 options=(f"子{j}", f"丑{j}", f"寅{j}", f"卯{j}")))
        elif j % 4 == 2:
            bank.append(Question(QuestionType.TRUE_FALSE, stem, key="错误", score=points))
        else:
            bank.append(Question(QuestionType.FILL, stem, key=f"答案{j}", score=points))
    return bank


BANK = make_bank()


def answers_right(worker: int, index: int) -> bool:
    """The deterministic pattern: whether trainee ``worker`` answers bank question ``index`` right.

    Trainees 0, 50, 100, 150 get everything wrong, 1, 51, 101, 151 everything right; the
    others between about half and 80 % right, each with a different set of questions.
    """
    if worker % 50 == 0:
        return False
    if worker % 50 == 1:
        return True
    return (worker * 7 + index * 3) % 10 < 5 + worker % 4


def answer_time_ms(worker: int, index: int) -> int:
    """A distinct answer time per (trainee, question): a lost or doubled update shows in it."""
    return 1000 + 10 * worker + index


def displayed_answer(question: Question, shown: TraineeQuestion, right: bool) -> str:
    """What a trainee types or ticks, reading the options in the (shuffled) order shown."""
    if question.qtype == QuestionType.TRUE_FALSE:
        return question.key[0] if right else "正确"
    if question.qtype == QuestionType.FILL:
        return question.key[0] if right else "不知道"
    key_texts = [question.options[LETTERS.index(letter)] for letter in question.key]
    if not right:  # single: another option; multiple: only part of the key
        key_texts = key_texts[:1] if question.qtype == QuestionType.MULTIPLE else [
            next(o for o in question.options if o not in key_texts)]
    return "".join(sorted(LETTERS[shown.options.index(text)] for text in key_texts))


def trainee_worker(path: Path, quiz_id: int, worker: int, barrier: Barrier,
                   results: Queue) -> None:
    """One trainee in its own process and connection: identify, start, answer 20, submit.

    The calls are those of the 自助测验 page (after-submit feedback): each answer is stored
    as it is given (``answer_question``), then 交卷 sends every answer again with the
    submission (``submit_attempt``). Any exception is sent back as text, never swallowed.
    """
    try:
        db = quizzes.connect(path)
        by_stem = {q.stem: q for q in BANK}
        barrier.wait(timeout=120)  # all start together: the worst case for the write lock
        trainee = quizzes.identify_trainee(db, f"学员{worker}", f"L{worker:04d}")
        attempt = quizzes.start_attempt(db, quiz_id, trainee)
        final: list[Answer] = []
        for shown in quizzes.attempt_questions(db, attempt.id):
            question = by_stem[shown.stem]
            index = BANK.index(question)
            given = displayed_answer(question, shown, answers_right(worker, index))
            quizzes.answer_question(db, attempt.id, shown.question_id, given,
                                    time_ms=answer_time_ms(worker, index))
            final.append(Answer(shown.question_id, given, time_ms=0))
        result = quizzes.submit_attempt(db, attempt.id, final)
        db.close()
        results.put((worker, None, result.score, result.correct_count))
    except BaseException:  # report everything, e.g. "database is locked"
        results.put((worker, traceback.format_exc(), None, None))


def test_200_trainees_answering_20_questions_at_once(tmp_path: Path) -> None:
    path = tmp_path / "load.db"
    with quizzes.connect(path) as db:
        ids, _ = quizzes.add_questions(db, [replace(q, status="approved") for q in BANK])
        settings = QuizSettings(shuffle_questions=True, shuffle_options=True, max_attempts=1)
        quiz = quizzes.create_quiz(db, "负载测试", question_ids=ids, settings=settings)
    points = [q.score for q in BANK]
    expected_correct = {w: [j for j in range(QUESTIONS) if answers_right(w, j)]
                        for w in range(TRAINEES)}
    expected_score = {w: sum(points[j] for j in right) for w, right in expected_correct.items()}

    context = multiprocessing.get_context("fork")  # cheap: the parent has imported everything
    barrier = context.Barrier(TRAINEES)
    results = context.Queue()
    processes = [context.Process(target=trainee_worker, args=(path, quiz.id, w, barrier, results))
                 for w in range(TRAINEES)]
    started = time.monotonic()
    gc.freeze()  # the children's collections then leave the parent's objects (and pages) alone
    try:
        for process in processes:
            process.start()
    finally:
        gc.unfreeze()
    reported = [results.get(timeout=180) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    elapsed = time.monotonic() - started
    errors = {w: error for w, error, _, _ in reported if error is not None}
    assert not errors, next(iter(errors.values()))
    assert all(p.exitcode == 0 for p in processes)
    assert sorted(w for w, *_ in reported) == list(range(TRAINEES))
    for worker, _, score, correct in reported:  # what submit_attempt returned to each trainee
        assert (score, correct) == (expected_score[worker], len(expected_correct[worker]))

    with quizzes.connect(path) as db:
        sql = db.conn.execute
        # Every answer stored exactly once, each with its own time (no lost or doubled update).
        assert sql("SELECT count(*) FROM responses").fetchone()[0] == TRAINEES * QUESTIONS
        assert sql("SELECT count(*) FROM (SELECT DISTINCT attempt_id, question_id "
                   "FROM responses)").fetchone()[0] == TRAINEES * QUESTIONS
        times = sql("SELECT t.employee_no, q.stem, r.time_ms FROM responses r "
                    "JOIN attempts a ON a.id = r.attempt_id "
                    "JOIN trainees t ON t.id = a.trainee_id "
                    "JOIN questions q ON q.id = r.question_id").fetchall()
        assert sorted((no, stem, ms) for no, stem, ms in times) == sorted(
            (f"L{w:04d}", BANK[j].stem, answer_time_ms(w, j))
            for w in range(TRAINEES) for j in range(QUESTIONS))
        assert sql("SELECT count(*), count(DISTINCT trainee_id), max(number) FROM attempts "
                   "WHERE submitted_at IS NOT NULL").fetchone() == (TRAINEES, TRAINEES, 1)

        # The trainer's views, computed afterwards by the library, match the pattern.
        rows = quizzes.quiz_results(db, quiz.id)
        assert [r.employee_no for r in rows] == [f"L{w:04d}" for w in range(TRAINEES)]
        for w, row in enumerate(rows):
            assert row.score == expected_score[w]
            assert row.max_score == sum(points)
            assert row.percent == 100 * expected_score[w] / sum(points)
            assert row.passed == (100 * expected_score[w] / sum(points) >= 60)
        by_number = {r.employee_no: r for r in quizzes.quiz_attempts(db, quiz.id)}
        for w in range(TRAINEES):
            attempt = by_number[f"L{w:04d}"]
            assert (attempt.answered, attempt.correct_count, attempt.question_count) == (
                QUESTIONS, len(expected_correct[w]), QUESTIONS)
        stats = {s.stem: s for s in quizzes.quiz_item_analysis(db, quiz.id)}
        for j, question in enumerate(BANK):
            right = sum(answers_right(w, j) for w in range(TRAINEES))
            item = stats[question.stem]
            assert item.n == TRAINEES
            assert abs(item.mean_score - points[j] * right / TRAINEES) < 1e-9
            assert abs(item.facility - 100 * right / TRAINEES) < 1e-9
    print(f"{TRAINEES} processes x {QUESTIONS} answers: {elapsed:.1f} s")
