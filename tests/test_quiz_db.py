"""Database setup: named migrations, WAL, busy timeout, per-thread connections, default path."""

import sqlite3
import threading

import pytest

import quizzes
from quizzes.db import DEFAULT_DB, MIGRATIONS, apply_migrations, default_db_path


def test_migrations_are_named_recorded_and_applied_once(tmp_path):
    path = tmp_path / "q.db"
    with quizzes.connect(path) as db:
        applied = [m.name for m in MIGRATIONS.applied(db)]
        assert applied == [
            "0001_question_bank",
            "0002_quizzes_and_attempts",
            "0003_live_sessions",
            "0004_trainers",
        ]
        assert apply_migrations(db) == []
        assert {
            "questions",
            "quizzes",
            "attempts",
            "responses",
            "live_sessions",
            "trainers",
        } <= set(db.table_names())
    with quizzes.connect(path) as again:  # reopening applies nothing twice
        assert [m.name for m in MIGRATIONS.applied(again)] == applied


def test_connection_settings(tmp_path):
    with quizzes.connect(tmp_path / "q.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        with pytest.raises(sqlite3.IntegrityError):  # a response must belong to its attempt
            db.execute(
                "INSERT INTO responses (attempt_id, question_id, answer, correct, time_ms, "
                "answered_at) VALUES (1, 1, 'A', 1, 0, 'now')"
            )


def test_a_connection_refuses_use_from_another_thread(tmp_path):
    db = quizzes.connect(tmp_path / "q.db")
    errors = []

    def use_shared():
        try:
            quizzes.list_questions(db)
        except sqlite3.ProgrammingError as exc:
            errors.append(exc)

    def use_own():
        with quizzes.connect(tmp_path / "q.db") as own:
            quizzes.list_questions(own)

    for target in (use_shared, use_own):
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    assert len(errors) == 1
    db.close()


def test_write_transaction_rolls_back_on_error(tmp_path):
    with quizzes.connect(tmp_path / "q.db") as db:
        with pytest.raises(RuntimeError):
            with quizzes.write_transaction(db):
                db.execute(
                    "INSERT INTO trainees (employee_no, name, created_at) VALUES ('E1', 'x', 'now')"
                )
                raise RuntimeError("boom")
        assert db.execute("SELECT count(*) FROM trainees").fetchone()[0] == 0


def test_default_path_and_environment_override(monkeypatch, tmp_path):
    monkeypatch.delenv("SAFETY_QUIZ_DB", raising=False)
    assert default_db_path() == DEFAULT_DB
    assert DEFAULT_DB.parts[-2:] == ("var", "quizzes.db")
    monkeypatch.setenv("SAFETY_QUIZ_DB", str(tmp_path / "env.db"))
    assert default_db_path() == tmp_path / "env.db"
