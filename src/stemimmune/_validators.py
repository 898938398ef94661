"""Small reusable field validators and converters for the model classes."""

from __future__ import annotations

import abc
import enum
import math
import operator
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, Final

import attrs

from ._dates import PARTIAL_DATE_FORM, PartialDate
from ._text import with_article
from .exceptions import InvalidValueError, argument_type_error
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
#: A trial registry id (ASCII digits only): ClinicalTrials.gov, ISRCTN, EudraCT, CTIS, ChiCTR, the Dutch
#: registry, ANZCTR (``ACTRN``), the Iranian (``IRCT``), Indian (``CTRI/``), Japanese (``jRCT``), German
#: (``DRKS``) and Korean (``KCT``) registries.
REGISTRY_ID_PATTERN: Final = re.compile(
    r"^(?:NCT[0-9]{8}|ISRCTN[0-9]{8}|EudraCT:[0-9]{4}-[0-9]{6}-[0-9]{2}|CTIS:[0-9]{4}-[0-9]{6}-[0-9]{2}-[0-9]{2}"
    r"|ChiCTR-?[A-Z0-9-]{6,20}|NL-OMON[0-9]{1,8}|NL[0-9]{1,8}"
    r"|ACTRN[0-9]{14}|IRCT[0-9]{8,20}N[0-9]{1,4}|CTRI/[0-9]{4}/[0-9]{2,3}/[0-9]{6}|jRCT[a-z]?[0-9]{6,10}"
    r"|DRKS[0-9]{8}|KCT[0-9]{7})$"
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
#: Largest count accepted (patients, arms, enrolment): below 10**9, so every count fits
#: the 64-bit integers of Parquet, pandas and SQL engines.
MAX_COUNT: Final = 999_999_999
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


# ------------------------------------------------------------------ regular expressions both Python and JSON Schema read

#: Whitespace as ``str.strip()`` sees it (``str.isspace()``), as the body of a character class.
SPACE_CLASS: Final = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: The characters :func:`unsafe_character` reports (controls but tab and newline, bidi controls, surrogates).
UNSAFE_CLASS: Final = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
#: The assigned characters of the Basic Multilingual Plane that ``str.isprintable()`` refuses (Unicode 14):
#: controls, format characters, separators but the space, surrogates and private use.
NONPRINTABLE_CLASS: Final = (
    r"\x00-\x1f\x7f-\xa0\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u1680\u180e\u2000-\u200f"
    r"\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ud800-\uf8ff\ufeff\ufff9-\ufffb"
)


def whole(body: str) -> str:
    r"""
    Anchor a regular expression to the whole string, in a form Python's ``re.search`` and ECMA-262 read alike.

    Python's ``$`` also matches before a final newline; the lookahead after it refuses that.

    Example:
        >>> import re
        >>> pattern = whole("[a-z]+")
        >>> bool(re.search(pattern, "abc")), bool(re.search(pattern, "abc\n"))
        (True, False)
    """
    return f"^(?:{body})$(?!\\n)"


#: Text as :class:`Text` accepts it, but for its length and the visible-character rule.
TEXT_PATTERN: Final = whole(f"[^{SPACE_CLASS}{UNSAFE_CLASS}](?:[^{UNSAFE_CLASS}]*[^{SPACE_CLASS}{UNSAFE_CLASS}])?")


def _merge(schema: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Combine two sets of JSON Schema keywords that one value must both satisfy."""
    merged = dict(schema)
    for key, value in extra.items():
        if key not in merged or merged[key] == value:
            merged[key] = value
        elif isinstance(value, dict) and isinstance(merged[key], dict):
            merged[key] = _merge(merged[key], value)
        else:
            msg = f"conflicting JSON Schema keyword {key!r}: {merged[key]!r} and {value!r}"
            raise TypeError(msg)
    return merged


def merge_schemas(*schemas: dict[str, Any]) -> dict[str, Any]:
    """
    Combine the JSON Schema keywords of several checks of one value.

    Example:
        >>> merge_schemas({"type": "array"}, {"minItems": 1}, {"items": {"type": "string"}})
        {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}}
    """
    merged: dict[str, Any] = {}
    for schema in schemas:
        merged = _merge(merged, schema)
    return merged


# ------------------------------------------------------------------ checks


class Check(abc.ABC):
    """
    A field validator that keeps its parameters and says what it accepts as JSON Schema.

    Like attrs' validators, a check is called as ``check(instance, attribute, value)``
    and raises when the value is refused. :meth:`json_schema` gives the keywords a
    value it accepts satisfies (for a value that may be None, the keywords of the
    non-null value: whether null is allowed is the field's type's business).
    """

    __slots__ = ()

    @abc.abstractmethod
    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        """Raise the library's error when *value* is refused."""

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema keywords of the values this check accepts."""
        return {}

    def rules(self) -> tuple[str, ...]:
        """The rules of this check that JSON Schema cannot state (rules over other fields), in words."""
        return ()


@attrs.frozen
class Identifier(Check):
    """A record identifier such as ``"ahsct-ms"``: lower-case words joined by single hyphens."""

    def __call__(self, _instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str) or not IDENTIFIER_PATTERN.fullmatch(value) or len(value) > MAX_ID_LENGTH:
            _fail(attribute, value, "an identifier (lower-case letters and digits joined by hyphens)")

    def json_schema(self) -> dict[str, Any]:
        body = IDENTIFIER_PATTERN.pattern.removeprefix("^").removesuffix("$")
        return {"type": "string", "pattern": whole(body), "maxLength": MAX_ID_LENGTH}


@attrs.frozen
class Text(Check):
    """Non-blank text without surrounding whitespace, control characters or bidi controls, of bounded length."""

    max_length: int = MAX_TEXT_LENGTH

    def __call__(self, _instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str) or not value.strip():
            _fail(attribute, value, "non-empty text")
        elif value != value.strip():
            _fail(attribute, value, "text without leading or trailing whitespace")
        elif len(value) > self.max_length:
            _fail(attribute, value, f"text of at most {self.max_length} characters")
        elif (unsafe := unsafe_character(value)) is not None:
            _fail(attribute, value, f"text without control characters (found {unsafe})")
        elif not value.isascii() and not is_visible(value):
            # ASCII text that is not blank and holds no control character holds a visible character.
            _fail(attribute, value, "text with at least one visible character")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": TEXT_PATTERN, "maxLength": self.max_length}


@attrs.frozen
class Matches(Check):
    """Printable text of bounded length that matches a regular expression as a whole."""

    pattern: re.Pattern[str]
    expected: str

    def __call__(self, _instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and (
            not isinstance(value, str)
            or len(value) > MAX_TEXT_LENGTH
            or not value.isprintable()  # no control, format (bidi, zero-width), space or surrogate character
            or not self.pattern.fullmatch(value)
        ):
            _fail(attribute, value, self.expected)

    def json_schema(self) -> dict[str, Any]:
        body = self.pattern.pattern.removeprefix("^").removesuffix("$")
        return {
            "type": "string",
            "pattern": whole(f"(?![\\s\\S]*[{NONPRINTABLE_CLASS}])(?:{body})"),
            "maxLength": MAX_TEXT_LENGTH,
        }


def is_curie(value: object) -> bool:
    """Return whether *value* is a CURIE with a known prefix and a well-formed local part."""
    if not isinstance(value, str):
        return False
    prefix, sep, local = value.partition(":")
    pattern = CURIE_PATTERNS.get(prefix)
    return bool(sep) and pattern is not None and pattern.fullmatch(local) is not None


@attrs.frozen
class Curie(Check):
    """A CURIE ``PREFIX:LOCAL`` with a known prefix (:data:`CURIE_PATTERNS`) and a well-formed local id."""

    def __call__(self, _instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not is_curie(value):
            known = ", ".join(CURIE_PATTERNS)
            _fail(attribute, value, f"a CURIE PREFIX:LOCAL with a known prefix ({known}) and a well-formed local id")

    def json_schema(self) -> dict[str, Any]:
        alternatives = "|".join(
            f"{re.escape(prefix)}:(?:{pattern.pattern.removeprefix('^').removesuffix('$')})"
            for prefix, pattern in CURIE_PATTERNS.items()
        )
        return {"type": "string", "pattern": whole(alternatives)}


@attrs.frozen
class Year(Check):
    """A plausible publication year, from :data:`EARLIEST_YEAR` to :data:`LATEST_YEAR` (None passes)."""

    def __call__(self, _instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not EARLIEST_YEAR <= value <= LATEST_YEAR
        ):
            _fail(attribute, value, f"a year from {EARLIEST_YEAR} to {LATEST_YEAR}")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": EARLIEST_YEAR, "maximum": LATEST_YEAR}


@attrs.frozen
class Finite(Check):
    """A finite number: no NaN or infinity (None passes). JSON has neither, so the schema adds nothing."""

    def __call__(self, _instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
        ):
            _fail(attribute, value, "a finite number")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "number"}


@attrs.frozen
class PositiveCount(Check):
    """A whole number from 1 to :data:`MAX_COUNT` (None passes), so every loaded count exports."""

    def __call__(self, _instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_COUNT):
            _fail(attribute, value, f"a whole number from 1 to {MAX_COUNT:,}")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": 1, "maximum": MAX_COUNT}


_BOUND_KEYWORDS: Final = {">=": "minimum", "<=": "maximum", ">": "exclusiveMinimum", "<": "exclusiveMaximum"}
_COMPARE: Final[dict[str, Any]] = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}


@attrs.frozen
class Bound(Check):
    """A number on one side of a bound (None passes); refused with :class:`~stemimmune.InvalidValueError`."""

    compare_op: str = attrs.field(validator=attrs.validators.in_(tuple(_BOUND_KEYWORDS)))
    bound: float

    def __call__(self, _instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and not _COMPARE[self.compare_op](value, self.bound):
            raise InvalidValueError(attribute.name, value, f"a number {self.compare_op} {self.bound:g}")

    def json_schema(self) -> dict[str, Any]:
        return {_BOUND_KEYWORDS[self.compare_op]: self.bound}


@attrs.frozen
class NotEmpty(Check):
    """A collection with at least one item."""

    def __call__(self, _instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if len(value) == 0:
            _fail(attribute, [], "a non-empty list")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "array", "minItems": 1}


@attrs.frozen
class MemberOf(Check):
    """A member of a vocabulary (an enum); refused naming the valid values."""

    kind: type[enum.Enum]

    def __call__(self, _instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, self.kind):
            valid = ", ".join(repr(m.value) for m in self.kind)
            raise InvalidValueError(attribute.name, value, f"{with_article(self.kind.__name__)}, one of: {valid}")

    def json_schema(self) -> dict[str, Any]:
        return {"enum": [m.value for m in self.kind]}


@attrs.frozen
class InstanceOf(Check):
    """An instance of a class (a record class nested in a record, or bool), checked as attrs' ``instance_of``."""

    type: type

    def __call__(self, _instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, self.type):
            raise argument_type_error(attribute.name, with_article(self.type.__name__), value)

    def json_schema(self) -> dict[str, Any]:
        if self.type is bool:
            return {"type": "boolean"}
        if attrs.has(self.type):
            return {"$ref": f"#/$defs/{self.type.__name__}"}
        if issubclass(self.type, enum.Enum):
            return {"enum": [m.value for m in self.type]}
        msg = f"no JSON Schema for instances of {self.type!r}"
        raise TypeError(msg)


@attrs.frozen
class Each(Check):
    """Every item of a collection passes *item*."""

    item: Check

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        for member in value:
            self.item(instance, attribute, member)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": self.item.json_schema()}

    def rules(self) -> tuple[str, ...]:
        return self.item.rules()


@attrs.frozen
class Optional(Check):
    """None, or a value that passes *inner*."""

    inner: Check

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            self.inner(instance, attribute, value)

    def json_schema(self) -> dict[str, Any]:
        return self.inner.json_schema()

    def rules(self) -> tuple[str, ...]:
        return self.inner.rules()


@attrs.frozen
class AllOf(Check):
    """A value that passes every one of *checks*, run in order."""

    checks: tuple[Check, ...]

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        for check in self.checks:
            check(instance, attribute, value)

    def json_schema(self) -> dict[str, Any]:
        return merge_schemas(*(check.json_schema() for check in self.checks))

    def rules(self) -> tuple[str, ...]:
        return tuple(rule for check in self.checks for rule in check.rules())


@attrs.frozen
class Rule(Check):
    """
    A rule over other fields of the record, run by the record's method *method* (named, as it is defined later).

    JSON Schema cannot state it, so :meth:`json_schema` adds nothing and :meth:`rules` says it in words.
    """

    method: str
    description: str

    def __call__(self, instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        getattr(instance, self.method)(attribute, value)

    def rules(self) -> tuple[str, ...]:
        return (self.description,)


def all_of(*checks: Check) -> Check:
    """One check that runs *checks* in order (the check itself when there is one)."""
    return checks[0] if len(checks) == 1 else AllOf(checks)


identifier: Final = Identifier()
identifiers: Final = Each(identifier)
text: Final = Text()
optional_text: Final = Optional(text)
texts: Final = Each(text)
curies: Final = Each(Curie())
year: Final = Year()
finite: Final = Finite()
positive_count: Final = PositiveCount()
not_empty: Final = NotEmpty()


def matches(pattern: re.Pattern[str], expected: str) -> Check:
    """A check of an optional string against *pattern*."""
    return Matches(pattern, expected)


def each_matches(pattern: re.Pattern[str], expected: str) -> Check:
    """A check of every string of a collection against *pattern*."""
    return Each(Matches(pattern, expected))


def between(low: float, high: float, *, inclusive: bool = True) -> Check:
    """A check of an optional number from *low* to *high* (excluding both ends unless *inclusive*)."""
    if inclusive:
        return AllOf((Bound(">=", low), Bound("<=", high)))
    return AllOf((Bound(">", low), Bound("<", high)))


def member_of(kind: type[enum.Enum]) -> Check:
    """A check that the value is a member of the vocabulary *kind*."""
    return MemberOf(kind)


def instance_of(kind: type) -> Check:
    """A check that the value is an instance of *kind*."""
    return InstanceOf(kind)


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


#: Longest text looked up for a did-you-mean jurisdiction.
MAX_SHOWN_NAME: Final = 80


@attrs.frozen
class Jurisdiction(Check):
    """A jurisdiction code of the vocabulary (ISO 3166-1 alpha-2 in capitals, or EU), as written in data."""

    def __call__(self, _instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str) or value not in JURISDICTIONS:
            suggestion = (
                suggest_jurisdiction(value) if isinstance(value, str) and len(value) <= MAX_SHOWN_NAME else None
            )
            hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
            _fail(attribute, value, f"a jurisdiction code: ISO 3166-1 alpha-2 in capitals, or EU{hint}")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": sorted(JURISDICTIONS)}


@attrs.frozen
class IsPartialDate(Check):
    """An optional :class:`~stemimmune.PartialDate` (its converter parsed the text: real calendar days only)."""

    def __call__(self, _instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and not isinstance(value, PartialDate):
            _fail(attribute, value, PARTIAL_DATE_FORM)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": whole(PARTIAL_DATE_PATTERN.pattern.removeprefix("^").removesuffix("$"))}

    def rules(self) -> tuple[str, ...]:
        return ("a date names a real calendar day (2023-02-31 is refused)",)


jurisdiction: Final = Jurisdiction()
jurisdictions: Final = Each(jurisdiction)
partial_date: Final = IsPartialDate()
