"""The speed-ups of the index and of search give exactly what the plain definitions give (#15)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import stemimmune
from stemimmune._index import fold
from stemimmune.query import _Lcs


def _lcs(a: str, b: str) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        previous = 0
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], previous + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


@given(st.text("abcs ", max_size=40), st.text("abcs ", max_size=40))
def test_bit_parallel_ratio_is_the_indel_ratio(a: str, b: str) -> None:
    expected = 2 * _lcs(a, b) / (len(a) + len(b)) if a or b else 1.0
    assert _Lcs(a).ratio(b) == expected


def test_keys_as_written_name_what_their_folded_form_names() -> None:
    index = stemimmune.load()._index()
    assert index.plain
    for lowered, records in index.plain.items():
        assert index.keys[fold(lowered)] is records, lowered
    kb = stemimmune.load()
    assert kb.get("MULTIPLE SCLEROSIS").id == kb.get("multiple-sclerosis").id == "multiple-sclerosis"


def test_precomputed_subtypes_and_evidence_sets_match_their_definitions() -> None:
    kb = stemimmune.load()
    index = kb._index()
    for disorder in kb.disorders:
        under = {disorder.id}
        while True:
            grown = under | {d.id for d in kb.disorders if set(d.parent_ids) & under}
            if grown == under:
                break
            under = grown
        assert index.disorder_and_subtypes(disorder.id) == under
        assert index.indications_under[disorder.id] == {i.id for i in kb.indications if i.disorder_id in under}
    for level, ids in index.indications_at_least.items():
        assert ids == {i.id for i in kb.indications if i.evidence_level >= level}
