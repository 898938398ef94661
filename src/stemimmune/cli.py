"""
The ``stemimmune`` command line: a thin front end over the library.

Examples::

    stemimmune therapies "multiple sclerosis"
    stemimmune evidence autologous-hsct-for-multiple-sclerosis
    stemimmune evidence MS
    stemimmune evidence autologous-hsct MS
    stemimmune search "multipel sclerosis"
    stemimmune get MS --json
    stemimmune products --jurisdiction EU --status approved --on 2024-01-01
    stemimmune trials SLE --cell-type MSC --phase phase-2..phase-3 --status recruiting
    stemimmune export findings --json --output findings.json
    stemimmune validate my-dataset.json
    stemimmune plot --output evidence-map.png --mark-trials --trial-status recruiting
    stemimmune schema > dataset.schema.json
    stemimmune info --data my-dataset.json

``--json``, ``--wide`` and ``--data`` go before or after the subcommand. Text fits the
terminal: ``COLUMNS`` or the terminal's width (no limit when the output is not a
terminal); tables cut long ids and titles with ``...`` and leave out their least useful
columns first, and ``--wide`` prints everything whole. With no arguments the command
prints its help (exit status 0).
Errors are one line on standard error with exit status 2, naming the flag as typed and
suggesting the closest command, table or kind; ``validate`` exits 1 when the dataset
is invalid; a bug of stemimmune's exits 1 with its traceback; a closed output pipe
(``| head``) ends the command quietly.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import errno
import io
import json
import os
import re
import sys
import textwrap
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, NoReturn

from ._dates import parse_day
from ._io import write_atomically
from ._loading import load
from ._tables import CHILD_TABLES, JOINED_TABLES, SEARCH_HITS
from ._terminal import TextColumn, paragraph, record_lines, table
from ._text import did_you_mean, printable
from .exceptions import (
    AmbiguousKeyError,
    DatasetError,
    InvalidArgumentError,
    StemImmuneError,
    UnknownKeyError,
    WrongKindError,
)
from .knowledge_base import KnowledgeBase
from .model import Disorder, GuidelineRecommendation, Indication, Product, Therapy
from .serialization import unstructure
from .vocabulary import (
    DisorderCategory,
    DonorRelation,
    EbmtCategory,
    EvidenceLevel,
    MechanismKind,
    RegulatoryDecision,
    TrialPhase,
    TrialStatus,
    Vocabulary,
    parse_jurisdiction,
)


#: Exit status of a command that failed (bad arguments, unknown names, unreadable data).
EXIT_ERROR: Final = 2
#: Exit status of ``validate`` when the dataset is invalid.
EXIT_INVALID: Final = 1
#: Exit status of an internal error: a bug of stemimmune's, reported with its traceback.
EXIT_INTERNAL: Final = 1
#: The modules of the optional extras: failing to import one is the user's to fix (install the extra).
_EXTRA_MODULES: Final = frozenset({"pandas", "pyarrow", "matplotlib", "httpx", "tqdm"})


class _Formatter(argparse.HelpFormatter):
    """Help that never breaks a value such as ``immune-reset`` at its hyphen."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit with status 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Build the parser with help that keeps hyphenated values whole."""
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        """Print one line naming the problem, then exit 2."""
        line = printable(" ".join(message.split()))
        self.exit(EXIT_ERROR, f"{self.prog}: error: {line} (see --help)\n")

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        """Refuse a value outside *action*'s choices, suggesting the closest: a mistyped command or format."""
        choices = action.choices
        if choices is None or value in choices:
            return
        what = "command" if isinstance(choices, dict) else "choice"
        guess = did_you_mean(str(value), [str(c) for c in choices])
        message = (
            f"unknown {what} {value!r}; {guess + ' ' if guess else ''}expected one of: {', '.join(map(str, choices))}"
        )
        raise argparse.ArgumentError(None if what == "command" else action, message)


def _values(vocabulary: type[Vocabulary]) -> str:
    return ", ".join(m.value for m in vocabulary)


def _common() -> _Parser:
    """The options every command takes, before or after its name."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--data",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="a dataset file or folder to use instead of the bundled data",
    )
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON instead of text")
    common.add_argument(
        "--wide",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print every column and every value whole, however wide the terminal "
        "(by default text fits COLUMNS or the terminal's width)",
    )
    return common


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        message = f"expected a whole number, got {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    if value < 0:
        message = f"expected 0 (no limit) or more, got {value}"
        raise argparse.ArgumentTypeError(message)
    return value


def _phases(text: str) -> list[str]:
    """One trial phase, or a range ``FROM..TO`` of them (both ends included), as the phases' values."""
    ends = text.split("..")
    if len(ends) > 2:  # noqa: PLR2004 - a range has two ends
        message = f"expected a phase or a range FROM..TO, got {text!r}"
        raise argparse.ArgumentTypeError(message)
    try:
        low, high = TrialPhase.parse(ends[0]), TrialPhase.parse(ends[-1])
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if low > high:
        message = f"the range {text!r} runs backwards: {low.value} comes after {high.value}"
        raise argparse.ArgumentTypeError(message)
    return [p.value for p in TrialPhase if low <= p <= high]


def _add_trials(trials: argparse.ArgumentParser) -> None:
    """The arguments of ``trials``: the filters of :meth:`KnowledgeBase.find_trials`."""
    trials.add_argument(
        "disorder", nargs="?", metavar="DISORDER", help="trials studying this disorder or one of its subtypes"
    )
    trials.add_argument("--therapy", help="trials testing this therapy (id, name or synonym)")
    trials.add_argument("--product", help="trials testing this product (id, name or code name)")
    trials.add_argument("--cell-type", help="trials testing a therapy that gives this cell type (MSC, HSC...)")
    trials.add_argument(
        "--phase",
        type=_phases,
        action="extend",
        dest="phase",
        metavar="PHASE",
        help=f"this phase, or a range FROM..TO such as phase-2..phase-3 (repeatable: any of them); "
        f"one of: {_values(TrialPhase)}",
    )
    trials.add_argument(
        "--status",
        action="append",
        dest="status",
        metavar="STATUS",
        help=f"this recruitment status as last seen (repeatable: any of them); one of: {_values(TrialStatus)}",
    )


def _add_plot(plot: argparse.ArgumentParser) -> None:
    """The arguments of ``plot``: the file, the subset and the marks of the evidence map."""
    plot.add_argument(
        "--output", metavar="FILE", required=True, help="the file; its extension names the format: .png, .svg or .pdf"
    )
    plot.add_argument("--disorder", action="append", dest="disorders", help="only this disorder (repeatable)")
    plot.add_argument(
        "--category",
        action="append",
        dest="categories",
        metavar="CATEGORY",
        help=f"only disorders of this category (repeatable); one of: {_values(DisorderCategory)}",
    )
    plot.add_argument("--therapy", action="append", dest="therapies", help="only this therapy (repeatable)")
    plot.add_argument(
        "--min-evidence",
        metavar="EVIDENCELEVEL",
        help=f"only this evidence level or stronger; one of: {_values(EvidenceLevel)}",
    )
    plot.add_argument("--title", help="the map's title (the dataset version is always shown)")
    plot.add_argument(
        "--mark-trials", action="store_true", help="mark the cells whose therapy and disorder have registered trials"
    )
    plot.add_argument(
        "--trial-status",
        action="append",
        dest="trial_status",
        metavar="STATUS",
        help=f"with --mark-trials: count only trials of this status (repeatable); one of: {_values(TrialStatus)}",
    )


def _parser() -> argparse.ArgumentParser:
    from . import DATASET_VERSION, __version__  # noqa: PLC0415 - the package imports this module's siblings

    common = _common()
    parser = _Parser(
        prog="stemimmune",
        description="Evidence-graded reference data on stem-cell therapy for immune disorders. Not medical advice.",
        parents=[common],
    )
    parser.add_argument(
        "--version", action="version", version=f"stemimmune {__version__} (bundled dataset {DATASET_VERSION})"
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[common])

    command("info", "show the dataset version and how many records of each kind it holds")
    get = command("get", "show one record by id, CURIE, name or synonym")
    get.add_argument("key", metavar="KEY", help="for example: MS, 'multiple sclerosis', MONDO:0005301, autologous-hsct")
    search = command("search", "find records by name, synonym, id or CURIE, tolerating typos")
    search.add_argument("text", metavar="TEXT", help="a name, synonym, id or CURIE, typos and all")
    search.add_argument(
        "--kind", action="append", dest="kinds", metavar="KIND", help="only this collection (repeatable)"
    )
    search.add_argument(
        "--limit", type=_limit, default=10, help="show at most this many hits (default 10; 0 shows every hit)"
    )
    therapies = command("therapies", "therapies studied for a disorder (and its subtypes), strongest evidence first")
    therapies.add_argument("disorder", metavar="DISORDER", help="a disorder's id, name, synonym or CURIE")
    therapies.add_argument("--therapy", help="this therapy only (id, name or synonym)")
    therapies.add_argument("--mechanism", help="therapies acting by this mechanism record (id or name)")
    therapies.add_argument("--cell-type", help="therapies giving this cell type (id or name)")
    therapies.add_argument("--cell-source", help="therapies taking cells from this source (id or name)")
    enum_flags: tuple[tuple[str, type[Vocabulary], str], ...] = (
        ("--min-evidence", EvidenceLevel, "at least this evidence level"),
        ("--donor-relation", DonorRelation, "this donor relation"),
        ("--mechanism-kind", MechanismKind, "a mechanism of this kind"),
        ("--category", DisorderCategory, "disorders of this category"),
        ("--ebmt-category", EbmtCategory, "a guideline recommendation of this category"),
        ("--regulatory", RegulatoryDecision, "a product with this status (today, or --on) for the disorder concerned"),
    )
    for flag, vocabulary, text in enum_flags:
        therapies.add_argument(flag, metavar=vocabulary.__name__.upper(), help=f"{text}; one of: {_values(vocabulary)}")
    therapies.add_argument(
        "--jurisdiction", metavar="CODE", help="with --regulatory: the status in this jurisdiction (US, EU, JP...)"
    )
    therapies.add_argument("--on", metavar="YYYY-MM-DD", help="with --regulatory: the status on this day, not today")
    therapies.add_argument("--stem-cell-only", action="store_true", help="leave out comparators such as CAR-T")
    therapies.add_argument("--no-subtypes", action="store_true", help="leave out the disorder's subtypes")
    evidence = command(
        "evidence",
        "the evidence behind an indication, a disorder (summary) or a therapy for a disorder",
    )
    evidence.add_argument(
        "key",
        metavar="KEY",
        help="an indication id (autologous-hsct-for-multiple-sclerosis), a disorder (MS) or a therapy",
    )
    evidence.add_argument(
        "disorder", nargs="?", metavar="DISORDER", help="with a therapy as KEY: the disorder to show its evidence for"
    )
    products = command("products", "licensed (or once licensed) products and their regulatory status")
    products.add_argument(
        "disorder", nargs="?", metavar="DISORDER", help="products with a regulatory event for this disorder"
    )
    products.add_argument("--therapy", help="products that are instances of this therapy")
    products.add_argument("--jurisdiction", metavar="CODE", help="products with an event in this jurisdiction")
    products.add_argument(
        "--status",
        metavar="DECISION",
        help="products with this status; one of: " + ", ".join(d.value for d in RegulatoryDecision if d.sets_status),
    )
    products.add_argument(
        "--on",
        metavar="YYYY-MM-DD",
        help="the status on this day, not today: the status column (every product's, without --status) and --status",
    )
    _add_trials(command("trials", "registered clinical trials, by id, filtered as kb.find_trials() filters"))
    refresh = command(
        "refresh-trials",
        "ask ClinicalTrials.gov for the trials' current status (network; needs stemimmune[registry])",
    )
    refresh.add_argument(
        "trials", nargs="*", metavar="TRIAL", help="trial ids or registry ids (default: every NCT trial)"
    )
    refresh.add_argument(
        "--output", metavar="FILE.json", help="save the refreshed trials as a dataset file for merge()"
    )
    refresh.add_argument("--no-progress", action="store_true", help="no progress bar on standard error")
    export = command("export", "write a table as CSV (or JSON with --json), or every table to a folder")
    export.add_argument(
        "table",
        nargs="?",
        metavar="TABLE",
        help=f"a collection (disorders, findings, ...), a child table ({', '.join(CHILD_TABLES)}) or "
        + " or ".join(JOINED_TABLES),
    )
    export.add_argument(
        "--format", choices=("csv", "json"), default="csv", help="deprecated spelling of --json: csv or json"
    )
    export.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    export.add_argument("--all", metavar="FOLDER", dest="folder", help="write every table to FOLDER")
    export.add_argument(
        "--spreadsheet-safe",
        action="store_true",
        help="put a ' before CSV text cells starting with =, +, -, @, tab or CR, so a spreadsheet runs no formula",
    )
    validate = command("validate", "check a dataset file or folder and print every problem found")
    validate.add_argument("path", metavar="PATH")
    command("schema", "print the JSON Schema of the dataset format")
    _add_plot(command("plot", "save the evidence map (disorders by therapies) as PNG, SVG or PDF"))
    return parser


# The tables the commands print. An id or a title may be cut (``shortest``: with ``...``, down to that
# width); the columns with a ``drop`` number are left out, lowest first, when the table cannot fit.
_COUNTS: Final = (TextColumn("collection"), TextColumn("records"))
_THERAPY_OPTIONS: Final = (
    TextColumn("therapy", shortest=15),
    TextColumn("disorder", shortest=36),
    TextColumn("evidence"),
    TextColumn("ebmt"),
    TextColumn("stem_cell", drop=2),
    TextColumn("indication", shortest=30, drop=1),
)
_DISORDER_OPTIONS: Final = (
    TextColumn("indication", shortest=40),
    TextColumn("therapy", shortest=15, drop=1),
    TextColumn("disorder", shortest=24, drop=2),
    TextColumn("evidence"),
    TextColumn("ebmt"),
)
_HITS: Final = (
    TextColumn("score", drop=2),
    TextColumn("kind", drop=1),
    TextColumn("id"),
    TextColumn("matched", shortest=16),
)
_PRODUCTS: Final = (
    TextColumn("product"),
    TextColumn("name", shortest=12, drop=2),
    TextColumn("therapy", shortest=20, drop=1),
    TextColumn("status", shortest=40),
)
_TRIALS: Final = (
    TextColumn("registry id"),
    TextColumn("phase", drop=3),
    TextColumn("status"),
    TextColumn("as of", drop=1),
    TextColumn("enrolment", drop=2),
    TextColumn("title", shortest=15),
)
_CHANGES: Final = (
    TextColumn("trial", shortest=16),
    TextColumn("field"),
    TextColumn("old", shortest=12),
    TextColumn("new", shortest=12),
    TextColumn("as of", drop=1),
)


def _table(rows: list[dict[str, Any]], columns: Sequence[TextColumn], width: int | None) -> str:
    """Render rows as a plain-text table with a header, fitted to *width* (None: no limit)."""
    return "\n".join(table(rows, columns, width))


def _text(text: str, width: int | None, *, indent: int = 0, hang: int | None = None) -> str:
    """*text* wrapped to *width* (None: one line), the first line indented *indent* spaces, the rest *hang*."""
    return "\n".join(paragraph(text, width, indent=indent, hang=hang))


def _width(args: argparse.Namespace) -> int | None:
    """
    The width to fit text to, None for no limit.

    None with --wide; else ``COLUMNS`` when it is a positive number; else the width of the
    terminal standard output is; else None (a file or a pipe has no width).
    """
    if args.wide:
        return None
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdecimal() and int(columns) > 0:
        return int(columns)
    try:
        if sys.stdout.isatty():
            return os.get_terminal_size(sys.stdout.fileno()).columns or None
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass
    return None


def _dump(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def _info(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    counts = {kind: len(records) for kind, records in kb.collections().items()}
    if args.json:
        return _dump({"dataset_version": kb.version, "counts": counts})
    rows = [{"collection": k, "records": v} for k, v in counts.items()]
    return f"stemimmune dataset {kb.version}\n" + _table(rows, _COUNTS, args.width)


def _get(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    record = kb.get(args.key)
    data = unstructure(record)
    if args.json:
        return _dump(data)
    lines = paragraph(f"{type(record).__name__} {record.id}", args.width)
    lines += record_lines({field: value for field, value in data.items() if field != "id"}, args.width)
    return "\n".join(lines)


def _search(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    hits = kb.search(args.text, kinds=args.kinds, limit=args.limit)  # 0: every hit, as in the library
    rows = [{**row, "score": round(h.score, 4)} for h, row in zip(hits, SEARCH_HITS.rows_of(hits), strict=True)]
    if args.json:
        return _dump(rows)
    shown = [{**row, "score": f"{row['score']:.2f}"} for row in rows]
    return _table(shown, _HITS, args.width) if rows else f"nothing resembles {args.text!r}"


_THERAPY_FILTERS: Final = (
    "therapy",
    "mechanism",
    "mechanism_kind",
    "cell_type",
    "cell_source",
    "donor_relation",
    "min_evidence",
    "category",
    "ebmt_category",
    "regulatory",
    "jurisdiction",
    "on",
)


def _therapies(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    filters: dict[str, Any] = {n: getattr(args, n) for n in _THERAPY_FILTERS}  # a flag not given is None: not applied
    filters["stem_cell_only"] = args.stem_cell_only
    filters["include_subtypes"] = not args.no_subtypes
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
        return _dump(rows)
    disorder = kb.get(args.disorder, Disorder)
    header = _text(f"Therapies for {disorder.name} ({len(rows)}), strongest evidence first:", args.width)
    if not rows:
        return "\n".join([header, *_parents_note(kb, disorder, filters, args.width)])
    return header + "\n" + _table(rows, _THERAPY_OPTIONS, args.width)


def _parents_note(kb: KnowledgeBase, disorder: Disorder, filters: dict[str, Any], width: int | None) -> list[str]:
    """Point from a subtype with no options to its parents' options, if they have any."""
    notes = []
    for parent_id in disorder.parent_ids:
        count = len(kb.therapies_for(parent_id, **filters))
        if count:
            parent = kb.get(parent_id, Disorder)
            notes.append(
                _text(
                    f"none recorded for {disorder.name} itself; its parent {parent.name} has {count}:"
                    f" stemimmune therapies {parent.id}",
                    width,
                    indent=2,
                )
            )
    return notes


def _evidence(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    if args.disorder is not None:
        therapy = kb.get(args.key, Therapy)
        indications = kb.find_indications(disorder=args.disorder, therapy=therapy)
        if not indications:
            disorder = kb.get(args.disorder, Disorder)
            message = f"no indication links {therapy.id} to {disorder.id} (see: stemimmune therapies {disorder.id})"
            raise _CommandError(message)
        if args.json:
            return _dump([_indication_data(kb, i) for i in indications])
        return "\n\n".join(_indication_evidence(kb, i, as_json=False, width=args.width) for i in indications)
    record = kb.get(args.key)
    if isinstance(record, Indication):
        return _indication_evidence(kb, record, as_json=args.json, width=args.width)
    if isinstance(record, Disorder):
        return _disorder_evidence(kb, record, as_json=args.json, width=args.width)
    if isinstance(record, Therapy):
        message = f"{record.id} is a therapy: name a disorder too (stemimmune evidence {record.id} DISORDER)"
        raise _CommandError(message)
    message = f"{record.id} is not an Indication or a Disorder (it is a {type(record).__name__})"
    raise _CommandError(message)


class _CommandError(StemImmuneError):
    """A command cannot do what was asked; the message says why."""


def _indication_data(kb: KnowledgeBase, indication: Indication) -> dict[str, Any]:
    return {
        "indication": unstructure(indication),
        "findings": unstructure([f for f in kb.findings if indication.id in f.indication_ids]),
        "trials": unstructure(list(kb.trials_for(indication))),
        "references": unstructure(list(kb.references_for(indication, deep=True))),
    }


def _indication_evidence(kb: KnowledgeBase, indication: Indication, *, as_json: bool, width: int | None) -> str:
    if as_json:
        return _dump(_indication_data(kb, indication))
    findings = [f for f in kb.findings if indication.id in f.indication_ids]
    references = kb.references_for(indication, deep=True)
    trials = kb.trials_for(indication)
    current = kb.recommendations_for(indication, latest=True)

    def item(text: str) -> str:
        return _text(text, width, indent=2)

    lines = [
        _text(f"{indication.id}: evidence level {indication.evidence_level.value}", width),
        *(item(indication.summary) for _ in [0] if indication.summary),
        _text("Guideline recommendations (newest first; superseded ones marked):", width),
        *(
            item(
                f"{_cell(r)} / grade {r.grade.value if r.grade else '-'} "
                f"({r.population.value if r.population else 'any age'}, "
                f"{r.donor_type.value if r.donor_type else 'any donor'}) - {r.reference_id}"
                + ("" if r in current else " [superseded]")
                + (f" [only {', '.join(r.applies_to)}]" if r.applies_to else "")
            )
            for r in kb.recommendations_for(indication)
        ),
        f"Findings ({len(findings)}):",
        *(item(f"[{f.id}] {f.endpoint}: {f.result}") for f in findings),
        _text(
            f"Registered trials of {indication.therapy_id} in {indication.disorder_id} ({len(trials)}; "
            f"* cited by the indication; details: stemimmune trials {indication.disorder_id} "
            f"--therapy {indication.therapy_id}):",
            width,
        ),
        *(
            _text(
                f"{'*' if t.id in indication.trial_ids else ' '} {t.registry_ids[0]} "
                f"{t.phase.value if t.phase else '-'}, {t.status.value if t.status else '-'} "
                f"({'as of ' + str(t.status_as_of) if t.status_as_of else 'date not given'}): {t.title or '-'}",
                width,
                indent=2,
                hang=6,
            )
            for t in trials
        ),
        _text(f"References ({len(references)}), strongest first:", width),
        *(
            _text(
                f"{r.tier.value:<13} {r.id}: {r.title}" + (f" doi:{r.doi}" if r.doi else ""), width, indent=2, hang=16
            )
            for r in references
        ),
    ]
    return "\n".join(lines)


def _disorder_evidence(kb: KnowledgeBase, disorder: Disorder, *, as_json: bool, width: int | None) -> str:
    summary = kb.evidence_summary(disorder)
    strongest = summary.strongest_evidence.value if summary.strongest_evidence else None
    tiers = {tier.value: count for tier, count in summary.references_by_tier.items()}
    options = [
        {
            "indication": o.indication.id,
            "therapy": o.therapy.id,
            "disorder": o.disorder.id,
            "evidence": o.evidence_level.value,
            "ebmt": o.ebmt_category.value if o.ebmt_category else None,
        }
        for o in summary.options
    ]
    if as_json:
        return _dump(
            {
                "disorder": disorder.id,
                "strongest_evidence": strongest,
                "options": options,
                "findings": len(summary.findings),
                "references_by_tier": tiers,
            }
        )
    lines = [
        _text(f"{disorder.name} ({disorder.id}): strongest evidence {strongest or 'none recorded'}", width),
        _text(
            f"{len(summary.findings)} findings; references by tier: "
            + (", ".join(f"{k} {v}" for k, v in tiers.items()) or "none"),
            width,
        ),
    ]
    if options:
        lines += [
            _text("Options (details: stemimmune evidence INDICATION):", width),
            _table(options, _DISORDER_OPTIONS, width),
        ]
    else:
        lines += _parents_note(kb, disorder, {}, width)
    return "\n".join(lines)


def _cell(recommendation: GuidelineRecommendation) -> str:
    """A recommendation's cell as the guideline prints it: "S", "S or CO", an ASTCT letter, or its statement."""
    if recommendation.categories:
        return " or ".join(c.value for c in recommendation.categories)
    if recommendation.astct_category is not None:
        return f"ASTCT {recommendation.astct_category.value}"
    return f"statement: {recommendation.statement}"


def _products(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    """The products passing the filters with their status; --on without --status: every product's status that day."""
    day = None if args.on is None else parse_day(args.on)
    found = kb.find_products(
        disorder=args.disorder,
        therapy=args.therapy,
        jurisdiction=args.jurisdiction,
        status=args.status,
        on=day if args.status is not None else None,
    )

    def places(product: Product) -> list[str]:
        if args.jurisdiction:
            return [parse_jurisdiction(args.jurisdiction)]
        return sorted({e.jurisdiction for e in product.events})

    rows = [
        {
            "product": p.id,
            "name": p.name,
            "therapy": p.therapy_id,
            "status": "; ".join(
                f"{place} {status.value}" for place in places(p) if (status := p.status(place, day)) is not None
            ),
        }
        for p in found
    ]
    if args.json:
        return _dump(rows)
    if not rows:
        return "no product matches"
    shown = [{**row, "status": row["status"] or "-"} for row in rows]
    on = f"on {day.isoformat()}" if day is not None else "today"
    return _text(f"Products ({len(rows)}), status {on}:", args.width) + "\n" + _table(shown, _PRODUCTS, args.width)


def _trials(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    found = kb.find_trials(
        disorder=args.disorder,
        therapy=args.therapy,
        product=args.product,
        cell_type=args.cell_type,
        phase=args.phase,
        status=args.status,
    )
    rows: list[dict[str, Any]] = [
        {
            "trial": t.id,
            "registry_ids": list(t.registry_ids),
            "phase": t.phase.value if t.phase else None,
            "status": t.status.value if t.status else None,
            "status_as_of": None if t.status_as_of is None else str(t.status_as_of),
            "enrollment": t.enrollment,
            "enrollment_kind": t.enrollment_kind.value if t.enrollment_kind else None,
            "title": t.title,
            "disorders": list(t.disorder_ids),
            "therapies": list(t.therapy_ids),
            "products": list(t.product_ids),
        }
        for t in found
    ]
    if args.json:
        return _dump(rows)
    if not rows:
        return "no trial matches"
    shown = [
        {
            "registry id": row["registry_ids"][0],
            "phase": row["phase"] or "-",
            "status": row["status"] or "-",
            "as of": row["status_as_of"] or "-",
            "enrolment": f"{row['enrollment']} {row['enrollment_kind']}" if row["enrollment"] is not None else "-",
            "title": row["title"] or "-",
        }
        for row in rows
    ]
    return _text(f"Trials ({len(rows)}), by id:", args.width) + "\n" + _table(shown, _TRIALS, args.width)


def _export(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    """Write one table to standard output or a file, or every table to a folder; check every argument first."""
    from . import export  # noqa: PLC0415 - only this command needs it

    as_json = args.json or args.format == "json"
    if args.spreadsheet_safe and as_json:
        message = "--spreadsheet-safe applies to CSV; JSON cells are never formulas"
        raise _CommandError(message)
    if args.folder is not None:
        if args.table is not None or args.output is not None:
            message = "--all FOLDER writes every table; give no TABLE and no --output with it"
            raise _CommandError(message)
        if not args.folder:
            message = "--all: an empty path; expected a folder (use '.' for the current one)"
            raise _CommandError(message)
        try:
            written = export.write_tables(kb, args.folder, spreadsheet_safe=args.spreadsheet_safe)
        except InvalidArgumentError as exc:
            if exc.argument != "folder":
                raise
            message = f"--all: {exc.reason}"
            raise _CommandError(message) from None
        return f"wrote {len(written)} files to {printable(args.folder)}"
    if args.table is None:
        message = "name a TABLE to export, or give --all FOLDER"
        raise _CommandError(message)
    export.columns(args.table)  # an unknown table is refused before any output
    if args.output is not None and not args.output:
        message = "--output: an empty path; expected a file name"
        raise _CommandError(message)
    buffer = io.StringIO(newline="")
    stream = sys.stdout if args.output is None else buffer
    if as_json:
        export.write_json(kb, args.table, stream)
    else:
        export.write_csv(kb, args.table, stream, spreadsheet_safe=args.spreadsheet_safe)
    if args.output is None:
        return ""
    target = Path(args.output)
    data = buffer.getvalue().encode("utf-8")
    try:
        if target.exists() and not target.is_file() and not target.is_dir():
            target.write_bytes(data)  # a device or a pipe (/dev/stdout, a FIFO): nothing to keep, nothing to rename
        else:  # a new file beside the target, renamed over it: a failure leaves the old file as it was
            write_atomically(target, data, argument="--output", expected="a file name")
    except OSError as exc:
        exc.filename = exc.filename or args.output
        raise
    return f"wrote {args.table} to {printable(args.output)}"


def _plot(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    from .plot import save_evidence_map  # noqa: PLC0415 - needs the plot extra

    subset: dict[str, Any] = {
        "disorders": args.disorders,
        "categories": args.categories,
        "therapies": args.therapies,
        "min_evidence": args.min_evidence,
    }
    if args.title is not None:
        subset["title"] = args.title
    if args.mark_trials:
        subset["mark_trials"] = True
    if args.trial_status is not None:
        subset["trial_status"] = args.trial_status
    save_evidence_map(kb, args.output, **subset)
    return f"wrote the evidence map to {printable(args.output)}"


def _schema(_kb: KnowledgeBase, _args: argparse.Namespace) -> str:
    from .schema import json_schema  # noqa: PLC0415 - only this command needs it
    from .serialization import dumps  # noqa: PLC0415

    return dumps(json_schema()).rstrip("\n")


def _validate(args: argparse.Namespace) -> tuple[int, str]:
    """Load PATH; return the exit status and every problem (or a line saying it is valid)."""
    try:
        kb = load(args.path)
    except DatasetError as exc:
        problems = exc.problems
        if args.json:
            rows = [
                {"problem": str(p), **{k: v for k, v in _problem_fields(p).items() if v is not None}} for p in problems
            ]
            return EXIT_INVALID, _dump(
                {"valid": False, "problem_count": exc.count, "checking_stopped": exc.stopped, "problems": rows}
            )
        total = f"at least {exc.count:,}" if exc.stopped else f"{exc.count:,}"
        shown = "" if len(problems) == exc.count else f" (the first {len(problems)} listed)"
        return EXIT_INVALID, "\n".join(
            [
                f"{printable(args.path)}: invalid, {total} problem{'s' if exc.count > 1 else ''}{shown}:",
                *(f"  {p}" for p in problems),
            ]
        )
    counts = {kind: len(records) for kind, records in kb.collections().items()}
    if args.json:
        return 0, _dump({"valid": True, "dataset_version": kb.version, "counts": counts})
    return 0, f"{printable(args.path)}: valid, dataset {kb.version}, {sum(counts.values())} records"


def _refresh_trials(kb: KnowledgeBase, args: argparse.Namespace) -> str:
    """Refresh trials from the registry, print what changed, and save the overlay if asked."""
    from . import registry  # noqa: PLC0415 - the network client, only for this command

    if args.output is not None and not args.output.endswith(".json"):
        message = f"--output: {printable(args.output)!r} does not end in .json; expected a dataset file name"
        raise _CommandError(message)
    progress = None
    if not args.no_progress:
        try:
            from tqdm import tqdm  # noqa: PLC0415 - a progress bar, only for this command
        except ImportError:
            message = 'the progress bar needs tqdm: pip install "stemimmune[registry]" (or pass --no-progress)'
            raise ImportError(message, name="tqdm") from None

        def progress(trials: Any) -> Any:
            return tqdm(trials, desc="trials", unit="trial", file=sys.stderr, disable=None)

    result = registry.refresh(kb, trials=args.trials or None, progress=progress)
    if args.output is not None:
        registry.save_overlay(result, args.output)
    if getattr(args, "json", False):
        return _dump(
            {
                "seen_on": result.seen_on,
                "changes": [unstructure(c) for c in result.changes],
                "failed": [{"trial": t, "reason": r} for t, r in result.failed],
            }
        )
    rows = [
        {"trial": c.trial_id, "field": c.field, "old": c.old, "new": c.new, "as of": c.as_of or "-"}
        for c in result.changes
    ]
    lines = [_table(rows, _CHANGES, args.width) if rows else "no field changed"]
    lines += [f"failed: {t}: {r}" for t, r in result.failed]
    if args.output is not None:
        lines.append(
            f"wrote the refreshed trials to {printable(args.output)} (load them with merge(load(), FILE, override=True))"
        )
    return "\n".join(lines)


def _problem_fields(problem: Any) -> dict[str, Any]:
    import attrs  # noqa: PLC0415

    return attrs.asdict(problem) if attrs.has(type(problem)) else {}


_COMMANDS: Final[dict[str, Callable[[KnowledgeBase, argparse.Namespace], str]]] = {
    "info": _info,
    "get": _get,
    "search": _search,
    "therapies": _therapies,
    "evidence": _evidence,
    "products": _products,
    "trials": _trials,
    "refresh-trials": _refresh_trials,
    "export": _export,
    "plot": _plot,
    "schema": _schema,
}


def _flags(parser: argparse.ArgumentParser, command: str) -> dict[str, str]:
    """
    How *command* spells each argument the library names: ``status`` is ``--status``, ``disorder`` ``DISORDER``.

    The options' destinations are the library's argument names, so an error of the library
    (``on: needs status=``) can be told in the flags the user typed (``--on: needs --status``).
    """
    spelled: dict[str, str] = {}
    for action in parser._actions:  # noqa: SLF001 - argparse's public view of its arguments
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            chosen = action.choices.get(command)
            if chosen is not None:
                spelled.update(_flags(chosen, command))
        elif action.option_strings:
            spelled[action.dest] = max(action.option_strings, key=len)
        elif isinstance(action.metavar, str):
            spelled[action.dest] = action.metavar
    return spelled


_KEYWORD: Final = re.compile(r"\b([a-z_]+)=(True\b)?")


def _as_typed(exc: Exception, flags: dict[str, str]) -> Exception | str:
    """
    *exc*, told with the command's flags instead of the library's argument names.

    An :class:`InvalidArgumentError` of an argument the command has becomes
    ``--flag: reason`` (``POSITIONAL: reason``), its reason's ``name=`` mentions
    flags too; a key error names the option that held the key (``--therapy='SLE'``),
    or nothing for a positional argument, whose value it quotes.
    """
    if isinstance(exc, InvalidArgumentError) and exc.argument in flags:

        def flag(match: re.Match[str]) -> str:
            spelled = flags.get(match[1], "")
            return spelled if spelled.startswith("--") else match[0]

        return f"{flags[exc.argument]}: {_KEYWORD.sub(flag, exc.reason)}"
    if isinstance(exc, UnknownKeyError | AmbiguousKeyError | WrongKindError) and exc.argument in flags:
        spelled = flags[exc.argument]
        told = copy.copy(exc)
        told.argument = spelled if spelled.startswith("--") else None
        return told
    return exc


def _error_line(exc: BaseException | str) -> str:
    if isinstance(exc, str):
        text = exc
    elif isinstance(exc, DatasetError):
        count = f"at least {exc.count:,}" if exc.stopped else f"{exc.count:,}"
        text = f"{exc.problems[0]} ({count} problem{'s' if exc.count > 1 else ''} in all; stemimmune validate PATH lists them)"
    elif isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        where = f": {exc.filename}" if exc.filename else ""
        text = f"no space left on the device{where}"
    else:
        text = str(exc) or type(exc).__name__
    lines = text.splitlines() or [""]
    return "stemimmune: error: " + printable(lines[0])


def _quiet_stdout() -> None:
    """After a closed pipe: point standard output at /dev/null so the final flush cannot fail."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the command line with *argv* (default: ``sys.argv[1:]``); return the exit status.

    With no arguments, print the help and return 0.
    Exit status 0 on success, 1 when ``validate`` finds the dataset invalid, and 2 on bad
    arguments, an unknown name, invalid data, a file error (a full disk...) or a missing
    optional extra: the library's own errors (:class:`~stemimmune.StemImmuneError`), which
    are one line on standard error, never a traceback. Any other exception is a bug of
    stemimmune's, never the user's mistake: its traceback goes to standard error, then a
    line asking for a report, and the status is 1.
    Output the terminal cannot encode is written with backslash escapes, control
    characters are escaped, and a closed output pipe ends the command quietly.
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(ValueError, io.UnsupportedOperation):
                stream.reconfigure(errors="backslashreplace")
    parser = _parser()
    if not (sys.argv[1:] if argv is None else argv):  # no arguments: the help, as --help prints it
        parser.print_help()
        return 0
    args = parser.parse_args(argv)
    args.json = getattr(args, "json", False)
    args.wide = getattr(args, "wide", False)
    args.width = _width(args)
    try:
        if args.command == "validate":
            status, output = _validate(args)
        else:
            status, output = 0, _COMMANDS[args.command](load(getattr(args, "data", None)), args)
        if output:
            print(printable(output, keep="\n\t"))
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - anything else is a bug of ours: reported as one, with its traceback
        if not _users_to_fix(exc):
            return _internal_error(exc)
        print(_error_line(_as_typed(exc, _flags(parser, args.command))), file=sys.stderr)
        return EXIT_ERROR
    return status


def _users_to_fix(exc: Exception) -> bool:
    """Whether *exc* is the user's to fix: the library's own errors, a file error, a missing optional extra."""
    if isinstance(exc, ImportError):
        return exc.name in _EXTRA_MODULES
    return isinstance(exc, StemImmuneError | OSError)


def _internal_error(exc: BaseException) -> int:
    """Report *exc*, a bug of stemimmune's, with its traceback on standard error."""
    trace = "".join(traceback.format_exception(exc))
    print(printable(trace.rstrip("\n"), keep="\n\t"), file=sys.stderr)
    line = printable(f"{type(exc).__name__}: {exc}".splitlines()[0])
    print(f"stemimmune: internal error: {line} (please report it)", file=sys.stderr)
    return EXIT_INTERNAL
