"""Aiken format: parsing, errors with line numbers, export."""

from pathlib import Path

import pytest

from quizzes import Question, QuestionType, parse_aiken, read_questions
from quizzes.formats import to_aiken

DATA = Path(__file__).parent / "data" / "quizzes"


def test_fixture_with_full_width_markers_and_multiple_answers():
    result = read_questions(DATA / "bank.aiken.txt")  # .txt: format sniffed
    assert result.fmt == "aiken" and result.problems == []
    first, second, third = result.questions
    assert first.options == ("安全第一、预防为主、综合治理", "生产优先", "效益优先")
    assert second.key == ("B",) and len(second.options) == 4
    assert third.qtype == QuestionType.MULTIPLE and third.key == ("A", "B")
    assert third.options[0] == "知情权"


def test_multi_line_stem_and_no_blank_line_between_questions():
    text = "第一行\n第二行\nA. 甲\nB. 乙\nANSWER: B\n下一题\nA. 丙\nB. 丁\nANSWER: A\n"
    result = parse_aiken(text)
    assert result.problems == []
    assert [q.stem for q in result.questions] == ["第一行\n第二行", "下一题"]


def test_errors_name_the_line():
    text = (
        "题一\nA. 甲\nB. 乙\nANSWER: C\n\n"  # line 4: key points at a missing option
        "题二\nA. 甲\nC. 乙\nANSWER: A\n\n"  # line 8: letters out of order
        "题三\nA. 甲\nB. 乙\n\n"  # line 11: no ANSWER line
    )
    result = parse_aiken(text)
    assert result.questions == []
    assert [(p.row, p.column) for p in result.problems] == [
        (4, "ANSWER"),
        (8, "选项"),
        (11, "ANSWER"),
    ]


def test_answer_without_question_and_empty_text():
    assert parse_aiken("ANSWER: A").problems[0].row == 1
    assert parse_aiken("  \n\n").problems[0].message == "文件中没有题目"


def test_export_round_trip():
    questions = [
        Question(QuestionType.SINGLE, "火警电话", key="B", options=("110", "119")),
        Question(QuestionType.MULTIPLE, "权利", key="AC", options=("甲", "乙", "丙")),
    ]
    assert parse_aiken(to_aiken(questions)).questions == questions


def test_export_refuses_types_aiken_cannot_hold():
    with pytest.raises(ValueError):
        to_aiken([Question(QuestionType.TRUE_FALSE, "必须持证", key="对")])
