"""Questions over a knowledge base: filters, ordering, navigation, provenance and search."""

from __future__ import annotations

import random
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stemimmune import KnowledgeBase, UnknownKeyError, load
from stemimmune.knowledge_base import _keys as record_keys
from stemimmune.knowledge_base import fold
from stemimmune.model import RECORD_TYPES
from stemimmune.vocabulary import DonorRelation, EbmtCategory, EvidenceLevel, MechanismKind, RegulatoryDecision

from .strategies import knowledge_bases


def _filters(kb: KnowledgeBase) -> st.SearchStrategy[dict[str, Any]]:
    """Filters whose values come from the knowledge base's own records."""
    choices: dict[str, st.SearchStrategy[Any]] = {
        "disorder": st.sampled_from([d.id for d in kb.disorders]),
        "therapy": st.sampled_from([t.id for t in kb.therapies]),
        "cell_type": st.sampled_from([c.id for c in kb.cell_types]),
        "cell_source": st.sampled_from([s.id for s in kb.cell_sources]),
        "mechanism": st.sampled_from([m.id for m in kb.mechanisms] + [k.value for k in MechanismKind]),
        "donor_relation": st.sampled_from(DonorRelation),
        "min_evidence": st.sampled_from(EvidenceLevel),
        "ebmt_category": st.sampled_from(EbmtCategory),
        "regulatory": st.sampled_from(RegulatoryDecision),
        "stem_cell_only": st.just(True),
    }
    return st.fixed_dictionaries({}, optional=choices)


def _ids(records: tuple[Any, ...]) -> list[str]:
    return [r.id for r in records]


class TestFilters:
    @given(st.data())
    def test_every_filter_returns_a_subset_in_the_same_order(self, data: st.DataObject) -> None:
        """A filtered result is a subset of the unfiltered one, and keeps its order."""
        kb = data.draw(knowledge_bases())
        filters = data.draw(_filters(kb))
        everything = _ids(kb.find_indications())
        filtered = _ids(kb.find_indications(**filters))
        assert set(filtered) <= set(everything)
        assert filtered == [i for i in everything if i in set(filtered)]

    @given(st.data())
    def test_combined_filters_are_the_intersection_of_single_ones(self, data: st.DataObject) -> None:
        """Filters combine with AND: the result is the intersection of each filter alone."""
        kb = data.draw(knowledge_bases())
        filters = data.draw(_filters(kb))
        expected = set(_ids(kb.find_indications()))
        for name, value in filters.items():
            expected &= set(_ids(kb.find_indications(**{name: value})))
        assert expected == set(_ids(kb.find_indications(**filters)))

    @given(st.data())
    def test_results_do_not_depend_on_record_order(self, data: st.DataObject) -> None:
        """Shuffling every collection in the data changes no answer."""
        kb = data.draw(knowledge_bases())
        filters = data.draw(_filters(kb))
        rng = random.Random(data.draw(st.integers()))  # noqa: S311 - a reproducible shuffle, not cryptography
        reordered: dict[str, Any] = {
            kind: tuple(rng.sample(records, len(records))) for kind, records in kb.collections().items()
        }
        shuffled = attrs.evolve(kb, **reordered)
        assert _ids(kb.find_indications(**filters)) == _ids(shuffled.find_indications(**filters))
        assert _ids(kb.find_therapies()) == _ids(shuffled.find_therapies())
        for disorder in kb.disorders:
            assert [(o.therapy.id, o.indication.id) for o in kb.therapies_for(disorder.id)] == [
                (o.therapy.id, o.indication.id) for o in shuffled.therapies_for(disorder.id)
            ]

    @given(knowledge_bases())
    def test_strongest_evidence_first(self, kb: KnowledgeBase) -> None:
        """Therapy options come strongest evidence first."""
        for disorder in kb.disorders:
            levels = [o.evidence_level for o in kb.therapies_for(disorder)]
            assert levels == sorted(levels, reverse=True)

    def test_subtypes_are_included_unless_asked_not_to(self) -> None:
        """Options for a disorder include its subtypes' indications by default."""
        kb = load()
        crohn = {o.indication.id for o in kb.therapies_for("Crohn's disease")}
        alone = {o.indication.id for o in kb.therapies_for("Crohn's disease", include_subtypes=False)}
        assert alone < crohn
        assert "adipose-msc-therapy" in {kb.get(i).therapy_id for i in crohn - alone}  # type: ignore[union-attr]

    def test_unknown_filter_values_name_the_valid_ones(self) -> None:
        """A bad enum value is a ValueError listing valid values; an unknown key is a LookupError."""
        kb = load()
        with pytest.raises(ValueError, match="expected one of: 'expert-opinion'"):
            kb.find_indications(min_evidence="strong")
        with pytest.raises(LookupError):
            kb.therapies_for("no such disease at all")
        with pytest.raises(UnknownKeyError, match="not a Disorder"):
            kb.therapies_for("autologous-hsct")

    def test_jurisdiction_needs_a_decision(self) -> None:
        """jurisdiction= alone is refused with a message saying why."""
        with pytest.raises(ValueError, match="needs regulatory"):
            load().find_therapies(jurisdiction="US")

    def test_the_bundled_answers(self) -> None:
        """Spot checks on the bundled data: MS, adipose-derived cells, EU withdrawal."""
        kb = load()
        assert "autologous-hsct" == kb.therapies_for("MS")[0].therapy.id
        assert ["adipose-msc-therapy"] == _ids(kb.find_therapies(cell_source="adipose tissue"))
        assert ["adipose-msc-therapy"] == _ids(kb.find_therapies(regulatory="withdrawn", jurisdiction="EU"))
        assert all(not o.therapy.id.startswith("cd19") for o in kb.therapies_for("SLE", stem_cell_only=True))


class TestNavigation:
    @given(knowledge_bases())
    def test_links_are_symmetric(self, kb: KnowledgeBase) -> None:
        """If a record lists another among its neighbours, the other lists it back."""
        for record in kb.records():
            for kind, linked in kb.neighbours(record).items():
                assert kind in RECORD_TYPES
                for other in linked:
                    assert record in kb.neighbours(other).get(_kind(record), ())

    @given(knowledge_bases())
    def test_lineage_up_and_down_agree(self, kb: KnowledgeBase) -> None:
        """A is an ancestor of B exactly when B is a descendant of A."""
        for cell in kb.cell_types:
            for ancestor in kb.ancestors(cell):
                assert cell in kb.descendants(ancestor)

    def test_immune_cells_descend_from_hsc(self) -> None:
        """The lineage graph answers which immune cells come from HSCs."""
        descendants = _ids(load().descendants("HSC"))
        assert {"t-cell", "b-cell", "natural-killer-cell", "macrophage", "regulatory-t-cell"} <= set(descendants)

    def test_provenance(self) -> None:
        """references_for lists what a record cites, strongest tier first; deep adds findings' references."""
        kb = load()
        shallow = kb.references_for("autologous-hsct-for-multiple-sclerosis")
        deep = kb.references_for("autologous-hsct-for-multiple-sclerosis", deep=True)
        assert set(shallow) <= set(deep)
        assert [r.tier for r in deep] == sorted((r.tier for r in deep), reverse=True)

    def test_evidence_summary(self) -> None:
        """The summary for a disorder gathers options, findings and references."""
        summary = load().evidence_summary("systemic sclerosis")
        assert summary.strongest_evidence is EvidenceLevel.RANDOMIZED_TRIAL
        assert summary.findings
        assert sum(summary.references_by_tier.values()) == len(summary.references)


def _kind(record: Any) -> str:
    return next(kind for kind, cls in RECORD_TYPES.items() if type(record) is cls)


class TestGetAndSearch:
    @given(knowledge_bases())
    def test_get_finds_every_record_by_id_curie_and_synonym(self, kb: KnowledgeBase) -> None:
        """get() finds each record by its id, and by every CURIE and synonym that no other record shares."""
        owners: dict[str, set[str]] = {}
        for record in kb.records():
            for key in record_keys(record):  # every key get() indexes: id, name/title, synonyms, CURIEs, DOI, PMID
                owners.setdefault(key, set()).add(record.id)
        for record in kb.records():
            assert record is kb.get(record.id)
            for key in [*getattr(record, "synonyms", ()), *getattr(record, "xrefs", ())]:
                if owners[fold(key)] == {record.id}:
                    assert record is kb.get(key)
                    assert record is kb.get(key.upper())

    @given(knowledge_bases())
    def test_search_ranks_an_exact_name_first(self, kb: KnowledgeBase) -> None:
        """Searching a record's exact name puts a record matching that name exactly first, with score 1."""
        for record in kb.records():
            name = getattr(record, "name", None)
            if not name or not fold(name):
                continue
            first = kb.search(name, limit=1)[0]
            assert 1.0 == first.score
            assert fold(name) == fold(first.matched)

    @given(knowledge_bases(), st.text(max_size=20))
    def test_search_is_deterministic_and_sorted(self, kb: KnowledgeBase, text: str) -> None:
        """Search results are sorted by score and repeat exactly."""
        hits = kb.search(text, min_score=0.0)
        assert hits == kb.search(text, min_score=0.0)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    def test_search_tolerates_typos(self) -> None:
        """A misspelt disease name still finds it first."""
        assert "multiple-sclerosis" == load().search("multipel sclerosis")[0].record.id

    def test_search_restricted_to_kinds(self) -> None:
        """kinds= keeps only those collections, and unknown kinds are refused."""
        kb = load()
        assert {"therapies"} == {h.kind for h in kb.search("stem cell", kinds=["therapies"])}
        with pytest.raises(ValueError, match="unknown record kinds"):
            kb.search("x", kinds=["diseases"])
