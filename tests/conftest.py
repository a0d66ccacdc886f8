"""Shared fixtures: a small real knowledge base, built once per test session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kb.store import KnowledgeBase

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = REPO_ROOT / "data" / "corpus"
# A plan with a duty table (海淀) and a law with chapters and articles; embedding both takes
# about a minute on two cores, so keep this list short.
SAMPLE_KB_FILES = (
    CORPUS / "004_d3794485e0af9f99.txt",
    CORPUS / "中华人民共和国安全生产法.md",
)


@pytest.fixture(scope="session")
def sample_kb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of a knowledge base built from SAMPLE_KB_FILES; treat it as read-only."""
    folder = tmp_path_factory.mktemp("sample-kb") / "kb"
    report = KnowledgeBase(folder).ingest(SAMPLE_KB_FILES)
    assert report.ok, [(r.source, r.error) for r in report.failed]
    return folder


@pytest.fixture
def kb_copy(sample_kb_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the sample knowledge base, for a test that changes it."""
    return Path(shutil.copytree(sample_kb_dir, tmp_path / "kb"))


# ----- real-browser (e2e) helpers, shared by the training e2e tests ---------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
STREAMLIT_STARTUP_S = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STREAMLIT_STARTUP_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"streamlit exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"streamlit did not become healthy in {STREAMLIT_STARTUP_S}s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def start_streamlit(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[dict[str, str]], str]]:
    """Factory: run ``streamlit run app.py`` with extra environment variables, return its URL.

    Every server started is stopped when the test module ends.
    """
    servers: list[subprocess.Popen] = []

    def start(env: dict[str, str]) -> str:
        log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
        port = _free_port()
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless",
                   "true", "--server.port", str(port), "--server.address", "127.0.0.1",
                   "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]
        with log.open("wb") as out:
            server = subprocess.Popen(command, cwd=REPO_ROOT, env={**os.environ, **env},
                                      stdout=out, stderr=subprocess.STDOUT)
        servers.append(server)
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, server, log)
        return url

    yield start
    for server in servers:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (skipped when it is not installed)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _restore_main_module() -> Iterator[None]:
    """AppTest runs page scripts as ``__main__`` and leaves them there; restore the real one,
    or a later "spawn" subprocess (tests/test_quiz_concurrency.py) re-runs the last page."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main
