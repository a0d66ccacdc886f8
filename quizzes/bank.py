"""The question bank: store, look up, change status, import and export questions."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlite_utils import Database

from .db import iso, now_ts, write_transaction
from .errors import NotFound, QuizError
from .formats import read_questions, write_questions
from .records import ImportResult, Question, QuestionType, Status

# Content columns, in the order of _values(); created_at and updated_at follow.
_CONTENT = (
    "qtype", "stem", "options", "answer_key", "explanation", "score", "category", "tags",
    "difficulty", "status", "source_doc", "source_section", "fingerprint",
)  # fmt: skip
_COLUMNS = ", ".join((*_CONTENT, "created_at", "updated_at"))
_MARKS = ", ".join("?" * (len(_CONTENT) + 2))
_INSERT = f"INSERT INTO questions ({_COLUMNS}) VALUES ({_MARKS})"
# Skips a question the bank already holds (same type, stem, options and key).
_INSERT_NEW = (
    f"INSERT INTO questions ({_COLUMNS}) SELECT {_MARKS} "
    "WHERE NOT EXISTS (SELECT 1 FROM questions WHERE fingerprint = ?)"
)
_UPDATE = (
    f"UPDATE questions SET {', '.join(f'{c} = ?' for c in _CONTENT)}, updated_at = ? WHERE id = ?"
)


def fingerprint(question: Question) -> str:
    """Hash of what makes two questions the same: type, stem, options and key."""
    content = [question.qtype, question.stem, list(question.options), list(question.key)]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def _values(question: Question, stamp: str, print_: str | None = None) -> tuple:
    return (
        question.qtype.value,
        question.stem,
        json.dumps(list(question.options), ensure_ascii=False),
        json.dumps(list(question.key), ensure_ascii=False),
        question.explanation,
        question.score,
        question.category,
        json.dumps(list(question.tags), ensure_ascii=False),
        question.difficulty,
        question.status.value,
        question.source_doc,
        question.source_section,
        print_ or fingerprint(question),
        stamp,
        stamp,
    )


def question_from_row(row: dict) -> Question:
    """Build a :class:`Question` from a ``questions`` table row."""
    return Question(
        qtype=QuestionType(row["qtype"]),
        stem=row["stem"],
        key=tuple(json.loads(row["answer_key"])),
        options=tuple(json.loads(row["options"])),
        explanation=row["explanation"],
        score=row["score"],
        category=row["category"],
        tags=tuple(json.loads(row["tags"])),
        difficulty=row["difficulty"],
        status=Status(row["status"]),
        source_doc=row["source_doc"],
        source_section=row["source_section"],
        id=row["id"],
    )


def add_question(db: Database, question: Question) -> Question:
    """Store one question (e.g. a draft generated from the knowledge base).

    Args:
        db: an open database (see :func:`quizzes.connect`).
        question: the question; its ``id`` is ignored.

    Returns:
        The stored question with its new ``id``.

    Raises:
        InvalidQuestion: the question has problems (all of them are listed).
    """
    question.validated()
    with write_transaction(db):
        cursor = db.conn.execute(_INSERT, _values(question, iso(now_ts())))
    return dataclasses.replace(question, id=cursor.lastrowid)


def add_questions(
    db: Database, questions: Sequence[Question], *, skip_duplicates: bool = False
) -> tuple[list[int], int]:
    """Store many questions in one transaction: all of them, or none if anything fails.

    Args:
        db: an open database.
        questions: questions to store; each must be valid.
        skip_duplicates: leave out questions the bank (or this batch) already holds.

    Returns:
        ``(ids of the stored questions, number skipped as duplicates)``.

    Raises:
        InvalidQuestion: a question has problems; nothing is stored.
    """
    for question in questions:
        question.validated()
    stamp = iso(now_ts())
    with write_transaction(db):
        last = db.conn.execute("SELECT coalesce(max(id), 0) FROM questions").fetchone()[0]
        if skip_duplicates:
            prints = [fingerprint(q) for q in questions]
            rows = ((*_values(q, stamp, p), p) for q, p in zip(questions, prints, strict=True))
            db.conn.executemany(_INSERT_NEW, rows)
        else:
            db.conn.executemany(_INSERT, (_values(q, stamp) for q in questions))
        # The write lock is held, so every id above `last` was inserted by this call.
        ids = [r[0] for r in db.conn.execute("SELECT id FROM questions WHERE id > ?", [last])]
    return ids, len(questions) - len(ids)


def get_question(db: Database, question_id: int) -> Question:
    """One question by id.

    Raises:
        NotFound: no such question.
    """
    rows = list(db.query("SELECT * FROM questions WHERE id = ?", [question_id]))
    if not rows:
        raise NotFound(f"题目 {question_id} 不存在")
    return question_from_row(rows[0])


def get_questions(db: Database, ids: Iterable[int]) -> dict[int, Question]:
    """Questions by id (ids that do not exist are simply absent from the result)."""
    wanted = sorted(set(ids))
    found: dict[int, Question] = {}
    for start in range(0, len(wanted), 500):  # stay well under SQLite's variable limit
        chunk = wanted[start : start + 500]
        sql = f"SELECT * FROM questions WHERE id IN ({', '.join('?' * len(chunk))})"
        for row in db.query(sql, chunk):
            found[row["id"]] = question_from_row(row)
    return found


def list_questions(
    db: Database,
    *,
    status: Status | str | None = None,
    category: str | None = None,
    tag: str | None = None,
    qtype: QuestionType | str | None = None,
    search: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Question]:
    """Questions matching every filter given, in id order.

    Args:
        db: an open database.
        status: draft / approved / retired.
        category: exact category.
        tag: questions carrying this tag.
        qtype: question type.
        search: substring of the stem.
        limit: at most this many (None: all).
        offset: skip this many first (paging).
    """
    where, params = filter_sql(status=status, category=category, tag=tag, qtype=qtype)
    if search:
        where.append("instr(stem, ?) > 0")
        params.append(search)
    sql = "SELECT * FROM questions"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id LIMIT ? OFFSET ?"
    params += [-1 if limit is None else limit, offset]
    return [question_from_row(row) for row in db.query(sql, params)]


def filter_sql(
    *,
    status: Status | str | None = None,
    category: str | None = None,
    tag: str | None = None,
    qtype: QuestionType | str | None = None,
) -> tuple[list[str], list[object]]:
    """SQL conditions on ``questions`` for the filters given, and their parameters."""
    where: list[str] = []
    params: list[object] = []
    if status is not None:
        where.append("status = ?")
        params.append(Status(status).value)
    if category is not None:
        where.append("category = ?")
        params.append(category)
    if tag is not None:
        where.append("EXISTS (SELECT 1 FROM json_each(questions.tags) WHERE value = ?)")
        params.append(tag)
    if qtype is not None:
        where.append("qtype = ?")
        params.append(QuestionType(qtype).value)
    return where, params


def categories(db: Database) -> list[str]:
    """Every category in use, sorted."""
    rows = db.query("SELECT DISTINCT category FROM questions WHERE category != '' ORDER BY 1")
    return [row["category"] for row in rows]


def all_tags(db: Database) -> list[str]:
    """Every tag in use, sorted."""
    rows = db.query("SELECT DISTINCT j.value AS tag FROM questions, json_each(tags) j ORDER BY 1")
    return [row["tag"] for row in rows]


def question_in_use(db: Database, question_id: int) -> bool:
    """Whether any attempt or live session has shown this question."""
    sql = (
        "SELECT EXISTS (SELECT 1 FROM attempt_questions WHERE question_id = ?) "
        "OR EXISTS (SELECT 1 FROM live_questions WHERE question_id = ?)"
    )
    return bool(db.conn.execute(sql, [question_id, question_id]).fetchone()[0])


def update_question(db: Database, question_id: int, question: Question) -> Question:
    """Replace a question's content; only allowed while no trainee has seen it.

    Once used, responses were marked against the old key, so editing it would silently change
    past results: retire it and add a corrected question instead.

    Raises:
        NotFound: no such question.
        InvalidQuestion: the new content has problems.
        QuizError: the question has been used.
    """
    question.validated()
    with write_transaction(db):
        get_question(db, question_id)
        if question_in_use(db, question_id):
            raise QuizError(f"题目 {question_id} 已被使用，不能修改；请停用它并新建一道题")
        values = _values(question, iso(now_ts()))  # ends with created_at, updated_at
        db.conn.execute(_UPDATE, [*values[:-2], values[-1], question_id])
    return dataclasses.replace(question, id=question_id)


def set_question_status(db: Database, question_id: int, status: Status | str) -> Question:
    """Move a question to draft, approved or retired.

    Raises:
        NotFound: no such question.
        ValueError: unknown status.
    """
    status = Status(status)
    with write_transaction(db):
        cursor = db.conn.execute(
            "UPDATE questions SET status = ?, updated_at = ? WHERE id = ?",
            [status.value, iso(now_ts()), question_id],
        )
        if cursor.rowcount == 0:
            raise NotFound(f"题目 {question_id} 不存在")
    return get_question(db, question_id)


def delete_question(db: Database, question_id: int) -> None:
    """Delete a question nobody has seen (e.g. a rejected draft); used ones must be retired.

    Raises:
        NotFound: no such question.
        QuizError: the question is used by a quiz, an attempt or a live session.
    """
    with write_transaction(db):
        get_question(db, question_id)
        in_quiz = db.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM quiz_questions WHERE question_id = ?)", [question_id]
        ).fetchone()[0]
        if in_quiz or question_in_use(db, question_id):
            raise QuizError(f"题目 {question_id} 已被测验使用，不能删除；请改为停用")
        db.conn.execute("DELETE FROM questions WHERE id = ?", [question_id])


def import_file(
    db: Database,
    path: str | Path,
    fmt: str | None = None,
    *,
    status: Status | str = Status.APPROVED,
    skip_duplicates: bool = True,
) -> ImportResult:
    """Import a question file: validate all of it, then store all of it in one transaction.

    A file with any problem stores nothing; the result lists every problem with its row (or
    line) and column.

    Args:
        db: an open database.
        path: csv, xlsx, Aiken or GIFT file.
        fmt: csv, xlsx, aiken or gift; None picks it from the extension.
        status: status given to questions whose file does not state one (a 状态 column).
        skip_duplicates: questions the bank already holds are skipped, so re-importing an
            updated file adds only the new questions.
    """
    path = Path(path)
    parsed = read_questions(path, fmt, default_status=Status(status))
    if parsed.problems:
        return ImportResult(
            str(path), parsed.fmt, problems=tuple(parsed.problems), encoding=parsed.encoding
        )
    ids, duplicates = add_questions(db, parsed.questions, skip_duplicates=skip_duplicates)
    return ImportResult(str(path), parsed.fmt, tuple(ids), duplicates, encoding=parsed.encoding)


def export_questions(
    db: Database,
    path: str | Path,
    fmt: str | None = None,
    *,
    status: Status | str | None = None,
    category: str | None = None,
    ids: Iterable[int] | None = None,
) -> int:
    """Write questions from the bank to csv, xlsx, gift or aiken.

    Args:
        db: an open database.
        path: output file.
        fmt: format; None picks it from the extension.
        status: only questions with this status.
        category: only this category.
        ids: only these questions.

    Returns:
        Number of questions written.
    """
    questions = list_questions(db, status=status, category=category)
    if ids is not None:
        wanted = set(ids)
        questions = [q for q in questions if q.id in wanted]
    write_questions(questions, path, fmt)
    return len(questions)
