"""The benchmark harness: its synthetic datasets are valid and its probes resolve (CI runs the benchmark itself)."""

from __future__ import annotations

from pathlib import Path

import pytest

import stemimmune
from benchmarks import synth
from stemimmune.model import RECORD_TYPES


@pytest.mark.parametrize("total", [30, 123, 1_000, 100_000])
def test_counts_add_up(total: int) -> None:
    """The shares split any total exactly, over every collection in link order."""
    split = synth.counts(total)
    assert sum(split.values()) == total
    assert list(split) == list(RECORD_TYPES)  # every collection, in link order


def test_synthetic_dataset_loads_and_its_probes_resolve(tmp_path: Path) -> None:
    """A generated dataset loads, and every probe finds the record it stands for."""
    path, probes = synth.write(tmp_path, 1_000)
    kb = stemimmune.load(path)
    assert {kind: len(records) for kind, records in kb.collections().items()} == synth.counts(1_000)
    for key in (probes.id, probes.name, probes.synonym, probes.curie, probes.disorder):
        assert kb.get(key).id == probes.id, key
    assert kb.search(probes.search)[0].record.id == probes.id
    assert kb.therapies_for(probes.disorder, donor_relation=probes.donor_relation)
    assert kb.find_indications(disorder=probes.disorder, category=probes.category)
    assert kb.find_indications(disorder=probes.disorder, mechanism_kind=probes.mechanism_kind)
    assert kb.find_indications(therapy=probes.therapy, ebmt_category="CO")
    assert probes.therapy in {t.id for t in kb.find_therapies(cell_source=probes.cell_source)}


def test_generation_is_seeded() -> None:
    """The same seed gives the same dataset; another seed another one."""
    assert synth.generate(500, seed=1) == synth.generate(500, seed=1)
    assert synth.generate(500, seed=1)[0] != synth.generate(500, seed=2)[0]


def test_bundled_probes_still_name_the_records_they_stand_for() -> None:
    """The probes for the bundled data still resolve to the records they were chosen for."""
    kb = stemimmune.load()
    probes = synth.BUNDLED_PROBES
    for key in (probes.id, probes.name, probes.curie, probes.disorder):
        assert kb.get(key).id == "multiple-sclerosis", key
    assert kb.get(probes.synonym).id == "autoimmune-haemolytic-anaemia"
    assert kb.search(probes.search)[0].record.id == "multiple-sclerosis"
    assert kb.get(probes.therapy).id == probes.therapy
    assert kb.find_therapies(cell_source=probes.cell_source)
