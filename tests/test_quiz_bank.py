"""Question bank operations: filters, status changes, edits and deletes of used questions."""

import pytest

import quizzes
from quizzes import Question, QuestionType, QuizError, Status


@pytest.fixture
def db(tmp_path):
    with quizzes.connect(tmp_path / "bank.db") as database:
        yield database


def make(stem, *, category="", tags=(), difficulty=None, status=Status.APPROVED):
    return Question(
        QuestionType.TRUE_FALSE,
        stem,
        key="对",
        category=category,
        tags=tags,
        difficulty=difficulty,
        status=status,
    )


def test_filters_combine(db):
    a = quizzes.add_question(db, make("甲", category="消防", tags=("报警",), difficulty=1))
    b = quizzes.add_question(db, make("乙", category="消防", tags=("器材",), status="draft"))
    c = quizzes.add_question(db, make("丙", category="危化", tags=("报警", "器材")))
    assert quizzes.list_questions(db, category="消防") == [a, b]
    assert quizzes.list_questions(db, tag="报警") == [a, c]
    assert quizzes.list_questions(db, tag="报警", status="approved", category="危化") == [c]
    assert quizzes.list_questions(db, search="乙") == [b]
    assert quizzes.list_questions(db, limit=1, offset=1) == [b]
    assert quizzes.categories(db) == ["危化", "消防"]
    assert quizzes.all_tags(db) == ["器材", "报警"]


def test_status_changes(db):
    q = quizzes.add_question(db, make("甲", status="draft"))
    assert quizzes.set_question_status(db, q.id, "approved").status == Status.APPROVED
    with pytest.raises(quizzes.NotFound):
        quizzes.set_question_status(db, 999, "approved")
    with pytest.raises(ValueError):
        quizzes.set_question_status(db, q.id, "published")


def test_unused_question_can_be_edited_and_deleted(db):
    q = quizzes.add_question(db, make("甲"))
    edited = quizzes.update_question(db, q.id, make("甲（修订）"))
    assert quizzes.get_question(db, q.id) == edited and edited.stem == "甲（修订）"
    quizzes.delete_question(db, q.id)
    with pytest.raises(quizzes.NotFound):
        quizzes.get_question(db, q.id)


def test_used_question_can_only_be_retired(db):
    q = quizzes.add_question(db, make("甲"))
    quiz = quizzes.create_quiz(db, "测验", question_ids=[q.id])
    with pytest.raises(QuizError):
        quizzes.delete_question(db, q.id)  # in a quiz
    trainee = quizzes.identify_trainee(db, "张三", "E001")
    quizzes.start_attempt(db, quiz.id, trainee)
    with pytest.raises(QuizError):
        quizzes.update_question(db, q.id, make("改过的题干"))
    assert quizzes.get_question(db, q.id).stem == "甲"
    assert quizzes.set_question_status(db, q.id, "retired").status == Status.RETIRED
