"""GIFT format: question kinds, categories, feedback, escapes, errors and export."""

from pathlib import Path

from quizzes import Question, QuestionType, parse_gift, read_questions
from quizzes.formats import to_gift

DATA = Path(__file__).parent / "data" / "quizzes"


def test_fixture_reads_each_kind_with_categories_tags_and_feedback():
    result = read_questions(DATA / "bank.gift")
    assert result.problems == []
    single, multiple, true_q, false_q, fill = result.questions
    assert single.qtype == QuestionType.SINGLE and single.key == ("A",)
    assert single.explanation == "《安全生产法》第三条。"  # #### general feedback
    assert single.tags == ("方针",) and single.category == "安全生产法"
    assert multiple.qtype == QuestionType.MULTIPLE and multiple.key == ("A", "B")
    assert true_q.key == ("正确",)
    assert false_q.key == ("错误",) and false_q.explanation == "错，协议无效"
    assert fill.qtype == QuestionType.FILL and fill.key == ("119", "幺幺九")
    assert fill.category == "消防" and fill.score == 2
    assert fill.stem == "火灾报警电话是 ____ 。"  # missing-word format


def test_escapes_and_title_and_format_marker():
    result = parse_gift(r"::题目:: [html]比例 1\:2 的\{括号\} {=a\=b ~c\~d}")
    assert result.problems == []
    question = result.questions[0]
    assert question.stem == "比例 1:2 的{括号}"
    assert question.options == ("a=b", "c~d")


def test_comments_are_ignored_and_answers_may_span_lines():
    text = "// 注释\n题干 {\n// 行内注释\n=对的\n~错的\n}\n"
    assert parse_gift(text).questions[0].options == ("对的", "错的")


def test_unsupported_kinds_and_broken_braces_name_their_lines():
    text = (
        "数值题 {#3:1}\n\n配对题 {=a -> 1 =b -> 2}\n\n论述题 {}\n\n没有右括号 {=a ~b\n\n说明文字\n"
    )
    result = parse_gift(text)
    assert result.questions == []
    assert [p.row for p in result.problems] == [1, 3, 5, 7, 9]
    assert all(p.column == "答案" for p in result.problems)


def test_two_questions_without_blank_line_are_reported():
    result = parse_gift("题一 {T}\n题二 {F}\n")
    assert result.questions == [] and "空一行" in result.problems[0].message


def test_single_choice_with_two_right_answers_is_an_error():
    assert parse_gift("题 {=a =b ~c}").problems[0].row == 1


def test_export_round_trip_keeps_every_field():
    questions = [
        Question(
            QuestionType.SINGLE,
            "多行\n题干 {含括号} #号",
            key="B",
            options=("%50%", "=b"),
            explanation="解析: 见第三条",
            score=2.5,
            category="消防",
            tags=("a", "b"),
            difficulty=4,
            source_doc="消防法.md",
            source_section="第三条",
        ),
        Question(QuestionType.MULTIPLE, "多选", key="AC", options=("甲", "乙", "丙")),
        Question(QuestionType.MULTIPLE, "不定项", key="B", options=("甲", "乙")),
        Question(QuestionType.TRUE_FALSE, "//看起来像注释", key="错", explanation="x"),
        Question(QuestionType.FILL, "[html] 不是格式", key=("a\\n", "b:c")),
    ]
    result = parse_gift(to_gift(questions))
    assert result.problems == []
    assert sorted(result.questions, key=repr) == sorted(questions, key=repr)
