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
import types
import typing
from collections.abc import Callable, Mapping
from types import NoneType
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, is_sequence
from cattrs.errors import IterableValidationNote
from cattrs.preconf.json import JsonConverter
from cattrs.preconf.json import make_converter as _make_json_converter

from . import vocabulary
from ._dates import PARTIAL_DATE_FORM, PartialDate
from ._io import encode_text, parse_json
from ._validators import version_problem
from .exceptions import MAX_PROBLEMS, DatasetError, InvalidValueError, Problem, a, clip, listing, shorten
from .model import RECORD_TYPES, CollectionName


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
    try:
        return float(value)
    except OverflowError:  # an integer of hundreds of digits
        raise InvalidValueError(None, value, "a number of ordinary size (at most about 1.8e308)") from None


def _strict_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise InvalidValueError(None, value, "true or false")
    return value


def _partial_date(value: object, _: type) -> PartialDate:
    """A date field: ISO text YYYY, YYYY-MM or YYYY-MM-DD naming a real year, month or day."""
    if not isinstance(value, str):
        raise InvalidValueError(None, value, PARTIAL_DATE_FORM)
    try:
        return PartialDate.parse(value)
    except ValueError:
        raise InvalidValueError(None, value, PARTIAL_DATE_FORM) from None


def _enum_hook(kind: type[enum.Enum]) -> Callable[[object, type], enum.Enum]:
    by_value = {member.value: member for member in kind}
    valid = ", ".join(repr(v) for v in by_value)

    def structure(value: object, _: type) -> enum.Enum:
        try:
            return by_value[value]
        except (KeyError, TypeError):
            raise InvalidValueError(None, value, f"{a(kind.__name__)}, one of: {valid}") from None

    return structure


def _is_optional(type_: Any) -> bool:
    """Whether *type_* is ``X | None`` for one type X."""
    arguments = typing.get_args(type_)
    others = [argument for argument in arguments if argument is not NoneType]
    return typing.get_origin(type_) in {typing.Union, types.UnionType} and len(others) == 1 and NoneType in arguments


def _make_converter() -> JsonConverter:
    """
    Build the converter used for all stemimmune JSON.

    Unknown keys are errors, primitive types are checked rather than coerced (``"5"``
    is not a number, a string is not a list), enums accept only their values, every
    problem is collected with its path, and fields left at their defaults are omitted
    on output.
    """
    converter = _make_json_converter(forbid_extra_keys=True, omit_if_default=True, detailed_validation=True)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook(float, _strict_float)
    converter.register_structure_hook(bool, _strict_bool)
    converter.register_structure_hook(PartialDate, _partial_date)
    converter.register_unstructure_hook(PartialDate, str)
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

    def optional_factory(type_: Any, conv: cattrs.Converter) -> Callable[[object, Any], Any]:
        inner_type = next(arg for arg in typing.get_args(type_) if arg is not NoneType)
        inner = conv.get_structure_hook(inner_type)  # found once, not looked up on every value

        def structure(value: object, _: Any) -> Any:
            return None if value is None else inner(value, inner_type)

        return structure

    converter.register_structure_hook_factory(_is_optional, optional_factory)

    def record_factory(type_: Any, conv: cattrs.Converter) -> Callable[[object, Any], Any]:
        inner = conv.gen_structure_attrs_fromdict(type_)
        expected = f"a JSON object ({a(type_.__name__)})"

        def structure(value: object, target: Any) -> Any:
            if not isinstance(value, dict):  # cattrs would fail with a message about Python internals
                raise InvalidValueError(None, value, expected)
            return inner(value, target)

        return structure

    converter.register_structure_hook_factory(attrs.has, record_factory)
    return converter


_CONVERTER: Final = _make_converter()


def unstructure(value: object) -> Any:
    """
    Turn a record (or a tuple of records) into JSON-ready values: dicts, lists, strings, numbers.

    Example:
        >>> from stemimmune.model import Citation
        >>> unstructure(Citation(reference_id="burt2019-mist", locator="Abstract"))
        {'reference_id': 'burt2019-mist', 'locator': 'Abstract'}
    """
    return _CONVERTER.unstructure(value)


def _problems_from(
    exc: BaseException,
    *,
    collection: str | None,
    document: Mapping[str, Any],
    file: str | None,
    steps: tuple[int | str, ...] = (),
) -> list[Problem]:
    """
    Turn a structuring error into problems, each located by collection, index and field.

    Walks cattrs' exception groups (as :func:`cattrs.transform_error` does) so that each
    problem keeps its location, the offending value and the expectation as data.
    """
    problems: list[Problem] = []

    def walk(error: BaseException, steps: tuple[int | str, ...]) -> None:
        if isinstance(error, cattrs.IterableValidationError | cattrs.ClassValidationError):
            with_notes, without = error.group_exceptions()
            for inner, note in with_notes:  # a list index note, or a field name note
                walk(inner, (*steps, note.index if isinstance(note, IterableValidationNote) else note.name))
            for inner in without:
                walk(inner, steps)
        else:
            problems.append(_leaf_problem(error, steps, collection=collection, document=document, file=file))

    walk(exc, steps)
    return problems


def _leaf_problem(
    error: BaseException,
    steps: tuple[int | str, ...],
    *,
    collection: str | None,
    document: Mapping[str, Any],
    file: str | None,
) -> Problem:
    index: int | None = None
    if collection is not None and steps and isinstance(steps[0], int):
        index, steps = steps[0], steps[1:]
    if isinstance(error, InvalidValueError) and error.field and (not steps or steps[-1] != error.field):
        steps = (*steps, error.field)
    field = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in steps).lstrip(".") or None
    record_id = None
    if index is not None and collection is not None:
        records = document.get(collection)
        if isinstance(records, list) and isinstance(records[index], dict):
            found = records[index].get("id")
            record_id = found if isinstance(found, str) else None
    message, value, expected = _describe(error)
    return Problem(
        file=file,
        collection=collection,
        index=index,
        field=field,
        record_id=record_id,
        message=message,
        value=value,
        expected=expected,
    )


def _describe(error: BaseException) -> tuple[str, str | None, str | None]:
    """The message, offending value and expectation of one structuring error."""
    if isinstance(error, InvalidValueError):
        return str(error), error.value, error.expected
    if isinstance(error, KeyError):
        return "required field missing", None, "a value"
    if isinstance(error, cattrs.ForbiddenExtraKeysError):
        names = sorted(error.extra_fields)
        extra = listing(shorten(name) for name in names)
        return f"unknown field(s) {extra}", shorten(names), "only the fields the format documents"
    if type(error) is ValueError and error.args and isinstance(error.args[0], str):
        return clip(error.args[0], 1_000), None, None  # a model rule's own message, written for people
    return "invalid value", None, None  # never echo Python's internals ("'int' object is not iterable")


def structure_document(
    document: object, *, file: str | None = None
) -> tuple[str | None, dict[CollectionName, tuple[Any, ...]]]:
    """
    Turn one parsed dataset document into its version and record tuples.

    Args:
        document: The parsed JSON value.
        file: Name of the file it came from, given to each problem.

    Returns:
        The document's ``dataset_version`` (None if absent) and, for each record kind
        present, the tuple of records.

    Raises:
        DatasetError: Every problem found in the document.
    """
    if not isinstance(document, dict):
        raise DatasetError([Problem(file=file, message=f"expected a JSON object, got {_json_type(document)}")])
    problems: list[Problem] = []
    allowed = {VERSION_KEY, *RECORD_TYPES}
    problems.extend(
        Problem(
            file=file,
            collection=str(key),
            message="unknown key",
            expected=f"one of: {', '.join(sorted(allowed))}",
        )
        for key in sorted(set(document) - allowed, key=str)
    )
    version = document.get(VERSION_KEY)
    if version is not None and (wrong := version_problem(version)) is not None:
        problems.append(Problem(file=file, collection=VERSION_KEY, message=wrong, value=shorten(version)))
        version = None
    records: dict[CollectionName, tuple[Any, ...]] = {}
    for kind, cls in RECORD_TYPES.items():
        if kind not in document:
            continue
        items = document[kind]
        if not isinstance(items, list):
            problems.append(
                Problem(
                    file=file,
                    collection=kind,
                    message=f"{shorten(items)} is not a list",
                    value=shorten(items),
                    expected=f"a list of records ({a(cls.__name__)} each)",
                )
            )
            continue
        structured: list[Any] = []
        for index, item in enumerate(items):  # one record at a time, to stop after MAX_PROBLEMS
            try:
                structured.append(_CONVERTER.structure(item, cls))
            except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
                problems.extend(_problems_from(exc, collection=kind, document=document, file=file, steps=(index,)))
                if len(problems) > MAX_PROBLEMS:
                    raise DatasetError(problems, stopped=True) from None
        records[kind] = tuple(structured)
    if problems:
        raise DatasetError(problems)
    return version, records


def _json_type(value: object) -> str:
    """The JSON name of a parsed value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    return {list: "an array", str: "a string", int: "a number", float: "a number"}.get(type(value), "a value")


def unstructure_records(records: Mapping[CollectionName, tuple[Any, ...]], version: str) -> dict[str, Any]:
    """Build the JSON-ready document for *records* (collections in canonical order)."""
    document: dict[str, Any] = {VERSION_KEY: version}
    for kind, cls in RECORD_TYPES.items():
        document[kind] = _CONVERTER.unstructure(records.get(kind, ()), tuple[cls, ...])  # type: ignore[valid-type]
    return document


def canonical_document(text: str, *, file: str | None = None) -> str:
    """
    Return the canonical form of one dataset document's JSON text, after validating it.

    Raises:
        DatasetError: The document is not valid JSON or holds invalid records.
    """
    version, records = structure_document(parse_json(encode_text(text, file=file), file=file), file=file)
    document: dict[str, Any] = {} if version is None else {VERSION_KEY: version}
    for kind, items in records.items():
        document[kind] = _CONVERTER.unstructure(items, tuple[RECORD_TYPES[kind], ...])  # type: ignore[valid-type]
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
    return dumps(_CONVERTER.unstructure(obj))


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
    value = parse_json(encode_text(text, file=None), file=None)
    try:
        return _CONVERTER.structure(value, cls)
    except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
        raise DatasetError(_problems_from(exc, collection=None, document={}, file=None)) from None
