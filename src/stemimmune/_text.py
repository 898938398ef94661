"""
Text for people: values shortened for messages, lists cut to a length, articles, terminal-safe escapes.

The one home of these helpers: error messages, problems, the command line and the
schema all use them, so a value looks the same wherever it is shown. Nothing here
knows the data model; every other module of the package may import this one.
"""

from __future__ import annotations

import difflib
import inspect
import re
import reprlib
from collections.abc import Iterable
from typing import Final


#: Longest rendering of an offending value in a message.
MAX_SHOWN: Final = 80
#: Most items (candidates, suggestions, field names) an error message lists.
MAX_LISTED: Final = 25  # every table name of stemimmune.export.TABLES (21) fits

_REPR: Final = reprlib.Repr()  # keyword arguments need Python 3.12
_REPR.maxlevel = 2
_REPR.maxtuple = _REPR.maxlist = _REPR.maxdict = _REPR.maxset = _REPR.maxfrozenset = 4
_REPR.maxstring = _REPR.maxlong = _REPR.maxother = MAX_SHOWN


def shorten(value: object) -> str:
    """
    Return ``repr(value)``, cut to a readable length, in time that does not grow with *value*.

    Example:
        >>> shorten("x" * 1_000_000)[-6:]
        'xxx...'
        >>> shorten([[[[1]]]])
        '[[[...]]]'
    """
    try:
        shown = repr(value[: MAX_SHOWN + 1]) if isinstance(value, str) else _REPR.repr(value)
    except (ValueError, RecursionError):  # an integer too long to print, a structure too deep
        shown = f"<{type(value).__name__}>"
    return clip(shown, MAX_SHOWN)


def clip(text: str, limit: int) -> str:
    """Cut *text* to at most *limit* characters, ending in ``...`` when cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def listing(items: Iterable[str], *, limit: int = MAX_LISTED) -> str:
    """
    Join *items* with commas, naming at most *limit* of them and counting the rest.

    Example:
        >>> listing(["a", "b", "c"], limit=2)
        'a, b and 1 more'
    """
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit:,} more"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """
    Return ``did you mean 'x', 'y'?`` naming up to three of *choices* close to *word*, or ``""`` when none is.

    Closeness is :func:`difflib.get_close_matches` at a cutoff of 0.5, best first.

    Example:
        >>> did_you_mean("finding", ["findings", "trials", "indications"])
        "did you mean 'findings', 'indications'?"
        >>> did_you_mean("zzz", ["findings"])
        ''
    """
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.5)
    return f"did you mean {listing(repr(c) for c in close)}?" if close else ""


def printable(text: str, *, keep: str = "") -> str:
    r"""
    Escape the characters of *text* a terminal would act on or hide, as ``\u`` and four hex digits.

    Escaped: every character :meth:`str.isprintable` refuses (controls, bidirectional
    overrides and marks, zero-width and other format characters, lone surrogates,
    spaces other than the ASCII space), except those in *keep* (``"\n\t"`` keeps a
    table's layout). A character beyond the Basic Multilingual Plane is written as its
    surrogate pair, so the escape is also valid inside a JSON string.

    Example:
        >>> printable("MS\x1b[2J\u202e")
        'MS\\u001b[2J\\u202e'
        >>> printable("a\n\tb\x07", keep="\n\t")
        'a\n\tb\\u0007'
    """
    if text.isprintable():  # the common case, in C
        return text
    return "".join(char if char.isprintable() or char in keep else _escaped(char) for char in text)


_LAST_BMP: Final = 0xFFFF


def _escaped(char: str) -> str:
    code = ord(char)
    if code > _LAST_BMP:  # written as its UTF-16 surrogate pair, as JSON does
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def with_article(noun: str) -> str:
    """
    Put the indefinite article before *noun*.

    Example:
        >>> with_article("Disorder"), with_article("Indication")
        ('a Disorder', 'an Indication')
    """
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


_ATTRIBUTE: Final = re.compile(r"^ {4}(\w+): (.*)$")


def attribute_docs(doc: str | None) -> dict[str, str]:
    """
    Read the ``Attributes:`` section of a Google-style docstring: each name's description on one line.

    Example:
        >>> attribute_docs('''Doc.
        ...
        ...     Attributes:
        ...         id: Stable
        ...             identifier.
        ...         kind: What it is.
        ...     ''')
        {'id': 'Stable identifier.', 'kind': 'What it is.'}
    """
    found: dict[str, str] = {}
    lines = inspect.cleandoc(doc or "").splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Attributes:")
    except StopIteration:
        return found
    current = None
    for line in lines[start + 1 :]:
        if line.strip() and not line.startswith(" " * 8) and not _ATTRIBUTE.match(line):
            break  # the next section
        if match := _ATTRIBUTE.match(line):
            current = match[1]
            found[current] = match[2].strip()
        elif current and line.strip():
            found[current] += " " + line.strip()
    return found
