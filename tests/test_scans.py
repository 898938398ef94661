"""
No indexed query scans: the records a query visits do not grow with the data.

Each query runs on synthetic knowledge bases of 1,000 and 10,000 records with the same
fan-out (see tests/synthetic.py), and the test counts the records it reads from the
index (``by_id`` lookups and whole collections handed out). A linear scan visits ten
times more records at ten times the data; an index lookup visits as many.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import stemimmune
from stemimmune._index import Index

from .synthetic import ANCHORED, Probes, knowledge_base


class _CountingDict(dict[str, Any]):
    visits = 0

    def __getitem__(self, key: str) -> Any:
        type(self).visits += 1
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        type(self).visits += 1
        return super().get(key, default)


Build = Callable[[stemimmune.KnowledgeBase, Probes], Callable[[], object]]


def _visits(kb: stemimmune.KnowledgeBase, probes: Probes, build: Build) -> int:
    """Records the call reads from the index: by-id lookups plus every record of a collection handed out whole."""
    call = build(kb, probes)
    index: Index = kb._index()
    call()  # builds the index structures the call reads (each on first use), which is not the call's own work
    handed_out = [0]
    original = Index.records

    def records(self: Index, kind: Any) -> Any:
        found = original(self, kind)
        handed_out[0] += len(found)
        return found

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(index, "by_id", _CountingDict(index.by_id))
        monkeypatch.setattr(Index, "records", records)
        _CountingDict.visits = 0
        call()
        return _CountingDict.visits + handed_out[0]


@pytest.fixture(scope="module")
def datasets() -> list[tuple[stemimmune.KnowledgeBase, Probes]]:
    return [knowledge_base(size) for size in (1_000, 10_000)]


@pytest.mark.parametrize("key", ANCHORED)
def test_indexed_queries_visit_as_many_records_at_ten_times_the_data(
    key: str, datasets: list[tuple[stemimmune.KnowledgeBase, Probes]]
) -> None:
    """An anchored query reads about as many records at 10,000 records as at 1,000."""
    small, large = (_visits(kb, probes, ANCHORED[key]) for kb, probes in datasets)
    assert large <= 3 * small + 10, f"{key}: {small} record visits at 1k, {large} at 10k"


def test_the_queries_find_what_they_are_anchored_on(datasets: list[tuple[stemimmune.KnowledgeBase, Probes]]) -> None:
    """Every anchored query answers on both sizes, so a count of zero visits means no work, not no answer."""
    for kb, probes in datasets:
        for key, build in ANCHORED.items():
            found = build(kb, probes)()
            assert getattr(found, "id", None) == probes.id if hasattr(found, "id") else len(found) > 0, key


def test_a_scan_is_caught(datasets: list[tuple[stemimmune.KnowledgeBase, Probes]]) -> None:
    """The counter sees a query that walks a whole collection (the test above would fail on it)."""
    scan: Build = lambda kb, _: lambda: kb.find_indications(min_evidence="preclinical")  # noqa: E731
    small, large = (_visits(kb, probes, scan) for kb, probes in datasets)
    assert large > 5 * small
