"""Untrusted uploads: sanitise names, save into a fresh temp folder, ingest, summarise."""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kb.records import FileResult
from kb.store import KnowledgeBase, Progress

UPLOAD_TYPES = ["txt", "md", "html", "htm", "pdf", "docx"]
MAX_NAME_BYTES = 200  # below the usual 255-byte file-name limit, leaving room for "-2"
_FORBIDDEN = re.compile(r'[<>:"|?*]')
STATUS_LABELS = {"added": "已入库", "updated": "已更新", "unchanged": "未变化，跳过",
                 "duplicate": "内容重复，跳过", "failed": "入库失败",
                 "skipped": "格式不支持，跳过"}


@dataclass(frozen=True)
class UploadOutcome:
    """What happened to one uploaded file, for display (no temp paths in it)."""

    name: str
    status: str
    message: str = ""
    n_chunks: int = 0

    @property
    def label(self) -> str:
        """The status in Chinese."""
        return STATUS_LABELS.get(self.status, self.status)


def safe_filename(name: str, fallback: str = "upload") -> str:
    """A file name safe to create in a folder: basename only, no separators or control chars.

    Args:
        name: the client-supplied file name (untrusted).
        fallback: stem used when nothing usable is left.
    """
    base = re.split(r"[/\\]", name)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _FORBIDDEN.sub("_", base).strip().lstrip(".")  # no hidden files, no "..", "."
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    if not stem:
        stem = fallback
    while len((stem + dot + ext).encode()) > MAX_NAME_BYTES and stem:
        stem = stem[:-1]
    return stem + dot + ext


def unique_names(names: Iterable[str]) -> list[str]:
    """Sanitised names made unique within one batch by numbering repeats (a.txt, a-2.txt)."""
    seen: set[str] = set()
    out = []
    for name in map(safe_filename, names):
        stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{stem}-{n}{dot}{ext}"
        seen.add(candidate)
        out.append(candidate)
    return out


def _outcome(result: FileResult, folder: Path) -> UploadOutcome:
    # Errors name the temp path; show only the file name to the user.
    message = result.error.replace(f"{folder}/", "").replace(str(folder), "")
    return UploadOutcome(result.source, result.status, message, result.n_chunks)


def ingest_uploads(kb: KnowledgeBase, files: Iterable[tuple[str, bytes]],
                   progress: Progress | None = None) -> list[UploadOutcome]:
    """Save uploads under sanitised names in a fresh temp folder and ingest them.

    Args:
        kb: the knowledge base to add to.
        files: (client file name, content) pairs.
        progress: called as progress(done, total, current name) while ingesting.

    Returns:
        One outcome per file, named by its sanitised name (which is also its source).
    """
    files = list(files)
    with tempfile.TemporaryDirectory(prefix="safety-kb-upload-") as tmp:
        folder = Path(tmp)
        paths = []
        for name, (_, data) in zip(unique_names(n for n, _ in files), files, strict=True):
            path = folder / name
            path.write_bytes(data)
            paths.append(path)
        report = kb.ingest(paths, progress=progress)
        return [_outcome(r, folder) for r in report.results]
