"""The command line, run as ``python -m quizzes`` in a subprocess."""

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import quizzes

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "quizzes"


def run(*args, db=None, stdin=None, env_db=None):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("SAFETY_QUIZ_DB", None)
    if env_db is not None:
        env["SAFETY_QUIZ_DB"] = str(env_db)
    command = [sys.executable, "-m", "quizzes"] + (["--db", str(db)] if db else []) + list(args)
    return subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def test_import_list_export_and_reimport(tmp_path):
    db = tmp_path / "cli.db"
    done = run("import", str(DATA / "bank.csv"), db=db)
    assert done.returncode == 0, done.stderr
    assert "已导入 6 道题" in done.stdout
    listing = run("list", "--category", "消防", db=db)
    assert "火灾报警电话" in listing.stdout and "共 1 道题" in listing.stdout
    out = tmp_path / "bank.gift"
    assert run("export", "--format", "gift", str(out), db=db).returncode == 0
    with quizzes.connect(db) as a, quizzes.connect(tmp_path / "other.db") as b:
        assert quizzes.import_file(b, out).ok

        def content(database):
            return sorted(repr(replace(q, id=None)) for q in quizzes.list_questions(database))

        assert content(a) == content(b)


def test_bad_file_exits_non_zero_lists_every_error_and_imports_nothing(tmp_path):
    db = tmp_path / "cli.db"
    done = run("import", str(DATA / "bad_rows.csv"), db=db)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines[:5] == [str(p) for p in quizzes.read_questions(DATA / "bad_rows.csv").problems]
    assert "第 2 行, 列「答案」" in lines[0] and "未导入任何题目" in lines[-1]
    with quizzes.connect(db) as database:
        assert quizzes.list_questions(database) == []


def test_format_option_and_environment_database(tmp_path):
    text_copy = tmp_path / "题库.dat"
    text_copy.write_bytes((DATA / "bank.aiken.txt").read_bytes())
    env_db = tmp_path / "env.db"
    done = run("import", str(text_copy), "--format", "aiken", "--status", "draft", env_db=env_db)
    assert done.returncode == 0, done.stderr
    with quizzes.connect(env_db) as database:
        assert len(quizzes.list_questions(database, status="draft")) == 3


def test_trainer_add_reads_password_from_stdin(tmp_path):
    db = tmp_path / "cli.db"
    done = run("trainer", "add", "王老师", "--password-stdin", db=db, stdin="安全第一 2024\n")
    assert done.returncode == 0, done.stderr
    with quizzes.connect(db) as database:
        assert quizzes.verify_trainer(database, "王老师", "安全第一 2024").ok


def test_quiz_create_and_stats(tmp_path):
    db = tmp_path / "cli.db"
    with quizzes.connect(db) as database:
        quizzes.import_file(database, DATA / "bank.csv")
    fixed = run("quiz", "create", "入职考试", "--questions", "1,3,6", "--time-limit", "30", db=db)
    assert fixed.returncode == 0, fixed.stderr
    drawn = run(
        "quiz",
        "create",
        "抽题",
        "--draw",
        "2",
        "--category",
        "安全生产法",
        "--attempts",
        "0",
        "--grading",
        "last",
        db=db,
    )
    assert drawn.returncode == 0, drawn.stderr
    with quizzes.connect(db) as database:
        quiz, random_quiz = quizzes.get_quiz(database, 1), quizzes.get_quiz(database, 2)
        assert quiz.question_ids == (1, 3, 6) and quiz.settings.time_limit_s == 1800
        assert random_quiz.is_random and random_quiz.settings.max_attempts is None
        for number, right in enumerate([True, True, False], 1):
            trainee = quizzes.identify_trainee(database, f"学员{number}", f"E{number}")
            attempt = quizzes.start_attempt(database, 1, trainee)
            answers = [
                quizzes.Answer(1, "A" if right else "B"),
                quizzes.Answer(3, right),
                quizzes.Answer(6, "B"),
            ]
            quizzes.submit_attempt(database, attempt.id, answers)
    stats = run("stats", "1", "--out", str(tmp_path / "stats.xlsx"), db=db)
    assert stats.returncode == 0, stats.stderr
    lines = stats.stdout.splitlines()
    assert "难度系数F" in lines[1] and "区分度D" in lines[1]
    assert any(line.startswith("6 ") and "过易" in line for line in lines)  # everyone right
    assert (tmp_path / "stats.xlsx").exists()
    results = run("results", "1", db=db)
    assert results.returncode == 0 and "共 3 条" in results.stdout


def test_usage_and_domain_errors(tmp_path):
    assert run("frobnicate", db=tmp_path / "x.db").returncode == 2
    too_many = run("quiz", "create", "太多", "--draw", "9", db=tmp_path / "x.db")
    assert too_many.returncode == 1 and "只有 0 道" in too_many.stderr
