"""Navigation and provenance: records linked to a record, cell lineage, the references behind a record."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ._index import Index, unique
from .model import (
    RECORD_TYPES,
    CellType,
    CollectionName,
    Disorder,
    Finding,
    Indication,
    Record,
    Reference,
    Therapy,
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
from ._filters import therapies_for
from ._lookup import any_record, resolve
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
    return {kind: tuple(sorted(grouped[kind], key=lambda r: r.id)) for kind in RECORD_TYPES if kind in grouped}


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
