"""The JSON Schema shipped for other languages matches the model and the data."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import jsonschema
import pytest
from hypothesis import given

from stemimmune import DatasetError, KnowledgeBase, dumps, load, loads
from stemimmune.schema import SCHEMA_FILE, json_schema
from stemimmune.serialization import dumps as canonical

from .strategies import MUTATIONS, knowledge_bases


@pytest.fixture(name="validator", scope="module")
def _validator() -> jsonschema.Draft202012Validator:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_shipped_schema_file_matches_the_model() -> None:
    """The schema file in the package is exactly what the model generates (regenerate with `stemimmune schema`)."""
    shipped = files("stemimmune").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    assert canonical(json_schema()) == shipped


def test_bundled_files_validate(validator: jsonschema.Draft202012Validator) -> None:
    """Every bundled data file is a valid document under the schema."""
    for entry in files("stemimmune").joinpath("data").iterdir():
        if entry.name.endswith(".json"):
            errors = [e.message for e in validator.iter_errors(json.loads(entry.read_text(encoding="utf-8")))]
            assert [] == errors, entry.name


@given(knowledge_bases())
def test_generated_knowledge_bases_validate(kb: KnowledgeBase) -> None:
    """Any valid knowledge base, written out, validates under the schema."""
    jsonschema.Draft202012Validator(json_schema()).validate(json.loads(dumps(kb)))


@pytest.mark.parametrize("mutate", MUTATIONS, ids=lambda m: m.__name__.strip("_"))
def test_schema_and_library_agree_on_record_level_breakage(
    validator: jsonschema.Draft202012Validator, mutate: Any
) -> None:
    """A document the schema rejects is rejected by the library too (the schema is never looser on fields)."""
    document = json.loads(dumps(load()))
    mutate(document)
    if list(validator.iter_errors(document)):
        with pytest.raises(DatasetError):
            loads(json.dumps(document))
