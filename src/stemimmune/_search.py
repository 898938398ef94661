"""
Ranked, typo-tolerant search over the keys every record is known by: exactly the best matches.

The score is documented on :meth:`stemimmune.KnowledgeBase.search`. Every key of the
kinds asked for is compared; rapidfuzz's C++ loop computes the Indel similarities, over
the keys and their runs of words sorted by length, and skips only what a bound proves
cannot reach the hits kept (see :func:`ranked`).
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable
from typing import Any, Final, TypeVar, overload

from ._index import Index, fold
from ._results import Results, SearchHit
from ._text import did_you_mean, shorten
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
    The *limit* records (every one when 0) whose keys score best against *text*, best first.

    The keys, the score and the order are those documented by :meth:`KnowledgeBase.search
    <stemimmune.KnowledgeBase.search>`.

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
    if not query:
        return Results(of=SearchHit)
    return Results(ranked(index, query, wanted=wanted, min_score=min_score, limit=limit), of=SearchHit)


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
            guess = did_you_mean(kind, RECORD_TYPES) if isinstance(kind, str) else ""
            guess += " " if guess else ""
            raise InvalidArgumentError(
                "kinds", f"{shorten(kind)} is not a record class or a collection name; {guess}expected one of: {names}"
            )
    return wanted


def ranked(
    index: Index, query: str, *, wanted: set[type[Record]] | None, min_score: float, limit: int = 0
) -> list[SearchHit[Any]]:
    """
    The *limit* records (every one when 0) that score best against *query* (folded), best first.

    A record scores as its best key (see :func:`_finish`); records scoring below
    *min_score* (to four places) are left out; ties go by kind rank, then id.

    Exact, and pruned only by bounds: a key's whole-key ratio is at most twice the shorter
    length over the total, and a run's weighted ratio at most 0.95 times that. Keys and runs
    are scanned by length, in rapidfuzz's C++ loop, from the query's length outwards, in
    slices of decreasing bound; once *limit* records score at least some value, every key
    and run whose bound is below it is skipped, for none of them can reach the answer.
    """
    table = _table(index, wanted)
    scan = _Scan(table, query, limit, max(min_score - _MARGIN, 0.0))
    for guess in _GUESSES:
        target = max(guess, scan.cut)
        scan.keys_down_to(target)
        scan.runs_down_to(target)
        if scan.cut >= target:
            break  # whatever is left is bounded below the target, so below the cut
    else:
        scan.keys_down_to(scan.cut)
        scan.runs_down_to(scan.cut)
    best: dict[str, tuple[float, int, Record]] = {}
    for position, value in scan.scored.items():
        if value < scan.cut:
            continue  # below the lowest of *limit* records found: cannot make the answer
        shown = round(value, 4)
        if shown < min_score:
            continue
        for record in table.records[position]:
            old = best.get(record.id)
            if old is None or shown > old[0] or (shown == old[0] and position < old[1]):
                best[record.id] = (shown, position, record)  # of equally scored keys, the first indexed is shown
    ordered = sorted(best.values(), key=lambda b: (-b[0], index.kind_rank(b[2]), b[2].id))
    if limit:
        ordered = ordered[:limit]
    return [SearchHit(record=record, score=score, matched=index.entries[p][1]) for score, p, record in ordered]


class _Scan:
    """One search in progress: the slices scanned so far, the keys scored, and the cut no hit falls below."""

    def __init__(self, table: _Table, query: str, limit: int, lowest: float) -> None:
        from rapidfuzz import process  # noqa: PLC0415 - imported by the first search, not with the package
        from rapidfuzz.distance import Indel  # noqa: PLC0415

        self.extract, self.scorer = process.extract, Indel.normalized_similarity
        self.table, self.query, self.limit, self.lowest, self.cut = table, query, limit, lowest, lowest
        self.joined = query.replace(" ", "")
        self.width = min(len(query.split()), table.widest)
        self.runs = table.runs(self.width)
        self.scored: dict[int, float] = {}  # key position -> its best score found
        self.floor: dict[str, float] = {}  # record id -> its best score found, when at least the cut
        middle = bisect.bisect_left(table.keys.lengths, len(query))
        self.key_span = (middle, middle)
        middle = bisect.bisect_left(self.runs.lengths, len(self.joined))
        self.run_span = (middle, middle)

    def keys_down_to(self, bound: float) -> None:
        """Score every key whose whole-key bound is at least *bound* and its ratio at least the cut."""
        keys, size = self.table.keys, len(self.query)
        start, stop = _span(keys.lengths, size, bound)
        for a, b in _new(self.key_span, start, stop):
            for text, similarity, i in self.extract(
                self.query, keys.texts[a:b], scorer=self.scorer, processor=None, limit=None,
                score_cutoff=max(self.cut - _SLACK, 0.0),
            ):  # fmt: skip
                value = 1.0 if text == self.query else _finish(_ratio(similarity, size + len(text)), text)
                self._found(keys.owners[a + i], value)
        self.key_span = (min(start, self.key_span[0]), max(stop, self.key_span[1]))
        self._raise_cut()

    def runs_down_to(self, bound: float) -> None:
        """Score every run whose bound (0.95 times its ratio's) is at least *bound*, for the keys it can lift to the cut."""
        if bound / 0.95 > 1:
            return
        runs, size, width = self.runs, len(self.joined), self.width
        start, stop = _span(runs.lengths, size, bound / 0.95)
        for a, b in _new(self.run_span, start, stop):
            for text, similarity, i in self.extract(
                self.joined, runs.texts[a:b], scorer=self.scorer, processor=None, limit=None,
                score_cutoff=max(min(self.cut / 0.95, 1.0) - _SLACK, 0.0),
            ):  # fmt: skip
                ratio = _ratio(similarity, size + len(text))
                spanned = len(text) + width - 1  # characters the run spans in a key of at least *width* words
                owners, lengths = runs.owners[a + i], runs.owner_lengths[a + i]
                # weight >= cut / ratio, so coverage >= need: only keys up to spanned / need long (by length).
                need = ((self.cut - _SLACK) / ratio - 0.7) / 0.25 if ratio else 2.0
                count = len(owners) if need <= 0 else bisect.bisect_right(lengths, spanned / need + _SLACK * spanned)
                for position in owners[:count]:
                    key = self.table.texts[position]
                    weight = 0.7 + 0.25 * (len(text) + min(width, key.count(" ") + 1) - 1) / len(key)
                    self._found(position, _finish(ratio * weight, key))
        self.run_span = (min(start, self.run_span[0]), max(stop, self.run_span[1]))
        self._raise_cut()

    def _found(self, position: int, value: float) -> None:
        if value > self.scored.get(position, -1.0):
            self.scored[position] = value
            if self.limit and value >= self.cut:
                floor = self.floor
                for record in self.table.records[position]:
                    if value > floor.get(record.id, -1.0):
                        floor[record.id] = value

    def _raise_cut(self) -> None:
        """Once *limit* records are found, none scoring below the lowest of them (less rounding) can be a hit."""
        if self.limit and len(self.floor) >= self.limit:
            self.cut = max(self.cut, heapq.nlargest(self.limit, self.floor.values())[-1] - _MARGIN)


def _span(lengths: list[int], size: int, bound: float) -> tuple[int, int]:
    """The slice of texts (sorted by length) whose ratio with a text of *size* characters can reach *bound*."""
    if bound <= 0:
        return 0, len(lengths)
    # 2 * min(size, n) / (size + n) >= bound  <=>  size * bound / (2 - bound) <= n <= size * (2 - bound) / bound
    shortest = size * bound / (2 - bound) * (1 - _SLACK)
    longest = size * (2 - bound) / bound * (1 + _SLACK)
    return bisect.bisect_left(lengths, shortest), bisect.bisect_right(lengths, longest)


def _new(done: tuple[int, int], start: int, stop: int) -> list[tuple[int, int]]:
    """The parts of [start, stop) outside the slice *done* (which lies inside it or is empty)."""
    parts = [(start, min(stop, done[0])), (max(start, done[1]), stop)]
    return [(a, b) for a, b in parts if a < b]


def _ratio(similarity: float, total: int) -> float:
    """
    The Indel ratio, twice the longest common subsequence over the total length, exactly.

    rapidfuzz gives it as ``1 - distance / total``, which may differ from ``2 * lcs / total``
    in the last bit; the distance (a whole number) is read back from it and the ratio
    computed as the documentation writes it, so that scores are reproducible to the bit.
    """
    distance = round((1.0 - similarity) * total)
    return (total - distance) / total


def _finish(ratio: float, key: str) -> float:
    """
    Score of a key (folded, not the query's text) whose best whole-key or weighted run ratio is *ratio*.

    The score of a folded query against a folded key, from 0 to 1: 1 for the same text;
    otherwise the best of the Indel ratio of the whole strings (twice their longest common
    subsequence over their total length) and, for each run of the key's words as many as
    the query's (the whole key when it has fewer), the ratio of the query and the run with
    spaces removed, weighted by ``0.7 + 0.25 * coverage`` (the share of the key's characters
    the run spans, spaces between its words included); times 0.8 for a key of at most 4
    characters (an abbreviation matches only closely), and at most 0.99.
    """
    if len(key) <= _SHORT_KEY:
        ratio *= 0.8
    return min(ratio, 0.99)


class _Sorted:
    """Texts sorted by length (None for one to skip), each with what it belongs to."""

    __slots__ = ("lengths", "owner_lengths", "owners", "texts")

    def __init__(self, texts: dict[str, Any], key_lengths: list[int] | None = None) -> None:
        ordered = sorted(texts, key=len)
        self.texts: list[str | None] = list(ordered)
        self.lengths = [len(t) for t in ordered]
        self.owners: list[Any] = [texts[t] for t in ordered]
        self.owner_lengths: list[list[int]] = []
        if key_lengths is not None:  # runs: their keys by length too
            self.owners = [sorted(o, key=key_lengths.__getitem__) for o in self.owners]
            self.owner_lengths = [[key_lengths[p] for p in o] for o in self.owners]


class _Table:
    """What search compares for one set of kinds: the keys naming a record of those kinds, and their runs of words."""

    __slots__ = ("_runs", "keys", "records", "texts", "widest")

    def __init__(self, index: Index, wanted: set[type[Record]] | None) -> None:
        self.texts = [folded for folded, _shown, _records in index.entries]
        if wanted is None:
            self.records = [records for _folded, _shown, records in index.entries]
        else:
            self.records = [tuple(r for r in records if type(r) in wanted) for _f, _s, records in index.entries]
        self.keys = _Sorted({t: p for p, (t, r) in enumerate(zip(self.texts, self.records, strict=True)) if r})
        self.widest = max((t.count(" ") + 1 for t in self.texts), default=1)
        self._runs: dict[int, _Sorted] = {}

    def runs(self, width: int) -> _Sorted:
        """The distinct runs of *width* words of the keys (the whole key when it has fewer), built on first use."""
        found = self._runs.get(width)
        if found is None:
            at: dict[str, list[int]] = {}
            for position, key in enumerate(self.texts):
                if self.records[position]:
                    words = key.split()
                    for start in range(max(1, len(words) - width + 1)):
                        at.setdefault("".join(words[start : start + width]), []).append(position)
            found = self._runs[width] = _Sorted(at, [len(t) for t in self.texts])
        return found


def _table(index: Index, wanted: set[type[Record]] | None) -> _Table:
    """The search table of *index* for these kinds, built on first use and kept with the index."""
    key = None if wanted is None else frozenset(wanted)
    tables: dict[frozenset[type[Record]] | None, _Table] = index.search_tables
    found = tables.get(key)
    if found is None:
        if len(tables) >= _TABLES:  # any set of kinds may come: keep only a few
            tables.clear()
        found = tables[key] = _Table(index, wanted)
    return found


_SHORT_KEY: Final = 4
#: Below the lowest score kept, by more than rounding to four places can lift a score.
_MARGIN: Final = 1e-4
#: Below the cut, by more than rapidfuzz's ``1 - distance / total`` can differ from the ratio.
_SLACK: Final = 1e-9
#: Bounds the search scans down to, in turn, before the lowest score asked for.
_GUESSES: Final = (0.85, 0.7)
#: Most search tables (one per set of kinds searched) kept with an index.
_TABLES: Final = 16


# ------------------------------------------------------------------ filters
