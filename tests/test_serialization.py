"""JSON round trips give equal objects, for every record and for whole knowledge bases."""

from __future__ import annotations

import json

import pytest
from hypothesis import given

from stemimmune import DatasetError, KnowledgeBase, dumps, loads
from stemimmune.model import Citation, Effect, Reference
from stemimmune.serialization import from_json, to_json
from stemimmune.vocabulary import ReferenceKind

from .strategies import knowledge_bases


class TestRoundTrip:
    @given(knowledge_bases())
    def test_every_record_round_trips(self, kb: KnowledgeBase) -> None:
        """from_json(to_json(x), type(x)) == x for every record."""
        for record in kb.records():
            assert record == from_json(to_json(record), type(record))

    @given(knowledge_bases())
    def test_knowledge_base_round_trips(self, kb: KnowledgeBase) -> None:
        """loads(dumps(kb)) == kb, and the text is stable."""
        text = dumps(kb)
        again = loads(text)
        assert kb == again
        assert text == dumps(again)

    @given(knowledge_bases())
    def test_output_is_canonical_json(self, kb: KnowledgeBase) -> None:
        """The dump is sorted, two-space indented JSON ending in one newline."""
        text = dumps(kb)
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class TestStrictness:
    def test_numbers_are_not_coerced_from_strings(self) -> None:
        """'2019' is not a year: the field and the expectation are named."""
        with pytest.raises(DatasetError, match=r"\$\.year: '2019' is not a whole number"):
            from_json('{"id": "r", "kind": "review", "title": "t", "year": "2019"}', Reference)

    def test_booleans_are_not_numbers(self) -> None:
        """true is not a number."""
        with pytest.raises(DatasetError, match="True is not a number"):
            from_json('{"measure": "mean", "value": true}', Effect)

    def test_unknown_keys_are_errors(self) -> None:
        """A misspelt key is reported, not ignored."""
        with pytest.raises(DatasetError, match=r"unknown field.*locater"):
            from_json('{"reference_id": "r", "locater": "p. 3"}', Citation)

    def test_unknown_enum_value_lists_valid_values(self) -> None:
        """An unknown enum value names the valid ones."""
        with pytest.raises(DatasetError, match="'blog' is not a ReferenceKind, one of: 'randomized-trial'"):
            from_json('{"id": "r", "kind": "blog", "title": "t"}', Reference)

    def test_not_json(self) -> None:
        """Text that is not JSON gets a DatasetError, not a JSONDecodeError."""
        with pytest.raises(DatasetError, match="not valid JSON"):
            from_json("{", Citation)

    def test_enums_are_written_as_their_values(self) -> None:
        """Enums serialise to the same strings the files use."""
        reference = Reference(id="r", kind=ReferenceKind.REVIEW, title="t")
        assert '"kind": "review"' in to_json(reference)
