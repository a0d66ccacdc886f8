"""The trainers' spreadsheet layout: CSV (UTF-8/GBK) and XLSX parsing, errors and export."""

from pathlib import Path

from openpyxl import Workbook, load_workbook

from quizzes import Question, QuestionType, Status, parse_csv_text, parse_rows, read_questions
from quizzes.formats import write_questions

DATA = Path(__file__).parent / "data" / "quizzes"
HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "分值", "分类"]


def problems_of(result):
    return [(p.row, p.column) for p in result.problems]


def test_fixture_reads_every_type_with_its_fields():
    result = read_questions(DATA / "bank.csv")
    assert result.problems == []
    assert result.encoding == "utf-8"
    types = [q.qtype for q in result.questions]
    assert types == [
        QuestionType.SINGLE,
        QuestionType.MULTIPLE,
        QuestionType.TRUE_FALSE,
        QuestionType.TRUE_FALSE,
        QuestionType.FILL,
        QuestionType.SINGLE,
    ]
    first, multiple, _, false_q, fill, last = result.questions
    assert first.key == ("A",) and first.score == 2 and first.tags == ("方针", "总则")
    assert first.difficulty == 1 and first.category == "安全生产法"
    assert multiple.key == ("A", "B", "C") and multiple.difficulty == 3
    assert false_q.key == ("错误",) and false_q.difficulty == 4
    assert fill.key == ("报告或者举报", "报告", "举报") and fill.difficulty is None
    assert last.tags == ("报警", "常识")


def test_gbk_file_gives_the_same_questions_as_utf8():
    utf8 = read_questions(DATA / "bank.csv")
    gbk = read_questions(DATA / "bank_gbk.csv")
    assert gbk.encoding == "gb18030"
    assert gbk.questions == utf8.questions


def test_bad_rows_are_each_reported_with_row_and_column():
    result = read_questions(DATA / "bad_rows.csv")
    assert result.questions == []
    assert problems_of(result) == [(2, "答案"), (3, "题型"), (4, "分值"), (5, "答案"), (6, "题型")]
    assert "答案 C 指向空的选项" in result.problems[0].message
    assert "问答" in result.problems[1].message
    assert all(p.source == "bad_rows.csv" for p in result.problems)


def test_missing_required_columns_are_named():
    result = read_questions(DATA / "missing_columns.csv")
    assert problems_of(result) == [(1, "题型"), (1, "答案")]


def test_empty_and_header_only_files_are_errors():
    assert [p.message for p in read_questions(DATA / "empty.csv").problems] == ["文件为空"]
    header_only = read_questions(DATA / "header_only.csv")
    assert header_only.questions == [] and len(header_only.problems) == 1


def test_header_aliases_extra_columns_and_blank_rows():
    text = "序号,题目类型,题目,A,B,正确答案\n\n1,单选,火警电话,110,119,B\n,,,,,\n"
    result = parse_csv_text(text)
    assert result.problems == []
    assert result.questions[0].options == ("110", "119")


def test_true_false_given_as_option_letter():
    rows = [
        ["题型", "题干", "选项A", "选项B", "答案"],
        ["判断", "必须持证上岗", "正确", "错误", "B"],
    ]
    result = parse_rows(rows)
    assert result.problems == []
    assert result.questions[0].key == ("错误",) and result.questions[0].options == ()


def test_status_column_and_default_status():
    rows = [
        ["题型", "题干", "答案", "状态"],
        ["填空", "甲", "a", "已停用"],
        ["填空", "乙", "b", ""],
    ]
    result = parse_rows(rows, default_status=Status.APPROVED)
    assert [q.status for q in result.questions] == [Status.RETIRED, Status.APPROVED]


def test_duplicate_column_is_an_error():
    result = parse_rows([["题型", "题干", "答案", "正确答案"], ["填空", "甲", "a", "a"]])
    assert problems_of(result) == [(1, "答案")]


def test_xlsx_numbers_and_leading_blank_rows(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([])
    sheet.append(HEADER)
    sheet.append(["填空", "安全生产法自哪年起施行", None, None, None, None, 2002, None, 2.0, None])
    path = tmp_path / "bank.xlsx"
    workbook.save(path)
    result = read_questions(path)
    assert result.problems == []
    assert result.questions[0].key == ("2002",) and result.questions[0].score == 2.0


def test_xlsx_errors_name_the_spreadsheet_row(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["单选", "题一", "甲", "乙", None, None, "A", None, 1, None])
    sheet.append(["单选", "题二", "甲", "乙", None, None, "C", None, 1, None])
    path = tmp_path / "bank.xlsx"
    workbook.save(path)
    assert problems_of(read_questions(path)) == [(3, "答案")]


def test_damaged_xlsx_is_a_problem_not_a_crash(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    result = read_questions(path)
    assert result.questions == [] and "xlsx" in result.problems[0].message


def test_undecodable_csv_is_reported(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(bytes(range(128, 256)) * 4)
    assert "编码" in read_questions(path).problems[0].message


def test_xlsx_export_keeps_formula_like_text_as_text(tmp_path):
    question = Question(QuestionType.FILL, "=SUM(A1:A2) 的含义", key=("=1+1",), score=1.5)
    path = tmp_path / "out.xlsx"
    write_questions([question], path)
    sheet = load_workbook(path).active
    assert sheet["B2"].value == "=SUM(A1:A2) 的含义" and sheet["B2"].data_type == "s"
    assert read_questions(path).questions == [question]


def test_csv_export_has_bom_and_trainer_layout(tmp_path):
    path = tmp_path / "out.csv"
    questions = read_questions(DATA / "bank.csv").questions
    write_questions(questions, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:15] == [
        "题型",
        "题干",
        "选项A",
        "选项B",
        "选项C",
        "选项D",
        "选项E",
        "选项F",
        "答案",
        "解析",
        "分值",
        "分类",
        "标签",
        "难度",
        "状态",
    ]
    assert read_questions(path).questions == questions
