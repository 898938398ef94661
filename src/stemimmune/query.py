"""
Read-only questions over a knowledge base, and their result types.

The functions here are pure: they read one :class:`~stemimmune._index.Index` (built
once per knowledge base) and return tuples in a stated, deterministic order. The
:class:`~stemimmune.KnowledgeBase` methods of the same names call them in one line;
use those.

Filters are keyword arguments typed by :class:`TherapyFilters` and
:class:`IndicationFilters`: a misspelt filter is a type-checker error and, at run time,
an :class:`~stemimmune.ArgumentTypeError` naming it. Wherever a record is meant, the
record itself, its id, or any name, synonym or CURIE of it is accepted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, TypedDict, TypeVar, overload

import attrs

from ._index import Index, best_category, display_name, fold, trigrams, unique
from .exceptions import (
    AmbiguousKeyError,
    ArgumentTypeError,
    InvalidArgumentError,
    UnknownKeyError,
    WrongKindError,
    a,
    argument_type_error,
)
from .model import (
    RECORD_TYPES,
    CellSource,
    CellType,
    CollectionName,
    Disorder,
    Finding,
    GuidelineRecommendation,
    Indication,
    Mechanism,
    Product,
    Record,
    Reference,
    Therapy,
    Trial,
    collection_of,
)
from .vocabulary import (
    CredibilityTier,
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
    import pandas as pd


R = TypeVar("R", bound=Record)
V = TypeVar("V", bound=Vocabulary)

#: Longest text ``search()`` accepts, in characters.
MAX_QUERY_LENGTH: Final = 1_000
#: Longest key :func:`get` looks up; no record's id, name or title is longer, so a longer key matches nothing.
MAX_KEY_LENGTH: Final = 10_000


class TherapyFilters(TypedDict, total=False):
    """
    Filters on the therapy of an indication; every one given must hold (AND).

    Attributes:
        therapy: This therapy only.
        mechanism: Therapies acting by this mechanism record.
        mechanism_kind: Therapies with a mechanism of this kind (``"immunomodulation"``).
        cell_type: Therapies giving this cell type.
        cell_source: Therapies taking cells from this source.
        donor_relation: ``"autologous"`` or ``"allogeneic"``.
        regulatory: Therapies with a regulatory decision of this kind (``"approved"``).
        jurisdiction: With *regulatory*: only decisions in this jurisdiction (``"US"``, ``"EU"``).
        stem_cell_only: Leave out comparators that use no stem cells (CAR-T cells).
    """

    therapy: Therapy | str | None
    mechanism: Mechanism | str | None
    mechanism_kind: MechanismKind | str | None
    cell_type: CellType | str | None
    cell_source: CellSource | str | None
    donor_relation: DonorRelation | str | None
    regulatory: RegulatoryDecision | str | None
    jurisdiction: str | None
    stem_cell_only: bool


class IndicationFilters(TherapyFilters, total=False):
    """
    Filters on indications: the :class:`TherapyFilters` and these.

    Attributes:
        include_subtypes: With a disorder, also its subtypes (default True).
        category: Disorders of this category (``"autoimmune"``).
        min_evidence: At least this evidence level (``"observational"``).
        ebmt_category: With a guideline recommendation of this category (``"CO"``).
    """

    include_subtypes: bool
    category: DisorderCategory | str | None
    min_evidence: EvidenceLevel | str | None
    ebmt_category: EbmtCategory | str | None


_THERAPY_FILTERS: Final = frozenset(TherapyFilters.__annotations__)
_INDICATION_FILTERS: Final = frozenset(IndicationFilters.__annotations__)


T_co = TypeVar("T_co", covariant=True)


class Results(tuple[T_co, ...]):
    """
    What a query returns: a tuple of results, with a table view for notebooks and pandas.

    It is a tuple in every way (equal to a tuple of the same items, indexable,
    hashable, picklable); a slice is a plain tuple.
    In Jupyter it renders as an HTML table, and :meth:`to_frame` turns it into a typed
    pandas DataFrame.

    .. versionadded:: 0.2

    Example:
        >>> import stemimmune
        >>> options = stemimmune.load().therapies_for("MS")
        >>> options == tuple(options), list(options.to_frame().columns)[:3]
        (True, ['indication_id', 'therapy_id', 'therapy_name'])
    """

    __slots__ = ()

    def _repr_html_(self) -> str:
        from ._display import results_html  # noqa: PLC0415 - only notebooks need it

        return results_html(self)

    def to_frame(self) -> pd.DataFrame:
        """
        Return the results as a pandas DataFrame, typed as :func:`stemimmune.export.dataframe` types tables.

        Records give the columns of their collection's table; therapy options the
        columns of the ``evidence`` table; search hits ``score``, ``kind``, ``id`` and
        ``matched``.

        Raises:
            ImportError: pandas is not installed; the message names the extra to install.
        """
        from .export import result_frame  # noqa: PLC0415 - export imports this module

        return result_frame(self)


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
class SearchHit(_Result, Generic[R]):
    """
    One search result.

    Attributes:
        record: The record found.
        score: Similarity from 0 to 1; 1 is an exact match of a name, synonym, id or CURIE.
        matched: The name, synonym, id or CURIE that matched best, as written in the data.
    """

    record: R
    score: float
    matched: str

    @property
    def kind(self) -> CollectionName:
        """The collection the record belongs to, e.g. ``"disorders"``."""
        return collection_of(self.record)

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


# ------------------------------------------------------------------ lookups


def get(index: Index, key: str, kind: type[R] | None = None, *, argument: str | None = None) -> Record:
    """
    Return the one record *key* names (of class *kind*, when given).

    Raises:
        ArgumentTypeError: *key* is not a string, or *kind* not a record class.
        UnknownKeyError: Nothing matches; close matches are named.
        AmbiguousKeyError: Several records match; their ids are listed.
        WrongKindError: *key* names records, but none of class *kind*.
    """
    found = get_or_none(index, key, kind, argument=argument)
    if found is None:
        raise UnknownKeyError(key, _suggest(index, key, kind), argument=argument)
    return found


def get_or_none(index: Index, key: str, kind: type[R] | None = None, *, argument: str | None = None) -> Record | None:
    """
    Return the one record *key* names (of class *kind*, when given), or None when nothing matches.

    Raises:
        ArgumentTypeError: *key* is not a string, or *kind* not a record class.
        AmbiguousKeyError: Several records match; their ids are listed.
        WrongKindError: *key* names records, but none of class *kind*.
    """
    if not isinstance(key, str):
        raise argument_type_error(argument or "key", "a string (an id, name, synonym or CURIE)", key)
    if kind is not None and kind not in RECORD_TYPES.values():
        expected = "a record class such as Disorder or Therapy"
        raise ArgumentTypeError(argument or "kind", expected, getattr(kind, "__name__", type(kind).__name__))
    matches = index.lookup(key) if len(key) <= MAX_KEY_LENGTH else ()  # bounded time for a hostile key
    if kind is not None and matches:
        wanted = [r for r in matches if type(r) is kind]
        if not wanted:
            raise WrongKindError(key, kind.__name__, [(type(r).__name__, r.id) for r in matches], argument=argument)
        matches = tuple(wanted)
    if len(matches) > 1:
        ordered = sorted(matches, key=lambda r: (index.kind_rank(r), r.id))
        raise AmbiguousKeyError(key, [r.id for r in ordered], argument=argument)
    return matches[0] if matches else None


def _suggest(index: Index, key: str, kind: type[Any] | None) -> list[str]:
    folded = fold(key[:MAX_KEY_LENGTH])[:MAX_QUERY_LENGTH]
    if not folded:
        return []
    names: dict[str, None] = {}
    for hit in _ranked(index, folded, wanted=None if kind is None else {kind}, min_score=0.6):
        names[display_name(hit.record)] = None
    return list(names)[:5]


def resolve(index: Index, value: R | str, kind: type[R], argument: str) -> R:
    """
    Return the record of class *kind* that *value* is or names.

    A record passed in must be the knowledge base's own (or equal to it).

    Raises:
        ArgumentTypeError: *value* is neither a record of *kind* nor a string.
        UnknownKeyError, AmbiguousKeyError, WrongKindError: As :func:`get`.
    """
    if isinstance(value, str):
        found: R = get(index, value, kind, argument=argument)  # type: ignore[assignment]  # get checked the kind
        return found
    if isinstance(value, kind):
        if index.by_id.get(value.id) != value:
            raise UnknownKeyError(value.id, argument=argument)
        return value
    if type(value) in RECORD_TYPES.values():
        raise WrongKindError(value.id, kind.__name__, [(type(value).__name__, value.id)], argument=argument)
    raise argument_type_error(argument, f"{a(kind.__name__)}, or its id, name or CURIE", value)


def _term(kind: type[V], value: V | str, argument: str) -> V:
    """Parse a vocabulary argument with the vocabulary's one parser."""
    if not isinstance(value, str):
        raise argument_type_error(argument, f"{a(kind.__name__)} or one of its values as a string", value)
    try:
        return kind.parse(value)
    except ValueError as exc:
        raise InvalidArgumentError(argument, str(exc)) from None


def _flag(value: object, argument: str) -> bool:
    if not isinstance(value, bool):
        raise argument_type_error(argument, "True or False", value)
    return value


def _check_filters(filters: Mapping[str, object], allowed: frozenset[str], function: str) -> None:
    unknown = sorted(set(filters) - allowed)
    if unknown:
        raise ArgumentTypeError(
            unknown[0], f"one of the filters of {function}(): {', '.join(sorted(allowed))}", "an unknown keyword"
        )


# ------------------------------------------------------------------ search


@overload
def search(
    index: Index, text: str, *, kinds: None = None, limit: int = 10, min_score: float = 0.5
) -> Results[SearchHit[Record]]: ...
@overload
def search(
    index: Index, text: str, *, kinds: Iterable[type[R]], limit: int = 10, min_score: float = 0.5
) -> Results[SearchHit[R]]: ...
@overload
def search(
    index: Index, text: str, *, kinds: Iterable[CollectionName], limit: int = 10, min_score: float = 0.5
) -> Results[SearchHit[Record]]: ...
def search(
    index: Index,
    text: str,
    *,
    kinds: Iterable[type[Any] | str] | None = None,
    limit: int = 10,
    min_score: float = 0.5,
) -> Results[SearchHit[Any]]:
    """
    Ranked, typo-tolerant matches of *text* against the same keys :func:`get` reads.

    Raises:
        ArgumentTypeError: An argument has the wrong type.
        InvalidArgumentError: *limit* is negative, *min_score* outside 0..1, a kind
            unknown, or *text* longer than :data:`MAX_QUERY_LENGTH`.
    """
    if not isinstance(text, str):
        raise argument_type_error("text", "a string", text)
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise argument_type_error("limit", "a whole number", limit)
    if limit < 0:
        raise InvalidArgumentError("limit", f"expected 0 or more, got {limit}")
    if isinstance(min_score, bool) or not isinstance(min_score, int | float):
        raise argument_type_error("min_score", "a number from 0 to 1", min_score)
    if not 0 <= min_score <= 1:
        raise InvalidArgumentError("min_score", f"expected a number from 0 to 1, got {min_score}")
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidArgumentError("text", f"expected at most {MAX_QUERY_LENGTH} characters, got {len(text)}")
    wanted = _kinds(kinds)
    query = fold(text)
    if not query or limit == 0:
        return Results()
    return Results(_ranked(index, query, wanted=wanted, min_score=min_score)[:limit])


def _kinds(kinds: Iterable[type[Any] | str] | None) -> set[type[Record]] | None:
    if kinds is None:
        return None
    if isinstance(kinds, str | type):
        raise argument_type_error("kinds", "a list of record classes or collection names", kinds)
    wanted: set[type[Record]] = set()
    for kind in kinds:
        found = RECORD_TYPES.get(kind) if isinstance(kind, str) else kind  # type: ignore[call-overload]
        if found in RECORD_TYPES.values():
            wanted.add(found)
        else:
            names = ", ".join(RECORD_TYPES)
            raise InvalidArgumentError("kinds", f"{kind!r} is not a record class or a collection name ({names})")
    return wanted


def _ranked(index: Index, query: str, *, wanted: set[type[Record]] | None, min_score: float) -> list[SearchHit[Any]]:
    """Every record scoring at least *min_score* against *query* (folded), best first."""
    # Count shared trigrams over the rarer half of the query's trigrams: common ones
    # (" mu", "is ") list a large share of all keys and add little to the ranking.
    # Past the rarest few, a trigram is counted only while the postings read stay within
    # a budget, so the work is bounded as the data grows (posting lists grow with it).
    # Counter.update counts a posting list in C; only the most shared keys are ranked.
    counts: Counter[int] = Counter()
    query_grams = trigrams(query)
    rarest = sorted((len(index.trigrams.get(gram, ())), gram) for gram in query_grams)  # by text on ties: deterministic
    postings = [index.trigrams.get(gram, ()) for _count, gram in rarest]
    read = 0
    for position, listed in enumerate(postings[: max(_MIN_GRAMS, (len(postings) + 1) // 2)]):
        if position >= _MIN_GRAMS and read + len(listed) > _MAX_POSTINGS:
            break
        counts.update(listed)
        read += len(listed)
    if wanted is not None:
        counts = Counter({p: n for p, n in counts.items() if any(type(r) in wanted for r in index.entries[p][2])})
    candidates = sorted(
        (-2 * shared / (len(query_grams) + index.gram_counts[position]), position)
        for position, shared in counts.most_common(_POOL)
    )
    # Trigram overlap ranks candidates cheaply; the finer score runs on the best few only.
    pattern = _Pattern(query)
    best: dict[str, SearchHit[Any]] = {}
    for _overlap, position in candidates[:_CANDIDATES]:
        folded, shown, records = index.entries[position]
        score = round(_similarity(pattern, folded), 4)
        if score < min_score:
            continue
        for record in records:
            if (wanted is None or type(record) in wanted) and (record.id not in best or score > best[record.id].score):
                best[record.id] = SearchHit(record=record, score=score, matched=shown)
    return sorted(best.values(), key=lambda h: (-h.score, index.kind_rank(h.record), h.record.id))


def _similarity(query: _Pattern, key: str) -> float:
    """
    Score how well *query* matches *key* (both folded), from 0 to 1.

    1 is an exact match. Otherwise the best of: the Indel ratio (twice the longest
    common subsequence over the total length) of the whole strings, and the ratio
    against the run of the key's words as long as the query (spaces ignored), weighted
    by how much of the key that run covers, so "crohns" finds "crohn s disease" and
    "multipel" finds "multiple sclerosis". Short keys (abbreviations) only match closely.
    """
    if query.text == key:
        return 1.0
    ratio = query.whole.ratio(key)
    words, width, joined = key.split(), query.words, query.joined
    for start in range(max(1, len(words) - width + 1)):
        window = "".join(words[start : start + width])
        weight = 0.7 + 0.25 * (len(window) + min(width, len(words)) - 1) / len(key)
        # The ratio is at most twice the shorter length over the total: skip a window that cannot win.
        if 2 * min(joined.size, len(window)) / (joined.size + len(window)) * weight > ratio:
            ratio = max(ratio, joined.ratio(window) * weight)
    if len(key) <= _SHORT_KEY:
        ratio *= 0.8
    return min(ratio, 0.99)


class _Lcs:
    """
    One side of an Indel ratio, prepared once: the bit masks of the bit-parallel LCS.

    The longest common subsequence with another text costs one pass over that text's
    characters with a few integer operations each (Hyyro's bit-vector algorithm), so a
    search scores its candidates without a table per pair.
    """

    __slots__ = ("masks", "ones", "size")

    def __init__(self, text: str) -> None:
        self.size = len(text)
        self.ones = (1 << self.size) - 1
        self.masks: dict[str, int] = {}
        for position, char in enumerate(text):
            self.masks[char] = self.masks.get(char, 0) | 1 << position

    def ratio(self, other: str) -> float:
        """Twice the longest common subsequence of the two texts over their total length (0 to 1)."""
        total = self.size + len(other)
        if not total:
            return 1.0
        row, masks = self.ones, self.masks
        for char in other:
            matched = row & masks.get(char, 0)
            row = (row + matched) | (row - matched)
        common = self.size - (row & self.ones).bit_count()
        return 2 * common / total


class _Pattern:
    """A folded query prepared for scoring: as written, and with its spaces removed."""

    __slots__ = ("joined", "text", "whole", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = len(text.split())
        self.whole = _Lcs(text)
        self.joined = _Lcs(text.replace(" ", ""))


_SHORT_KEY: Final = 4
#: Fewest query trigrams counted when ranking candidates.
_MIN_GRAMS: Final = 4
#: Most postings read for one query beyond its rarest ``_MIN_GRAMS`` trigrams.
_MAX_POSTINGS: Final = 4_096
#: How many keys sharing the most trigrams with the query are ranked by overlap.
_POOL: Final = 64
#: How many keys, ranked by trigram overlap, get the finer edit-based score.
_CANDIDATES: Final = 8


# ------------------------------------------------------------------ filters


def find_indications(index: Index, *, disorder: Disorder | str | None = None, **filters: Any) -> Results[Indication]:
    """Indications passing every filter, strongest evidence first (see :meth:`KnowledgeBase.find_indications`)."""
    _check_filters(filters, _INDICATION_FILTERS, "find_indications")
    ids = _indication_ids(index, disorder, filters)
    return Results(index.by_id[i] for i in sorted(ids, key=index.sort_key.__getitem__))  # type: ignore[misc]


def therapies_for(index: Index, disorder: Disorder | str, **filters: Any) -> Results[TherapyOption]:
    """Therapy options for a disorder and its subtypes (see :meth:`KnowledgeBase.therapies_for`)."""
    _check_filters(filters, _INDICATION_FILTERS, "therapies_for")
    if disorder is None:
        raise argument_type_error("disorder", "a Disorder, or its id, name or CURIE", disorder)
    return Results(
        TherapyOption(
            therapy=index.by_id[indication.therapy_id],  # type: ignore[arg-type]
            indication=indication,
            disorder=index.by_id[indication.disorder_id],  # type: ignore[arg-type]
        )
        for indication in find_indications(index, disorder=disorder, **filters)
    )


def find_therapies(index: Index, *, disorder: Disorder | str | None = None, **filters: Any) -> Results[Therapy]:
    """Therapies passing every filter, by id (see :meth:`KnowledgeBase.find_therapies`)."""
    _check_filters(filters, _INDICATION_FILTERS, "find_therapies")
    if disorder is not None or set(filters) - _THERAPY_FILTERS:
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
        if _flag(filters.get("include_subtypes", True), "include_subtypes"):
            sets.append(index.indications_under.get(root.id, _NONE))
        else:
            sets.append(index.indications_by_disorder.get(root.id, _NONE))
    elif "include_subtypes" in filters:
        _flag(filters["include_subtypes"], "include_subtypes")
    if filters.get("category") is not None:
        category = _term(DisorderCategory, filters["category"], "category")
        sets.append(index.indications_by_category.get(category, _NONE))
    if filters.get("min_evidence") is not None:
        level = _term(EvidenceLevel, filters["min_evidence"], "min_evidence")
        sets.append(index.indications_at_least.get(level, _NONE))
    if filters.get("ebmt_category") is not None:
        ebmt = _term(EbmtCategory, filters["ebmt_category"], "ebmt_category")
        sets.append(index.indications_by_ebmt.get(ebmt, _NONE))
    therapies = _therapy_ids(index, filters)
    if filters.get("regulatory") is not None:  # a product of the therapy has the decision for the disorder
        decision = _term(RegulatoryDecision, filters["regulatory"], "regulatory")
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
    if filters.keys().isdisjoint(_THERAPY_FILTERS):
        return None
    sets: list[AbstractSet[str]] = []
    if filters.get("therapy") is not None:
        sets.append({resolve(index, filters["therapy"], Therapy, "therapy").id})
    if filters.get("mechanism") is not None:
        mechanism_id = resolve(index, filters["mechanism"], Mechanism, "mechanism").id
        sets.append(index.therapies_by_mechanism.get(mechanism_id, _NONE))
    if filters.get("mechanism_kind") is not None:
        kind = _term(MechanismKind, filters["mechanism_kind"], "mechanism_kind")
        sets.append(index.therapies_by_mechanism_kind.get(kind, _NONE))
    if filters.get("cell_type") is not None:
        cell_id = resolve(index, filters["cell_type"], CellType, "cell_type").id
        sets.append(index.therapies_by_cell_type.get(cell_id, _NONE))
    if filters.get("cell_source") is not None:
        source_id = resolve(index, filters["cell_source"], CellSource, "cell_source").id
        sets.append(index.therapies_by_source.get(source_id, _NONE))
    if filters.get("donor_relation") is not None:
        relation = _term(DonorRelation, filters["donor_relation"], "donor_relation")
        sets.append(index.therapies_by_donor.get(relation, _NONE))
    jurisdiction = filters.get("jurisdiction")
    if jurisdiction is not None and not isinstance(jurisdiction, str):
        raise argument_type_error("jurisdiction", "a jurisdiction code such as 'US' or 'EU'", jurisdiction)
    if filters.get("regulatory") is not None:
        decision = _term(RegulatoryDecision, filters["regulatory"], "regulatory")
        code = None if jurisdiction is None else jurisdiction.strip().upper()
        sets.append(index.therapies_by_decision.get((decision, code), _NONE))
    elif jurisdiction is not None:
        raise InvalidArgumentError("jurisdiction", "needs regulatory= (the decision to look for in that jurisdiction)")
    if _flag(filters.get("stem_cell_only", False), "stem_cell_only"):
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
    day = _day(on)
    if status is None:
        if day is not None:
            raise InvalidArgumentError("on", "needs status= (the status to look for on that date)")
        if code is not None:
            products = [p for p in products if any(e.jurisdiction == code for e in p.events)]
    else:
        wanted = _term(RegulatoryDecision, status, "status")
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


def _day(on: object) -> str | None:
    if on is None:
        return None
    if isinstance(on, dt.date):
        return on.isoformat()[:10]
    if isinstance(on, str):
        try:
            return dt.date.fromisoformat(on).isoformat()
        except ValueError:
            raise InvalidArgumentError("on", f"expected a date YYYY-MM-DD, got {on[:40]!r}") from None
    raise argument_type_error("on", "a date (datetime.date or 'YYYY-MM-DD')", on)


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
        phases = _terms(TrialPhase, phase, "phase")
        trials = [t for t in trials if t.phase in phases]
    if status is not None:
        statuses = _terms(TrialStatus, status, "status")
        trials = [t for t in trials if t.status in statuses]
    return Results(sorted(trials, key=lambda t: t.id))


def _terms(kind: type[V], value: object, argument: str) -> frozenset[V]:
    """One vocabulary term, or an iterable of them, as a set of members."""
    if isinstance(value, str):
        return frozenset({_term(kind, value, argument)})
    if isinstance(value, Iterable):
        found = frozenset(_term(kind, item, argument) for item in value)
        if not found:
            raise InvalidArgumentError(argument, f"expected at least one {kind.__name__}")
        return found
    raise argument_type_error(argument, f"{a(kind.__name__)}, or several", value)


def recommendations_for(
    index: Index, indication: Indication | str, *, latest: bool = False
) -> Results[GuidelineRecommendation]:
    """An indication's guideline recommendations, newest guideline first (see :meth:`KnowledgeBase.recommendations_for`)."""
    record = resolve(index, indication, Indication, "indication")
    references: Mapping[str, Any] = index.by_id

    def year(recommendation: GuidelineRecommendation) -> int:
        return references[recommendation.reference_id].year or 0

    ordered = sorted(
        enumerate(record.recommendations),
        key=lambda item: (-year(item[1]), item[1].reference_id, item[0]),
    )
    found = [r for _, r in ordered]
    if _flag(latest, "latest"):
        newest: dict[tuple[str, object, object], int] = {}
        for r in found:
            body = references[r.reference_id].organization or r.reference_id
            newest.setdefault((body, r.population, r.donor_type), year(r))
        found = [
            r
            for r in found
            if year(r) == newest[references[r.reference_id].organization or r.reference_id, r.population, r.donor_type]
        ]
    return Results(found)


# ------------------------------------------------------------------ navigation


def neighbours(index: Index, key: Record | str) -> dict[CollectionName, tuple[Record, ...]]:
    """Records linked to a record in either direction, by collection in canonical order, each by id."""
    record = _any_record(index, key, "key")
    ids = {target for _field, target, _targets in index.outgoing.get(record.id, ())}
    ids |= {source for source, _field in index.incoming.get(record.id, ())}
    ids.discard(record.id)
    grouped: dict[CollectionName, list[Record]] = defaultdict(list)
    for linked in ids:
        other = index.by_id[linked]
        grouped[collection_of(other)].append(other)
    return {kind: tuple(sorted(grouped[kind], key=lambda r: r.id)) for kind in RECORD_TYPES if kind in grouped}


def _any_record(index: Index, key: Record | str, argument: str) -> Record:
    if isinstance(key, str):
        return get(index, key, argument=argument)
    if type(key) in RECORD_TYPES.values():
        if index.by_id.get(key.id) != key:
            raise UnknownKeyError(key.id, argument=argument)
        return key
    raise argument_type_error(argument, "a record, or its id, name or CURIE", key)


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
    return Results(index.by_id[i] for i in sorted(found, key=lambda i: (found[i], i)))  # type: ignore[misc]


def references_for(index: Index, key: Record | str, *, deep: bool = False) -> Results[Reference]:
    """References a record cites (with *deep*, also those of the indications and findings under it)."""
    record = _any_record(index, key, "key")
    records: list[Record] = [record]
    if _flag(deep, "deep"):
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
    return Results(sorted(cited, key=lambda r: (-r.tier.rank, -(r.year or 0), r.id)))


def evidence_summary(index: Index, disorder: Disorder | str) -> EvidenceSummary:
    """What the data says about treating a disorder (see :meth:`KnowledgeBase.evidence_summary`)."""
    record = resolve(index, disorder, Disorder, "disorder")
    options = therapies_for(index, record)
    findings = tuple(f for o in options for f in index.findings_by_indication.get(o.indication.id, ()))
    return EvidenceSummary(
        disorder=record, options=options, findings=findings, references=references_for(index, record, deep=True)
    )
