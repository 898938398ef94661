"""
Read-only questions over a :class:`~stemimmune.KnowledgeBase`.

The functions here are what the knowledge base's query methods call; they answer from
indexes built once per knowledge base (on first use), never by scanning every record,
and return tuples in a stated, deterministic order.
"""

from __future__ import annotations

import difflib
import enum
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

import attrs

from .exceptions import UnknownKeyError
from .model import (
    RECORD_TYPES,
    CellType,
    Disorder,
    Finding,
    Indication,
    Reference,
    Therapy,
)
from .vocabulary import (
    CredibilityTier,
    DisorderCategory,
    DonorRelation,
    EbmtCategory,
    EvidenceLevel,
    MechanismKind,
    RegulatoryDecision,
)


if TYPE_CHECKING:
    from .knowledge_base import KnowledgeBase, Record

E = TypeVar("E", bound=enum.Enum)

#: EBMT categories from strongest to weakest recommendation.
EBMT_ORDER: Final = (
    EbmtCategory.STANDARD_OF_CARE,
    EbmtCategory.CLINICAL_OPTION,
    EbmtCategory.DEVELOPMENTAL,
    EbmtCategory.GENERALLY_NOT_RECOMMENDED,
)
_KIND_ORDER: Final = {kind: rank for rank, kind in enumerate(RECORD_TYPES)}


def _kind_of(record: object) -> str:
    for kind, cls in RECORD_TYPES.items():
        if type(record) is cls:
            return kind
    msg = f"{type(record).__name__} is not a record kind of a knowledge base"
    raise TypeError(msg)


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
    """

    therapy: Therapy
    indication: Indication
    disorder: Disorder

    @property
    def evidence_level(self) -> EvidenceLevel:
        """The strongest study design behind the indication."""
        return self.indication.evidence_level

    @property
    def ebmt_category(self) -> EbmtCategory | None:
        """The strongest guideline category given to the indication, if any."""
        return best_category(self.indication)

    def __repr__(self) -> str:
        """Show the ids and the grade, not every nested field."""
        category = self.ebmt_category.value if self.ebmt_category else None
        return (
            f"TherapyOption(therapy={self.therapy.id!r}, disorder={self.disorder.id!r}, "
            f"evidence_level={self.evidence_level.value!r}, ebmt_category={category!r})"
        )


@attrs.frozen
class SearchHit(_Result):
    """
    One search result.

    Attributes:
        record: The record found.
        score: Similarity from 0 to 1; 1 is an exact match of a name, synonym, id or CURIE.
        matched: The name, synonym, id or CURIE that matched best.
    """

    record: Any
    score: float
    matched: str

    @property
    def kind(self) -> str:
        """The collection the record belongs to, e.g. ``"disorders"``."""
        return _kind_of(self.record)

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


def best_category(indication: Indication) -> EbmtCategory | None:
    """Return the strongest guideline category among an indication's recommendations."""
    categories = {r.category for r in indication.recommendations}
    return next((c for c in EBMT_ORDER if c in categories), None)


def _sort_key(
    level: EvidenceLevel, category: EbmtCategory | None, therapy_id: str, disorder_id: str
) -> tuple[int, int, str, str]:
    return (-level.rank, EBMT_ORDER.index(category) if category else len(EBMT_ORDER), therapy_id, disorder_id)


def _as_enum(kind: type[E], value: E | str, argument: str) -> E:
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        folded = value.strip().casefold().replace("_", "-").replace(" ", "-")
        for member in kind:
            if folded in {str(member.value).casefold(), member.name.casefold().replace("_", "-")}:
                return member
    valid = ", ".join(repr(m.value) for m in kind)
    msg = f"{argument}={value!r} is not a {kind.__name__}; expected one of: {valid}"
    raise ValueError(msg)


class QueryIndex:
    """Indexes for the query functions, built once from a knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        """Build every index in one pass over the records and their links."""
        from .knowledge_base import fold, links  # noqa: PLC0415 - circular at import time

        self.kb = kb
        self.by_id: dict[str, Record] = {r.id: r for r in kb.records()}
        self.outgoing: dict[str, list[tuple[str, str]]] = defaultdict(list)  # id -> [(field, target id)]
        self.incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)  # id -> [(source id, field)]
        for _kind, _index, record, field, _target, value in links(kb):
            self.outgoing[record.id].append((field, value))
            self.incoming[value].append((record.id, field))
        self.indications_by_therapy: dict[str, set[str]] = defaultdict(set)
        self.indications_by_disorder: dict[str, set[str]] = defaultdict(set)
        for indication in kb.indications:
            self.indications_by_therapy[indication.therapy_id].add(indication.id)
            self.indications_by_disorder[indication.disorder_id].add(indication.id)
        self.all_indication_ids: tuple[str, ...] = tuple(i.id for i in kb.indications)
        self.indications_by_level: dict[EvidenceLevel, set[str]] = defaultdict(set)
        self.indications_by_ebmt: dict[EbmtCategory, set[str]] = defaultdict(set)
        self.indications_by_category: dict[DisorderCategory, set[str]] = defaultdict(set)
        categories = {d.id: d.category for d in kb.disorders}
        for indication in kb.indications:
            self.indications_by_level[indication.evidence_level].add(indication.id)
            self.indications_by_category[categories[indication.disorder_id]].add(indication.id)
            for recommendation in indication.recommendations:
                self.indications_by_ebmt[recommendation.category].add(indication.id)
        self.sort_key: dict[str, tuple[int, int, str, str]] = {
            i.id: _sort_key(i.evidence_level, best_category(i), i.therapy_id, i.disorder_id) for i in kb.indications
        }
        self.findings_by_indication: dict[str, list[Finding]] = defaultdict(list)
        for finding in kb.findings:
            self.findings_by_indication[finding.indication_id].append(finding)
        self.subtypes: dict[str, set[str]] = defaultdict(set)
        for disorder in kb.disorders:
            for parent in disorder.parent_ids:
                self.subtypes[parent].add(disorder.id)
        mechanisms = {m.id: m for m in kb.mechanisms}
        self.mechanism_kinds_of: dict[str, frozenset[MechanismKind]] = {
            t.id: frozenset(mechanisms[m].kind for m in t.mechanism_ids) for t in kb.therapies
        }
        self.therapies_by: dict[str, dict[object, set[str]]] = {
            name: defaultdict(set)
            for name in ("mechanism", "mechanism_kind", "cell_type", "cell_source", "donor", "decision")
        }
        for therapy in kb.therapies:
            for mechanism_id in therapy.mechanism_ids:
                self.therapies_by["mechanism"][mechanism_id].add(therapy.id)
                self.therapies_by["mechanism_kind"][mechanisms[mechanism_id].kind].add(therapy.id)
            self.therapies_by["cell_type"][therapy.cell_type_id].add(therapy.id)
            for source_id in therapy.source_ids:
                self.therapies_by["cell_source"][source_id].add(therapy.id)
            self.therapies_by["donor"][therapy.donor_relation].add(therapy.id)
            for status in therapy.regulatory:
                self.therapies_by["decision"][status.decision].add(therapy.id)
                self.therapies_by["decision"][status.decision, status.jurisdiction].add(therapy.id)
        self.children: dict[str, set[str]] = defaultdict(set)
        for cell in kb.cell_types:
            for parent in cell.derives_from:
                self.children[parent].add(cell.id)
        self._index_search_keys(fold)

    def _index_search_keys(self, fold: Callable[[str], str]) -> None:
        """Index every record's names, synonyms, ids, CURIEs, products and authors by trigram."""
        self._search_keys: list[tuple[str, str, Record]] = []  # (folded key, shown key, record)
        self._trigrams: dict[str, set[int]] = defaultdict(set)
        self._gram_counts: list[int] = []
        for record in self.kb.records():
            shown = [getattr(record, "name", None) or getattr(record, "title", None), record.id]
            shown += [*getattr(record, "synonyms", ()), *getattr(record, "xrefs", ()), *getattr(record, "products", ())]
            shown += getattr(record, "authors", ())
            seen: set[str] = set()
            for key in shown:
                if not key or (folded := fold(key)) in seen:
                    continue
                seen.add(folded)
                self._search_keys.append((folded, key, record))
                grams = _trigrams(folded)
                self._gram_counts.append(len(grams))
                for gram in grams:
                    self._trigrams[gram].add(len(self._search_keys) - 1)

    # ------------------------------------------------------------ resolving arguments

    def resolve(self, key: object, cls: type[Any], argument: str) -> Any:
        """Return the record of type *cls* for a record or key (id, name, synonym, CURIE)."""
        record = key if isinstance(key, cls) else None
        if record is None and isinstance(key, str):
            record = self.kb.get(key)
        if not isinstance(record, cls):
            found = type(record).__name__ if record is not None else type(key).__name__
            msg = f"{argument}={key!r} is a {found}, not a {cls.__name__}"
            raise UnknownKeyError(msg) if isinstance(key, str) else TypeError(msg)
        return record

    # ------------------------------------------------------------ filters

    def indication_ids(
        self,
        *,
        disorder: Disorder | str | None = None,
        include_subtypes: bool = True,
        therapy: Therapy | str | None = None,
        category: DisorderCategory | str | None = None,
        mechanism: str | None = None,
        cell_type: str | None = None,
        cell_source: str | None = None,
        donor_relation: DonorRelation | str | None = None,
        min_evidence: EvidenceLevel | str | None = None,
        ebmt_category: EbmtCategory | str | None = None,
        regulatory: RegulatoryDecision | str | None = None,
        jurisdiction: str | None = None,
        stem_cell_only: bool = False,
    ) -> set[str]:
        """
        Return the ids of the indications passing every given filter.

        The smallest indexed candidate set (the disorder's indications, the therapy's,
        a category's, an evidence level's, an EBMT category's, or those of the
        therapies passing the therapy filters) is read, and every other filter is
        checked on each candidate, so the cost follows the result, not the data.
        """
        sources: list[tuple[int, Callable[[], Iterable[str]]]] = []  # (size, how to list them)
        checks: list[Callable[[Indication], bool]] = []
        if disorder is not None:
            root = self.resolve(disorder, Disorder, "disorder")
            disorders = self.descendants_of_disorder(root.id) if include_subtypes else {root.id}
            by_disorder = [self.indications_by_disorder.get(d, set()) for d in disorders]
            sources.append((sum(map(len, by_disorder)), lambda: (i for group in by_disorder for i in group)))
            checks.append(lambda i: i.disorder_id in disorders)
        if category is not None:
            wanted = _as_enum(DisorderCategory, category, "category")
            by_category = self.indications_by_category.get(wanted, set())
            sources.append((len(by_category), lambda: by_category))
            checks.append(lambda i: self.by_id[i.disorder_id].category is wanted)  # type: ignore[union-attr]
        if min_evidence is not None:
            level = _as_enum(EvidenceLevel, min_evidence, "min_evidence")
            by_level = [self.indications_by_level.get(lv, set()) for lv in EvidenceLevel if lv >= level]
            sources.append((sum(map(len, by_level)), lambda: (i for group in by_level for i in group)))
            checks.append(lambda i: i.evidence_level >= level)
        if ebmt_category is not None:
            wanted_category = _as_enum(EbmtCategory, ebmt_category, "ebmt_category")
            by_ebmt = self.indications_by_ebmt.get(wanted_category, set())
            sources.append((len(by_ebmt), lambda: by_ebmt))
            checks.append(lambda i: any(r.category is wanted_category for r in i.recommendations))
        therapy_filter = self.therapy_filter(
            therapy=therapy,
            mechanism=mechanism,
            cell_type=cell_type,
            cell_source=cell_source,
            donor_relation=donor_relation,
            regulatory=regulatory,
            jurisdiction=jurisdiction,
            stem_cell_only=stem_cell_only,
        )
        if therapy_filter is not None:
            therapy_check, pool = therapy_filter
            checks.append(lambda i: therapy_check(i.therapy_id))
            # The pool's length stands in for the number of its indications, so that
            # choosing the smallest source never walks a large pool.
            sources.append((len(pool), lambda: (i for t in pool for i in self.indications_by_therapy.get(t, ()))))
        if not sources:
            return set(self.all_indication_ids)
        _size, smallest = min(sources, key=lambda source: source[0])
        return {i for i in smallest() if all(check(self.by_id[i]) for check in checks)}  # type: ignore[arg-type]

    def therapies_passing(self, **filters: Any) -> set[str]:
        """Return the ids of the therapies passing the therapy filters (every therapy when none is given)."""
        compiled = self.therapy_filter(**filters)
        if compiled is None:
            return {t.id for t in self.kb.therapies}
        check, pool = compiled
        return {t for t in pool if check(t)}

    def therapy_filter(
        self,
        *,
        therapy: Therapy | str | None = None,
        mechanism: str | None = None,
        cell_type: str | None = None,
        cell_source: str | None = None,
        donor_relation: DonorRelation | str | None = None,
        regulatory: RegulatoryDecision | str | None = None,
        jurisdiction: str | None = None,
        stem_cell_only: bool = False,
    ) -> tuple[Callable[[str], bool], set[str]] | None:
        """
        Compile the therapy filters, or return None when none was given.

        Returns:
            A test of a therapy id against every filter, and the smallest indexed set
            of therapy ids that can pass it (to start from instead of every therapy).
        """
        tests: list[Callable[[Therapy], bool]] = []
        pools: list[set[str]] = []
        if therapy is not None:
            therapy_id = self.resolve(therapy, Therapy, "therapy").id
            tests.append(lambda t: t.id == therapy_id)
            pools.append({therapy_id})
        if mechanism is not None:
            try:
                kind = _as_enum(MechanismKind, mechanism, "mechanism")
            except ValueError:
                mechanism_id = self.resolve(mechanism, RECORD_TYPES["mechanisms"], "mechanism").id
                tests.append(lambda t: mechanism_id in t.mechanism_ids)
                pools.append(self.therapies_by["mechanism"].get(mechanism_id, set()))
            else:
                tests.append(lambda t: kind in self.mechanism_kinds_of[t.id])
                pools.append(self.therapies_by["mechanism_kind"].get(kind, set()))
        if cell_type is not None:
            cell_id = self.resolve(cell_type, CellType, "cell_type").id
            tests.append(lambda t: t.cell_type_id == cell_id)
            pools.append(self.therapies_by["cell_type"].get(cell_id, set()))
        if cell_source is not None:
            source_id = self.resolve(cell_source, RECORD_TYPES["cell_sources"], "cell_source").id
            tests.append(lambda t: source_id in t.source_ids)
            pools.append(self.therapies_by["cell_source"].get(source_id, set()))
        if donor_relation is not None:
            relation = _as_enum(DonorRelation, donor_relation, "donor_relation")
            tests.append(lambda t: t.donor_relation is relation)
            pools.append(self.therapies_by["donor"].get(relation, set()))
        if regulatory is not None:
            decision = _as_enum(RegulatoryDecision, regulatory, "regulatory")
            code = None if jurisdiction is None else jurisdiction.upper()
            tests.append(lambda t: any(s.decision is decision and code in {None, s.jurisdiction} for s in t.regulatory))
            pools.append(self.therapies_by["decision"].get(decision if code is None else (decision, code), set()))
        elif jurisdiction is not None:
            msg = "jurisdiction= needs regulatory= (the decision to look for in that jurisdiction)"
            raise ValueError(msg)
        if stem_cell_only:
            tests.append(lambda t: t.is_stem_cell_therapy)
        if not tests:
            return None
        pool = min(pools, key=len) if pools else {t.id for t in self.kb.therapies}
        return (lambda therapy_id: all(test(self.by_id[therapy_id]) for test in tests)), pool  # type: ignore[arg-type]

    def descendants_of_disorder(self, disorder_id: str) -> set[str]:
        """Return the disorder and all its subtypes, transitively."""
        found = {disorder_id}
        stack = [disorder_id]
        while stack:
            for child in self.subtypes.get(stack.pop(), ()):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        return found

    def ordered(self, indication_ids: Iterable[str]) -> list[str]:
        """Sort indication ids strongest evidence first, then strongest EBMT category, therapy and disorder."""
        return sorted(indication_ids, key=self.sort_key.__getitem__)

    def options(self, indication_ids: Iterable[str]) -> tuple[TherapyOption, ...]:
        """Turn indication ids into therapy options, strongest evidence first."""
        options = []
        for indication_id in self.ordered(indication_ids):
            indication: Indication = self.by_id[indication_id]  # type: ignore[assignment]
            options.append(
                TherapyOption(
                    therapy=self.by_id[indication.therapy_id],  # type: ignore[arg-type]
                    indication=indication,
                    disorder=self.by_id[indication.disorder_id],  # type: ignore[arg-type]
                )
            )
        return tuple(options)

    # ------------------------------------------------------------ navigation

    def neighbours(self, record: Record) -> dict[str, tuple[Record, ...]]:
        """Records linked to *record* in either direction, grouped by collection, in canonical order."""
        ids = {target for _field, target in self.outgoing.get(record.id, ())}
        ids |= {source for source, _field in self.incoming.get(record.id, ())}
        ids.discard(record.id)
        grouped: dict[str, list[Record]] = defaultdict(list)
        for linked in ids:
            other = self.by_id[linked]
            grouped[_kind_of(other)].append(other)
        return {
            kind: tuple(sorted(grouped[kind], key=lambda r: r.id))
            for kind in sorted(grouped, key=_KIND_ORDER.__getitem__)
        }

    def lineage(self, cell: CellType, direction: Literal["up", "down"]) -> tuple[CellType, ...]:
        """Cell types a cell derives from (up) or that derive from it (down), nearest first."""
        found: dict[str, int] = {}
        frontier = [cell.id]
        depth = 0
        while frontier:
            depth += 1
            following = []
            for node in frontier:
                step = self.by_id[node].derives_from if direction == "up" else self.children.get(node, ())  # type: ignore[union-attr]
                for other in sorted(step):
                    if other not in found and other != cell.id:
                        found[other] = depth
                        following.append(other)
            frontier = following
        return tuple(self.by_id[i] for i in sorted(found, key=lambda i: (found[i], i)))  # type: ignore[misc]

    def references_for(self, record: Record, *, deep: bool) -> tuple[Reference, ...]:
        """References a record cites (with *deep*, also those of the indications and findings under it)."""
        records: list[Record] = [record]
        if deep:
            indications: set[str] = set()
            if isinstance(record, Disorder):
                for disorder_id in self.descendants_of_disorder(record.id):
                    indications |= self.indications_by_disorder.get(disorder_id, set())
            elif isinstance(record, Therapy):
                indications = set(self.indications_by_therapy.get(record.id, ()))
            elif isinstance(record, Indication):
                indications = {record.id}
            for indication_id in sorted(indications):
                records.append(self.by_id[indication_id])
                records.extend(self.findings_by_indication.get(indication_id, ()))
        ids = {target for r in records for field, target in self.outgoing.get(r.id, ()) if _is_reference_field(field)}
        return _by_strength(self.by_id[i] for i in ids)  # type: ignore[misc]

    # ------------------------------------------------------------ search

    def search(self, text: str, *, kinds: Iterable[str] | None, limit: int, min_score: float) -> tuple[SearchHit, ...]:
        """Ranked, typo-tolerant matches of *text* against names, synonyms, ids and CURIEs."""
        from .knowledge_base import fold  # noqa: PLC0415 - circular at import time

        query = fold(text)
        wanted = _check_kinds(kinds)
        if not query:
            return ()
        counts: dict[int, int] = defaultdict(int)
        # Count shared trigrams over the rarer half of the query's trigrams: common ones
        # (" mu", "is ") list a large share of all keys and add little to the ranking.
        grams = sorted(_trigrams(query), key=lambda g: len(self._trigrams.get(g, ())))
        for gram in grams[: max(_MIN_GRAMS, (len(grams) + 1) // 2)]:
            for position in self._trigrams.get(gram, ()):
                counts[position] += 1
        query_grams = len(_trigrams(query))
        wanted_positions = [
            (2 * shared / (query_grams + self._gram_counts[position]), position)
            for position, shared in counts.items()
            if wanted is None or _kind_of(self._search_keys[position][2]) in wanted
        ]
        # Trigram overlap ranks candidates cheaply; the edit-based score runs on the best few only.
        wanted_positions.sort(key=lambda item: (-item[0], item[1]))
        best: dict[str, SearchHit] = {}
        for _overlap, position in wanted_positions[:_CANDIDATES]:
            folded, shown, record = self._search_keys[position]
            score = _similarity(query, folded)
            if score >= min_score and (record.id not in best or score > best[record.id].score):
                best[record.id] = SearchHit(record=record, score=round(score, 4), matched=shown)
        hits = sorted(best.values(), key=lambda h: (-h.score, _KIND_ORDER[h.kind], h.record.id))
        return tuple(hits[:limit])


def _check_kinds(kinds: Iterable[str] | None) -> set[str] | None:
    if kinds is None:
        return None
    wanted = set(kinds)
    unknown = wanted - set(RECORD_TYPES)
    if unknown:
        msg = f"unknown record kinds {sorted(unknown)}; expected some of: {', '.join(RECORD_TYPES)}"
        raise ValueError(msg)
    return wanted


def _is_reference_field(field: str) -> bool:
    return field.endswith("reference_id")


def _by_strength(references: Iterator[Reference]) -> tuple[Reference, ...]:
    return tuple(sorted(references, key=lambda r: (-r.tier.rank, -(r.year or 0), r.id)))


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _similarity(query: str, key: str) -> float:
    """
    Score how well *query* matches *key* (both folded), from 0 to 1.

    1 is an exact match. Otherwise the best of: the edit-based ratio of the whole
    strings, and the ratio against the run of the key's words as long as the query
    (spaces ignored), weighted by how much of the key that run covers, so "crohns"
    finds "crohn s disease" and "multipel" finds "multiple sclerosis". Short keys
    (abbreviations) only match closely.
    """
    if query == key:
        return 1.0
    ratio = difflib.SequenceMatcher(None, query, key, autojunk=False).ratio()
    words, width = key.split(), len(query.split())
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(query.replace(" ", ""))  # the matcher caches what it learns about seq2
    for start in range(max(1, len(words) - width + 1)):
        window = " ".join(words[start : start + width])
        weight = 0.7 + 0.25 * len(window) / len(key)
        matcher.set_seq1(window.replace(" ", ""))
        if matcher.real_quick_ratio() * weight > ratio and matcher.quick_ratio() * weight > ratio:
            ratio = max(ratio, matcher.ratio() * weight)
    if len(key) <= _SHORT_KEY:
        ratio *= 0.8
    return min(ratio, 0.99)


_SHORT_KEY: Final = 4
#: Fewest query trigrams counted when ranking candidates.
_MIN_GRAMS: Final = 4
#: How many keys, ranked by trigram overlap, get the finer edit-based score.
_CANDIDATES: Final = 8
