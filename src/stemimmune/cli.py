"""
The ``stemimmune`` command line: a thin front end over the library.

Examples::

    stemimmune therapies "multiple sclerosis"
    stemimmune evidence autologous-hsct-for-multiple-sclerosis
    stemimmune search "multipel sclerosis"
    stemimmune get MS --json
    stemimmune export findings --format csv --output findings.csv
    stemimmune plot --output evidence-map.png
    stemimmune schema > dataset.schema.json
    stemimmune info --data my-dataset.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from ._loading import load
from .exceptions import DatasetError, StemImmuneError
from .knowledge_base import KnowledgeBase
from .model import Disorder, GuidelineRecommendation, Indication
from .serialization import unstructure


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit with status 2."""

    def error(self, message: str) -> NoReturn:
        """Print one line naming the problem, then exit 2."""
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="stemimmune",
        description="Evidence-graded reference data on stem-cell therapy for immune disorders. Not medical advice.",
    )
    parser.add_argument("--data", metavar="PATH", help="a dataset file or folder to use instead of the bundled data")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        found = sub.add_parser(name, help=help_text, description=help_text)
        found.add_argument("--json", action="store_true", help="print JSON instead of a table")
        return found

    command("info", "show the dataset version and how many records of each kind it holds")
    get = command("get", "show one record by id, CURIE, name or synonym")
    get.add_argument("key", help="for example: MS, 'multiple sclerosis', MONDO:0005301, autologous-hsct")
    search = command("search", "find records by name, synonym, id or CURIE, tolerating typos")
    search.add_argument("text")
    search.add_argument(
        "--kind", action="append", dest="kinds", metavar="KIND", help="only this collection (repeatable)"
    )
    search.add_argument("--limit", type=int, default=10)
    therapies = command("therapies", "therapies studied for a disorder, strongest evidence first")
    therapies.add_argument("disorder")
    for flag in (
        "min-evidence",
        "donor-relation",
        "mechanism",
        "mechanism-kind",
        "cell-type",
        "cell-source",
        "ebmt-category",
        "regulatory",
    ):
        therapies.add_argument(f"--{flag}")
    therapies.add_argument("--stem-cell-only", action="store_true", help="leave out comparators such as CAR-T")
    evidence = command("evidence", "the evidence and references behind an indication")
    evidence.add_argument("indication", help="an indication id, e.g. autologous-hsct-for-multiple-sclerosis")
    export = sub.add_parser("export", help="write a table as CSV or JSON", description="write a table as CSV or JSON")
    export.add_argument(
        "table", help="a collection (disorders, findings, ...) or recommendations, regulatory, citations"
    )
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    sub.add_parser("schema", help="print the JSON Schema of the dataset format")
    plot = sub.add_parser("plot", help="save the evidence map (disorders by therapies) as a PNG")
    plot.add_argument("--output", metavar="FILE.png", required=True)
    return parser


def _table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    """Render rows as a plain-text table with a header."""
    cells = [[str(row.get(c, "") if row.get(c) is not None else "") for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def _info(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    counts = {kind: len(records) for kind, records in kb.collections().items()}
    if args.json:
        return json.dumps({"dataset_version": kb.version, "counts": counts}, indent=2)
    rows = [{"collection": k, "records": v} for k, v in counts.items()]
    return f"stemimmune dataset {kb.version}\n" + _table(rows, ["collection", "records"])


def _get(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    record = kb.get(args.key)
    data = unstructure(record)
    if args.json:
        return json.dumps(data, indent=2, ensure_ascii=False)
    lines = [f"{type(record).__name__} {record.id}"]
    for field, value in data.items():
        if field != "id":
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            lines.append(f"  {field}: {shown}")
    return "\n".join(lines)


def _search(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    hits = kb.search(args.text, kinds=args.kinds, limit=args.limit)
    rows = [{"score": f"{h.score:.2f}", "kind": h.kind, "id": h.record.id, "matched": h.matched} for h in hits]
    if args.json:
        return json.dumps(rows, indent=2, ensure_ascii=False)
    return _table(rows, ["score", "kind", "id", "matched"]) if rows else f"nothing resembles {args.text!r}"


def _therapies(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    names = (
        "min_evidence",
        "donor_relation",
        "mechanism",
        "mechanism_kind",
        "cell_type",
        "cell_source",
        "ebmt_category",
        "regulatory",
    )
    filters: dict[str, Any] = {n: getattr(args, n) for n in names if getattr(args, n) is not None}
    if args.stem_cell_only:
        filters["stem_cell_only"] = True
    options = kb.therapies_for(args.disorder, **filters)
    rows = [
        {
            "therapy": o.therapy.id,
            "disorder": o.disorder.id,
            "evidence": o.evidence_level.value,
            "ebmt": o.ebmt_category.value if o.ebmt_category else None,
            "stem_cell": o.therapy.is_stem_cell_therapy,
            "indication": o.indication.id,
        }
        for o in options
    ]
    if args.json:
        return json.dumps(rows, indent=2)
    disorder = kb.get(args.disorder, Disorder)
    header = f"Therapies for {disorder.name} ({len(rows)}), strongest evidence first:\n"
    return header + _table(rows, ["therapy", "disorder", "evidence", "ebmt", "stem_cell"])


def _evidence(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    indication = kb.get(args.indication, Indication)
    findings = [f for f in kb.findings if f.indication_id == indication.id]
    references = kb.references_for(indication, deep=True)
    if args.json:
        return json.dumps(
            {
                "indication": unstructure(indication),
                "findings": unstructure(findings),
                "references": unstructure(references),
            },
            indent=2,
            ensure_ascii=False,
        )
    lines = [
        f"{indication.id}: evidence level {indication.evidence_level.value}",
        *(f"  {indication.summary}" for _ in [0] if indication.summary),
        "Guideline recommendations:",
        *(
            f"  {_cell(r)} / grade {r.grade.value if r.grade else '-'} "
            f"({r.population.value if r.population else 'any age'}, "
            f"{r.donor_type.value if r.donor_type else 'any donor'}) - {r.reference_id}"
            for r in indication.recommendations
        ),
        f"Findings ({len(findings)}):",
        *(f"  [{f.id}] {f.endpoint}: {f.result}" for f in findings),
        f"References ({len(references)}), strongest first:",
        *(f"  {r.tier.value:<13} {r.id}: {r.title}" + (f" doi:{r.doi}" if r.doi else "") for r in references),
    ]
    return "\n".join(lines)


def _cell(recommendation: GuidelineRecommendation) -> str:
    """A recommendation's cell as the guideline prints it: "S", "S or CO", an ASTCT letter, or its statement."""
    if recommendation.categories:
        return " or ".join(c.value for c in recommendation.categories)
    if recommendation.astct_category is not None:
        return f"ASTCT {recommendation.astct_category.value}"
    return f"statement: {recommendation.statement}"


def _export(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    from . import export  # noqa: PLC0415 - only this command needs it

    writer = export.write_csv if args.format == "csv" else export.write_json
    if args.output is None:
        writer(kb, args.table, sys.stdout)
        return ""
    with Path(args.output).open("w", encoding="utf-8", newline="") as stream:
        writer(kb, args.table, stream)
    return f"wrote {args.table} to {args.output}"


def _plot(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    from .plot import save_evidence_map  # noqa: PLC0415 - needs the plot extra

    save_evidence_map(kb, args.output)
    return f"wrote the evidence map to {args.output}"


def _schema(_kb: KnowledgeBase, _args: argparse.Namespace) -> str:
    from .schema import json_schema  # noqa: PLC0415 - only this command needs it
    from .serialization import dumps  # noqa: PLC0415

    return dumps(json_schema()).rstrip("\n")


_COMMANDS = {
    "info": _info,
    "get": _get,
    "search": _search,
    "therapies": _therapies,
    "evidence": _evidence,
    "export": _export,
    "plot": _plot,
    "schema": _schema,
}


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the command line with *argv* (default: ``sys.argv[1:]``); return the exit status.

    Exit status 0 on success and 2 on bad arguments, an unknown name, invalid data or a
    missing optional extra; errors are one line on standard error, never a traceback.
    """
    args = _parser().parse_args(argv)
    try:
        output = _COMMANDS[args.command](load(args.data), args)
    except DatasetError as exc:
        print(f"stemimmune: error: {exc.problems[0]} ({len(exc.problems)} problem(s) in all)", file=sys.stderr)
        return 2
    except (StemImmuneError, ImportError, OSError) as exc:
        print(f"stemimmune: error: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    if output:
        print(output)
    return 0
