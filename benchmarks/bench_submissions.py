"""Training-database benchmark: many processes answering at once against one SQLite file.

Run by hand: .venv/bin/python benchmarks/bench_submissions.py [--processes 200] [--answers 20]
and copy its output into BENCHMARKS.md. Each process is one trainee with its own connection
(as each Streamlit server thread or worker would have); all start together on a barrier.

Self-paced: identify, start an attempt of ``--answers`` questions, store each answer as it is
given (``answer_question``, timed per call), then 交卷 (``submit_attempt``, timed).
Live session (skip with ``--no-live``): every process joins one session; for each question the
trainer opens it, all participants answer at once (``answer_live_question``, timed per call),
and the trainer reveals it once every answer is in.
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import quizzes  # noqa: E402
from quizzes import Answer, Question, QuestionType  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency_line(label: str, values: list[float]) -> str:
    return (f"{label}: p50 {statistics.median(values):.1f} ms, "
            f"p95 {percentile(values, 0.95):.1f} ms, max {max(values):.1f} ms "
            f"over {len(values)} calls")


def make_questions(count: int) -> list[Question]:
    """Single-choice questions, key B; workers answer B on even positions, A on odd ones."""
    return [replace(Question(QuestionType.SINGLE, f"基准第{i + 1}题", key="B",
                             options=("甲", "乙", "丙")), status="approved")
            for i in range(count)]


def self_paced_worker(path: Path, quiz_id: int, number: int, barrier: Barrier,
                      results: Queue) -> None:
    """One trainee: identify, start, answer every question (each call timed), submit."""
    db = quizzes.connect(path)
    barrier.wait()
    trainee = quizzes.identify_trainee(db, f"学员{number}", f"B{number:04d}")
    attempt = quizzes.start_attempt(db, quiz_id, trainee)
    answer_ms = []
    for q in quizzes.attempt_questions(db, attempt.id):
        started = time.perf_counter()
        quizzes.answer_question(db, attempt.id, q.question_id, "B" if q.position % 2 == 0
                                else "A", time_ms=1000)
        answer_ms.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    quizzes.submit_attempt(db, attempt.id, [Answer(q.question_id, q.given or "", time_ms=0)
                                            for q in quizzes.attempt_questions(db, attempt.id)])
    submit_ms = (time.perf_counter() - started) * 1000
    db.close()
    results.put((answer_ms, submit_ms))


def live_worker(path: Path, code: str, count: int, number: int, barrier: Barrier,
                results: Queue) -> None:
    """One participant: join, then answer each question as soon as the trainer opens it."""
    db = quizzes.connect(path)
    barrier.wait()
    started = time.perf_counter()
    me = quizzes.join_live_session(db, code, f"玩家{number}")
    join_ms = (time.perf_counter() - started) * 1000
    answer_ms = []
    for position in range(count):
        barrier.wait()  # the trainer has opened this question
        started = time.perf_counter()
        quizzes.answer_live_question(db, me.id, position, "B" if position % 2 == 0 else "A")
        answer_ms.append((time.perf_counter() - started) * 1000)
        barrier.wait()  # every answer is in: the trainer reveals
    db.close()
    results.put((answer_ms, join_ms))


def run(target: object, args: tuple, processes: int,
        between: object = None) -> tuple[float, list[tuple]]:
    """Start the workers on one barrier with this process; return (wall seconds, results).

    ``between`` (live mode) is called after the start barrier and runs the trainer's side.
    """
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes + 1)
    results = context.Queue()
    workers = [context.Process(target=target, args=(*args, n, barrier, results))
               for n in range(processes)]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    if between is not None:
        between(barrier)
    reported = [results.get(timeout=600) for _ in workers]
    wall = time.perf_counter() - started
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise SystemExit(f"a worker failed (exit code {worker.exitcode})")
    return wall, reported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=200)
    parser.add_argument("--answers", type=int, default=20, help="questions per trainee")
    parser.add_argument("--no-live", action="store_true", help="skip the live-session part")
    args = parser.parse_args()
    n, m = args.processes, args.answers
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"{multiprocessing.cpu_count()} cores, python {platform.python_version()}, "
          f"sqlite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        with quizzes.connect(path) as db:
            ids, _ = quizzes.add_questions(db, make_questions(m))
            quiz = quizzes.create_quiz(db, "基准", question_ids=ids)
            live_quiz = quizzes.create_quiz(db, "基准直播", question_ids=ids)

        wall, reported = run(self_paced_worker, (path, quiz.id), n)
        answers = [ms for answer_ms, _ in reported for ms in answer_ms]
        print(f"self-paced: {n} processes x {m} answers = {len(answers)} answers "
              f"in {wall:.1f} s: {len(answers) / wall:.0f} answers/s "
              f"(with identify, start and submit of each attempt)")
        print(latency_line("  answer_question", answers))
        print(latency_line("  submit_attempt (交卷, re-sends every answer)",
                           [s for _, s in reported]))
        with quizzes.connect(path) as db:
            stored = db.conn.execute("SELECT count(*) FROM responses").fetchone()[0]
        print(f"  responses stored: {stored} of {n * m}")
        if args.no_live:
            return

        with quizzes.connect(path) as db:
            session = quizzes.open_live_session(db, live_quiz.id)
        rounds: list[float] = []

        def trainer(barrier: Barrier) -> None:
            with quizzes.connect(path) as host:
                for _ in range(m):
                    quizzes.next_live_question(host, session.id)
                    barrier.wait()
                    opened = time.perf_counter()
                    barrier.wait()
                    rounds.append(time.perf_counter() - opened)
                    quizzes.reveal_live_question(host, session.id)

        wall, reported = run(live_worker, (path, session.join_code, m), n, trainer)
        answers = [ms for answer_ms, _ in reported for ms in answer_ms]
        print(f"live session: {n} participants x {m} questions = {len(answers)} answers; "
              f"all {n} answers to one question in {statistics.median(rounds) * 1000:.0f} ms "
              f"(median over questions): {len(answers) / sum(rounds):.0f} answers/s")
        print(latency_line("  join_live_session", [j for _, j in reported]))
        print(latency_line("  answer_live_question", answers))
        with quizzes.connect(path) as db:
            board = quizzes.live_leaderboard(db, session.id)
        print(f"  leaderboard: {len(board)} participants, "
              f"{sum(r.answered for r in board)} answers of {n * m}")


if __name__ == "__main__":
    main()
