"""The speed-ups of the index and of search give exactly what the plain definitions give (#15)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz.distance import Indel

import stemimmune
from stemimmune._index import fold
from stemimmune._io import MAX_DEPTH, _depth
from stemimmune._search import _ratio, _span

from .strategies import deep_chains


def _lcs(a: str, b: str) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        previous = 0
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], previous + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


@given(st.text("abcs ", max_size=40), st.text("abcs ", min_size=1, max_size=40))
def test_ratio_read_back_from_rapidfuzz_is_the_indel_ratio(a: str, b: str) -> None:
    """rapidfuzz's normalised Indel similarity, read back by _ratio, is 2 * LCS / total to the bit."""
    expected = 2 * _lcs(a, b) / (len(a) + len(b))
    assert _ratio(Indel.normalized_similarity(a, b), len(a) + len(b)) == expected


@given(st.lists(st.integers(1, 60), max_size=30), st.integers(1, 60), st.floats(0, 1))
def test_length_span_keeps_every_text_that_can_reach_the_bound(lengths: list[int], size: int, bound: float) -> None:
    """The slice search scans for a bound holds every length whose best possible ratio (2 * min / total) reaches it."""
    lengths.sort()
    start, stop = _span(lengths, size, bound)
    for position, n in enumerate(lengths):
        if 2 * min(size, n) / (size + n) >= bound:
            assert start <= position < stop, (n, size, bound)


def test_keys_as_written_name_what_their_folded_form_names() -> None:
    index = stemimmune.load()._index()
    assert index.plain
    for lowered, records in index.plain.items():
        # an identity key folded strictly names its owner; any other key names what it names folded loosely
        assert records == (index.owners.get(fold(lowered, loose=False)) or index.keys[fold(lowered)]), lowered
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
        assert index.indications_under(disorder.id) == {i.id for i in kb.indications if i.disorder_id in under}
    for level, ids in index.indications_at_least.items():
        assert ids == {i.id for i in kb.indications if i.evidence_level >= level}


def test_one_is_the_first_two_steps_of_lookup() -> None:
    """get()'s dict hit finds a record only when lookup() finds that record alone, for ids and keys in any case."""
    index = stemimmune.load()._index()
    keys = [*index.by_id, *index.plain, *(k.upper() for k in index.plain), *(k.title() for k in index.plain)]
    found = 0
    for key in [*keys, "no such key", "Sjögren's syndrome"]:
        record = index.one(key)
        if record is not None:
            found += 1
            assert index.lookup(key) == (record,), key
        elif key.isascii():
            assert key not in index.by_id
            assert len(index.plain.get(key.lower(), ())) != 1, key
    assert found > len(index.by_id)


def _nesting(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_nesting, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_nesting, value), default=0)
    return 0


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text('a"\\[]{}é\n'),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text('k"\\[]{}', max_size=3), inner, max_size=3),
    max_leaves=12,
)


@given(_JSON, st.booleans(), st.sampled_from([None, 2]))
def test_depth_check_counts_what_json_nests(value: object, ascii_only: bool, indent: int | None) -> None:
    """The byte-level depth check equals the nesting of the parsed value: brackets, quotes and escapes inside strings do not count."""
    raw = json.dumps(value, ensure_ascii=ascii_only, indent=indent).encode()
    assert _depth(raw) == _nesting(json.loads(raw))


def test_depth_check_stops_one_past_the_limit() -> None:
    assert _depth(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) == MAX_DEPTH
    assert _depth(b"[" * 2 * MAX_DEPTH + b"]" * 2 * MAX_DEPTH) == MAX_DEPTH + 1


def test_search_does_not_depend_on_the_string_hash_seed() -> None:
    """Search orders nothing by a set or a hash: every process gives the same hits."""
    program = (
        "import stemimmune; kb = stemimmune.load(); print([[h.record.id for h in kb.search(q)] for q in {queries!r}])"
    )
    # Queries whose hits changed with the seed when tied trigrams were taken in set order.
    queries = [
        "Mesenchymal stroma cells for treatmnet of steroid-refractory acute GvHD",
        "Refractory myasthenia gravis treated wit",
    ]
    queries += [
        "Transplantation for Autoimmune Diseases ",
        "Adipose Mesenchymal Stem Cells (AMSC) fo",
        "multipel sclerosis",
    ]
    outputs = {
        subprocess.run(
            [sys.executable, "-c", program.format(queries=queries)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1, outputs


class _CountingGets(dict[str, set[str]]):
    """A dict that counts its get() calls: one per disorder whose subtypes a walk expands."""

    gets = 0

    def get(self, key: str, default: Any = None) -> Any:
        self.gets += 1
        return super().get(key, default)


def test_closures_cost_the_subtree_asked_about_once() -> None:
    """Building the index walks no closure; a first question expands each disorder of its subtree once, later ones none."""
    kb = deep_chains(5000)
    index = kb._index()
    assert not index._under  # nothing walked while building
    index.subtypes = counting = _CountingGets(index.subtypes)
    assert ["deep-indication"] == [o.indication.id for o in kb.therapies_for("deep-disorder-10")]
    assert 4990 == counting.gets  # deep-disorder-10 ... deep-disorder-4999, each once
    kb.therapies_for("deep-disorder-10")
    kb.find_trials(disorder="deep-disorder-10")
    kb.find_products(disorder="deep-disorder-10")
    assert 4990 == counting.gets  # remembered
    kb.therapies_for("deep-disorder-0")
    assert 4990 + 10 == counting.gets  # deep-disorder-0 ... 9; the closure of deep-disorder-10 is reused
    expected = {f"deep-disorder-{k}" for k in range(5000)}
    assert expected == index.disorder_and_subtypes("deep-disorder-0")
    assert {"deep-disorder-0"} == expected - index.disorder_and_subtypes("deep-disorder-1")
