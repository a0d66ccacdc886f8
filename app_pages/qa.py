"""问答 page: chat with the knowledge base; answers first, then their cited passages."""

from __future__ import annotations

import logging

import streamlit as st

from app_pages.answers import show_answer, show_exchange
from app_pages.common import REINDEX_HINT, get_kb, markdown_text
from kb import KbConfigError
from kb.llm import LlmConfig, load_llm_config
from kb.records import Answer

EXAMPLES = (
    "谁负责推进城区铁路平交道口立交化改造?",
    "企业落实主体责任要做到哪几个到位?",
    "发生事故后多长时间内上报?",
)
HISTORY = "qa_history"
logger = logging.getLogger(__name__)
PENDING = "qa_pending"


def _ask(question: str) -> None:
    st.session_state[PENDING] = question


def _clear() -> None:
    st.session_state[HISTORY] = []


@st.cache_resource
def llm_config() -> LlmConfig | None:
    """The optional OpenAI-compatible endpoint, from the environment or Streamlit secrets."""
    return load_llm_config(st.secrets)


def answer_or_error(question: str) -> Answer | None:
    """Ask the knowledge base; on an internal error say so instead of showing a traceback."""
    try:
        with st.spinner("正在检索知识库…"):
            return get_kb().answer(question, llm=llm_config())
    except KbConfigError:  # the index needs rebuilding: tell the operator how
        logger.exception("knowledge base configuration for %r", question)
        st.error(REINDEX_HINT, icon=":material/error:")
        return None
    except Exception as exc:  # any library failure must leave the chat usable
        logger.exception("answer failed for %r", question)
        # Only the kind of error: its message may hold server paths; the log has it all.
        st.error(f"回答问题时出错，请稍后再试或换个问法。（{type(exc).__name__}）",
                 icon=":material/error:")
        return None


def show_welcome() -> None:
    """What the page is for, with example questions as buttons."""
    st.markdown("根据知识库中的安全生产法规、规章和实施方案回答问题，并给出条文出处。"
                "可以试试下面的问题：")
    for i, question in enumerate(EXAMPLES):
        st.button(question, key=f"qa_example_{i}", on_click=_ask, args=(question,))


st.title("安全生产法规问答")
history: list[Answer] = st.session_state.setdefault(HISTORY, [])
typed = st.chat_input("请输入问题，例如：发生事故后多长时间内上报？")
question = typed or st.session_state.pop(PENDING, None)

if not history and not question:
    show_welcome()
for past in history:
    show_exchange(past)
if question and question.strip():
    with st.chat_message("user"):
        st.markdown(markdown_text(question))
    with st.chat_message("assistant"):
        answer = answer_or_error(question.strip())
        if answer is not None:
            show_answer(answer)
            history.append(answer)
if history:
    st.sidebar.button("清空对话", on_click=_clear, icon=":material/delete_sweep:")
