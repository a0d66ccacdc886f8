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
    "培训": [],
}

st.navigation({section: pages for section, pages in PAGES.items() if pages}).run()
