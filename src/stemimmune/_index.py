"""
The one index of a knowledge base, built once, in one pass over its records.

It holds the records by id; ONE key map (folded ids, names, synonyms, CURIEs, DOIs,
PMIDs, registry ids, authors) that both :func:`~stemimmune.query.get` and
:func:`~stemimmune.query.search` read, in which an identity key (:func:`identity_keys`)
names only the record it identifies; the links both ways (read from the model's
link metadata); and the sets the filters start from. Queries live in
:mod:`stemimmune.query`; nothing here answers a question.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

from ._guidance import in_force, newest_first, strongest_category
from ._text import shorten
from .exceptions import DatasetError, Problem
from .model import (
    RECORD_TYPES,
    CellType,
    CollectionName,
    Disorder,
    Finding,
    GuidelineRecommendation,
    Indication,
    Product,
    Record,
    Therapy,
    collection_of,
    iter_links,
)
from .vocabulary import DisorderCategory, DonorRelation, EbmtCategory, EvidenceLevel, MechanismKind


def fold(text: str, *, loose: bool = True) -> str:
    """
    Fold *text* for matching: case, accents, punctuation, apostrophes and plurals are ignored.

    British and American spellings of common medical words fold together. Letters of
    other scripts are kept (folded for case), so a Greek or Cyrillic key matches only
    its own text; text with no letter or digit folds to ``""``, which matches nothing.
    A DOI written as a URL (``https://doi.org/10...``, ``http://dx.doi.org/10...``)
    folds as ``doi:10...`` does.

    Folded *loose* (the default, for names and synonyms), apostrophes are dropped
    (``Crohn's`` is ``Crohns``) and a plural ``s`` ends no word of four letters or
    more (``Crohns`` is ``Crohn``, ``MSCs`` is ``MSC``; ``-ss`` and words with a digit
    are kept). Identity keys (ids, DOIs, registry ids, CURIEs) are compared folded
    strictly (``loose=False``), so folding never makes two of them one.

    Example:
        >>> fold("Haematopoietic  Stem-Cells")
        'hematopoietic stem cell'
        >>> fold("Sjögren's syndrome"), fold("Sjogrens syndrome")
        ('sjogren syndrome', 'sjogren syndrome')
        >>> fold("https://doi.org/10.1001/JAMA.2018.18743") == fold("doi:10.1001/jama.2018.18743")
        True
        >>> fold("Tregs", loose=False)
        'tregs'
    """
    doi = _DOI_URL.match(text)
    if doi is not None:
        text = "doi:" + urllib.parse.unquote(doi[1])
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    if loose:
        text = _APOSTROPHES.sub("", text)
    text = _NOT_WORD.sub(" ", text.casefold()).strip()
    if "ae" in text or "oe" in text or "our" in text:
        for british, american in _SPELLINGS:
            text = text.replace(british, american)
    if loose and "s" in text:
        text = _PLURAL.sub(r"\1", text)
    return text


_NOT_WORD: Final = re.compile(r"[\W_]+")
_SPELLINGS: Final = (("haem", "hem"), ("paed", "ped"), ("oedem", "edem"), ("coeliac", "celiac"), ("tumour", "tumor"))
#: Apostrophes and the marks typed for them, dropped by a loose fold.
_APOSTROPHES: Final = re.compile("['\u2019\u2018\u02bc`\u00b4]")
#: A word of three or more letters and a plural ``s`` (not ``ss``), at a word's end, after folding.
_PLURAL: Final = re.compile(r"\b([^\W\d_]{2,}[^\W\d_s])s\b")
#: A DOI written as a resolver URL.
_DOI_URL: Final = re.compile(r"\s*(?:https?://)?(?:dx\.)?doi\.org/(10\.\S+?)\s*$", re.IGNORECASE)


def record_keys(record: Record) -> Iterator[str]:
    """
    Every text a record can be found by: its identity keys, then its descriptive keys.

    DOIs and PMIDs come both bare and prefixed (``doi:10...``, ``pmid:...``).
    """
    yield from identity_keys(record)
    yield from descriptive_keys(record)


def identity_keys(record: Record) -> Iterator[str]:
    """
    The keys that identify *record*: its id, registry ids, CURIEs, DOI, PMID and PMCID.

    An identity key belongs to one record (a CURIE: to one record of each collection):
    two records claiming one is a :class:`~stemimmune.DatasetError`, and it names only
    its owner even where it is also another record's name or synonym. A reference's registry ids are not among
    its keys: a registry id identifies the trial (linked by ``trial_ids``).
    """
    for _, key in identity_fields(record):
        yield key


def identity_fields(record: Record) -> Iterator[tuple[str, str]]:
    """``(field, key)`` for every identity key of *record* (see :func:`identity_keys`)."""
    yield "id", record.id
    for attribute in ("registry_ids", "xrefs"):
        for value in getattr(record, attribute, ()):
            yield attribute, value
    for prefix in ("doi", "pmid", "pmcid"):
        value = getattr(record, prefix, None)
        if value:
            yield prefix, value
            yield prefix, f"{prefix}:{value}"


def _identity_map(collections: Mapping[CollectionName, Sequence[Record]]) -> dict[str, tuple[Record, ...]]:
    """Each folded identity key to the records it identifies; DatasetError when two records claim one."""
    identity, clashes = identity_owners(collections)
    if clashes:
        raise DatasetError(clashes)
    return identity


def descriptive_keys(record: Record) -> Iterator[str]:
    """The keys that describe *record*: name or title, generic name, synonyms and acronyms, authors."""
    for attribute in ("name", "title", "generic_name"):
        value = getattr(record, attribute, None)
        if isinstance(value, str):
            yield value
    for attribute in ("synonyms", "authors"):
        yield from getattr(record, attribute, ())


def identity_problems(collections: Mapping[CollectionName, Sequence[Record]]) -> list[Problem]:
    """
    One problem for each identity key that a second record claims, naming both records.

    Keys are compared folded strictly (:func:`fold` with ``loose=False``), as
    :func:`~stemimmune.query.get` compares identity keys.
    """
    return identity_owners(collections)[1]


def identity_owners(
    collections: Mapping[CollectionName, Sequence[Record]],
) -> tuple[dict[str, tuple[Record, ...]], list[Problem]]:
    """
    Each folded identity key to the records it identifies, and a problem for every clash.

    An id, registry id, DOI, PMID or PMCID identifies one record of the whole knowledge
    base; a CURIE identifies one record of each collection (an ontology term such as
    UBERON's bone marrow may be both a cell source and an immune organ; ``get(key, kind)``
    chooses between them).
    """
    claims: dict[str, list[tuple[CollectionName, Record, bool]]] = {}  # folded key -> (kind, record, is a CURIE)
    problems: list[Problem] = []
    reported: set[tuple[str, str, str]] = set()
    for kind in RECORD_TYPES:
        for position, record in enumerate(collections.get(kind, ())):
            for field, key in identity_fields(record):
                folded = fold(key, loose=False)
                if not folded:
                    continue
                curie = field == "xrefs"
                earlier = claims.setdefault(folded, [])
                clash = next(
                    (
                        (other_kind, other)
                        for other_kind, other, other_curie in earlier
                        if other.id != record.id and not (curie and other_curie and other_kind != kind)
                    ),
                    None,
                )
                earlier.append((kind, record, curie))
                if clash is not None and (record.id, field, clash[1].id) not in reported:
                    reported.add((record.id, field, clash[1].id))  # a DOI once, not bare and prefixed
                    problems.append(
                        Problem(
                            collection=kind,
                            index=position,
                            field=field,
                            record_id=record.id,
                            value=shorten(key),
                            message=(
                                f"identity key {key!r} is claimed by {record.id!r} ({kind}) "
                                f"and by {clash[1].id!r} ({clash[0]})"
                            ),
                            expected="an id, registry id, DOI, PMID or PMCID no other record claims, "
                            "or a CURIE no other record of its collection claims",
                        )
                    )
    found = {folded: tuple({r.id: r for _, r, _ in owned}.values()) for folded, owned in claims.items()}
    return found, problems


class Index:
    """
    Every lookup structure of one knowledge base; read-only once built.

    Only the closures of the disorder hierarchy (:meth:`disorder_and_subtypes`,
    :meth:`indications_under`) are filled in later, on first use, so that the cost of
    building stays linear in the records whatever the depth of the hierarchy.

    Attributes:
        by_id: Each record by its id.
        identity: Each identity key, folded strictly, to the record it identifies (one per collection for a CURIE).
        keys: Each key folded loosely to the records it names (one record, or several: ambiguous); where an
            identity key and a descriptive key fold alike, the descriptive key's records.
        plain: The same records by each ASCII key as written, lower-cased (a shortcut into ``keys``).
        entries: The search table: (folded key, text as written, records), one per key.
    """

    def __init__(self, collections: Mapping[CollectionName, Sequence[Record]]) -> None:
        """
        Build every structure in one pass over the records and their links.

        Raises:
            DatasetError: Two records claim one identity key (:func:`identity_keys`).
        """
        self.collections = collections
        self.by_id: dict[str, Record] = {}
        self.entries: list[tuple[str, str, tuple[Record, ...]]] = []
        self.outgoing: dict[str, list[tuple[str, str, tuple[CollectionName, ...]]]] = defaultdict(list)
        self.incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.indications_by_therapy: dict[str, set[str]] = defaultdict(set)
        self.indications_by_disorder: dict[str, set[str]] = defaultdict(set)
        self.indications_by_level: dict[EvidenceLevel, set[str]] = defaultdict(set)
        self.indications_by_ebmt: dict[EbmtCategory, set[str]] = defaultdict(set)
        self.indications_by_category: dict[DisorderCategory, set[str]] = defaultdict(set)
        self.findings_by_indication: dict[str, list[Finding]] = defaultdict(list)
        self.subtypes: dict[str, set[str]] = defaultdict(set)
        self._under: dict[str, frozenset[str]] = {}  # memo of disorder_and_subtypes, filled on first use
        self._indications_under: dict[str, frozenset[str]] = {}  # memo of indications_under, likewise
        self.indications_at_least: dict[EvidenceLevel, frozenset[str]] = {}
        self.children: dict[str, set[str]] = defaultdict(set)
        self.therapies_by_mechanism: dict[str, set[str]] = defaultdict(set)
        self.therapies_by_mechanism_kind: dict[MechanismKind, set[str]] = defaultdict(set)
        self.therapies_by_cell_type: dict[str, set[str]] = defaultdict(set)
        self.therapies_by_source: dict[str, set[str]] = defaultdict(set)
        self.therapies_by_donor: dict[DonorRelation, set[str]] = defaultdict(set)
        self.products_by_therapy: dict[str, list[Product]] = defaultdict(list)
        self.products_by_disorder: dict[str, set[str]] = defaultdict(set)
        self.sort_key: dict[str, tuple[int, int, str, str]] = {}
        #: Each indication's recommendations in force (the latest of each body), newest first.
        self.latest_recommendations: dict[str, tuple[GuidelineRecommendation, ...]] = {}
        #: Search's tables, one per set of kinds searched, built by the first such search (see ``_search``).
        self.search_tables: dict[Any, Any] = {}

        self.identity: dict[str, tuple[Record, ...]] = _identity_map(collections)  # strictly folded
        named: dict[str, dict[str, Record]] = {}  # loosely folded descriptive key -> {id: record}
        identified: dict[str, dict[str, Record]] = {}  # loosely folded identity key -> {id: record}
        shown: dict[str, str] = {}  # folded key -> the text as first written
        written: dict[str, str] = {}  # ASCII key as written, lower-cased -> the key
        for kind in RECORD_TYPES:
            for record in collections.get(kind, ()):
                self.by_id[record.id] = record
                for keys, found in ((identity_keys(record), identified), (descriptive_keys(record), named)):
                    for key in keys:
                        folded = fold(key)
                        if folded:
                            found.setdefault(folded, {})[record.id] = record
                            shown.setdefault(folded, key)  # also the order keys are first seen in
                            if key.isascii():
                                written[key.lower()] = key
                for field, targets, target in iter_links(record):
                    self.outgoing[record.id].append((field, target, targets))
                    self.incoming[target].append((record.id, field))
        # An identity key names its owner only; a descriptive key comes before an identity key folded loosely.
        self.keys: dict[str, tuple[Record, ...]] = {
            folded: self.identity[folded]
            if folded in self.identity
            else tuple((named.get(folded) or identified[folded]).values())
            for folded in shown
        }
        self.plain: dict[str, tuple[Record, ...]] = {lowered: self._folded(key) for lowered, key in written.items()}
        self.entries = [(folded, shown[folded], records) for folded, records in self.keys.items()]
        self._index_queries()

    def _index_queries(self) -> None:
        """The sets the filters start from, and the sort key of every indication."""
        self.stem_cell_therapies: set[str] = set()
        get: Any = self.collections.get
        categories = {d.id: d.category for d in get("disorders", ())}
        indication: Indication
        for indication in get("indications", ()):
            self.indications_by_therapy[indication.therapy_id].add(indication.id)
            self.indications_by_disorder[indication.disorder_id].add(indication.id)
            self.indications_by_level[indication.evidence_level].add(indication.id)
            self.indications_by_category[categories[indication.disorder_id]].add(indication.id)
            latest = tuple(in_force(newest_first(indication.recommendations, self.by_id), self.by_id))
            self.latest_recommendations[indication.id] = latest
            for recommendation in latest:
                for category in recommendation.categories:
                    self.indications_by_ebmt[category].add(indication.id)
            best = strongest_category(latest)  # best_category(), from the recommendations in force just found
            self.sort_key[indication.id] = (
                -indication.evidence_level.rank,
                -best.rank if best is not None else 1,
                indication.therapy_id,
                indication.disorder_id,
            )
        for finding in get("findings", ()):
            for indication_id in finding.indication_ids:  # its own, then those it also supports
                self.findings_by_indication[indication_id].append(finding)
        disorder: Disorder
        for disorder in get("disorders", ()):
            for parent in disorder.parent_ids:
                self.subtypes[parent].add(disorder.id)
        at_least: set[str] = set()
        for level in sorted(EvidenceLevel, reverse=True):
            at_least |= self.indications_by_level.get(level, set())
            self.indications_at_least[level] = frozenset(at_least)
        cell: CellType
        for cell in get("cell_types", ()):
            for parent in cell.derives_from:
                self.children[parent].add(cell.id)
        kinds = {m.id: m.kind for m in get("mechanisms", ())}
        therapy: Therapy
        for therapy in get("therapies", ()):
            for mechanism_id in therapy.mechanism_ids:
                self.therapies_by_mechanism[mechanism_id].add(therapy.id)
                self.therapies_by_mechanism_kind[kinds[mechanism_id]].add(therapy.id)
            self.therapies_by_cell_type[therapy.cell_type_id].add(therapy.id)
            for source_id in therapy.source_ids:
                self.therapies_by_source[source_id].add(therapy.id)
            self.therapies_by_donor[therapy.donor_relation].add(therapy.id)
            if therapy.is_stem_cell_therapy:
                self.stem_cell_therapies.add(therapy.id)
        product: Product
        for product in get("products", ()):
            self.products_by_therapy[product.therapy_id].append(product)
            for event in product.events:
                for disorder_id in event.disorder_ids:
                    self.products_by_disorder[disorder_id].add(product.id)

    def lookup(self, key: str) -> tuple[Record, ...]:
        """
        The records *key* names: by exact id, else by identity key (folded strictly), else by key folded loosely.

        An ASCII key written as in the data (in any case) is found in :attr:`plain`
        without folding: for ASCII text, folding depends on the lower-cased text only.
        """
        record = self.by_id.get(key)
        if record is not None:
            return (record,)
        if key.isascii():
            found = self.plain.get(key.lower())
            if found is not None:
                return found
        return self._folded(key)

    def _folded(self, key: str) -> tuple[Record, ...]:
        """The records an identity key folded strictly names, else those the key folded loosely names."""
        return self.identity.get(fold(key, loose=False)) or self.keys.get(fold(key), ())

    def one(self, key: str) -> Record | None:
        """
        The one record *key* names by its exact id, or as an ASCII key written as in the data (any case).

        These are the first two steps of :meth:`lookup`, for the common case of a key that
        names one record; None when they find nothing or several records (ask :meth:`lookup`).
        """
        record = self.by_id.get(key)
        if record is None and key.isascii():
            found = self.plain.get(key.lower(), ())
            if len(found) == 1:
                record = found[0]
        return record

    def records(self, kind: CollectionName) -> Sequence[Record]:
        """The records of one collection."""
        return self.collections.get(kind, ())

    def kind_rank(self, record: Record) -> int:
        """Position of the record's collection in canonical order."""
        return _KIND_RANK[collection_of(record)]

    def disorder_and_subtypes(self, disorder_id: str) -> frozenset[str]:
        """
        Return the disorder and all its subtypes, transitively.

        The closure is walked on first use and remembered, so building the index costs
        the same whatever the depth of the hierarchy, and a question costs a walk of the
        subtree it asks about, once. The walk is iterative (no recursion limit) and
        reuses the closures already remembered for the subtypes it meets.
        """
        found = self._under.get(disorder_id)
        if found is None:
            found = self._under[disorder_id] = frozenset(self._walk_subtypes(disorder_id))
        return found

    def indications_under(self, disorder_id: str) -> frozenset[str]:
        """The indications of the disorder and of all its subtypes (walked on first use, then remembered)."""
        found = self._indications_under.get(disorder_id)
        if found is None:
            found = frozenset(
                i for d in self.disorder_and_subtypes(disorder_id) for i in self.indications_by_disorder.get(d, ())
            )
            self._indications_under[disorder_id] = found
        return found

    def _walk_subtypes(self, disorder_id: str) -> set[str]:
        found = {disorder_id}
        stack = [disorder_id]
        while stack:
            for child in self.subtypes.get(stack.pop(), ()):
                if child in found:
                    continue
                known = self._under.get(child)
                if known is not None:
                    found |= known
                else:
                    found.add(child)
                    stack.append(child)
        return found


def unique(records: Iterable[Record]) -> list[Record]:
    """Records without repeats, in first-seen order."""
    return list({record.id: record for record in records}.values())


_KIND_RANK: Final = {kind: rank for rank, kind in enumerate(RECORD_TYPES)}
