"""Navigation and provenance: records linked to a record, cell lineage, the references behind a record."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ._index import Index, unique
from .exceptions import AmbiguousKeyError, WrongKindError
from .model import (
    RECORD_TYPES,
    CellType,
    CollectionName,
    Disorder,
    Finding,
    Indication,
    Product,
    Record,
    Reference,
    Therapy,
    Trial,
    collection_of,
)
from .vocabulary import (
    Vocabulary,
)


if TYPE_CHECKING:
    pass
from ._arguments import (
    flag,
)
from ._filters import find_trials, therapies_for
from ._lookup import MAX_KEY_LENGTH, any_record, get, resolve
from ._results import EvidenceSummary, Results


R = TypeVar("R", bound=Record)
V = TypeVar("V", bound=Vocabulary)


def neighbours(index: Index, key: Record | str) -> dict[CollectionName, tuple[Record, ...]]:
    """Records linked to a record in either direction, by collection in canonical order, each by id."""
    record = any_record(index, key, "key")
    ids = {target for _field, target, _targets in index.outgoing.get(record.id, ())}
    ids |= {source for source, _field in index.incoming.get(record.id, ())}
    ids.discard(record.id)
    grouped: dict[CollectionName, list[Record]] = defaultdict(list)
    for linked in ids:
        other = index.by_id[linked]
        grouped[collection_of(other)].append(other)
    return {kind: tuple(sorted(grouped.get(kind, ()), key=lambda r: r.id)) for kind in RECORD_TYPES}


def findings_for(index: Index, key: Indication | Disorder | Therapy | str) -> Results[Finding]:
    """The findings under an indication, a disorder (with its subtypes) or a therapy, by id (see :meth:`KnowledgeBase.findings_for`)."""
    record = _evidence_anchor(index, key)
    found = {f.id: f for i in _indications_of(index, record) for f in index.findings_by_indication.get(i, ())}
    return Results(sorted(found.values(), key=lambda f: f.id), of=Finding)  # once each, though it supports several


def trials_for(index: Index, key: Indication | Disorder | Therapy | Product | str) -> Results[Trial]:
    """The registered trials of an indication, a disorder, a therapy or a product, by id (see :meth:`KnowledgeBase.trials_for`)."""
    record = _evidence_anchor(index, key, Product)
    if isinstance(record, Indication):
        found = {t.id: t for t in find_trials(index, disorder=record.disorder_id, therapy=record.therapy_id)}
        found.update((i, index.by_id[i]) for i in record.trial_ids if i not in found)  # type: ignore[misc]
        return Results(sorted(found.values(), key=lambda t: t.id), of=Trial)
    if isinstance(record, Disorder):
        return find_trials(index, disorder=record)
    if isinstance(record, Therapy):
        return find_trials(index, therapy=record)
    return find_trials(index, product=record)  # type: ignore[arg-type]


_ANCHORS: tuple[type[Record], ...] = (Indication, Disorder, Therapy)


def _evidence_anchor(index: Index, key: Record | str, *more: type[Record]) -> Record:
    """The indication, disorder or therapy (or one of *more*) *key* is or names; WrongKindError for another kind."""
    kinds = (*_ANCHORS, *more)
    expected = f"{', '.join(kind.__name__ for kind in kinds[:-1])} or {kinds[-1].__name__}"
    if isinstance(key, str):
        matches = index.lookup(key) if len(key) <= MAX_KEY_LENGTH else ()
        wanted = sorted((r for r in matches if isinstance(r, kinds)), key=lambda r: (index.kind_rank(r), r.id))
        if len(wanted) > 1:
            raise AmbiguousKeyError(key, [r.id for r in wanted], argument="key")
        if wanted:
            return wanted[0]
        if matches:
            raise WrongKindError(key, expected, [(type(r).__name__, r.id) for r in matches], argument="key")
        return get(index, key, argument="key")  # names nothing: get() raises UnknownKeyError with close matches
    record = any_record(index, key, "key")
    if not isinstance(record, kinds):
        raise WrongKindError(record.id, expected, [(type(record).__name__, record.id)], argument="key")
    return record


def _indications_of(index: Index, record: Record) -> set[str]:
    if isinstance(record, Indication):
        return {record.id}
    if isinstance(record, Disorder):
        return set(index.indications_under(record.id))
    return set(index.indications_by_therapy.get(record.id, ()))


def lineage(index: Index, cell_type: CellType | str, direction: Literal["up", "down"]) -> Results[CellType]:
    """Cell types a cell derives from (up) or that derive from it (down), nearest first, then by id."""
    cell = resolve(index, cell_type, CellType, "cell_type")
    found: dict[str, int] = {}
    frontier = [cell.id]
    depth = 0
    while frontier:
        depth += 1
        following = []
        for node in frontier:
            step = index.by_id[node].derives_from if direction == "up" else index.children.get(node, ())  # type: ignore[union-attr]
            for other in sorted(step):
                if other not in found and other != cell.id:
                    found[other] = depth
                    following.append(other)
        frontier = following
    return Results((index.by_id[i] for i in sorted(found, key=lambda i: (found[i], i))), of=CellType)  # type: ignore[misc]


def references_for(index: Index, key: Record | str, *, deep: bool = False) -> Results[Reference]:
    """References a record cites (with *deep*, also those of the indications and findings under it)."""
    record = any_record(index, key, "key")
    records: list[Record] = [record]
    if flag(deep, "deep"):
        indications: set[str] = set()
        if isinstance(record, Disorder):
            for disorder_id in index.disorder_and_subtypes(record.id):
                indications |= index.indications_by_disorder.get(disorder_id, set())
        elif isinstance(record, Therapy):
            indications = set(index.indications_by_therapy.get(record.id, ()))
        elif isinstance(record, Indication):
            indications = {record.id}
        for indication_id in sorted(indications):
            records.append(index.by_id[indication_id])
            records.extend(index.findings_by_indication.get(indication_id, ()))
    cited: list[Any] = unique(
        index.by_id[target]
        for r in records
        for _field, target, targets in index.outgoing.get(r.id, ())
        if "references" in targets
    )
    return Results(sorted(cited, key=lambda r: (-r.tier.rank, -(r.year or 0), r.id)), of=Reference)


def evidence_summary(index: Index, disorder: Disorder | str) -> EvidenceSummary:
    """What the data says about treating a disorder (see :meth:`KnowledgeBase.evidence_summary`)."""
    record = resolve(index, disorder, Disorder, "disorder")
    options = therapies_for(index, record)
    first: dict[str, Finding] = {}  # a finding that supports several of the options is listed once, at its first
    for option in options:
        for finding in index.findings_by_indication.get(option.indication.id, ()):
            first.setdefault(finding.id, finding)
    findings = tuple(first.values())
    return EvidenceSummary(
        disorder=record, options=options, findings=findings, references=references_for(index, record, deep=True)
    )
