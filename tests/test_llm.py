"""Generative answers: citation checks, config loading, and a real local chat-completions server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kb.answer import REFUSAL_TEXT
from kb.llm import (
    LlmConfig,
    build_messages,
    generate_answer,
    load_llm_config,
    parse_generated,
)
from kb.records import SearchHit

HITS = [
    SearchHit(chunk_id=11, doc_id=1, title="中华人民共和国安全生产法",
              source="中华人民共和国安全生产法.md", section_path=("第一章 总则", "第三条"),
              text="安全生产工作坚持中国共产党的领导。安全生产工作应当以人为本，坚持人民至上、"
                   "生命至上，把保护人民生命安全摆在首位。", score=0.9),
    SearchHit(chunk_id=22, doc_id=1, title="中华人民共和国安全生产法",
              source="中华人民共和国安全生产法.md", section_path=("第二章", "第二十一条"),
              text="生产经营单位的主要负责人对本单位安全生产工作负有下列职责：建立健全并落实本单位"
                   "全员安全生产责任制。", score=0.8),
    SearchHit(chunk_id=33, doc_id=2, title="海淀区安全生产工作方案", source="004.txt",
              section_path=("三、主要任务",), text="区应急管理局负责统筹协调全区安全生产工作。",
              score=0.5),
]
CITED = ("主要负责人应当建立健全并落实全员安全生产责任制。[2]\n"
         "安全生产工作坚持人民至上、生命至上[1][2]。")


def test_parse_accepts_fully_cited_text() -> None:
    parsed = parse_generated(CITED, HITS)
    assert parsed is not None
    text, citations = parsed
    # Renumbered by first reference: passage 2 is cited first, so it becomes [1].
    assert text == ("主要负责人应当建立健全并落实全员安全生产责任制。[1]\n"
                    "安全生产工作坚持人民至上、生命至上[2][1]。")
    assert [c.chunk_id for c in citations] == [22, 11]


def test_parse_citations_map_to_the_right_hits() -> None:
    parsed = parse_generated("区应急管理局负责统筹协调。[3]", HITS)
    assert parsed is not None
    _, citations = parsed
    assert len(citations) == 1
    citation = citations[0]
    assert (citation.chunk_id, citation.title, citation.section_path, citation.text) == (
        33, HITS[2].title, HITS[2].section_path, HITS[2].text)
    # The highlighted sentence is an exact substring of the passage, as the app requires.
    assert citation.sentence and citation.sentence in citation.text


def test_parse_rejects_a_sentence_without_marker() -> None:
    assert parse_generated("主要负责人负责安全生产。[2]根据规定，还应当开展培训。", HITS) is None
    assert parse_generated("依据如下：\n主要负责人负责。[2]", HITS) is None


@pytest.mark.parametrize("text", ["主要负责人负责。[4]", "主要负责人负责。[0]",
                                  "主要负责人负责。[2][9]", "主要负责人负责。[2]\n[5]"])
def test_parse_rejects_out_of_range_marker(text: str) -> None:
    assert parse_generated(text, HITS) is None


def test_parse_accepts_marker_variants_and_rejects_empty() -> None:
    parsed = parse_generated("主要负责人负责[2, 1]！区应急管理局统筹协调[3]", HITS)
    assert parsed is not None
    assert parsed[0] == "主要负责人负责[1][2]！区应急管理局统筹协调[3]"
    assert parse_generated("", HITS) is None
    assert parse_generated("   \n", HITS) is None


def test_build_messages_numbers_the_passages() -> None:
    messages = build_messages("主要负责人有哪些职责？", HITS)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert REFUSAL_TEXT in messages[0]["content"]
    user = messages[1]["content"]
    assert "[2] 中华人民共和国安全生产法 › 第二章 › 第二十一条" in user
    assert HITS[2].text in user
    assert user.rstrip().endswith("主要负责人有哪些职责？")


@pytest.fixture
def no_llm_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SAFETY_LLM_BASE_URL", "SAFETY_LLM_MODEL", "SAFETY_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_llm_env")
def test_config_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_llm_config() is None
    monkeypatch.setenv("SAFETY_LLM_BASE_URL", "http://example.invalid/v1/")
    assert load_llm_config() is None  # a model is required too
    monkeypatch.setenv("SAFETY_LLM_MODEL", "qwen")
    assert load_llm_config() == LlmConfig("http://example.invalid/v1", "qwen", "")
    monkeypatch.setenv("SAFETY_LLM_API_KEY", "sk-env")
    config = load_llm_config({"llm_base_url": "http://other/v1", "llm_model": "other"})
    assert config == LlmConfig("http://example.invalid/v1", "qwen", "sk-env")


@pytest.mark.usefixtures("no_llm_env")
def test_config_from_mapping() -> None:
    assert load_llm_config({}) is None
    assert load_llm_config({"llm_model": "qwen"}) is None
    config = load_llm_config({"llm_base_url": "http://local/v1", "llm_model": "qwen",
                               "llm_api_key": "sk-secret"})
    assert config == LlmConfig("http://local/v1", "qwen", "sk-secret", 20)

    class Broken(dict):
        def get(self, key: object, default: object = None) -> object:
            raise FileNotFoundError("no secrets.toml")  # what st.secrets does without a file

    assert load_llm_config(Broken()) is None


@dataclass
class FakeEndpoint:
    """What the local server answers, and what it was sent."""

    status: int = 200
    content: str = CITED
    raw: bytes | None = None  # sent as the body instead of a well-formed completion
    delay_s: float = 0.0
    requests: list[dict] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


@pytest.fixture
def endpoint() -> Iterator[tuple[FakeEndpoint, str]]:
    """A real OpenAI-style chat-completions server on 127.0.0.1, and its base URL."""
    state = FakeEndpoint()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.paths.append(self.path)
            state.headers.append(dict(self.headers))
            state.requests.append(json.loads(body))
            time.sleep(state.delay_s)
            if state.raw is not None:
                payload = state.raw
            elif state.status != 200:
                payload = b'{"error": {"message": "boom"}}'
            else:
                payload = json.dumps({
                    "id": "chatcmpl-1", "object": "chat.completion", "model": "m",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": state.content}}],
                }).encode("utf-8")
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

    class QuietServer(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # the timeout test hangs up on purpose; the broken pipe is expected

    server = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Talk to 127.0.0.1 directly even where a proxy is configured."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_generate_answer_from_server(endpoint: tuple[FakeEndpoint, str]) -> None:
    state, base_url = endpoint
    config = LlmConfig(base_url, "test-model", "sk-test", timeout_s=5)
    answer = generate_answer("主要负责人有哪些职责？", HITS, config, confidence=0.8)
    assert answer is not None
    assert not answer.refused and answer.confidence == 0.8
    assert answer.question == "主要负责人有哪些职责？"
    assert "[1]" in answer.text and "责任制" in answer.text
    assert [c.chunk_id for c in answer.citations] == [22, 11]
    assert state.paths == ["/v1/chat/completions"]
    request = state.requests[0]
    assert request["model"] == "test-model" and request["temperature"] == 0
    assert state.headers[0]["Authorization"] == "Bearer sk-test"
    prompt = request["messages"][1]["content"]
    assert all(hit.text in prompt for hit in HITS)
    assert "主要负责人有哪些职责？" in prompt


def test_no_key_sends_no_authorization(endpoint: tuple[FakeEndpoint, str]) -> None:
    state, base_url = endpoint
    assert generate_answer("问题", HITS, LlmConfig(base_url, "m"), 0.5) is not None
    assert "Authorization" not in state.headers[0]


@pytest.mark.parametrize("content", ["主要负责人负责安全生产工作。", REFUSAL_TEXT,
                                     "主要负责人负责。[7]", ""])
def test_uncited_or_refused_answer_gives_none(endpoint: tuple[FakeEndpoint, str],
                                              content: str) -> None:
    state, base_url = endpoint
    state.content = content
    assert generate_answer("问题", HITS, LlmConfig(base_url, "m", "k", 5), 0.8) is None
    assert len(state.requests) == 1


def test_server_error_gives_none(endpoint: tuple[FakeEndpoint, str]) -> None:
    state, base_url = endpoint
    state.status = 500
    assert generate_answer("问题", HITS, LlmConfig(base_url, "m", "k", 5), 0.8) is None
    assert len(state.requests) == 1


@pytest.mark.parametrize("raw", [b"not json", b'{"choices": []}',
                                 b'{"choices": [{"message": {"content": null}}]}'])
def test_malformed_response_gives_none(endpoint: tuple[FakeEndpoint, str], raw: bytes) -> None:
    state, base_url = endpoint
    state.raw = raw
    assert generate_answer("问题", HITS, LlmConfig(base_url, "m", "k", 5), 0.8) is None


def test_slow_server_times_out_to_none(endpoint: tuple[FakeEndpoint, str]) -> None:
    state, base_url = endpoint
    state.delay_s = 2.0
    start = time.monotonic()
    assert generate_answer("问题", HITS, LlmConfig(base_url, "m", "k", 0.3), 0.8) is None
    assert time.monotonic() - start < 1.5


def test_nothing_listening_gives_none_quickly() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago and now is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    start = time.monotonic()
    config = LlmConfig(f"http://127.0.0.1:{port}/v1", "m", "k", timeout_s=5)
    assert generate_answer("问题", HITS, config, 0.8) is None
    assert time.monotonic() - start < 2


def test_bad_config_and_no_hits_give_none() -> None:
    assert generate_answer("问题", HITS, LlmConfig("not a url", "m"), 0.8) is None
    assert generate_answer("问题", [], LlmConfig("http://127.0.0.1:9/v1", "m"), 0.8) is None


def test_knowledge_base_uses_the_endpoint_and_falls_back_when_it_fails(
        endpoint: tuple[FakeEndpoint, str], sample_kb_dir) -> None:
    from kb.store import KnowledgeBase

    state, base_url = endpoint
    state.content = "从业人员有权停止作业或者在采取可能的应急措施后撤离作业场所。[1]"
    kb = KnowledgeBase(sample_kb_dir)
    question = "从业人员发现直接危及人身安全的紧急情况时有什么权利?"
    config = LlmConfig(base_url, "m", timeout_s=5)
    generated = kb.answer(question, llm=config)
    assert generated.text == state.content and not generated.refused
    assert generated.citations[0].section_path[-1] == "第五十五条"
    state.status = 500
    fallback = kb.answer(question, llm=config)
    assert fallback.text != state.content and "停止作业" in fallback.text
    assert len(state.requests) == 2
