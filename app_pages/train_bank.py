"""题库 page (trainers): browse and filter questions, review drafts, add, import and export."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import streamlit as st
from sqlite_utils import Database

import quizzes
from app_pages.common import escape_markdown
from app_pages.training import (
    open_db,
    problem_lines,
    question_rows,
    require_trainer,
    short,
)
from app_pages.uploads import safe_filename
from quizzes import (
    DIFFICULTY_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    InvalidQuestion,
    Question,
    QuestionType,
    QuizError,
    Status,
)

ALL = "全部"
IMPORT_TYPES = ["xlsx", "csv", "txt", "gift", "aiken"]
EXPORT_FORMATS = {"xlsx": ("Excel (.xlsx)", "xlsx"), "csv": ("CSV", "csv"),
                  "gift": ("GIFT", "gift.txt")}  # fmt: skip
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv": "text/csv", "gift": "text/plain"}  # fmt: skip
NOTICE = "bank_notice"  # (kind, markdown) shown once after the rerun that follows a change
IMPORT_OUTCOME = "bank_import_outcome"
UPLOADER_RUN = "bank_uploader_run"
ADD_RUN = "bank_add_run"
MAX_DRAFTS = 20  # draft forms shown at once


def notice(kind: str, message: str) -> None:
    """Remember a message to show after the next rerun (already escaped Markdown)."""
    st.session_state[NOTICE] = (kind, message)


def show_notice() -> None:
    """The message left by the last change, once."""
    kind, message = st.session_state.pop(NOTICE, (None, ""))
    if kind == "success":
        st.success(message, icon=":material/check_circle:")
    elif kind == "error":
        st.error(message, icon=":material/error:")


# ----- list and filters ------------------------------------------------------------------


def filters(db: Database) -> dict[str, object]:
    """Status, category, type and text filters; returns list_questions keyword arguments."""
    cols = st.columns([1, 1, 1, 2])
    status = cols[0].selectbox("状态", [ALL, *Status], key="bank_f_status",
                               format_func=lambda s: s if s == ALL else STATUS_LABELS[s])
    category = cols[1].selectbox("分类", [ALL, *quizzes.categories(db)], key="bank_f_category")
    qtype = cols[2].selectbox("题型", [ALL, *QuestionType], key="bank_f_type",
                              format_func=lambda t: t if t == ALL else TYPE_LABELS[t])
    search = cols[3].text_input("搜索题干", key="bank_f_search", placeholder="输入题干中的文字")
    return {
        "status": None if status == ALL else status,
        "category": None if category == ALL else category,
        "qtype": None if qtype == ALL else qtype,
        "search": search.strip() or None,
    }


def show_list(db: Database) -> None:
    """The filtered question table, then an editor for one picked question."""
    found = quizzes.list_questions(db, **filters(db))
    drafts = len(quizzes.list_questions(db, status=Status.DRAFT))
    st.caption(f"共 {len(found)} 道题" + (f"；题库中有 {drafts} 道草稿待审核" if drafts else ""))
    if not found:
        st.info("没有符合条件的题目。")
        return
    st.dataframe(question_rows(found), hide_index=True, width="stretch")
    by_id = {q.id: q for q in found}
    picked = st.selectbox("选择题目进行编辑或审核", list(by_id), index=None, key="bank_pick",
                          format_func=lambda i: f"{i}. {short(by_id[i].stem)}",
                          placeholder="选择题目")
    if picked is not None:
        edit_question(by_id[picked])


def show_drafts(db: Database) -> None:
    """Drafts (e.g. generated from the knowledge base) one by one, to edit and approve."""
    drafts = quizzes.list_questions(db, status=Status.DRAFT)
    if not drafts:
        st.info("没有待审核的草稿。")
        return
    st.caption(f"{len(drafts)} 道草稿待审核。审核通过后题目才能用于测验。")
    if len(drafts) > MAX_DRAFTS:
        st.caption(f"下面列出前 {MAX_DRAFTS} 道；审核后会显示后面的草稿。")
    for question in drafts[:MAX_DRAFTS]:
        source = " › ".join(p for p in (question.source_doc, question.source_section) if p)
        label = f"{question.id}. {short(question.stem, 60)}"
        with st.expander(escape_markdown(label)):
            if source:
                st.caption(f"来源：{escape_markdown(source)}")
            edit_question(question, key_prefix="draft")


# ----- the question form ----------------------------------------------------------------


def question_fields(prefix: str, question: Question | None) -> Question:
    """Form fields for a question; returns what they hold (not validated yet)."""
    q = question or Question(QuestionType.SINGLE, "", ())
    types = list(QuestionType)
    qtype = st.selectbox("题型", types, index=types.index(q.qtype), key=f"{prefix}_type",
                         format_func=lambda t: TYPE_LABELS[t])
    stem = st.text_area("题干", q.stem, key=f"{prefix}_stem")
    options = st.text_area(
        "选项（每行一个，依次为 A、B、C…；判断题和填空题留空）",
        "\n".join(q.options),
        key=f"{prefix}_options",
    )
    key = st.text_input("答案（如 B、ACD、正确；填空题多个可接受答案用 | 分隔）", q.key_text,
                        key=f"{prefix}_key")
    explanation = st.text_area("解析", q.explanation, key=f"{prefix}_explanation")
    cols = st.columns(4)
    category = cols[0].text_input("分类", q.category, key=f"{prefix}_category")
    tags = cols[1].text_input("标签（逗号分隔）", "，".join(q.tags), key=f"{prefix}_tags")
    levels = [None, *DIFFICULTY_LABELS]
    difficulty = cols[2].selectbox(
        "难度", levels, index=levels.index(q.difficulty), key=f"{prefix}_difficulty",
        format_func=lambda d: "未设定" if d is None else f"{d} {DIFFICULTY_LABELS[d]}",
    )
    score = cols[3].number_input("分值", 0.5, 100.0, float(q.score), 0.5, key=f"{prefix}_score")
    keys = tuple(key.split("|")) if qtype == QuestionType.FILL else (key,)
    return Question(
        qtype=qtype,
        stem=stem,
        key=keys,
        options=tuple(options.splitlines()),
        explanation=explanation,
        score=score,
        category=category,
        tags=(tags,),
        difficulty=difficulty,
        status=q.status,
        source_doc=q.source_doc,
        source_section=q.source_section,
    )


def _same_content(a: Question, b: Question) -> bool:
    return dataclasses.replace(a, id=None, status=Status.DRAFT) == dataclasses.replace(
        b, id=None, status=Status.DRAFT
    )


def save(old: Question, new: Question, status: Status | None) -> None:
    """Store an edited question (if changed) and set its status; reports via notice().

    Retiring keeps the stored content: edits made in the form before 停用 are dropped.
    """
    assert old.id is not None
    problems = [] if status == Status.RETIRED else new.problems()
    if problems:
        notice("error", "题目有以下问题，未保存：\n" + problem_lines(problems))
        return
    try:
        with open_db() as db:
            if status != Status.RETIRED and not _same_content(old, new):
                quizzes.update_question(db, old.id, new)
            if status is not None:
                quizzes.set_question_status(db, old.id, status)
    except InvalidQuestion as exc:
        notice("error", "题目有以下问题，未保存：\n" + problem_lines(exc.problems))
        return
    except QuizError as exc:
        notice("error", escape_markdown(str(exc)))
        return
    done = {None: "已保存", Status.APPROVED: "已审核通过", Status.RETIRED: "已停用",
            Status.DRAFT: "已退回草稿"}[status]  # fmt: skip
    notice("success", f"题目 {old.id}：{done}")


def edit_question(question: Question, key_prefix: str = "edit") -> None:
    """Edit a stored question, then save, approve or retire it."""
    prefix = f"{key_prefix}_{question.id}"
    st.markdown(f"**题目 {question.id}**（{STATUS_LABELS[question.status]}）")
    with st.form(f"{prefix}_form"):
        new = question_fields(prefix, question)
        cols = st.columns(3)
        save_clicked = cols[0].form_submit_button("保存修改", icon=":material/save:")
        approve = cols[1].form_submit_button("保存并审核通过", type="primary",
                                             icon=":material/task_alt:")
        retire = cols[2].form_submit_button("停用", icon=":material/block:",
                                            disabled=question.status == Status.RETIRED)
    if save_clicked or approve or retire:
        status = Status.APPROVED if approve else Status.RETIRED if retire else None
        save(question, new, status)
        st.rerun()


def add_form() -> None:
    """A blank question form; the new question is stored as draft or approved."""
    run = st.session_state.setdefault(ADD_RUN, 0)
    prefix = f"bank_new_{run}"
    with st.form(f"{prefix}_form"):
        new = question_fields(prefix, None)
        status = st.radio("状态", [Status.APPROVED, Status.DRAFT], horizontal=True,
                          format_func=lambda s: STATUS_LABELS[s], key=f"{prefix}_status")
        submitted = st.form_submit_button("添加到题库", type="primary", icon=":material/add:")
    if not submitted:
        return
    new = dataclasses.replace(new, status=status)
    problems = new.problems()
    if problems:
        st.error("题目有以下问题，未添加：\n" + problem_lines(problems), icon=":material/error:")
        return
    with open_db() as db:
        stored = quizzes.add_question(db, new)
    notice("success", f"已添加题目 {stored.id}（{STATUS_LABELS[stored.status]}）")
    st.session_state[ADD_RUN] = run + 1  # a fresh, empty form
    st.rerun()


# ----- import and export ----------------------------------------------------------------


def import_upload(name: str, data: bytes, status: Status) -> quizzes.ImportResult:
    """Import an uploaded file under its sanitised name (all of it, or nothing on error)."""
    with tempfile.TemporaryDirectory(prefix="safety-quiz-import-") as tmp:
        path = Path(tmp) / safe_filename(name, fallback="questions")
        path.write_bytes(data)
        with open_db() as db:
            return quizzes.import_file(db, path, status=status)


def show_import_outcome() -> None:
    """The result of the last import: counts, or every problem by row and column."""
    result: quizzes.ImportResult | None = st.session_state.pop(IMPORT_OUTCOME, None)
    if result is None:
        return
    name = escape_markdown(Path(result.source).name)
    if result.ok:
        skipped = f"，跳过重复 {result.duplicates} 道" if result.duplicates else ""
        st.success(f"{name}：已导入 {len(result.question_ids)} 道题{skipped}。",
                   icon=":material/check_circle:")
        return
    st.error(f"{name}：发现 {len(result.problems)} 个问题，未导入任何题目。请修改文件后重新导入。",
             icon=":material/error:")
    rows = [{"行": p.row or "", "列": p.column, "问题": p.message} for p in result.problems]
    st.dataframe(rows, hide_index=True, width="stretch")


def show_import() -> None:
    """File picker (xlsx, csv, Aiken txt, GIFT) and import button."""
    show_import_outcome()
    st.caption("支持 Excel (.xlsx)、CSV、Aiken 格式 (.txt) 和 GIFT 格式 (.gift/.txt)。"
               "文件中任何一处错误都会列出，且整个文件不会导入。")
    run = st.session_state.setdefault(UPLOADER_RUN, 0)
    upload = st.file_uploader("选择题目文件", type=IMPORT_TYPES, key=f"bank_uploader_{run}")
    status = st.radio("文件未注明状态的题目设为", [Status.APPROVED, Status.DRAFT], horizontal=True,
                      format_func=lambda s: STATUS_LABELS[s], key="bank_import_status")
    if st.button("导入", type="primary", disabled=upload is None, icon=":material/upload:"):
        assert upload is not None
        st.session_state[IMPORT_OUTCOME] = import_upload(upload.name, upload.getvalue(), status)
        st.session_state[UPLOADER_RUN] = run + 1
        st.rerun()


def export_bank(fmt: str, status: Status | None) -> bytes:
    """The bank (optionally one status) as a file's bytes; opens its own connection."""
    with tempfile.TemporaryDirectory(prefix="safety-quiz-export-") as tmp:
        path = Path(tmp) / f"questions.{fmt}"
        with open_db() as db:
            quizzes.export_questions(db, path, fmt, status=status)
        return path.read_bytes()


def show_export() -> None:
    """Download buttons for xlsx, csv and GIFT; files are made when clicked."""
    status = st.selectbox("导出范围", [ALL, *Status], key="bank_export_status",
                          format_func=lambda s: "全部题目" if s == ALL else STATUS_LABELS[s])
    wanted = None if status == ALL else Status(status)
    cols = st.columns(len(EXPORT_FORMATS))
    for col, (fmt, (label, suffix)) in zip(cols, EXPORT_FORMATS.items(), strict=True):
        col.download_button(
            f"下载 {label}",
            lambda fmt=fmt: export_bank(fmt, wanted),
            file_name=f"题库.{suffix}",
            mime=MIME[fmt],
            key=f"bank_export_{fmt}",
            icon=":material/download:",
            on_click="ignore",
        )


# ----- page -------------------------------------------------------------------------------

st.title("题库")
require_trainer()
show_notice()
list_tab, drafts_tab, add_tab, import_tab, export_tab = st.tabs(
    ["题目列表", "审核草稿", "新增题目", "导入", "导出"]
)
with open_db() as db:
    with list_tab:
        show_list(db)
    with drafts_tab:
        show_drafts(db)
with add_tab:
    add_form()
with import_tab:
    show_import()
with export_tab:
    show_export()
