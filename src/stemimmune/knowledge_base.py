"""
The :class:`KnowledgeBase` container, its integrity rules, and loading.

A knowledge base is immutable and valid by construction: building one runs
:func:`find_problems` and raises :class:`~stemimmune.DatasetError` listing every
problem, so a half-valid knowledge base never exists.
"""

from __future__ import annotations

import difflib
import functools
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

import attrs

from ._validators import as_tuple, shorten
from .exceptions import DatasetError, Problem, UnknownKeyError
from .model import (
    RECORD_TYPES,
    CellSource,
    CellType,
    Challenge,
    Disorder,
    Finding,
    ImmuneComponent,
    Indication,
    Mechanism,
    Reference,
    Risk,
    Therapy,
)
from .query import EvidenceSummary, QueryIndex, SearchHit, TherapyOption
from .vocabulary import CredibilityTier, DonorRelation, EvidenceLevel, RiskKind


#: Any record kind a knowledge base holds.
Record = (
    Reference
    | ImmuneComponent
    | CellType
    | CellSource
    | Mechanism
    | Risk
    | Challenge
    | Disorder
    | Therapy
    | Indication
    | Finding
)


def _collection() -> Any:
    return attrs.field(factory=tuple, converter=as_tuple, repr=False)


@functools.lru_cache(maxsize=16_384)
def fold(text: str) -> str:
    """
    Fold *text* for matching: case, accents, punctuation and spacing are ignored.

    British and American spellings of common medical words fold together.

    Example:
        >>> fold("Haematopoietic  Stem-Cell")
        'hematopoietic stem cell'
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _NOT_ALPHANUMERIC.sub(" ", text.lower()).strip()
    if "ae" in text or "oe" in text or "our" in text:
        for british, american in _SPELLINGS:
            text = text.replace(british, american)
    return text


_NOT_ALPHANUMERIC: Final = re.compile(r"[^a-z0-9]+")
_SPELLINGS: Final = (("haem", "hem"), ("paed", "ped"), ("oedem", "edem"), ("coeliac", "celiac"), ("tumour", "tumor"))


@attrs.frozen(kw_only=True, repr=False)
class KnowledgeBase:
    """
    An immutable, validated collection of stemimmune records.

    Each record kind is a tuple attribute named for the kind in the plural. Building
    a knowledge base checks every integrity rule (see :func:`find_problems`).

    Attributes:
        version: The dataset's version, distinct from the package version.
        references: Bibliographic records every citation points to.
        immune_components: Organs, tissues and molecules of the immune system.
        cell_types: Stem cells, immune cells and cells therapies make.
        cell_sources: Tissues that cells are collected from.
        mechanisms: How therapies are thought to help.
        risks: Harms therapies can cause.
        challenges: Open problems for the field.
        disorders: Immune disorders.
        therapies: Concrete cell-therapy approaches.
        indications: Therapy-disorder pairs with graded evidence.
        findings: Single quantitative results.

    Example:
        >>> import stemimmune
        >>> kb = stemimmune.load()
        >>> kb.get("MS").name
        'multiple sclerosis'
    """

    version: str = attrs.field()
    references: tuple[Reference, ...] = _collection()
    immune_components: tuple[ImmuneComponent, ...] = _collection()
    cell_types: tuple[CellType, ...] = _collection()
    cell_sources: tuple[CellSource, ...] = _collection()
    mechanisms: tuple[Mechanism, ...] = _collection()
    risks: tuple[Risk, ...] = _collection()
    challenges: tuple[Challenge, ...] = _collection()
    disorders: tuple[Disorder, ...] = _collection()
    therapies: tuple[Therapy, ...] = _collection()
    indications: tuple[Indication, ...] = _collection()
    findings: tuple[Finding, ...] = _collection()
    _by_id: dict[str, Record] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _by_key: list[dict[str, tuple[Record, ...]]] = attrs.field(
        init=False, eq=False, repr=False, hash=False, factory=list
    )
    _queries: list[QueryIndex] = attrs.field(init=False, eq=False, repr=False, hash=False, factory=list)

    def __attrs_post_init__(self) -> None:
        """Check every integrity rule, then build the lookup indexes."""
        problems = find_problems(self)
        if problems:
            raise DatasetError(problems)
        object.__setattr__(self, "_by_id", {record.id: record for record in self.records()})

    def _keys_index(self) -> dict[str, tuple[Record, ...]]:
        """Folded names, synonyms, CURIEs, DOIs and PMIDs to records; built on first use, once."""
        if not self._by_key:
            with _index_lock:
                if not self._by_key:
                    by_key: dict[str, dict[int, Record]] = {}
                    for record in self.records():
                        for key in _keys(record):
                            by_key.setdefault(key, {})[id(record)] = record
                    self._by_key.append({k: tuple(v.values()) for k, v in by_key.items()})
        return self._by_key[0]

    @classmethod
    def from_collections(cls, version: str, collections: Mapping[str, Iterable[Record]]) -> KnowledgeBase:
        """
        Build a knowledge base from records grouped by collection name (missing ones are empty).

        Raises:
            DatasetError: A collection name is unknown, or the records break a rule.
        """
        unknown = sorted(set(collections) - set(RECORD_TYPES))
        if unknown:
            raise DatasetError(
                Problem(location=f"$.{name}", message="unknown collection", expected=", ".join(RECORD_TYPES))
                for name in unknown
            )
        fields: dict[str, Any] = {kind: tuple(records) for kind, records in collections.items()}
        return cls(version=version, **fields)

    def __repr__(self) -> str:
        """Show the version and how many records of each kind there are."""
        counts = ", ".join(f"{kind}={len(getattr(self, kind))}" for kind in RECORD_TYPES)
        return f"KnowledgeBase(version={self.version!r}, {counts})"

    def records(self) -> Iterator[Record]:
        """Iterate over every record, kind by kind in canonical order."""
        for kind in RECORD_TYPES:
            yield from getattr(self, kind)

    def collections(self) -> dict[str, tuple[Record, ...]]:
        """Return every collection, keyed by its attribute name, in canonical order."""
        return {kind: getattr(self, kind) for kind in RECORD_TYPES}

    def get(self, key: str) -> Record:
        """
        Return the one record matching *key*.

        *key* may be a record id, a cross-reference CURIE (``"MONDO:0005301"``), a
        name, or a synonym or abbreviation; case, accents, punctuation and
        British/American spelling are ignored.

        Raises:
            UnknownKeyError: Nothing matches, or several records do; the error names
                the closest matches (a :class:`LookupError`).

        Example:
            >>> import stemimmune
            >>> stemimmune.load().get("haematopoietic stem cell").id
            'hematopoietic-stem-cell'
        """
        found = self.get_or_none(key)
        if found is not None:
            return found
        matches = self._keys_index().get(fold(key), ())
        if len(matches) > 1:
            raise UnknownKeyError(key, sorted(r.id for r in matches))
        raise UnknownKeyError(key, self._suggest(key))

    def get_or_none(self, key: str) -> Record | None:
        """
        Return the record matching *key*, or None when none (or more than one) does.

        Example:
            >>> import stemimmune
            >>> stemimmune.load().get_or_none("no such thing") is None
            True
        """
        record = self._by_id.get(key)
        if record is not None:
            return record
        matches = self._keys_index().get(fold(key), ())
        return matches[0] if len(matches) == 1 else None

    def _suggest(self, key: str) -> list[str]:
        close = difflib.get_close_matches(fold(key), list(self._keys_index()), n=5, cutoff=0.6)
        names: dict[str, None] = {}
        for folded in close:
            for record in self._keys_index()[folded]:
                names[_display_name(record)] = None
        return list(names)[:5]

    def _index(self) -> QueryIndex:
        """The query indexes, built on first use (once, even when threads race)."""
        if not self._queries:
            with _index_lock:
                if not self._queries:
                    self._queries.append(QueryIndex(self))
        return self._queries[0]

    def search(
        self, text: str, *, kinds: Iterable[str] | None = None, limit: int = 10, min_score: float = 0.5
    ) -> tuple[SearchHit, ...]:
        """
        Find records whose name, synonym, id or CURIE resembles *text*, best first.

        Matching ignores case, punctuation and British/American spelling and tolerates
        typos. Ties are broken by record kind and id, so the order is deterministic.

        Args:
            text: What to look for.
            kinds: Only these collections, e.g. ``["disorders", "therapies"]``.
            limit: At most this many hits.
            min_score: Drop hits scoring below this (0 to 1).

        Example:
            >>> import stemimmune
            >>> hit = stemimmune.load().search("multipel sclerosis")[0]
            >>> hit.record.id, hit.kind
            ('multiple-sclerosis', 'disorders')
        """
        return self._index().search(text, kinds=kinds, limit=limit, min_score=min_score)

    def therapies_for(self, disorder: Disorder | str, **filters: Any) -> tuple[TherapyOption, ...]:
        """
        Therapies studied for *disorder* (and its subtypes), strongest evidence first.

        Each result pairs the therapy with its indication. Ties in evidence are broken by
        the strongest EBMT category, then by therapy id.

        Args:
            disorder: A disorder record or any key :meth:`get` accepts.
            **filters: Any filter of :meth:`find_indications`, e.g.
                ``min_evidence="randomized-trial"``, ``donor_relation="autologous"``,
                ``mechanism="immunomodulation"``, ``cell_source="adipose tissue"``.

        Example:
            >>> import stemimmune
            >>> best = stemimmune.load().therapies_for("MS")[0]
            >>> best.therapy.id, best.evidence_level.value
            ('autologous-hsct', 'randomized-trial')
        """
        index = self._index()
        return index.options(index.indication_ids(disorder=disorder, **filters))

    def find_indications(self, **filters: Any) -> tuple[Indication, ...]:
        """
        Indications passing every given filter, strongest evidence first.

        Filters (all optional, combined with AND): *disorder* (with *include_subtypes*,
        default True), *therapy*, *category* (a disorder category), *mechanism* (a
        mechanism record or a kind such as ``"immunomodulation"``), *cell_type*,
        *cell_source*, *donor_relation*, *min_evidence*, *ebmt_category* (``"CO"``...),
        *regulatory* (a decision such as ``"approved"``, with optional *jurisdiction*),
        and *stem_cell_only*. Keys accept anything :meth:`get` accepts; enum values
        accept their value or name.

        Raises:
            UnknownKeyError: A key matches no record.
            ValueError: An enum value is not valid; the message lists the valid ones.

        Example:
            >>> import stemimmune
            >>> kb = stemimmune.load()
            >>> all(i.evidence_level.value == "randomized-trial" for i in kb.find_indications(min_evidence="randomized-trial"))
            True
        """
        index = self._index()
        return tuple(index.by_id[i] for i in index.ordered(index.indication_ids(**filters)))  # type: ignore[misc]

    def find_therapies(self, **filters: Any) -> tuple[Therapy, ...]:
        """
        Therapies passing every given filter, by id.

        Takes the therapy filters of :meth:`find_indications` (*therapy*, *mechanism*,
        *cell_type*, *cell_source*, *donor_relation*, *regulatory*, *jurisdiction*,
        *stem_cell_only*), plus *disorder* to keep therapies with an indication for it.

        Example:
            >>> import stemimmune
            >>> [t.id for t in stemimmune.load().find_therapies(cell_source="adipose tissue")]
            ['adipose-msc-therapy']
        """
        index = self._index()
        if "disorder" in filters or set(filters) - _THERAPY_FILTERS:
            ids = {index.by_id[i].therapy_id for i in index.indication_ids(**filters)}  # type: ignore[union-attr]
        else:
            ids = index.therapies_passing(**filters)
        return tuple(sorted((index.by_id[i] for i in ids), key=lambda t: t.id))  # type: ignore[misc]

    def neighbours(self, key: Record | str) -> dict[str, tuple[Record, ...]]:
        """
        Records linked to a record in either direction, grouped by collection.

        Following links both ways is how to navigate: from a disorder to its
        indications, from a therapy to its mechanisms, cell type and sources, from a
        mechanism back to the therapies that use it, from a cell source to the cell
        types it yields...

        Example:
            >>> import stemimmune
            >>> kb = stemimmune.load()
            >>> [m.id for m in kb.neighbours("autologous-hsct")["mechanisms"]]
            ['immune-reset']
            >>> "autologous-hsct" in [t.id for t in kb.neighbours("immune-reset")["therapies"]]
            True
        """
        record = key if not isinstance(key, str) else self.get(key)
        return self._index().neighbours(record)

    def ancestors(self, cell_type: CellType | str) -> tuple[CellType, ...]:
        """
        Cell types a cell type derives from, nearest first.

        Example:
            >>> import stemimmune
            >>> [c.id for c in stemimmune.load().ancestors("regulatory T cell")][:2]
            ['t-cell', 'lymphocyte']
        """
        index = self._index()
        return index.lineage(index.resolve(cell_type, CellType, "cell_type"), "up")

    def descendants(self, cell_type: CellType | str) -> tuple[CellType, ...]:
        """
        Cell types that derive from a cell type, nearest first (the lineage downwards).

        Example:
            >>> import stemimmune
            >>> "regulatory-t-cell" in [c.id for c in stemimmune.load().descendants("HSC")]
            True
        """
        index = self._index()
        return index.lineage(index.resolve(cell_type, CellType, "cell_type"), "down")

    def references_for(self, key: Record | str, *, deep: bool = False) -> tuple[Reference, ...]:
        """
        The references behind a record, strongest credibility tier first.

        With *deep*, a disorder, therapy or indication also brings the references of
        the indications and findings under it.

        Example:
            >>> import stemimmune
            >>> kb = stemimmune.load()
            >>> refs = kb.references_for("autologous-hsct-for-multiple-sclerosis")
            >>> "burt2019-mist" in [r.id for r in refs], refs[0].tier.value
            (True, 'authoritative')
        """
        record = key if not isinstance(key, str) else self.get(key)
        return self._index().references_for(record, deep=deep)

    def evidence_summary(self, disorder: Disorder | str) -> EvidenceSummary:
        """
        What the data says about treating a disorder: options, findings and references.

        Example:
            >>> import stemimmune
            >>> summary = stemimmune.load().evidence_summary("systemic sclerosis")
            >>> summary.strongest_evidence.value
            'randomized-trial'
        """
        index = self._index()
        record = index.resolve(disorder, Disorder, "disorder")
        options = self.therapies_for(record)
        findings = tuple(f for o in options for f in index.findings_by_indication.get(o.indication.id, ()))
        return EvidenceSummary(
            disorder=record,
            options=options,
            findings=findings,
            references=index.references_for(record, deep=True),
        )


def _display_name(record: Record) -> str:
    return getattr(record, "name", None) or getattr(record, "title", None) or record.id


def _keys(record: Record) -> set[str]:
    keys = {fold(record.id)}
    for attribute in ("name", "title"):
        value = getattr(record, attribute, None)
        if isinstance(value, str):
            keys.add(fold(value))
    keys.update(fold(s) for s in getattr(record, "synonyms", ()))
    keys.update(fold(x) for x in getattr(record, "xrefs", ()))
    for identifier in ("doi", "pmid"):
        value = getattr(record, identifier, None)
        if value:
            keys.add(fold(f"{identifier}:{value}"))
    return keys


# ------------------------------------------------------------------ integrity rules


def _ids_of(kb: KnowledgeBase, *kinds: str) -> frozenset[str]:
    return frozenset(r.id for kind in kinds for r in getattr(kb, kind))


def find_problems(kb: KnowledgeBase) -> tuple[Problem, ...]:
    """
    Check the rules that span records, returning every problem found.

    The rules: ids are unique across the whole knowledge base; every reference
    between records resolves to a record of the right kind; lineage and disorder
    hierarchies have no cycles; a therapy's cell type is one its sources yield;
    allogeneic therapies list a GVHD risk and autologous ones do not; guideline
    donor columns match the therapy's donor relation; and no evidence above
    preclinical rests on promotional sources alone.

    This is the same code whether the data is bundled, a user's, or generated in
    tests. Records are already valid one by one (their classes check that).
    """
    problems: list[Problem] = []

    def report(
        kind: str, index: int, record_id: str, field: str, message: str, *, value: object = None, expected: str
    ) -> None:
        shown = None if value is None else shorten(value)
        problems.append(
            Problem(
                location=f"$.{kind}[{index}].{field}",
                message=message,
                record_id=record_id,
                value=shown,
                expected=expected,
            )
        )

    seen: dict[str, str] = {}
    for kind in RECORD_TYPES:
        for index, record in enumerate(getattr(kb, kind)):
            if record.id in seen:
                report(
                    kind,
                    index,
                    record.id,
                    "id",
                    f"duplicate id; already used in {seen[record.id]}",
                    value=record.id,
                    expected="an id no other record uses",
                )
            else:
                seen[record.id] = kind

    targets = {
        "reference": _ids_of(kb, "references"),
        "cell type": _ids_of(kb, "cell_types"),
        "cell source": _ids_of(kb, "cell_sources"),
        "immune component": _ids_of(kb, "immune_components"),
        "cell type or immune component": _ids_of(kb, "cell_types", "immune_components"),
        "mechanism": _ids_of(kb, "mechanisms"),
        "risk": _ids_of(kb, "risks"),
        "disorder": _ids_of(kb, "disorders"),
        "therapy": _ids_of(kb, "therapies"),
        "indication": _ids_of(kb, "indications"),
    }
    for kind, index, record, field, target, value in links(kb):
        if value not in targets[target]:
            report(
                kind,
                index,
                record.id,
                field,
                f"{value!r} does not resolve to a {target}",
                value=value,
                expected=f"the id of a {target} in this knowledge base",
            )

    problems.extend(_cycles(kb, "cell_types", "derives_from"))
    problems.extend(_cycles(kb, "disorders", "parent_ids"))

    sources = {s.id: s for s in kb.cell_sources}
    risks = {r.id: r for r in kb.risks}
    references = {r.id: r for r in kb.references}
    therapies = {t.id: t for t in kb.therapies}
    for index, therapy in enumerate(kb.therapies):
        yielded = {c for s in therapy.source_ids if s in sources for c in sources[s].yields}
        if yielded and therapy.cell_type_id not in yielded:
            report(
                "therapies",
                index,
                therapy.id,
                "cell_type_id",
                f"{therapy.cell_type_id!r} is not a cell type its sources ({', '.join(therapy.source_ids)}) yield "
                f"({', '.join(sorted(yielded))})",
                value=therapy.cell_type_id,
                expected=f"one of {', '.join(sorted(yielded))}",
            )
        has_gvhd = any(risks[r].kind is RiskKind.GVHD for r in therapy.risk_ids if r in risks)
        if therapy.donor_relation is DonorRelation.ALLOGENEIC and not has_gvhd:
            report(
                "therapies",
                index,
                therapy.id,
                "risk_ids",
                "an allogeneic therapy must list a GVHD risk",
                value=list(therapy.risk_ids),
                expected="a risk of kind 'gvhd' among the risk ids",
            )
        if therapy.donor_relation is DonorRelation.AUTOLOGOUS and has_gvhd:
            report(
                "therapies",
                index,
                therapy.id,
                "risk_ids",
                "an autologous therapy must not list a GVHD risk",
                value=list(therapy.risk_ids),
                expected="no risk of kind 'gvhd'",
            )

    def promotional_only(citations: tuple[Any, ...]) -> bool:
        cited = [references[c.reference_id] for c in citations if c.reference_id in references]
        return bool(cited) and all(r.kind.tier is CredibilityTier.PROMOTIONAL for r in cited)

    for index, indication in enumerate(kb.indications):
        if indication.evidence_level > EvidenceLevel.PRECLINICAL and promotional_only(indication.citations):
            report(
                "indications",
                index,
                indication.id,
                "citations",
                f"evidence level {indication.evidence_level.value!r} rests on promotional sources alone",
                value=[c.reference_id for c in indication.citations],
                expected="at least one non-promotional source, or the level 'preclinical' or below",
            )
        indicated = therapies.get(indication.therapy_id)
        for rec_index, recommendation in enumerate(indication.recommendations):
            if (
                indicated is not None
                and recommendation.donor_type is not None
                and (recommendation.donor_type.relation is not indicated.donor_relation)
            ):
                report(
                    "indications",
                    index,
                    indication.id,
                    f"recommendations[{rec_index}].donor_type",
                    f"{recommendation.donor_type.value!r} donors do not fit a {indicated.donor_relation.value} therapy",
                    value=recommendation.donor_type.value,
                    expected=f"a donor column of a {indicated.donor_relation.value} therapy",
                )
    for index, finding in enumerate(kb.findings):
        if finding.design > EvidenceLevel.PRECLINICAL and promotional_only(finding.citations):
            report(
                "findings",
                index,
                finding.id,
                "citations",
                "a clinical finding rests on promotional sources alone",
                value=[c.reference_id for c in finding.citations],
                expected="at least one non-promotional source",
            )
    return tuple(problems)


def links(kb: KnowledgeBase) -> Iterator[tuple[str, int, Any, str, str, str]]:
    """Yield (kind, index, record, field, target kind, value) for every link between records."""
    for kind in RECORD_TYPES:
        for index, record in enumerate(getattr(kb, kind)):
            for c_index, citation in enumerate(getattr(record, "citations", ())):
                yield kind, index, record, f"citations[{c_index}].reference_id", "reference", citation.reference_id
    fields: dict[str, tuple[tuple[str, str], ...]] = {
        "cell_types": (("derives_from", "cell type"),),
        "cell_sources": (("yields", "cell type"),),
        "mechanisms": (("effector_ids", "immune component"), ("target_ids", "cell type")),
        "disorders": (("parent_ids", "disorder"), ("component_ids", "cell type or immune component")),
        "therapies": (
            ("cell_type_id", "cell type"),
            ("source_ids", "cell source"),
            ("mechanism_ids", "mechanism"),
            ("risk_ids", "risk"),
        ),
        "indications": (("therapy_id", "therapy"), ("disorder_id", "disorder"), ("risk_ids", "risk")),
        "findings": (("indication_id", "indication"),),
    }
    for kind, pairs in fields.items():
        for index, record in enumerate(getattr(kb, kind)):
            for field, target in pairs:
                value = getattr(record, field)
                for item in (value,) if isinstance(value, str) else value:
                    yield kind, index, record, field, target, item
    for index, disorder in enumerate(kb.disorders):
        for t_index, treatment in enumerate(disorder.conventional_treatments):
            for c_index, citation in enumerate(treatment.citations):
                field = f"conventional_treatments[{t_index}].citations[{c_index}].reference_id"
                yield "disorders", index, disorder, field, "reference", citation.reference_id
    for index, therapy in enumerate(kb.therapies):
        for r_index, status in enumerate(therapy.regulatory):
            for c_index, citation in enumerate(status.citations):
                field = f"regulatory[{r_index}].citations[{c_index}].reference_id"
                yield "therapies", index, therapy, field, "reference", citation.reference_id
    for index, indication in enumerate(kb.indications):
        for r_index, recommendation in enumerate(indication.recommendations):
            field = f"recommendations[{r_index}].reference_id"
            yield "indications", index, indication, field, "reference", recommendation.reference_id


def _cycles(kb: KnowledgeBase, kind: str, field: str) -> list[Problem]:
    """Report each record that lies on a cycle of *field* links."""
    records = getattr(kb, kind)
    edges = {r.id: getattr(r, field) for r in records}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    on_cycle: set[str] = set()
    for start, first in edges.items():
        if state.get(start):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(first))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif state.get(child) == 1:
                on_cycle.update(path[path.index(child) :])
            elif child in edges and not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(edges[child])))
    return [
        Problem(
            location=f"$.{kind}[{i}].{field}",
            message=f"{field} forms a cycle",
            record_id=r.id,
            value=shorten(list(getattr(r, field))),
            expected="links that never lead back to this record",
        )
        for i, r in enumerate(records)
        if r.id in on_cycle
    ]


_THERAPY_FILTERS: Final = frozenset(
    {
        "therapy",
        "mechanism",
        "cell_type",
        "cell_source",
        "donor_relation",
        "regulatory",
        "jurisdiction",
        "stem_cell_only",
    }
)
_index_lock: Final = threading.Lock()
