"""
The one index of a knowledge base: each structure built once, on first read, in one pass.

It holds the records by id; ONE key map (folded ids, names, synonyms, CURIEs, DOIs,
PMIDs, registry ids, authors) that both :func:`~stemimmune.query.get` and
:func:`~stemimmune.query.search` read, in which an identity key (:func:`identity_keys`)
names only the record it identifies; the links both ways (read from the model's
link metadata); and the sets the filters start from. A question pays only for the
structures it reads (see :class:`Index`). Queries live in :mod:`stemimmune.query`;
nothing here answers a question.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, Generic, TypeVar, overload

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
    Trial,
    collection_of,
    iter_links,
)
from .vocabulary import DisorderCategory, DonorRelation, EbmtCategory, EvidenceLevel, MechanismKind


T = TypeVar("T")


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


class _Built(Generic[T]):
    """
    One structure of an :class:`Index`, built on first read by the builder of its group.

    The builder returns every structure of its group by name; they are stored on the
    index at once (one dict update), so a query pays only for the structures it reads,
    and a race between threads builds a group twice with equal results, never half of one.
    """

    def __init__(self, build: Callable[[Index], dict[str, Any]]) -> None:
        self.build = build
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _Built[T]: ...
    @overload
    def __get__(self, instance: Index, owner: type | None = None) -> T: ...
    def __get__(self, instance: Index | None, owner: type | None = None) -> T | _Built[T]:
        if instance is None:
            return self
        built = self.build(instance)
        instance.__dict__.update(built)  # the instance's dict now answers every later read
        found: T = built[self.name]
        return found


def _key_map(index: Index) -> dict[str, Any]:
    """
    ``keys``, ``owners``, ``plain`` and ``entries``: one pass over every record's keys, each distinct text folded once.

    Names and synonyms are folded loosely; an identity key is also folded strictly
    (:func:`fold`), and names only its owner in either form.
    """
    identity = index.identity  # strictly folded; None when the records are checked: then each key's claimants own it
    owned: dict[str, dict[str, Record]] = {}  # strictly folded identity key -> {id: record}, for checked records
    named: dict[str, dict[str, Record]] = {}  # loosely folded descriptive key -> {id: record}
    identified: dict[str, dict[str, Record]] = {}  # loosely folded identity key -> {id: record}
    shown: dict[str, str] = {}  # loosely folded key -> the text as first written
    written: dict[str, str] = {}  # ASCII key as written, lower-cased -> the key
    folds: dict[str, str] = {}  # each text met -> its loose fold (authors and synonyms repeat)
    for kind in RECORD_TYPES:
        for record in index.collections.get(kind, ()):
            keys = [key for _, key in identity_fields(record)]
            identities = len(keys)
            keys.extend(descriptive_keys(record))
            for position, key in enumerate(keys):
                folded = folds.get(key)
                if folded is None:
                    folded = folds[key] = fold(key)
                if position < identities and identity is None:
                    strict = fold(key, loose=False)
                    if strict:
                        owned.setdefault(strict, {})[record.id] = record
                if folded:
                    (identified if position < identities else named).setdefault(folded, {})[record.id] = record
                    shown.setdefault(folded, key)  # also the order keys are first seen in
                    if key.isascii():
                        written[key.lower()] = key
    if identity is None:  # checked: no two records claim one key, so its claimants are its owners
        identity = {strict: tuple(records.values()) for strict, records in owned.items()}
    # An identity key names its owner only; a descriptive key comes before an identity key folded loosely.
    keys_map: dict[str, tuple[Record, ...]] = {
        folded: identity[folded] if folded in identity else tuple((named.get(folded) or identified[folded]).values())
        for folded in shown
    }
    return {
        "keys": keys_map,
        "owners": identity,
        "plain": {lowered: _named(identity, keys_map, key, folds[key]) for lowered, key in written.items()},
        "entries": [(folded, shown[folded], records) for folded, records in keys_map.items()],
    }


def _named(
    owners: Mapping[str, tuple[Record, ...]], keys: Mapping[str, tuple[Record, ...]], key: str, loose: str
) -> tuple[Record, ...]:
    """The records *key* names: its owner if it is an identity key (folded strictly), else those of its loose fold."""
    return owners.get(fold(key, loose=False)) or keys.get(loose, ())


def _links(index: Index) -> dict[str, Any]:
    """``outgoing`` and ``incoming``: every link of every record, both ways."""
    outgoing: dict[str, list[tuple[str, str, tuple[CollectionName, ...]]]] = defaultdict(list)
    incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for kind in RECORD_TYPES:
        for record in index.collections.get(kind, ()):
            for field, targets, target in iter_links(record):
                outgoing[record.id].append((field, target, targets))
                incoming[target].append((record.id, field))
    return {"outgoing": outgoing, "incoming": incoming}


def _indication_sets(index: Index) -> dict[str, Any]:
    """The sets the indication filters start from, the recommendations in force, and the sort key of every indication."""
    by_therapy: dict[str, set[str]] = defaultdict(set)
    by_disorder: dict[str, set[str]] = defaultdict(set)
    by_level: dict[EvidenceLevel, set[str]] = defaultdict(set)
    by_ebmt: dict[EbmtCategory, set[str]] = defaultdict(set)
    by_category: dict[DisorderCategory, set[str]] = defaultdict(set)
    latest_recommendations: dict[str, tuple[GuidelineRecommendation, ...]] = {}
    sort_key: dict[str, tuple[int, int, str, str]] = {}
    get: Any = index.collections.get
    by_id = index.by_id
    categories = {d.id: d.category for d in get("disorders", ())}
    indication: Indication
    for indication in get("indications", ()):
        by_therapy[indication.therapy_id].add(indication.id)
        by_disorder[indication.disorder_id].add(indication.id)
        by_level[indication.evidence_level].add(indication.id)
        by_category[categories[indication.disorder_id]].add(indication.id)
        latest = tuple(in_force(newest_first(indication.recommendations, by_id), by_id))
        latest_recommendations[indication.id] = latest
        for recommendation in latest:
            for category in recommendation.categories:
                by_ebmt[category].add(indication.id)
        best = strongest_category(latest)  # best_category(), from the recommendations in force just found
        sort_key[indication.id] = (
            -indication.evidence_level.rank,
            -best.rank if best is not None else 1,
            indication.therapy_id,
            indication.disorder_id,
        )
    at_least: set[str] = set()
    indications_at_least: dict[EvidenceLevel, frozenset[str]] = {}
    for level in sorted(EvidenceLevel, reverse=True):
        at_least |= by_level.get(level, set())
        indications_at_least[level] = frozenset(at_least)
    return {
        "indications_by_therapy": by_therapy,
        "indications_by_disorder": by_disorder,
        "indications_by_level": by_level,
        "indications_by_ebmt": by_ebmt,
        "indications_by_category": by_category,
        "latest_recommendations": latest_recommendations,
        "sort_key": sort_key,
        "indications_at_least": indications_at_least,
    }


def _findings(index: Index) -> dict[str, Any]:
    """``findings_by_indication``."""
    found: dict[str, list[Finding]] = defaultdict(list)
    get: Any = index.collections.get
    finding: Finding
    for finding in get("findings", ()):
        for indication_id in finding.indication_ids:  # its own, then those it also supports
            found[indication_id].append(finding)
    return {"findings_by_indication": found}


def _hierarchies(index: Index) -> dict[str, Any]:
    """``subtypes`` (disorder -> its direct subtypes) and ``children`` (cell type -> the cells derived from it)."""
    subtypes: dict[str, set[str]] = defaultdict(set)
    children: dict[str, set[str]] = defaultdict(set)
    get: Any = index.collections.get
    disorder: Disorder
    for disorder in get("disorders", ()):
        for parent in disorder.parent_ids:
            subtypes[parent].add(disorder.id)
    cell: CellType
    for cell in get("cell_types", ()):
        for parent in cell.derives_from:
            children[parent].add(cell.id)
    return {"subtypes": subtypes, "children": children}


def _therapy_sets(index: Index) -> dict[str, Any]:
    """The sets the therapy filters start from."""
    by_mechanism: dict[str, set[str]] = defaultdict(set)
    by_mechanism_kind: dict[MechanismKind, set[str]] = defaultdict(set)
    by_cell_type: dict[str, set[str]] = defaultdict(set)
    by_source: dict[str, set[str]] = defaultdict(set)
    by_donor: dict[DonorRelation, set[str]] = defaultdict(set)
    stem_cell: set[str] = set()
    get: Any = index.collections.get
    kinds = {m.id: m.kind for m in get("mechanisms", ())}
    therapy: Therapy
    for therapy in get("therapies", ()):
        for mechanism_id in therapy.mechanism_ids:
            by_mechanism[mechanism_id].add(therapy.id)
            by_mechanism_kind[kinds[mechanism_id]].add(therapy.id)
        by_cell_type[therapy.cell_type_id].add(therapy.id)
        for source_id in therapy.source_ids:
            by_source[source_id].add(therapy.id)
        by_donor[therapy.donor_relation].add(therapy.id)
        if therapy.is_stem_cell_therapy:
            stem_cell.add(therapy.id)
    return {
        "therapies_by_mechanism": by_mechanism,
        "therapies_by_mechanism_kind": by_mechanism_kind,
        "therapies_by_cell_type": by_cell_type,
        "therapies_by_source": by_source,
        "therapies_by_donor": by_donor,
        "stem_cell_therapies": stem_cell,
    }


def _product_sets(index: Index) -> dict[str, Any]:
    """``products_by_therapy`` and ``products_by_disorder`` (any disorder a regulatory event names)."""
    by_therapy: dict[str, list[Product]] = defaultdict(list)
    by_disorder: dict[str, set[str]] = defaultdict(set)
    get: Any = index.collections.get
    product: Product
    for product in get("products", ()):
        by_therapy[product.therapy_id].append(product)
        for event in product.events:
            for disorder_id in event.disorder_ids:
                by_disorder[disorder_id].add(product.id)
    return {"products_by_therapy": by_therapy, "products_by_disorder": by_disorder}


def _trial_sets(index: Index) -> dict[str, Any]:
    """The trials studying each disorder, testing each therapy and each product."""
    by_disorder: dict[str, set[str]] = defaultdict(set)
    by_therapy: dict[str, set[str]] = defaultdict(set)
    by_product: dict[str, set[str]] = defaultdict(set)
    get: Any = index.collections.get
    trial: Trial
    for trial in get("trials", ()):
        for found, ids in (
            (by_disorder, trial.disorder_ids),
            (by_therapy, trial.therapy_ids),
            (by_product, trial.product_ids),
        ):
            for target in ids:
                found[target].add(trial.id)
    return {"trials_by_disorder": by_disorder, "trials_by_therapy": by_therapy, "trials_by_product": by_product}


class Index:
    """
    Every lookup structure of one knowledge base; read-only once built.

    Each structure is built on first read, with the others of its group (see
    :class:`_Built`): a ``get()`` by id reads only :attr:`by_id`, a name also the key
    map, a filter only its sets, and search the key map and its own tables. The
    closures of the disorder hierarchy (:meth:`disorder_and_subtypes`,
    :meth:`indications_under`) are filled in per disorder, on first use, so that the
    cost stays linear in the records whatever the depth of the hierarchy.

    Attributes:
        by_id: Each record by its id.
        keys: Each key folded loosely to the records it names (one record, or several: ambiguous); where an
            identity key and a descriptive key fold alike, the descriptive key's records.
        owners: Each identity key, folded strictly, to the record it identifies (one per collection for a CURIE).
        plain: The same records by each ASCII key as written, lower-cased (a shortcut into ``keys``).
        entries: The search table: (folded key, text as written, records), one per key.
    """

    keys: _Built[dict[str, tuple[Record, ...]]] = _Built(_key_map)
    owners: _Built[dict[str, tuple[Record, ...]]] = _Built(_key_map)
    plain: _Built[dict[str, tuple[Record, ...]]] = _Built(_key_map)
    entries: _Built[list[tuple[str, str, tuple[Record, ...]]]] = _Built(_key_map)
    outgoing: _Built[dict[str, list[tuple[str, str, tuple[CollectionName, ...]]]]] = _Built(_links)
    incoming: _Built[dict[str, list[tuple[str, str]]]] = _Built(_links)
    indications_by_therapy: _Built[dict[str, set[str]]] = _Built(_indication_sets)
    indications_by_disorder: _Built[dict[str, set[str]]] = _Built(_indication_sets)
    indications_by_level: _Built[dict[EvidenceLevel, set[str]]] = _Built(_indication_sets)
    indications_by_ebmt: _Built[dict[EbmtCategory, set[str]]] = _Built(_indication_sets)
    indications_by_category: _Built[dict[DisorderCategory, set[str]]] = _Built(_indication_sets)
    indications_at_least: _Built[dict[EvidenceLevel, frozenset[str]]] = _Built(_indication_sets)
    #: Each indication's recommendations in force (the latest of each body), newest first.
    latest_recommendations: _Built[dict[str, tuple[GuidelineRecommendation, ...]]] = _Built(_indication_sets)
    sort_key: _Built[dict[str, tuple[int, int, str, str]]] = _Built(_indication_sets)
    findings_by_indication: _Built[dict[str, list[Finding]]] = _Built(_findings)
    subtypes: _Built[dict[str, set[str]]] = _Built(_hierarchies)
    children: _Built[dict[str, set[str]]] = _Built(_hierarchies)
    therapies_by_mechanism: _Built[dict[str, set[str]]] = _Built(_therapy_sets)
    therapies_by_mechanism_kind: _Built[dict[MechanismKind, set[str]]] = _Built(_therapy_sets)
    therapies_by_cell_type: _Built[dict[str, set[str]]] = _Built(_therapy_sets)
    therapies_by_source: _Built[dict[str, set[str]]] = _Built(_therapy_sets)
    therapies_by_donor: _Built[dict[DonorRelation, set[str]]] = _Built(_therapy_sets)
    stem_cell_therapies: _Built[set[str]] = _Built(_therapy_sets)
    products_by_therapy: _Built[dict[str, list[Product]]] = _Built(_product_sets)
    products_by_disorder: _Built[dict[str, set[str]]] = _Built(_product_sets)
    trials_by_disorder: _Built[dict[str, set[str]]] = _Built(_trial_sets)
    trials_by_therapy: _Built[dict[str, set[str]]] = _Built(_trial_sets)
    trials_by_product: _Built[dict[str, set[str]]] = _Built(_trial_sets)

    def __init__(self, collections: Mapping[CollectionName, Sequence[Record]], *, checked: bool = False) -> None:
        """
        Index *collections*: only :attr:`by_id` now, every other structure on first read.

        Args:
            collections: Records by collection name.
            checked: The records passed :func:`~stemimmune.find_problems` (as a
                knowledge base's have), so no two claim one identity key; otherwise that
                is checked here.

        Raises:
            DatasetError: Two records claim one identity key (:func:`identity_keys`); only when not *checked*.
        """
        self.collections = collections
        #: Each folded identity key to its owners, found here when the records are not *checked*.
        self.identity = None if checked else _identity_map(collections)
        self.by_id: dict[str, Record] = {
            record.id: record for kind in RECORD_TYPES for record in collections.get(kind, ())
        }
        self._under: dict[str, frozenset[str]] = {}  # memo of disorder_and_subtypes, filled on first use
        self._indications_under: dict[str, frozenset[str]] = {}  # memo of indications_under, likewise
        #: Search's tables, one per set of kinds searched, built by the first such search (see ``_search``).
        self.search_tables: dict[Any, Any] = {}

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
        return _named(self.owners, self.keys, key, fold(key))

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
