"""职责查询 page: who is responsible for what, by unit or by task, with CSV download."""

from __future__ import annotations

import streamlit as st

from app_pages.common import escape_markdown, get_kb, has_duty_table
from app_pages.tables import duty_rows, flatten_grouped, rows_csv
from kb.records import Duty
from kb.store import KnowledgeBase

BY_UNIT, BY_TASK = "按单位", "按任务"


def find_by_unit(kb: KnowledgeBase) -> tuple[list[Duty], str]:
    """Duties of the unit picked or typed (all duties when none), with a caption."""
    unit = st.selectbox("单位", kb.all_units(), index=None, accept_new_options=True,
                        placeholder="选择或输入单位名称")
    if not unit:
        return kb.all_duties(), "全部职责"
    return flatten_grouped(kb.tasks_of_unit(unit)), f"“{escape_markdown(unit)}”承担的职责"


def find_by_task(kb: KnowledgeBase) -> tuple[list[Duty], str]:
    """Duties matching the task typed (all duties when empty), with a caption."""
    task = st.text_input("任务", placeholder="例如：铁路平交道口立交化改造").strip()
    if not task:
        return kb.all_duties(), "全部职责"
    return kb.who_is_responsible(task), f"与“{escape_markdown(task)}”相关的职责"


def show_duties(duties: list[Duty], caption: str) -> None:
    """The duty table and its CSV download."""
    if not duties:
        st.info("没有找到相关职责。")
        return
    rows = duty_rows(duties)
    st.caption(f"{caption}：共 {len(rows)} 条")
    st.dataframe(rows, hide_index=True, width="stretch")
    st.download_button("下载 CSV", rows_csv(rows), file_name="职责表.csv", mime="text/csv",
                       icon=":material/download:")


st.title("职责查询")
kb = get_kb()
if not has_duty_table(kb):
    st.info("职责表尚未建立：当前版本的知识库还不能按单位或任务查询职责。",
            icon=":material/construction:")
    st.stop()
mode = st.radio("查询方式", [BY_UNIT, BY_TASK], horizontal=True)
found, what = find_by_unit(kb) if mode == BY_UNIT else find_by_task(kb)
show_duties(found, what)
