"""Churns a knowledge base for tests/test_crash.py until it is killed: ingest, replace, delete.

Usage: python tests/crash_worker.py KB_FOLDER DOCS_FOLDER VERSIONS_JSON SEED
VERSIONS_JSON maps a file name to the list of texts that file may hold.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from kb import KnowledgeBase


def main(kb_folder: str, docs_folder: str, versions_json: str, seed: str) -> None:
    versions: dict[str, list[str]] = json.loads(Path(versions_json).read_text(encoding="utf-8"))
    docs = Path(docs_folder)
    rng = random.Random(int(seed))
    kb = KnowledgeBase(kb_folder)
    print("ready", flush=True)
    while True:
        op = rng.choice(["ingest", "ingest", "ingest", "delete", "rebuild"])
        if op == "ingest":
            name = rng.choice(sorted(versions))
            path = docs / name
            path.write_text(rng.choice(versions[name]), encoding="utf-8")
            report = kb.ingest([path])
            op += f" {name} {report.results[0].status}"
        elif op == "delete":
            stored = kb.documents()
            if stored:
                op += " " + kb.delete(rng.choice(stored).id).source
        else:
            kb.rebuild_indexes()
        print(op, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
