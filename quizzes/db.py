"""Database connection, named schema migrations and transaction helpers."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database, Migrations

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = REPO_ROOT / "var" / "quizzes.db"
DB_ENV_VAR = "SAFETY_QUIZ_DB"
# Many processes may write at once (a whole class submitting); a writer waits this long for
# the lock instead of failing. Each write transaction is a few milliseconds.
BUSY_TIMEOUT_S = 30.0

MIGRATIONS = Migrations("quizzes")


def default_db_path() -> Path:
    """The database used when none is given: ``$SAFETY_QUIZ_DB`` or ``var/quizzes.db``."""
    env = os.environ.get(DB_ENV_VAR, "").strip()
    return Path(env) if env else DEFAULT_DB


def connect(path: str | Path | None = None, *, migrate: bool = True) -> Database:
    """Open a fresh connection; call once per thread or process, never share one across threads.

    The connection uses WAL (readers never block the writer), a busy timeout, foreign keys,
    and the default sqlite3 ``check_same_thread`` guard, so using it from another thread
    raises instead of corrupting state.

    Args:
        path: database file; None means :func:`default_db_path`. Parent folders are created.
        migrate: apply pending schema migrations (safe when many processes start at once).

    Returns:
        A sqlite-utils ``Database``; close it with ``db.close()`` or use ``with``.
    """
    db_path = Path(path) if path is not None else default_db_path()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_S)
    db = Database(conn, execute_plugins=False)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    db.enable_wal()
    conn.execute("PRAGMA synchronous = NORMAL")  # durable enough in WAL mode, much faster
    if migrate:
        apply_migrations(db)
    return db


def apply_migrations(db: Database) -> list[str]:
    """Apply pending migrations under a write lock, so concurrent starters do not race.

    Returns:
        Names of the migrations applied by this call.
    """
    if not MIGRATIONS.pending(db):
        return []
    with write_transaction(db):
        # Re-read under the lock: another process may have migrated meanwhile.
        names = [m.name for m in MIGRATIONS.pending(db)]
        MIGRATIONS.apply(db)  # nested atomic() blocks become savepoints of this transaction
    return names


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """Run a block as one ``BEGIN IMMEDIATE`` transaction: all of it is stored, or none.

    IMMEDIATE takes the write lock up front, so a transaction never fails half-way when it
    upgrades from reading to writing (a deferred transaction would get SQLITE_BUSY at once
    instead of waiting for the busy timeout).
    """
    if db.conn.in_transaction:
        raise RuntimeError("write_transaction() cannot be nested")
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def now_ts(now: float | None = None) -> float:
    """Current time as epoch seconds; ``now`` lets callers (and tests) fix the clock."""
    return time.time() if now is None else now


def iso(ts: float) -> str:
    """Epoch seconds to the ISO-8601 UTC text stored in the database."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")


def from_iso(text: str) -> float:
    """ISO-8601 text from the database back to epoch seconds."""
    return datetime.fromisoformat(text).timestamp()


@MIGRATIONS(name="0001_question_bank")
def _m0001_question_bank(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            qtype TEXT NOT NULL CHECK (qtype IN ('single', 'multiple', 'truefalse', 'fill')),
            stem TEXT NOT NULL,
            options TEXT NOT NULL DEFAULT '[]',      -- JSON array, option A first
            answer_key TEXT NOT NULL,                -- JSON array, see Question.key
            explanation TEXT NOT NULL DEFAULT '',
            score REAL NOT NULL DEFAULT 1 CHECK (score > 0),
            category TEXT NOT NULL DEFAULT '',
            tags TEXT NOT NULL DEFAULT '[]',         -- JSON array
            difficulty INTEGER CHECK (difficulty BETWEEN 1 AND 5),
            status TEXT NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'approved', 'retired')),
            source_doc TEXT NOT NULL DEFAULT '',
            source_section TEXT NOT NULL DEFAULT '',
            fingerprint TEXT NOT NULL,               -- hash of type, stem, options, key
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX questions_status_category ON questions (status, category)")
    db.execute("CREATE INDEX questions_fingerprint ON questions (fingerprint)")


@MIGRATIONS(name="0002_quizzes_and_attempts")
def _m0002_quizzes_and_attempts(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE quizzes (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            draw_rules TEXT NOT NULL DEFAULT '[]',   -- JSON; empty means a fixed list
            time_limit_s INTEGER CHECK (time_limit_s IS NULL OR time_limit_s > 0),
            shuffle_questions INTEGER NOT NULL DEFAULT 0,
            shuffle_options INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER CHECK (max_attempts IS NULL OR max_attempts > 0),
            grading TEXT NOT NULL DEFAULT 'best' CHECK (grading IN ('first', 'last', 'best')),
            feedback TEXT NOT NULL DEFAULT 'after_submit'
                CHECK (feedback IN ('immediate', 'after_submit')),
            pass_percent REAL NOT NULL DEFAULT 60 CHECK (pass_percent BETWEEN 0 AND 100),
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE quiz_questions (
            quiz_id INTEGER NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            question_id INTEGER NOT NULL REFERENCES questions (id),
            PRIMARY KEY (quiz_id, position),
            UNIQUE (quiz_id, question_id)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE trainees (
            id INTEGER PRIMARY KEY,
            employee_no TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            quiz_id INTEGER NOT NULL REFERENCES quizzes (id),
            trainee_id INTEGER NOT NULL REFERENCES trainees (id),
            number INTEGER NOT NULL,                 -- 1 for the trainee's first attempt
            started_at TEXT NOT NULL,
            deadline_at TEXT,
            submitted_at TEXT,
            UNIQUE (quiz_id, trainee_id, number)
        )
        """
    )
    db.execute("CREATE INDEX attempts_trainee ON attempts (trainee_id)")
    db.execute(
        """
        CREATE TABLE attempt_questions (
            attempt_id INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            question_id INTEGER NOT NULL REFERENCES questions (id),
            option_order TEXT NOT NULL DEFAULT '',   -- original letters in display order
            max_points REAL NOT NULL,                -- question score when the attempt began
            PRIMARY KEY (attempt_id, position),
            UNIQUE (attempt_id, question_id)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE responses (
            id INTEGER PRIMARY KEY,
            attempt_id INTEGER NOT NULL,
            question_id INTEGER NOT NULL,
            answer TEXT NOT NULL,                    -- canonical: original letters, 正确/错误, text
            correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
            time_ms INTEGER NOT NULL CHECK (time_ms >= 0),
            answered_at TEXT NOT NULL,
            UNIQUE (attempt_id, question_id),
            FOREIGN KEY (attempt_id, question_id)
                REFERENCES attempt_questions (attempt_id, question_id) ON DELETE CASCADE
        )
        """
    )


@MIGRATIONS(name="0003_live_sessions")
def _m0003_live_sessions(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE live_sessions (
            id INTEGER PRIMARY KEY,
            quiz_id INTEGER NOT NULL REFERENCES quizzes (id),
            join_code TEXT NOT NULL CHECK (length(join_code) = 6),
            phase TEXT NOT NULL DEFAULT 'lobby'
                CHECK (phase IN ('lobby', 'question', 'reveal', 'finished')),
            current_index INTEGER NOT NULL DEFAULT -1,   -- -1 before the first question
            question_started_at TEXT,
            created_at TEXT NOT NULL,
            finished_at TEXT
        )
        """
    )
    # A join code is unique among sessions still running; finished ones free their code.
    db.execute(
        "CREATE UNIQUE INDEX live_sessions_open_code ON live_sessions (join_code) "
        "WHERE phase != 'finished'"
    )
    db.execute(
        """
        CREATE TABLE live_questions (
            session_id INTEGER NOT NULL REFERENCES live_sessions (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            question_id INTEGER NOT NULL REFERENCES questions (id),
            option_order TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (session_id, position)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE live_participants (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES live_sessions (id) ON DELETE CASCADE,
            nickname TEXT NOT NULL COLLATE NOCASE,
            joined_at TEXT NOT NULL,
            UNIQUE (session_id, nickname)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE live_responses (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES live_sessions (id) ON DELETE CASCADE,
            participant_id INTEGER NOT NULL REFERENCES live_participants (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            question_id INTEGER NOT NULL REFERENCES questions (id),
            answer TEXT NOT NULL,
            correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
            time_ms INTEGER NOT NULL CHECK (time_ms >= 0),
            answered_at TEXT NOT NULL,
            UNIQUE (participant_id, position)
        )
        """
    )
    db.execute("CREATE INDEX live_responses_session ON live_responses (session_id, position)")


@MIGRATIONS(name="0004_trainers")
def _m0004_trainers(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE trainers (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,             -- scrypt$n$r$p$salt$hash (base64)
            failed_logins INTEGER NOT NULL DEFAULT 0,  -- consecutive failures
            locked_until TEXT,
            last_login_at TEXT,
            created_at TEXT NOT NULL
        )
        """
    )
