"""Command line: ``python -m quizzes [--db PATH] import|export|list|stats|quiz|trainer …``.

Extension point: if ``quizzes/generate.py`` exists and defines ``register_cli(subparsers)``,
it is called with the sub-command registry; it should add its own parser (e.g. ``generate``)
and ``set_defaults(handler=fn)`` where ``fn(args, db) -> int`` returns the exit code.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import importlib.util
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlite_utils import Database

from .auth import add_trainer, list_trainers
from .bank import export_questions, import_file, list_questions, set_question_status
from .db import DB_ENV_VAR, connect, default_db_path
from .errors import QuizError
from .formats import FORMATS
from .quiz import DrawRule, FeedbackMode, Grading, QuizSettings, create_quiz, get_quiz, list_quizzes
from .records import DIFFICULTY_LABELS, STATUS_LABELS, TYPE_LABELS, QuestionType, Status
from .results import export_results, quiz_attempts, quiz_results, table
from .stats import FLAG_LABELS, quiz_item_analysis

Handler = Callable[[argparse.Namespace, Database], int]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print rows aligned in columns (CJK characters count as two columns)."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    for row in [list(headers), *cells]:
        parts = [v + " " * (w - _width(v)) for v, w in zip(row, widths, strict=True)]
        print("  ".join(parts).rstrip())


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cmd_import(args: argparse.Namespace, db: Database) -> int:
    result = import_file(
        db, args.file, args.format, status=args.status, skip_duplicates=not args.keep_duplicates
    )
    if not result.ok:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(
            f"导入失败：{args.file} 有 {len(result.problems)} 个问题，未导入任何题目",
            file=sys.stderr,
        )
        return 1
    skipped = f"，跳过重复 {result.duplicates} 道" if result.duplicates else ""
    print(f"已导入 {len(result.question_ids)} 道题{skipped}（{result.fmt}）: {args.file}")
    return 0


def _cmd_export(args: argparse.Namespace, db: Database) -> int:
    count = export_questions(db, args.out, args.format, status=args.status, category=args.category)
    print(f"已导出 {count} 道题到 {args.out}")
    return 0


def _cmd_list(args: argparse.Namespace, db: Database) -> int:
    questions = list_questions(
        db,
        status=args.status,
        category=args.category,
        tag=args.tag,
        qtype=args.type,
        limit=args.limit,
    )
    rows = [
        [
            q.id,
            TYPE_LABELS[q.qtype],
            STATUS_LABELS[q.status],
            q.category or "-",
            DIFFICULTY_LABELS.get(q.difficulty or 0, "-"),
            _short(q.stem),
        ]
        for q in questions
    ]
    print_table(["ID", "题型", "状态", "分类", "难度", "题干"], rows)
    print(f"共 {len(rows)} 道题")
    return 0


def _cmd_status(args: argparse.Namespace, db: Database) -> int:
    for question_id in args.ids:
        set_question_status(db, question_id, args.status)
    print(f"已将 {len(args.ids)} 道题设为「{STATUS_LABELS[Status(args.status)]}」")
    return 0


def _cmd_stats(args: argparse.Namespace, db: Database) -> int:
    stats = quiz_item_analysis(db, args.quiz)
    quiz = get_quiz(db, args.quiz)
    print(f"测验 {quiz.id}「{quiz.title}」题目分析（基于每位学员的首次作答）")
    rows = [
        [
            s.question_id,
            s.n,
            s.facility,
            s.discrimination,
            "；".join(FLAG_LABELS[f] for f in s.flags) or "-",
            _short(s.stem, 30),
        ]
        for s in stats
    ]
    if not rows:
        print("暂无已提交的首次作答")
        return 0
    print_table(["ID", "人数", "难度系数F", "区分度D", "提示", "题干"], rows)
    if args.out:
        export_results(stats, args.out)
        print(f"已导出到 {args.out}")
    return 0


def _cmd_results(args: argparse.Namespace, db: Database) -> int:
    rows = quiz_attempts(db, args.quiz) if args.all_attempts else quiz_results(db, args.quiz)
    headers, cells = table(rows)
    if rows:
        print_table(headers, cells)
    print(f"共 {len(rows)} 条")
    if args.out:
        export_results(rows, args.out)
        print(f"已导出到 {args.out}")
    return 0


def _cmd_trainer_add(args: argparse.Namespace, db: Database) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("密码: ")
        if getpass.getpass("再次输入密码: ") != password:
            print("两次输入的密码不一致", file=sys.stderr)
            return 1
    trainer = add_trainer(db, args.name, password)
    print(f"已创建培训师「{trainer.name}」")
    return 0


def _cmd_trainer_list(args: argparse.Namespace, db: Database) -> int:
    print_table(["ID", "名称"], [[t.id, t.name] for t in list_trainers(db)])
    return 0


def _cmd_quiz_create(args: argparse.Namespace, db: Database) -> int:
    settings = QuizSettings(
        time_limit_s=args.time_limit * 60 if args.time_limit else None,
        shuffle_questions=args.shuffle_questions,
        shuffle_options=args.shuffle_options,
        max_attempts=args.attempts or None,
        grading=Grading(args.grading),
        feedback=FeedbackMode(args.feedback.replace("-", "_")),
        pass_percent=args.pass_mark,
    )
    draw = ()
    if args.draw:
        draw = (
            DrawRule(
                args.draw,
                tuple(args.category),
                tuple(args.tag),
                tuple(args.difficulty),
                tuple(QuestionType(t) for t in args.type),
            ),
        )
    quiz = create_quiz(db, args.title, question_ids=args.questions, draw=draw, settings=settings)
    print(f"已创建测验 {quiz.id}「{quiz.title}」，每次 {quiz.question_count} 道题")
    return 0


def _cmd_quiz_list(args: argparse.Namespace, db: Database) -> int:
    rows = [
        [
            q.id,
            q.title,
            "随机" if q.is_random else "固定",
            q.question_count,
            q.settings.max_attempts or "不限",
            q.settings.pass_percent,
        ]
        for q in list_quizzes(db)
    ]
    print_table(["ID", "标题", "组卷", "题数", "次数", "及格线%"], rows)
    return 0


def _id_list(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace("，", ",").split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为逗号分隔的题目 ID，如 1,2,3：{text}") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with every sub-command."""
    parser = argparse.ArgumentParser(prog="python -m quizzes", description="安全培训题库与测验")
    parser.add_argument(
        "--db", type=Path, default=None, help=f"数据库文件（默认 ${DB_ENV_VAR} 或 var/quizzes.db）"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", help="导入题目文件（任何错误都会导致整个文件不导入）")
    p.add_argument("file", type=Path)
    p.add_argument("--format", choices=FORMATS)
    p.add_argument(
        "--status",
        choices=[s.value for s in Status],
        default=Status.APPROVED.value,
        help="文件未给出状态时使用的状态（默认 approved）",
    )
    p.add_argument("--keep-duplicates", action="store_true", help="不跳过题库中已有的相同题目")
    p.set_defaults(handler=_cmd_import)

    p = sub.add_parser("export", help="导出题目")
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument("out", type=Path)
    p.add_argument("--status", choices=[s.value for s in Status])
    p.add_argument("--category")
    p.set_defaults(handler=_cmd_export)

    p = sub.add_parser("list", help="列出题目")
    p.add_argument("--status", choices=[s.value for s in Status])
    p.add_argument("--category")
    p.add_argument("--tag")
    p.add_argument("--type", choices=[t.value for t in QuestionType])
    p.add_argument("--limit", type=int)
    p.set_defaults(handler=_cmd_list)

    p = sub.add_parser("status", help="修改题目状态，如审核通过草稿题")
    p.add_argument("status", choices=[s.value for s in Status])
    p.add_argument("ids", type=int, nargs="+")
    p.set_defaults(handler=_cmd_status)

    p = sub.add_parser("stats", help="测验题目分析（难度系数 F、区分度 D）")
    p.add_argument("quiz", type=int)
    p.add_argument("--out", type=Path, help="同时导出为 .xlsx 或 .csv")
    p.set_defaults(handler=_cmd_stats)

    p = sub.add_parser("results", help="测验成绩（每位学员计分的那次作答）")
    p.add_argument("quiz", type=int)
    p.add_argument("--all-attempts", action="store_true", help="列出每一次作答")
    p.add_argument("--out", type=Path, help="同时导出为 .xlsx 或 .csv")
    p.set_defaults(handler=_cmd_results)

    trainer = sub.add_parser("trainer", help="培训师账号").add_subparsers(
        dest="trainer_command", required=True
    )
    p = trainer.add_parser("add", help="新建培训师")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
    p.set_defaults(handler=_cmd_trainer_add)
    trainer.add_parser("list", help="列出培训师").set_defaults(handler=_cmd_trainer_list)

    quiz = sub.add_parser("quiz", help="测验").add_subparsers(dest="quiz_command", required=True)
    p = quiz.add_parser("create", help="新建测验：固定题目（--questions）或随机抽题（--draw）")
    p.add_argument("title")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--questions", type=_id_list, default=[], help="题目 ID，如 1,2,3")
    source.add_argument("--draw", type=int, help="随机抽取的题数")
    p.add_argument("--category", action="append", default=[], help="抽题分类（可重复）")
    p.add_argument("--tag", action="append", default=[], help="抽题标签（可重复）")
    p.add_argument("--difficulty", type=int, action="append", default=[], choices=range(1, 6))
    p.add_argument("--type", action="append", default=[], choices=[t.value for t in QuestionType])
    p.add_argument("--time-limit", type=int, default=0, help="时间限制（分钟，0 为不限）")
    p.add_argument("--shuffle-questions", action="store_true")
    p.add_argument("--shuffle-options", action="store_true")
    p.add_argument("--attempts", type=int, default=1, help="允许作答次数（0 为不限，默认 1）")
    p.add_argument("--grading", choices=[g.value for g in Grading], default=Grading.BEST.value)
    p.add_argument("--feedback", choices=["immediate", "after-submit"], default="after-submit")
    p.add_argument("--pass-mark", type=float, default=60.0, help="及格线（得分率 %%，默认 60）")
    p.set_defaults(handler=_cmd_quiz_create)
    quiz.add_parser("list", help="列出测验").set_defaults(handler=_cmd_quiz_list)

    _register_generate(sub)
    return parser


def _register_generate(sub: argparse._SubParsersAction) -> None:
    """Let ``quizzes/generate.py`` (written separately) add its ``generate`` command."""
    name = f"{__package__}.generate"
    if importlib.util.find_spec(name) is None:
        return
    generate = importlib.import_module(name)
    register = getattr(generate, "register_cli", None)
    if register is not None:
        register(sub)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 failed, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    db_path = args.db or default_db_path()
    try:
        with connect(db_path) as db:
            handler: Handler = args.handler
            return handler(args, db)
    except (QuizError, ValueError, OSError) as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 1
