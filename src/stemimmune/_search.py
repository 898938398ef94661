"""Ranked, typo-tolerant search over the keys every record is known by."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

from ._index import Index, fold, trigrams
from .exceptions import (
    InvalidArgumentError,
    argument_type_error,
)
from .model import (
    RECORD_TYPES,
    CollectionName,
    Record,
)
from .vocabulary import (
    Vocabulary,
)


if TYPE_CHECKING:
    pass
from ._results import Results, SearchHit


R = TypeVar("R", bound=Record)
V = TypeVar("V", bound=Vocabulary)


#: Longest text ``search()`` accepts, in characters.
MAX_QUERY_LENGTH: Final = 1_000


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
        return Results(of=SearchHit)
    return Results(ranked(index, query, wanted=wanted, min_score=min_score)[:limit], of=SearchHit)


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


def ranked(index: Index, query: str, *, wanted: set[type[Record]] | None, min_score: float) -> list[SearchHit[Any]]:
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
