"""Scoring of each question type, and answer canonicalisation (incl. shuffled options)."""

import pytest

from quizzes import AnswerError, Question, QuestionType, normalize_fill, score_answer

SINGLE = Question(QuestionType.SINGLE, "火警电话", key="B", options=("110", "119", "120"))
MULTIPLE = Question(QuestionType.MULTIPLE, "权利", key="AC", options=("甲", "乙", "丙", "丁"))
TRUE_FALSE = Question(QuestionType.TRUE_FALSE, "必须持证", key="正确")
FILL = Question(QuestionType.FILL, "填空", key=("Fire Door", "防火门"))


@pytest.mark.parametrize(
    ("given", "expected"),
    [("B", ("B", True)), ("b", ("B", True)), ("Ｂ", ("B", True)), ("A", ("A", False))],
)
def test_single_choice_exact_letter(given, expected):
    assert score_answer(SINGLE, given) == expected


def test_single_choice_rejects_two_letters_and_unknown_letters():
    with pytest.raises(AnswerError):
        score_answer(SINGLE, "AB")
    with pytest.raises(AnswerError):
        score_answer(SINGLE, "D")
    with pytest.raises(AnswerError):
        score_answer(SINGLE, "")


@pytest.mark.parametrize(
    ("given", "correct"),
    [
        ("AC", True),
        ("CA", True),
        (["C", "A"], True),
        ("A,C", True),
        ("A", False),
        ("ACD", False),
        ("ABCD", False),
    ],
)
def test_multiple_choice_needs_the_exact_set(given, correct):
    assert score_answer(MULTIPLE, given)[1] is correct


@pytest.mark.parametrize(
    ("given", "correct"),
    [(True, True), ("对", True), ("√", True), ("T", True), (False, False), ("错误", False)],
)
def test_true_false(given, correct):
    assert score_answer(TRUE_FALSE, given)[1] is correct


def test_true_false_rejects_other_words():
    with pytest.raises(AnswerError):
        score_answer(TRUE_FALSE, "也许")


@pytest.mark.parametrize(
    ("given", "correct"),
    [
        ("fire door", True),
        (" FIRE  DOOR ", True),
        ("ｆｉｒｅ ｄｏｏｒ", True),
        ("防火门", True),
        ("防 火 门", True),
        ("防火窗", False),
    ],
)
def test_fill_in_accepts_any_answer_after_normalisation(given, correct):
    assert score_answer(FILL, given)[1] is correct


def test_normalize_fill():
    assert normalize_fill(" Ａｂ　Ｃ ") == "abc"


def test_shuffled_options_map_display_letters_to_original():
    # Displayed order "CAB": the option shown as A is the question's C, shown B is original A.
    assert score_answer(SINGLE, "C", option_order="CAB") == ("B", True)
    assert score_answer(SINGLE, "A", option_order="CAB") == ("C", False)
    # MULTIPLE key AC; shown order "DCBA": original A is shown as D, original C as B.
    assert score_answer(MULTIPLE, "BD", option_order="DCBA") == ("AC", True)
