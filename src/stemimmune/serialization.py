"""
JSON in and out: the one cattrs converter of stemimmune, and the dataset file format.

A dataset document is a JSON object with a ``dataset_version`` string and one list per
record kind, named as the :class:`~stemimmune.KnowledgeBase` attributes
(``references``, ``disorders``, ``therapies``, ...). A dataset may be one document or
a folder of documents whose lists are concatenated in file-name order.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, is_sequence
from cattrs.errors import IterableValidationNote
from cattrs.preconf.json import JsonConverter
from cattrs.preconf.json import make_converter as _make_json_converter

from . import vocabulary
from ._validators import InvalidValueError, shorten
from .exceptions import DatasetError, Problem
from .model import RECORD_TYPES


T = TypeVar("T")

#: Top-level key holding the dataset's version in a document.
VERSION_KEY: Final = "dataset_version"


def _strict_str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise InvalidValueError(None, value, "a string")
    return value


def _strict_int(value: object, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValueError(None, value, "a whole number")
    return value


def _strict_float(value: object, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValueError(None, value, "a number")
    return float(value)


def _strict_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise InvalidValueError(None, value, "true or false")
    return value


def _enum_hook(kind: type[enum.Enum]) -> Callable[[object, type], enum.Enum]:
    by_value = {member.value: member for member in kind}
    valid = ", ".join(repr(v) for v in by_value)

    def structure(value: object, _: type) -> enum.Enum:
        try:
            return by_value[value]
        except (KeyError, TypeError):
            raise InvalidValueError(None, value, f"a {kind.__name__}, one of: {valid}") from None

    return structure


def make_converter(*, detailed: bool = True) -> JsonConverter:
    """
    Build the converter used for all stemimmune JSON.

    Unknown keys are errors, primitive types are checked rather than coerced (``"5"``
    is not a number, a string is not a list), enums accept only their values, and
    fields left at their defaults are omitted on output.

    Args:
        detailed: Collect every error with its path (slower); without it the first
            error stops structuring.
    """
    converter = _make_json_converter(forbid_extra_keys=True, omit_if_default=True, detailed_validation=detailed)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook(float, _strict_float)
    converter.register_structure_hook(bool, _strict_bool)
    # The str hook would also catch string enums (they subclass str), so each
    # vocabulary gets its own, more specific hook.
    for kind in vars(vocabulary).values():
        if isinstance(kind, type) and issubclass(kind, enum.Enum) and kind.__module__ == vocabulary.__name__:
            converter.register_structure_hook(kind, _enum_hook(kind))

    def sequence_factory(type_: Any, conv: cattrs.Converter) -> Callable[[object, Any], Any]:
        inner = homogenous_tuple_structure_factory(type_, conv)

        def structure(value: object, target: Any) -> Any:
            if not isinstance(value, list | tuple):
                raise InvalidValueError(None, value, "a list")
            return inner(value, target)

        return structure

    converter.register_structure_hook_factory(is_sequence, sequence_factory)
    return converter


#: The converter for all stemimmune JSON; it reports every problem with its path.
CONVERTER: Final = make_converter()
#: The same rules without collecting errors: tried first, so valid data loads fast and
#: the detailed converter runs only to explain a failure.
_FAST_CONVERTER: Final = make_converter(detailed=False)


def problems_from(exc: BaseException, path: str, document: Mapping[str, Any]) -> list[Problem]:
    """
    Turn a structuring error into problems, each with its JSON path and record id.

    Walks cattrs' exception groups (as :func:`cattrs.transform_error` does) so that each
    problem keeps the offending value and the expectation as data.
    """
    problems: list[Problem] = []

    def walk(error: BaseException, where: str) -> None:
        if isinstance(error, cattrs.IterableValidationError | cattrs.ClassValidationError):
            with_notes, without = error.group_exceptions()
            for inner, note in with_notes:  # a list index note, or a field name note
                step = f"[{note.index!r}]" if isinstance(note, IterableValidationNote) else f".{note.name}"
                walk(inner, where + step)
            for inner in without:
                walk(inner, where)
        else:
            problems.append(_leaf_problem(error, where, document))

    walk(exc, path)
    return problems


def _leaf_problem(error: BaseException, where: str, document: Mapping[str, Any]) -> Problem:
    record_id = None
    if match := _INDEX.match(where):
        records = document.get(match[1])
        index = int(match[2])
        if isinstance(records, list) and index < len(records) and isinstance(records[index], dict):
            found = records[index].get("id")
            record_id = found if isinstance(found, str) else None
    if isinstance(error, InvalidValueError):
        location = f"{where}.{error.field}" if error.field and not where.endswith(f".{error.field}") else where
        return Problem(
            location=location, message=str(error), record_id=record_id, value=error.value, expected=error.expected
        )
    if isinstance(error, KeyError):
        return Problem(location=where, message="required field missing", record_id=record_id, expected="a value")
    if isinstance(error, cattrs.ForbiddenExtraKeysError):
        extra = ", ".join(sorted(error.extra_fields))
        return Problem(
            location=where,
            message=f"unknown field(s) {extra}",
            record_id=record_id,
            value=shorten(sorted(error.extra_fields)),
            expected="only the fields the format documents",
        )
    text = str(error.args[0]) if error.args and isinstance(error.args[0], str) else repr(error)
    return Problem(location=where, message=text, record_id=record_id)


_INDEX: Final = re.compile(r"^\$\.(\w+)\[(\d+)\]")


def structure_document(document: object, *, source: str = "") -> tuple[str | None, dict[str, tuple[Any, ...]]]:
    """
    Turn one parsed dataset document into its version and record tuples.

    Args:
        document: The parsed JSON value.
        source: Name of the file it came from, prefixed to problem locations.

    Returns:
        The document's ``dataset_version`` (None if absent) and, for each record kind
        present, the tuple of records.

    Raises:
        DatasetError: Every problem found in the document.
    """
    prefix = f"{source}: " if source else ""
    if not isinstance(document, dict):
        raise DatasetError(
            [Problem(location=f"{prefix}$", message=f"expected a JSON object, got {type(document).__name__}")]
        )
    problems: list[Problem] = []
    allowed = {VERSION_KEY, *RECORD_TYPES}
    problems.extend(
        Problem(location=f"{prefix}$.{key}", message=f"unknown key; expected one of: {', '.join(sorted(allowed))}")
        for key in sorted(set(document) - allowed, key=str)
    )
    version = document.get(VERSION_KEY)
    if version is not None and (not isinstance(version, str) or not version.strip()):
        problems.append(Problem(location=f"{prefix}$.{VERSION_KEY}", message="expected a non-empty version string"))
        version = None
    records: dict[str, tuple[Any, ...]] = {}
    for kind, cls in RECORD_TYPES.items():
        if kind not in document:
            continue
        target = tuple[cls, ...]  # type: ignore[valid-type]
        try:
            records[kind] = _FAST_CONVERTER.structure(document[kind], target)
        except Exception:  # noqa: BLE001 - the detailed converter explains any failure
            problems.extend(_explain(document, kind, target, prefix))
    if problems:
        raise DatasetError(problems)
    return version, records


def _explain(document: Mapping[str, Any], kind: str, target: Any, prefix: str) -> list[Problem]:
    """Structure one collection again with the detailed converter, returning every problem it finds."""
    try:
        CONVERTER.structure(document[kind], target)
    except (cattrs.BaseValidationError, InvalidValueError) as exc:
        return [attrs.evolve(p, location=prefix + p.location) for p in problems_from(exc, f"$.{kind}", document)]
    except (TypeError, ValueError, RecursionError) as exc:
        return [Problem(location=f"{prefix}$.{kind}", message=str(exc) or type(exc).__name__)]
    # Only reachable if the two converters disagree, which tests rule out; never accept silently.
    return [Problem(location=f"{prefix}$.{kind}", message="could not be read", expected="valid records")]


def unstructure_records(records: Mapping[str, tuple[Any, ...]], version: str) -> dict[str, Any]:
    """Build the JSON-ready document for *records* (collections in canonical order)."""
    document: dict[str, Any] = {VERSION_KEY: version}
    for kind, cls in RECORD_TYPES.items():
        document[kind] = CONVERTER.unstructure(records.get(kind, ()), tuple[cls, ...])  # type: ignore[valid-type]
    return document


def canonical_document(text: str, *, source: str = "") -> str:
    """
    Return the canonical form of one dataset document's JSON text, after validating it.

    Raises:
        DatasetError: The document is not valid JSON or holds invalid records.
    """
    try:
        parsed = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise DatasetError([Problem(location=source or "$", message=f"not valid JSON: {exc}")]) from None
    version, records = structure_document(parsed, source=source)
    document: dict[str, Any] = {} if version is None else {VERSION_KEY: version}
    for kind, items in records.items():
        document[kind] = CONVERTER.unstructure(items, tuple[RECORD_TYPES[kind], ...])  # type: ignore[valid-type]
    return dumps(document)


def dumps(document: object) -> str:
    """Serialise a JSON-ready value in canonical form: sorted keys, two-space indent, newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_json(obj: object) -> str:
    """
    Serialise any model record (or tuple of records) to canonical JSON text.

    Example:
        >>> from stemimmune.model import Citation
        >>> print(to_json(Citation(reference_id="burt2019-mist")), end="")
        {
          "reference_id": "burt2019-mist"
        }
    """
    return dumps(CONVERTER.unstructure(obj))


def from_json(text: str, cls: type[T]) -> T:
    """
    Parse JSON text into an instance of *cls*, with the same checks as loading.

    Raises:
        DatasetError: The text is not JSON, or does not describe a valid *cls*.

    Example:
        >>> from stemimmune.model import Citation
        >>> from_json('{"reference_id": "burt2019-mist"}', Citation)
        Citation(reference_id='burt2019-mist', locator=None)
    """
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise DatasetError([Problem(location="$", message=f"not valid JSON: {exc}")]) from None
    try:
        return CONVERTER.structure(value, cls)
    except (cattrs.BaseValidationError, InvalidValueError) as exc:
        raise DatasetError(problems_from(exc, "$", {})) from None
    except (TypeError, ValueError) as exc:
        raise DatasetError([Problem(location="$", message=str(exc))]) from None
