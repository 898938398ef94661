"""
Questions over a knowledge base, each compared with a naive oracle on generated data.

Every oracle below is a plain list comprehension (or loop) over the records, written
from the documented behaviour, independently of the index the engine builds: if the
engine returns nothing, ignores an argument or orders wrongly, an oracle disagrees.
"""

from __future__ import annotations

import datetime as dt
import pickle
import random
import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stemimmune import (
    AmbiguousKeyError,
    ArgumentTypeError,
    InvalidArgumentError,
    KnowledgeBase,
    StemImmuneError,
    UnknownKeyError,
    WrongKindError,
    load,
    merge,
)
from stemimmune._dates import today
from stemimmune._index import fold
from stemimmune.model import RECORD_TYPES, CellType, Disorder, Indication, Product, Record, Reference, Therapy
from stemimmune.query import MAX_QUERY_LENGTH, IndicationFilters, TherapyFilters
from stemimmune.vocabulary import (
    DisorderCategory,
    DonorRelation,
    EbmtCategory,
    EvidenceLevel,
    MechanismKind,
    RegulatoryDecision,
    TrialPhase,
    TrialStatus,
)

from .strategies import deep_chains, knowledge_bases


# ------------------------------------------------------------------ the oracles

#: A key that names no record of the bundled data.
NOWHERE = "no such record anywhere at all"

#: Every link field, written out by hand from the data model's documentation: the
#: oracle must not read the engine's own link metadata.
LINK_FIELDS: dict[type, tuple[str, ...]] = {
    RECORD_TYPES["references"]: ("trial_ids",),
    RECORD_TYPES["cell_types"]: ("derives_from",),
    RECORD_TYPES["cell_sources"]: ("yields",),
    RECORD_TYPES["mechanisms"]: ("effector_ids", "target_ids"),
    RECORD_TYPES["disorders"]: ("parent_ids", "component_ids"),
    RECORD_TYPES["therapies"]: ("cell_type_id", "source_ids", "mechanism_ids", "risk_ids"),
    RECORD_TYPES["findings"]: ("indication_id", "also_supports"),
    RECORD_TYPES["products"]: ("therapy_id",),
    RECORD_TYPES["trials"]: ("disorder_ids", "therapy_ids", "product_ids", "reference_ids"),
    RECORD_TYPES["indications"]: ("therapy_id", "disorder_id", "risk_ids", "trial_ids"),
}


def cited_ids(record: Any) -> list[str]:
    """Ids of the references a record cites, at any depth (citations, recommendations, regulatory...)."""
    found = [c.reference_id for c in getattr(record, "citations", ())]
    found += list(getattr(record, "reference_ids", ()))
    for treatment in getattr(record, "conventional_treatments", ()):
        found += [c.reference_id for c in treatment.citations]
    for event in getattr(record, "events", ()):
        found += [c.reference_id for c in event.citations]
    found += [r.reference_id for r in getattr(record, "recommendations", ())]
    return found


def linked_ids(record: Any) -> list[str]:
    """Every id a record points at."""
    found = cited_ids(record)
    for field in LINK_FIELDS.get(type(record), ()):
        value = getattr(record, field)
        found += [value] if isinstance(value, str) else list(value)
    for event in getattr(record, "events", ()):
        found += list(event.disorder_ids)
    for recommendation in getattr(record, "recommendations", ()):
        found += list(recommendation.applies_to)
    return found


def subtypes(kb: KnowledgeBase, disorder_id: str) -> set[str]:
    found = {disorder_id}
    changed = True
    while changed:
        changed = False
        for d in kb.disorders:
            if d.id not in found and any(p in found for p in d.parent_ids):
                found.add(d.id)
                changed = True
    return found


def by_id(kb: KnowledgeBase) -> dict[str, Any]:
    return {r.id: r for r in kb.records()}


# Each filter oracle below quotes the documentation it is written from (checked to be
# there by test_every_oracle_quotes_the_documentation), then says the same thing as a
# comprehension over the records. None of them reads the index or the engine's filter sets.

#: (where it is documented, the sentence) for each rule the filter oracles follow.
DOCUMENTED: dict[str, tuple[Any, str]] = {
    "none": (KnowledgeBase.find_therapies, "A filter set to None is not applied, exactly as if it were absent."),
    "indications": (
        KnowledgeBase.find_indications,
        "Indications passing every given filter, strongest evidence first.",
    ),
    "no filter": (KnowledgeBase.find_indications, "with no filter, every indication passes."),
    "order": (
        KnowledgeBase.therapies_for,
        "Ties in evidence are broken by the strongest EBMT category, then by therapy and disorder id.",
    ),
    "options": (KnowledgeBase.therapies_for, "Each result pairs the therapy with its indication."),
    "therapies": (KnowledgeBase.find_therapies, "Therapies passing every given filter, by id."),
    "by indication": (
        KnowledgeBase.find_therapies,
        (
            "With *disorder* or an indication filter (*category*, *min_evidence*, *ebmt_category*), a therapy passes "
            "when one of its indications does."
        ),
    ),
    "on its own": (
        KnowledgeBase.find_therapies,
        (
            "Otherwise each therapy is judged on its own record, so with no filter every therapy passes, including "
            "one that no indication studies yet."
        ),
    ),
    "therapy": (TherapyFilters, "therapy: This therapy only."),
    "mechanism": (TherapyFilters, "mechanism: Therapies acting by this mechanism record."),
    "mechanism_kind": (TherapyFilters, "mechanism_kind: Therapies with a mechanism of this kind"),
    "cell_type": (TherapyFilters, "cell_type: Therapies giving this cell type."),
    "cell_source": (TherapyFilters, "cell_source: Therapies taking cells from this source."),
    "donor_relation": (TherapyFilters, 'donor_relation: ``"autologous"`` or ``"allogeneic"``.'),
    "regulatory": (
        TherapyFilters,
        (
            "regulatory: Therapies with a product whose status (:meth:`~stemimmune.model.Product.status`) is this, "
            "on *on* (default today), for the disorder concerned"
        ),
    ),
    "jurisdiction": (
        TherapyFilters,
        (
            'jurisdiction: With *regulatory*: the status in this jurisdiction (``"US"``, ``"EU"``); '
            "without it, in any jurisdiction."
        ),
    ),
    "on": (TherapyFilters, "on: With *regulatory*: the status on this day"),
    "stem_cell_only": (TherapyFilters, "stem_cell_only: Leave out comparators that use no stem cells (CAR-T cells)."),
    "include_subtypes": (IndicationFilters, "include_subtypes: With a disorder, also its subtypes (default True)."),
    "trials": (KnowledgeBase.find_trials, "Registered trials passing every given filter, by id."),
    "trials by disorder": (
        KnowledgeBase.find_trials,
        "disorder: Trials studying this disorder or one of its subtypes.",
    ),
    "trials by therapy": (KnowledgeBase.find_trials, "therapy: Trials testing this therapy."),
    "trials by cell type": (
        KnowledgeBase.find_trials,
        'cell_type: Trials testing a therapy that gives this cell type (``"MSC"``).',
    ),
    "trials by phase": (KnowledgeBase.find_trials, "phase: One phase, or several (any of them)."),
    "trials by status": (KnowledgeBase.find_trials, "status: One recruitment status, or several (any of them)"),
    "ancestors": (KnowledgeBase.ancestors, "Cell types a cell type derives from, nearest first, then by id."),
    "descendants": (KnowledgeBase.descendants, "Cell types that derive from a cell type, nearest first, then by id"),
    "neighbours": (KnowledgeBase.neighbours, "Records linked to a record in either direction, grouped by collection."),
    "neighbours order": (
        KnowledgeBase.neighbours,
        "the records of each by id; the record itself is not its own neighbour.",
    ),
    "references": (
        KnowledgeBase.references_for,
        "The references behind a record, strongest credibility tier first, then newest.",
    ),
    "deep references": (
        KnowledgeBase.references_for,
        (
            "With *deep*, a disorder (with its subtypes), therapy or indication also brings the references of the "
            "indications and findings under it."
        ),
    ),
    "summary": (
        KnowledgeBase.evidence_summary,
        "What the data says about treating a disorder: options, findings and references.",
    ),
    "category": (IndicationFilters, "category: Disorders of this category"),
    "min_evidence": (IndicationFilters, "min_evidence: At least this evidence level"),
    "ebmt_category": (IndicationFilters, "ebmt_category: With a guideline recommendation of this category"),
}


def applied(f: dict[str, Any]) -> dict[str, Any]:
    """DOCUMENTED["none"]: the filters that count are those given a value other than None."""
    return {name: value for name, value in f.items() if value is not None}


def therapy_passes(kb: KnowledgeBase, therapy: Therapy, f: dict[str, Any]) -> bool:
    """A therapy passes every therapy filter of *f* (each as its attribute of TherapyFilters says)."""
    f = applied(f)
    kinds = {m.id: m.kind for m in kb.mechanisms}
    checks: dict[str, Callable[[Any], bool]] = {
        "therapy": lambda v: therapy.id == _id(v),
        "mechanism": lambda v: _id(v) in therapy.mechanism_ids,
        "mechanism_kind": lambda v: MechanismKind.parse(_as_text(v)) in [kinds[m] for m in therapy.mechanism_ids],
        "cell_type": lambda v: therapy.cell_type_id == _id(v),
        "cell_source": lambda v: _id(v) in therapy.source_ids,
        "donor_relation": lambda v: therapy.donor_relation == DonorRelation.parse(_as_text(v)),
        "regulatory": lambda _v: bool(matching_events(kb, therapy.id, f)),
        "stem_cell_only": lambda v: therapy.is_stem_cell_therapy or not v,
    }
    return all(check(f[name]) for name, check in checks.items() if name in f)


def status_event(product: Any, place: str, day: dt.date) -> tuple[RegulatoryDecision, Any] | None:
    """
    The documented status: the status-setting event of *place* that started latest on or before *day*.

    A partial date counts from the last day of its period; an undated event from its
    in_force_by; ties go to the later event of the record; an authorisation past its
    expires day reads 'expired'.
    """
    started = [
        (e.start.last_day, e.start.first_day, n, e)
        for n, e in enumerate(product.events)
        if e.jurisdiction == place and e.decision.sets_status and e.start is not None and e.start.last_day <= day
    ]
    if not started:
        return None
    event = max(started, key=lambda t: t[:3])[3]
    if event.expires is not None and event.expires.last_day <= day:
        return RegulatoryDecision.EXPIRED, event
    return event.decision, event


def matching_events(kb: KnowledgeBase, therapy_id: str, f: dict[str, Any]) -> list[Any]:
    """The events setting the asked status (in the jurisdiction, on the day) of the therapy's products."""
    decision = RegulatoryDecision.parse(_as_text(f["regulatory"]))
    code = None if f.get("jurisdiction") is None else f["jurisdiction"].strip().upper()
    day = f.get("on") or today()
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    found = []
    for p in kb.products:
        if p.therapy_id != therapy_id:
            continue
        for place in [code] if code else sorted({e.jurisdiction for e in p.events}):
            standing = status_event(p, place, day)
            if standing is not None and standing[0] is decision:
                found.append(standing[1])
    return found


def indication_passes(kb: KnowledgeBase, indication: Indication, f: dict[str, Any]) -> bool:
    """An indication passes every filter of *f*: its own (disorder, category, evidence, EBMT) and its therapy's."""
    f = applied(f)
    records = by_id(kb)
    disorder = records[indication.disorder_id]
    if "disorder" in f:
        root = _id(f["disorder"])
        allowed = subtypes(kb, root) if f.get("include_subtypes", True) else {root}  # DOCUMENTED["include_subtypes"]
    checks: dict[str, Callable[[Any], bool]] = {
        "disorder": lambda _v: indication.disorder_id in allowed,
        "category": lambda v: disorder.category == DisorderCategory.parse(_as_text(v)),
        "min_evidence": lambda v: indication.evidence_level.rank >= EvidenceLevel.parse(_as_text(v)).rank,
        "ebmt_category": lambda v: EbmtCategory.parse(_as_text(v)) in letters_in_force(kb, indication),
        # at the level of an indication, the decision must concern its disorder
        "regulatory": lambda _v: any(
            indication.disorder_id in e.disorder_ids for e in matching_events(kb, indication.therapy_id, f)
        ),
    }
    own = all(check(f[name]) for name, check in checks.items() if name in f)
    return own and therapy_passes(kb, records[indication.therapy_id], f)


CATEGORY_ORDER = ["S", "CO", "D", "GNR"]  # strongest first, as EBMT prints them


def letters_in_force(kb: KnowledgeBase, indication: Indication) -> list[EbmtCategory]:
    """The EBMT letters of the recommendations no newer document of the same guideline body supersedes."""
    refs = {r.id: r for r in kb.references}

    def body(r: Any) -> object:
        return refs[r.reference_id].body or r.reference_id

    def year(r: Any) -> int:
        return refs[r.reference_id].year or 0

    return [
        c
        for r in indication.recommendations
        if not any(
            body(x) == body(r)
            and year(x) > year(r)
            and x.population in {None, r.population}
            and x.donor_type in {None, r.donor_type}
            for x in indication.recommendations
        )
        for c in r.categories
    ]


def documented_order(kb: KnowledgeBase, indication: Indication) -> tuple[int, int, str, str]:
    """DOCUMENTED["indications"] and ["order"]: strongest evidence, strongest EBMT category in force (none last), therapy, disorder."""
    levels = list(EvidenceLevel)
    best = min((CATEGORY_ORDER.index(c.value) for c in letters_in_force(kb, indication)), default=4)
    return (-levels.index(indication.evidence_level), best, indication.therapy_id, indication.disorder_id)


def oracle_indications(kb: KnowledgeBase, f: dict[str, Any]) -> list[str]:
    """DOCUMENTED["indications"]: the indications passing every given filter, in the documented order."""
    passing = (i for i in kb.indications if indication_passes(kb, i, f))
    return [i.id for i in sorted(passing, key=lambda i: documented_order(kb, i))]


def oracle_therapies(kb: KnowledgeBase, f: dict[str, Any]) -> list[str]:
    """DOCUMENTED["therapies"], ["by indication"] and ["on its own"]."""
    f = applied(f)
    if "disorder" in f or {"category", "min_evidence", "ebmt_category"} & set(f):
        return sorted({i.therapy_id for i in kb.indications if indication_passes(kb, i, f)})
    return sorted(t.id for t in kb.therapies if therapy_passes(kb, t, f))


def _as_text(value: Any) -> str:
    """A vocabulary argument as the text its vocabulary parses (a member is its own value)."""
    return value if isinstance(value, str) else value.value


def oracle_references(kb: KnowledgeBase, record: Any, *, deep: bool) -> list[str]:
    records = [record]
    if deep:
        if isinstance(record, Disorder):
            chosen = [i for i in kb.indications if i.disorder_id in subtypes(kb, record.id)]
        elif isinstance(record, Therapy):
            chosen = [i for i in kb.indications if i.therapy_id == record.id]
        elif isinstance(record, Indication):
            chosen = [record]
        else:
            chosen = []
        # a finding is under each indication it is filed under or also supports (data model docs)
        records += chosen + [f for f in kb.findings for i in chosen if i.id in (f.indication_id, *f.also_supports)]
    refs = {r.id: r for r in kb.references}
    found = [refs[i] for i in {ref for r in records for ref in cited_ids(r)}]
    tiers = list(type(found[0].tier)) if found else []
    return [r.id for r in sorted(found, key=lambda r: (-tiers.index(r.tier), -(r.year or 0), r.id))]


def oracle_lineage(kb: KnowledgeBase, cell: CellType, *, up: bool) -> list[str]:
    parents = {c.id: set(c.derives_from) for c in kb.cell_types}

    def step(node: str) -> set[str]:
        return parents[node] if up else {c for c, ps in parents.items() if node in ps}

    depth: dict[str, int] = {}
    frontier, level = {cell.id}, 0
    while frontier:
        level += 1
        frontier = {n for node in frontier for n in step(node) if n not in depth and n != cell.id}
        depth.update(dict.fromkeys(frontier, level))
    return sorted(depth, key=lambda n: (depth[n], n))


def identity_keys_of(record: Any) -> list[str]:
    """The keys that identify a record (documentation of get()): id, registry ids, CURIEs, DOI, PMID, PMCID."""
    keys = [record.id, *getattr(record, "registry_ids", ()), *getattr(record, "xrefs", ())]
    for prefix in ("doi", "pmid", "pmcid"):
        value = getattr(record, prefix, None)
        keys += [value, f"{prefix}:{value}"] if value else []
    return keys


def descriptive_keys_of(record: Any) -> list[str]:
    """The keys that describe a record: name or title, generic name, synonyms and acronyms, authors."""
    keys = [getattr(record, "name", None), getattr(record, "title", None), getattr(record, "generic_name", None)]
    keys += [*getattr(record, "synonyms", ()), *getattr(record, "authors", ())]
    return [k for k in keys if k]


def keys_of(record: Any) -> list[str]:
    """Every text get() and search() must know a record by (a reference's registry ids are not among them)."""
    return identity_keys_of(record) + descriptive_keys_of(record)


def oracle_get(kb: KnowledgeBase, key: str) -> list[Any]:
    """An exact id wins; else the records the key identifies; else the records it describes."""
    exact = [r for r in kb.records() if r.id == key]
    if exact:
        return exact
    if not fold(key):
        return []
    identified = [r for r in kb.records() if any(fold(k) == fold(key) for k in identity_keys_of(r))]
    return identified or [r for r in kb.records() if any(fold(k) == fold(key) for k in descriptive_keys_of(r))]


def _indel_ratio(a: str, b: str) -> float:
    """Twice the longest common subsequence over the total length, by the textbook table."""
    if not a and not b:
        return 1.0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            current[j] = previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1])
        previous = current
    return 2 * previous[-1] / (len(a) + len(b))


def oracle_score(query: str, key: str) -> float:
    """The score search() documents for a folded query against a folded key."""
    if query == key:
        return 1.0
    ratio = _indel_ratio(query, key)
    words, width = key.split(), len(query.split())
    for start in range(max(1, len(words) - width + 1)):
        window = "".join(words[start : start + width])
        coverage = (len(window) + min(width, len(words)) - 1) / len(key)
        ratio = max(ratio, _indel_ratio(query.replace(" ", ""), window) * (0.7 + 0.25 * coverage))
    if len(key) <= 4:  # a short key (an abbreviation) only matches closely
        ratio *= 0.8
    return min(ratio, 0.99)


def fresh_bundled() -> KnowledgeBase:
    """The bundled knowledge base built again, so that its index is built by the code under test, not taken from a cache."""
    return attrs.evolve(load())


def _id(value: Any) -> str:
    return value if isinstance(value, str) else value.id


# ------------------------------------------------------------------ generated filters


def _spelled(term: Any) -> st.SearchStrategy[Any]:
    """A vocabulary term as the member, its value, or its name in another case and spacing."""
    return st.sampled_from([term, term.value, term.name.lower().replace("_", " "), term.value.upper()])


def _record_arg(records: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    """A record as itself or as its id (names may be shared, so they are tested separately)."""
    return st.sampled_from(records).flatmap(lambda r: st.sampled_from([r, r.id]))


def filters_for(kb: KnowledgeBase, *, with_disorder: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Filters whose values come from the knowledge base's own records and the vocabularies."""
    choices: dict[str, st.SearchStrategy[Any]] = {
        "therapy": _record_arg(kb.therapies),
        "cell_type": _record_arg(kb.cell_types),
        "cell_source": _record_arg(kb.cell_sources),
        "mechanism": _record_arg(kb.mechanisms),
        "mechanism_kind": st.sampled_from(MechanismKind).flatmap(_spelled),
        "donor_relation": st.sampled_from(DonorRelation).flatmap(_spelled),
        "category": st.sampled_from(DisorderCategory).flatmap(_spelled),
        "min_evidence": st.sampled_from(EvidenceLevel).flatmap(_spelled),
        "ebmt_category": st.sampled_from(EbmtCategory).flatmap(_spelled),
        "regulatory": st.sampled_from([d for d in RegulatoryDecision if d.sets_status]).flatmap(_spelled),
        "stem_cell_only": st.booleans(),
        "include_subtypes": st.booleans(),
    }
    if with_disorder:
        choices["disorder"] = _record_arg(kb.disorders)
    sometimes_none = {name: st.none() | choice for name, choice in choices.items()}  # None: not applied
    return st.fixed_dictionaries({}, optional=sometimes_none).flatmap(
        lambda f: st.fixed_dictionaries(
            {
                "jurisdiction": st.none() | st.sampled_from(["US", "EU", "JP"]),
                "on": st.none()
                | st.sampled_from(["2012-12-30", "2016-05-31", "2018-03-23", "2024-12-12", "2025-12-31"]),
            }
            if f.get("regulatory") is not None
            else {}
        ).map(lambda extra: {**f, **extra})
    )


def _some_of(names: list[str]) -> st.SearchStrategy[list[str]]:
    """Some of *names* (perhaps none), without repeats."""
    return st.lists(st.sampled_from(names), unique=True) if names else st.just([])


def _ids(records: Any) -> list[str]:
    return [r.id for r in records]


# ------------------------------------------------------------------ filters


class TestFiltersAgainstTheOracle:
    @given(st.data())
    def test_find_indications(self, data: st.DataObject) -> None:
        """find_indications() returns exactly the oracle's indications, in the documented order."""
        kb = data.draw(knowledge_bases())
        filters = data.draw(filters_for(kb))
        assert oracle_indications(kb, filters) == _ids(kb.find_indications(**filters))

    @given(st.data())
    def test_therapies_for(self, data: st.DataObject) -> None:
        """therapies_for() pairs each oracle indication with its own therapy and disorder, in order."""
        kb = data.draw(knowledge_bases())
        disorder = data.draw(_record_arg(kb.disorders))
        filters = data.draw(filters_for(kb, with_disorder=False))
        options = kb.therapies_for(disorder, **filters)
        assert oracle_indications(kb, {**filters, "disorder": disorder}) == [o.indication.id for o in options]
        records = by_id(kb)
        for option in options:
            assert option.therapy is records[option.indication.therapy_id]
            assert option.disorder is records[option.indication.disorder_id]

    @given(st.data())
    def test_find_therapies(self, data: st.DataObject) -> None:
        """find_therapies() returns the oracle's therapies, by id."""
        kb = data.draw(knowledge_bases())
        filters = data.draw(filters_for(kb))
        assert oracle_therapies(kb, filters) == _ids(kb.find_therapies(**filters))

    @given(st.data())
    def test_a_filter_set_to_none_is_not_applied(self, data: st.DataObject) -> None:
        """For every query and every filter, passing filter=None gives exactly the answer without it."""
        kb = data.draw(knowledge_bases())
        filters = applied(data.draw(filters_for(kb)))
        absent = sorted({*IndicationFilters.__annotations__, "disorder"} - set(filters))
        padded = {**filters, **dict.fromkeys(data.draw(_some_of(absent)))}
        assert _ids(kb.find_indications(**filters)) == _ids(kb.find_indications(**padded))
        assert _ids(kb.find_therapies(**filters)) == _ids(kb.find_therapies(**padded))
        disorder = data.draw(_record_arg(kb.disorders))
        without = {k: v for k, v in filters.items() if k != "disorder"}
        padded.pop("disorder", None)
        assert kb.therapies_for(disorder, **without) == kb.therapies_for(disorder, **padded)
        for query, strategies in self.PLAIN_FILTERS.items():
            given_now = {
                name: value
                for name, strategy in strategies(kb).items()
                if (value := data.draw(st.none() | strategy, label=name)) is not None
            }
            if query == "find_products" and "on" in given_now and "status" not in given_now:
                del given_now["on"]  # a date alone is refused, with or without the Nones
            nones = data.draw(_some_of(sorted(set(strategies(kb)) - set(given_now))))
            call = getattr(kb, query)
            assert _ids(call(**given_now)) == _ids(call(**given_now, **dict.fromkeys(nones))), (query, nones)

    #: The keyword filters of the queries that spell theirs out, and values for each.
    PLAIN_FILTERS: ClassVar[dict[str, Any]] = {
        "find_products": lambda kb: {
            "disorder": _record_arg(kb.disorders),
            "therapy": _record_arg(kb.therapies),
            "jurisdiction": st.sampled_from(["US", "EU", "JP"]),
            "status": st.sampled_from(["approved", "withdrawn"]),
            "on": st.sampled_from(["2016-05-01", "2025-06-30"]),
        },
        "find_trials": lambda kb: {
            "disorder": _record_arg(kb.disorders),
            "therapy": _record_arg(kb.therapies),
            "cell_type": _record_arg(kb.cell_types),
            "phase": st.sampled_from(TrialPhase),
            "status": st.sampled_from(TrialStatus),
        },
    }

    def test_the_measured_none_cases(self) -> None:
        """The engine issue's cases: every therapy with no filter, and with a filter set to None (11, not 10)."""
        kb = load()
        every = sorted(t.id for t in kb.therapies)  # DOCUMENTED["on its own"]
        assert any(not [i for i in kb.indications if i.therapy_id == t] for t in every)  # one has no indication
        for filters in ({}, {"min_evidence": None}, {"category": None}, {"include_subtypes": True}, {"disorder": None}):
            assert every == _ids(kb.find_therapies(**filters)), filters
        assert [i.id for i in sorted(kb.indications, key=lambda i: documented_order(kb, i))] == _ids(
            kb.find_indications(min_evidence=None, stem_cell_only=None)
        )
        assert kb.therapies_for("MS") == kb.therapies_for("MS", include_subtypes=None, regulatory=None)

    def test_every_oracle_quotes_the_documentation(self) -> None:
        """Each sentence the oracles follow is in the docstring a user reads."""
        for rule, (where, sentence) in DOCUMENTED.items():
            assert sentence in " ".join((where.__doc__ or "").split()), (rule, where)

    @given(st.data())
    def test_answers_do_not_depend_on_record_order(self, data: st.DataObject) -> None:
        """Shuffling every collection changes no answer."""
        kb = data.draw(knowledge_bases())
        filters = data.draw(filters_for(kb))
        rng = random.Random(data.draw(st.integers()))  # noqa: S311 - a reproducible shuffle
        shuffled = KnowledgeBase.from_collections(
            kb.version, {kind: rng.sample(records, len(records)) for kind, records in kb.collections().items()}
        )
        assert _ids(kb.find_indications(**filters)) == _ids(shuffled.find_indications(**filters))
        assert _ids(kb.find_therapies(**filters)) == _ids(shuffled.find_therapies(**filters))

    def test_the_bundled_answers(self) -> None:
        """Spot checks on the bundled data, where the answers are known from the sources."""
        kb = load()
        assert "autologous-hsct" == kb.therapies_for("MS")[0].therapy.id
        assert ["adipose-msc-therapy", "autologous-adipose-msc-therapy"] == _ids(
            kb.find_therapies(cell_source="adipose tissue")
        )
        assert ["bone-marrow-msc-therapy"] == _ids(
            kb.find_therapies(regulatory="approved", jurisdiction="US", cell_type="MSC")
        )
        # the regulatory filter concerns the disorder asked about: MSC approvals are for GVHD, not lupus
        assert "bone-marrow-msc-therapy" not in [o.therapy.id for o in kb.therapies_for("SLE", regulatory="approved")]
        assert ["bone-marrow-msc-therapy"] == [
            o.therapy.id for o in kb.therapies_for("acute GVHD", regulatory="approved")
        ]
        assert ["adipose-msc-therapy"] == _ids(kb.find_therapies(regulatory="withdrawn", jurisdiction="EU"))
        assert all(o.therapy.is_stem_cell_therapy for o in kb.therapies_for("SLE", stem_cell_only=True))
        assert any(not o.therapy.is_stem_cell_therapy for o in kb.therapies_for("SLE"))

    def test_each_filter_alone_on_the_bundled_data(self) -> None:
        """Every value of every filter, alone, selects the oracle's indications and therapies from the bundled data."""
        kb = fresh_bundled()
        values: dict[str, list[Any]] = {
            "disorder": [d.id for d in kb.disorders],
            "therapy": [t.id for t in kb.therapies],
            "mechanism": [m.id for m in kb.mechanisms],
            "mechanism_kind": [k.value for k in MechanismKind],
            "cell_type": [c.id for c in kb.cell_types],
            "cell_source": [c.id for c in kb.cell_sources],
            "donor_relation": list(DonorRelation),
            "category": list(DisorderCategory),
            "min_evidence": list(EvidenceLevel),
            "ebmt_category": list(EbmtCategory),
            "stem_cell_only": [True, False],
        }
        for name, options in values.items():
            selected = 0
            for value in options:
                f = {name: value}
                expected = oracle_indications(kb, f)
                assert expected == _ids(kb.find_indications(**f)), f
                assert oracle_therapies(kb, f) == _ids(kb.find_therapies(**f)), f
                selected += 0 < len(expected) < len(kb.indications)
            assert selected, name  # some value of each filter keeps some indications and drops others
        for disorder in kb.disorders:
            f = {"disorder": disorder.id, "include_subtypes": False}
            assert oracle_indications(kb, f) == _ids(kb.find_indications(**f)), f

    def test_string_comparisons_of_evidence_follow_the_order(self) -> None:
        """Comparing an option's evidence level with a string uses the vocabulary's order, never the alphabet."""
        kb = load()
        by_comparison = [o.indication.id for o in kb.therapies_for("SLE") if o.evidence_level >= "observational"]
        by_filter = [o.indication.id for o in kb.therapies_for("SLE", min_evidence="observational")]
        assert by_filter == by_comparison
        assert by_filter  # the bundled data has such options
        with pytest.raises(ValueError, match="not an EvidenceLevel"):
            _ = kb.therapies_for("SLE")[0].evidence_level >= "strong"

    def test_subtypes_are_included_unless_asked_not_to(self) -> None:
        """Options for a disorder include its subtypes' indications by default."""
        kb = load()
        crohn = {o.indication.id for o in kb.therapies_for("Crohn's disease")}
        alone = {o.indication.id for o in kb.therapies_for("Crohn's disease", include_subtypes=False)}
        assert alone < crohn
        assert "adipose-msc-therapy" in {kb.get(i, Indication).therapy_id for i in crohn - alone}


#: A call with a wrong value for one argument of a query, and that argument's name.
NAMED_ARGUMENTS: list[tuple[Any, str]] = [
    (lambda kb: kb.therapies_for(NOWHERE), "disorder"),
    (lambda kb: kb.find_indications(disorder=NOWHERE), "disorder"),
    (lambda kb: kb.find_therapies(disorder=NOWHERE), "disorder"),
    (lambda kb: kb.find_therapies(therapy=NOWHERE), "therapy"),
    (lambda kb: kb.find_therapies(mechanism=NOWHERE), "mechanism"),
    (lambda kb: kb.find_therapies(cell_type=NOWHERE), "cell_type"),
    (lambda kb: kb.find_therapies(cell_source=NOWHERE), "cell_source"),
    (lambda kb: kb.find_therapies(donor_relation="cousin"), "donor_relation"),
    (lambda kb: kb.find_therapies(mechanism_kind="telepathy"), "mechanism_kind"),
    (lambda kb: kb.find_therapies(regulatory="frowned-upon"), "regulatory"),
    (lambda kb: kb.find_products(disorder=NOWHERE), "disorder"),
    (lambda kb: kb.find_products(therapy=NOWHERE), "therapy"),
    (lambda kb: kb.find_products(status="frowned-upon"), "status"),
    (lambda kb: kb.find_products(status="designated"), "status"),
    (lambda kb: kb.find_products(on="2024-01-01"), "on"),
    (lambda kb: kb.find_products(status="approved", on="January 2024"), "on"),
    (lambda kb: kb.find_trials(disorder=NOWHERE), "disorder"),
    (lambda kb: kb.find_trials(therapy=NOWHERE), "therapy"),
    (lambda kb: kb.find_trials(product=NOWHERE), "product"),
    (lambda kb: kb.find_trials(product="autologous-hsct"), "product"),
    (lambda kb: kb.find_trials(cell_type=NOWHERE), "cell_type"),
    (lambda kb: kb.find_trials(phase="phase-9"), "phase"),
    (lambda kb: kb.find_trials(phase=["phase-2", "phase-9"]), "phase"),
    (lambda kb: kb.find_trials(status="sleeping"), "status"),
    (lambda kb: kb.recommendations_for(NOWHERE), "indication"),
    (lambda kb: kb.ancestors(NOWHERE), "cell_type"),
    (lambda kb: kb.descendants(NOWHERE), "cell_type"),
    (lambda kb: kb.neighbours(NOWHERE), "key"),
    (lambda kb: kb.references_for(NOWHERE), "key"),
    (lambda kb: kb.evidence_summary(NOWHERE), "disorder"),
    (lambda kb: kb.neighbours("Burt RK"), "key"),  # an author of several references
]


#: A wrong call, and the whole message it must raise: the argument, what was expected, what came.
EXACT_MESSAGES: list[tuple[Any, str]] = [
    (lambda kb: kb.search(5), "text: expected a string, got int"),
    (lambda kb: kb.search("ms", limit="3"), "limit: expected a whole number, got str"),
    (lambda kb: kb.search("ms", limit=-1), "limit: expected 0 or more, got -1"),
    (lambda kb: kb.search("ms", min_score="x"), "min_score: expected a number from 0 to 1, got str"),
    (lambda kb: kb.search("ms", min_score=2), "min_score: expected a number from 0 to 1, got 2"),
    (lambda kb: kb.search("x" * 1001), "text: expected at most 1000 characters, got 1001"),
    (
        lambda kb: kb.search("ms", kinds="disorders"),
        "kinds: expected a list of record classes or collection names, got str",
    ),
    (lambda kb: kb.neighbours(5), "key: expected a record, or its id, name or CURIE, got int"),
    (lambda kb: kb.references_for(5.0), "key: expected a record, or its id, name or CURIE, got float"),
    (
        lambda kb: kb.find_therapies(regulatory="approved", jurisdiction=1),
        "jurisdiction: expected a jurisdiction code such as 'US' or 'EU', got int",
    ),
    (lambda kb: kb.find_indications(include_subtypes="no"), "include_subtypes: expected True or False, got str"),
    (lambda kb: kb.get(NOWHERE), f"{NOWHERE!r}: no record matches"),
    (lambda kb: kb.get(5), "key: expected a string (an id, name, synonym or CURIE), got int"),
    (lambda kb: kb.get("MS", int), "kind: expected a record class such as Disorder or Therapy, got int"),
    (
        lambda kb: kb.therapies_for(kb.get("autologous-hsct")),
        "disorder='autologous-hsct': names a Therapy ('autologous-hsct'), not a Disorder",
    ),
    (lambda kb: kb.therapies_for(5), "disorder: expected a Disorder, or its id, name or CURIE, got int"),
    (
        lambda kb: kb.therapies_for("MS", min_evidence=3),
        "min_evidence: expected an EvidenceLevel or one of its values as a string, got int",
    ),
    (
        lambda kb: kb.find_products(jurisdiction=1),
        "jurisdiction: expected a jurisdiction code such as 'US' or 'EU', got int",
    ),
]


class TestArgumentErrors:
    @pytest.mark.parametrize(
        ("call", "error", "words"),
        [
            (lambda kb: kb.therapies_for(None), ArgumentTypeError, "disorder: expected a Disorder"),
            (lambda kb: kb.therapies_for("SLE", stem_cell_only="false"), ArgumentTypeError, "stem_cell_only"),
            (lambda kb: kb.therapies_for("SLE", include_subtypes=1), ArgumentTypeError, "include_subtypes"),
            (lambda kb: kb.therapies_for("SLE", mechansim="x"), ArgumentTypeError, "mechansim"),
            (lambda kb: kb.therapies_for("SLE", min_evidence=3), ArgumentTypeError, "min_evidence"),
            (lambda kb: kb.therapies_for("SLE", min_evidence="strong"), InvalidArgumentError, "'expert-opinion'"),
            (lambda kb: kb.therapies_for("autologous-hsct"), WrongKindError, "names a Therapy"),
            (lambda kb: kb.therapies_for(kb.get("autologous-hsct")), WrongKindError, "not a Disorder"),
            (lambda kb: kb.therapies_for("no such disease at all"), UnknownKeyError, "disorder="),
            (lambda kb: kb.find_therapies(jurisdiction="US"), InvalidArgumentError, "needs regulatory"),
            (lambda kb: kb.find_therapies(regulatory="approved", jurisdiction=1), ArgumentTypeError, "jurisdiction"),
            (lambda kb: kb.search(5), ArgumentTypeError, "text"),
            (lambda kb: kb.search("ms", limit=-1), InvalidArgumentError, "limit"),
            (lambda kb: kb.search("ms", limit=True), ArgumentTypeError, "limit"),
            (lambda kb: kb.search("ms", min_score=2), InvalidArgumentError, "min_score"),
            (lambda kb: kb.search("ms", kinds=["diseases"]), InvalidArgumentError, "kinds"),
            (lambda kb: kb.search("ms", kinds="disorders"), ArgumentTypeError, "kinds"),
            (lambda kb: kb.search("x" * 1001), InvalidArgumentError, "at most 1000"),
            (lambda kb: kb.get(5), ArgumentTypeError, "key"),
            (lambda kb: kb.get("MS", int), ArgumentTypeError, "kind"),
            (lambda kb: kb.get("autologous-hsct", Disorder), WrongKindError, "'autologous-hsct': names"),
            (lambda kb: kb.neighbours(5), ArgumentTypeError, "key: expected a record"),
            (lambda kb: kb.references_for("MS", deep="yes"), ArgumentTypeError, "deep"),
            (lambda kb: kb.ancestors("MS"), WrongKindError, "not a CellType"),
            (lambda kb: kb.find_products(status="approved", on=20240101), ArgumentTypeError, "on: expected a date"),
            (lambda kb: kb.find_products(jurisdiction=1), ArgumentTypeError, "jurisdiction: expected"),
            (lambda kb: kb.find_trials(phase=3), ArgumentTypeError, "phase: expected"),
            (lambda kb: kb.find_trials(status=[]), InvalidArgumentError, "status: expected at least one"),
            (lambda kb: kb.recommendations_for("MS"), WrongKindError, "not an Indication"),
            (
                lambda kb: kb.recommendations_for("autologous-hsct-for-multiple-sclerosis", latest="yes"),
                ArgumentTypeError,
                "latest: expected True or False",
            ),
            (
                lambda kb: kb.neighbours(attrs.evolve(kb.disorders[0], name="a stranger")),
                UnknownKeyError,
                "key=",
            ),
        ],
        ids=lambda value: None if callable(value) else str(value),
    )
    def test_each_mistake_raises_its_one_documented_error(self, call: Any, error: type, words: str) -> None:
        """Each wrong argument raises its documented error, under the root and the matching builtin."""
        with pytest.raises(error, match=words) as caught:
            call(load())
        assert isinstance(caught.value, StemImmuneError)

    @pytest.mark.parametrize(
        ("call", "argument", "message"),
        [
            *(
                (
                    lambda kb, f=function: getattr(kb, f)(*(("MS",) if f == "therapies_for" else ()), mechansim="x"),
                    "mechansim",
                    (
                        f"expected one of the filters of {function}(): {', '.join(sorted(IndicationFilters.__annotations__))}"
                        ", got an unknown keyword"
                    ),
                )
                for function in ("find_indications", "find_therapies", "therapies_for")
            ),
            (
                lambda kb: kb.search("ms", kinds=["diseases"]),
                "kinds",
                (
                    "'diseases' is not a record class or a collection name; did you mean 'disorders'? "
                    f"expected one of: {', '.join(RECORD_TYPES)}"
                ),
            ),
            (lambda kb: kb.get("MS", 5), "kind", "expected a record class such as Disorder or Therapy, got int"),
            (
                lambda kb: kb.find_products(status="approved", on=1),
                "on",
                "expected a date: a datetime.date, a datetime.datetime or 'YYYY-MM-DD', got int",
            ),
            (
                lambda kb: kb.find_products(status="approved", on="2024-13-45"),
                "on",
                "expected a real day as YYYY-MM-DD, got '2024-13-45'",
            ),
            (lambda kb: kb.therapies_for(attrs.evolve(kb.disorders[0], id="not-here")), "disorder", "='not-here'"),
            (
                lambda kb: kb.therapies_for(None),
                "disorder",
                "expected a Disorder, or its id, name or CURIE, got NoneType",
            ),
            (lambda kb: kb.find_trials(therapy="SLE"), "therapy", "='SLE': names a Disorder"),
            (
                lambda kb: kb.therapies_for("MS", include_subtypes="yes"),
                "include_subtypes",
                "expected True or False, got str",
            ),
        ],
        ids=lambda value: None if callable(value) else str(value)[:40],
    )
    def test_errors_read_argument_then_what_was_wrong(self, call: Any, argument: str, message: str) -> None:
        """An error's text is the argument at fault, then what it expected and what it got, word for word."""
        with pytest.raises(StemImmuneError) as caught:
            call(load())
        assert argument == caught.value.argument  # type: ignore[attr-defined]
        assert str(caught.value).startswith(f"{argument}{message}" if message[0] == "=" else f"{argument}: {message}")

    @pytest.mark.parametrize("function", ["find_therapies", "find_indications", "therapies_for"])
    @pytest.mark.parametrize(
        ("filters", "argument", "message"),
        [
            (
                {"jurisdiction": "US"},
                "jurisdiction",
                "needs regulatory= (the status to look for in that jurisdiction)",
            ),
            ({"stem_cell_only": "false"}, "stem_cell_only", "expected True or False, got str"),
            ({"include_subtypes": "no"}, "include_subtypes", "expected True or False, got str"),
            (
                {"regulatory": "frowned-upon"},
                "regulatory",
                "'frowned-upon' is not a RegulatoryDecision; expected one of",
            ),
        ],
    )
    def test_every_filter_function_names_the_filter_at_fault(
        self, function: str, filters: dict[str, str], argument: str, message: str
    ) -> None:
        """Whichever function takes the filter, its error names exactly that filter first, then what was wrong."""
        kb = load()
        call = getattr(kb, function)
        args = ("MS",) if function == "therapies_for" else ()
        if function == "find_indications" and argument == "include_subtypes":
            filters = {**filters, "disorder": "MS"}
        with pytest.raises(StemImmuneError) as caught:
            call(*args, **filters)
        assert argument == caught.value.argument  # type: ignore[attr-defined]
        assert str(caught.value).startswith(f"{argument}: {message}")

    @pytest.mark.parametrize(
        ("name", "bad"),
        [
            ("therapy", "no such therapy anywhere"),
            ("mechanism", "no such mechanism anywhere"),
            ("cell_type", "no such cell anywhere"),
            ("cell_source", "no such source anywhere"),
            ("mechanism_kind", "telepathy"),
            ("donor_relation", "cousin"),
            ("category", "imaginary"),
            ("min_evidence", "hearsay"),
            ("ebmt_category", "maybe"),
            ("regulatory", "frowned-upon"),
        ],
    )
    def test_a_bad_filter_value_names_its_filter(self, name: str, bad: str) -> None:
        """The error for a bad filter value names that filter, so the caller knows which argument to fix."""
        filters: dict[str, Any] = {name: bad}
        with pytest.raises((InvalidArgumentError, UnknownKeyError)) as caught:
            load().find_indications(**filters)
        assert name == getattr(caught.value, "argument", None)
        assert str(caught.value).startswith(name)

    @pytest.mark.parametrize(
        ("call", "argument"),
        NAMED_ARGUMENTS,
        ids=[f"{n}-{argument}" for n, (_, argument) in enumerate(NAMED_ARGUMENTS)],
    )
    def test_every_argument_is_named_in_its_error(self, call: Any, argument: str) -> None:
        """A wrong value of any argument of any query raises an error that names that argument first."""
        with pytest.raises((UnknownKeyError, AmbiguousKeyError, WrongKindError, InvalidArgumentError)) as caught:
            call(load())
        assert argument == getattr(caught.value, "argument", None)
        assert str(caught.value).startswith(argument)

    @pytest.mark.parametrize(
        ("call", "message"),
        EXACT_MESSAGES,
        ids=[f"{n}-{message.split(':')[0]}" for n, (_, message) in enumerate(EXACT_MESSAGES)],
    )
    def test_the_message_names_the_argument_the_expectation_and_the_value(self, call: Any, message: str) -> None:
        """The error reads: which argument, what it expects, and what it was given."""
        with pytest.raises(StemImmuneError) as caught:
            call(load())
        assert message == str(caught.value)

    def test_the_reason_is_given_with_the_argument(self) -> None:
        """A date without a status, or a status no decision sets, is refused saying why and what would do."""
        kb = load()
        with pytest.raises(InvalidArgumentError) as caught:
            kb.find_products(on="2024-01-01")
        assert "on: needs status= (the status to look for on that date)" == str(caught.value)
        with pytest.raises(InvalidArgumentError) as caught:
            kb.find_products(status="designated")
        setting = [repr(d.value) for d in RegulatoryDecision if d.sets_status]
        assert str(caught.value).endswith("does not set a status; expected one of: " + ", ".join(setting))
        assert {"'approved'", "'withdrawn'"} <= set(setting)

    def test_search_accepts_text_up_to_the_limit(self) -> None:
        """A query of exactly MAX_QUERY_LENGTH characters is searched; one more is refused."""
        kb = load()
        assert () == kb.search("q" * MAX_QUERY_LENGTH)
        with pytest.raises(InvalidArgumentError):
            kb.search("q" * (MAX_QUERY_LENGTH + 1))

    def test_stem_cell_only_alone(self) -> None:
        """stem_cell_only on its own keeps every stem-cell therapy and drops the comparators."""
        kb = load()
        expected = sorted(t.id for t in kb.therapies if t.is_stem_cell_therapy)
        assert expected == _ids(kb.find_therapies(stem_cell_only=True))
        assert sorted(t.id for t in kb.therapies) == _ids(kb.find_therapies(stem_cell_only=False))

    def test_a_record_of_another_knowledge_base_is_refused(self) -> None:
        """A record that is not the knowledge base's own is not silently accepted."""
        kb = load()
        stranger = attrs.evolve(kb.disorders[0], name="something else")
        with pytest.raises(UnknownKeyError):
            kb.therapies_for(stranger)

    @pytest.mark.parametrize(
        "error",
        [
            UnknownKeyError("x", ["a", "b"], argument="disorder"),
            AmbiguousKeyError("x", ["a", "b"], argument="disorder"),
            WrongKindError("x", "Disorder", [("Therapy", "x")], argument="disorder"),
            InvalidArgumentError("limit", "expected 0 or more"),
            ArgumentTypeError("text", "a string", "int"),
        ],
    )
    def test_errors_survive_pickling(self, error: Exception) -> None:
        """Errors come back from pickle (worker processes) with the same message and data."""
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
        assert type(copy) is type(error)
        assert str(copy) == str(error)
        assert vars(copy) == vars(error)


class TestProductsAgainstTheOracle:
    @given(st.data())
    def test_status_on_a_date(self, data: st.DataObject) -> None:
        """A product's status is its latest status-setting decision in force on the day (default today)."""
        kb = data.draw(knowledge_bases())
        if not kb.products:
            return
        product = data.draw(st.sampled_from(kb.products))
        place = data.draw(st.sampled_from(["US", "EU", "JP", "us"]))
        edges = [d for e in product.events if e.date for d in (e.date.first_day, e.date.last_day)]  # edge cases
        on = data.draw(st.none() | st.sampled_from([dt.date(2011, 12, 31), dt.date(2016, 5, 1), *edges]))
        expected = status_event(product, place.upper(), on or today())
        assert (None if expected is None else expected[0]) == product.status(place, on)

    @pytest.mark.parametrize("spell", [str.upper, lambda code: f" {code.lower()} "], ids=["as-written", "spaced-lower"])
    def test_regulatory_filters_on_the_bundled_data(self, spell: Any) -> None:
        """Every decision, alone and in every jurisdiction it was taken in, selects the oracle's indications and therapies."""
        kb = fresh_bundled()
        taken = sorted(
            {(e.decision.value, e.jurisdiction) for p in kb.products for e in p.events if e.decision.sets_status}
        )
        taken.append(("expired", "NZ"))  # a lapse is a status no event names
        narrowed = 0
        for decision, code in [*taken, *((d, None) for d in sorted({d for d, _ in taken}))]:
            f: dict[str, Any] = {"regulatory": decision, "jurisdiction": code}
            asked = {**f, "jurisdiction": None if code is None else spell(code)}
            expected = oracle_indications(kb, f)
            assert expected == _ids(kb.find_indications(**asked)), f
            assert oracle_therapies(kb, f) == _ids(kb.find_therapies(**asked)), f
            if code is not None and expected != oracle_indications(kb, {"regulatory": decision}):
                narrowed += 1
        assert narrowed  # the jurisdiction mattered somewhere, so ignoring it would be caught

    def test_a_decision_counts_from_its_own_day(self) -> None:
        """A decision dated D sets the status on D itself; a year-only date counts from 31 December."""
        alofisel = load().get("Alofisel", Product)
        assert alofisel.status("EU", "2018-03-22") is None
        assert alofisel.status("EU", "2018-03-23") is RegulatoryDecision.APPROVED
        assert alofisel.status("EU", "2024-12-13") is RegulatoryDecision.WITHDRAWN
        yearly = attrs.evolve(alofisel, events=(attrs.evolve(alofisel.events[3], date="2018"),))
        assert yearly.status("EU", "2018-12-31") is yearly.events[0].decision
        assert yearly.status("EU", "2018-12-30") is None

    @given(st.data())
    def test_find_products(self, data: st.DataObject) -> None:
        """find_products() is the oracle's selection by disorder (with subtypes), therapy, jurisdiction and status."""
        kb = data.draw(knowledge_bases())
        disorder = data.draw(st.none() | _record_arg(kb.disorders))
        therapy = data.draw(st.none() | _record_arg(kb.therapies))
        place = data.draw(st.none() | st.sampled_from(["US", "EU", "JP", "us", " eu"]))
        status = data.draw(st.none() | st.sampled_from(["approved", "withdrawn", "not-approved", "expired"]))
        on = data.draw(st.none() | st.sampled_from(["2016-05-01", "2025-06-30"])) if status else None
        expected = []
        for product in kb.products:
            if disorder is not None and not any(
                d in subtypes(kb, _id(disorder)) for e in product.events for d in e.disorder_ids
            ):
                continue
            if therapy is not None and product.therapy_id != _id(therapy):
                continue
            code = None if place is None else place.strip().upper()
            places = {code} if code else {e.jurisdiction for e in product.events}
            if status is None and code is not None and code not in {e.jurisdiction for e in product.events}:
                continue
            day = today() if on is None else dt.date.fromisoformat(on)
            if status is not None and not any(
                (standing := status_event(product, p, day)) is not None
                and standing[0] == RegulatoryDecision.parse(status)
                for p in places
            ):
                continue
            expected.append(product.id)
        found = kb.find_products(disorder=disorder, therapy=therapy, jurisdiction=place, status=status, on=on)
        assert sorted(expected) == _ids(found)

    @given(st.data())
    def test_recommendations_for(self, data: st.DataObject) -> None:
        """All come newest guideline first; latest drops those a newer document of the same body supersedes."""
        kb = data.draw(knowledge_bases())
        indication = data.draw(st.sampled_from(kb.indications))
        refs = {r.id: r for r in kb.references}
        year = {r.id: r.year or 0 for r in kb.references}
        everything = kb.recommendations_for(indication)
        assert sorted(everything, key=lambda r: (-year[r.reference_id], r.reference_id)) == list(everything)
        assert sorted(map(repr, everything)) == sorted(map(repr, indication.recommendations))

        def body(r: Any) -> object:  # a guideline without a body is a body of its own
            return refs[r.reference_id].body or r.reference_id

        def superseded(r: Any) -> bool:  # a newer document of the body, for the same (or every) population and column
            return any(
                body(x) == body(r)
                and year[x.reference_id] > year[r.reference_id]
                and x.population in {None, r.population}
                and x.donor_type in {None, r.donor_type}
                for x in indication.recommendations
            )

        latest = kb.recommendations_for(indication.id, latest=True)
        assert [r for r in everything if not superseded(r)] == list(latest)
        disorder = data.draw(st.sampled_from(sorted(subtypes(kb, indication.disorder_id))))
        under = subtypes(kb, disorder)
        applying = [
            r
            for r in latest
            if not r.applies_to or any(disorder in subtypes(kb, a) or a in under for a in r.applies_to)
        ]
        assert applying == list(kb.recommendations_for(indication, latest=True, disorder=disorder))
        options = kb.therapies_for(indication.disorder_id, include_subtypes=False)
        option = next(o for o in options if o.indication == indication)
        assert list(latest) == list(option.recommendations)  # its own disorder: every recommendation applies
        letters = [c for r in latest for c in r.categories]
        assert (max(letters) if letters else None) == option.ebmt_category

    @given(st.data())
    def test_find_trials(self, data: st.DataObject) -> None:
        """DOCUMENTED["trials"] and the trial filters: a comprehension that tests each given filter as its argument says."""
        kb = data.draw(knowledge_bases())
        disorder = data.draw(st.none() | _record_arg(kb.disorders))
        therapy = data.draw(st.none() | _record_arg(kb.therapies))
        cell = data.draw(st.none() | _record_arg(kb.cell_types))
        phases = data.draw(st.none() | st.lists(st.sampled_from(TrialPhase), min_size=1, max_size=3))
        status = data.draw(st.none() | st.sampled_from(TrialStatus).flatmap(_spelled))
        giving = {t.id for t in kb.therapies if cell is not None and t.cell_type_id == _id(cell)}
        expected = sorted(
            t.id
            for t in kb.trials
            if (disorder is None or set(t.disorder_ids) & subtypes(kb, _id(disorder)))
            and (therapy is None or _id(therapy) in t.therapy_ids)
            and (cell is None or giving & set(t.therapy_ids))
            and (phases is None or t.phase in phases)
            and (status is None or t.status == TrialStatus.parse(status))
        )
        found = kb.find_trials(disorder=disorder, therapy=therapy, cell_type=cell, phase=phases, status=status)
        assert expected == _ids(found)

    def test_the_bundled_products_trials_and_recommendations(self) -> None:
        """On the bundled data, each disorder, therapy, product, cell type and jurisdiction selects the oracle's products and trials."""
        kb = fresh_bundled()
        for disorder in kb.disorders:
            under = subtypes(kb, disorder.id)
            concerned = sorted(p.id for p in kb.products if under & {d for e in p.events for d in e.disorder_ids})
            assert concerned == _ids(kb.find_products(disorder=disorder.id)), disorder.id
            assert sorted(t.id for t in kb.trials if under & set(t.disorder_ids)) == _ids(
                kb.find_trials(disorder=disorder)
            )
        for therapy in kb.therapies:
            assert sorted(p.id for p in kb.products if p.therapy_id == therapy.id) == _ids(
                kb.find_products(therapy=therapy)
            )
            assert sorted(t.id for t in kb.trials if therapy.id in t.therapy_ids) == _ids(
                kb.find_trials(therapy=therapy.id)
            )
        for product in kb.products:
            assert sorted(t.id for t in kb.trials if product.id in t.product_ids) == _ids(
                kb.find_trials(product=product)
            )
        for cell in kb.cell_types:
            giving = {t.id for t in kb.therapies if t.cell_type_id == cell.id}
            assert sorted(t.id for t in kb.trials if giving & set(t.therapy_ids)) == _ids(
                kb.find_trials(cell_type=cell)
            )
        for code in sorted({e.jurisdiction for p in kb.products for e in p.events}):
            expected = sorted(p.id for p in kb.products if code in {e.jurisdiction for e in p.events})
            assert expected == _ids(kb.find_products(jurisdiction=f" {code.lower()}")), code
        assert any(kb.find_products(disorder=d) for d in kb.disorders)  # the selections are not all empty
        assert any(kb.find_trials(product=p) for p in kb.products)

    def test_the_bundled_recommendations_come_newest_first(self) -> None:
        """Each bundled indication's recommendations come newest guideline first, then by reference id."""
        kb = fresh_bundled()
        year = {r.id: r.year or 0 for r in kb.references}
        reordered = 0
        for indication in kb.indications:
            newest_first = sorted(indication.recommendations, key=lambda r: (-year[r.reference_id], r.reference_id))
            assert newest_first == list(kb.recommendations_for(indication)), indication.id
            reordered += newest_first != list(indication.recommendations)
        assert reordered  # the data holds recommendations out of that order, so the ordering is exercised

    def test_the_trial_questions(self) -> None:
        """Recruiting phase 3 MSC trials in Crohn's disease, and phase 2-3 MSC trials in SLE, each in one call."""
        kb = load()
        crohn = kb.find_trials(disorder="Crohn's disease", cell_type="MSC", phase="phase-3", status="recruiting")
        assert ["nct06925594"] == _ids(crohn)
        sle = kb.find_trials(disorder="SLE", cell_type="MSC", phase=["phase-2", "phase-2-3", "phase-3"])
        assert sle
        assert all(t.phase in {TrialPhase.PHASE_2, TrialPhase.PHASE_2_3, TrialPhase.PHASE_3} for t in sle)
        assert kb.get("NCT06925594").id == "nct06925594"
        with pytest.raises(InvalidArgumentError, match="phase"):
            kb.find_trials(phase="phase-9")

    def test_alofisel_before_and_after_its_withdrawal(self) -> None:
        """What was approved in the EU differs between 2024-01-01 and 2025-01-01: Alofisel was withdrawn in between."""
        kb = load()
        before = _ids(kb.find_products(jurisdiction="EU", status="approved", on="2024-01-01"))
        after = _ids(kb.find_products(jurisdiction="EU", status="approved", on="2025-01-01"))
        assert "alofisel" in before
        assert "alofisel" not in after
        assert ["alofisel"] == _ids(kb.find_products(jurisdiction="EU", status="withdrawn"))
        with pytest.raises(InvalidArgumentError, match="on"):
            kb.find_products(on="2024-01-01")
        with pytest.raises(InvalidArgumentError, match="YYYY-MM-DD"):
            kb.find_products(status="approved", on="January 2024")
        with pytest.raises(InvalidArgumentError, match="does not set a status"):
            kb.find_products(status="designated")


# ------------------------------------------------------------------ lookups


class TestGetAndSearch:
    @given(st.data())
    def test_get_answers_as_the_oracle(self, data: st.DataObject) -> None:
        """get() returns the one record a key names, and raises Unknown or Ambiguous exactly when the oracle says."""
        kb = data.draw(knowledge_bases())
        record = data.draw(st.sampled_from(list(kb.records())))
        key = data.draw(st.sampled_from(keys_of(record)).flatmap(lambda k: st.sampled_from([k, k.upper(), f" {k} "])))
        expected = oracle_get(kb, key)
        if len(expected) == 1:
            assert kb.get(key) is expected[0]
            assert kb.get(key, type(expected[0])) is expected[0]
        elif expected:
            with pytest.raises(AmbiguousKeyError) as caught:
                kb.get(key)
            assert sorted(caught.value.candidates) == sorted(r.id for r in expected)
        else:
            with pytest.raises(UnknownKeyError):
                kb.get(key)
            assert kb.get_or_none(key) is None

    @given(st.data())
    def test_get_and_search_read_the_same_keys(self, data: st.DataObject) -> None:
        """Whatever get() finds by a key, search() of that key finds too, with a perfect score."""
        kb = data.draw(knowledge_bases())
        record = data.draw(st.sampled_from(list(kb.records())))
        key = data.draw(st.sampled_from(keys_of(record)))
        if not fold(key) or len(oracle_get(kb, key)) != 1:
            return
        found = kb.get(key)
        hits = kb.search(key, limit=1_000, min_score=0.0)
        assert found.id in [h.record.id for h in hits if h.score == 1.0]

    @given(knowledge_bases(), st.text(max_size=20), st.integers(0, 5))
    def test_search_is_sorted_bounded_and_only_matches_real_keys(
        self, kb: KnowledgeBase, text: str, limit: int
    ) -> None:
        """Hits are sorted by score, at most *limit* (0: no limit), each matched text a real key of its record."""
        hits = kb.search(text, limit=limit, min_score=0.0)
        assert len(hits) <= limit or limit == 0
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        for hit in hits:
            assert fold(hit.matched) in {fold(k) for k in keys_of(hit.record)}
            assert 0 <= hit.score <= 1

    @given(st.data())
    def test_search_kinds_restrict_the_records(self, data: st.DataObject) -> None:
        """kinds= (by class or by collection name) keeps only those kinds, and never loses or worsens their hits."""
        kb = data.draw(knowledge_bases())
        record = data.draw(st.sampled_from(list(kb.records())))
        name = getattr(record, "name", None) or record.id
        everything = kb.search(name, limit=1_000, min_score=0.0)
        by_class = kb.search(name, kinds=[type(record)], limit=1_000, min_score=0.0)
        by_name = kb.search(name, kinds=[RECORD_TYPES_BY_CLASS[type(record)]], limit=1_000, min_score=0.0)
        assert by_class == by_name
        assert all(type(h.record) is type(record) for h in by_class)
        restricted = {h.record.id: h.score for h in by_class}
        for hit in everything:
            if type(hit.record) is type(record):
                assert restricted[hit.record.id] >= hit.score

    @given(st.data())
    def test_unknown_keys_suggest_close_names(self, data: st.DataObject) -> None:
        """A misspelt name raises UnknownKeyError whose suggestions are real records' display names, at most five."""
        kb = data.draw(knowledge_bases())
        record = data.draw(st.sampled_from(list(kb.records())))
        name = getattr(record, "name", None) or getattr(record, "title", None)
        if not name or len(fold(name)) < 6:
            return
        key = name + "zq"
        if oracle_get(kb, key):
            return
        with pytest.raises(UnknownKeyError) as caught:
            kb.get(key)
        shown = {getattr(r, "name", None) or getattr(r, "title", None) or r.id for r in kb.records()}
        assert len(caught.value.suggestions) <= 5
        assert set(caught.value.suggestions) <= shown
        assert name in caught.value.suggestions or len(caught.value.suggestions) == 5
        with pytest.raises(UnknownKeyError) as empty:
            kb.get("!!!")
        assert () == empty.value.suggestions

    def test_suggestions_are_of_the_kind_asked_for(self) -> None:
        """With a record class, an unknown key suggests only records of that class."""
        kb = load()
        with pytest.raises(UnknownKeyError) as anything:
            kb.get("autologous hsctt")
        with pytest.raises(UnknownKeyError) as disorders:
            kb.get("autologous hsctt", Disorder)
        names = {getattr(d, "name", None) for d in kb.disorders}
        assert not set(anything.value.suggestions) <= names  # therapies come first when any kind will do
        assert set(disorders.value.suggestions) <= names

    def test_suggestions_are_at_most_five_display_names(self) -> None:
        """An unknown key suggests the five closest names, a reference by its title, a record without a name by its id."""
        kb = load()
        assert 5 < len(kb.search("stem cel", min_score=0.6, limit=50))  # more than five are close
        with pytest.raises(UnknownKeyError) as caught:
            kb.get("stem cel")
        assert 5 == len(caught.value.suggestions)
        assert "stem cell" == caught.value.suggestions[0]
        reference = kb.get("burt2019-mist", Reference)
        with pytest.raises(UnknownKeyError) as caught:
            kb.get(reference.title + "zq")
        assert reference.title == caught.value.suggestions[0]

    def test_results_show_their_ids_and_grades(self) -> None:
        """A therapy option, a search hit and an evidence summary print the ids, grades and counts they hold."""
        kb = load()
        option = next(o for o in kb.therapies_for("Crohn's disease") if o.ebmt_category is not None)
        category = option.ebmt_category
        assert category is not None
        assert (
            f"TherapyOption(therapy={option.therapy.id!r}, disorder={option.disorder.id!r}, "
            f"evidence_level={option.evidence_level.value!r}, ebmt_category={category.value!r})"
        ) == repr(option)
        bare = next(o for o in kb.therapies_for("MS") if o.ebmt_category is None)
        assert repr(bare).endswith(", ebmt_category=None)")
        hit = kb.search("multiple sclerosis")[0]
        assert "SearchHit(disorders:'multiple-sclerosis', score=1.00, matched='multiple-sclerosis')" == repr(hit)
        summary = kb.evidence_summary("MS")
        strongest = summary.strongest_evidence
        assert strongest is not None
        assert (
            f"EvidenceSummary(disorder='multiple-sclerosis', options={len(summary.options)}, "
            f"findings={len(summary.findings)}, references={len(summary.references)}, "
            f"strongest_evidence={strongest.value!r})"
        ) == repr(summary)
        untreated = next(s for s in map(kb.evidence_summary, kb.disorders) if not s.options)
        assert repr(untreated).endswith(", strongest_evidence=None)")

    def test_scores_are_the_documented_similarity(self) -> None:
        """Each hit's score is the documented similarity of the query and the matched key (both folded), to four places."""
        kb = fresh_bundled()
        queries = ["ms", "sle", "gvhd", "crohns", "multipel", "haematopoetic stem cel", "mesenchymal stromal cellz"]
        for record in list(kb.records())[::25]:
            name = getattr(record, "name", None) or getattr(record, "title", None) or record.id
            middle = len(name) // 2
            queries += [name, name[:middle] + name[middle + 1 :], name.split()[0], name[:4]]
        scored = 0
        for query in queries:
            hits = kb.search(query, min_score=0, limit=20)
            for hit in hits[:5]:
                assert round(oracle_score(fold(query), fold(hit.matched)), 4) == hit.score, (query, hit)
                scored += 0 < hit.score < 1
            for at_least in (0.5, 0.7):  # min_score drops the hits below it, and only those
                kept = [h for h in hits if h.score >= at_least][:5]
                assert kept == list(kb.search(query, min_score=at_least, limit=5)), (query, at_least)
        assert scored > 100
        title = kb.get("burt2019-mist", Reference).title
        near = kb.search(title[:-1] + "#" + title[-1], limit=1)[0]  # one character more than the title
        assert (0.99, title) == (near.score, near.matched)  # near is not exact: below 1

    def test_every_key_of_every_bundled_record_finds_it(self) -> None:
        """In a fresh copy of the bundled data, each key of each record gets its owner, or an ambiguity naming them all."""
        kb = attrs.evolve(load())  # built again, so the index is built by the code under test
        identified: dict[str, set[str]] = {}
        described: dict[str, set[str]] = {}
        for record in kb.records():
            for key in identity_keys_of(record):
                identified.setdefault(fold(key), set()).add(record.id)
            for key in descriptive_keys_of(record):
                described.setdefault(fold(key), set()).add(record.id)
        ids = {r.id for r in kb.records()}
        checked = ambiguous = 0
        for record in kb.records():
            for key in keys_of(record):
                owners = identified.get(fold(key)) or described[fold(key)]  # an identity key outranks the others
                if key in ids:  # an exact id wins over every other key
                    assert key == kb.get(key).id
                elif len(owners) == 1:
                    assert kb.get(key).id in owners, key
                    assert kb.get(f" {key.upper()}!").id in owners, key
                    checked += 1
                else:
                    with pytest.raises(AmbiguousKeyError) as caught:
                        kb.get(key)
                    assert sorted(owners) == sorted(caught.value.candidates), key
                    ambiguous += 1
        assert checked > 1000
        assert ambiguous  # some names are shared, so the ambiguity branch runs

    def test_the_bundled_keys(self) -> None:
        """The examples from the engine issue: a DOI and an author find the same record by get() and search()."""
        kb = load()
        assert "burt2019-mist" == kb.get("doi:10.1001/jama.2018.18743").id
        assert "burt2019-mist" == kb.search("doi:10.1001/jama.2018.18743")[0].record.id
        assert kb.get("Hawkey CJ").id == kb.search("Hawkey CJ")[0].record.id
        assert "multiple-sclerosis" == kb.search("multipel sclerosis")[0].record.id
        assert len(kb.search("ms", limit=0)) > 10  # 0: every hit


RECORD_TYPES_BY_CLASS = {cls: kind for kind, cls in RECORD_TYPES.items()}


# ------------------------------------------------------------------ navigation and provenance


class TestNavigationAgainstTheOracle:
    @given(knowledge_bases())
    def test_neighbours(self, kb: KnowledgeBase) -> None:
        """DOCUMENTED["neighbours"] and ["neighbours order"]: every record linked to or from it, by collection, then id."""
        records = by_id(kb)
        for record in kb.records():
            expected = {i for i in linked_ids(record) if i != record.id}
            expected |= {r.id for r in kb.records() if record.id in linked_ids(r) and r.id != record.id}
            found = kb.neighbours(record)
            assert sorted(expected) == sorted(r.id for group in found.values() for r in group)
            for kind, group in found.items():
                assert all(RECORD_TYPES_BY_CLASS[type(r)] == kind for r in group)
                assert _ids(group) == sorted(_ids(group))
            assert list(found) == [k for k in RECORD_TYPES if k in found]
            assert all(records[r.id] is r for group in found.values() for r in group)

    @given(knowledge_bases())
    def test_lineage(self, kb: KnowledgeBase) -> None:
        """DOCUMENTED["ancestors"] and ["descendants"]: the oracle's breadth-first walks, nearest first, then by id."""
        for cell in kb.cell_types:
            assert oracle_lineage(kb, cell, up=True) == _ids(kb.ancestors(cell))
            assert oracle_lineage(kb, cell, up=False) == _ids(kb.descendants(cell.id))

    @given(knowledge_bases(), st.booleans())
    def test_references_for(self, kb: KnowledgeBase, deep: bool) -> None:
        """DOCUMENTED["references"] and ["deep references"]: the oracle's references, in that order, then by id."""
        for record in kb.records():
            assert oracle_references(kb, record, deep=deep) == _ids(kb.references_for(record, deep=deep))

    def test_navigation_and_therapy_filters_on_the_bundled_data(self) -> None:
        """
        The oracles of references_for (deep, through every subtype), lineage and the therapy filters hold for every
        bundled record, including mechanisms, sources and cell types that no therapy uses.
        """
        kb = fresh_bundled()
        for disorder in kb.disorders:
            assert oracle_references(kb, disorder, deep=True) == _ids(kb.references_for(disorder, deep=True))
        named: list[tuple[str, Record]] = [
            *(("mechanism", m) for m in kb.mechanisms),
            *(("cell_source", s) for s in kb.cell_sources),
            *(("cell_type", c) for c in kb.cell_types),
        ]
        for field, record in named:
            f: dict[str, Any] = {field: record.id}
            assert oracle_therapies(kb, f) == _ids(kb.find_therapies(**f)), f
            assert oracle_indications(kb, f) == _ids(kb.find_indications(**f)), f

    def test_filters_on_records_no_therapy_uses(self) -> None:
        """A mechanism, source or cell type that no therapy uses passes no therapy and no indication."""
        extra = {
            "mechanisms": [
                {"id": "lab-mechanism", "name": "lab mechanism", "kind": "immunomodulation", "citations": []}
            ],
            "cell_types": [{"id": "lab-cell", "name": "lab cell", "potency": "multipotent"}],
        }
        kb = merge(load(), extra).knowledge_base
        assert kb.find_therapies(mechanism="lab-mechanism") == kb.find_therapies(cell_type="lab-cell") == ()
        assert kb.find_indications(mechanism="lab-mechanism") == kb.find_indications(cell_type="lab-cell") == ()

    @given(knowledge_bases())
    def test_evidence_summary(self, kb: KnowledgeBase) -> None:
        """DOCUMENTED["summary"]: the options, their findings and the deep references of the disorder."""
        for disorder in kb.disorders:
            summary = kb.evidence_summary(disorder)
            options = kb.therapies_for(disorder)
            assert summary.options == options
            wanted = {o.indication.id for o in options}
            assert sorted(_ids(summary.findings)) == sorted(
                f.id for f in kb.findings if wanted & {f.indication_id, *f.also_supports}
            )
            assert oracle_references(kb, disorder, deep=True) == _ids(summary.references)
            levels = [o.evidence_level for o in options]
            assert summary.strongest_evidence == (max(levels) if levels else None)

    def test_a_therapy_without_indications_has_only_its_own_references(self) -> None:
        """A therapy no indication studies yet cites what it cites itself, deep or not."""
        kb = load()
        therapy = kb.therapies[0]
        dropped = {i.id for i in kb.indications if i.therapy_id == therapy.id}
        assert dropped
        bare = attrs.evolve(
            kb,
            indications=tuple(i for i in kb.indications if i.id not in dropped),
            findings=tuple(f for f in kb.findings if not dropped & {f.indication_id, *f.also_supports}),
        )
        assert oracle_references(bare, bare.get(therapy.id), deep=True) == _ids(
            bare.references_for(therapy.id, deep=True)
        )
        assert _ids(bare.references_for(therapy.id)) == _ids(bare.references_for(therapy.id, deep=True))

    def test_immune_cells_descend_from_hsc(self) -> None:
        """The lineage graph answers which immune cells come from HSCs."""
        descendants = _ids(load().descendants("HSC"))
        assert {"t-cell", "b-cell", "natural-killer-cell", "macrophage", "regulatory-t-cell"} <= set(descendants)


class TestDeepHierarchies:
    DEPTH: ClassVar[int] = 5000

    def test_first_answers_on_a_deep_chain_are_quick_and_right(self) -> None:
        """On a 5000-deep chain the first ancestors(), descendants() and therapies_for() answer in well under 2 s, rightly."""
        kb = deep_chains(self.DEPTH)  # a fresh index, so its first build is timed
        n = self.DEPTH
        started = time.perf_counter()
        ancestors = _ids(kb.ancestors(f"deep-cell-{n - 1}"))
        options = kb.therapies_for("deep-disorder-0")
        elapsed = time.perf_counter() - started
        # "Cell types a cell type derives from, nearest first": up the chain, one step at a time
        assert [f"deep-cell-{k}" for k in range(n - 2, -1, -1)] == ancestors
        # "Therapies studied for *disorder* (and its subtypes)": the bottom of the chain is a subtype of its top
        assert [("deep-indication", "deep-disorder-" + str(n - 1))] == [
            (o.indication.id, o.disorder.id) for o in options
        ]
        assert elapsed < 2, f"{elapsed:.2f} s"  # 15 s on this machine when closures were built per node
        middle = n // 2
        assert [f"deep-cell-{k}" for k in range(middle + 1, n)] == _ids(kb.descendants(f"deep-cell-{middle}"))
        assert [f"deep-disorder-{n - 1}"] == [
            o.disorder.id for o in kb.therapies_for(f"deep-disorder-{middle}", include_subtypes=True)
        ]
        assert () == kb.therapies_for(f"deep-disorder-{middle}", include_subtypes=False)
        assert ["deep-indication"] == _ids(kb.find_indications(disorder=f"deep-disorder-{n - 2}"))
        assert [] == _ids(kb.find_trials(disorder="deep-disorder-0"))  # walks the subtypes too, and finds none


def _all(kb: KnowledgeBase) -> Iterator[Record]:
    yield from kb.records()


def test_every_record_kind_is_reachable_by_get() -> None:
    """Each bundled record is found by its id and typed by its class."""
    kb = load()
    for record in _all(kb):
        assert kb.get(record.id, type(record)) is record
    assert isinstance(kb.get("burt2019-mist", Reference), Reference)


def _diamonds() -> KnowledgeBase:
    """The bundled data plus a disorder hierarchy and a cell lineage that each reach one record by two paths."""
    disorders: list[dict[str, Any]] = [
        {"id": "lab-a", "name": "lab a", "category": "immunodeficiency"},
        *(
            {"id": f"lab-{x}", "name": f"lab {x}", "category": "immunodeficiency", "parent_ids": ["lab-a"]}
            for x in "bc"
        ),
        {"id": "lab-d", "name": "lab d", "category": "immunodeficiency", "parent_ids": ["lab-b", "lab-c"]},
        *(
            {
                "id": f"lab-e{n}",
                "name": f"lab e{n}",
                "category": "immunodeficiency",
                "parent_ids": ["lab-b", "lab-c"][n % 2 :],
            }
            for n in range(6)
        ),
    ]
    indications = [
        {
            "id": f"lab-indication-{d['id']}",
            "therapy_id": "autologous-hsct",
            "disorder_id": d["id"],
            "evidence_level": "case-series",
            "citations": [{"reference_id": "sullivan2018-scot"}],
        }
        for d in disorders
    ]
    cells = [
        {"id": "lab-cell-a", "name": "lab cell a"},
        {"id": "lab-cell-x", "name": "lab cell x", "derives_from": ["lab-cell-a"]},
        {"id": "lab-cell-b", "name": "lab cell b", "derives_from": ["lab-cell-a"]},
        {"id": "lab-cell-c", "name": "lab cell c", "derives_from": ["lab-cell-x"]},
        {"id": "lab-cell-d", "name": "lab cell d", "derives_from": ["lab-cell-b", "lab-cell-c"]},
    ]
    return merge(load(), {"disorders": disorders, "indications": indications, "cell_types": cells}).knowledge_base


def test_hierarchies_with_two_paths_to_one_record() -> None:
    """
    A disorder's subtypes are every disorder below it, whichever path leads there; a cell's ancestors come nearest
    first, each at its shortest distance (the oracles' breadth-first walks).
    """
    kb = _diamonds()
    below = subtypes(kb, "lab-a")
    assert {"lab-d", *(f"lab-e{n}" for n in range(6))} <= below
    assert sorted(i.id for i in kb.indications if i.disorder_id in below) == sorted(
        _ids(kb.find_indications(disorder="lab-a"))
    )
    cell = kb.get("lab-cell-d", CellType)
    assert (
        oracle_lineage(kb, cell, up=True)
        == _ids(kb.ancestors(cell))
        == [
            "lab-cell-b",
            "lab-cell-c",
            "lab-cell-a",
            "lab-cell-x",
        ]
    )
