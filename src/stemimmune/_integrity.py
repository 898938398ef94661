"""
The rules that span records, as one pure function: :func:`find_problems`.

Which field links to which collection is read from the model (:func:`~stemimmune.model.iter_links`),
never listed here. Problems are located as data (collection, index, field, record id).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ._index import identity_problems
from ._text import shorten
from .exceptions import Problem
from .model import RECORD_TYPES, Citation, CollectionName, Record, iter_links
from .vocabulary import DonorRelation, EvidenceLevel, ReferenceKind, RiskKind


def find_problems(collections: Mapping[CollectionName, Sequence[Record]]) -> tuple[Problem, ...]:
    """
    Check the rules that span records, returning every problem found.

    The rules: ids are unique across the whole knowledge base, and so is every
    identity key (an id, registry id, CURIE, DOI, PMID or PMCID names one record); every link between
    records resolves to a record of a collection the field allows; lineage and
    disorder hierarchies have no cycles; a therapy's cell type is one its sources
    yield; allogeneic therapies list a GVHD risk and autologous ones do not; guideline
    donor columns match the therapy's donor relation; a recommendation restricted to some
    disorders names the indication's disorder or its subtypes; a guideline recommendation
    cites a reference of kind ``guideline``; no evidence above preclinical rests on
    promotional sources alone; a trial does not start after it completes (surely: the
    start's period begins after the completion's ends); a withdrawal or lapse does not come
    before every authorisation it could end in its jurisdiction; and no registry id belongs
    to two trials.

    This is the same code whether the data is bundled, a user's, or generated in
    tests. Records are already valid one by one (their classes check that).

    Args:
        collections: Records by collection name; missing collections are empty.

    Example:
        >>> from stemimmune.model import Risk
        >>> from stemimmune.vocabulary import RiskKind
        >>> risk = Risk(id="r", name="r", kind=RiskKind.TOXICITY)
        >>> [str(p) for p in find_problems({"risks": [risk, risk]})]
        ["$.risks[1].id (id 'r'): duplicate id; already used in risks"]
    """
    return check_records(collections, {})


def check_records(
    collections: Mapping[CollectionName, Sequence[Record]], unparsed: Mapping[str, CollectionName]
) -> tuple[Problem, ...]:
    """
    Check the rules of :func:`find_problems` on the records that parsed, knowing which did not.

    *unparsed* holds the ids of the records that failed to parse, with their collection:
    their own problems are reported already, so a link to one of them is not reported
    as unresolved, and a rule that would need one (a therapy's GVHD risk, a source's
    cell types, whether a cited reference is promotional) is not checked on the records
    that link to it. Fixing the record may then reveal those problems.
    """
    problems: list[Problem] = []
    ids: dict[str, CollectionName] = {}
    for kind, index, record in _each(collections):
        if record.id in ids:
            problems.append(
                _problem(
                    kind,
                    index,
                    record,
                    "id",
                    f"duplicate id; already used in {ids[record.id]}",
                    value=record.id,
                    expected="an id no other record uses",
                )
            )
        else:
            ids[record.id] = kind

    for kind, index, record in _each(collections):
        for field, targets, value in iter_links(record):
            if ids.get(value) not in targets and unparsed.get(value) not in targets:
                wanted = " or ".join(targets)
                problems.append(
                    _problem(
                        kind,
                        index,
                        record,
                        field,
                        f"{value!r} does not resolve to a record of {wanted}",
                        value=value,
                        expected=f"the id of a record of {wanted} in this knowledge base",
                    )
                )

    problems.extend(identity_problems(collections))  # a duplicate id is reported above, not here
    problems.extend(_cycles(collections, "cell_types", "derives_from"))
    problems.extend(_cycles(collections, "disorders", "parent_ids"))
    problems.extend(_therapy_rules(collections, unparsed))
    problems.extend(_evidence_rules(collections, unparsed))
    problems.extend(_time_rules(collections))
    return tuple(problems)


def _each(collections: Mapping[CollectionName, Sequence[Record]]) -> Iterator[tuple[CollectionName, int, Record]]:
    for kind in RECORD_TYPES:
        for index, record in enumerate(collections.get(kind, ())):
            yield kind, index, record


def _problem(
    kind: CollectionName, index: int, record: Record, field: str, message: str, *, value: object, expected: str
) -> Problem:
    return Problem(
        collection=kind,
        index=index,
        field=field,
        record_id=record.id,
        message=message,
        value=shorten(value),
        expected=expected,
    )


def _therapy_rules(
    collections: Mapping[CollectionName, Sequence[Record]], unparsed: Mapping[str, CollectionName]
) -> Iterator[Problem]:
    sources: dict[str, Any] = {s.id: s for s in collections.get("cell_sources", ())}
    risks: dict[str, Any] = {r.id: r for r in collections.get("risks", ())}
    therapy: Any
    for index, therapy in enumerate(collections.get("therapies", ())):
        yielded = {c for s in therapy.source_ids if s in sources for c in sources[s].yields}
        sources_known = not any(s in unparsed for s in therapy.source_ids)
        if yielded and sources_known and therapy.cell_type_id not in yielded:
            yield _problem(
                "therapies",
                index,
                therapy,
                "cell_type_id",
                f"{therapy.cell_type_id!r} is not a cell type its sources ({', '.join(therapy.source_ids)}) yield "
                f"({', '.join(sorted(yielded))})",
                value=therapy.cell_type_id,
                expected=f"one of {', '.join(sorted(yielded))}",
            )
        has_gvhd = any(risks[r].kind is RiskKind.GVHD for r in therapy.risk_ids if r in risks)
        risks_known = not any(r in unparsed for r in therapy.risk_ids)
        if therapy.donor_relation is DonorRelation.ALLOGENEIC and not has_gvhd and risks_known:
            yield _problem(
                "therapies",
                index,
                therapy,
                "risk_ids",
                "an allogeneic therapy must list a GVHD risk",
                value=list(therapy.risk_ids),
                expected="a risk of kind 'gvhd' among the risk ids",
            )
        if therapy.donor_relation is DonorRelation.AUTOLOGOUS and has_gvhd:
            yield _problem(
                "therapies",
                index,
                therapy,
                "risk_ids",
                "an autologous therapy must not list a GVHD risk",
                value=list(therapy.risk_ids),
                expected="no risk of kind 'gvhd'",
            )


def _evidence_rules(
    collections: Mapping[CollectionName, Sequence[Record]], unparsed: Mapping[str, CollectionName]
) -> Iterator[Problem]:
    references: dict[str, Any] = {r.id: r for r in collections.get("references", ())}
    therapies: dict[str, Any] = {t.id: t for t in collections.get("therapies", ())}
    disorders: Sequence[Any] = collections.get("disorders", ())
    parents: dict[str, tuple[str, ...]] = {d.id: d.parent_ids for d in disorders}

    def promotional_only(citations: tuple[Citation, ...]) -> bool:
        if any(c.reference_id in unparsed for c in citations):
            return False  # a reference that failed to parse may be the non-promotional one
        cited = [references[c.reference_id] for c in citations if c.reference_id in references]
        return bool(cited) and all(r.is_promotional for r in cited)

    indication: Any
    for index, indication in enumerate(collections.get("indications", ())):
        if indication.evidence_level > EvidenceLevel.PRECLINICAL and promotional_only(indication.citations):
            yield _problem(
                "indications",
                index,
                indication,
                "citations",
                f"evidence level {indication.evidence_level.value!r} rests on promotional sources alone",
                value=[c.reference_id for c in indication.citations],
                expected="at least one non-promotional source, or the level 'preclinical' or below",
            )
        indicated = therapies.get(indication.therapy_id)
        for position, recommendation in enumerate(indication.recommendations):
            source = references.get(recommendation.reference_id)
            if source is not None and source.kind is not ReferenceKind.GUIDELINE:
                yield _problem(
                    "indications",
                    index,
                    indication,
                    f"recommendations[{position}].reference_id",
                    f"a guideline recommendation cites {recommendation.reference_id!r}, "
                    f"a reference of kind {source.kind.value!r}",
                    value=recommendation.reference_id,
                    expected="the id of a reference of kind 'guideline'",
                )
            if (
                indicated is not None
                and recommendation.donor_type is not None
                and recommendation.donor_type.relation is not indicated.donor_relation
            ):
                yield _problem(
                    "indications",
                    index,
                    indication,
                    f"recommendations[{position}].donor_type",
                    f"{recommendation.donor_type.value!r} donors do not fit a {indicated.donor_relation.value} therapy",
                    value=recommendation.donor_type.value,
                    expected=f"a donor column of a {indicated.donor_relation.value} therapy",
                )
            for target in recommendation.applies_to:
                if target in parents and not _is_under(target, indication.disorder_id, parents):
                    yield _problem(
                        "indications",
                        index,
                        indication,
                        f"recommendations[{position}].applies_to",
                        f"{target!r} is not {indication.disorder_id!r} or one of its subtypes",
                        value=target,
                        expected=f"{indication.disorder_id!r} or the id of one of its subtypes",
                    )
    indications: dict[str, Any] = {i.id: i for i in collections.get("indications", ())}
    finding: Any
    for index, finding in enumerate(collections.get("findings", ())):
        own = indications.get(finding.indication_id)
        for position, other_id in enumerate(finding.also_supports):
            other = indications.get(other_id)
            if own is not None and other is not None and other.therapy_id != own.therapy_id:
                yield _problem(
                    "findings",
                    index,
                    finding,
                    f"also_supports[{position}]",
                    f"another therapy: {other_id!r} is of {other.therapy_id!r}, the finding's own of {own.therapy_id!r}",
                    value=other_id,
                    expected=f"the id of another indication of {own.therapy_id!r}",
                )
        if finding.design > EvidenceLevel.PRECLINICAL and promotional_only(finding.citations):
            yield _problem(
                "findings",
                index,
                finding,
                "citations",
                "a clinical finding rests on promotional sources alone",
                value=[c.reference_id for c in finding.citations],
                expected="at least one non-promotional source",
            )


def _time_rules(collections: Mapping[CollectionName, Sequence[Record]]) -> Iterator[Problem]:
    """Dates in order: a trial's start and completion, an authorisation and what ends it (one trial per registry id is an identity rule)."""
    trial: Any
    for index, trial in enumerate(collections.get("trials", ())):
        start, end = trial.start_date, trial.completion_date
        if start is not None and end is not None and start.first_day > end.last_day:
            yield _problem(
                "trials",
                index,
                trial,
                "start_date",
                f"the trial starts ({start}) after it completes ({end})",
                value=str(start),
                expected=f"a start on or before the completion date {end}",
            )
    product: Any
    for index, product in enumerate(collections.get("products", ())):
        for position, event in enumerate(product.events):
            if not event.decision.ends_authorisation or event.start is None:
                continue
            starts = [
                e.start
                for e in product.events
                if e.jurisdiction == event.jurisdiction and e.decision.is_authorisation and e.start is not None
            ]
            if not any(s.first_day <= event.start.last_day for s in starts):
                field = "date" if event.date is not None else "in_force_by"
                first = f"; the first is dated {min(starts)}" if starts else ""
                yield _problem(
                    "products",
                    index,
                    product,
                    f"events[{position}].{field}",
                    f"a {event.decision.value!r} event in {event.jurisdiction} ({event.start}) comes before every "
                    f"authorisation it could end there{first}",
                    value=str(event.start),
                    expected=f"a date on or after the authorisation it ends in {event.jurisdiction}",
                )


def _is_under(disorder_id: str, ancestor_id: str, parents: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether *disorder_id* is *ancestor_id* or reaches it through parent links."""
    seen: set[str] = set()
    stack = [disorder_id]
    while stack:
        current = stack.pop()
        if current == ancestor_id:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(parents.get(current, ()))
    return False


def _cycles(collections: Mapping[CollectionName, Sequence[Record]], kind: CollectionName, field: str) -> list[Problem]:
    """Report each record that lies on a cycle of *field* links."""
    records = collections.get(kind, ())
    edges: dict[str, tuple[str, ...]] = {r.id: getattr(r, field) for r in records}
    on_cycle = _on_cycles(edges)
    return [
        _problem(
            kind,
            index,
            record,
            field,
            f"{field} forms a cycle",
            value=list(getattr(record, field)),
            expected="links that never lead back to this record",
        )
        for index, record in enumerate(records)
        if record.id in on_cycle
    ]


def _on_cycles(edges: Mapping[str, tuple[str, ...]]) -> set[str]:
    """
    Return the nodes that can reach themselves through *edges*.

    They are the members of the strongly connected components with more than one
    node, and the nodes linked to themselves; the components are Tarjan's, found
    without recursion so that a long chain cannot exhaust the stack. Links to
    nodes outside *edges* lead nowhere.
    """
    order: dict[str, int] = {}  # discovery order
    low: dict[str, int] = {}  # lowest discovery order reachable within the node's component
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[str] = set()
    for start in edges:
        if start in order:
            continue
        order[start] = low[start] = len(order)
        stack.append(start)
        on_stack.add(start)
        work: list[tuple[str, Iterator[str]]] = [(start, iter(edges[start]))]
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == order[node]:
                    component = [stack.pop()]
                    while component[-1] != node:
                        component.append(stack.pop())
                    on_stack.difference_update(component)
                    if len(component) > 1 or node in edges[node]:
                        found.update(component)
            elif child in edges and child not in order:
                order[child] = low[child] = len(order)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(edges[child])))
            elif child in on_stack:
                low[node] = min(low[node], order[child])
    return found
