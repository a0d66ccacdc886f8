"""Quiz definitions: a fixed list of questions or random draws, plus their settings."""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from enum import StrEnum

from sqlite_utils import Database

from .bank import filter_sql, get_questions
from .db import iso, now_ts, write_transaction
from .errors import NotFound, QuizError
from .records import OPTION_LETTERS, Question, QuestionType, Status, clean_line


class Grading(StrEnum):
    """Which attempt counts when a trainee has several."""

    FIRST = "first"
    LAST = "last"
    BEST = "best"


class FeedbackMode(StrEnum):
    """When a trainee learns whether an answer was right."""

    IMMEDIATE = "immediate"  # right after each answer (the answer is then final)
    AFTER_SUBMIT = "after_submit"  # in the review after submitting


@dataclass(frozen=True)
class DrawRule:
    """Draw ``count`` approved questions at random from those matching every filter given.

    Attributes:
        count: how many questions to draw.
        categories: any of these categories (empty: any category).
        tags: carrying any of these tags (empty: any).
        difficulties: any of these difficulty levels 1-5 (empty: any).
        qtypes: any of these question types (empty: any).
    """

    count: int
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    difficulties: tuple[int, ...] = ()
    qtypes: tuple[QuestionType, ...] = ()


@dataclass(frozen=True)
class QuizSettings:
    """How a quiz runs.

    Attributes:
        time_limit_s: seconds allowed per attempt; None for no limit.
        shuffle_questions: each attempt gets its own question order.
        shuffle_options: each attempt gets its own option order (keys are mapped).
        max_attempts: attempts allowed per trainee; None for unlimited.
        grading: which attempt counts: first, last or best.
        feedback: immediate (after each answer) or after_submit.
        pass_percent: percentage of the maximum score needed to pass.
    """

    time_limit_s: int | None = None
    shuffle_questions: bool = False
    shuffle_options: bool = False
    max_attempts: int | None = 1
    grading: Grading = Grading.BEST
    feedback: FeedbackMode = FeedbackMode.AFTER_SUBMIT
    pass_percent: float = 60.0

    def problems(self) -> list[str]:
        """What is wrong with these settings (Chinese messages); empty when valid."""
        out = []
        if self.time_limit_s is not None and self.time_limit_s <= 0:
            out.append("时间限制必须大于 0")
        if self.max_attempts is not None and self.max_attempts < 1:
            out.append("允许作答次数至少为 1")
        if self.grading not in tuple(Grading):
            out.append(f"未知的计分方式「{self.grading}」（应为 first/last/best）")
        if self.feedback not in tuple(FeedbackMode):
            out.append(f"未知的反馈方式「{self.feedback}」（应为 immediate/after_submit）")
        if not 0 <= self.pass_percent <= 100:
            out.append("及格线应在 0 到 100 之间")
        return out


@dataclass(frozen=True)
class Quiz:
    """A stored quiz.

    Attributes:
        id: database id.
        title: shown to trainees.
        question_ids: the fixed list, in order (empty for a random quiz).
        draw: random-draw rules (empty for a fixed list).
        settings: see :class:`QuizSettings`.
        created_at: ISO-8601 UTC.
    """

    id: int
    title: str
    question_ids: tuple[int, ...]
    draw: tuple[DrawRule, ...]
    settings: QuizSettings
    created_at: str

    @property
    def is_random(self) -> bool:
        """True when questions are drawn at random for each attempt."""
        return bool(self.draw)

    @property
    def question_count(self) -> int:
        """Questions per attempt."""
        return sum(r.count for r in self.draw) if self.draw else len(self.question_ids)


def create_quiz(
    db: Database,
    title: str,
    *,
    question_ids: tuple[int, ...] | list[int] = (),
    draw: tuple[DrawRule, ...] | list[DrawRule] = (),
    settings: QuizSettings | None = None,
) -> Quiz:
    """Create a quiz from a fixed list of approved questions or from draw rules.

    Args:
        db: an open database.
        title: quiz title.
        question_ids: fixed list, in order (give this or ``draw``).
        draw: random-draw rules; each attempt draws its own questions.
        settings: time limit, shuffling, attempts, grading, feedback, pass mark.

    Returns:
        The stored quiz.

    Raises:
        QuizError: empty title, both or neither of list and draw, a question missing or not
            approved, not enough approved questions for a draw, invalid settings.
    """
    settings = settings or QuizSettings()
    title = clean_line(title)
    ids = list(question_ids)
    rules = [
        DrawRule(
            r.count,
            tuple(r.categories),
            tuple(r.tags),
            tuple(r.difficulties),
            tuple(QuestionType(t) for t in r.qtypes),
        )
        for r in draw
    ]
    problems = settings.problems()
    if not title:
        problems.append("测验标题不能为空")
    if bool(ids) == bool(rules):
        problems.append("请指定固定题目列表或随机抽题规则（二者选一）")
    if len(set(ids)) != len(ids):
        problems.append("题目列表中有重复的题目")
    if problems:
        raise QuizError("；".join(problems))
    with write_transaction(db):
        if ids:
            found = get_questions(db, ids)
            missing = [i for i in ids if i not in found]
            if missing:
                raise QuizError(f"题目不存在: {', '.join(map(str, missing))}")
            unapproved = [i for i in ids if found[i].status != Status.APPROVED]
            if unapproved:
                raise QuizError(f"只能使用已审核的题目，这些题目未审核: {unapproved}")
        else:
            _check_draw(db, rules)
        cursor = db.conn.execute(
            "INSERT INTO quizzes (title, draw_rules, time_limit_s, shuffle_questions, "
            "shuffle_options, max_attempts, grading, feedback, pass_percent, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                title,
                json.dumps([asdict(r) for r in rules], ensure_ascii=False),
                settings.time_limit_s,
                int(settings.shuffle_questions),
                int(settings.shuffle_options),
                settings.max_attempts,
                Grading(settings.grading).value,
                FeedbackMode(settings.feedback).value,
                settings.pass_percent,
                iso(now_ts()),
            ],
        )
        quiz_id = cursor.lastrowid
        db.conn.executemany(
            "INSERT INTO quiz_questions (quiz_id, position, question_id) VALUES (?, ?, ?)",
            [(quiz_id, position, qid) for position, qid in enumerate(ids)],
        )
    return get_quiz(db, quiz_id)


def _check_draw(db: Database, rules: list[DrawRule]) -> None:
    union: set[int] = set()
    for number, rule in enumerate(rules, 1):
        if rule.count < 1:
            raise QuizError(f"抽题规则 {number}: 抽题数量至少为 1")
        pool = _pool(db, rule)
        if len(pool) < rule.count:
            raise QuizError(
                f"抽题规则 {number}: 需要 {rule.count} 道题，"
                f"但符合条件的已审核题目只有 {len(pool)} 道"
            )
        union.update(pool)
    total = sum(r.count for r in rules)
    if len(union) < total:
        raise QuizError(f"共需抽取 {total} 道题，但符合条件的已审核题目只有 {len(union)} 道")


def _pool(db: Database, rule: DrawRule) -> list[int]:
    """Ids of approved questions matching a rule."""
    where, params = filter_sql(status=Status.APPROVED)
    for column, values in (
        ("category", rule.categories),
        ("difficulty", rule.difficulties),
        ("qtype", [QuestionType(t).value for t in rule.qtypes]),
    ):
        if values:
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    if rule.tags:
        marks = ", ".join("?" * len(rule.tags))
        where.append(f"EXISTS (SELECT 1 FROM json_each(questions.tags) WHERE value IN ({marks}))")
        params.extend(rule.tags)
    sql = f"SELECT id FROM questions WHERE {' AND '.join(where)} ORDER BY id"
    return [row[0] for row in db.conn.execute(sql, params)]


def get_quiz(db: Database, quiz_id: int) -> Quiz:
    """One quiz by id.

    Raises:
        NotFound: no such quiz.
    """
    rows = list(db.query("SELECT * FROM quizzes WHERE id = ?", [quiz_id]))
    if not rows:
        raise NotFound(f"测验 {quiz_id} 不存在")
    return _quiz_from_row(db, rows[0])


def list_quizzes(db: Database) -> list[Quiz]:
    """Every quiz, newest first."""
    return [_quiz_from_row(db, row) for row in db.query("SELECT * FROM quizzes ORDER BY id DESC")]


def _quiz_from_row(db: Database, row: dict) -> Quiz:
    ids = tuple(
        r[0]
        for r in db.conn.execute(
            "SELECT question_id FROM quiz_questions WHERE quiz_id = ? ORDER BY position",
            [row["id"]],
        )
    )
    rules = tuple(
        DrawRule(
            count=r["count"],
            categories=tuple(r["categories"]),
            tags=tuple(r["tags"]),
            difficulties=tuple(r["difficulties"]),
            qtypes=tuple(QuestionType(t) for t in r["qtypes"]),
        )
        for r in json.loads(row["draw_rules"])
    )
    settings = QuizSettings(
        time_limit_s=row["time_limit_s"],
        shuffle_questions=bool(row["shuffle_questions"]),
        shuffle_options=bool(row["shuffle_options"]),
        max_attempts=row["max_attempts"],
        grading=Grading(row["grading"]),
        feedback=FeedbackMode(row["feedback"]),
        pass_percent=row["pass_percent"],
    )
    return Quiz(row["id"], row["title"], ids, rules, settings, row["created_at"])


def pick_questions(db: Database, quiz: Quiz, rng: random.Random) -> list[tuple[Question, str]]:
    """The questions for one sitting (an attempt or a live session), in the order shown.

    Fixed quizzes skip questions retired since the quiz was made; random quizzes draw afresh.

    Returns:
        ``(question, option_order)`` pairs; option_order lists original letters in display
        order ("" when options are not shuffled or the question has none).

    Raises:
        QuizError: no question left, or too few approved questions for a draw.
    """
    if quiz.draw:
        chosen: list[int] = []
        for number, rule in enumerate(quiz.draw, 1):
            taken = set(chosen)
            pool = [i for i in _pool(db, rule) if i not in taken]
            if len(pool) < rule.count:
                raise QuizError(f"抽题规则 {number}: 符合条件的已审核题目不足 {rule.count} 道")
            chosen.extend(rng.sample(pool, rule.count))
    else:
        chosen = list(quiz.question_ids)
    found = get_questions(db, chosen)
    questions = [found[i] for i in chosen if i in found and found[i].status != Status.RETIRED]
    if not questions:
        raise QuizError(f"测验「{quiz.title}」没有可用的题目")
    if quiz.settings.shuffle_questions:
        rng.shuffle(questions)
    picked = []
    for question in questions:
        order = ""
        if quiz.settings.shuffle_options and question.options:
            letters = list(OPTION_LETTERS[: len(question.options)])
            rng.shuffle(letters)
            order = "".join(letters)
        picked.append((question, order))
    return picked
