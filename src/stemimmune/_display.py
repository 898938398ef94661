"""
HTML rendering for notebooks: one record as a field table, rows or query results as a table.

Every value is HTML-escaped, so text from a dataset can never add markup; links are
built only from validated identifiers (DOIs, PMIDs, PMCIDs, trial registry ids,
CURIEs) and http(s) URLs. No dependency beyond the standard library.
"""

from __future__ import annotations

import enum
import html
import re
import urllib.parse
from collections.abc import Sequence
from typing import Any, Final

import attrs

from .exceptions import InvalidArgumentError


#: Longest text shown in one cell before it is cut with an ellipsis.
MAX_CELL_CHARS: Final = 300

_RECORD_CLASS: Final = "stemimmune-record"
_TABLE_CLASS: Final = "stemimmune-table"

#: What a reader looks at first, shown before the other fields when a record has them:
#: evidence, guideline category, status, then the kind of record.
LEADING: Final = (
    "evidence_level",
    "ebmt_category",
    "best_category",
    "strongest_evidence",
    "design",
    "categories",
    "astct_category",
    "grade",
    "decision",
    "tier",
    "kind",
    "category",
    "name",
    "title",
)

#: Resolvers for the CURIE prefixes that have an OBO PURL; others go to bioregistry.io.
_OBO_PREFIXES: Final = frozenset({"MONDO", "DOID", "CL", "UBERON", "NCIT", "CHEBI", "GO", "HP", "EFO", "OBI"})
_ID_LINKS: Final = {
    "doi": "https://doi.org/{}",
    "pmid": "https://pubmed.ncbi.nlm.nih.gov/{}/",
    "pmcid": "https://www.ncbi.nlm.nih.gov/pmc/articles/{}/",
}
#: Fields holding trial registry ids (``NCT...``, ``EudraCT:...``) or trial record ids (``nct...``, ``eudract-...``).
_TRIAL_FIELDS: Final = frozenset({"nct_ids", "trial_ids", "registry_ids", "trial_id", "trial"})
#: Each registry's id (as registered, or as a trial record's id: lower case, hyphenated) and its page or search.
_TRIAL_REGISTRIES: Final = (
    (re.compile(r"(NCT[0-9]{8})", re.IGNORECASE), "https://clinicaltrials.gov/study/{}"),
    (re.compile(r"(ISRCTN[0-9]{8})", re.IGNORECASE), "https://www.isrctn.com/{}"),
    (
        re.compile(r"EudraCT[:-]([0-9]{4}-[0-9]{6}-[0-9]{2})", re.IGNORECASE),
        "https://www.clinicaltrialsregister.eu/ctr-search/search?query={}",
    ),
    (
        re.compile(r"CTIS[:-]([0-9]{4}-[0-9]{6}-[0-9]{2}-[0-9]{2})", re.IGNORECASE),
        "https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT={}",
    ),
    (re.compile(r"(ChiCTR-?[A-Z0-9-]{6,20})", re.IGNORECASE), "https://www.chictr.org.cn/searchprojEN.html?regno={}"),
    (re.compile(r"NL-OMON([0-9]{1,8})", re.IGNORECASE), "https://onderzoekmetmensen.nl/en/trial/{}"),
    (re.compile(r"(jRCT[a-z]?[0-9]{7,10})", re.IGNORECASE), "https://jrct.mhlw.go.jp/latest-detail/{}"),
)
_URL: Final = re.compile(r"https?://[^\s<>\"']+")


def record_html(record: object) -> str:
    """
    Render *record* as an HTML table of its fields: one row per field, name then value.

    What matters comes first (:data:`LEADING`: evidence, guideline category, status,
    kind; a query result's evidence level and category too), then the other fields in
    declaration order; empty fields are left out. DOIs, PMIDs, PMCIDs, CURIEs and URLs
    link to their resolvers, trial ids to their registry (:func:`trial_url`). Enum members show as their values, lists as one item per line, nested records
    compactly (``field=value`` pairs joined by ``;``, empty fields left out), and
    nested records that have an id (as query results hold) as their id and name. An object that
    is not a record is shown as its escaped ``repr``.

    Args:
        record: A stemimmune record (any attrs instance).

    Returns:
        An HTML fragment: a ``<table>`` captioned with the record's kind and id.

    Example:
        >>> from stemimmune.model import Citation
        >>> print(record_html(Citation(reference_id="r1", locator="Table <2>")))
        <table class="stemimmune-record"><caption>Citation</caption>...<td>Table &lt;2&gt;</td>...</table>
    """
    kind = type(record)
    if not attrs.has(kind):
        return f"<pre>{_escape(repr(record))}</pre>"
    caption = _escape(kind.__name__)
    identifier = getattr(record, "id", None)
    if isinstance(identifier, str):
        caption += f" <code>{_escape(identifier)}</code>"
    rows = "".join(
        f"<tr><th>{_escape(name)}</th><td>{_field_html(name, value, limit=None)}</td></tr>"
        for name, value in _shown_fields(record)
    )
    return (
        f'<table class="{_RECORD_CLASS}"><caption>{caption}</caption>'
        f"<thead><tr><th>field</th><th>value</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def table_html(rows: list[dict[str, object]], *, columns: Sequence[str] | None = None, max_rows: int = 50) -> str:
    """
    Render *rows* (such as :func:`stemimmune.export.records` gives) as an HTML table.

    The columns are *columns*, or by default the keys of the rows, in the order they first appear. Lists
    show one item per line, None shows as an empty cell, and text longer than
    :data:`MAX_CELL_CHARS` is cut with an ellipsis.

    Args:
        rows: The rows, one dict each.
        columns: The columns to show, in order (so that no rows still have a header).
        max_rows: Most rows to show; a note under the table counts the rest.

    Returns:
        An HTML fragment: a ``<table>``, followed by a note when rows were left out.

    Raises:
        InvalidArgumentError: *max_rows* is negative (also a :class:`ValueError`).

    Example:
        >>> print(table_html([{"id": "a", "n": 1}, {"id": "b&c", "n": None}]))
        <table class="stemimmune-table"><thead><tr><th>id</th><th>n</th></tr></thead><tbody><tr><td>a</td><td>1</td></tr><tr><td>b&amp;c</td><td></td></tr></tbody></table>
    """
    if max_rows < 0:
        raise InvalidArgumentError("max_rows", f"expected 0 or more, got {max_rows}")
    keys = list(dict.fromkeys(key for row in rows for key in row)) if columns is None else list(columns)
    head = "".join(f"<th>{_escape(key)}</th>" for key in keys)
    body = "".join(
        "<tr>" + "".join(f"<td>{_field_html(key, row.get(key), limit=MAX_CELL_CHARS)}</td>" for key in keys) + "</tr>"
        for row in rows[:max_rows]
    )
    table = f'<table class="{_TABLE_CLASS}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    hidden = len(rows) - max_rows
    if hidden > 0:
        table += f"<p>{max_rows} of {len(rows)} rows shown; {hidden} more not shown.</p>"
    return table


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _value_html(value: object, *, limit: int | None) -> str:
    """Escaped HTML for one value; lists one item per line."""
    if isinstance(value, list | tuple):
        return "<br>".join(_value_html(item, limit=limit) for item in value)
    text = _text(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"
    return _escape(text)


def _text(value: object, *, nested: bool = False) -> str:
    """
    Plain text for one value.

    A record with an id (held by a query result, say) shows as its id and name; any
    other record compactly, as ``field=value`` pairs, in brackets inside another.
    """
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    kind = type(value)
    identifier = getattr(value, "id", None)
    if attrs.has(kind) and isinstance(identifier, str):  # a record of its own: name it, don't repeat it
        label = getattr(value, "label", identifier)  # every record's label (stemimmune.model)
        return identifier if label == identifier else f"{identifier} ({label})"
    if attrs.has(kind):
        pairs = ((f.name, getattr(value, f.name)) for f in attrs.fields(kind))
        text = "; ".join(
            f"{name}={_text(item, nested=True)}" for name, item in pairs if item is not None and item != ()
        )
        return f"({text})" if nested else text
    if isinstance(value, list | tuple):
        return ", ".join(_text(item, nested=True) for item in value)
    return str(value)


def _shown_fields(record: Any) -> list[tuple[str, object]]:
    """(name, value) of the fields (and leading properties) worth showing, what matters first."""
    names = [field.name for field in attrs.fields(type(record))]
    extra = [name for name in LEADING if name not in names and hasattr(type(record), name)]
    values = {name: getattr(record, name) for name in [*extra, *names]}
    order = [n for n in LEADING if n in values] + [n for n in names if n not in LEADING]
    return [(n, values[n]) for n in order if not _is_empty(values[n])]


def _is_empty(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, tuple | list | frozenset) and not value)


def _field_html(name: str, value: object, *, limit: int | None) -> str:
    """A value's HTML, with identifiers linked to their resolvers by what the field holds."""
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return "<br>".join(_field_html(name, item, limit=limit) for item in value)
    if isinstance(value, str):
        href = _link(name, value)
        if href is not None:
            return f'<a href="{_escape(href)}">{_value_html(value, limit=limit)}</a>'
    return _value_html(value, limit=limit)


def trial_url(identifier: str) -> str | None:
    """
    Return the page of a trial in its registry (or the registry's search for it), or None for an unknown form.

    *identifier* is a registry id as registered (``NCT00288626``, ``ISRCTN31981313``,
    ``EudraCT:2009-014775-42``, ``CTIS:2023-505877-34-00``, ``ChiCTR2300077942``,
    ``NL-OMON21350``, ``jRCT2033180077``) or a trial record's id (the same in lower case, hyphenated:
    ``eudract-2009-014775-42``). ClinicalTrials.gov, ISRCTN, the Dutch OMON register and
    Japan's jRCT have a page per trial; for the EU Clinical Trials Register (EudraCT), CTIS and
    ChiCTR the link is the register's search for the number. Other forms (the Dutch
    register's older numbers, ANZCTR, IRCT, DRKS, CRIS and CTRI numbers, whose pages are
    not addressed by the number) get no link: show the trial's recorded ``url`` instead.

    Example:
        >>> trial_url("NCT00288626"), trial_url("isrctn31981313")
        ('https://clinicaltrials.gov/study/NCT00288626', 'https://www.isrctn.com/ISRCTN31981313')
        >>> trial_url("eudract-2009-014775-42")
        'https://www.clinicaltrialsregister.eu/ctr-search/search?query=2009-014775-42'
        >>> trial_url("not-a-registry-id") is None
        True
    """
    for pattern, url in _TRIAL_REGISTRIES:
        match = pattern.fullmatch(identifier)
        if match is not None:
            number = match[1].upper()  # the registry's own prefix, written as it writes it
            if number.startswith("CHICTR"):
                number = "ChiCTR" + number[6:]
            elif number.startswith("JRCT"):
                number = "jRCT" + number[4:].lower()
            return url.format(urllib.parse.quote(number, safe="-"))
    return None


def _link(name: str, value: str) -> str | None:
    """The resolver URL of an identifier held in field *name*, or None."""
    if name in _TRIAL_FIELDS:
        return trial_url(value)
    if name in _ID_LINKS:
        return _ID_LINKS[name].format(urllib.parse.quote(value, safe="/:()._-;"))
    if name in {"xrefs", "xref", "curie"} and ":" in value:
        prefix, local = value.split(":", 1)
        if prefix.upper() in _OBO_PREFIXES:
            return f"http://purl.obolibrary.org/obo/{prefix.upper()}_{urllib.parse.quote(local)}"
        return f"https://bioregistry.io/{urllib.parse.quote(value, safe=':')}"
    if name == "url" and _URL.fullmatch(value):
        return value
    return None


def results_html(
    columns: Sequence[str],
    rows: list[dict[str, object]],
    *,
    max_rows: int = 50,
    shown: Sequence[str] | None = None,
) -> str:
    """
    Render query results, as rows of their table, as an HTML table: what matters first, links for identifiers.

    The columns are *shown*, in its order, or else the table's with those of
    :data:`LEADING` (evidence, guideline category, status, kind) moved first, so an
    empty result still shows them. A note counts the columns left out.

    Args:
        columns: The table's columns, in its order.
        rows: One row per result.
        max_rows: Most rows to show; a note under the table counts the rest.
        shown: The columns to show, in order (the table's :attr:`~stemimmune._tables.Table.shown`).

    Example:
        >>> import stemimmune
        >>> options = stemimmune.load().therapies_for("MS")
        >>> html = options._repr_html_()
        >>> html.index("evidence_level") < html.index("best_category") < html.index("therapy_id")
        True
        >>> "randomized-trial" in html and f"{len(options)} results" in html
        True
    """
    count = len(rows)
    caption = f"<p>{count} result{'s' if count != 1 else ''}</p>"
    if shown:
        ordered = [name for name in shown if name in columns]
    else:
        leading = [name for name in LEADING if name in columns and name not in {"name", "title"}]
        ordered = [*leading, *(name for name in columns if name not in leading)]
    html_table = caption + table_html(rows, columns=ordered, max_rows=max_rows)
    hidden = len(columns) - len(ordered)
    if hidden > 0:
        html_table += (
            f"<p>{len(ordered)} of {len(columns)} columns shown; <code>.to_frame()</code> has every column.</p>"
        )
    return html_table


def knowledge_base_html(kb: Any) -> str:
    """
    Render a knowledge base as a summary: its version, the size of each collection and its evidence.

    Example:
        >>> import stemimmune
        >>> html = knowledge_base_html(stemimmune.load())
        >>> stemimmune.DATASET_VERSION in html and "randomized-trial" in html
        True
    """
    counts = "".join(
        f"<tr><th>{_escape(kind)}</th><td>{len(records)}</td></tr>" for kind, records in kb.collections().items()
    )
    levels: dict[str, int] = {}
    for indication in kb.indications:
        levels[indication.evidence_level.value] = levels.get(indication.evidence_level.value, 0) + 1
    evidence = "".join(
        f"<tr><th>{_escape(level)}</th><td>{levels[level]}</td></tr>"
        for level in sorted(levels, key=lambda lv: type(kb.indications[0].evidence_level)(lv).rank, reverse=True)
    )
    return (
        f'<table class="{_RECORD_CLASS}"><caption>stemimmune knowledge base <code>{_escape(kb.version)}</code>'
        "</caption><thead><tr><th>collection</th><th>records</th></tr></thead>"
        f"<tbody>{counts}</tbody></table>"
        f'<table class="{_TABLE_CLASS}"><caption>indications by evidence level, strongest first</caption>'
        f"<thead><tr><th>evidence level</th><th>indications</th></tr></thead><tbody>{evidence}</tbody></table>"
        "<p>Reference data for research and software, not medical advice.</p>"
    )
