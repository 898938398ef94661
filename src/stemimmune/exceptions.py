"""
The exceptions stemimmune raises on purpose; all derive from :class:`StemImmuneError`.

Each also derives from the builtin a caller would catch for the same mistake:

==========================  =====================  ==========================================
error                       also a                 raised when
==========================  =====================  ==========================================
:class:`DatasetError`       :class:`ValueError`    data breaks the format or a rule
:class:`InvalidValueError`  :class:`ValueError`    a record is built with a bad field value
:class:`UnknownKeyError`    :class:`LookupError`   no record matches a key
:class:`AmbiguousKeyError`  :class:`LookupError`   several records match a key
:class:`WrongKindError`     :class:`LookupError`   the key names a record of another kind
:class:`InvalidArgumentError` :class:`ValueError`  an argument has a value the call refuses
:class:`ArgumentTypeError`  :class:`TypeError`     an argument has the wrong type
==========================  =====================  ==========================================

Every error pickles and unpickles with its message and data intact, so queries can run
in worker processes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import attrs


#: Longest rendering of an offending value in a message.
MAX_SHOWN: Final = 80


def shorten(value: object) -> str:
    """Return ``repr(value)``, cut to a readable length."""
    shown = repr(value)
    return shown if len(shown) <= MAX_SHOWN else shown[: MAX_SHOWN - 3] + "..."


def a(noun: str) -> str:
    """Put the indefinite article before *noun*: ``a Disorder``, ``an Indication``."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


class StemImmuneError(Exception):
    """Root of every error stemimmune raises on purpose."""


@attrs.frozen(kw_only=True)
class Problem:
    """
    One thing wrong with a dataset, located as data rather than as text.

    Attributes:
        message: What is wrong.
        file: The file the problem is in, when the dataset came from files.
        collection: The top-level key of the document (``"therapies"``), if any.
        index: Position of the record in that collection, if any.
        field: Path inside the record, e.g. ``"citations[0].reference_id"``.
        record_id: Id of the record concerned, when known.
        value: The offending value, shortened, when there is one.
        expected: What was expected instead, when that can be said.
        line: Line of a JSON syntax error, counted from 1.
        column: Column of a JSON syntax error, counted from 1.

    Example:
        >>> str(Problem(message="unknown field", collection="risks", index=2, field="kind"))
        '$.risks[2].kind: unknown field'
    """

    message: str
    file: str | None = None
    collection: str | None = None
    index: int | None = None
    field: str | None = None
    record_id: str | None = None
    value: str | None = None
    expected: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def path(self) -> str:
        """The JSON path of the problem inside its document, e.g. ``$.therapies[3].citations``."""
        path = "$"
        if self.collection is not None:
            path += f".{self.collection}"
        if self.index is not None:
            path += f"[{self.index}]"
        if self.field:
            path += self.field if self.field.startswith("[") else f".{self.field}"
        return path

    @property
    def location(self) -> str:
        """Where, as text: ``file: $.path`` (``file:line:column`` for a syntax error)."""
        if self.line is not None:
            return f"{self.file or '<string>'}:{self.line}:{self.column}"
        return self.path if self.file is None else f"{self.file}: {self.path}"

    def __str__(self) -> str:
        """Render as ``location (id 'x'): message``."""
        where = self.location if self.record_id is None else f"{self.location} (id {self.record_id!r})"
        return f"{where}: {self.message}"


class DatasetError(StemImmuneError, ValueError):
    """
    A dataset is invalid; :attr:`problems` lists every problem found, not only the first.

    Attributes:
        problems: The problems, in the order found.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        """Gather *problems* into one error; there must be at least one."""
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            msg = "DatasetError needs at least one problem"
            raise ValueError(msg)
        count = len(self.problems)
        header = f"invalid dataset: {count} problem{'s' if count > 1 else ''}"
        super().__init__("\n".join([header, *(f"  - {p}" for p in self.problems)]))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problems,))


class InvalidValueError(StemImmuneError, ValueError):
    """
    A record field was given a value that breaks its rule.

    Raised when a model record is built by hand; loading reports the same rule as a
    :class:`Problem` of a :class:`DatasetError`.

    Attributes:
        field: The field's name, when the check knows it.
        value: The offending value, shortened.
        expected: What was expected instead.

    Example:
        >>> from stemimmune.model import Citation
        >>> Citation(reference_id="Not An Id")
        Traceback (most recent call last):
        ...
        stemimmune.exceptions.InvalidValueError: reference_id: 'Not An Id' is not an identifier (lower-case letters and digits joined by hyphens)
    """

    def __init__(self, field: str | None, value: object, expected: str, *, shown: str | None = None) -> None:
        """Build the error for *value* in *field*, which should have been *expected*."""
        self.field = field
        self.value = shown if shown is not None else shorten(value)
        self.expected = expected
        prefix = f"{field}: " if field else ""
        super().__init__(f"{prefix}{self.value} is not {expected}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_invalid_value, (self.field, self.value, self.expected))


def _rebuild_invalid_value(field: str | None, shown: str, expected: str) -> InvalidValueError:
    return InvalidValueError(field, None, expected, shown=shown)


class _KeyLookupError(StemImmuneError, LookupError):
    """Shared behaviour of the errors about a key: the message is the text, unquoted."""

    def __str__(self) -> str:
        """Return the message without KeyError-style quoting."""
        return str(self.args[0])


def _argument_prefix(key: str, argument: str | None) -> str:
    return f"{argument}={shorten(key)}" if argument else shorten(key)


class UnknownKeyError(_KeyLookupError):
    """
    No record matches a key.

    Attributes:
        key: The key that was looked up.
        suggestions: Names or ids of close matches, best first.
        argument: The argument that held the key, when a query was given it.
    """

    def __init__(self, key: str, suggestions: Iterable[str] = (), *, argument: str | None = None) -> None:
        """Build the error for *key*, naming close matches if there are any."""
        self.key = key
        self.suggestions: tuple[str, ...] = tuple(suggestions)
        self.argument = argument
        msg = f"{_argument_prefix(key, argument)}: no record matches"
        if self.suggestions:
            msg += "; did you mean: " + ", ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(msg)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_unknown, (self.key, self.suggestions, self.argument))


def _rebuild_unknown(key: str, suggestions: tuple[str, ...], argument: str | None) -> UnknownKeyError:
    return UnknownKeyError(key, suggestions, argument=argument)


class AmbiguousKeyError(_KeyLookupError):
    """
    Several records match a key; pass one of the candidates' ids instead.

    Attributes:
        key: The key that was looked up.
        candidates: Ids of the records that match, in canonical order.
        argument: The argument that held the key, when a query was given it.
    """

    def __init__(self, key: str, candidates: Iterable[str], *, argument: str | None = None) -> None:
        """Build the error for *key*, listing the records it could mean."""
        self.key = key
        self.candidates: tuple[str, ...] = tuple(candidates)
        self.argument = argument
        shown = ", ".join(repr(c) for c in self.candidates)
        super().__init__(f"{_argument_prefix(key, argument)}: matches {len(self.candidates)} records: {shown}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_ambiguous, (self.key, self.candidates, self.argument))


def _rebuild_ambiguous(key: str, candidates: tuple[str, ...], argument: str | None) -> AmbiguousKeyError:
    return AmbiguousKeyError(key, candidates, argument=argument)


class WrongKindError(_KeyLookupError):
    """
    A key names a record, but not of the kind asked for.

    Attributes:
        key: The key that was looked up (or the id of the record that was passed).
        expected: Name of the record class asked for, e.g. ``"Disorder"``.
        found: ``(class name, id)`` of each record of another kind that the key names.
        argument: The argument that held the key, when a query was given it.
    """

    def __init__(
        self, key: str, expected: str, found: Iterable[tuple[str, str]], *, argument: str | None = None
    ) -> None:
        """Build the error for *key*, which names *found* instead of a record of kind *expected*."""
        self.key = key
        self.expected = expected
        self.found: tuple[tuple[str, str], ...] = tuple(found)
        self.argument = argument
        names = ", ".join(f"{a(kind)} ({record_id!r})" for kind, record_id in self.found)
        super().__init__(f"{_argument_prefix(key, argument)}: names {names}, not {a(expected)}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_wrong_kind, (self.key, self.expected, self.found, self.argument))


def _rebuild_wrong_kind(
    key: str, expected: str, found: tuple[tuple[str, str], ...], argument: str | None
) -> WrongKindError:
    return WrongKindError(key, expected, found, argument=argument)


class InvalidArgumentError(StemImmuneError, ValueError):
    """
    An argument has a value the call refuses (an unknown vocabulary term, a negative limit...).

    Attributes:
        argument: The argument's name.
        reason: What is wrong and what is expected.
    """

    def __init__(self, argument: str, reason: str) -> None:
        """Build the error for *argument*."""
        self.argument = argument
        self.reason = reason
        super().__init__(f"{argument}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.argument, self.reason))


class ArgumentTypeError(StemImmuneError, TypeError):
    """
    An argument has the wrong type (``None`` for a disorder, ``"false"`` for a flag...).

    Attributes:
        argument: The argument's name.
        expected: The types accepted.
        got: The name of the type given.
    """

    def __init__(self, argument: str, expected: str, got: str) -> None:
        """Build the error for *argument*, which should be *expected* but is a *got*."""
        self.argument = argument
        self.expected = expected
        self.got = got
        super().__init__(f"{argument}: expected {expected}, got {got}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.argument, self.expected, self.got))


def argument_type_error(argument: str, expected: str, value: object) -> ArgumentTypeError:
    """Build the error for *value*, of the wrong type for *argument*."""
    return ArgumentTypeError(argument, expected, type(value).__name__)
