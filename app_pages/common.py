"""Shared UI plumbing: the one KnowledgeBase per process and safe Markdown for document text."""

from __future__ import annotations

import re

import streamlit as st

from kb import KbConfigError
from kb.config import default_kb_dir
from kb.embed import configured_embedder
from kb.store import KnowledgeBase

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and escaping all
# of them also covers Streamlit's extensions ($ math, :emoji: and :color[...] directives).
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
HIGHLIGHT = "orange-background"
DUTY_METHODS = ("all_units", "who_is_responsible", "tasks_of_unit", "all_duties")


@st.cache_resource(show_spinner="正在加载知识库…")
def _load_kb(folder: str, embedder: str) -> KnowledgeBase:
    return KnowledgeBase(folder, embedder)


REINDEX_HINT = ("知识库是用另一个嵌入模型（或同名模型的旧版本）建立的，"
                "请管理员运行 `python -m kb reindex` 重建索引。")


def get_kb() -> KnowledgeBase:
    """The knowledge base for this process, shared by all sessions.

    Keyed by folder and embedder so that a changed ``$SAFETY_KB_DIR`` or
    ``$SAFETY_KB_EMBEDDER`` (tests) gets its own instance. A knowledge base built with
    another embedder stops the page with how to fix it.
    """
    try:
        return _load_kb(str(default_kb_dir()), configured_embedder())
    except KbConfigError:
        st.error(REINDEX_HINT, icon=":material/error:")
        st.stop()


def has_duty_table(kb: object) -> bool:
    """Whether the knowledge base offers the duty-lookup methods yet."""
    return all(hasattr(kb, name) for name in DUTY_METHODS)


def escape_markdown(text: str) -> str:
    """Escape text so that Streamlit Markdown shows it literally (never as markup or HTML).

    Args:
        text: untrusted text, e.g. from a document or a file name.

    Returns:
        The text with every ASCII punctuation character backslash-escaped.
    """
    return _MD_SPECIAL.sub(r"\\\1", text)


def _lines(escaped: str) -> list[str]:
    # Leading spaces would start a code block; full-width indentation is kept.
    return [line.lstrip(" \t") for line in escaped.split("\n")]


def markdown_text(text: str) -> str:
    """Document text as Markdown: escaped, one visible line per source line.

    Args:
        text: untrusted plain text.
    """
    return "  \n".join(_lines(escape_markdown(text)))


def highlighted_markdown(text: str, sentence: str) -> str:
    """Document text as Markdown with the answering sentence on a coloured background.

    Args:
        text: the whole passage (untrusted).
        sentence: an exact substring of text to highlight; ignored if empty or absent.
    """
    start = text.find(sentence) if sentence else -1
    if start < 0:
        return markdown_text(text)
    end = start + len(sentence)
    before, middle, after = text[:start], text[start:end], text[end:]
    marked = "\n".join(
        f":{HIGHLIGHT}[{line}]" if line.strip() else line
        for line in escape_markdown(middle).split("\n")
    )
    # Join first, then split lines, so the highlight may start or end mid-line.
    return "  \n".join(_lines(escape_markdown(before) + marked + escape_markdown(after)))
