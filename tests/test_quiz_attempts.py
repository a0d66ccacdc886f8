"""Quizzes and self-paced attempts: draws, shuffling, feedback, limits, grading, privacy."""

import random
from dataclasses import fields, replace

import pytest

import quizzes
from quizzes import (
    Answer,
    AnswerError,
    AttemptError,
    DrawRule,
    FeedbackMode,
    NotFound,
    Question,
    QuestionType,
    QuizError,
    QuizSettings,
)

T0 = 1_750_000_000.0  # a fixed clock for time-limit tests


@pytest.fixture
def db(tmp_path):
    with quizzes.connect(tmp_path / "quiz.db") as database:
        yield database


def bank(db):
    """Four approved questions, one of each type (scores 1, 2, 1, 3), plus a draft."""
    approved = [
        Question(
            QuestionType.SINGLE,
            "火警电话",
            key="B",
            options=("110", "119", "120"),
            category="消防",
            tags=("常识",),
            difficulty=1,
            explanation="119",
        ),
        Question(
            QuestionType.MULTIPLE,
            "从业人员权利",
            key="AC",
            options=("知情", "违章", "拒绝"),
            score=2,
            category="安全生产法",
            difficulty=3,
        ),
        Question(
            QuestionType.TRUE_FALSE,
            "特种作业须持证",
            key="对",
            category="安全生产法",
            tags=("常识",),
            difficulty=1,
        ),
        Question(
            QuestionType.FILL,
            "灭火器压力表指针在（）区正常",
            key=("绿", "绿色"),
            score=3,
            category="消防",
            difficulty=5,
        ),
    ]
    draft = Question(QuestionType.TRUE_FALSE, "草稿题", key="错", category="消防")
    stored = [quizzes.add_question(db, replace(q, status="approved")) for q in approved]
    return [*stored, quizzes.add_question(db, draft)]


def right_answers(view):
    """Answers a trainee who knows everything would give, in displayed letters."""
    keys = {"火警电话": "119", "从业人员权利": {"知情", "拒绝"}}
    out = []
    for item in view:
        if item.qtype == QuestionType.SINGLE:
            given = "ABC"[item.options.index(keys[item.stem])]
        elif item.qtype == QuestionType.MULTIPLE:
            given = "".join("ABC"[i] for i, o in enumerate(item.options) if o in keys[item.stem])
        elif item.qtype == QuestionType.TRUE_FALSE:
            given = True
        else:
            given = " 绿色 "
        out.append(Answer(item.question_id, given, time_ms=1000))
    return out


def test_trainee_view_never_carries_the_key(db):
    questions = bank(db)
    quiz = quizzes.create_quiz(db, "入职考试", question_ids=[q.id for q in questions[:4]])
    trainee = quizzes.identify_trainee(db, "张三", "e001")
    attempt = quizzes.start_attempt(db, quiz.id, trainee)
    view = quizzes.attempt_questions(db, attempt.id)
    assert {f.name for f in fields(view[0])} == {
        "position",
        "question_id",
        "qtype",
        "stem",
        "options",
        "score",
        "given",
    }
    assert [v.stem for v in view] == [q.stem for q in questions[:4]]
    assert trainee.employee_no == "E001"


def test_full_marks_are_derived_from_response_rows(db):
    questions = bank(db)
    quiz = quizzes.create_quiz(db, "入职考试", question_ids=[q.id for q in questions[:4]])
    trainee = quizzes.identify_trainee(db, "张三", "E001")
    attempt = quizzes.start_attempt(db, quiz.id, trainee)
    result = quizzes.submit_attempt(
        db, attempt.id, right_answers(quizzes.attempt_questions(db, attempt.id))
    )
    rows = quizzes.attempt_responses(db, attempt.id)
    assert len(rows) == 4 and all(r.correct and r.time_ms == 1000 for r in rows)
    assert (result.score, result.max_score, result.percent, result.passed) == (7, 7, 100, True)


def test_partly_right_attempt_and_pass_mark(db):
    questions = bank(db)
    settings = QuizSettings(pass_percent=50)
    quiz = quizzes.create_quiz(
        db, "考试", question_ids=[q.id for q in questions[:4]], settings=settings
    )
    trainee = quizzes.identify_trainee(db, "张三", "E001")
    attempt = quizzes.start_attempt(db, quiz.id, trainee)
    single, multiple, true_false, fill = questions[:4]
    answers = [
        Answer(single.id, "B"),
        Answer(multiple.id, "A"),
        Answer(true_false.id, "错"),
        Answer(fill.id, "绿"),
    ]
    result = quizzes.submit_attempt(db, attempt.id, answers)
    # Right: single (1) and fill (3) = 4 of 7 = 57.1 % >= 50 %.
    assert (result.score, result.correct_count, result.answered) == (4, 2, 4)
    assert result.percent == pytest.approx(400 / 7) and result.passed


def test_random_draw_respects_filters_and_only_uses_approved(db):
    questions = bank(db)
    rule = DrawRule(2, categories=("消防",))
    quiz = quizzes.create_quiz(db, "消防抽题", draw=[rule])
    draft = questions[4]
    for seed in range(5):
        trainee = quizzes.identify_trainee(db, f"学员{seed}", f"R{seed}")
        attempt = quizzes.start_attempt(db, quiz.id, trainee, rng=random.Random(seed))
        ids = {v.question_id for v in quizzes.attempt_questions(db, attempt.id)}
        assert ids == {questions[0].id, questions[3].id} and draft.id not in ids
    tagged = quizzes.create_quiz(db, "常识", draw=[DrawRule(1, tags=("常识",), difficulties=(1,))])
    attempt = quizzes.start_attempt(db, tagged.id, quizzes.identify_trainee(db, "李四", "E2"))
    [item] = quizzes.attempt_questions(db, attempt.id)
    assert item.question_id in {questions[0].id, questions[2].id}
    with pytest.raises(QuizError):
        quizzes.create_quiz(db, "太多", draw=[DrawRule(3, categories=("消防",))])


def test_quiz_creation_is_validated(db):
    questions = bank(db)
    with pytest.raises(QuizError):
        quizzes.create_quiz(db, "草稿不能用", question_ids=[questions[4].id])
    with pytest.raises(QuizError):
        quizzes.create_quiz(db, "", question_ids=[questions[0].id])
    with pytest.raises(QuizError):
        quizzes.create_quiz(db, "二者都给", question_ids=[questions[0].id], draw=[DrawRule(1)])
    with pytest.raises(QuizError):
        quizzes.create_quiz(
            db, "及格线", question_ids=[questions[0].id], settings=QuizSettings(pass_percent=120)
        )


def test_shuffled_options_are_scored_against_the_original_key(db):
    questions = bank(db)
    settings = QuizSettings(shuffle_options=True, shuffle_questions=True)
    quiz = quizzes.create_quiz(
        db, "乱序", question_ids=[q.id for q in questions[:4]], settings=settings
    )
    orders = set()
    for seed in range(6):
        trainee = quizzes.identify_trainee(db, f"学员{seed}", f"S{seed}")
        attempt = quizzes.start_attempt(db, quiz.id, trainee, rng=random.Random(seed))
        view = quizzes.attempt_questions(db, attempt.id)
        orders.add(tuple(v.options for v in view if v.qtype == QuestionType.SINGLE))
        result = quizzes.submit_attempt(db, attempt.id, right_answers(view))
        assert result.score == 7
        stored = {r.question_id: r.answer for r in quizzes.attempt_responses(db, attempt.id)}
        assert stored[questions[0].id] == "B" and stored[questions[1].id] == "AC"
    assert len(orders) > 1


def test_immediate_feedback_is_final_after_submit_feedback_can_change(db):
    questions = bank(db)
    ids = [q.id for q in questions[:2]]
    now_quiz = quizzes.create_quiz(
        db, "即时", question_ids=ids, settings=QuizSettings(feedback=FeedbackMode.IMMEDIATE)
    )
    later_quiz = quizzes.create_quiz(db, "交卷后", question_ids=ids)
    trainee = quizzes.identify_trainee(db, "张三", "E001")

    attempt = quizzes.start_attempt(db, now_quiz.id, trainee)
    feedback = quizzes.answer_question(db, attempt.id, ids[0], "A", time_ms=500)
    assert (feedback.correct, feedback.key, feedback.explanation) == (False, "B", "119")
    with pytest.raises(AttemptError):
        quizzes.answer_question(db, attempt.id, ids[0], "B")

    attempt = quizzes.start_attempt(db, later_quiz.id, trainee)
    assert quizzes.answer_question(db, attempt.id, ids[0], "A", time_ms=500) is None
    assert quizzes.answer_question(db, attempt.id, ids[0], "B", time_ms=700) is None
    [row] = quizzes.attempt_responses(db, attempt.id)
    assert (row.answer, row.correct, row.time_ms) == ("B", True, 1200)
    with pytest.raises(AttemptError):
        quizzes.attempt_review(db, attempt.id, trainee)  # keys hidden until submitted
    quizzes.submit_attempt(db, attempt.id)
    review = quizzes.attempt_review(db, attempt.id, trainee)
    assert [(r.given, r.key, r.correct) for r in review] == [("B", "B", True), (None, "AC", False)]


def test_failed_submission_stores_nothing_and_keeps_the_score(db):
    questions = bank(db)
    quiz = quizzes.create_quiz(db, "考试", question_ids=[q.id for q in questions[:4]])
    attempt = quizzes.start_attempt(db, quiz.id, quizzes.identify_trainee(db, "张三", "E001"))
    quizzes.answer_question(db, attempt.id, questions[0].id, "B")
    before = quizzes.attempt_result(db, attempt.id)
    bad = [Answer(questions[2].id, True), Answer(questions[1].id, "Z")]  # Z: no such option
    with pytest.raises(AnswerError):
        quizzes.submit_attempt(db, attempt.id, bad)
    assert quizzes.attempt_result(db, attempt.id) == before
    assert len(quizzes.attempt_responses(db, attempt.id)) == 1
    assert quizzes.get_attempt(db, attempt.id).is_open
    with pytest.raises(AttemptError):
        quizzes.submit_attempt(db, attempt.id, [Answer(999, "A")])  # not in this attempt
    assert quizzes.submit_attempt(db, attempt.id).score == 1
    with pytest.raises(AttemptError):
        quizzes.submit_attempt(db, attempt.id)  # already submitted


def test_time_limit(db):
    questions = bank(db)
    quiz = quizzes.create_quiz(
        db,
        "限时",
        question_ids=[q.id for q in questions[:2]],
        settings=QuizSettings(time_limit_s=60, max_attempts=2),
    )
    trainee = quizzes.identify_trainee(db, "张三", "E001")
    attempt = quizzes.start_attempt(db, quiz.id, trainee, now=T0)
    quizzes.answer_question(db, attempt.id, questions[0].id, "B", now=T0 + 30)
    with pytest.raises(AttemptError):
        quizzes.answer_question(db, attempt.id, questions[1].id, "AC", now=T0 + 70)
    with pytest.raises(AttemptError):
        quizzes.submit_attempt(db, attempt.id, [Answer(questions[1].id, "AC")], now=T0 + 70)
    assert quizzes.attempt_result(db, attempt.id).score == 1
    # An expired attempt is closed when the trainee starts again; it counts as submitted.
    second = quizzes.start_attempt(db, quiz.id, trainee, now=T0 + 600)
    assert second.number == 2
    closed = quizzes.get_attempt(db, attempt.id)
    assert closed.submitted_at == closed.deadline_at


def test_attempts_allowed_and_open_attempt_is_resumed(db):
    questions = bank(db)
    quiz = quizzes.create_quiz(db, "一次", question_ids=[questions[0].id])
    trainee = quizzes.identify_trainee(db, "张三", "E001")
    first = quizzes.start_attempt(db, quiz.id, trainee)
    assert quizzes.start_attempt(db, quiz.id, trainee) == first
    quizzes.submit_attempt(db, first.id)
    with pytest.raises(AttemptError):
        quizzes.start_attempt(db, quiz.id, trainee)


@pytest.mark.parametrize(("grading", "counted"), [("first", 1), ("last", 3), ("best", 2)])
def test_which_attempt_counts(db, grading, counted):
    questions = bank(db)
    ids = [questions[0].id, questions[3].id]  # scores 1 and 3
    quiz = quizzes.create_quiz(
        db, "多次", question_ids=ids, settings=QuizSettings(max_attempts=None, grading=grading)
    )
    trainee = quizzes.identify_trainee(db, "张三", "E001")
    # Attempt scores: 1, then 4, then 3.
    for answers in ([("B", "红")], [("B", "绿")], [("A", "绿")]):
        attempt = quizzes.start_attempt(db, quiz.id, trainee)
        (single, fill) = answers[0]
        quizzes.submit_attempt(db, attempt.id, [Answer(ids[0], single), Answer(ids[1], fill)])
    [row] = quizzes.quiz_results(db, quiz.id)
    assert (row.attempts, row.counted_attempt) == (3, counted)
    assert row.score == {1: 1, 2: 4, 3: 3}[counted]


def test_trainees_only_see_their_own_attempts(db):
    questions = bank(db)
    quiz = quizzes.create_quiz(db, "考试", question_ids=[questions[0].id])
    zhang = quizzes.identify_trainee(db, "张三", "E001")
    li = quizzes.identify_trainee(db, "李四", "E002")
    attempt = quizzes.start_attempt(db, quiz.id, zhang)
    quizzes.submit_attempt(db, attempt.id, [Answer(questions[0].id, "B")])
    assert [r.attempt_id for r in quizzes.trainee_history(db, zhang)] == [attempt.id]
    assert quizzes.trainee_history(db, li) == []
    with pytest.raises(NotFound):
        quizzes.attempt_review(db, attempt.id, li)
    with pytest.raises(NotFound):
        quizzes.attempt_result(db, attempt.id, trainee=li)
    with pytest.raises(AttemptError):
        quizzes.identify_trainee(db, "王五", "E001")  # someone else's number


def test_retired_questions_are_skipped_in_new_attempts(db):
    questions = bank(db)
    quiz = quizzes.create_quiz(db, "考试", question_ids=[q.id for q in questions[:2]])
    quizzes.set_question_status(db, questions[0].id, "retired")
    attempt = quizzes.start_attempt(db, quiz.id, quizzes.identify_trainee(db, "张三", "E001"))
    assert [v.question_id for v in quizzes.attempt_questions(db, attempt.id)] == [questions[1].id]
