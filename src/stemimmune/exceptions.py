"""The exceptions stemimmune raises; all derive from :class:`StemImmuneError`."""

from __future__ import annotations

from collections.abc import Iterable

import attrs


class StemImmuneError(Exception):
    """Root of every error stemimmune raises on purpose."""


@attrs.frozen(kw_only=True)
class Problem:
    """
    One thing wrong with a dataset.

    Attributes:
        location: Where: a JSON path such as ``$.therapies[3].citations``, prefixed
            with the file name when the dataset came from several files.
        message: What is wrong and what was expected.
        record_id: Id of the record concerned, when known.
        value: The offending value, shortened, when there is one.
        expected: What was expected instead, when that can be said.
    """

    location: str
    message: str
    record_id: str | None = None
    value: str | None = None
    expected: str | None = None

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


class UnknownKeyError(StemImmuneError, LookupError):
    """
    No record matches a key.

    Attributes:
        key: The key that was looked up.
        suggestions: Names or ids of close matches, best first.
    """

    def __init__(self, key: str, suggestions: Iterable[str] = ()) -> None:
        """Build the error for *key*, naming close matches if there are any."""
        self.key = key
        self.suggestions: tuple[str, ...] = tuple(suggestions)
        msg = f"no record matches {key!r}"
        if self.suggestions:
            msg += "; did you mean: " + ", ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(msg)

    def __str__(self) -> str:
        """Return the message without KeyError-style quoting."""
        return str(self.args[0])
