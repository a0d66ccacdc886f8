"""Optional generative answers from an OpenAI-compatible endpoint, cited sentence by sentence."""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from kb.answer import REFUSAL_TEXT, to_citation
from kb.quoting import best_sentences
from kb.records import Answer, Citation, SearchHit

ENV_BASE_URL = "SAFETY_LLM_BASE_URL"
ENV_MODEL = "SAFETY_LLM_MODEL"
ENV_API_KEY = "SAFETY_LLM_API_KEY"

SYSTEM_PROMPT = (
    "你是安全生产法规知识库的问答助手。只能依据用户给出的编号段落 [1]..[n] 回答问题，"
    "不得使用段落以外的任何知识，不得编造条文、数字或单位。\n"
    "要求：\n"
    "1. 用简洁的中文作答，每一句话都必须以一个或多个引用标记结尾，例如 [1] 或 [2][3]，"
    "标记中的数字是所依据段落的编号。\n"
    "2. 没有引用标记的句子不允许出现，包括开场白、标题和总结。\n"
    f"3. 如果这些段落不能回答该问题，只回答：{REFUSAL_TEXT}"
)

# A sentence ends at 。！？ (or !?) or a line end; markers written after the end mark
# ("……规定。[1]") still belong to that sentence, so they are swallowed with it.
_SENTENCE = re.compile(r"[^。！？!?\n]*[。！？!?]*(?:[ \t\u3000]*\[[^\[\]\n]*\])*")
# [1], [2][3], and the common variants [1,2] / [1、2] that models write despite the prompt.
_MARKER = re.compile(r"\[(\s*\d+(?:\s*[,，、]\s*\d+)*\s*)\]")
_DIGITS = re.compile(r"\d+")
# A segment with no letters, digits or CJK (a "---" rule, a lone "：") is layout, not a claim.
_CONTENT = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")


@dataclass(frozen=True)
class LlmConfig:
    """Where and how to reach an OpenAI-compatible chat-completions endpoint.

    Attributes:
        base_url: URL up to and including the API version, e.g. "https://host/v1".
        model: model name sent with each request.
        api_key: bearer token; "" for endpoints that need none (e.g. a local server).
        timeout_s: socket timeout in seconds (connect, and each read) before falling back.
    """

    base_url: str
    model: str
    api_key: str = ""
    timeout_s: float = 20.0


def load_llm_config(secrets: Mapping | None = None) -> LlmConfig | None:
    """The endpoint configuration, or None when none is configured.

    Environment variables (SAFETY_LLM_BASE_URL, SAFETY_LLM_MODEL, SAFETY_LLM_API_KEY) win;
    otherwise the lower-case keys llm_base_url, llm_model, llm_api_key of secrets are used.

    Args:
        secrets: an optional mapping such as st.secrets; reading it must not fail the app.
    """

    def get(env_name: str, key: str) -> str:
        value = os.environ.get(env_name, "").strip()
        if value or secrets is None:
            return value
        try:
            # st.secrets raises (not returns None) when no secrets file exists at all.
            return str(secrets.get(key, "") or "").strip()
        except Exception:
            return ""

    base_url = get(ENV_BASE_URL, "llm_base_url")
    model = get(ENV_MODEL, "llm_model")
    if not base_url or not model:
        return None
    return LlmConfig(base_url=base_url.rstrip("/"), model=model,
                     api_key=get(ENV_API_KEY, "llm_api_key"))


def build_messages(question: str, hits: list[SearchHit]) -> list[dict[str, str]]:
    """Chat messages asking for an answer from the numbered passages only.

    Args:
        question: the question as typed.
        hits: the retrieved passages; passage k in the prompt is hits[k - 1].
    """
    blocks = []
    for k, hit in enumerate(hits, start=1):
        heading = " › ".join(p for p in (hit.title, *hit.section_path) if p)
        blocks.append(f"[{k}] {heading}\n{hit.text.strip()}")
    user = "段落：\n\n" + "\n\n".join(blocks) + f"\n\n问题：{question.strip()}"
    return [{"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": user}]


def _marker_numbers(text: str) -> list[int]:
    """Passage numbers named by the citation markers in text, in order."""
    return [int(d) for m in _MARKER.finditer(text) for d in _DIGITS.findall(m[1])]


def parse_generated(text: str, hits: list[SearchHit]) -> tuple[str, list[Citation]] | None:
    """Check that every sentence of a generated answer cites a passage, and collect them.

    Markers are renumbered in order of first reference, so that [1] in the returned text is
    the first returned citation (the app lists citations in that order, not in hit order).

    Args:
        text: the model's answer.
        hits: the passages that were numbered [1]..[n] in the prompt.

    Returns:
        (answer text, citations of the referenced passages in order of first reference), or
        None when any sentence lacks a marker or a marker names no passage.
    """
    sentences = [m.group(0).strip() for m in _SENTENCE.finditer(text)]
    sentences = [s for s in sentences if _CONTENT.search(_MARKER.sub("", s))]
    if not sentences:
        return None
    order: list[int] = []  # hit indexes, in order of first reference
    cited_by: dict[int, list[str]] = {}  # hit index -> the generated sentences citing it
    for sentence in sentences:
        numbers = _marker_numbers(sentence)
        if not numbers or any(not 1 <= k <= len(hits) for k in numbers):
            return None
        claim = _MARKER.sub("", sentence).strip()
        for k in numbers:
            if k - 1 not in cited_by:
                order.append(k - 1)
                cited_by[k - 1] = []
            cited_by[k - 1].append(claim)
    new_number = {i + 1: n for n, i in enumerate(order, start=1)}
    # A marker outside every kept sentence (e.g. alone on its own line) must be valid too.
    if any(k not in new_number for k in _marker_numbers(text)):
        return None

    def renumber(m: re.Match[str]) -> str:
        return "".join(f"[{new_number[int(d)]}]" for d in _DIGITS.findall(m[1]))

    answer = _MARKER.sub(renumber, text.strip())
    # Highlight, in each cited passage, its sentence(s) closest to what was claimed from it:
    # Citation.sentence must be an exact substring of the passage, which generated text is not.
    citations = [to_citation(hits[i], best_sentences("".join(cited_by[i]), hits[i].text))
                 for i in order]
    return answer, citations


def _complete(messages: list[dict[str, str]], config: LlmConfig) -> str:
    """The assistant message text from one chat-completions call (raises on any failure)."""
    body = json.dumps({"model": config.model, "messages": messages, "temperature": 0},
                      ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8",
               "Accept": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    request = urllib.request.Request(f"{config.base_url}/chat/completions", data=body,
                                     headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=config.timeout_s) as response:
        data = json.loads(response.read().decode("utf-8"))
    content = data["choices"][0]["message"]["content"]
    if not isinstance(content, str):
        raise ValueError("no text in the completion")
    return content


def generate_answer(question: str, hits: list[SearchHit], config: LlmConfig,
                    confidence: float) -> Answer | None:
    """A generated answer citing the passages, or None so the caller answers extractively.

    Never raises: HTTP errors, timeouts, malformed responses, a refusal and any sentence
    without a valid citation marker all give None.

    Args:
        question: the question as typed.
        hits: the retrieved passages the answer may use (already judged confident enough).
        config: the endpoint.
        confidence: carried into the Answer unchanged (generation does not change the basis).
    """
    if not hits:
        return None
    try:
        text = _complete(build_messages(question, hits), config)
        # The extractive path owns refusals: it has calibrated evidence, the model has not.
        if REFUSAL_TEXT.rstrip("。") in text:
            return None
        parsed = parse_generated(text, hits)
    except Exception:  # an optional feature must never take the answer down with it
        return None
    if parsed is None:
        return None
    answer_text, citations = parsed
    return Answer(question, answer_text, citations, refused=False, confidence=confidence)
