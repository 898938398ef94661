"""Filters: indications, therapies, products and trials passing every filter given, and guideline recommendations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any, Final, TypeVar

from ._dates import today
from ._guidance import applies, newest_first
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
    RegulatoryEvent,
    Therapy,
    Trial,
    in_force,
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
    parse_term,
)


if TYPE_CHECKING:
    pass
from ._arguments import (
    INDICATION_FILTERS,
    ON_INDICATIONS,
    THERAPY_FILTERS,
    flag,
    given_filters,
    parse_code,
    parse_day,
    status_term,
    terms,
)
from ._lookup import resolve
from ._results import Results, TherapyOption


R = TypeVar("R", bound=Record)
V = TypeVar("V", bound=Vocabulary)


def find_indications(index: Index, *, disorder: Disorder | str | None = None, **filters: Any) -> Results[Indication]:
    """Indications passing every filter, strongest evidence first (see :meth:`KnowledgeBase.find_indications`)."""
    filters = given_filters(filters, INDICATION_FILTERS, "find_indications")
    ids = _indication_ids(index, disorder, filters)
    return Results((index.by_id[i] for i in sorted(ids, key=index.sort_key.__getitem__)), of=Indication)  # type: ignore[misc]


def therapies_for(index: Index, disorder: Disorder | str, **filters: Any) -> Results[TherapyOption]:
    """Therapy options for a disorder and its subtypes (see :meth:`KnowledgeBase.therapies_for`)."""
    filters = given_filters(filters, INDICATION_FILTERS, "therapies_for")
    if disorder is None:
        raise argument_type_error("disorder", "a Disorder, or its id, name or CURIE", disorder)
    return Results(
        (
            TherapyOption(
                therapy=index.by_id[indication.therapy_id],  # type: ignore[arg-type]
                indication=indication,
                disorder=index.by_id[indication.disorder_id],  # type: ignore[arg-type]
                recommendations=index.latest_recommendations[indication.id],
            )
            for indication in find_indications(index, disorder=disorder, **filters)
        ),
        of=TherapyOption,
    )


def find_therapies(index: Index, *, disorder: Disorder | str | None = None, **filters: Any) -> Results[Therapy]:
    """Therapies passing every filter, by id (see :meth:`KnowledgeBase.find_therapies`)."""
    filters = given_filters(filters, INDICATION_FILTERS, "find_therapies")
    if disorder is not None or not ON_INDICATIONS.isdisjoint(filters):  # a therapy passes by one of its indications
        ids: AbstractSet[str] = {index.by_id[i].therapy_id for i in _indication_ids(index, disorder, filters)}  # type: ignore[union-attr]
    else:
        passing = _therapy_ids(index, filters)
        ids = {t.id for t in index.records("therapies")} if passing is None else passing
    return Results(sorted((index.by_id[i] for i in ids), key=lambda t: t.id), of=Therapy)  # type: ignore[misc]


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
            sets.append(index.indications_under(root.id))
        else:
            sets.append(index.indications_by_disorder.get(root.id, _NONE))
    elif "include_subtypes" in filters:
        flag(filters["include_subtypes"], "include_subtypes")
    if filters.get("category") is not None:
        category = parse_term(DisorderCategory, filters["category"], "category")
        sets.append(index.indications_by_category.get(category, _NONE))
    if filters.get("min_evidence") is not None:
        level = parse_term(EvidenceLevel, filters["min_evidence"], "min_evidence")
        sets.append(index.indications_at_least.get(level, _NONE))
    if filters.get("ebmt_category") is not None:
        ebmt = parse_term(EbmtCategory, filters["ebmt_category"], "ebmt_category")
        sets.append(index.indications_by_ebmt.get(ebmt, _NONE))
    therapies = _therapy_ids(index, filters)
    standing = _regulatory(index, filters)
    if standing is not None:  # a product of the therapy has the status, by a decision concerning the disorder
        sets.append(
            {
                indication_id
                for product, event in standing
                for indication_id in index.indications_by_therapy.get(product.therapy_id, ())
                if index.by_id[indication_id].disorder_id in event.disorder_ids  # type: ignore[union-attr]
            }
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
        kind = parse_term(MechanismKind, filters["mechanism_kind"], "mechanism_kind")
        sets.append(index.therapies_by_mechanism_kind.get(kind, _NONE))
    if filters.get("cell_type") is not None:
        cell_id = resolve(index, filters["cell_type"], CellType, "cell_type").id
        sets.append(index.therapies_by_cell_type.get(cell_id, _NONE))
    if filters.get("cell_source") is not None:
        source_id = resolve(index, filters["cell_source"], CellSource, "cell_source").id
        sets.append(index.therapies_by_source.get(source_id, _NONE))
    if filters.get("donor_relation") is not None:
        relation = parse_term(DonorRelation, filters["donor_relation"], "donor_relation")
        sets.append(index.therapies_by_donor.get(relation, _NONE))
    standing = _regulatory(index, filters)
    if standing is not None:
        sets.append({product.therapy_id for product, _ in standing})
    if flag(filters.get("stem_cell_only", False), "stem_cell_only"):
        sets.append(index.stem_cell_therapies)
    if not sets:
        return None
    sets.sort(key=len)
    return set(sets[0]).intersection(*sets[1:])


def _regulatory(index: Index, filters: Mapping[str, Any]) -> list[tuple[Product, RegulatoryEvent]] | None:
    """
    The products whose status is the ``regulatory=`` filter's, with the event that sets it; None without the filter.

    Status is ``stemimmune.model.in_force()``, the one definition behind
    :meth:`Product.status`: in ``jurisdiction=`` (or in any jurisdiction of the
    product's events) on ``on=`` (default today).
    """
    code = parse_code(filters.get("jurisdiction"))
    day = parse_day(filters.get("on"))
    if filters.get("regulatory") is None:
        if code is not None:
            raise InvalidArgumentError(
                "jurisdiction", "needs regulatory= (the status to look for in that jurisdiction)"
            )
        if day is not None:
            raise InvalidArgumentError("on", "needs regulatory= (the status to look for on that date)")
        return None
    wanted = status_term(filters["regulatory"], "regulatory")
    return _with_status(index, wanted, code, today() if day is None else day)


def _with_status(
    index: Index, wanted: RegulatoryDecision, code: str | None, day: dt.date
) -> list[tuple[Product, RegulatoryEvent]]:
    """Each product whose status is *wanted* on *day*, in *code* or any of its jurisdictions, with the event setting it."""
    found: list[tuple[Product, RegulatoryEvent]] = []
    product: Product
    for product in index.records("products"):  # type: ignore[assignment]
        for place in [code] if code is not None else sorted({e.jurisdiction for e in product.events}):
            standing = in_force(product, place, day)
            if standing is not None and standing[0] is wanted:
                found.append((product, standing[1]))
    return found


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
    code = parse_code(jurisdiction)
    day = parse_day(on)
    if status is None:
        if day is not None:
            raise InvalidArgumentError("on", "needs status= (the status to look for on that date)")
        if code is not None:
            products = [p for p in products if any(e.jurisdiction == code for e in p.events)]
    else:
        wanted = status_term(status, "status")
        having = {p.id for p, _ in _with_status(index, wanted, code, today() if day is None else day)}
        products = [p for p in products if p.id in having]
    return Results(sorted(products, key=lambda p: p.id), of=Product)


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
    sets: list[AbstractSet[str]] = []  # the trials each record filter allows, from the index's sets
    if disorder is not None:
        root = resolve(index, disorder, Disorder, "disorder")
        by_disorder = index.trials_by_disorder
        sets.append({t for d in index.disorder_and_subtypes(root.id) for t in by_disorder.get(d, ())})
    if therapy is not None:
        therapy_id = resolve(index, therapy, Therapy, "therapy").id
        sets.append(index.trials_by_therapy.get(therapy_id, _NONE))
    if product is not None:
        product_id = resolve(index, product, Product, "product").id
        sets.append(index.trials_by_product.get(product_id, _NONE))
    if cell_type is not None:
        cell_id = resolve(index, cell_type, CellType, "cell_type").id
        giving = index.therapies_by_cell_type.get(cell_id, set())
        sets.append({t for therapy_id in giving for t in index.trials_by_therapy.get(therapy_id, ())})
    sets.sort(key=len)
    ids = set(sets[0]).intersection(*sets[1:]) if sets else (t.id for t in index.records("trials"))
    trials: list[Trial] = [index.by_id[i] for i in ids]  # type: ignore[misc]
    if phase is not None:
        phases = terms(TrialPhase, phase, "phase")
        trials = [t for t in trials if t.phase in phases]
    if status is not None:
        statuses = terms(TrialStatus, status, "status")
        trials = [t for t in trials if t.status in statuses]
    return Results(sorted(trials, key=lambda t: t.id), of=Trial)


def recommendations_for(
    index: Index, indication: Indication | str, *, latest: bool = False, disorder: Disorder | str | None = None
) -> Results[GuidelineRecommendation]:
    """An indication's guideline recommendations, newest guideline first (see :meth:`KnowledgeBase.recommendations_for`)."""
    record = resolve(index, indication, Indication, "indication")
    if flag(latest, "latest"):
        found = list(index.latest_recommendations[record.id])
    else:
        found = newest_first(record.recommendations, index.by_id)
    if disorder is not None:
        wanted = resolve(index, disorder, Disorder, "disorder").id
        own = record.disorder_id
        if wanted not in index.disorder_and_subtypes(own) and own not in index.disorder_and_subtypes(wanted):
            raise InvalidArgumentError(
                "disorder",
                f"{wanted!r} is not the indication's disorder {own!r}, a subtype of it or a disorder it is a form of",
            )
        found = [r for r in found if applies(r, wanted, index.disorder_and_subtypes)]
    return Results(found, of=GuidelineRecommendation, parent=record)


# ------------------------------------------------------------------ navigation
