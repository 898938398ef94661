"""
No indexed query scans: the records a query visits do not grow with the data.

Each query runs on synthetic datasets of 1,000 and 10,000 records with the same
fan-out (see benchmarks/synth.py), and the test counts the records it reads from the
index (``by_id`` lookups and whole collections handed out). A linear scan visits ten
times more records at ten times the data; an index lookup visits as many.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from benchmarks import run, synth

import stemimmune
from stemimmune._index import Index


class _CountingDict(dict[str, Any]):
    visits = 0

    def __getitem__(self, key: str) -> Any:
        type(self).visits += 1
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        type(self).visits += 1
        return super().get(key, default)


def _visits(kb: stemimmune.KnowledgeBase, probes: synth.Probes, key: str) -> int:
    with pytest.MonkeyPatch.context() as monkeypatch:
        return _count(kb, probes, key, monkeypatch)


def _count(kb: stemimmune.KnowledgeBase, probes: synth.Probes, key: str, monkeypatch: pytest.MonkeyPatch) -> int:
    index: Index = kb._index()
    monkeypatch.setattr(index, "by_id", _CountingDict(index.by_id))
    handed_out = [0]
    original = Index.records

    def records(self: Index, kind: Any) -> Any:
        found = original(self, kind)
        handed_out[0] += len(found)
        return found

    monkeypatch.setattr(Index, "records", records)
    _CountingDict.visits = 0
    run.QUERIES[key][2](kb, probes)()
    return _CountingDict.visits + handed_out[0]


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[stemimmune.KnowledgeBase, synth.Probes]]:
    folder: Path = tmp_path_factory.mktemp("synthetic")
    found = []
    for size in (1_000, 10_000):
        path, probes = synth.write(folder, size)
        found.append((stemimmune.load(path), probes))
    return found


BOUNDED = [key for key, (label, group, _build) in run.QUERIES.items() if group != "search" and "[broad]" not in label]


@pytest.mark.parametrize("key", BOUNDED)
def test_indexed_queries_visit_as_many_records_at_ten_times_the_data(
    key: str, datasets: list[tuple[stemimmune.KnowledgeBase, synth.Probes]]
) -> None:
    small, large = (_visits(kb, probes, key) for kb, probes in datasets)
    assert large <= 3 * small + 10, f"{key}: {small} record visits at 1k, {large} at 10k"


def test_a_scan_is_caught(
    datasets: list[tuple[stemimmune.KnowledgeBase, synth.Probes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counter sees a query that walks a whole collection (the test above would fail on it)."""
    monkeypatch.setitem(
        run.QUERIES, "scan", ("scan", "filter", lambda kb, _: lambda: kb.find_indications(min_evidence="preclinical"))
    )
    small, large = (_visits(kb, probes, "scan") for kb, probes in datasets)
    assert large > 5 * small
