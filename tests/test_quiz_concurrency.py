"""Smoke test: several processes submit attempts and live answers at once; every row is stored."""

import multiprocessing
from dataclasses import replace

import quizzes
from quizzes import Answer, Question, QuestionType

PROCESSES = 4
ATTEMPTS_EACH = 10


def worker(db_path, quiz_id, join_code, number, barrier, results):
    """One process: its own connection, several trainees submitting, then a live answer."""
    db = quizzes.connect(db_path)
    questions = {q.stem: q.id for q in quizzes.list_questions(db)}
    barrier.wait()  # start together to maximise contention
    scores = []
    for k in range(ATTEMPTS_EACH):
        trainee = quizzes.identify_trainee(db, f"学员{number}-{k}", f"P{number:02d}{k:02d}")
        attempt = quizzes.start_attempt(db, quiz_id, trainee)
        right = (number + k) % 2 == 0  # half the trainees answer everything right
        answers = [
            Answer(questions["甲"], right, time_ms=100 + k),
            Answer(questions["乙"], "B" if right else "A", time_ms=200 + k),
        ]
        scores.append(quizzes.submit_attempt(db, attempt.id, answers).score)
    player = quizzes.join_live_session(db, join_code, f"玩家{number}")
    quizzes.answer_live_question(db, player.id, 0, "B", time_ms=1000 + number)
    db.close()
    results.put((number, scores))


def test_processes_submitting_at_once_store_every_row(tmp_path):
    path = tmp_path / "shared.db"
    with quizzes.connect(path) as db:
        one = quizzes.add_question(
            db, replace(Question(QuestionType.TRUE_FALSE, "甲", key="对"), status="approved")
        )
        two = quizzes.add_question(
            db,
            replace(
                Question(QuestionType.SINGLE, "乙", key="B", options=("x", "y")), status="approved"
            ),
        )
        quiz = quizzes.create_quiz(db, "并发", question_ids=[one.id, two.id])
        live = quizzes.create_quiz(db, "直播", question_ids=[two.id])
        session = quizzes.open_live_session(db, live.id)
        quizzes.next_live_question(db, session.id)

    context = multiprocessing.get_context("spawn")  # separate interpreters, like real servers
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=worker, args=(path, quiz.id, session.join_code, n, barrier, results))
        for n in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    reported = dict(results.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0

    with quizzes.connect(path) as db:
        total = PROCESSES * ATTEMPTS_EACH
        assert (
            db.execute("SELECT count(*) FROM attempts WHERE submitted_at IS NOT NULL").fetchone()[0]
            == total
        )
        assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == total * 2
        stored = sorted(r.score for r in quizzes.quiz_attempts(db, quiz.id))
        assert stored == sorted(s for scores in reported.values() for s in scores)
        assert stored.count(2) == total // 2 and stored.count(0) == total // 2
        board = quizzes.live_leaderboard(db, session.id)
        assert [row.nickname for row in board] == [f"玩家{n}" for n in range(PROCESSES)]
        assert all(row.correct == 1 for row in board)
