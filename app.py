"""Streamlit entry point: page setup and navigation of the safety-regulation knowledge base."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="安全生产法规知识库", layout="wide")

# One line per page; pages live in app_pages/ and are thin views over kb (and quizzes).
# Empty sections are hidden, so training pages can be added to "培训" one line at a time.
PAGES: dict[str, list[st.Page]] = {
    "知识库": [
        st.Page("app_pages/qa.py", title="问答", icon=":material/forum:", default=True),
        st.Page("app_pages/duties.py", title="职责查询", icon=":material/groups:"),
        st.Page("app_pages/library.py", title="文库", icon=":material/library_books:"),
    ],
    "培训": [
        st.Page("app_pages/train_self.py", title="自助测验", icon=":material/quiz:"),
        st.Page("app_pages/train_join.py", title="加入答题", icon=":material/phone_iphone:",
                url_path="join"),
        st.Page("app_pages/train_bank.py", title="题库", icon=":material/inventory_2:"),
        st.Page("app_pages/train_quizzes.py", title="测验管理", icon=":material/assignment:"),
        st.Page("app_pages/train_live.py", title="现场答题", icon=":material/podium:"),
        st.Page("app_pages/train_stats.py", title="统计", icon=":material/monitoring:"),
    ],
}

st.navigation({section: pages for section, pages in PAGES.items() if pages}).run()
