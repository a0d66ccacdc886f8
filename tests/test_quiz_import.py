"""Importing files into the bank: all-or-nothing, every error reported, round trips, 10k rows."""

import csv
import shutil
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest

import quizzes
from quizzes import Status

DATA = Path(__file__).parent / "data" / "quizzes"
FIXTURES = {"csv": "bank.csv", "gift": "bank.gift", "aiken": "bank.aiken.txt"}


def count(db):
    return db.execute("SELECT count(*) FROM questions").fetchone()[0]


def content(questions):
    """Questions without their ids, in a stable order, for comparing banks."""
    return sorted((replace(q, id=None) for q in questions), key=repr)


@pytest.fixture
def db(tmp_path):
    with quizzes.connect(tmp_path / "bank.db") as database:
        yield database


def test_import_stores_every_question_with_the_given_status(db):
    result = quizzes.import_file(db, DATA / "bank.csv", status="draft")
    assert result.ok and result.fmt == "csv" and len(result.question_ids) == 6
    stored = quizzes.list_questions(db)
    assert [q.id for q in stored] == list(result.question_ids)
    assert {q.status for q in stored} == {Status.DRAFT}
    assert content(stored) == content(
        quizzes.read_questions(DATA / "bank.csv", default_status=Status.DRAFT).questions
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bad_rows.csv", [(2, "答案"), (3, "题型"), (4, "分值"), (5, "答案"), (6, "题型")]),
        ("missing_columns.csv", [(1, "题型"), (1, "答案")]),
        ("empty.csv", [(0, "")]),
        ("header_only.csv", [(0, "")]),
    ],
)
def test_bad_file_imports_nothing_and_reports_every_problem(db, name, expected):
    quizzes.import_file(db, DATA / "bank.gift")  # something already in the bank
    before = count(db)
    result = quizzes.import_file(db, DATA / name)
    assert not result.ok and result.question_ids == ()
    assert [(p.row, p.column) for p in result.problems] == expected
    assert all(p.source == name and str(p).startswith(name) for p in result.problems)
    assert count(db) == before


def test_bad_gift_file_imports_nothing(db, tmp_path):
    path = tmp_path / "bad.gift"
    path.write_text("好题 {T}\n\n坏题 {=a =b ~c}\n\n// [score:abc]\n又一题 {F}\n", encoding="utf-8")
    result = quizzes.import_file(db, path)
    assert [(p.row, p.column) for p in result.problems] == [(3, "答案"), (5, "分值")]
    assert count(db) == 0


def test_one_bad_row_among_good_ones_blocks_the_whole_file(db, tmp_path):
    path = tmp_path / "mixed.csv"
    good = (DATA / "bank.csv").read_text(encoding="utf-8")
    path.write_text(good + "7,单选,坏题,甲,乙,,,,,E,,1,,,\n", encoding="utf-8")
    result = quizzes.import_file(db, path)
    assert [(p.row, p.column) for p in result.problems] == [(8, "答案")]
    assert count(db) == 0


def test_reimport_skips_questions_already_in_the_bank(db):
    first = quizzes.import_file(db, DATA / "bank.csv")
    again = quizzes.import_file(db, DATA / "bank_gbk.csv")
    assert again.ok and again.question_ids == () and again.duplicates == len(first.question_ids)
    kept = quizzes.import_file(db, DATA / "bank.csv", skip_duplicates=False)
    assert len(kept.question_ids) == 6 and count(db) == 12


@pytest.mark.parametrize("source", ["csv", "gift", "aiken", "xlsx"])
@pytest.mark.parametrize("target", ["csv", "xlsx", "gift"])
def test_import_export_import_round_trip(tmp_path, source, target):
    if source == "xlsx":  # an xlsx source: the csv fixture saved as a workbook first
        with quizzes.connect(tmp_path / "seed.db") as seed:
            quizzes.import_file(seed, DATA / "bank.csv")
            quizzes.export_questions(seed, tmp_path / "source.xlsx")
        path = tmp_path / "source.xlsx"
    else:
        path = DATA / FIXTURES[source]
    with quizzes.connect(tmp_path / "a.db") as a, quizzes.connect(tmp_path / "b.db") as b:
        assert quizzes.import_file(a, path).ok
        out = tmp_path / f"out.{target}"
        assert quizzes.export_questions(a, out) == count(a)
        result = quizzes.import_file(b, out)
        assert result.ok, result.problems
        assert content(quizzes.list_questions(b)) == content(quizzes.list_questions(a))


def test_aiken_export_round_trip_for_choice_questions(db, tmp_path):
    quizzes.import_file(db, DATA / "bank.aiken.txt")
    out = tmp_path / "out.aiken"
    quizzes.export_questions(db, out)
    with quizzes.connect(tmp_path / "other.db") as other:
        assert quizzes.import_file(other, out).ok
        assert content(quizzes.list_questions(other)) == content(quizzes.list_questions(db))


def test_unknown_extension_and_missing_file(db, tmp_path):
    odd = tmp_path / "bank.doc"
    odd.write_text("x", encoding="utf-8")
    assert "--format" in quizzes.import_file(db, odd).problems[0].message
    assert quizzes.import_file(db, tmp_path / "nope.csv").problems[0].message == "文件不存在"


def write_big_csv(path, rows, bad_row=None, explanation="依据相关条款。"):
    with path.open("w", encoding="gbk", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                "题型",
                "题干",
                "选项A",
                "选项B",
                "选项C",
                "选项D",
                "答案",
                "解析",
                "分值",
                "分类",
                "标签",
                "难度",
            ]
        )
        for i in range(rows):
            key = "E" if i == bad_row else "ABCD"[i % 4]
            writer.writerow(
                [
                    "单选",
                    f"第{i}题：下列做法正确的是（　）。",
                    f"甲{i}",
                    "乙",
                    "丙",
                    "丁",
                    key,
                    explanation,
                    1,
                    f"分类{i % 7}",
                    "批量,测试",
                    i % 5 + 1,
                ]
            )


def test_ten_thousand_rows_import_quickly_and_a_bad_last_row_blocks_all(db, tmp_path):
    path = tmp_path / "big.csv"
    write_big_csv(path, 10_000, bad_row=9_999)
    result = quizzes.import_file(db, path)
    assert [(p.row, p.column) for p in result.problems] == [(10_001, "答案")]
    assert count(db) == 0
    write_big_csv(path, 10_000)
    started = time.perf_counter()
    result = quizzes.import_file(db, path)
    elapsed = time.perf_counter() - started
    assert result.ok and len(result.question_ids) == 10_000 and count(db) == 10_000
    assert elapsed < 20, f"10,000 rows took {elapsed:.1f} s"


def test_rows_are_streamed_not_loaded_whole(tmp_path):
    path = tmp_path / "big.csv"
    write_big_csv(path, 2_000, explanation="依据相关条款。" * 40)
    tracemalloc.start()
    try:
        result = quizzes.read_questions(path)
        retained, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(result.questions) == 2_000
    # Beyond the parsed questions, reading needs about one buffer and one row: far less than
    # the file. Reading the whole text first would need more than the file size on top.
    size = path.stat().st_size
    assert peak - retained < size / 4, (
        f"{(peak - retained) / 1e3:.0f} kB extra for {size / 1e3:.0f} kB"
    )


def test_generated_drafts_are_stored_through_add_question(db):
    draft = quizzes.Question(
        quizzes.QuestionType.SINGLE,
        "依据第三条，安全生产工作应当以人为本",
        key="A",
        options=("正确做法", "错误做法"),
        source_doc="中华人民共和国安全生产法.md",
        source_section="第一章 总则 › 第三条",
    )
    stored = quizzes.add_question(db, draft)
    assert stored.id is not None and stored.status == Status.DRAFT
    assert quizzes.get_question(db, stored.id) == stored
    assert quizzes.list_questions(db, status="draft") == [stored]
    with pytest.raises(quizzes.InvalidQuestion):
        quizzes.add_question(db, quizzes.Question(quizzes.QuestionType.SINGLE, "", key="Z"))
    assert count(db) == 1


def test_fixture_copy_with_txt_extension_is_sniffed_as_gift(db, tmp_path):
    path = tmp_path / "bank.txt"
    shutil.copy(DATA / "bank.gift", path)
    result = quizzes.import_file(db, path)
    assert result.ok and result.fmt == "gift" and len(result.question_ids) == 5
