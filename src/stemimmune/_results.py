"""The result types of queries: tuples with a table view, and the records that pair a therapy with its evidence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Generic, Self, TypeVar

import attrs

from ._guidance import strongest_category
from .model import (
    CollectionName,
    Disorder,
    Finding,
    GuidelineRecommendation,
    Indication,
    Record,
    Reference,
    Therapy,
    collection_of,
)
from .vocabulary import (
    CredibilityTier,
    EbmtCategory,
    EvidenceLevel,
    Vocabulary,
)


if TYPE_CHECKING:
    import pandas as pd

    from ._tables import Table


R = TypeVar("R", bound=Record)
V = TypeVar("V", bound=Vocabulary)

T_co = TypeVar("T_co", covariant=True)


class Results(tuple[T_co, ...]):  # noqa: SLOT001 - it holds the class and parent of its results
    """
    What a query returns: a tuple of results, with a table view for notebooks and pandas.

    It is a tuple in every way (equal to a tuple of the same items, indexable,
    hashable, picklable); a slice is a plain tuple.
    It knows the table its items belong to (a collection's for records, ``evidence``
    for therapy options, ``recommendations`` for guideline recommendations, a table of
    ``score``, ``kind``, ``id`` and ``matched`` for search hits), so even an empty
    result has that table's columns.
    In Jupyter it renders as an HTML table, and :meth:`to_frame` turns it into a typed
    pandas DataFrame.

    .. versionadded:: 0.2

    Example:
        >>> import stemimmune
        >>> options = stemimmune.load().therapies_for("MS")
        >>> options == tuple(options), list(options.to_frame().columns)[:3]
        (True, ['indication_id', 'therapy_id', 'therapy_name'])
    """

    _of: type | None
    _parent: Record | None

    def __new__(cls, items: Iterable[T_co] = (), *, of: type | None = None, parent: Record | None = None) -> Self:
        """
        Hold *items*, results of the class *of*, all belonging to *parent*.

        Args:
            items: The results.
            of: The class of the results, which names their table (a record class,
                :class:`GuidelineRecommendation`, :class:`TherapyOption` or
                :class:`SearchHit`); by default the class of the items when they
                share one.
            parent: The record the results belong to, for the table's join columns
                (the indication of guideline recommendations).
        """
        self = super().__new__(cls, items)
        self._of = of
        self._parent = parent
        return self

    def _table(self) -> Table | None:
        """The table of these results, or None when their class has none."""
        kinds = {type(item) for item in self}
        of = self.__dict__.get("_of") or (kinds.pop() if len(kinds) == 1 else None)
        return None if of is None else table_of(of)

    def _rows(self) -> tuple[tuple[str, ...], list[dict[str, object]], dict[str, type]]:
        """The columns, one row per result, and the types of the scalar columns."""
        declared = self._table()
        if declared is None:
            return ("value",), [{"value": item} for item in self], {}
        return declared.names, declared.rows_of(self, self.__dict__.get("_parent")), declared.kinds

    def _repr_html_(self) -> str:
        """
        An HTML table of the results: the columns their table shows (:attr:`Table.shown`), what tells rows apart first.

        Recommendations show their scheme, population and donor column; trials their
        phase, status, the date the status was seen and enrolment. A note under the
        table counts the columns left out, which :meth:`to_frame` has.
        """
        from ._display import results_html  # noqa: PLC0415 - only notebooks need it

        names, rows, _ = self._rows()
        declared = self._table()
        shown = declared.shown if declared is not None and declared.shown else None
        return results_html(names, rows, shown=shown)

    def to_frame(self) -> pd.DataFrame:
        """
        Return the results as a pandas DataFrame, typed as :func:`stemimmune.export.dataframe` types tables.

        The columns are those of the results' table, whatever the number of results:
        records give the columns of their collection's table, therapy options those
        of the ``evidence`` table, guideline recommendations those of the
        ``recommendations`` table, search hits ``score``, ``kind``, ``id`` and
        ``matched``. Results of no table give one ``value`` column.

        Raises:
            ImportError: pandas is not installed; the message names the extra to install.
        """
        from ._tables import frame  # noqa: PLC0415 - the table views are imported by the first one asked for

        names, rows, kinds = self._rows()
        return frame(names, kinds, rows, "to_frame")


class _Result:
    """Notebook display shared by query results."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        from ._display import record_html  # noqa: PLC0415 - only notebooks need it

        return record_html(self)


@attrs.frozen
class TherapyOption(_Result):
    """
    A therapy studied for a disorder, with the indication that grades the evidence.

    Attributes:
        therapy: The therapy.
        indication: The indication linking it to the disorder.
        disorder: The disorder (the one asked about, or one of its subtypes).
        recommendations: The indication's guideline recommendations in force for the
            disorder: the latest of each guideline body, those that apply to it
            (``recommendations_for(indication, latest=True, disorder=disorder)``).
    """

    therapy: Therapy
    indication: Indication
    disorder: Disorder
    recommendations: tuple[GuidelineRecommendation, ...]

    @property
    def evidence_level(self) -> EvidenceLevel:
        """The strongest study design behind the indication."""
        return self.indication.evidence_level

    @property
    def ebmt_category(self) -> EbmtCategory | None:
        """
        The strongest EBMT category among the :attr:`recommendations` in force, if any.

        A superseded guideline's category never counts: when a body's newer guideline
        gives no EBMT letter (a statement), this is None even if an older one did.
        """
        return strongest_category(self.recommendations)

    def __repr__(self) -> str:
        """Show the ids and the grade, not every nested field."""
        category = self.ebmt_category.value if self.ebmt_category else None
        return (
            f"TherapyOption(therapy={self.therapy.id!r}, disorder={self.disorder.id!r}, "
            f"evidence_level={self.evidence_level.value!r}, ebmt_category={category!r})"
        )


@attrs.frozen
class SearchHit(_Result, Generic[R]):
    """
    One search result.

    Attributes:
        record: The record found.
        score: Similarity from 0 to 1; 1 is an exact match of a name, synonym, id or CURIE.
        matched: The name, synonym, id or CURIE that matched best, as written in the data.
    """

    record: R
    score: float
    matched: str

    @property
    def kind(self) -> CollectionName:
        """The collection the record belongs to, e.g. ``"disorders"``."""
        return collection_of(self.record)

    def __repr__(self) -> str:
        """Show the kind, id, score and the matched text."""
        return f"SearchHit({self.kind}:{self.record.id!r}, score={self.score:.2f}, matched={self.matched!r})"


@attrs.frozen
class EvidenceSummary(_Result):
    """
    What the data says about treating one disorder.

    Attributes:
        disorder: The disorder.
        options: Therapies studied for it (and its subtypes), strongest evidence first.
        findings: Quantitative results behind those options.
        references: Every reference behind the options and findings, strongest tier first.
    """

    disorder: Disorder
    options: tuple[TherapyOption, ...]
    findings: tuple[Finding, ...]
    references: tuple[Reference, ...]

    @property
    def strongest_evidence(self) -> EvidenceLevel | None:
        """The strongest evidence level among the options, if there are any."""
        return max((o.evidence_level for o in self.options), default=None)

    @property
    def references_by_tier(self) -> dict[CredibilityTier, int]:
        """How many references of each credibility tier, strongest tier first."""
        counts: dict[CredibilityTier, int] = {}
        for reference in self.references:
            counts[reference.tier] = counts.get(reference.tier, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: item[0], reverse=True))

    def __repr__(self) -> str:
        """Summarise counts rather than listing every record."""
        strongest = self.strongest_evidence.value if self.strongest_evidence else None
        return (
            f"EvidenceSummary(disorder={self.disorder.id!r}, options={len(self.options)}, "
            f"findings={len(self.findings)}, references={len(self.references)}, strongest_evidence={strongest!r})"
        )


def table_of(kind: type) -> Table | None:
    """The table of results of the class *kind*: a record's collection, evidence, search hits; None for others."""
    from ._tables import BY_ITEM_CLASS, EVIDENCE, SEARCH_HITS  # noqa: PLC0415 - queries need no table; views import them

    result_tables: dict[type, Table] = {TherapyOption: EVIDENCE, SearchHit: SEARCH_HITS}  # records declare theirs there
    return result_tables.get(kind) or BY_ITEM_CLASS.get(kind)
