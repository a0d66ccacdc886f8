"""文库 page: the stored documents and their structure; trainers also upload and delete."""

from __future__ import annotations

import streamlit as st

from app_pages.common import escape_markdown, get_kb, markdown_text
from app_pages.tables import (
    chunks_under,
    document_rows,
    outline_markdown,
    section_tree,
)
from app_pages.training import current_trainer, login_form
from app_pages.uploads import UPLOAD_TYPES, UploadOutcome, ingest_uploads
from kb.records import DocumentInfo
from kb.store import KnowledgeBase

OUTCOMES = "lib_outcomes"  # results of the last upload, shown once after the rerun
UPLOADER_RUN = "lib_uploader_run"  # bumped to give the uploader a fresh, empty widget
CONFIRM = "lib_confirm_delete"  # id of the document awaiting delete confirmation
DELETED = "lib_deleted"
DELETE_PICK = "lib_delete_doc"
STRUCTURE_PICK = "lib_structure_doc"


def doc_label(doc: DocumentInfo) -> str:
    """How a document is named in pickers: title (source file)."""
    return f"{doc.title}（{doc.source}）"


def show_documents(docs: list[DocumentInfo]) -> None:
    """The document table with metadata and chunk counts."""
    if not docs:
        st.info("知识库中还没有文档，请在下方上传。")
        return
    total = sum(d.n_chunks for d in docs)
    st.caption(f"共 {len(docs)} 份文档，{total} 个分块")
    st.dataframe(document_rows(docs), hide_index=True, width="stretch")


def show_outcome(outcome: UploadOutcome) -> None:
    """One uploaded file's result; failures name the file and the reason."""
    name = escape_markdown(outcome.name)
    if outcome.status == "failed":
        st.error(f"{name}：{outcome.label}。{escape_markdown(outcome.message)}",
                 icon=":material/error:")
    elif outcome.status in ("added", "updated"):
        st.success(f"{name}：{outcome.label}（{outcome.n_chunks} 个分块）",
                   icon=":material/check_circle:")
    else:
        detail = f"。{escape_markdown(outcome.message)}" if outcome.message else ""
        st.info(f"{name}：{outcome.label}{detail}")


def upload(kb: KnowledgeBase, files: list) -> list[UploadOutcome]:
    """Ingest the uploaded files with a progress bar."""
    bar = st.progress(0.0, text="准备入库…")

    def progress(done: int, total: int, name: str) -> None:
        text = f"正在入库 {escape_markdown(name)}（{done + 1}/{total}）" if name else "入库完成"
        bar.progress(done / total if total else 1.0, text=text)

    return ingest_uploads(kb, [(f.name, f.getvalue()) for f in files], progress)


def show_upload(kb: KnowledgeBase) -> None:
    """File picker and ingest button; results survive the rerun that refreshes the table."""
    for outcome in st.session_state.pop(OUTCOMES, []):
        show_outcome(outcome)
    run = st.session_state.setdefault(UPLOADER_RUN, 0)
    files = st.file_uploader("选择文件（可多选）", type=UPLOAD_TYPES, accept_multiple_files=True,
                             key=f"lib_uploader_{run}")
    if st.button("上传并入库", type="primary", disabled=not files,
                 icon=":material/upload:"):
        st.session_state[OUTCOMES] = upload(kb, files)
        st.session_state[UPLOADER_RUN] = run + 1
        st.rerun()


def show_structure(kb: KnowledgeBase, docs: list[DocumentInfo]) -> None:
    """A document's section tree: one expander per top-level section."""
    by_id = {d.id: d for d in docs}
    doc_id = st.selectbox("选择文档", list(by_id), index=None, key=STRUCTURE_PICK,
                          format_func=lambda i: doc_label(by_id[i]), placeholder="选择文档")
    if doc_id is None:
        return
    chunks = kb.chunks(doc_id)
    tree = section_tree(chunks)
    show_text = st.toggle("显示条文内容", key="lib_show_text")
    st.caption(f"{len(tree)} 个一级章节，{len(chunks)} 个分块")
    for top in tree:
        with st.expander(f"{escape_markdown(top.heading)}（{top.n_chunks} 个分块）"):
            if show_text:
                for chunk in chunks_under(chunks, top.heading):
                    st.caption(escape_markdown(" › ".join(chunk.section_path[1:])))
                    st.markdown(markdown_text(chunk.text))
            else:
                st.markdown(outline_markdown(top) or "（无下级章节）")


def _confirm(doc_id: int) -> None:
    st.session_state[CONFIRM] = doc_id


def _cancel() -> None:
    st.session_state.pop(CONFIRM, None)


def _delete(kb: KnowledgeBase, doc_id: int) -> None:
    # A callback runs before the rerun, so the table below already lacks the document.
    if current_trainer() is None:  # logged out since the button was drawn
        return
    try:
        info = kb.delete(doc_id)
    except KeyError:
        st.session_state[DELETED] = "该文档已不存在（可能已被他人删除）。"
    else:
        st.session_state[DELETED] = f"已删除：{doc_label(info)}"
    st.session_state.pop(CONFIRM, None)
    st.session_state[DELETE_PICK] = None
    if st.session_state.get(STRUCTURE_PICK) == doc_id:
        st.session_state[STRUCTURE_PICK] = None


def show_delete(kb: KnowledgeBase, docs: list[DocumentInfo]) -> None:
    """Pick a document, then confirm before it and its chunks are deleted."""
    if message := st.session_state.pop(DELETED, None):
        st.success(escape_markdown(message))
    by_id = {d.id: d for d in docs}
    doc_id = st.selectbox("要删除的文档", list(by_id), index=None, key=DELETE_PICK,
                          format_func=lambda i: doc_label(by_id[i]), placeholder="选择文档")
    if doc_id is None:
        return
    if st.session_state.get(CONFIRM) != doc_id:
        st.button("删除…", on_click=_confirm, args=(doc_id,), icon=":material/delete:")
        return
    doc = by_id[doc_id]
    st.warning(f"确定要删除 {escape_markdown(doc_label(doc))} 及其 {doc.n_chunks} 个分块吗？"
               "此操作不可撤销。")
    left, right = st.columns(2)
    left.button("确认删除", type="primary", on_click=_delete, args=(kb, doc_id))
    right.button("取消", on_click=_cancel)


st.title("文库")
kb = get_kb()
documents = kb.documents()
show_documents(documents)
if documents:
    st.subheader("文档结构")
    show_structure(kb, documents)
if current_trainer() is None:
    # Anyone may read the regulations; changing the knowledge base is for trainers.
    st.subheader("上传与删除")
    login_form("上传和删除文档需要培训师登录。")
else:
    st.subheader("上传文件")
    show_upload(kb)
    if documents:
        st.subheader("删除文档")
        show_delete(kb, documents)
