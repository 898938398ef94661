"""Argument checking shared by the queries: filter names, vocabulary terms, flags and dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypedDict, TypeVar

from . import _dates
from ._text import with_article
from .exceptions import (
    ArgumentTypeError,
    InvalidArgumentError,
    argument_type_error,
)
from .model import (
    CellSource,
    CellType,
    Mechanism,
    Record,
    Therapy,
)
from .vocabulary import (
    DisorderCategory,
    DonorRelation,
    EbmtCategory,
    EvidenceLevel,
    MechanismKind,
    RegulatoryDecision,
    Vocabulary,
    parse_jurisdiction,
    parse_term,
)


if TYPE_CHECKING:
    pass


R = TypeVar("R", bound=Record)
V = TypeVar("V", bound=Vocabulary)


class TherapyFilters(TypedDict, total=False):
    """
    Filters on the therapy of an indication; every one given must hold (AND).

    A filter set to None is not applied: the answer is exactly the one without it.

    Attributes:
        therapy: This therapy only.
        mechanism: Therapies acting by this mechanism record.
        mechanism_kind: Therapies with a mechanism of this kind (``"immunomodulation"``).
        cell_type: Therapies giving this cell type.
        cell_source: Therapies taking cells from this source.
        donor_relation: ``"autologous"`` or ``"allogeneic"``.
        regulatory: Therapies with a product whose status (:meth:`~stemimmune.model.Product.status`)
            is this, on *on* (default today), for the disorder concerned: ``"approved"``,
            ``"withdrawn"``... (a decision that sets a status).
        jurisdiction: With *regulatory*: the status in this jurisdiction (``"US"``, ``"EU"``);
            without it, in any jurisdiction.
        on: With *regulatory*: the status on this day (a :class:`datetime.date`, a
            :class:`datetime.datetime` or ``"YYYY-MM-DD"``) instead of today.
        stem_cell_only: Leave out comparators that use no stem cells (CAR-T cells).
    """

    therapy: Therapy | str | None
    mechanism: Mechanism | str | None
    mechanism_kind: MechanismKind | str | None
    cell_type: CellType | str | None
    cell_source: CellSource | str | None
    donor_relation: DonorRelation | str | None
    regulatory: RegulatoryDecision | str | None
    jurisdiction: str | None
    on: dt.date | str | None
    stem_cell_only: bool | None


class IndicationFilters(TherapyFilters, total=False):
    """
    Filters on indications: the :class:`TherapyFilters` and these.

    Attributes:
        include_subtypes: With a disorder, also its subtypes (default True).
        category: Disorders of this category (``"autoimmune"``).
        min_evidence: At least this evidence level (``"observational"``).
        ebmt_category: With a guideline recommendation of this category (``"CO"``).
    """

    include_subtypes: bool | None
    category: DisorderCategory | str | None
    min_evidence: EvidenceLevel | str | None
    ebmt_category: EbmtCategory | str | None


THERAPY_FILTERS: Final = frozenset(TherapyFilters.__annotations__)
INDICATION_FILTERS: Final = frozenset(IndicationFilters.__annotations__)

#: The filters that select indications, not therapies (``include_subtypes`` only qualifies a disorder).
ON_INDICATIONS: Final = INDICATION_FILTERS - THERAPY_FILTERS - {"include_subtypes"}

#: The filters that are True or False.
_FLAGS: Final = ("include_subtypes", "stem_cell_only")


def given_filters(filters: Mapping[str, object], allowed: frozenset[str], function: str) -> dict[str, Any]:
    """
    The filters a query applies: every one given a value other than None.

    A filter set to None is not applied, exactly as if it were absent, so every query
    calls this once at its entry and decides everything else on what it returns.
    Unknown filter names and flags that are not True or False are refused here.
    """
    check_filters(filters, allowed, function)
    given = {name: value for name, value in filters.items() if value is not None}
    for name in _FLAGS:
        if name in given:
            flag(given[name], name)
    return given


def flag(value: object, argument: str) -> bool:
    if not isinstance(value, bool):
        raise argument_type_error(argument, "True or False", value)
    return value


def check_filters(filters: Mapping[str, object], allowed: frozenset[str], function: str) -> None:
    unknown = sorted(set(filters) - allowed)
    if unknown:
        raise ArgumentTypeError(
            unknown[0], f"one of the filters of {function}(): {', '.join(sorted(allowed))}", "an unknown keyword"
        )


def parse_day(on: object, argument: str = "on") -> dt.date | None:
    """An ``on=`` argument as a day (None stays None), read by the one parser of :mod:`stemimmune._dates`."""
    return None if on is None else _dates.parse_day(on, argument)


def parse_code(value: object, argument: str = "jurisdiction") -> str | None:
    """A jurisdiction argument as its code (None stays None), read by the vocabulary's one parser."""
    return None if value is None else parse_jurisdiction(value, argument)


def status_term(value: object, argument: str) -> RegulatoryDecision:
    """A status argument: a decision that sets a status (opinions and designations set none)."""
    wanted = parse_term(RegulatoryDecision, value, argument)  # type: ignore[arg-type]  # term checks the type
    if not wanted.sets_status:
        raise InvalidArgumentError(
            argument,
            f"{wanted.value!r} does not set a status; expected one of: "
            + ", ".join(repr(d.value) for d in RegulatoryDecision if d.sets_status),
        )
    return wanted


def terms(kind: type[V], value: object, argument: str) -> frozenset[V]:
    """One vocabulary term, or an iterable of them, as a set of members."""
    if isinstance(value, str):
        return frozenset({parse_term(kind, value, argument)})
    if isinstance(value, Iterable):
        found = frozenset(parse_term(kind, item, argument) for item in value)
        if not found:
            raise InvalidArgumentError(argument, f"expected at least one {kind.__name__}")
        return found
    raise argument_type_error(argument, f"{with_article(kind.__name__)}, or several", value)
