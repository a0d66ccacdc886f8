"""Question records: normalisation and validation."""

import pytest

from quizzes import InvalidQuestion, Question, QuestionType, Status


def fields(question):
    return {field for field, _ in question.problems()}


def test_choice_key_is_normalised_to_sorted_unique_letters():
    q = Question(QuestionType.MULTIPLE, " 题干 ", key=("c, ａ",), options=("甲", "乙", "丙"))
    assert q.key == ("A", "C")
    assert q.stem == "题干"
    assert q.problems() == []


def test_true_false_spellings_map_to_chinese_verdicts():
    for word, verdict in [("对", "正确"), ("×", "错误"), ("t", "正确"), ("FALSE", "错误")]:
        q = Question(QuestionType.TRUE_FALSE, "题干", key=(word,))
        assert q.key == (verdict,)
    assert Question(QuestionType.TRUE_FALSE, "题干", key=True).key == ("正确",)


def test_trailing_empty_options_are_dropped_but_a_gap_is_an_error():
    q = Question(QuestionType.SINGLE, "题干", key="A", options=("甲", "乙", "", ""))
    assert q.options == ("甲", "乙")
    gap = Question(QuestionType.SINGLE, "题干", key="A", options=("甲", "", "丙"))
    assert "option:B" in fields(gap)


def test_key_pointing_at_a_missing_option_is_reported():
    q = Question(QuestionType.SINGLE, "题干", key="D", options=("甲", "乙", "丙"))
    assert q.problems() == [("key", "答案 D 指向空的选项")]


def test_single_choice_with_two_letters_is_invalid():
    q = Question(QuestionType.SINGLE, "题干", key="AB", options=("甲", "乙"))
    assert "key" in fields(q)


def test_fill_answers_are_deduplicated_and_may_not_contain_the_separator():
    q = Question(QuestionType.FILL, "题干", key=("报告", " 报告 ", "举报"))
    assert q.key == ("报告", "举报")
    assert "key" in fields(Question(QuestionType.FILL, "题干", key=("a|b",)))


def test_tags_are_split_on_separators():
    q = Question(QuestionType.FILL, "题干", key="a", tags=("消防，常识", "报警;常识"))
    assert q.tags == ("消防", "常识", "报警")


def test_unknown_type_status_bad_score_and_difficulty_are_all_reported():
    q = Question("essay", "", key="x", score=0, difficulty=7, status="published")
    assert {"qtype", "stem", "score", "difficulty", "status"} <= fields(q)


def test_validated_raises_with_every_problem():
    q = Question(QuestionType.SINGLE, "", key="Z", options=("甲",))
    with pytest.raises(InvalidQuestion) as caught:
        q.validated()
    assert len(caught.value.problems) == len(q.problems()) >= 3


def test_equal_content_gives_equal_records():
    a = Question(QuestionType.SINGLE, "题干\r\n第二行", key="b", options=["甲", "乙"])
    b = Question(QuestionType.SINGLE, "题干\n第二行", key=("B",), options=("甲", "乙"))
    assert a == b
    assert a.status == Status.DRAFT
