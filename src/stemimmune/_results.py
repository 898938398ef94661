"""The result types of queries: tuples with a table view, and the records that pair a therapy with its evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

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


R = TypeVar("R", bound=Record)
V = TypeVar("V", bound=Vocabulary)

T_co = TypeVar("T_co", covariant=True)


class Results(tuple[T_co, ...]):
    """
    What a query returns: a tuple of results, with a table view for notebooks and pandas.

    It is a tuple in every way (equal to a tuple of the same items, indexable,
    hashable, picklable); a slice is a plain tuple.
    In Jupyter it renders as an HTML table, and :meth:`to_frame` turns it into a typed
    pandas DataFrame.

    .. versionadded:: 0.2

    Example:
        >>> import stemimmune
        >>> options = stemimmune.load().therapies_for("MS")
        >>> options == tuple(options), list(options.to_frame().columns)[:3]
        (True, ['indication_id', 'therapy_id', 'therapy_name'])
    """

    __slots__ = ()

    def _repr_html_(self) -> str:
        from ._display import results_html  # noqa: PLC0415 - only notebooks need it

        return results_html(self)

    def to_frame(self) -> pd.DataFrame:
        """
        Return the results as a pandas DataFrame, typed as :func:`stemimmune.export.dataframe` types tables.

        Records give the columns of their collection's table; therapy options the
        columns of the ``evidence`` table; search hits ``score``, ``kind``, ``id`` and
        ``matched``.

        Raises:
            ImportError: pandas is not installed; the message names the extra to install.
        """
        from .export import result_frame  # noqa: PLC0415 - export imports this module

        return result_frame(self)


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
