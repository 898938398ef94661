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
import enum
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

from . import _tables
from ._results import Results
from ._tables import CHILD_TABLES, JOINED_TABLES, Table, Tables, follow_up_months, frame
from .vocabulary import _Ordered


if TYPE_CHECKING:
    import pandas as pd


__all__ = [
    "CHILD_TABLES",
    "JOINED_TABLES",
    "LIST_SEPARATOR",
    "TABLES",
    "column_types",
    "columns",
    "dataframe",
    "datapackage",
    "follow_up_months",
    "records",
    "result_frame",
    "write_csv",
    "write_json",
    "write_tables",
]

#: Every table name :func:`records` accepts: the collections, the child tables
#: (:data:`CHILD_TABLES`), then the joined ones (:data:`JOINED_TABLES`; ``evidence`` has
#: one row per indication with its therapy, disorder, stem-cell flag, evidence level and
#: best guideline category).
TABLES: Final[tuple[str, ...]] = tuple(_tables.TABLES)

#: Separator of list items in CSV cells.
LIST_SEPARATOR: Final = "|"


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
        InvalidArgumentError: *table* is not one of :data:`TABLES`; the error suggests
            the closest names and lists them all.

    Example:
        >>> columns("citations")
        ('record_kind', 'record_id', 'field', 'reference_id', 'locator')
    """
    return _tables.table(table).names


def records(kb: Tables, table: str) -> list[dict[str, object]]:
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
        InvalidArgumentError: *table* is not one of :data:`TABLES`; the error suggests
            the closest names and lists them all.

    Example:
        >>> import stemimmune
        >>> kb = stemimmune.load()
        >>> row = next(r for r in records(kb, "references") if r["id"] == "burt2019-mist")
        >>> row["kind"], row["tier"], row["doi"]
        ('randomized-trial', 'authoritative', '10.1001/jama.2018.18743')
    """
    return [dict(row) for row in _tables.table(table).rows(kb)]


def dataframe(kb: Tables, table: str) -> pd.DataFrame:
    """
    Return *table* as a pandas DataFrame with typed columns, one per key of :func:`records`.

    pandas is an optional dependency: ``pip install "stemimmune[pandas]"``.
    Columns holding an ordered vocabulary (evidence level, study design, credibility
    tier, EBMT and ASTCT category, potency, conditioning intensity) are ordered
    ``Categorical`` whose order is the vocabulary's, weakest first, so comparisons and
    sorting follow the evidence, not the alphabet; other vocabularies are unordered
    ``Categorical``; counts and years are nullable ``Int64``; follow-up in months is a
    float; text is pandas' string type. List values (ids, synonyms, ``reference_ids``,
    ...) stay Python lists. An empty table has the same columns and types.

    Args:
        kb: The knowledge base to read.
        table: One of :data:`TABLES`.

    Raises:
        InvalidArgumentError: *table* is not one of :data:`TABLES`; the error suggests
            the closest names and lists them all.
        ImportError: pandas is not installed; the message names the extra to install.

    Example:
        >>> import stemimmune
        >>> frame = dataframe(stemimmune.load(), "findings")
        >>> frame["design"].cat.ordered, str(frame["n"].dtype)
        (True, 'Int64')
        >>> bool((frame[frame["design"] >= "observational"]["design"] == "nonrandomized-trial").any())
        True
    """
    declared = _tables.table(table)
    return frame(declared.names, declared.kinds, records(kb, table), "dataframe")


def result_frame(results: Iterable[object]) -> pd.DataFrame:
    """
    Return query results as a typed DataFrame, as :meth:`stemimmune.query.Results.to_frame` does.

    Raises:
        ImportError: pandas is not installed; the message names the extra to install.
    """
    return (results if isinstance(results, Results) else Results(results)).to_frame()


def column_types(table: str) -> dict[str, type]:
    """
    Return the type of each scalar column of *table*: a vocabulary, ``int``, ``float``, ``bool`` or ``str``.

    List columns (ids, synonyms, nested records) are left out.
    :func:`dataframe` and :func:`write_tables` read it to type their columns.

    Args:
        table: One of :data:`TABLES`.

    Raises:
        InvalidArgumentError: *table* is not one of :data:`TABLES`; the error suggests
            the closest names and lists them all.

    Example:
        >>> column_types("findings")["design"].__name__, column_types("findings")["n"].__name__
        ('EvidenceLevel', 'int')
    """
    return dict(_tables.table(table).kinds)


def write_csv(kb: Tables, table: str, stream: TextIO) -> None:
    """
    Write *table* to *stream* as CSV with a header row.

    List values are joined with ``|`` and None is written as an empty cell. Open a
    file for it with ``newline=""``, as for any :mod:`csv` writer.

    Args:
        kb: The knowledge base to read.
        table: One of :data:`TABLES`.
        stream: An open text stream; it is written to, never opened or closed.

    Raises:
        InvalidArgumentError: *table* is not one of :data:`TABLES`; the error suggests
            the closest names and lists them all.
    """
    writer = csv.DictWriter(stream, fieldnames=columns(table))
    writer.writeheader()
    writer.writerows({key: _csv_cell(value) for key, value in row.items()} for row in records(kb, table))


def write_json(kb: Tables, table: str, stream: TextIO) -> None:
    """
    Write *table* to *stream* as a JSON list of objects (sorted keys, two-space indent).

    Args:
        kb: The knowledge base to read.
        table: One of :data:`TABLES`.
        stream: An open text stream; it is written to, never opened or closed.

    Raises:
        InvalidArgumentError: *table* is not one of :data:`TABLES`; the error suggests
            the closest names and lists them all.
    """
    json.dump(records(kb, table), stream, indent=2, sort_keys=True, ensure_ascii=False)
    stream.write("\n")


def write_tables(kb: Tables, folder: str | os.PathLike[str], *, parquet: bool | None = None) -> list[Path]:
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


def datapackage(kb: Tables) -> dict[str, Any]:
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
        "resources": [_resource(declared) for declared in _tables.TABLES.values()],
    }


_FIELD_TYPES: Final = {int: "integer", float: "number", bool: "boolean", str: "string"}


def _resource(declared: Table) -> dict[str, Any]:
    fields = []
    for column in declared.columns:
        kind = column.kind
        field: dict[str, Any] = {"name": column.name, "type": _FIELD_TYPES.get(kind, "string") if kind else "string"}
        if kind is not None and issubclass(kind, enum.Enum):
            field["constraints"] = {"enum": [m.value for m in kind]}
            order = "ordered weakest first: " if issubclass(kind, _Ordered) else ""
            field["description"] = f"{kind.__name__} ({order}{', '.join(m.value for m in kind)})"
        elif kind is None:
            field["description"] = f"a list, items joined by {LIST_SEPARATOR!r}"
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if declared.primary_key:
        schema["primaryKey"] = list(declared.primary_key)
    foreign = [
        {"fields": [name], "reference": {"resource": target.replace("_", "-"), "fields": ["id"]}}
        for name, target in declared.foreign_keys
    ]
    if foreign:
        schema["foreignKeys"] = foreign
    return {
        "name": declared.name.replace("_", "-"),
        "path": f"{declared.name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


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


def _write_parquet(kb: Tables, table: str, path: Path) -> Path:
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


# ------------------------------------------------------------------ cells


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return value
