"""Catalogue of bad inputs: each gets a message naming the file and changes nothing stored."""

from __future__ import annotations

import csv
import hashlib
import random
import sqlite3
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from samplefiles import encrypted_pdf, make_pdf, scanned_pdf

import quizzes
from app_pages.uploads import ingest_uploads
from ingest.loaders import MAX_DOC_CHARS
from kb import KnowledgeBase
from kb.cli import main as cli_main

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
REAL_PDF = CORPUS / "pdf" / "中华人民共和国安全生产法（2021年6月修订）.pdf"
LAW = "第一条　为了加强危险化学品安全管理，预防和减少事故，制定本条例。"
PLAN = "一、工作目标\n（一）落实企业主体责任。\n责任单位：区应急局、区消防救援支队\n"


def kb_state(folder: Path) -> tuple:
    """Everything a knowledge base stores: its rows and its index files, byte for byte."""
    db = sqlite3.connect(folder / "kb.db")
    try:
        rows = tuple(
            tuple(db.execute(f"SELECT * FROM {table} ORDER BY rowid"))  # noqa: S608 constant names
            for table in ("documents", "chunks", "duties", "settings")
        )
    finally:
        db.close()
    files = {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith("kb.db")  # the WAL files change on reads
    }
    return rows, files


# ----- files the knowledge base must refuse -----------------------------------------------

def _truncated_pdf() -> bytes:
    data = REAL_PDF.read_bytes()
    return data[: len(data) // 2]


def _binary() -> bytes:
    return random.Random(5).randbytes(20_000)


BAD_FILES: dict[str, tuple[Callable[[], bytes], str]] = {
    "空文件.txt": (lambda: b"", "empty file"),
    "只有空白.md": (lambda: " \n\u3000\t\n".encode(), "no text"),
    "二进制.pdf": (_binary, "corrupt or truncated PDF"),
    "文本冒充.pdf": (lambda: "这不是PDF文件".encode(), "corrupt or truncated PDF"),
    "截断.pdf": (_truncated_pdf, "corrupt or truncated PDF"),
    "加密.pdf": (lambda: encrypted_pdf([LAW]), "encrypted PDF"),
    "扫描件.pdf": (scanned_pdf, "needs OCR"),
    "二进制.txt": (_binary, "binary content"),
    "损坏.docx": (lambda: b"PK\x03\x04 not really a zip", "not a readable .docx"),
    "旧格式.doc": (lambda: LAW.encode(), "unsupported file type"),
    "只有脚本.html": (lambda: b"<html><script>alert(1)</script><p onclick='x()'> </p></html>",
                      "no text"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_file_is_named_and_the_knowledge_base_is_unchanged(kb_copy, tmp_path, name):
    make, reason = BAD_FILES[name]
    path = tmp_path / "in" / name
    path.parent.mkdir()
    path.write_bytes(make())
    before = kb_state(kb_copy)
    report = KnowledgeBase(kb_copy).ingest([path])
    [result] = report.results
    assert result.status == "failed"
    assert str(path) in result.error and reason in result.error
    assert kb_state(kb_copy) == before


@pytest.mark.parametrize("name", ["扫描件.pdf", "截断.pdf", "空文件.txt"])
def test_bad_upload_is_named_without_server_paths(kb_copy, name):
    make, reason = BAD_FILES[name]
    before = kb_state(kb_copy)
    [outcome] = ingest_uploads(KnowledgeBase(kb_copy), [(name, make())])
    assert (outcome.name, outcome.status) == (name, "failed")
    assert outcome.message.startswith(name) and reason in outcome.message
    assert "safety-kb-upload" not in outcome.message  # the temp folder stays private
    assert kb_state(kb_copy) == before


def test_fifty_megabyte_text_is_refused_in_bounded_memory(kb_copy, tmp_path):
    line = (LAW + "\n").encode("utf-8")
    path = tmp_path / "五十兆.txt"
    path.write_bytes(line * (50_000_000 // len(line)))
    before = kb_state(kb_copy)
    kb = KnowledgeBase(kb_copy)
    tracemalloc.start()
    try:
        [result] = kb.ingest([path]).results
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.status == "failed" and str(path) in result.error
    assert "text too long" in result.error and "请拆分" in result.error
    assert peak < 8 * MAX_DOC_CHARS  # about 16 MB, for a 50 MB file
    assert kb_state(kb_copy) == before


def test_one_bad_file_in_a_batch_does_not_stop_the_good_ones(kb_copy, tmp_path):
    good = tmp_path / "好文件.txt"
    good.write_text("某市危险化学品安全管理办法\n" + LAW, encoding="utf-8")
    bad = tmp_path / "坏文件.pdf"
    bad.write_bytes(_truncated_pdf())
    kb = KnowledgeBase(kb_copy)
    n_docs = len(kb.documents())
    report = kb.ingest([bad, good])
    assert [r.status for r in report.results] == ["failed", "added"]
    assert len(kb.documents()) == n_docs + 1
    assert [h.source for h in kb.search("危险化学品安全管理", k=1)] == ["好文件.txt"]


def test_files_of_other_types_in_a_folder_are_reported_as_skipped(kb_copy, tmp_path, capsys):
    folder = tmp_path / "下载"
    (folder / "附件").mkdir(parents=True)
    (folder / "某市危险化学品安全管理办法.txt").write_text(
        "某市危险化学品安全管理办法\n" + LAW, encoding="utf-8")
    (folder / "附件" / "应急预案.doc").write_bytes(b"\xd0\xcf\x11\xe0 old Word")
    (folder / "统计表.xlsx").write_bytes(b"PK")
    report = KnowledgeBase(kb_copy).ingest([folder])
    assert {r.source: r.status for r in report.results} == {
        "某市危险化学品安全管理办法.txt": "added", "附件/应急预案.doc": "skipped",
        "统计表.xlsx": "skipped"}
    doc = next(r for r in report.results if r.status == "skipped" and r.source.endswith(".doc"))
    assert str(folder / "附件" / "应急预案.doc") in doc.error and ".doc" in doc.error
    assert not report.failed  # nothing went wrong reading: only told what was left out
    assert cli_main(["ingest", str(folder), "--kb", str(kb_copy)]) == 0
    err = capsys.readouterr().err
    assert "跳过" in err and "应急预案.doc" in err and "统计表.xlsx" in err


# ----- unusual files that are fine --------------------------------------------------------

def test_gbk_text_is_ingested_with_its_characters_intact(kb_copy, tmp_path):
    text = "某区燃气安全专项整治方案\n" + PLAN + "（二）加强瓶装液化石油气（LPG）管理。\n"
    path = tmp_path / "燃气.txt"
    path.write_bytes(text.encode("gbk"))
    kb = KnowledgeBase(kb_copy)
    [result] = kb.ingest([path]).results
    assert result.status == "added"
    chunks = kb.chunks(result.doc_id)
    assert "瓶装液化石油气（LPG）" in "".join(c.text for c in chunks)
    assert kb.search("瓶装液化石油气", k=1)[0].doc_id == result.doc_id


SCRIPTED_PAGE = """<html><head><script>document.title = "坏"</script>
<script src="https://example.invalid/x.js"></script><style>p{}</style></head>
<body onload="alert('load')"><nav onclick="go()">当前位置：首页</nav>
<h1 onmouseover="alert('h1')">某区消防安全责任制实施办法</h1>
<p>第一条　为落实<span onclick="steal()">消防安全责任制</span>，制定本办法。</p>
<img src="x" onerror="alert('img')"><a href="javascript:alert('a')">第二条　点此查看。</a>
<script>window.location = "https://example.invalid/"</script>
<iframe src="https://example.invalid/"></iframe><noscript>请启用脚本</noscript>
</body></html>"""


def test_html_full_of_scripts_keeps_only_the_text(kb_copy, tmp_path):
    path = tmp_path / "脚本.html"
    path.write_text(SCRIPTED_PAGE, encoding="utf-8")
    kb = KnowledgeBase(kb_copy)
    [result] = kb.ingest([path]).results
    assert result.status == "added"
    stored = "\n".join(c.text for c in kb.chunks(result.doc_id))
    assert "第一条　为落实消防安全责任制，制定本办法。" in stored
    assert "第二条　点此查看。" in stored
    for leftover in ("alert", "onerror", "onclick", "javascript", "<", "example.invalid",
                     "steal", "请启用脚本", "document.title"):
        assert leftover not in stored


ODD_NAMES = {
    "../../../../tmp/逃逸.txt": "逃逸.txt",
    "..\\..\\windows\\逃逸2.txt": "逃逸2.txt",
    "/etc/cron.d/绝对路径.txt": "绝对路径.txt",
    "..": "upload",  # nothing usable left, and no suffix: refused as unsupported
    "带 空格（2024）#1 ;&$`!.txt": "带 空格（2024）#1 ;&$`!.txt",
    "控制\x00字符\n\r\t.md": "控制字符.md",
    "反向\u202etxt.exe.txt": "反向txt.exe.txt",
    "消防🚒安全.md": "消防🚒安全.md",
    "CON:<>|?*.txt": "CON______.txt",
}


def test_odd_upload_names_stay_inside_the_upload_folder(kb_copy, tmp_path):
    files = [(name, f"某区第{i}号安全规定\n第一条　规定{i}的内容。".encode())
             for i, name in enumerate(ODD_NAMES)]
    outcomes = ingest_uploads(KnowledgeBase(kb_copy), files)
    assert [(o.name, o.status) for o in outcomes] == [
        (expected, "failed" if expected == "upload" else "added")
        for expected in ODD_NAMES.values()]
    assert "unsupported file type" in outcomes[3].message
    assert not Path("/tmp/逃逸.txt").exists() and not (tmp_path.parent / "逃逸.txt").exists()
    sources = {d.source for d in KnowledgeBase(kb_copy).documents()}
    assert set(ODD_NAMES.values()) - {"upload"} <= sources


def test_very_long_name_is_shortened_keeping_its_suffix(kb_copy):
    [outcome] = ingest_uploads(KnowledgeBase(kb_copy), [("规" * 400 + ".txt", LAW.encode())])
    assert outcome.status == "added" and outcome.name.endswith(".txt")
    assert len(outcome.name.encode()) <= 200


def test_same_file_uploaded_twice_is_stored_once(kb_copy):
    data = ("某区有限空间作业安全规定\n" + LAW).encode()
    kb = KnowledgeBase(kb_copy)
    n_docs = len(kb.documents())
    first = ingest_uploads(kb, [("有限空间.txt", data), ("有限空间.txt", data)])
    assert [(o.name, o.status) for o in first] == [
        ("有限空间.txt", "added"), ("有限空间-2.txt", "duplicate")]
    assert "有限空间.txt" in first[1].message  # says which document it repeats
    state = kb_state(kb_copy)
    again = ingest_uploads(kb, [("有限空间.txt", data), ("副本.txt", data)])
    assert [o.status for o in again] == ["unchanged", "duplicate"]
    assert len(kb.documents()) == n_docs + 1
    assert kb_state(kb_copy) == state


# ----- question-bank imports --------------------------------------------------------------

HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析"]


def bank_state(db) -> list[tuple]:
    return list(db.conn.execute("SELECT * FROM questions ORDER BY id"))


def write_rows(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        for row in [header, *rows]:
            sheet.append(row)
        book.save(path)
    else:
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([header, *rows])
    return path


def good_rows(n: int) -> list[list[object]]:
    return [["单选", f"第{i}题：发生事故后应当立即报告谁？", "本单位负责人", "邻居", "", "",
             "A", "依据第八十三条"] for i in range(n)]


BAD_IMPORTS = {
    "缺少列": (["题型", "题干", "选项A"], [["单选", "题", "甲"]], [(1, "答案")]),
    "未知题型": (HEADER, [*good_rows(2), ["问答", "简述职责", "", "", "", "", "略", ""]],
                 [(4, "题型")]),
    "答案指向空选项": (HEADER, [["单选", "题", "甲", "乙", "", "", "C", ""]], [(2, "答案")]),
    "多选答案指向空选项": (HEADER, [["多选", "题", "甲", "乙", "丙", "", "AD", ""]],
                           [(2, "答案")]),
}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("case", list(BAD_IMPORTS))
def test_bad_import_names_file_and_row_and_the_bank_is_unchanged(tmp_path, case, suffix):
    header, rows, expected = BAD_IMPORTS[case]
    path = write_rows(tmp_path / f"{case}{suffix}", header, rows)
    with quizzes.connect(tmp_path / "q.db") as db:
        quizzes.import_file(db, write_rows(tmp_path / "已有.csv", HEADER, good_rows(3)))
        before = bank_state(db)
        result = quizzes.import_file(db, path)
        assert not result.ok and result.question_ids == ()
        problems = [(p.row, p.column) for p in result.problems]
        assert all(item in problems for item in expected), problems
        assert all(str(p).startswith(path.name) for p in result.problems)
        assert bank_state(db) == before


def test_ten_thousand_rows_with_one_bad_row_import_nothing_then_all(tmp_path):
    rows = good_rows(10_000)
    rows[9_876] = ["单选", "坏题", "甲", "乙", "", "", "C", ""]
    path = write_rows(tmp_path / "一万行.csv", HEADER, rows)
    with quizzes.connect(tmp_path / "q.db") as db:
        result = quizzes.import_file(db, path)
        assert [(p.row, p.column) for p in result.problems] == [(9_878, "答案")]
        assert str(result.problems[0]).startswith("一万行.csv")
        assert bank_state(db) == []
        write_rows(path, HEADER, good_rows(10_000))
        result = quizzes.import_file(db, path)
        assert result.ok and len(bank_state(db)) == 10_000


def test_make_pdf_is_a_good_control(kb_copy, tmp_path):
    """The PDF maker used above really produces an ingestible PDF (so the bad ones are bad)."""
    path = tmp_path / "条例.pdf"
    path.write_bytes(make_pdf([["某市危险化学品安全管理条例", LAW]]))
    assert KnowledgeBase(kb_copy).ingest([path]).results[0].status == "added"
