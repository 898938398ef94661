"""One record by key: ids, CURIEs, registry ids, DOIs, names and synonyms, with suggestions when nothing fits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeVar

from ._index import Index, fold
from ._text import with_article
from .exceptions import (
    AmbiguousKeyError,
    ArgumentTypeError,
    UnknownKeyError,
    WrongKindError,
    argument_type_error,
)
from .model import (
    RECORD_TYPES,
    Record,
)
from .vocabulary import (
    Vocabulary,
)


if TYPE_CHECKING:
    pass
from ._search import MAX_QUERY_LENGTH, ranked


R = TypeVar("R", bound=Record)
V = TypeVar("V", bound=Vocabulary)

#: Longest key :func:`get` looks up; no record's id, name or title is longer, so a longer key matches nothing.
MAX_KEY_LENGTH: Final = 10_000

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
    for hit in ranked(index, folded, wanted=None if kind is None else {kind}, min_score=0.6):
        names[hit.record.label] = None
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
    raise argument_type_error(argument, f"{with_article(kind.__name__)}, or its id, name or CURIE", value)


def any_record(index: Index, key: Record | str, argument: str) -> Record:
    if isinstance(key, str):
        return get(index, key, argument=argument)
    if type(key) in RECORD_TYPES.values():
        if index.by_id.get(key.id) != key:
            raise UnknownKeyError(key.id, argument=argument)
        return key
    raise argument_type_error(argument, "a record, or its id, name or CURIE", key)
