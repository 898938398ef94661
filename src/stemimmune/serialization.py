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
from cattrs.errors import AttributeValidationNote, IterableValidationNote
from cattrs.preconf.json import JsonConverter
from cattrs.preconf.json import make_converter as _make_json_converter

from . import vocabulary
from ._dates import PARTIAL_DATE_FORM, PartialDate
from ._io import encode_text, parse_json
from ._text import clip, listing, shorten, with_article
from ._validators import version_problem
from .exceptions import MAX_PROBLEMS, ArgumentTypeError, DatasetError, InvalidValueError, Problem
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
            raise InvalidValueError(None, value, f"{with_article(kind.__name__)}, one of: {valid}") from None

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
        inner = _record_structurer(type_, conv)
        expected = f"a JSON object ({with_article(type_.__name__)})"

        def structure(value: object, target: Any) -> Any:
            if not isinstance(value, dict):  # cattrs would fail with a message about Python internals
                raise InvalidValueError(None, value, expected)
            try:
                return inner(value, target)  # the fast path: valid records, and the bundled data, take only this
            except (cattrs.BaseValidationError, cattrs.ForbiddenExtraKeysError, ValueError, TypeError) as first:
                raise _every_problem(conv, type_, value) or first from None

        return structure

    converter.register_structure_hook_factory(attrs.has, record_factory)
    return converter


def _record_structurer(cls: type, conv: cattrs.Converter) -> Callable[[dict[str, Any], Any], Any]:
    """
    Structure a JSON object into a record of *cls*: each field by its type's hook, then the class's own checks.

    The fields' hooks are found once per class, here. The checks are those cattrs'
    generated function makes (no unknown key, every field by its hook, attrs'
    validators in ``__init__``), made by one loop instead of code compiled per class
    on first use, which cost more than structuring the whole bundled dataset; the first
    failure is enough here, as :func:`_every_problem` then finds every problem.
    """
    hints = typing.get_type_hints(cls)
    fields = [(field.name, field.alias, conv.get_structure_hook(hints[field.name]), hints[field.name])
              for field in attrs.fields(cls) if field.init]  # fmt: skip
    allowed = frozenset(name for name, _alias, _hook, _type in fields)

    def structure(value: dict[str, Any], _: Any) -> Any:
        if not allowed.issuperset(value):
            raise cattrs.ForbiddenExtraKeysError("", cls, set(value) - allowed)
        arguments: dict[str, Any] = {}
        for name, alias, hook, type_ in fields:
            if name in value:
                arguments[alias] = hook(value[name], type_)
        return cls(**arguments)  # a missing required field: TypeError from attrs' __init__

    return structure


def _every_problem(conv: cattrs.Converter, cls: type, value: dict[str, Any]) -> cattrs.ClassValidationError | None:
    """
    Find every problem of a record that failed to structure, not only the first.

    cattrs stops before the record's own checks when a field fails to structure, and
    attrs stops at the first failing check; here each field is structured and checked
    on its own, then each check that ties fields together runs on the fields that did
    structure (one that needs a field that failed is skipped: what it would say depends on
    the fix). Returns None if nothing is found, so the caller keeps the first error.
    """
    errors: list[Exception] = []
    hints = typing.get_type_hints(cls)
    fields = [field for field in attrs.fields(cls) if field.init]
    unknown = set(value) - {field.name for field in fields}
    if unknown:
        errors.append(cattrs.ForbiddenExtraKeysError(None, cls, unknown))
    partial: Any = object.__new__(cls)  # holds the fields that structured, for the checks that read several
    good: list[attrs.Attribute[Any]] = []
    for field in fields:
        if field.name not in value:
            if field.default is attrs.NOTHING:
                errors.append(_noted(KeyError(field.name), field.name, hints[field.name]))
            elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
                factory = field.default.factory
                object.__setattr__(partial, field.name, factory(partial) if field.default.takes_self else factory())
                good.append(field)
            else:
                object.__setattr__(partial, field.name, field.default)
                good.append(field)
            continue
        try:
            structured = conv.structure(value[field.name], hints[field.name])
            if field.converter is not None:
                structured = field.converter(structured)
        except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
            errors.append(_noted(exc, field.name, hints[field.name]))
            continue
        object.__setattr__(partial, field.name, structured)
        good.append(field)
    for field in good:  # attrs runs every validator after every field is set; so does this
        if field.validator is None:
            continue
        try:
            field.validator(partial, field, getattr(partial, field.name))
        except AttributeError:  # the check reads a field that failed
            continue
        except (ValueError, TypeError) as exc:
            errors.append(_noted(exc, field.name, hints[field.name]))
    post_init = getattr(cls, "__attrs_post_init__", None)
    if post_init is not None and len(good) == len(fields):  # the record's own rules read several fields
        try:
            post_init(partial)
        except (ValueError, TypeError) as exc:
            errors.append(exc)
    if not errors:
        return None
    return cattrs.ClassValidationError(f"While structuring {cls.__name__}", errors, cls)


def _noted(exc: Exception, name: str, type_: Any) -> Exception:
    """Mark *exc* as raised by field *name*, as cattrs does, so its problem is located there."""
    exc.__notes__ = [*getattr(exc, "__notes__", []), AttributeValidationNote(f"Structuring class {name}", name, type_)]
    return exc


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
    if isinstance(error, ArgumentTypeError):
        return str(error), error.got, error.expected
    if isinstance(error, KeyError):
        return "required field missing", None, "a value"
    if isinstance(error, cattrs.ForbiddenExtraKeysError):
        names = sorted(error.extra_fields)
        extra = listing(shorten(name) for name in names)
        return f"unknown field(s) {extra}", shorten(names), "only the fields the format documents"
    if type(error) is ValueError and error.args and isinstance(error.args[0], str):
        return clip(error.args[0], 1_000), None, None  # an attrs validator's message (v.lt...), written for people
    return "invalid value", None, None  # never echo Python's internals ("'int' object is not iterable")


@attrs.frozen
class StructuredDocument:
    """
    What one dataset document gave: the records that structured, and the problems of the others.

    Attributes:
        version: The document's ``dataset_version``, None if absent or invalid.
        records: For each record kind present, ``(position in the document's list, record)``
            for every record that structured.
        unparsed: The ids of the records that did not structure, with their collection
            (records without a usable id are left out).
        problems: Every problem found, in document order.
        stopped: Whether structuring stopped early, having found enough problems.
    """

    version: str | None
    records: dict[CollectionName, tuple[tuple[int, Any], ...]]
    unparsed: dict[str, CollectionName]
    problems: tuple[Problem, ...]
    stopped: bool


def structure_parts(document: object, *, file: str | None = None, limit: int = MAX_PROBLEMS) -> StructuredDocument:
    """
    Structure every record of one parsed dataset document that can be, and report every other one.

    Each record is structured on its own, so a bad record hides neither the problems of
    the others nor the records that are fine (whose links can still be checked).
    Structuring stops once more than *limit* problems are found.
    """
    if not isinstance(document, dict):
        problem = Problem(file=file, message=f"expected a JSON object, got {_json_type(document)}")
        return StructuredDocument(version=None, records={}, unparsed={}, problems=(problem,), stopped=False)
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
    records: dict[CollectionName, tuple[tuple[int, Any], ...]] = {}
    unparsed: dict[str, CollectionName] = {}
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
                    expected=f"a list of records ({with_article(cls.__name__)} each)",
                )
            )
            continue
        structured: list[tuple[int, Any]] = []
        for index, item in enumerate(items):  # one record at a time, to stop after *limit* problems
            try:
                structured.append((index, _CONVERTER.structure(item, cls)))
            except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
                problems.extend(_problems_from(exc, collection=kind, document=document, file=file, steps=(index,)))
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    unparsed.setdefault(item["id"], kind)
                if len(problems) > limit:
                    return StructuredDocument(
                        version=version, records=records, unparsed=unparsed, problems=tuple(problems), stopped=True
                    )
        records[kind] = tuple(structured)
    return StructuredDocument(
        version=version, records=records, unparsed=unparsed, problems=tuple(problems), stopped=False
    )


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
    parts = structure_parts(document, file=file)
    if parts.problems:
        raise DatasetError(parts.problems, stopped=parts.stopped)
    return parts.version, {kind: tuple(record for _, record in items) for kind, items in parts.records.items()}


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
