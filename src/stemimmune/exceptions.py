"""
The exceptions stemimmune raises on purpose; all derive from :class:`StemImmuneError`.

Each also derives from the builtin a caller would catch for the same mistake:

=============================  ====================  ============================================
error                          also a                raised when
=============================  ====================  ============================================
:class:`DatasetError`          :class:`ValueError`   data breaks the format or a rule
:class:`InvalidValueError`     :class:`ValueError`   a record is built breaking a rule, or a term
                                                     names no member of its vocabulary
:class:`UnknownKeyError`       :class:`LookupError`  no record matches a key
:class:`AmbiguousKeyError`     :class:`LookupError`  several records match a key
:class:`WrongKindError`        :class:`LookupError`  the key names a record of another kind
:class:`InvalidArgumentError`  :class:`ValueError`   an argument has a value the call refuses
:class:`ArgumentTypeError`     :class:`TypeError`    an argument has the wrong type
=============================  ====================  ============================================

Every error pickles and unpickles with its message and data intact, so queries can run
in worker processes: its ``args`` are its constructor's arguments.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Final

import attrs

from ._text import MAX_SHOWN, clip, listing, printable, shorten, with_article


#: Most problems a :class:`DatasetError` keeps and lists; loading stops checking once it has found this many.
MAX_PROBLEMS: Final = 50
#: Longest line of a :class:`DatasetError` message, one per problem.
MAX_LINE: Final = 300


class StemImmuneError(Exception):
    """
    Root of every error stemimmune raises on purpose.

    Each error keeps the arguments it was built with as its ``args`` and renders its
    message from its attributes, so it pickles through its constructor, as cattrs'
    errors do, and comes back with its message and data intact.
    """


_LONG: Final = 1_000
_PATH: Final = 200


def _safe(text: str, limit: int) -> str:
    """Escape what a terminal would act on, and cut to *limit* characters: a problem echoes hostile input."""
    return clip(printable(clip(text, limit)), limit)


def _safe_optional(text: str | None, limit: int) -> str | None:
    return None if text is None else _safe(text, limit)


def _long(text: str) -> str:
    return _safe(text, _LONG)


def _long_optional(text: str | None) -> str | None:
    return _safe_optional(text, _LONG)


def _path(text: str | None) -> str | None:
    return _safe_optional(text, _PATH)


def _short(text: str | None) -> str | None:
    return _safe_optional(text, MAX_SHOWN)


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

    message: str = attrs.field(converter=_long)
    file: str | None = attrs.field(default=None, converter=_path)
    collection: str | None = attrs.field(default=None, converter=_short)
    index: int | None = None
    field: str | None = attrs.field(default=None, converter=_path)
    record_id: str | None = attrs.field(default=None, converter=_short)
    value: str | None = attrs.field(default=None, converter=_short)
    expected: str | None = attrs.field(default=None, converter=_long_optional)
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
    A dataset is invalid; :attr:`problems` lists the problems found, not only the first.

    At most ``MAX_PROBLEMS`` problems are kept and listed, and :attr:`count` says
    how many there were; loading stops checking once it has found that many (so a
    file of a million bad records is refused as fast as one of fifty), and then
    :attr:`stopped` is true and :attr:`count` is a lower bound. The message has one
    line per problem, each at most ``MAX_LINE`` characters.

    Attributes:
        problems: The problems, in the order found (at most ``MAX_PROBLEMS``).
        count: How many problems were found.
        stopped: Whether checking stopped early, so more problems may exist.

    Example:
        >>> error = DatasetError(Problem(message="bad", index=i) for i in range(70))
        >>> len(error.problems), error.count, str(error).splitlines()[0]
        (50, 70, 'invalid dataset: 70 problems (the first 50 are listed)')
    """

    def __init__(self, problems: Iterable[Problem], count: int | None = None, stopped: bool = False) -> None:
        """Gather *problems* into one error; there must be at least one."""
        found = iter(problems)
        self.problems: tuple[Problem, ...] = tuple(itertools.islice(found, MAX_PROBLEMS))
        if not self.problems:
            raise InvalidArgumentError("problems", "expected at least one problem, got none")
        total = len(self.problems) + sum(1 for _ in found)
        self.count: int = max(total, count or 0)
        self.stopped: bool = stopped
        super().__init__(self.problems, self.count, self.stopped)

    def __str__(self) -> str:
        """One header line, then one line per problem kept."""
        if self.stopped:
            header = f"invalid dataset: checking stopped after {self.count:,} problems"
        else:
            header = f"invalid dataset: {self.count:,} problem{'s' if self.count > 1 else ''}"
        if self.count > len(self.problems):
            header += f" (the first {len(self.problems)} are listed)"
        lines = (clip(f"  - {p}", MAX_LINE) for p in self.problems)
        return "\n".join([header, *lines])


class InvalidValueError(StemImmuneError, ValueError):
    """
    A value breaks a rule of the data model: a record field, or a vocabulary term.

    Raised when a model record is built by hand, and by :meth:`Vocabulary.parse
    <stemimmune.vocabulary.Vocabulary.parse>` for a term of no vocabulary member;
    loading reports the same rule as a :class:`Problem` of a :class:`DatasetError`.

    Attributes:
        field: The field's name, when the check knows it.
        value: The offending value, shortened.
        expected: What was expected instead.
        reason: The rule broken, in words, when it ties the value to other fields
            (an autoimmune disorder needs a scope); the message is then ``field: reason``.

    Example:
        >>> from stemimmune.model import Citation
        >>> Citation(reference_id="Not An Id")
        Traceback (most recent call last):
        ...
        stemimmune.exceptions.InvalidValueError: reference_id: 'Not An Id' is not an identifier (lower-case letters and digits joined by hyphens)
    """

    def __init__(
        self, field: str | None, value: object, expected: str, shown: str | None = None, reason: str | None = None
    ) -> None:
        """Build the error for *value* in *field*, which should have been *expected*; *shown* replaces its rendering."""
        self.field = field
        self.value = shown if shown is not None else shorten(value)
        self.expected = expected
        self.reason = reason
        # The value itself is kept only as shown: it may be huge, or not picklable.
        super().__init__(field, None, expected, self.value, reason)

    def __str__(self) -> str:
        """``field: value is not expected``, or ``field: reason``."""
        prefix = f"{self.field}: " if self.field else ""
        return prefix + (self.reason if self.reason is not None else f"{self.value} is not {self.expected}")


class _KeyLookupError(StemImmuneError, LookupError):
    """Shared behaviour of the errors about a key: a message without KeyError-style quoting."""


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

    def __init__(self, key: str, suggestions: Iterable[str] = (), argument: str | None = None) -> None:
        """Build the error for *key*, naming close matches if there are any."""
        self.key = key
        self.suggestions: tuple[str, ...] = tuple(suggestions)
        self.argument = argument
        super().__init__(key, self.suggestions, argument)

    def __str__(self) -> str:
        """``argument='key': no record matches; did you mean: ...?``."""
        msg = f"{_argument_prefix(self.key, self.argument)}: no record matches"
        if self.suggestions:
            msg += "; did you mean: " + listing(shorten(s) for s in self.suggestions) + "?"
        return msg


class AmbiguousKeyError(_KeyLookupError):
    """
    Several records match a key; pass one of the candidates' ids instead.

    Attributes:
        key: The key that was looked up.
        candidates: Ids of the records that match, in canonical order.
        argument: The argument that held the key, when a query was given it.
    """

    def __init__(self, key: str, candidates: Iterable[str], argument: str | None = None) -> None:
        """Build the error for *key*, listing the records it could mean."""
        self.key = key
        self.candidates: tuple[str, ...] = tuple(candidates)
        self.argument = argument
        super().__init__(key, self.candidates, argument)

    def __str__(self) -> str:
        """``argument='key': matches N records: ...``."""
        shown = listing(shorten(c) for c in self.candidates)
        return f"{_argument_prefix(self.key, self.argument)}: matches {len(self.candidates)} records: {shown}"


class WrongKindError(_KeyLookupError):
    """
    A key names a record, but not of the kind asked for.

    Attributes:
        key: The key that was looked up (or the id of the record that was passed).
        expected: Name of the record class asked for, e.g. ``"Disorder"``.
        found: ``(class name, id)`` of each record of another kind that the key names.
        argument: The argument that held the key, when a query was given it.
    """

    def __init__(self, key: str, expected: str, found: Iterable[tuple[str, str]], argument: str | None = None) -> None:
        """Build the error for *key*, which names *found* instead of a record of kind *expected*."""
        self.key = key
        self.expected = expected
        self.found: tuple[tuple[str, str], ...] = tuple(found)
        self.argument = argument
        super().__init__(key, expected, self.found, argument)

    def __str__(self) -> str:
        """``argument='key': names a Therapy ('x'), not a Disorder``."""
        names = listing(f"{with_article(kind)} ({shorten(record_id)})" for kind, record_id in self.found)
        return f"{_argument_prefix(self.key, self.argument)}: names {names}, not {with_article(self.expected)}"


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
        super().__init__(argument, reason)

    def __str__(self) -> str:
        """``argument: reason``."""
        return f"{self.argument}: {self.reason}"


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
        super().__init__(argument, expected, got)

    def __str__(self) -> str:
        """``argument: expected ..., got ...``."""
        return f"{self.argument}: expected {self.expected}, got {self.got}"


def argument_type_error(argument: str, expected: str, value: object) -> ArgumentTypeError:
    """Build the error for *value*, of the wrong type for *argument*."""
    return ArgumentTypeError(argument, expected, type(value).__name__)


class RegistryError(StemImmuneError, OSError):
    """
    A trial registry could not give what was asked: no such study, an error answer, malformed JSON, no connection.

    Attributes:
        reason: What went wrong, in words.
        url: The address asked for, when there was one.
        status: The HTTP status of the answer, when there was one.
    """

    def __init__(self, reason: str, url: str | None = None, status: int | None = None) -> None:
        """Build the error for a request to *url* that failed for *reason*."""
        self.reason = reason
        self.url = url
        self.status = status
        super().__init__(reason, url, status)

    def __str__(self) -> str:
        """``registry: reason (url, HTTP status)``."""
        where = ", ".join(part for part in (self.url, None if self.status is None else f"HTTP {self.status}") if part)
        return f"registry: {self.reason}" + (f" ({where})" if where else "")
