"""
Flat, join-ready tables of a knowledge base: rows of dicts, DataFrames, CSV and JSON.

Every collection of a :class:`~stemimmune.KnowledgeBase` is a table of the same name
(``references``, ``disorders``, ``therapies``, ...), with one row per record. More
tables unnest what records hold: ``recommendations`` (one row per guideline
recommendation of an indication), ``regulatory`` (one row per regulatory decision of
a product), ``markers``, ``procedure_steps``, ``conventional_treatments`` and
``product_holders`` (one row per item of a cell type's markers, a therapy's procedure,
a disorder's conventional treatments and a product's holders, with the parent's id and
the item's ``position``, from 0), and ``citations`` (one row per citation anywhere in
the knowledge base, its ``field`` saying where in the record it sits, e.g.
``events[0].citations``).

Rows are flat: enum members become their string values; lists of scalars (ids,
CURIEs, synonyms) become lists of strings; a nested record (a finding's ``effect``)
becomes prefixed columns (``effect_measure``, ``effect_value``, ...); ``citations``
become ``reference_ids``. Lists of nested records are left out of their parent's
table because they have tables of their own (above), joined on the parent's id:
``indication_id``, ``product_id``, ``cell_type_id``, ``therapy_id`` or ``disorder_id``. Join columns are added where useful: findings carry their
indication's ``therapy_id`` and ``disorder_id``, references their credibility
``tier``.

Nothing here reads or writes files by name: the writers take an open text stream.

Example:
    >>> import stemimmune
    >>> from stemimmune.export import records
    >>> kb = stemimmune.load()
    >>> row = records(kb, "findings")[0]
    >>> list(row)[:5]
    ['id', 'indication_id', 'therapy_id', 'disorder_id', 'design']
"""

from __future__ import annotations

import csv
import difflib
import enum
import functools
import json
import os
import re
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, TextIO

import attrs

from ._guidance import best_category
from .exceptions import UnknownKeyError
from .model import (
    LINKS_TO,
    RECORD_TYPES,
    CellType,
    ConventionalTreatment,
    Disorder,
    GuidelineRecommendation,
    Indication,
    Marker,
    ProcedureStep,
    Product,
    ProductHolder,
    Reference,
    RegulatoryEvent,
    Therapy,
    collection_of,
)
from .serialization import unstructure
from .vocabulary import CredibilityTier, DisorderCategory, EbmtCategory, EvidenceLevel, _Ordered


if TYPE_CHECKING:
    import pandas as pd


class _Tables(Protocol):
    """
    What the tables read of a knowledge base: its version and its collections.

    A :class:`~stemimmune.KnowledgeBase` is one; naming it here instead of importing
    it keeps the views below the container, so data flows one way.
    """

    @property
    def version(self) -> str: ...
    @property
    def disorders(self) -> tuple[Disorder, ...]: ...
    @property
    def therapies(self) -> tuple[Therapy, ...]: ...
    @property
    def products(self) -> tuple[Product, ...]: ...
    @property
    def indications(self) -> tuple[Indication, ...]: ...
    @property
    def references(self) -> tuple[Reference, ...]: ...


#: Tables that unnest records held inside other records.
CHILD_TABLES: Final = (
    "recommendations",
    "regulatory",
    "markers",
    "procedure_steps",
    "conventional_treatments",
    "product_holders",
    "citations",
)

#: Tables that join records for the common questions. ``evidence`` has one row per
#: indication with its therapy, disorder, stem-cell flag, evidence level and best
#: guideline category.
JOINED_TABLES: Final = ("evidence",)

#: Every table name :func:`records` accepts: the collections, the child tables, then the joined ones.
TABLES: Final[tuple[str, ...]] = (*RECORD_TYPES, *CHILD_TABLES, *JOINED_TABLES)

#: Months in a day, a week and a year, for :func:`follow_up_months`.
_MONTHS_PER: Final = {"day": 12 / 365.25, "week": 7 * 12 / 365.25, "month": 1.0, "year": 12.0}

#: Separator of list items in CSV cells.
LIST_SEPARATOR: Final = "|"

#: Child tables of one row per item of a list of nested records: (parent collection,
#: its field, the item class, the column holding the parent's id). Each row also has
#: the item's ``position`` in the list, from 0.
_NESTED: Final[dict[str, tuple[str, str, type, str]]] = {
    "markers": ("cell_types", "markers", Marker, "cell_type_id"),
    "procedure_steps": ("therapies", "procedure", ProcedureStep, "therapy_id"),
    "conventional_treatments": ("disorders", "conventional_treatments", ConventionalTreatment, "disorder_id"),
    "product_holders": ("products", "holders", ProductHolder, "product_id"),
}

#: Fields left out of a collection table because a child table holds them.
_CHILD_FIELDS: Final = {
    Product: frozenset({"events", "holders"}),
    Indication: frozenset({"recommendations"}),
    CellType: frozenset({"markers"}),
    Therapy: frozenset({"procedure"}),
    Disorder: frozenset({"conventional_treatments"}),
}

_Row = list[tuple[str, object]]


# ------------------------------------------------------------------ public functions


def columns(table: str) -> tuple[str, ...]:
    """
    Return the column names of *table*, in the order :func:`records` gives its keys.

    The columns depend on the table only, so an empty table still has them.

    Args:
        table: One of :data:`TABLES`.

    Returns:
        The column names.

    Raises:
        UnknownKeyError: *table* is not one of :data:`TABLES`; the error names them.

    Example:
        >>> columns("citations")
        ('record_kind', 'record_id', 'field', 'reference_id', 'locator')
    """
    _check(table)
    return tuple(name for name, _ in _template(table))


def records(kb: _Tables, table: str) -> list[dict[str, object]]:
    """
    Return the rows of *table* as flat dicts, all with the keys of :func:`columns`.

    Args:
        kb: The knowledge base to read.
        table: One of :data:`TABLES`.

    Returns:
        One dict per row, in the knowledge base's order: a collection table has one
        row per record, ``recommendations`` one per guideline recommendation,
        ``regulatory`` one per regulatory decision and ``citations`` one per citation.

    Raises:
        UnknownKeyError: *table* is not one of :data:`TABLES`; the error names them.

    Example:
        >>> import stemimmune
        >>> kb = stemimmune.load()
        >>> row = next(r for r in records(kb, "references") if r["id"] == "burt2019-mist")
        >>> row["kind"], row["tier"], row["doi"]
        ('randomized-trial', 'authoritative', '10.1001/jama.2018.18743')
    """
    _check(table)
    return [dict(row) for row in _rows(kb, table)]


def dataframe(kb: _Tables, table: str) -> pd.DataFrame:
    """
    Return *table* as a pandas DataFrame with typed columns, one per key of :func:`records`.

    pandas is an optional dependency: ``pip install "stemimmune[pandas]"``.
    Columns holding an ordered vocabulary (evidence level, study design, credibility
    tier, EBMT and ASTCT category, potency, conditioning intensity) are ordered
    ``Categorical`` whose order is the vocabulary's, weakest first, so comparisons and
    sorting follow the evidence, not the alphabet; other vocabularies are unordered
    ``Categorical``; counts and years are nullable ``Int64``; follow-up in months is a
    float. List values (ids, synonyms, ``reference_ids``, ...) stay Python lists.

    Args:
        kb: The knowledge base to read.
        table: One of :data:`TABLES`.

    Raises:
        UnknownKeyError: *table* is not one of :data:`TABLES`; the error names them.
        ImportError: pandas is not installed; the message names the extra to install.

    Example:
        >>> import stemimmune
        >>> frame = dataframe(stemimmune.load(), "findings")
        >>> frame["design"].cat.ordered, str(frame["n"].dtype)
        (True, 'Int64')
        >>> bool((frame[frame["design"] >= "observational"]["design"] == "nonrandomized-trial").any())
        True
    """
    names = columns(table)
    pandas = _pandas("dataframe")
    return _typed(pandas.DataFrame.from_records(records(kb, table), columns=list(names)), table)


def _pandas(function: str) -> Any:
    try:
        import pandas as pd  # noqa: PLC0415 - an optional dependency, imported on use
    except ImportError as exc:
        msg = f'stemimmune.export.{function}() needs pandas: pip install "stemimmune[pandas]"'
        raise ImportError(msg, name="pandas") from exc
    return pd


def _typed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Give the columns of *frame* the types :func:`column_types` names for *table*."""
    import pandas as pd  # noqa: PLC0415 - the caller imported it

    for name, kind in column_types(table).items():
        if name not in frame.columns:
            continue
        if issubclass(kind, enum.Enum):
            values = [m.value for m in kind]
            frame[name] = pd.Categorical(frame[name], categories=values, ordered=issubclass(kind, _Ordered))
        elif kind is int:
            frame[name] = frame[name].astype("Int64")
        elif kind is float:
            frame[name] = frame[name].astype("float64")
        elif kind is bool:
            frame[name] = frame[name].astype("boolean")
    return frame


def result_frame(results: Iterable[object]) -> pd.DataFrame:
    """
    Return query results as a typed DataFrame; :meth:`stemimmune.query.Results.to_frame` calls it.

    Records of one collection give that table's columns, therapy options the
    ``evidence`` table's, search hits ``score``, ``kind``, ``id`` and ``matched``; and
    guideline recommendations the ``recommendations`` table's columns without the
    indication's ids. Anything else gives one ``value`` column.

    Raises:
        ImportError: pandas is not installed; the message names the extra to install.
    """
    items = list(results)
    table, rows = _result_rows(items)
    pandas = _pandas("result_frame")
    if table is None:
        untyped: pd.DataFrame = pandas.DataFrame.from_records(rows, columns=list(rows[0]) if rows else None)
        return untyped
    frame = pandas.DataFrame.from_records(rows, columns=[c for c in columns(table) if not rows or c in rows[0]])
    return _typed(frame, table)


def _result_rows(items: list[object]) -> tuple[str | None, list[dict[str, object]]]:
    """The table whose column types apply, and one flat row per item."""
    kinds = {type(item).__name__ for item in items}  # by name: query imports this module, not the other way
    if kinds == {"TherapyOption"}:
        options: list[Any] = items
        return "evidence", [dict(_evidence_row(o.indication, o.therapy, o.disorder, o.ebmt_category)) for o in options]
    if kinds == {"SearchHit"}:
        hits: list[Any] = items
        return None, [{"score": h.score, "kind": h.kind, "id": h.record.id, "matched": h.matched} for h in hits]
    if kinds == {GuidelineRecommendation.__name__}:
        return "recommendations", [dict(_flatten(GuidelineRecommendation, r)) for r in items]
    if items and all(type(item) in RECORD_TYPES.values() for item in items):
        tables = {collection_of(item) for item in items}
        if len(tables) == 1:
            table = tables.pop()
            return table, [dict(_record_row(table, item, {})) for item in items]
    return None, [{"value": item} for item in items]


def column_types(table: str) -> dict[str, type]:
    """
    Return the type of each scalar column of *table*: a vocabulary, ``int``, ``float``, ``bool`` or ``str``.

    List columns (ids, synonyms, nested records) are left out.
    :func:`dataframe` and :func:`write_tables` read it to type their columns.

    Args:
        table: One of :data:`TABLES`.

    Raises:
        UnknownKeyError: *table* is not one of :data:`TABLES`; the error names them.

    Example:
        >>> column_types("findings")["design"].__name__, column_types("findings")["n"].__name__
        ('EvidenceLevel', 'int')
    """
    _check(table)
    found: dict[str, type] = {}
    for name, annotation in _typed_template(table):
        kind = _scalar_type(annotation)
        if kind is not None:
            found[name] = kind
    return {name: found[name] for name in columns(table) if name in found}


def follow_up_months(text: str | None) -> tuple[float | None, float | None]:
    """
    Return the shortest and longest follow-up in months that *text* states, where it is unambiguous.

    A range (``"7-36 months"``, ``"3 months to 16.5 years"``, or a ``(range 2-5)``
    after a median or mean) gives its ends; a single figure (a time point, a median
    or a mean) gives both ends; ``"at least"`` gives only the low end and ``"up to"``
    only the high end.
    Anything else (dates, words) gives ``(None, None)``.
    Days, weeks, months and years are converted at 365.25 days a year, rounded to 0.1.

    Example:
        >>> follow_up_months("2 years"), follow_up_months("median 15 months (range 4-29)")
        ((24.0, 24.0), (4.0, 29.0))
        >>> follow_up_months("at least 12 months"), follow_up_months("recruitment 2001-2009")
        ((12.0, None), (None, None))
    """
    if not text:
        return None, None
    unit = r"(day|week|month|year)s?"
    number = r"(\d+(?:\.\d+)?)"
    folded = " ".join(text.casefold().split())
    ranged = re.search(rf"\(range {number}\s*-\s*{number}\)", folded)
    main_unit = re.search(unit, folded)
    if ranged and main_unit:
        factor = _MONTHS_PER[main_unit.group(1)]
        return _months(ranged.group(1), factor), _months(ranged.group(2), factor)
    return _follow_up_head(folded.split("(")[0].strip())


def _follow_up_head(head: str) -> tuple[float | None, float | None]:
    """Months stated by follow-up text without its parenthesised remark."""
    unit = r"(day|week|month|year)s?"
    number = r"(\d+(?:\.\d+)?)"
    patterns: tuple[tuple[str, str], ...] = (
        (rf"{number}\s*-\s*{number} {unit}", "range"),
        (rf"{number} {unit} to {number} {unit}", "to"),
        (rf"(?:at least|minimum|>=?) {number} {unit}", "low"),
        (rf"(?:up to|at most|maximum) {number} {unit}", "high"),
        (rf"(?:(?:median|mean) )?{number} {unit}", "one"),
        (rf"{unit} {number}", "point"),
    )
    for pattern, shape in patterns:
        match = re.fullmatch(pattern, head)
        if match is None:
            continue
        groups = match.groups()
        if shape == "range":
            factor = _MONTHS_PER[groups[2]]
            return _months(groups[0], factor), _months(groups[1], factor)
        if shape == "to":
            return _months(groups[0], _MONTHS_PER[groups[1]]), _months(groups[2], _MONTHS_PER[groups[3]])
        value = (
            _months(groups[1], _MONTHS_PER[groups[0]])
            if shape == "point"
            else _months(groups[0], _MONTHS_PER[groups[1]])
        )
        return (value if shape != "high" else None), (value if shape != "low" else None)
    return None, None


def _months(number: str, factor: float) -> float:
    return round(float(number) * factor, 1)


def write_csv(kb: _Tables, table: str, stream: TextIO) -> None:
    """
    Write *table* to *stream* as CSV with a header row.

    List values are joined with ``|`` and None is written as an empty cell. Open a
    file for it with ``newline=""``, as for any :mod:`csv` writer.

    Args:
        kb: The knowledge base to read.
        table: One of :data:`TABLES`.
        stream: An open text stream; it is written to, never opened or closed.

    Raises:
        UnknownKeyError: *table* is not one of :data:`TABLES`; the error names them.
    """
    writer = csv.DictWriter(stream, fieldnames=columns(table))
    writer.writeheader()
    writer.writerows({key: _csv_cell(value) for key, value in row.items()} for row in records(kb, table))


def write_json(kb: _Tables, table: str, stream: TextIO) -> None:
    """
    Write *table* to *stream* as a JSON list of objects (sorted keys, two-space indent).

    Args:
        kb: The knowledge base to read.
        table: One of :data:`TABLES`.
        stream: An open text stream; it is written to, never opened or closed.

    Raises:
        UnknownKeyError: *table* is not one of :data:`TABLES`; the error names them.
    """
    json.dump(records(kb, table), stream, indent=2, sort_keys=True, ensure_ascii=False)
    stream.write("\n")


def write_tables(kb: _Tables, folder: str | os.PathLike[str], *, parquet: bool | None = None) -> list[Path]:
    """
    Write every table to *folder* as CSV (and Parquet) with a Frictionless ``datapackage.json``.

    Each table of :data:`TABLES` becomes ``<table>.csv`` (as :func:`write_csv` writes
    it) and, with *parquet*, ``<table>.parquet`` (typed columns; lists stay lists).
    ``datapackage.json`` describes the CSV files as a Frictionless Data Package: each
    field's type, the valid values of vocabulary columns, primary keys and foreign
    keys, so ``frictionless validate datapackage.json`` checks the whole folder.

    Args:
        kb: The knowledge base to write.
        folder: Where to write; created if missing. Files of the same names are replaced.
        parquet: Write Parquet too: True requires pyarrow, False never writes it, and
            None (the default) writes it when pyarrow is installed
            (``pip install "stemimmune[parquet]"``).

    Returns:
        The paths written, ``datapackage.json`` last.

    Raises:
        ImportError: *parquet* is True and pyarrow is not installed.
        OSError: The folder cannot be created or written.
    """
    target = Path(folder)
    pyarrow = _pyarrow(required=parquet is True) if parquet is not False else None
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for table in TABLES:
        path = target / f"{table}.csv"
        with path.open("w", encoding="utf-8", newline="") as stream:
            write_csv(kb, table, stream)
        written.append(path)
        if pyarrow is not None:
            written.append(_write_parquet(kb, table, target / f"{table}.parquet"))
    descriptor = target / "datapackage.json"
    descriptor.write_text(json.dumps(datapackage(kb), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(descriptor)
    return written


def datapackage(kb: _Tables) -> dict[str, Any]:
    """
    Return the Frictionless Data Package descriptor of the CSV files :func:`write_tables` writes.

    Example:
        >>> import stemimmune
        >>> package = datapackage(stemimmune.load())
        >>> findings = next(r for r in package["resources"] if r["name"] == "findings")
        >>> findings["schema"]["primaryKey"], findings["schema"]["foreignKeys"][0]["reference"]
        (['id'], {'resource': 'indications', 'fields': ['id']})
    """
    return {
        "profile": "tabular-data-package",
        "name": "stemimmune",
        "title": "stemimmune: stem-cell therapy for immune disorders",
        "version": kb.version,
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": [_resource(table) for table in TABLES],
    }


_FIELD_TYPES: Final = {int: "integer", float: "number", bool: "boolean", str: "string"}

#: Columns added by joins, and the collection whose id they hold.
_JOIN_KEYS: Final = {
    "indication_id": "indications",
    "therapy_id": "therapies",
    "disorder_id": "disorders",
    "product_id": "products",
    "reference_id": "references",
}


def _resource(table: str) -> dict[str, Any]:
    kinds = column_types(table)
    fields = []
    for name in columns(table):
        kind = kinds.get(name)
        field: dict[str, Any] = {"name": name, "type": _FIELD_TYPES.get(kind, "string") if kind else "string"}
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            field["constraints"] = {"enum": [m.value for m in kind]}
            order = "ordered weakest first: " if issubclass(kind, _Ordered) else ""
            field["description"] = f"{kind.__name__} ({order}{', '.join(m.value for m in kind)})"
        elif kind is None:
            field["description"] = f"a list, items joined by {LIST_SEPARATOR!r}"
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if table in RECORD_TYPES:
        schema["primaryKey"] = ["id"]
    elif table == "evidence":
        schema["primaryKey"] = ["indication_id"]
    elif table in _NESTED:
        schema["primaryKey"] = [_NESTED[table][3], "position"]
    foreign = [
        {"fields": [name], "reference": {"resource": target, "fields": ["id"]}}
        for name, target in _links(table)
        if name in kinds
    ]
    if foreign:
        schema["foreignKeys"] = foreign
    return {
        "name": table.replace("_", "-"),
        "path": f"{table}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


def _links(table: str) -> list[tuple[str, str]]:
    """(column, collection) for every column of *table* holding the id of one record."""
    found: dict[str, str] = {}
    classes: list[type] = []
    if table in RECORD_TYPES:
        classes.append(RECORD_TYPES[table])
    elif table == "recommendations":
        classes.append(GuidelineRecommendation)
    elif table == "regulatory":
        classes.append(RegulatoryEvent)
    elif table in _NESTED:
        parents, _, item_class, key = _NESTED[table]
        found[key] = parents
        classes.append(item_class)
    for cls in classes:
        for field in _fields(cls):
            targets = field.metadata.get(LINKS_TO, ())
            if len(targets) == 1 and _scalar_type(field.type) is str:
                found[field.name] = targets[0]
    for name in columns(table):
        if name in _JOIN_KEYS and name not in found and name != "id":
            found[name] = _JOIN_KEYS[name]
    return [(name, target.replace("_", "-")) for name, target in found.items()]


def _pyarrow(*, required: bool) -> Any:
    try:
        import pyarrow as pa  # noqa: PLC0415 - an optional dependency, imported on use
        import pyarrow.parquet  # noqa: PLC0415 - loads pa.parquet
    except ImportError as exc:
        if not required:
            return None
        msg = 'writing Parquet needs pyarrow: pip install "stemimmune[parquet]"'
        raise ImportError(msg, name="pyarrow") from exc
    return pa


def _write_parquet(kb: _Tables, table: str, path: Path) -> Path:
    """
    Write *table* as Parquet with typed columns.

    Vocabulary columns are dictionary-encoded with the vocabulary's values, in its
    order, as the dictionary (marked ordered for an ordered vocabulary), so pandas
    reads them back as the same ``Categorical`` that :func:`dataframe` gives; counts
    are 64-bit integers, lists are lists of strings.
    """
    pa = _pyarrow(required=True)
    kinds = column_types(table)
    rows = records(kb, table)
    arrow_types = {int: pa.int64(), float: pa.float64(), bool: pa.bool_(), str: pa.string()}
    arrays = []
    for name in columns(table):
        values = [row[name] for row in rows]
        kind = kinds.get(name)
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            terms = [m.value for m in kind]
            rank = {term: position for position, term in enumerate(terms)}
            indices = pa.array([None if v is None else rank[v] for v in values], type=pa.int8())
            arrays.append(pa.DictionaryArray.from_arrays(indices, pa.array(terms), ordered=issubclass(kind, _Ordered)))
        else:
            arrays.append(pa.array(values, type=arrow_types[kind] if kind else pa.list_(pa.string())))
    pa.parquet.write_table(pa.Table.from_arrays(arrays, names=list(columns(table))), path)
    return path


# ------------------------------------------------------------------ rows


def _check(table: str) -> None:
    if table not in TABLES:
        close = difflib.get_close_matches(table, TABLES, n=3, cutoff=0.5)
        raise UnknownKeyError(table, [*close, *(t for t in TABLES if t not in close)])


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return value


def _rows(kb: _Tables, table: str) -> Iterator[_Row]:
    if table in RECORD_TYPES:
        indications = {indication.id: indication for indication in kb.indications}
        for record in getattr(kb, table):
            yield _record_row(table, record, indications)
    elif table == "recommendations":
        for indication in kb.indications:
            for recommendation in indication.recommendations:
                yield _recommendation_row(indication, recommendation)
    elif table == "regulatory":
        for product in kb.products:
            for event in product.events:
                yield _regulatory_row(product, event)
    elif table in _NESTED:
        parents, field, item_class, key = _NESTED[table]
        for parent in getattr(kb, parents):
            for position, item in enumerate(getattr(parent, field)):
                yield _nested_row(key, parent.id, position, item_class, item)
    elif table == "evidence":
        therapies = {t.id: t for t in kb.therapies}
        disorders = {d.id: d for d in kb.disorders}
        references = {r.id: r for r in kb.references}
        for indication in kb.indications:
            yield _evidence_row(
                indication,
                therapies[indication.therapy_id],
                disorders[indication.disorder_id],
                best_category(indication, references),
            )
    else:
        for kind in RECORD_TYPES:
            for record in getattr(kb, kind):
                for field, citation in _citations_in(record):
                    yield _citation_row(kind, record.id, field, citation.reference_id, citation.locator)


def _template(table: str) -> _Row:
    """A row whose keys are the columns of *table* (values are all None)."""
    if table in RECORD_TYPES:
        return _record_row(table, None, {})
    if table == "recommendations":
        return _recommendation_row(None, None)
    if table == "regulatory":
        return _regulatory_row(None, None)
    if table == "evidence":
        return _evidence_row(None, None, None, None)
    if table in _NESTED:
        _, _, item_class, key = _NESTED[table]
        return _nested_row(key, None, None, item_class, None)
    return _citation_row(None, None, None, None, None)


def _typed_template(table: str) -> list[tuple[str, object]]:
    """(column, annotation) for every column of *table*."""
    if table in RECORD_TYPES:
        typed = list(_flatten_types(RECORD_TYPES[table]))
        extra: dict[str, object] = {
            "therapy_id": str,
            "disorder_id": str,
            "tier": CredibilityTier,
            "follow_up_months_low": float,
            "follow_up_months_high": float,
        }
        known = dict(typed)
        return [(name, known.get(name, extra.get(name))) for name in columns(table)]
    if table == "recommendations":
        return [
            ("indication_id", str),
            ("therapy_id", str),
            ("disorder_id", str),
            *_flatten_types(GuidelineRecommendation),
        ]
    if table == "regulatory":
        return [("product_id", str), ("therapy_id", str), *_flatten_types(RegulatoryEvent)]
    if table == "evidence":
        return list(_EVIDENCE_TYPES.items())
    if table in _NESTED:
        _, _, item_class, key = _NESTED[table]
        return [(key, str), ("position", int), *_flatten_types(item_class)]
    return [(name, str) for name in columns(table)]


_EVIDENCE_TYPES: Final[dict[str, object]] = {
    "indication_id": str,
    "therapy_id": str,
    "therapy_name": str,
    "disorder_id": str,
    "disorder_name": str,
    "disorder_category": DisorderCategory,
    "stem_cell": bool,
    "evidence_level": EvidenceLevel,
    "best_category": EbmtCategory,
}


def _evidence_row(
    indication: Indication | None, therapy: Therapy | None, disorder: Disorder | None, category: EbmtCategory | None
) -> _Row:
    """One row of the ``evidence`` table; *category* is the best category in force (:func:`best_category`)."""
    return [
        ("indication_id", None if indication is None else indication.id),
        ("therapy_id", None if therapy is None else therapy.id),
        ("therapy_name", None if therapy is None else therapy.name),
        ("disorder_id", None if disorder is None else disorder.id),
        ("disorder_name", None if disorder is None else disorder.name),
        ("disorder_category", None if disorder is None else disorder.category.value),
        ("stem_cell", None if therapy is None else therapy.is_stem_cell_therapy),
        ("evidence_level", None if indication is None else indication.evidence_level.value),
        ("best_category", None if category is None else category.value),
    ]


def _scalar_type(annotation: object) -> type | None:
    """The scalar type an annotation names, alone or in ``X | None``; None for lists and tuples."""
    candidates = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    for candidate in candidates:
        if candidate is type(None):
            continue
        if isinstance(candidate, type) and (issubclass(candidate, enum.Enum) or candidate in {int, float, bool, str}):
            return candidate
        return None
    return None


def _record_row(table: str, record: Any, indications: Mapping[str, Indication]) -> _Row:
    row = list(_flatten(RECORD_TYPES[table], record))  # type: ignore[index]  # callers checked the name
    if table == "findings":
        indication = None if record is None else indications.get(record.indication_id)
        row = _insert_after(
            row,
            "indication_id",
            ("therapy_id", None if indication is None else indication.therapy_id),
            ("disorder_id", None if indication is None else indication.disorder_id),
        )
        low, high = follow_up_months(None if record is None else record.follow_up)
        row = _insert_after(row, "follow_up", ("follow_up_months_low", low), ("follow_up_months_high", high))
    elif table == "references":
        row = _insert_after(row, "kind", ("tier", None if record is None else record.tier.value))
    return row


def _recommendation_row(indication: Indication | None, recommendation: GuidelineRecommendation | None) -> _Row:
    return [
        ("indication_id", None if indication is None else indication.id),
        ("therapy_id", None if indication is None else indication.therapy_id),
        ("disorder_id", None if indication is None else indication.disorder_id),
        *_flatten(GuidelineRecommendation, recommendation),
    ]


def _regulatory_row(product: Product | None, event: RegulatoryEvent | None) -> _Row:
    return [
        ("product_id", None if product is None else product.id),
        ("therapy_id", None if product is None else product.therapy_id),
        *_flatten(RegulatoryEvent, event),
    ]


def _nested_row(key: str, parent_id: str | None, position: int | None, item_class: type, item: object) -> _Row:
    return [(key, parent_id), ("position", position), *_flatten(item_class, item)]


def _citation_row(
    kind: str | None, record_id: str | None, field: str | None, reference_id: str | None, locator: str | None
) -> _Row:
    return [
        ("record_kind", kind),
        ("record_id", record_id),
        ("field", field),
        ("reference_id", reference_id),
        ("locator", locator),
    ]


def _insert_after(row: _Row, after: str, *extra: tuple[str, object]) -> _Row:
    position = [key for key, _ in row].index(after) + 1
    return [*row[:position], *extra, *row[position:]]


def _citations_in(record: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (field path, citation) for every citation in *record*, nested ones included."""
    for field in attrs.fields(type(record)):
        value = getattr(record, field.name)
        if field.name == "citations":
            for citation in value:
                yield f"{path}citations", citation
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                if attrs.has(type(item)):
                    yield from _citations_in(item, f"{path}{field.name}[{index}].")
        elif attrs.has(type(value)):
            yield from _citations_in(value, f"{path}{field.name}.")


# ------------------------------------------------------------------ flattening


@functools.cache
def _fields(cls: type) -> tuple[attrs.Attribute[Any], ...]:
    attrs.resolve_types(cls)
    return tuple(attrs.fields(cls))


def _flatten(cls: type, record: Any, prefix: str = "") -> Iterator[tuple[str, object]]:
    """
    Yield (column, cell) for every field of *record*, an instance of *cls* or None.

    A nested record becomes prefixed columns (all None when it is None), citations
    become ``reference_ids``, and fields a child table holds are skipped.
    """
    skipped = _CHILD_FIELDS.get(cls, frozenset())
    for field in _fields(cls):
        if field.name in skipped:
            continue
        value = None if record is None else getattr(record, field.name)
        nested = _nested_record_type(field.type)
        if field.name == "citations":
            yield f"{prefix}reference_ids", None if value is None else [c.reference_id for c in value]
        elif nested is not None:
            yield from _flatten(nested, value, f"{prefix}{field.name}_")
        else:
            yield prefix + field.name, _cell(value)


def _flatten_types(cls: type, prefix: str = "") -> Iterator[tuple[str, object]]:
    """Yield (column, annotation) in the order :func:`_flatten` yields its columns."""
    skipped = _CHILD_FIELDS.get(cls, frozenset())
    for field in _fields(cls):
        if field.name in skipped:
            continue
        nested = _nested_record_type(field.type)
        if field.name == "citations":
            yield f"{prefix}reference_ids", list
        elif nested is not None:
            yield from _flatten_types(nested, f"{prefix}{field.name}_")
        else:
            yield prefix + field.name, field.type


def _nested_record_type(annotation: object) -> type | None:
    """Return the attrs class *annotation* names, alone or in ``X | None``; else None."""
    candidates = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    for candidate in candidates:
        if isinstance(candidate, type) and attrs.has(candidate):
            return candidate
    return None


def _cell(value: object) -> object:
    """Return *value* as a cell: enums as strings, lists of scalars as lists of strings."""
    if isinstance(value, enum.Enum):
        return value.value
    plain = unstructure(value)
    if isinstance(plain, list):
        return [_list_item(item) for item in plain]
    return plain


def _list_item(item: object) -> str:
    if isinstance(item, dict):  # a nested record: compact, canonical JSON
        return json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if isinstance(item, enum.Enum):
        return str(item.value)
    return str(item)
