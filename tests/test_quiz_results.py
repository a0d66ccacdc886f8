"""Results per quiz and per live session, trainee history, and export to xlsx/csv."""

import csv
from dataclasses import replace

import pytest
from openpyxl import load_workbook

import quizzes
from quizzes import Answer, Question, QuestionType, QuizResultRow

T0 = 1_750_000_000.0


@pytest.fixture
def db(tmp_path):
    with quizzes.connect(tmp_path / "results.db") as database:
        yield database


def approved(db, stem, key="对"):
    return quizzes.add_question(
        db, replace(Question(QuestionType.TRUE_FALSE, stem, key=key), status="approved")
    )


def sit(db, quiz, trainee, answers, now):
    attempt = quizzes.start_attempt(db, quiz.id, trainee, now=now)
    return quizzes.submit_attempt(db, attempt.id, answers, now=now + 60)


def test_quiz_results_and_history_over_time(db):
    q1, q2 = approved(db, "甲"), approved(db, "乙")
    first = quizzes.create_quiz(db, "第一次培训", question_ids=[q1.id, q2.id])
    second = quizzes.create_quiz(db, "第二次培训", question_ids=[q1.id])
    zhang = quizzes.identify_trainee(db, "张三", "E002")
    li = quizzes.identify_trainee(db, "李四", "E001")
    sit(db, first, zhang, [Answer(q1.id, True), Answer(q2.id, False)], T0)
    sit(db, first, li, [Answer(q1.id, True), Answer(q2.id, True)], T0 + 100)
    sit(db, second, zhang, [Answer(q1.id, True)], T0 + 86_400)
    rows = quizzes.quiz_results(db, first.id)
    assert [(r.employee_no, r.score, r.max_score, r.passed) for r in rows] == [
        ("E001", 2, 2, True),
        ("E002", 1, 2, False),
    ]
    history = quizzes.trainee_history(db, zhang)
    assert [(h.quiz_title, h.percent) for h in history] == [("第一次培训", 50), ("第二次培训", 100)]
    assert history[0].started_at < history[1].started_at
    assert [t.employee_no for t in quizzes.list_trainees(db)] == ["E001", "E002"]


def test_export_results_to_xlsx_and_csv(db, tmp_path):
    q1 = approved(db, "甲")
    quiz = quizzes.create_quiz(db, "培训", question_ids=[q1.id])
    sit(db, quiz, quizzes.identify_trainee(db, '=HYPERLINK("x")', "E1"), [Answer(q1.id, True)], T0)
    rows = quizzes.quiz_results(db, quiz.id)

    xlsx = quizzes.export_results(rows, tmp_path / "results.xlsx")
    sheet = load_workbook(xlsx).active
    assert [c.value for c in sheet[1]][:4] == ["姓名", "工号", "作答次数", "计分的作答"]
    assert sheet["A2"].value == '=HYPERLINK("x")' and sheet["A2"].data_type == "s"
    assert sheet["H2"].value == "是"

    path = quizzes.export_results(rows, tmp_path / "results.csv")
    with path.open(encoding="utf-8-sig", newline="") as f:
        header, row = list(csv.reader(f))
    assert header[0] == "姓名" and row[0] == '\'=HYPERLINK("x")'  # no formula when opened
    assert row[1] == "E1" and float(row[6]) == 100

    empty = quizzes.export_results([], tmp_path / "empty.csv", kind=QuizResultRow)
    assert empty.read_text(encoding="utf-8-sig").startswith("姓名,工号")
    with pytest.raises(ValueError):
        quizzes.export_results(rows, tmp_path / "results.pdf")


def test_live_session_results_export(db, tmp_path):
    q1 = approved(db, "甲")
    quiz = quizzes.create_quiz(db, "竞赛", question_ids=[q1.id])
    session = quizzes.open_live_session(db, quiz.id)
    fast = quizzes.join_live_session(db, session.join_code, "快")
    slow = quizzes.join_live_session(db, session.join_code, "慢")
    quizzes.next_live_question(db, session.id)
    quizzes.answer_live_question(db, slow.id, 0, True, time_ms=9000)
    quizzes.answer_live_question(db, fast.id, 0, True, time_ms=1500)
    quizzes.finish_live_session(db, session.id)
    board = quizzes.live_session_results(db, session.id)
    path = quizzes.export_results(board, tmp_path / "live.csv")
    with path.open(encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f)) == [
            ["名次", "昵称", "答对题数", "已答题数", "答对用时(秒)"],
            ["1", "快", "1", "1", "1.5"],
            ["2", "慢", "1", "1", "9.0"],
        ]
