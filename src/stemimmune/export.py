"""
Flat, join-ready tables of a knowledge base: rows of dicts, DataFrames, CSV and JSON.

Every collection of a :class:`~stemimmune.KnowledgeBase` is a table of the same name
(``references``, ``disorders``, ``therapies``, ...), with one row per record. Three
more tables unnest what records hold: ``recommendations`` (one row per guideline
recommendation of an indication), ``regulatory`` (one row per regulatory decision of
a therapy) and ``citations`` (one row per citation anywhere in the knowledge base,
its ``field`` saying where in the record it sits, e.g. ``regulatory[0].citations``).

Rows are flat: enum members become their string values; lists of scalars (ids,
CURIEs, synonyms) become lists of strings; a nested record (a finding's ``effect``)
becomes prefixed columns (``effect_measure``, ``effect_value``, ...); ``citations``
become ``reference_ids``; nested records in lists (markers, procedure steps,
conventional treatments) become lists of compact JSON strings. The ``regulatory``
and ``recommendations`` fields are left out of the ``therapies`` and ``indications``
tables because they have tables of their own, joined on ``therapy_id`` and
``indication_id``. Join columns are added where useful: findings carry their
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
import types
import typing
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final, TextIO

import attrs

from .exceptions import UnknownKeyError
from .model import RECORD_TYPES, GuidelineRecommendation, Indication, Product, RegulatoryEvent
from .serialization import unstructure


if TYPE_CHECKING:
    import pandas as pd

    from .knowledge_base import KnowledgeBase


#: Tables that unnest records held inside other records.
CHILD_TABLES: Final = ("recommendations", "regulatory", "citations")

#: Every table name :func:`records` accepts: the collections, then the child tables.
TABLES: Final[tuple[str, ...]] = (*RECORD_TYPES, *CHILD_TABLES)

#: Separator of list items in CSV cells.
LIST_SEPARATOR: Final = "|"

#: Fields left out of a collection table because a child table holds them.
_CHILD_FIELDS: Final = {Product: frozenset({"events"}), Indication: frozenset({"recommendations"})}

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


def records(kb: KnowledgeBase, table: str) -> list[dict[str, object]]:
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


def dataframe(kb: KnowledgeBase, table: str) -> pd.DataFrame:
    """
    Return *table* as a pandas DataFrame, one column per key of :func:`records`.

    pandas is an optional dependency: ``pip install "stemimmune[pandas]"``. List
    values (ids, synonyms, ``reference_ids``, ...) stay Python lists.

    Args:
        kb: The knowledge base to read.
        table: One of :data:`TABLES`.

    Raises:
        UnknownKeyError: *table* is not one of :data:`TABLES`; the error names them.
        ImportError: pandas is not installed; the message names the extra to install.
    """
    names = columns(table)
    try:
        import pandas as pd  # noqa: PLC0415 - an optional dependency, imported on use
    except ImportError as exc:
        msg = 'stemimmune.export.dataframe() needs pandas: pip install "stemimmune[pandas]"'
        raise ImportError(msg, name="pandas") from exc
    return pd.DataFrame.from_records(records(kb, table), columns=list(names))


def write_csv(kb: KnowledgeBase, table: str, stream: TextIO) -> None:
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


def write_json(kb: KnowledgeBase, table: str, stream: TextIO) -> None:
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


def _rows(kb: KnowledgeBase, table: str) -> Iterator[_Row]:
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
    return _citation_row(None, None, None, None, None)


def _record_row(table: str, record: Any, indications: Mapping[str, Indication]) -> _Row:
    row = list(_flatten(RECORD_TYPES[table], record))  # type: ignore[index]  # callers checked the name
    if table == "findings":
        indication = None if record is None else indications[record.indication_id]
        row = _insert_after(
            row,
            "indication_id",
            ("therapy_id", None if indication is None else indication.therapy_id),
            ("disorder_id", None if indication is None else indication.disorder_id),
        )
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
