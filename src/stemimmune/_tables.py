"""
The tables, each declared once: its columns and their types, its keys, and how an item becomes a row.

:mod:`stemimmune.export` reads these declarations to give rows, DataFrames, CSV,
Parquet and the Data Package; query results read them to become DataFrames and
notebook tables. Adding a table is adding one declaration to :data:`TABLES`; nothing
else dispatches on a table's name.

A row is a list of (column, cell) pairs in the order of the table's columns. A
table's :attr:`Table.row` makes it from one item and the record the item belongs to:
a record and None for a collection table (a finding and its indication, for the join
columns), a guideline recommendation and its indication, a regulatory event and its
product, an item of a nested list (with its position) and the record holding it, a
citation (with where it sits) and the record citing it, a therapy option, a search hit.
"""

from __future__ import annotations

import enum
import functools
import json
import re
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final, NamedTuple, Protocol

import attrs

from ._dates import PartialDate
from ._guidance import best_category
from ._text import did_you_mean, listing, shorten
from .exceptions import InvalidArgumentError, argument_type_error
from .model import (
    LINKS_TO,
    RECORD_TYPES,
    CellType,
    CollectionName,
    ConventionalTreatment,
    Disorder,
    Finding,
    GuidelineRecommendation,
    Indication,
    Marker,
    ProcedureStep,
    Product,
    ProductHolder,
    Record,
    Reference,
    RegulatoryEvent,
    Therapy,
    collection_of,
    iter_citations,
)
from .serialization import unstructure
from .vocabulary import CredibilityTier, DisorderCategory, EbmtCategory, EvidenceLevel, _Ordered


if TYPE_CHECKING:
    import pandas as pd


Row = list[tuple[str, object]]


class Tables(Protocol):
    """
    What the tables read of a knowledge base: its version and its collections.

    A :class:`~stemimmune.KnowledgeBase` is one; naming it here instead of importing
    it keeps the views below the container, so data flows one way.
    """

    @property
    def version(self) -> str: ...
    def collections(self) -> Mapping[CollectionName, tuple[Record, ...]]: ...


@attrs.frozen
class Column:
    """
    One column of a table.

    Attributes:
        name: The column's name.
        kind: The type of its cells: a vocabulary, ``int``, ``float``, ``bool`` or
            ``str``; None for a list (of ids, synonyms, nested records as JSON, ...).
        ranks: For the integer rank column that follows an ordered vocabulary's
            column, the name of that column; None for every other column.
    """

    name: str
    kind: type | None
    ranks: str | None = None


@attrs.frozen(kw_only=True, eq=False)
class Table:
    """
    The declaration of one table.

    Attributes:
        name: The table's name, as :func:`stemimmune.export.records` takes it.
        columns: Its columns, in order.
        primary_key: The columns that identify a row (empty when none does).
        foreign_keys: (column, collection) for each column holding the id of one record.
        row: One item, and the record it belongs to (or None), as a row.
        items: (item, record it belongs to) for every row of a knowledge base; None
            for a table that only query results have.
        item_class: The class of the items a query result holds, when it is one.
        shown: The columns a notebook shows of a query result, in order: those that
            tell rows apart first (a trial's phase, status and its date, enrolment; a
            recommendation's scheme, population and donor column); empty for every
            column. ``to_frame()`` and the exports always have every column.
    """

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[tuple[str, str], ...] = ()
    row: Callable[[Any, Any], Row]
    items: Callable[[Tables], Iterator[tuple[Any, Any]]] | None = None
    item_class: type | None = None
    shown: tuple[str, ...] = ()

    @functools.cached_property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(column.name for column in self.columns)

    @functools.cached_property
    def kinds(self) -> dict[str, type]:
        """The type of each scalar column, in column order; list columns are left out."""
        return {column.name: column.kind for column in self.columns if column.kind is not None}

    def rows(self, kb: Tables) -> Iterator[Row]:
        """Every row of *kb*, in its order."""
        if self.items is None:
            return iter(())
        return (self.row(item, parent) for item, parent in self.items(kb))

    def rows_of(self, items: Iterable[object], parent: object = None) -> list[dict[str, object]]:
        """One row per item of a query result, all belonging to *parent*, as dicts."""
        return [dict(self.row(item, parent)) for item in items]

    def __repr__(self) -> str:
        return f"<Table {self.name}>"


#: Columns added by joins, and the collection whose id they hold.
_JOIN_KEYS: Final[dict[str, CollectionName]] = {
    "indication_id": "indications",
    "therapy_id": "therapies",
    "disorder_id": "disorders",
    "product_id": "products",
    "reference_id": "references",
}

#: Fields left out of a collection table because a child table holds them.
_CHILD_FIELDS: Final[dict[type, frozenset[str]]] = {
    Product: frozenset({"events", "holders"}),
    Indication: frozenset({"recommendations"}),
    CellType: frozenset({"markers"}),
    Therapy: frozenset({"procedure"}),
    Disorder: frozenset({"conventional_treatments"}),
}

#: The columns a notebook shows of each table's query results (:attr:`Table.shown`), what tells rows apart first.
SHOWN: Final[dict[str, tuple[str, ...]]] = {
    "trials": (
        "id", "registry_ids", "title", "phase", "status", "status_as_of", "enrollment", "enrollment_kind",
        "randomized", "start_date", "completion_date", "countries", "disorder_ids", "therapy_ids",
    ),
    "recommendations": (
        "reference_id", "scheme", "categories", "astct_category", "statement", "grade", "population",
        "donor_type", "applies_to", "qualifier", "locator", "indication_id",
    ),
    "indications": ("evidence_level", "therapy_id", "disorder_id", "id", "trial_ids", "summary"),
    "findings": (
        "design", "therapy_id", "disorder_id", "id", "population", "endpoint", "result", "n", "comparator",
        "effect_measure", "effect_value", "effect_ci_low", "effect_ci_high", "effect_unit", "follow_up",
        "reference_ids",
    ),
    "evidence": (
        "evidence_level", "best_category", "therapy_name", "disorder_name", "disorder_category", "stem_cell",
        "therapy_id", "disorder_id", "indication_id",
    ),
    "references": ("tier", "kind", "id", "title", "year", "body", "venue", "doi", "pmid", "trial_ids", "url"),
    "products": ("id", "name", "generic_name", "therapy_id", "description"),
    "regulatory": (
        "product_id", "jurisdiction", "agency", "decision", "date", "designation", "label_population",
        "disorder_ids", "expires",
    ),
    "disorders": ("id", "name", "category", "scope", "parent_ids", "synonyms"),
    "therapies": (
        "id", "name", "donor_relation", "cell_type_id", "is_stem_cell_therapy", "source_ids", "mechanism_ids",
        "synonyms",
    ),
}  # fmt: skip

#: Months in a day, a week and a year, for :func:`follow_up_months`.
_MONTHS_PER: Final = {"day": 12 / 365.25, "week": 7 * 12 / 365.25, "month": 1.0, "year": 12.0}


# ------------------------------------------------------------------ declaring a table


def _table(
    name: str,
    typed: Iterable[tuple[str, object]],
    *,
    row: Callable[[Any, Any], Row],
    items: Callable[[Tables], Iterator[tuple[Any, Any]]] | None,
    primary_key: tuple[str, ...] = (),
    item_class: type | None = None,
    links_from: Iterable[type] = (),
    parent_key: tuple[str, CollectionName] | None = None,
) -> Table:
    """
    Declare a table from (column, annotation) pairs.

    Its foreign keys are the parent's id column (*parent_key*), the fields of
    *links_from* that link to one record, then the join columns, among its scalar columns.
    """
    columns = _with_ranks(Column(name, _scalar_type(annotation)) for name, annotation in typed)
    ranked = {column.ranks: column.name for column in columns if column.ranks is not None}
    if ranked:
        row = _ranked(row, {name: (rank, _RANKS[_kind_of(columns, name)]) for name, rank in ranked.items()})
    found: dict[str, str] = dict([parent_key]) if parent_key else {}
    for cls in links_from:
        for field in _fields(cls):
            targets = field.metadata.get(LINKS_TO, ())
            if len(targets) == 1 and _scalar_type(field.type) is str:
                found[field.name] = targets[0]
    for column in columns:
        if column.name in _JOIN_KEYS and column.name not in found and column.name != "id":
            found[column.name] = _JOIN_KEYS[column.name]
    scalar = {column.name for column in columns if column.kind is not None}
    return Table(
        name=name,
        columns=columns,
        primary_key=primary_key,
        foreign_keys=tuple((column, target) for column, target in found.items() if column in scalar),
        row=row,
        items=items,
        item_class=item_class,
        shown=SHOWN.get(name, ()),
    )


def rank_column(name: str) -> str:
    """
    Return the name of the rank column beside the ordered vocabulary column *name*.

    A trailing ``_level`` is dropped, then ``_rank`` added: ``evidence_level`` gives
    ``evidence_rank``, ``phase`` gives ``phase_rank``, ``tier`` gives ``tier_rank``.
    """
    return name.removesuffix("_level") + "_rank"


def _with_ranks(columns: Iterable[Column]) -> tuple[Column, ...]:
    """*columns*, with an integer rank column after each column of an ordered vocabulary."""
    result: list[Column] = []
    for column in columns:
        result.append(column)
        if column.kind is not None and issubclass(column.kind, _Ordered):
            result.append(Column(rank_column(column.name), int, ranks=column.name))
    return tuple(result)


def _kind_of(columns: Iterable[Column], name: str) -> type[_Ordered]:
    return next(
        column.kind
        for column in columns
        if column.name == name and column.kind is not None and issubclass(column.kind, _Ordered)
    )


class _RankOf(dict[type[_Ordered], dict[str, int]]):
    """The rank of each value of an ordered vocabulary, by vocabulary, built on first use."""

    def __missing__(self, kind: type[_Ordered]) -> dict[str, int]:
        ranks = self[kind] = {member.value: member.rank for member in kind}
        return ranks


_RANKS: Final = _RankOf()


def _ranked(row: Callable[[Any, Any], Row], ranked: dict[str, tuple[str, dict[str, int]]]) -> Callable[[Any, Any], Row]:
    """*row*, with the rank of each ordered vocabulary's value after its cell (None beside None)."""

    def ranked_row(item: Any, parent: Any) -> Row:
        cells: Row = []
        for name, cell in row(item, parent):
            cells.append((name, cell))
            if name in ranked:
                rank, ranks = ranked[name]
                cells.append((rank, None if cell is None else ranks[cell]))  # type: ignore[index]
        return cells

    return ranked_row


def _collection_table(name: CollectionName) -> Table:
    """A table of one row per record of a collection."""
    cls = RECORD_TYPES[name]
    typed = list(_flatten_types(cls))
    row: Callable[[Any, Any], Row] = functools.partial(_record_row, cls)
    if cls is Finding:
        typed = _insert_after(typed, "indication_id", ("therapy_id", str), ("disorder_id", str))
        typed = _insert_after(typed, "follow_up", ("follow_up_months_low", float), ("follow_up_months_high", float))
        row = _finding_row
    elif cls is Reference:
        typed = _insert_after(typed, "kind", ("tier", CredibilityTier))
        row = _reference_row
    return _table(
        name,
        typed,
        row=row,
        items=functools.partial(_findings if cls is Finding else _records, name),
        primary_key=("id",),
        item_class=cls,
        links_from=(cls,),
    )


def _records(name: CollectionName, kb: Tables) -> Iterator[tuple[Any, Any]]:
    return ((record, None) for record in kb.collections()[name])


def _findings(name: CollectionName, kb: Tables) -> Iterator[tuple[Any, Any]]:
    collections = kb.collections()
    indications = {indication.id: indication for indication in collections["indications"]}
    return ((finding, indications.get(finding.indication_id)) for finding in collections[name])  # type: ignore[union-attr]


def _record_row(cls: type, record: Any, _parent: object) -> Row:
    return list(_flatten(cls, record))


def _finding_row(finding: Finding, indication: Indication | None) -> Row:
    """A finding's row, with its indication's therapy and disorder (None without the indication)."""
    row = list(_flatten(Finding, finding))
    row = _insert_after(
        row,
        "indication_id",
        ("therapy_id", None if indication is None else indication.therapy_id),
        ("disorder_id", None if indication is None else indication.disorder_id),
    )
    low, high = follow_up_months(finding.follow_up)
    return _insert_after(row, "follow_up", ("follow_up_months_low", low), ("follow_up_months_high", high))


def _reference_row(reference: Reference, _parent: object) -> Row:
    return _insert_after(list(_flatten(Reference, reference)), "kind", ("tier", reference.tier.value))


def _recommendation_row(recommendation: GuidelineRecommendation, indication: Indication | None) -> Row:
    return [
        ("indication_id", None if indication is None else indication.id),
        ("therapy_id", None if indication is None else indication.therapy_id),
        ("disorder_id", None if indication is None else indication.disorder_id),
        *_flatten(GuidelineRecommendation, recommendation),
    ]


def _recommendations(kb: Tables) -> Iterator[tuple[Any, Any]]:
    for indication in kb.collections()["indications"]:
        for recommendation in indication.recommendations:  # type: ignore[union-attr]
            yield recommendation, indication


def _regulatory_row(event: RegulatoryEvent, product: Product | None) -> Row:
    return [
        ("product_id", None if product is None else product.id),
        ("therapy_id", None if product is None else product.therapy_id),
        *_flatten(RegulatoryEvent, event),
    ]


def _regulatory(kb: Tables) -> Iterator[tuple[Any, Any]]:
    for product in kb.collections()["products"]:
        for event in product.events:  # type: ignore[union-attr]
            yield event, product


def _nested_table(name: str, parents: CollectionName, field: str, item_class: type, key: str) -> Table:
    """A child table of one row per item of a list of nested records, with the parent's id and the item's position."""

    def row(positioned: tuple[int, object], parent: Any) -> Row:
        position, item = positioned
        return [(key, None if parent is None else parent.id), ("position", position), *_flatten(item_class, item)]

    def items(kb: Tables) -> Iterator[tuple[Any, Any]]:
        for parent in kb.collections()[parents]:
            for position, item in enumerate(getattr(parent, field)):
                yield (position, item), parent

    return _table(
        name,
        [(key, str), ("position", int), *_flatten_types(item_class)],
        row=row,
        items=items,
        primary_key=(key, "position"),
        links_from=(item_class,),
        parent_key=(key, parents),
    )


def _citation_row(cited: tuple[str, Any], record: Any) -> Row:
    field, citation = cited
    return [
        ("record_kind", collection_of(record)),
        ("record_id", record.id),
        ("field", field),
        ("reference_id", citation.reference_id),
        ("locator", citation.locator),
    ]


def _citations(kb: Tables) -> Iterator[tuple[Any, Any]]:
    for records in kb.collections().values():
        for record in records:
            for cited in iter_citations(record):
                yield cited, record


class _Option(Protocol):
    """What a row of ``evidence`` is made from: a query's therapy option is one."""

    @property
    def indication(self) -> Indication: ...
    @property
    def therapy(self) -> Therapy: ...
    @property
    def disorder(self) -> Disorder: ...
    @property
    def ebmt_category(self) -> EbmtCategory | None: ...


class _Joined(NamedTuple):
    indication: Indication
    therapy: Therapy
    disorder: Disorder
    ebmt_category: EbmtCategory | None  # the strongest category in force (_guidance.best_category)


def _evidence_row(option: _Option, _parent: object) -> Row:
    indication, therapy, disorder = option.indication, option.therapy, option.disorder
    category = option.ebmt_category
    return [
        ("indication_id", indication.id),
        ("therapy_id", therapy.id),
        ("therapy_name", therapy.name),
        ("disorder_id", disorder.id),
        ("disorder_name", disorder.name),
        ("disorder_category", disorder.category.value),
        ("stem_cell", therapy.is_stem_cell_therapy),
        ("evidence_level", indication.evidence_level.value),
        ("best_category", None if category is None else category.value),
    ]


def _evidence(kb: Tables) -> Iterator[tuple[Any, Any]]:
    collections = kb.collections()
    therapies: dict[str, Any] = {t.id: t for t in collections["therapies"]}
    disorders: dict[str, Any] = {d.id: d for d in collections["disorders"]}
    references: dict[str, Any] = {r.id: r for r in collections["references"]}
    for indication in collections["indications"]:
        therapy, disorder = therapies[indication.therapy_id], disorders[indication.disorder_id]  # type: ignore[union-attr]
        category = best_category(indication, references)  # type: ignore[arg-type]
        yield _Joined(indication, therapy, disorder, category), None  # type: ignore[arg-type]


class _Hit(Protocol):
    """What a row of search hits is made from: a query's search hit is one."""

    @property
    def score(self) -> float: ...
    @property
    def kind(self) -> str: ...
    @property
    def record(self) -> Record: ...
    @property
    def matched(self) -> str: ...


def _hit_row(hit: _Hit, _parent: object) -> Row:
    return [("score", hit.score), ("kind", hit.kind), ("id", hit.record.id), ("matched", hit.matched)]


# ------------------------------------------------------------------ typed DataFrames


def pandas(function: str) -> Any:
    """The pandas module, or an ImportError naming *function* and the extra to install."""
    try:
        import pandas as pd  # noqa: PLC0415 - an optional dependency, imported on use
    except ImportError as exc:
        msg = f'stemimmune.export.{function}() needs pandas: pip install "stemimmune[pandas]"'
        raise ImportError(msg, name="pandas") from exc
    return pd


def frame(
    names: Iterable[str], kinds: Mapping[str, type], rows: Iterable[Mapping[str, object]], function: str
) -> pd.DataFrame:
    """
    Return *rows* as a DataFrame of the columns *names*, each typed by its kind, whatever the number of rows.

    A vocabulary is a ``Categorical`` of its values (ordered for an ordered one), an
    ``int`` a nullable ``Int64``, a ``float`` a ``float64``, a ``bool`` a nullable
    ``boolean`` and a ``str`` pandas' default string type; lists stay Python lists.
    """
    library = pandas(function)
    result: pd.DataFrame = library.DataFrame.from_records(list(rows), columns=list(names))
    text = library.Series(["text"]).dtype  # "str" from pandas 3 on, object before
    for name, kind in kinds.items():
        if issubclass(kind, enum.Enum):
            values = [m.value for m in kind]
            result[name] = library.Categorical(result[name], categories=values, ordered=issubclass(kind, _Ordered))
        elif kind is int:
            result[name] = result[name].astype("Int64")
        elif kind is float:
            result[name] = result[name].astype("float64")
        elif kind is bool:
            result[name] = result[name].astype("boolean")
        elif kind is str:
            result[name] = result[name].astype(text)
    return result


# ------------------------------------------------------------------ flattening


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


def _scalar_type(annotation: object) -> type | None:
    """The scalar type an annotation names, alone or in ``X | None``; None for lists and tuples."""
    candidates = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    for candidate in candidates:
        if candidate is type(None):
            continue
        if candidate is PartialDate:  # written as its ISO text
            return str
        if isinstance(candidate, type) and (issubclass(candidate, enum.Enum) or candidate in {int, float, bool, str}):
            return candidate
        return None
    return None


def _insert_after(row: Row, after: str, *extra: tuple[str, object]) -> Row:
    position = [key for key, _ in row].index(after) + 1
    return [*row[:position], *extra, *row[position:]]


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


# ------------------------------------------------------------------ the tables


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

#: Tables that join records for the common questions.
JOINED_TABLES: Final = ("evidence",)

#: ``evidence``: one row per indication with its therapy, disorder, stem-cell flag,
#: evidence level and best guideline category; also the table of therapy options.
EVIDENCE: Final = _table(
    "evidence",
    [
        ("indication_id", str),
        ("therapy_id", str),
        ("therapy_name", str),
        ("disorder_id", str),
        ("disorder_name", str),
        ("disorder_category", DisorderCategory),
        ("stem_cell", bool),
        ("evidence_level", EvidenceLevel),
        ("best_category", EbmtCategory),
    ],
    row=_evidence_row,
    items=_evidence,
    primary_key=("indication_id",),
)

#: The table of search hits: only query results have it.
SEARCH_HITS: Final = _table(
    "search_hits",
    [("score", float), ("kind", str), ("id", str), ("matched", str)],
    row=_hit_row,
    items=None,
)

#: Every table of a knowledge base, by name: the collections, the child tables, then the joined ones.
TABLES: Final[dict[str, Table]] = {
    table.name: table
    for table in (
        *(_collection_table(name) for name in RECORD_TYPES),
        _table(
            "recommendations",
            [
                ("indication_id", str),
                ("therapy_id", str),
                ("disorder_id", str),
                *_flatten_types(GuidelineRecommendation),
            ],
            row=_recommendation_row,
            items=_recommendations,
            item_class=GuidelineRecommendation,
            links_from=(GuidelineRecommendation,),
        ),
        _table(
            "regulatory",
            [("product_id", str), ("therapy_id", str), *_flatten_types(RegulatoryEvent)],
            row=_regulatory_row,
            items=_regulatory,
            item_class=RegulatoryEvent,
            links_from=(RegulatoryEvent,),
        ),
        _nested_table("markers", "cell_types", "markers", Marker, "cell_type_id"),
        _nested_table("procedure_steps", "therapies", "procedure", ProcedureStep, "therapy_id"),
        _nested_table(
            "conventional_treatments", "disorders", "conventional_treatments", ConventionalTreatment, "disorder_id"
        ),
        _nested_table("product_holders", "products", "holders", ProductHolder, "product_id"),
        _table(
            "citations",
            [(name, str) for name in ("record_kind", "record_id", "field", "reference_id", "locator")],
            row=_citation_row,
            items=_citations,
        ),
        EVIDENCE,
    )
}

#: The table of each class of record a query result can hold.
BY_ITEM_CLASS: Final[dict[type, Table]] = {
    table.item_class: table for table in TABLES.values() if table.item_class is not None
}


def table(name: object) -> Table:
    """
    Return the declaration of the table *name*.

    Raises:
        ArgumentTypeError: *name* is not a string.
        InvalidArgumentError: *name* names no table; the error suggests the closest
            names (:func:`~stemimmune._text.did_you_mean`) and lists them all.
    """
    if not isinstance(name, str):
        raise argument_type_error("table", "a table name such as 'findings'", name)
    try:
        return TABLES[name]
    except KeyError:
        pass
    guess = did_you_mean(name, TABLES)
    guess += " " if guess else ""
    raise InvalidArgumentError(
        "table", f"{_shown(name)} is not a table; {guess}expected one of: {listing(TABLES)}"
    ) from None


def _shown(name: str) -> str:
    return shorten(name)
