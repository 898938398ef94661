"""Small reusable field validators and converters for the model classes."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, Final

import attrs

from ._dates import PARTIAL_DATE_FORM, PartialDate
from .exceptions import InvalidValueError
from .vocabulary import JURISDICTIONS, suggest_jurisdiction


#: Record identifiers: lower-case words joined by single hyphens.
IDENTIFIER_PATTERN: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Ontology prefixes a cross-reference may use, with the form of each local part.
CURIE_PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    "MONDO": re.compile(r"^[0-9]{7}$"),
    "DOID": re.compile(r"^[0-9]+$"),
    "MESH": re.compile(r"^[CDQ][0-9]+$"),
    "ICD10CM": re.compile(r"^[A-Z][0-9]{2}(?:\.[0-9A-Z]{1,4})?$"),
    "ICD10WHO": re.compile(r"^[A-Z][0-9]{2}(?:\.[0-9]{1,2})?$"),
    "icd11.foundation": re.compile(r"^[0-9]+$"),
    "CL": re.compile(r"^[0-9]{7}$"),
    "UBERON": re.compile(r"^[0-9]{7}$"),
    "NCIT": re.compile(r"^C[0-9]+$"),
    "CHEBI": re.compile(r"^[0-9]+$"),
    "HGNC": re.compile(r"^[0-9]+$"),
    "PR": re.compile(r"^(?:[0-9]{9}|[A-Z][0-9A-Z]{5,9})$"),
    "GO": re.compile(r"^[0-9]{7}$"),
    "MAXO": re.compile(r"^[0-9]{7}$"),
    "EFO": re.compile(r"^[0-9]{7}$"),
    "HP": re.compile(r"^[0-9]{7}$"),
    "ORPHA": re.compile(r"^[0-9]+$"),
}
DOI_PATTERN: Final = re.compile(r"^10\.[0-9]{4,9}/\S+$")
PMID_PATTERN: Final = re.compile(r"^[1-9][0-9]{0,8}$")
PMCID_PATTERN: Final = re.compile(r"^PMC[0-9]+$")
NCT_PATTERN: Final = re.compile(r"^NCT[0-9]{8}$")
#: A trial registry id: ClinicalTrials.gov, ISRCTN, EudraCT, CTIS, ChiCTR or the Dutch registry (ASCII digits only).
REGISTRY_ID_PATTERN: Final = re.compile(
    r"^(?:NCT[0-9]{8}|ISRCTN[0-9]{8}|EudraCT:[0-9]{4}-[0-9]{6}-[0-9]{2}|CTIS:[0-9]{4}-[0-9]{6}-[0-9]{2}-[0-9]{2}"
    r"|ChiCTR-?[A-Z0-9-]{6,20}|NL-OMON[0-9]{1,8}|NL[0-9]{1,8})$"
)
JURISDICTION_PATTERN: Final = re.compile(r"^[A-Z]{2}$")
URL_PATTERN: Final = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
#: A date as precise as the source gives it: YYYY, YYYY-MM or YYYY-MM-DD.
PARTIAL_DATE_PATTERN: Final = re.compile(r"^[0-9]{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12][0-9]|3[01]))?)?$")
#: Longest text accepted in a single field.
MAX_TEXT_LENGTH: Final = 10_000
EARLIEST_YEAR: Final = 1900
MAX_ID_LENGTH: Final = 100
LATEST_YEAR: Final = 2100
#: Longest dataset version accepted.
MAX_VERSION_LENGTH: Final = 200
#: Characters that reorder the text around them (embeddings, overrides, isolates): a
#: name holding one can display as something else (CVE-2021-42574, "Trojan Source").
BIDI_CONTROLS: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ALLOWED_CONTROLS: Final = frozenset("\t\n")


def unsafe_character(value: str) -> str | None:
    """
    Describe the first character free text may not hold, or return None if there is none.

    Refused: control characters other than tab and newline, lone surrogates, and the
    bidirectional embedding, override and isolate controls.

    Example:
        >>> unsafe_character("Sj\u00f6gren")
        >>> unsafe_character("evil\u202etxt.exe")
        'a bidirectional control character U+202E at position 4'
    """
    if value.isprintable():  # the common case, in C: no control, format or surrogate character
        return None
    for position, char in enumerate(value):
        category = unicodedata.category(char)
        if char in BIDI_CONTROLS:
            kind = "a bidirectional control character"
        elif category == "Cc" and char not in _ALLOWED_CONTROLS:
            kind = "a control character"
        elif category == "Cs":
            kind = "a lone surrogate"
        else:
            continue
        return f"{kind} U+{ord(char):04X} at position {position}"
    return None


def is_visible(value: str) -> bool:
    """Return whether *value* holds a letter, digit, punctuation mark or symbol (not only spaces, marks or invisibles)."""
    return any(unicodedata.category(char)[0] in "LNPS" for char in value)


def version_problem(value: object) -> str | None:
    r"""
    Describe what is wrong with a dataset version, or return None if it is acceptable.

    A version is non-blank printable text of at most :data:`MAX_VERSION_LENGTH` characters.

    Example:
        >>> version_problem("2026.12.0")
        >>> version_problem("1\x07")
        'expected printable text (no control characters), got a control character U+0007 at position 1'
    """
    if not isinstance(value, str) or not value.strip():
        return "expected a non-empty version string"
    if len(value) > MAX_VERSION_LENGTH:
        return f"expected at most {MAX_VERSION_LENGTH} characters, got {len(value)}"
    if not value.isprintable():
        return f"expected printable text (no control characters), got {unsafe_character(value) or 'an invisible character'}"
    return None


def _fail(attribute: attrs.Attribute[Any], value: object, expected: str) -> None:
    raise InvalidValueError(attribute.name, value, expected)


def identifier(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check that *value* is a record identifier such as ``"ahsct-ms"``."""
    if not isinstance(value, str) or not IDENTIFIER_PATTERN.fullmatch(value) or len(value) > MAX_ID_LENGTH:
        _fail(attribute, value, "an identifier (lower-case letters and digits joined by hyphens)")


def identifiers(instance: object, attribute: attrs.Attribute[Any], value: Iterable[object]) -> None:
    """Check that every item of *value* is a record identifier."""
    for item in value:
        identifier(instance, attribute, item)


def text(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check that *value* is non-blank text without surrounding whitespace."""
    if not isinstance(value, str) or not value.strip():
        _fail(attribute, value, "non-empty text")
    elif value != value.strip():
        _fail(attribute, value, "text without leading or trailing whitespace")
    elif len(value) > MAX_TEXT_LENGTH:
        _fail(attribute, value, f"text of at most {MAX_TEXT_LENGTH} characters")
    elif (unsafe := unsafe_character(value)) is not None:
        _fail(attribute, value, f"text without control characters (found {unsafe})")
    elif not value.isascii() and not is_visible(value):
        # ASCII text that is not blank and holds no control character holds a visible character.
        _fail(attribute, value, "text with at least one visible character")


def optional_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check that *value* is None or valid text."""
    if value is not None:
        text(instance, attribute, value)


def texts(instance: object, attribute: attrs.Attribute[Any], value: Iterable[object]) -> None:
    """Check that every item of *value* is valid text."""
    for item in value:
        text(instance, attribute, item)


def is_curie(value: object) -> bool:
    """Return whether *value* is a CURIE with a known prefix and a well-formed local part."""
    if not isinstance(value, str):
        return False
    prefix, sep, local = value.partition(":")
    pattern = CURIE_PATTERNS.get(prefix)
    return bool(sep) and pattern is not None and pattern.fullmatch(local) is not None


def curies(_instance: object, attribute: attrs.Attribute[Any], value: Iterable[object]) -> None:
    """Check that every item of *value* is a CURIE with a known prefix."""
    for item in value:
        if not is_curie(item):
            known = ", ".join(CURIE_PATTERNS)
            _fail(attribute, item, f"a CURIE PREFIX:LOCAL with a known prefix ({known}) and a well-formed local id")


def matches(pattern: re.Pattern[str], expected: str) -> Any:
    """Build a validator that checks an optional string against *pattern*."""

    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None and (
            not isinstance(value, str)
            or len(value) > MAX_TEXT_LENGTH
            or not value.isprintable()  # no control, format (bidi, zero-width), space or surrogate character
            or not pattern.fullmatch(value)
        ):
            _fail(attribute, value, expected)

    check.pattern = pattern  # type: ignore[attr-defined]  # read by the JSON Schema generator
    return check


def each_matches(pattern: re.Pattern[str], expected: str) -> Any:
    """Build a validator that checks every string of a collection against *pattern*."""
    single = matches(pattern, expected)

    def check(instance: object, attribute: attrs.Attribute[Any], value: Iterable[object]) -> None:
        for item in value:
            single(instance, attribute, item)

    check.pattern = pattern  # type: ignore[attr-defined]  # read by the JSON Schema generator
    return check


def year(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check that an optional year is a plausible publication year."""
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not EARLIEST_YEAR <= value <= LATEST_YEAR
    ):
        _fail(attribute, value, f"a year from {EARLIEST_YEAR} to {LATEST_YEAR}")


def finite(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check that an optional number is finite (no NaN or infinity)."""
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
    ):
        _fail(attribute, value, "a finite number")


def positive_count(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check that an optional count is a positive integer."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        _fail(attribute, value, "a positive whole number")


def not_empty(_instance: object, attribute: attrs.Attribute[Any], value: tuple[object, ...]) -> None:
    """Check that a collection has at least one item."""
    if len(value) == 0:
        _fail(attribute, [], "a non-empty list")


def unique_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """Convert *value* to a tuple, keeping the first of repeated items in order."""
    return tuple(dict.fromkeys(as_tuple(value)))


def sorted_unique(value: Iterable[Any]) -> tuple[Any, ...]:
    """Convert *value* to a sorted tuple without repeats (left unsorted if items do not compare)."""
    items = unique_tuple(value)
    try:
        return tuple(sorted(items))
    except TypeError:
        return items  # mixed or unorderable items: the field's validator reports them


def as_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """Convert *value* to a tuple, refusing a lone string (which would become its characters)."""
    if isinstance(value, str):  # a lone string would otherwise become its characters
        raise InvalidValueError(None, value, "a list of items (got a single string)")
    return tuple(value)


def jurisdiction(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check that a value is a jurisdiction code of the vocabulary (ISO 3166-1 alpha-2, or EU), as written in data."""
    if not isinstance(value, str) or value not in JURISDICTIONS:
        suggestion = suggest_jurisdiction(value) if isinstance(value, str) and len(value) <= MAX_SHOWN_NAME else None
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        _fail(attribute, value, f"a jurisdiction code: ISO 3166-1 alpha-2 in capitals, or EU{hint}")


jurisdiction.pattern = JURISDICTION_PATTERN  # type: ignore[attr-defined]  # read by the JSON Schema generator


def jurisdictions(instance: object, attribute: attrs.Attribute[Any], value: Iterable[object]) -> None:
    """Check that every item of *value* is a jurisdiction code of the vocabulary."""
    for item in value:
        jurisdiction(instance, attribute, item)


jurisdictions.pattern = JURISDICTION_PATTERN  # type: ignore[attr-defined]  # read by the JSON Schema generator


def partial_date(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Check that an optional value is a :class:`~stemimmune.PartialDate` (text was parsed by the converter)."""
    if value is not None and not isinstance(value, PartialDate):
        _fail(attribute, value, PARTIAL_DATE_FORM)


partial_date.pattern = PARTIAL_DATE_PATTERN  # type: ignore[attr-defined]  # read by the JSON Schema generator
#: Longest text looked up for a did-you-mean jurisdiction.
MAX_SHOWN_NAME: Final = 80
