"""Filters: indications, therapies, products and trials passing every filter given, and guideline recommendations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any, Final, TypeVar

from ._guidance import applies, in_force, year_of
from ._index import Index
from .exceptions import (
    InvalidArgumentError,
    argument_type_error,
)
from .model import (
    CellSource,
    CellType,
    Disorder,
    GuidelineRecommendation,
    Indication,
    Mechanism,
    Product,
    Record,
    Therapy,
    Trial,
)
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
)


if TYPE_CHECKING:
    pass
from ._arguments import (
    INDICATION_FILTERS,
    THERAPY_FILTERS,
    check_filters,
    flag,
    parse_day,
    term,
    terms,
)
from ._lookup import resolve
from ._results import Results, TherapyOption


R = TypeVar("R", bound=Record)
V = TypeVar("V", bound=Vocabulary)


def find_indications(index: Index, *, disorder: Disorder | str | None = None, **filters: Any) -> Results[Indication]:
    """Indications passing every filter, strongest evidence first (see :meth:`KnowledgeBase.find_indications`)."""
    check_filters(filters, INDICATION_FILTERS, "find_indications")
    ids = _indication_ids(index, disorder, filters)
    return Results(index.by_id[i] for i in sorted(ids, key=index.sort_key.__getitem__))  # type: ignore[misc]


def therapies_for(index: Index, disorder: Disorder | str, **filters: Any) -> Results[TherapyOption]:
    """Therapy options for a disorder and its subtypes (see :meth:`KnowledgeBase.therapies_for`)."""
    check_filters(filters, INDICATION_FILTERS, "therapies_for")
    if disorder is None:
        raise argument_type_error("disorder", "a Disorder, or its id, name or CURIE", disorder)
    return Results(
        TherapyOption(
            therapy=index.by_id[indication.therapy_id],  # type: ignore[arg-type]
            indication=indication,
            disorder=index.by_id[indication.disorder_id],  # type: ignore[arg-type]
            recommendations=tuple(recommendations_for(index, indication, latest=True)),
        )
        for indication in find_indications(index, disorder=disorder, **filters)
    )


def find_therapies(index: Index, *, disorder: Disorder | str | None = None, **filters: Any) -> Results[Therapy]:
    """Therapies passing every filter, by id (see :meth:`KnowledgeBase.find_therapies`)."""
    check_filters(filters, INDICATION_FILTERS, "find_therapies")
    if disorder is not None or set(filters) - THERAPY_FILTERS:
        ids: AbstractSet[str] = {index.by_id[i].therapy_id for i in _indication_ids(index, disorder, filters)}  # type: ignore[union-attr]
    else:
        passing = _therapy_ids(index, filters)
        ids = {t.id for t in index.records("therapies")} if passing is None else passing
    return Results(sorted((index.by_id[i] for i in ids), key=lambda t: t.id))  # type: ignore[misc]


def _indication_ids(index: Index, disorder: Disorder | str | None, filters: Mapping[str, Any]) -> AbstractSet[str]:
    """
    Return the ids of the indications passing every given filter.

    Each filter names an indexed set holding exactly the indications that pass it (the
    disorder's, a category's, an evidence level's and up, an EBMT category's, a
    regulatory decision's); the answer is their intersection, computed in C from the
    smallest set up. The therapy filters give a set of therapies, whose indications are
    read from the index when they are fewer than the smallest set, and otherwise tested
    on its members, so the cost follows the result, not the data.
    """
    sets: list[AbstractSet[str]] = []
    if disorder is not None:
        root = resolve(index, disorder, Disorder, "disorder")
        if flag(filters.get("include_subtypes", True), "include_subtypes"):
            sets.append(index.indications_under.get(root.id, _NONE))
        else:
            sets.append(index.indications_by_disorder.get(root.id, _NONE))
    elif "include_subtypes" in filters:
        flag(filters["include_subtypes"], "include_subtypes")
    if filters.get("category") is not None:
        category = term(DisorderCategory, filters["category"], "category")
        sets.append(index.indications_by_category.get(category, _NONE))
    if filters.get("min_evidence") is not None:
        level = term(EvidenceLevel, filters["min_evidence"], "min_evidence")
        sets.append(index.indications_at_least.get(level, _NONE))
    if filters.get("ebmt_category") is not None:
        ebmt = term(EbmtCategory, filters["ebmt_category"], "ebmt_category")
        sets.append(index.indications_by_ebmt.get(ebmt, _NONE))
    therapies = _therapy_ids(index, filters)
    if filters.get("regulatory") is not None:  # a product of the therapy has the decision for the disorder
        decision = term(RegulatoryDecision, filters["regulatory"], "regulatory")
        code = filters.get("jurisdiction")
        sets.append(
            index.indications_by_decision.get((decision, None if code is None else code.strip().upper()), _NONE)
        )
    sets.sort(key=len)
    if therapies is not None and (not sets or len(therapies) <= len(sets[0])):
        sets.insert(0, {i for t in therapies for i in index.indications_by_therapy.get(t, ())})
        therapies = None
    if not sets:
        return {i.id for i in index.records("indications")}
    found = set(sets[0]).intersection(*sets[1:])
    if therapies is not None:
        found = {i for i in found if index.by_id[i].therapy_id in therapies}  # type: ignore[union-attr]
    return found


def _therapy_ids(index: Index, filters: Mapping[str, Any]) -> AbstractSet[str] | None:
    """
    The ids of the therapies passing every therapy filter given, or None when none was given.

    Each filter names an indexed set holding exactly the therapies that pass it; the
    answer is their intersection, from the smallest set up.
    """
    if filters.keys().isdisjoint(THERAPY_FILTERS):
        return None
    sets: list[AbstractSet[str]] = []
    if filters.get("therapy") is not None:
        sets.append({resolve(index, filters["therapy"], Therapy, "therapy").id})
    if filters.get("mechanism") is not None:
        mechanism_id = resolve(index, filters["mechanism"], Mechanism, "mechanism").id
        sets.append(index.therapies_by_mechanism.get(mechanism_id, _NONE))
    if filters.get("mechanism_kind") is not None:
        kind = term(MechanismKind, filters["mechanism_kind"], "mechanism_kind")
        sets.append(index.therapies_by_mechanism_kind.get(kind, _NONE))
    if filters.get("cell_type") is not None:
        cell_id = resolve(index, filters["cell_type"], CellType, "cell_type").id
        sets.append(index.therapies_by_cell_type.get(cell_id, _NONE))
    if filters.get("cell_source") is not None:
        source_id = resolve(index, filters["cell_source"], CellSource, "cell_source").id
        sets.append(index.therapies_by_source.get(source_id, _NONE))
    if filters.get("donor_relation") is not None:
        relation = term(DonorRelation, filters["donor_relation"], "donor_relation")
        sets.append(index.therapies_by_donor.get(relation, _NONE))
    jurisdiction = filters.get("jurisdiction")
    if jurisdiction is not None and not isinstance(jurisdiction, str):
        raise argument_type_error("jurisdiction", "a jurisdiction code such as 'US' or 'EU'", jurisdiction)
    if filters.get("regulatory") is not None:
        decision = term(RegulatoryDecision, filters["regulatory"], "regulatory")
        code = None if jurisdiction is None else jurisdiction.strip().upper()
        sets.append(index.therapies_by_decision.get((decision, code), _NONE))
    elif jurisdiction is not None:
        raise InvalidArgumentError("jurisdiction", "needs regulatory= (the decision to look for in that jurisdiction)")
    if flag(filters.get("stem_cell_only", False), "stem_cell_only"):
        sets.append(index.stem_cell_therapies)
    if not sets:
        return None
    sets.sort(key=len)
    return set(sets[0]).intersection(*sets[1:])


#: The empty set a filter gives when its indexed set is missing.
_NONE: Final[frozenset[str]] = frozenset()


def find_products(
    index: Index,
    *,
    disorder: Disorder | str | None = None,
    therapy: Therapy | str | None = None,
    jurisdiction: str | None = None,
    status: RegulatoryDecision | str | None = None,
    on: dt.date | str | None = None,
) -> Results[Product]:
    """Products passing every filter, by id (see :meth:`KnowledgeBase.find_products`)."""
    products: list[Product] = list(index.records("products"))  # type: ignore[arg-type]
    if disorder is not None:
        root = resolve(index, disorder, Disorder, "disorder")
        concerned = {p for d in index.disorder_and_subtypes(root.id) for p in index.products_by_disorder.get(d, ())}
        products = [p for p in products if p.id in concerned]
    if therapy is not None:
        therapy_id = resolve(index, therapy, Therapy, "therapy").id
        products = [p for p in products if p.therapy_id == therapy_id]
    if jurisdiction is not None and not isinstance(jurisdiction, str):
        raise argument_type_error("jurisdiction", "a jurisdiction code such as 'US' or 'EU'", jurisdiction)
    code = None if jurisdiction is None else jurisdiction.strip().upper()
    day = parse_day(on)
    if status is None:
        if day is not None:
            raise InvalidArgumentError("on", "needs status= (the status to look for on that date)")
        if code is not None:
            products = [p for p in products if any(e.jurisdiction == code for e in p.events)]
    else:
        wanted = term(RegulatoryDecision, status, "status")
        if not wanted.sets_status:
            raise InvalidArgumentError(
                "status",
                f"{wanted.value!r} does not set a status; expected one of: "
                + ", ".join(repr(d.value) for d in RegulatoryDecision if d.sets_status),
            )
        products = [
            p
            for p in products
            if any(
                p.status(place, day) is wanted
                for place in ({code} if code is not None else {e.jurisdiction for e in p.events})
            )
        ]
    return Results(sorted(products, key=lambda p: p.id))


def find_trials(
    index: Index,
    *,
    disorder: Disorder | str | None = None,
    therapy: Therapy | str | None = None,
    product: Product | str | None = None,
    cell_type: CellType | str | None = None,
    phase: TrialPhase | str | Iterable[TrialPhase | str] | None = None,
    status: TrialStatus | str | Iterable[TrialStatus | str] | None = None,
) -> Results[Trial]:
    """Registered trials passing every filter, by id (see :meth:`KnowledgeBase.find_trials`)."""
    trials: list[Trial] = list(index.records("trials"))  # type: ignore[arg-type]
    if disorder is not None:
        root = resolve(index, disorder, Disorder, "disorder")
        wanted = index.disorder_and_subtypes(root.id)
        trials = [t for t in trials if wanted.intersection(t.disorder_ids)]
    if therapy is not None:
        therapy_id = resolve(index, therapy, Therapy, "therapy").id
        trials = [t for t in trials if therapy_id in t.therapy_ids]
    if product is not None:
        product_id = resolve(index, product, Product, "product").id
        trials = [t for t in trials if product_id in t.product_ids]
    if cell_type is not None:
        cell_id = resolve(index, cell_type, CellType, "cell_type").id
        giving = index.therapies_by_cell_type.get(cell_id, set())
        trials = [t for t in trials if giving.intersection(t.therapy_ids)]
    if phase is not None:
        phases = terms(TrialPhase, phase, "phase")
        trials = [t for t in trials if t.phase in phases]
    if status is not None:
        statuses = terms(TrialStatus, status, "status")
        trials = [t for t in trials if t.status in statuses]
    return Results(sorted(trials, key=lambda t: t.id))


def recommendations_for(
    index: Index, indication: Indication | str, *, latest: bool = False, disorder: Disorder | str | None = None
) -> Results[GuidelineRecommendation]:
    """An indication's guideline recommendations, newest guideline first (see :meth:`KnowledgeBase.recommendations_for`)."""
    record = resolve(index, indication, Indication, "indication")
    found = [
        r
        for _, r in sorted(
            enumerate(record.recommendations),
            key=lambda item: (-year_of(item[1], index.by_id), item[1].reference_id, item[0]),
        )
    ]
    if flag(latest, "latest"):
        found = in_force(found, index.by_id)
    if disorder is not None:
        wanted = resolve(index, disorder, Disorder, "disorder").id
        own = record.disorder_id
        if wanted not in index.disorder_and_subtypes(own) and own not in index.disorder_and_subtypes(wanted):
            raise InvalidArgumentError(
                "disorder",
                f"{wanted!r} is not the indication's disorder {own!r}, a subtype of it or a disorder it is a form of",
            )
        found = [r for r in found if applies(r, wanted, index.disorder_and_subtypes)]
    return Results(found)


# ------------------------------------------------------------------ navigation
