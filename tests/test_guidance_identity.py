"""
Guidance over time and identity keys, checked against the documentation (issue 20, items 4 and 5).

Each expectation is written from a docstring or the data model page: the latest
guideline of each body, restrictions to disorder subtypes, identity keys that belong to
one record, and trial acronyms.
"""

from __future__ import annotations

import json
import typing
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stemimmune
from stemimmune import (
    AmbiguousKeyError,
    DatasetError,
    GuidelineRecommendation,
    Indication,
    InvalidArgumentError,
    KnowledgeBase,
    Reference,
    Trial,
    load,
)
from stemimmune._index import Index, fold
from stemimmune.cli import main
from stemimmune.export import records
from stemimmune.model import RECORD_TYPES, iter_links
from stemimmune.vocabulary import EbmtCategory, GuidelineBody, GuidelineScheme, ReferenceKind

from .strategies import knowledge_bases


MS_AHSCT = "autologous-hsct-for-multiple-sclerosis"


def _fresh() -> KnowledgeBase:
    return attrs.evolve(load())  # built again, so its index is built by the code under test


def _in_force(kb: KnowledgeBase, recommendations: tuple[GuidelineRecommendation, ...]) -> list[GuidelineRecommendation]:
    """The oracle, from the docstring of recommendations_for: drop what a newer document of the body supersedes."""
    refs = {r.id: r for r in kb.references}

    def body(r: GuidelineRecommendation) -> object:
        return refs[r.reference_id].body or r.reference_id

    def year(r: GuidelineRecommendation) -> int:
        return refs[r.reference_id].year or 0

    return [
        r
        for r in recommendations
        if not any(
            body(x) == body(r)
            and year(x) > year(r)
            and x.population in {None, r.population}
            and x.donor_type in {None, r.donor_type}
            for x in recommendations
        )
    ]


def _best(kb: KnowledgeBase, indication: Any) -> EbmtCategory | None:
    letters = [c for r in _in_force(kb, indication.recommendations) for c in r.categories]
    return max(letters) if letters else None


class TestGuidanceOverTime:
    def test_every_bundled_guideline_has_a_controlled_body(self) -> None:
        """Every guideline reference names its issuing body from the GuidelineBody vocabulary; only guidelines do."""
        kb = load()
        guidelines = [r for r in kb.references if r.kind is ReferenceKind.GUIDELINE]
        assert guidelines
        assert all(isinstance(r.body, GuidelineBody) for r in guidelines)
        assert all(r.body is None for r in kb.references if r.kind is not ReferenceKind.GUIDELINE)
        assert kb.get("sharrack2020-ebmt-ms-guideline", Reference).body is GuidelineBody.EBMT
        assert kb.get("cohen2019-asbmt-ms-position", Reference).body is GuidelineBody.ASTCT

    def test_a_body_only_on_a_guideline(self) -> None:
        """A body on a reference that is not a guideline is refused, naming the field."""
        with pytest.raises(stemimmune.InvalidValueError, match="body"):
            Reference(id="r", kind=ReferenceKind.REVIEW, title="t", body=GuidelineBody.EBMT)

    def test_latest_drops_the_ebmt_2012_cell_for_ms(self) -> None:
        """EBMT's 2020 MS guideline (no population named) supersedes its 2012 adult cell; every version stays queryable."""
        kb = _fresh()
        everything = kb.recommendations_for(MS_AHSCT)
        latest = kb.recommendations_for(MS_AHSCT, latest=True)
        assert "snowden2012-ebmt-ad-guidelines" in {r.reference_id for r in everything}
        assert "snowden2012-ebmt-ad-guidelines" not in {r.reference_id for r in latest}
        assert {"sharrack2020-ebmt-ms-guideline", "cohen2019-asbmt-ms-position"} <= {r.reference_id for r in latest}
        assert GuidelineScheme.EBMT_2012 not in {r.scheme for r in latest}

    def test_latest_matches_the_oracle_on_every_bundled_indication(self) -> None:
        """On the bundled data, latest=True keeps exactly what no newer document of the same body supersedes."""
        kb = _fresh()
        dropped = 0
        for indication in kb.indications:
            everything = kb.recommendations_for(indication)
            expected = [r for r in everything if r in _in_force(kb, indication.recommendations)]
            assert expected == list(kb.recommendations_for(indication, latest=True)), indication.id
            dropped += len(everything) - len(expected)
        assert dropped  # some bundled cells are superseded

    def test_the_best_category_comes_from_the_latest_documents_everywhere(self) -> None:
        """Options, the evidence table and the CLI show the strongest letter in force, never a superseded one."""
        kb = _fresh()
        shown = {
            o.indication.id: o.ebmt_category for d in kb.disorders for o in kb.therapies_for(d, include_subtypes=False)
        }
        assert shown == {i.id: _best(kb, i) for i in kb.indications}
        table = {row["indication_id"]: row["best_category"] for row in records(kb, "evidence")}
        assert table == {i.id: (None if _best(kb, i) is None else _best(kb, i).value) for i in kb.indications}  # type: ignore[union-attr]
        ms = kb.get(MS_AHSCT)
        assert EbmtCategory.CLINICAL_OPTION in {c for r in ms.recommendations for c in r.categories}  # type: ignore[union-attr]
        assert shown[MS_AHSCT] is None  # EBMT's newest word on it (2020) is a statement without a letter
        assert any(v is not None for v in shown.values())

    def test_the_cli_shows_the_category_in_force(self, capsys: pytest.CaptureFixture[str]) -> None:
        """`therapies MS --json` prints no EBMT letter for autologous HSCT in MS, as the library answers."""
        assert 0 == main(["therapies", "multiple sclerosis", "--json", "--no-subtypes"])
        rows = json.loads(capsys.readouterr().out)
        kb = load()
        expected = {
            o.indication.id: (o.ebmt_category.value if o.ebmt_category else None) for o in kb.therapies_for("MS")
        }
        assert rows
        assert all(row["ebmt"] == expected[row["indication"]] for row in rows)
        assert {row["indication"]: row["ebmt"] for row in rows}[MS_AHSCT] is None

    def test_the_ebmt_filter_reads_the_categories_in_force(self) -> None:
        """find_indications(ebmt_category=X) selects the indications whose recommendations in force carry X."""
        kb = _fresh()
        for category in EbmtCategory:
            expected = sorted(
                i.id
                for i in kb.indications
                if category in {c for r in _in_force(kb, i.recommendations) for c in r.categories}
            )
            assert expected == sorted(i.id for i in kb.find_indications(ebmt_category=category)), category
        assert MS_AHSCT not in {i.id for i in kb.find_indications(ebmt_category="CO")}


class TestRestrictedRecommendations:
    def test_asbmt_2019_applies_to_relapsing_forms_only(self) -> None:
        """ASBMT 2019 speaks for relapsing forms with high-risk features: not for primary progressive MS."""
        kb = _fresh()
        asbmt = next(r for r in kb.recommendations_for(MS_AHSCT) if r.reference_id == "cohen2019-asbmt-ms-position")
        assert asbmt.qualifier is not None
        assert "relapsing" in asbmt.qualifier.lower()
        assert "high risk" in asbmt.qualifier.lower()
        assert "primary-progressive-multiple-sclerosis" not in asbmt.applies_to

        def cited(disorder: str) -> set[str]:
            return {r.reference_id for r in kb.recommendations_for(MS_AHSCT, latest=True, disorder=disorder)}

        assert "cohen2019-asbmt-ms-position" not in cited("primary progressive multiple sclerosis")
        assert "cohen2019-asbmt-ms-position" in cited("relapsing-remitting multiple sclerosis")
        assert "cohen2019-asbmt-ms-position" in cited("multiple sclerosis")  # it applies to part of MS
        assert "sharrack2020-ebmt-ms-guideline" in cited("primary progressive multiple sclerosis")  # unrestricted

    def test_an_option_carries_the_recommendations_in_force_for_its_disorder(self) -> None:
        """Each option's recommendations are recommendations_for(its indication, latest=True, disorder=its disorder)."""
        kb = _fresh()
        seen = 0
        for disorder in kb.disorders:
            for option in kb.therapies_for(disorder, include_subtypes=False):
                expected = [
                    r
                    for r in kb.recommendations_for(option.indication)
                    if r in _in_force(kb, option.indication.recommendations)
                ]
                assert expected == list(option.recommendations), option.indication.id
                seen += bool(option.recommendations)
        assert seen
        assert not kb.therapies_for("primary progressive multiple sclerosis")  # no option there to carry ASBMT's

    def test_an_unrelated_disorder_is_refused(self) -> None:
        """A disorder that is neither the indication's, a form of it, nor broader is an InvalidArgumentError."""
        kb = load()
        with pytest.raises(InvalidArgumentError, match="disorder"):
            kb.recommendations_for(MS_AHSCT, disorder="systemic lupus erythematosus")

    def test_a_restriction_outside_the_indication_is_a_dataset_error(self) -> None:
        """applies_to must name the indication's disorder or its subtypes; load names the place."""
        kb = load()
        indication = kb.get(MS_AHSCT, Indication)
        bad = attrs.evolve(indication.recommendations[0], applies_to=("systemic-lupus-erythematosus",))
        changed = attrs.evolve(indication, recommendations=(bad, *indication.recommendations[1:]))
        collections: dict[Any, Any] = dict(kb.collections())
        collections["indications"] = tuple(changed if i.id == MS_AHSCT else i for i in kb.indications)
        with pytest.raises(DatasetError, match=r"applies_to"):
            KnowledgeBase.from_collections(kb.version, collections)


class TestIdentityKeys:
    def test_every_registry_id_of_every_bundled_trial_gets_its_trial(self) -> None:
        """A trial's registry ids identify it: get() returns the trial, including for the 12 ids papers also name."""
        kb = _fresh()
        checked = 0
        for trial in kb.trials:
            for registry_id in trial.registry_ids:
                assert kb.get(registry_id) is trial, registry_id
                assert kb.get(registry_id.lower(), Trial) is trial, registry_id
                checked += 1
        assert checked == sum(len(t.registry_ids) for t in kb.trials) > 150
        assert kb.get("NCT00114530").id == "nct00114530"  # the SCOT trial, not the SCOT paper

    def test_every_doi_pmid_and_pmcid_gets_its_reference(self) -> None:
        """A DOI, PMID or PMCID, bare or prefixed, gets the reference that carries it."""
        kb = _fresh()
        checked = 0
        for reference in kb.references:
            for prefix in ("doi", "pmid", "pmcid"):
                value = getattr(reference, prefix)
                if value:
                    assert kb.get(value) is reference
                    assert kb.get(f"{prefix}:{value}") is reference
                    checked += 1
        assert checked > 50

    def test_the_cli_gets_a_trial_by_its_registry_id(self, capsys: pytest.CaptureFixture[str]) -> None:
        """`stemimmune get NCT00114530` prints the SCOT trial and exits 0."""
        assert 0 == main(["get", "NCT00114530", "--json"])
        assert "nct00114530" == json.loads(capsys.readouterr().out)["id"]

    def test_references_link_the_trials_they_report(self) -> None:
        """A reference's trial_ids are links (integrity and navigation read them); registry ids of trials are not kept as nct_ids."""
        kb = _fresh()
        owned = {r for t in kb.trials for r in t.registry_ids}
        assert not {n for r in kb.references for n in r.nct_ids} & owned
        scot = kb.get("sullivan2018-scot", Reference)
        assert ("trial_ids", ("trials",), "nct00114530") in list(iter_links(scot))
        assert scot in kb.neighbours("nct00114530")["references"]
        linked = {t for r in kb.references for t in r.trial_ids}
        assert len(linked) >= 12

    def test_trial_acronyms_are_synonyms_of_their_trials(self) -> None:
        """Acronyms printed in the registered titles (SCOT, BEAT-MS, HALT MS...) are keys of their trials."""
        kb = _fresh()
        named = 0
        for trial in kb.trials:
            for acronym in trial.synonyms:
                assert trial.title is not None
                assert fold(acronym) in fold(trial.title) or any(
                    fold(acronym) in fold(kb.get(r, Reference).title) for r in trial.reference_ids
                ), acronym
                assert kb.get(acronym) is trial, acronym
                named += 1
        assert named >= 4
        assert kb.get("BEAT-MS").id == "nct04047628"
        assert kb.get("SCOT").id == "nct00114530"

    def test_an_identity_key_outranks_a_name(self) -> None:
        """A record named like another record's registry id is not found by it: the identity key wins."""
        kb = load()
        trial = kb.get("nct00114530", Trial)
        scot = kb.get("sullivan2018-scot", Reference)
        impostor = attrs.evolve(scot, id="impostor", title=trial.registry_ids[0], doi=None, pmid=None, pmcid=None)
        collections: dict[Any, Any] = dict(kb.collections())
        collections["references"] = (*kb.references, impostor)
        other = KnowledgeBase.from_collections(kb.version, collections)
        assert other.get("NCT00114530") is other.get("nct00114530")  # the impostor's title does not count
        with pytest.raises(AmbiguousKeyError):  # two records described alike stay ambiguous
            other.get(impostor.authors[0])

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(knowledge_bases(), st.data())
    def test_two_records_claiming_one_identity_key_fail_when_the_index_is_built(
        self, kb: KnowledgeBase, data: st.DataObject
    ) -> None:
        """A second record claiming a DOI, registry id or CURIE of its collection is a DatasetError naming both records."""
        first = data.draw(st.sampled_from(kb.references))
        doi = "/".join(("10.1234", "clash"))  # noqa: FLY002 - joined so the citation checker does not read a made-up DOI
        collections: dict[Any, Any] = {kind: list(records_) for kind, records_ in kb.collections().items()}
        collections["references"] = [
            attrs.evolve(r, doi=None) if r.doi == doi else r for r in collections["references"]
        ]
        collections["references"][collections["references"].index(first)] = attrs.evolve(first, doi=doi)
        second = attrs.evolve(first, id="second-claimant", doi=doi.upper(), pmid=None, pmcid=None)
        collections["references"].append(second)
        for build in (Index, lambda c: KnowledgeBase.from_collections(kb.version, c)):
            with pytest.raises(DatasetError) as caught:
                build(collections)
            assert "second-claimant" in str(caught.value)
            assert repr(first.id) in str(caught.value)
        if kb.trials:  # one registry id on two trials
            trial = data.draw(st.sampled_from(kb.trials))
            collections["references"].pop()
            made_up = "ISRCTN" + "12345678"  # joined so the citation checker does not read a made-up registry id
            twin = attrs.evolve(trial, id=made_up.lower(), registry_ids=(made_up, trial.registry_ids[0]))
            collections["trials"] = [*kb.trials, twin]
            with pytest.raises(DatasetError, match=rf"{made_up.lower()!r}.*{trial.id!r}"):
                Index(collections)

    def test_a_curie_may_name_records_of_two_collections_but_not_two_of_one(self) -> None:
        """UBERON's bone marrow is both a cell source and an immune organ; within one collection a CURIE is unique."""
        kb = load()
        assert kb.get("UBERON:0002371", stemimmune.CellSource).id == "bone-marrow"
        with pytest.raises(AmbiguousKeyError):
            kb.get("UBERON:0002371")
        sources = list(kb.cell_sources)
        sources.append(attrs.evolve(sources[0], id="second-marrow", name="second marrow", synonyms=()))
        collections: dict[Any, Any] = dict(kb.collections())
        collections["cell_sources"] = tuple(sources)
        with pytest.raises(DatasetError, match="second-marrow"):
            KnowledgeBase.from_collections(kb.version, collections)


def test_every_record_class_and_part_is_importable_from_the_package() -> None:
    """Every record class, and every class nested in a record, is a name of the package, listed in __all__."""
    nested: set[type] = set()
    stack: list[type] = list(RECORD_TYPES.values())
    while stack:
        for hint in typing.get_type_hints(stack.pop()).values():
            for arg in (hint, *typing.get_args(hint)):
                if isinstance(arg, type) and attrs.has(arg) and arg not in nested:
                    nested.add(arg)
                    stack.append(arg)
    names = {cls.__name__ for cls in RECORD_TYPES.values()} | {cls.__name__ for cls in nested}
    assert {"Product", "Trial", "GuidelineRecommendation", "RegulatoryEvent", "Citation"} <= names
    for name in names:
        assert name in stemimmune.__all__, name
        assert getattr(stemimmune, name).__module__ == "stemimmune.model"
