"""How an answer is shown: answer text first, then cited passages; refusals never as answers."""

from __future__ import annotations

import streamlit as st

from app_pages.common import escape_markdown, highlighted_markdown, markdown_text
from kb.records import Answer, Citation

RELATED_LABEL = "可能相关的条文"
BASIS_LABEL = "依据"


def citation_label(citation: Citation) -> str:
    """Expander label: document title › section path (escaped; labels accept Markdown)."""
    parts = [citation.title, *citation.section_path]
    return escape_markdown(" › ".join(p for p in parts if p))


def show_citation(citation: Citation, highlight: bool) -> None:
    """One cited passage in an expander, the answering sentence highlighted."""
    with st.expander(citation_label(citation)):
        st.caption(f"来源文件：{escape_markdown(citation.source)}")
        if highlight:
            st.markdown(highlighted_markdown(citation.text, citation.sentence))
        else:
            st.markdown(markdown_text(citation.text))


def show_units(units: list[str]) -> None:
    """Responsible units as a list, lead unit first and marked."""
    st.markdown("**责任单位**")
    lines = [f"- {escape_markdown(units[0])}（牵头）"]
    lines += [f"- {escape_markdown(unit)}" for unit in units[1:]]
    st.markdown("\n".join(lines))


def show_answer(answer: Answer) -> None:
    """An answer (or a refusal with the closest passages, never presented as the answer)."""
    if answer.refused:
        st.warning(escape_markdown(answer.text), icon=":material/help:")
        if answer.citations:
            st.markdown(f"**{RELATED_LABEL}**（仅供参考，并非答案）")
            for citation in answer.citations:
                show_citation(citation, highlight=False)
        return
    st.markdown(markdown_text(answer.text))
    if answer.units:
        show_units(answer.units)
    st.markdown(f"**{BASIS_LABEL}**")
    for citation in answer.citations:
        show_citation(citation, highlight=True)


def show_exchange(answer: Answer) -> None:
    """The question and its answer as two chat messages."""
    with st.chat_message("user"):
        st.markdown(markdown_text(answer.question))
    with st.chat_message("assistant"):
        show_answer(answer)
