"""Trainer-facing results: per quiz, per live session, per trainee, and export to csv/xlsx."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from .attempts import AttemptResult, Trainee, attempt_results, counted_result
from .formats import write_table
from .live import LeaderboardRow, live_leaderboard
from .quiz import get_quiz
from .stats import FLAG_LABELS, ItemStats


@dataclass(frozen=True)
class QuizResultRow:
    """One trainee's standing in a quiz: the attempt that counts under the quiz's grading."""

    trainee_id: int
    trainee_name: str
    employee_no: str
    attempts: int
    counted_attempt: int
    score: float
    max_score: float
    percent: float
    passed: bool
    submitted_at: str


def quiz_attempts(db: Database, quiz_id: int) -> list[AttemptResult]:
    """Every submitted attempt at a quiz, oldest first."""
    get_quiz(db, quiz_id)
    return attempt_results(db, "a.quiz_id = ? AND a.submitted_at IS NOT NULL", [quiz_id])


def quiz_results(db: Database, quiz_id: int) -> list[QuizResultRow]:
    """One row per trainee who submitted, using the quiz's first/last/best rule, by 工号."""
    quiz = get_quiz(db, quiz_id)
    by_trainee: dict[int, list[AttemptResult]] = {}
    for result in quiz_attempts(db, quiz_id):
        by_trainee.setdefault(result.trainee_id, []).append(result)
    rows = []
    for results in by_trainee.values():
        counted = counted_result(results, quiz.settings.grading)
        assert counted is not None  # every list holds submitted attempts only
        rows.append(
            QuizResultRow(
                counted.trainee_id,
                counted.trainee_name,
                counted.employee_no,
                len(results),
                counted.number,
                counted.score,
                counted.max_score,
                counted.percent,
                counted.passed,
                counted.submitted_at or "",
            )
        )
    return sorted(rows, key=lambda r: r.employee_no)


def list_trainees(db: Database) -> list[Trainee]:
    """Every trainee who has identified, by 工号."""
    rows = db.conn.execute("SELECT id, name, employee_no FROM trainees ORDER BY employee_no")
    return [Trainee(*row) for row in rows]


def live_session_results(db: Database, session_id: int) -> list[LeaderboardRow]:
    """The final leaderboard of a live session (all questions)."""
    return live_leaderboard(db, session_id)


def _pct(value: float) -> float:
    return round(value, 1)


def _yes(value: bool) -> str:
    return "是" if value else "否"


_Columns = list[tuple[str, Callable[[object], object]]]
_LAYOUTS: dict[type, _Columns] = {
    QuizResultRow: [
        ("姓名", lambda r: r.trainee_name),
        ("工号", lambda r: r.employee_no),
        ("作答次数", lambda r: r.attempts),
        ("计分的作答", lambda r: r.counted_attempt),
        ("得分", lambda r: r.score),
        ("满分", lambda r: r.max_score),
        ("得分率(%)", lambda r: _pct(r.percent)),
        ("是否及格", lambda r: _yes(r.passed)),
        ("提交时间", lambda r: r.submitted_at),
    ],
    AttemptResult: [
        ("测验", lambda r: r.quiz_title),
        ("姓名", lambda r: r.trainee_name),
        ("工号", lambda r: r.employee_no),
        ("第几次作答", lambda r: r.number),
        ("开始时间", lambda r: r.started_at),
        ("提交时间", lambda r: r.submitted_at or ""),
        ("得分", lambda r: r.score),
        ("满分", lambda r: r.max_score),
        ("得分率(%)", lambda r: _pct(r.percent)),
        ("是否及格", lambda r: _yes(r.passed)),
        ("答对题数", lambda r: r.correct_count),
        ("题目数", lambda r: r.question_count),
    ],
    LeaderboardRow: [
        ("名次", lambda r: r.rank),
        ("昵称", lambda r: r.nickname),
        ("答对题数", lambda r: r.correct),
        ("已答题数", lambda r: r.answered),
        ("答对用时(秒)", lambda r: round(r.total_time_ms / 1000, 3)),
    ],
    ItemStats: [
        ("题目ID", lambda r: r.question_id),
        ("题干", lambda r: r.stem),
        ("作答人数", lambda r: r.n),
        ("难度系数F", lambda r: None if r.facility is None else _pct(r.facility)),
        ("区分度D", lambda r: None if r.discrimination is None else _pct(r.discrimination)),
        ("提示", lambda r: "；".join(FLAG_LABELS[f] for f in r.flags)),
    ],
}


def table(rows: Sequence[object], kind: type | None = None) -> tuple[list[str], list[list[object]]]:
    """Chinese headers and cell values for a list of result records (all of one type).

    Args:
        rows: records of one type.
        kind: their type; needed only to get headers for an empty list.

    Raises:
        TypeError: a record type without a layout.
    """
    kind = kind or (type(rows[0]) if rows else None)
    if kind is None:
        return [], []
    layout = _LAYOUTS.get(kind)
    if layout is None:
        raise TypeError(f"cannot tabulate {kind.__name__}")
    return [h for h, _ in layout], [[get(r) for _, get in layout] for r in rows]


def _csv_safe(value: object) -> object:
    # Nicknames and names are typed by the public: a cell starting with = + - @ would run as
    # a formula when the CSV is opened in Excel (CSV injection), so prefix it with a quote.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def export_results(rows: Sequence[object], path: str | Path, *, kind: type | None = None) -> Path:
    """Write result records (QuizResultRow, AttemptResult, LeaderboardRow, ItemStats).

    The format follows the extension: ``.xlsx`` or ``.csv`` (UTF-8 with BOM for Excel).
    Pass ``kind`` (the record type) so that an empty list still gets its header row.

    Raises:
        ValueError: another extension.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(f"{path.name}: 结果只能导出为 .csv 或 .xlsx")
    headers, cells = table(rows, kind)
    if suffix == ".xlsx":
        write_table(path, headers, cells, sheet_title="结果")
    else:
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(headers)
            writer.writerows([_csv_safe(v) for v in row] for row in cells)
    return path
