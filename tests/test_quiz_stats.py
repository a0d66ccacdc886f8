"""Item analysis: Moodle's facility index F and discrimination index D on hand-worked data."""

from dataclasses import replace

import pytest

import quizzes
from quizzes import Answer, Question, QuestionType, QuizSettings, item_analysis
from quizzes.stats import LOW_DISCRIMINATION, TOO_EASY, TOO_HARD, pearson

# Four trainees, four one-point questions. Rows: trainees; values: points per question.
#          Q1 Q2 Q3 Q4   total
#   T1      1  1  1  1     4
#   T2      1  1  0  1     3
#   T3      1  0  0  1     2
#   T4      0  0  1  1     2
MATRIX = [
    {1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0},
    {1: 1.0, 2: 1.0, 3: 0.0, 4: 1.0},
    {1: 1.0, 2: 0.0, 3: 0.0, 4: 1.0},
    {1: 0.0, 2: 0.0, 3: 1.0, 4: 1.0},
]
MAX = {1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0}


def test_hand_worked_facility_and_discrimination():
    stats = {s.question_id: s for s in item_analysis(MATRIX, MAX)}
    # Q1: x = 1,1,1,0 -> F = 100 * 0.75 / 1 = 75.
    #     rest = total - x = 3,2,1,2 (mean 2); dx = .25,.25,.25,-.75; dy = 1,0,-1,0
    #     sum dx*dy = .25 - .25 = 0 -> r = 0 -> D = 0 (< 30: flagged).
    assert stats[1].facility == pytest.approx(75)
    assert stats[1].discrimination == pytest.approx(0)
    assert stats[1].flags == (LOW_DISCRIMINATION,)
    # Q2: x = 1,1,0,0 -> F = 50. rest = 3,2,2,2 (mean 2.25)
    #     dx = .5,.5,-.5,-.5; dy = .75,-.25,-.25,-.25
    #     sxy = .375 - .125 + .125 + .125 = .5; sxx = 1; syy = .5625 + 3 * .0625 = .75
    #     r = .5 / sqrt(.75) = 0.57735 -> D = 57.735, no flag.
    assert stats[2].facility == pytest.approx(50)
    assert stats[2].discrimination == pytest.approx(57.735, abs=1e-3)
    assert stats[2].flags == ()
    # Q3: x = 1,0,0,1 -> F = 50. rest = 3,3,2,1 (mean 2.25)
    #     dx = .5,-.5,-.5,.5; dy = .75,.75,-.25,-1.25
    #     sxy = .375 - .375 + .125 - .625 = -.5; sxx = 1; syy = .5625*2 + .0625 + 1.5625 = 2.75
    #     r = -.5 / sqrt(2.75) = -0.30151 -> D = -30.151 (< 30: flagged).
    assert stats[3].discrimination == pytest.approx(-30.151, abs=1e-3)
    assert stats[3].flags == (LOW_DISCRIMINATION,)
    # Q4: everyone right -> F = 100 (> 95: too easy); x is constant, so r and D are undefined.
    assert stats[4].facility == 100 and stats[4].discrimination is None
    assert stats[4].flags == (TOO_EASY,)
    assert [s.n for s in stats.values()] == [4, 4, 4, 4]


def test_facility_uses_the_question_maximum_and_flags_too_hard():
    # Question 7 is worth 5 points: scores 0,0,5,0 -> mean 1.25 -> F = 100 * 1.25 / 5 = 25.
    attempts = [{7: 0.0, 8: 0.0}, {7: 0.0, 8: 0.0}, {7: 5.0, 8: 0.0}, {7: 0.0, 8: 2.0}]
    stats = {s.question_id: s for s in item_analysis(attempts, {7: 5.0, 8: 2.0})}
    assert stats[7].facility == pytest.approx(25) and TOO_HARD not in stats[7].flags
    # Question 8: scores 0,0,0,2 -> mean .5 -> F = 100 * .5 / 2 = 25; rest = 0,0,5,0
    # dx = -.5,-.5,-.5,1.5; dy = -1.25,-1.25,3.75,-1.25 -> sxy = .625+.625-1.875-1.875 = -2.5
    # sxx = 3; syy = 3*1.5625 + 14.0625 = 18.75 -> r = -2.5 / sqrt(56.25) = -1/3 -> D = -33.3
    assert stats[8].discrimination == pytest.approx(-100 / 3)
    # Ten trainees, one right: F = 100 * 0.1 / 1 = 10 (< 20: too hard).
    hard = item_analysis([{9: 0.0}, {9: 1.0}] + [{9: 0.0}] * 8, {9: 1.0})[0]
    assert hard.facility == pytest.approx(10) and TOO_HARD in hard.flags


def test_questions_missing_from_some_attempts_use_the_attempts_that_had_them():
    stats = item_analysis([{1: 1.0, 2: 1.0}, {1: 0.0}], {1: 1.0, 2: 1.0})
    assert (stats[1].n, stats[1].facility, stats[1].discrimination) == (1, 100, None)


def test_pearson_edge_cases():
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1)
    assert pearson([1], [1]) is None
    assert pearson([0.1] * 5, [1, 2, 3, 4, 5]) is None


def test_quiz_item_analysis_counts_first_attempts_only(tmp_path):
    with quizzes.connect(tmp_path / "stats.db") as db:
        ids = [
            quizzes.add_question(
                db,
                replace(Question(QuestionType.TRUE_FALSE, f"第{i}题", key="对"), status="approved"),
            ).id
            for i in range(1, 5)
        ]
        quiz = quizzes.create_quiz(
            db, "分析", question_ids=ids, settings=QuizSettings(max_attempts=None)
        )
        for number, row in enumerate(MATRIX, 1):
            trainee = quizzes.identify_trainee(db, f"学员{number}", f"T{number}")
            attempt = quizzes.start_attempt(db, quiz.id, trainee)
            answers = [Answer(qid, bool(row[i + 1])) for i, qid in enumerate(ids)]
            quizzes.submit_attempt(db, attempt.id, answers)
            # A second attempt, all right, must not change the statistics.
            again = quizzes.start_attempt(db, quiz.id, trainee)
            quizzes.submit_attempt(db, again.id, [Answer(qid, True) for qid in ids])
        stats = quizzes.quiz_item_analysis(db, quiz.id)
    expected = item_analysis(MATRIX, MAX)
    assert [s.question_id for s in stats] == ids
    assert [(s.facility, s.discrimination, s.flags) for s in stats] == [
        (e.facility, e.discrimination, e.flags) for e in expected
    ]
    assert stats[0].stem == "第1题"
