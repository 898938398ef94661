"""
The ``stemimmune`` command line: a thin front end over the library.

Usage examples::

    stemimmune info
    stemimmune get "multiple sclerosis"
    stemimmune get MS --json
    stemimmune info --data my-dataset.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .exceptions import DatasetError, UnknownKeyError
from .knowledge_base import KnowledgeBase, load
from .model import RECORD_TYPES
from .serialization import CONVERTER


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stemimmune",
        description="Evidence-graded reference data on stem-cell therapy for immune disorders. Not medical advice.",
    )
    parser.add_argument("--data", metavar="PATH", help="a dataset file or folder to use instead of the bundled data")
    sub = parser.add_subparsers(dest="command", required=True)
    info = sub.add_parser("info", help="show the dataset version and how many records of each kind it holds")
    info.add_argument("--json", action="store_true", help="print JSON")
    get = sub.add_parser("get", help="show one record by id, CURIE, name or synonym")
    get.add_argument("key", help="for example: MS, 'multiple sclerosis', MONDO:0005301, autologous-hsct")
    get.add_argument("--json", action="store_true", help="print the record as JSON")
    return parser


def _info(kb: KnowledgeBase, *, as_json: bool) -> str:
    counts = {kind: len(records) for kind, records in kb.collections().items()}
    if as_json:
        return json.dumps({"dataset_version": kb.version, "counts": counts}, indent=2)
    width = max(len(kind) for kind in RECORD_TYPES)
    lines = [f"stemimmune dataset {kb.version}", *(f"  {kind:<{width}}  {count:>5}" for kind, count in counts.items())]
    return "\n".join(lines)


def _get(kb: KnowledgeBase, key: str, *, as_json: bool) -> str:
    record = kb.get(key)
    data = CONVERTER.unstructure(record)
    if as_json:
        return json.dumps(data, indent=2, ensure_ascii=False)
    lines = [f"{type(record).__name__} {record.id}"]
    for field, value in data.items():
        if field != "id":
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            lines.append(f"  {field}: {shown}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the command line with *argv* (default: ``sys.argv[1:]``); return the exit status.

    Exit status 0 on success, 2 on bad arguments, an unknown key or invalid data; errors
    are one line on standard error, never a traceback.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        kb = load(args.data)
        if args.command == "info":
            print(_info(kb, as_json=args.json))
        else:
            print(_get(kb, args.key, as_json=args.json))
    except UnknownKeyError as exc:
        print(f"stemimmune: error: {exc}", file=sys.stderr)
        return 2
    except DatasetError as exc:
        print(f"stemimmune: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"stemimmune: error: {exc}", file=sys.stderr)
        return 2
    return 0
