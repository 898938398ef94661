"""
The dataset format as a JSON Schema, generated from the model.

Other languages can validate stemimmune dataset documents with the schema file shipped
in the package (``stemimmune/dataset.schema.json``); a test checks that the file equals
what :func:`json_schema` generates from the model classes, so the two cannot drift.
"""

from __future__ import annotations

import enum
import inspect
import re
import types
import typing
from typing import Any, Final

import attrs

from . import _validators as check
from ._dates import PartialDate
from .model import LINKS_TO, RECORD_TYPES
from .serialization import VERSION_KEY


#: Version of the schema; bumped when the format changes.
SCHEMA_VERSION: Final = "1.1"
#: Name of the schema file inside the package.
SCHEMA_FILE: Final = "dataset.schema.json"


def json_schema() -> dict[str, Any]:
    """
    Return the JSON Schema (draft 2020-12) of a dataset document.

    Example:
        >>> from stemimmune.schema import json_schema
        >>> schema = json_schema()
        >>> schema["properties"]["therapies"]["items"]
        {'$ref': '#/$defs/Therapy'}
        >>> "citations" in schema["$defs"]["Therapy"]["required"]
        True
    """
    definitions: dict[str, Any] = {}
    for cls in RECORD_TYPES.values():
        _define(cls, definitions)
    properties: dict[str, Any] = {
        VERSION_KEY: {"type": "string", "minLength": 1, "description": "Version of the dataset."}
    }
    properties.update(
        {
            kind: {"type": "array", "items": {"$ref": f"#/$defs/{cls.__name__}"}, "description": f"{kind} records."}
            for kind, cls in RECORD_TYPES.items()
        }
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "stemimmune dataset document",
        "description": (
            "One document of a stemimmune dataset: a version and lists of records. A dataset may be one document or "
            "a folder of documents whose lists are concatenated; exactly one dataset_version is required across them. "
            "Rules that span records (unique ids, links that resolve, no lineage cycles, ...) are checked by the "
            "library, not by this schema."
        ),
        "x-schema-version": SCHEMA_VERSION,
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "$defs": dict(sorted(definitions.items())),
    }


def _define(cls: type, definitions: dict[str, Any]) -> dict[str, Any]:
    """Add the definition of an attrs class (and of the classes it nests) to *definitions*."""
    name = cls.__name__
    if name not in definitions:
        definitions[name] = {}  # placeholder against recursion
        hints = typing.get_type_hints(cls)
        docs = _attribute_docs(inspect.cleandoc(cls.__doc__ or ""))
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in attrs.fields(cls):
            if field.name.startswith("_") or not field.init:
                continue
            validators = _validators_of(field.validator)
            prop = _type_schema(hints[field.name], definitions, validators)
            if field.name in docs:
                prop = {**prop, "description": docs[field.name]}
            if LINKS_TO in field.metadata:
                prop = {**prop, "x-links-to": list(field.metadata[LINKS_TO])}
            properties[field.name] = prop
            if field.default is attrs.NOTHING or check.not_empty in validators:
                required.append(field.name)
        summary = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else name
        definitions[name] = {
            "type": "object",
            "description": summary,
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
    return definitions[name]  # type: ignore[no-any-return]


def _type_schema(hint: Any, definitions: dict[str, Any], validators: list[Any]) -> dict[str, Any]:  # noqa: PLR0911 - one return per JSON type
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in arguments if a is not type(None)]
        inner = _type_schema(options[0], definitions, validators)
        return {"anyOf": [inner, {"type": "null"}]} if type(None) in arguments else inner
    if origin is tuple:
        array: dict[str, Any] = {"type": "array", "items": _type_schema(arguments[0], definitions, validators)}
        if check.not_empty in validators:
            array["minItems"] = 1
        return array
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"enum": [m.value for m in hint]}
    if attrs.has(hint):
        _define(hint, definitions)
        return {"$ref": f"#/$defs/{hint.__name__}"}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return _integer(validators)
    if hint is float:
        return {"type": "number"}
    if hint is str:
        return _string(validators)
    if hint is PartialDate:  # written as its ISO text
        return _string(validators)
    msg = f"no JSON Schema mapping for {hint!r}"
    raise TypeError(msg)


def _integer(validators: list[Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer"}
    if check.year in validators:
        schema.update(minimum=check.EARLIEST_YEAR, maximum=check.LATEST_YEAR)
    if check.positive_count in validators:
        schema["minimum"] = 1
    return schema


def _string(validators: list[Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": check.MAX_TEXT_LENGTH}
    if check.identifier in validators or check.identifiers in validators:
        schema.update(pattern=check.IDENTIFIER_PATTERN.pattern, maxLength=check.MAX_ID_LENGTH)
    elif check.curies in validators:
        alternatives = "|".join(
            f"{re.escape(prefix)}:{pattern.pattern.removeprefix('^').removesuffix('$')}"
            for prefix, pattern in check.CURIE_PATTERNS.items()
        )
        schema["pattern"] = f"^(?:{alternatives})$"
    else:
        pattern = next((getattr(v, "pattern", None) for v in validators if getattr(v, "pattern", None)), None)
        if pattern is not None:
            schema["pattern"] = pattern.pattern
    return schema


def _validators_of(validator: Any) -> list[Any]:
    """Flatten attrs' combined validators into a list."""
    if validator is None:
        return []
    inner = getattr(validator, "_validators", None)
    if inner is not None:
        return [v for part in inner for v in _validators_of(part)]
    return [validator]


_ATTRIBUTE: Final = re.compile(r"^ {4}(\w+): (.*)$")


def _attribute_docs(doc: str) -> dict[str, str]:
    """Read the ``Attributes:`` section of a Google-style docstring."""
    found: dict[str, str] = {}
    lines = doc.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Attributes:")
    except StopIteration:
        return found
    current = None
    for line in lines[start + 1 :]:
        if line.strip() and not line.startswith(" " * 8) and not _ATTRIBUTE.match(line):
            break
        if match := _ATTRIBUTE.match(line):
            current = match[1]
            found[current] = match[2].strip()
        elif current and line.strip():
            found[current] += " " + line.strip()
    return found
