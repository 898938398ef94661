"""
The dataset format as a JSON Schema, generated from the model.

Other languages can validate stemimmune dataset documents with the schema file shipped
in the package (``stemimmune/dataset.schema.json``); a test checks that the file equals
what :func:`json_schema` generates from the model classes, so the two cannot drift.
"""

from __future__ import annotations

import enum
import types
import typing
from typing import Any, Final

import attrs

from . import _validators as check
from ._dates import PartialDate
from ._text import attribute_docs
from .model import LINKS_TO, RECORD_TYPES
from .serialization import VERSION_KEY


#: Version of the schema; bumped when the format changes.
SCHEMA_VERSION: Final = "1.2"
#: Name of the schema file inside the package.
SCHEMA_FILE: Final = "dataset.schema.json"


#: Rules over several fields of one record that no field's check states (checked when a record is built).
RECORD_RULES: Final = (
    "a regulatory event names a designation exactly when its decision is 'designated'",
    "a trial gives an enrollment_kind exactly when it gives an enrollment",
    (
        "a guideline recommendation has EBMT categories exactly when its scheme is an EBMT one, an astct_category "
        "exactly when its scheme is 'astct', a statement when its scheme is 'statement', and a donor_type of its "
        "scheme's columns"
    ),
)
#: Rules over several records, checked when a knowledge base is built (see :func:`stemimmune.find_problems`).
DATASET_RULES: Final = (
    "exactly one dataset_version across the documents of a dataset",
    "ids are unique across the whole dataset",
    "every link (the fields marked x-links-to) resolves to a record of a collection the field allows",
    "cell lineage (derives_from) and disorder hierarchies (parent_ids) have no cycles",
    "a therapy's cell type is one its sources yield",
    "allogeneic therapies list a graft-versus-host disease risk and autologous ones do not",
    "guideline donor columns match the therapy's donor relation",
    "no evidence level above preclinical rests on promotional sources alone",
)
#: What the library checks in a single field that this schema states only in part.
LOOSER_FIELD_RULES: Final = (
    "text that is not ASCII holds at least one visible character (a letter, digit, punctuation mark or symbol)",
    (
        "fields with a pattern and no spaces (DOIs, URLs, ...) hold only printable characters; the schema lists the "
        "non-printable characters of the Basic Multilingual Plane, the library also refuses unassigned ones and those of "
        "other planes"
    ),
    "a whole number is written without a fraction part (2, not 2.0)",
)


def json_schema() -> dict[str, Any]:
    """
    Return the JSON Schema (draft 2020-12) of a dataset document.

    Each field's schema comes from its type and from what its checks say they accept
    (their ``json_schema()``); the rules a JSON Schema cannot
    state are listed in the schema's ``description``.

    Example:
        >>> from stemimmune.schema import json_schema
        >>> schema = json_schema()
        >>> schema["properties"]["therapies"]["items"]
        {'$ref': '#/$defs/Therapy'}
        >>> "citations" in schema["$defs"]["Therapy"]["required"]
        True
    """
    definitions: dict[str, Any] = {}
    field_rules: list[str] = []
    for cls in RECORD_TYPES.values():
        _define(cls, definitions, field_rules)
    properties: dict[str, Any] = {
        VERSION_KEY: {
            "type": "string",
            "pattern": check.whole(f"(?![\\s\\S]*[{check.NONPRINTABLE_CLASS}])[\\s\\S]*\\S[\\s\\S]*"),
            "maxLength": check.MAX_VERSION_LENGTH,
            "description": "Version of the dataset.",
        }
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
        "description": _description(field_rules),
        "x-schema-version": SCHEMA_VERSION,
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "$defs": dict(sorted(definitions.items())),
    }


def _description(field_rules: list[str]) -> str:
    def listed(rules: typing.Iterable[str]) -> str:
        return "; ".join(dict.fromkeys(rules)) + "."

    return (
        "One document of a stemimmune dataset: a version and lists of records. A dataset may be one document or "
        "a folder of documents whose lists are concatenated. This schema states every rule of a single field; "
        "the library (stemimmune.load) also checks the rules below, which a JSON Schema cannot state. "
        f"Within a record: {listed([*field_rules, *RECORD_RULES])} "
        f"Across records: {listed(DATASET_RULES)} "
        f"Stated here only in part: {listed(LOOSER_FIELD_RULES)}"
    )


def _define(cls: type, definitions: dict[str, Any], rules: list[str]) -> dict[str, Any]:
    """Add the definition of an attrs class (and of the classes it nests) to *definitions*."""
    name = cls.__name__
    if name not in definitions:
        definitions[name] = {}  # placeholder against recursion
        hints = typing.get_type_hints(cls)
        docs = attribute_docs(cls.__doc__)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in attrs.fields(cls):
            if field.name.startswith("_") or not field.init:
                continue
            validator = field.validator
            if not isinstance(validator, check.Check):
                msg = f"{name}.{field.name}: its validator is not a Check, so it cannot say its JSON Schema"
                raise TypeError(msg)
            prop = _with_checks(_type_schema(hints[field.name], definitions, rules), validator.json_schema())
            rules.extend(validator.rules())
            if field.name in docs:
                prop = {**prop, "description": docs[field.name]}
            if LINKS_TO in field.metadata:
                prop = {**prop, "x-links-to": list(field.metadata[LINKS_TO])}
            properties[field.name] = prop
            if field.default is attrs.NOTHING:
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


def _with_checks(schema: dict[str, Any], checks: dict[str, Any]) -> dict[str, Any]:
    """Add a field's checks to the schema of its type (to the non-null branch of an optional type)."""
    if "anyOf" in schema:
        value, null = schema["anyOf"]
        return {"anyOf": [check.merge_schemas(value, checks), null]}
    return check.merge_schemas(schema, checks)


def _type_schema(hint: Any, definitions: dict[str, Any], rules: list[str]) -> dict[str, Any]:  # noqa: PLR0911 - one return per JSON type
    """The schema of a type: which JSON values structure to it (the checks add what else is required)."""
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in arguments if a is not type(None)]
        inner = _type_schema(options[0], definitions, rules)
        return {"anyOf": [inner, {"type": "null"}]} if type(None) in arguments else inner
    if origin is tuple:
        return {"type": "array", "items": _type_schema(arguments[0], definitions, rules)}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"enum": [m.value for m in hint]}
    if attrs.has(hint):
        _define(hint, definitions, rules)
        return {"$ref": f"#/$defs/{hint.__name__}"}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is float:
        return {"type": "number"}
    if hint is str:
        return {"type": "string"}
    if hint is PartialDate:  # written as its ISO text; the field's check says the form
        return {"type": "string"}
    msg = f"no JSON Schema mapping for {hint!r}"
    raise TypeError(msg)
