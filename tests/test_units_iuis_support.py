"""IUIS categories on inborn errors, effect units as a vocabulary, and findings that support several indications."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import stemimmune
from stemimmune import DatasetError, KnowledgeBase
from stemimmune.exceptions import InvalidValueError
from stemimmune.model import Citation, Disorder, Effect, Finding
from stemimmune.serialization import from_json
from stemimmune.vocabulary import (
    AutoimmuneScope,
    DisorderCategory,
    EbmtCategory,
    EbmtGrade,
    EffectMeasure,
    EffectUnit,
    EvidenceLevel,
    IuisCategory,
    Population,
)


ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "stemimmune" / "data"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return stemimmune.load()


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("migrate_effect_units", ROOT / "scripts" / "migrate_effect_units.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def structure(value: dict[str, Any], cls: type[Any]) -> Any:
    """Parse a JSON object into *cls* with the loader's checks."""
    return from_json(json.dumps(value), cls)


def _disorder(category: DisorderCategory, iuis: IuisCategory | None) -> Disorder:
    return Disorder(id="d", name="d", category=category, iuis_category=iuis)


class TestIuisCategory:
    def test_tables_are_numbered_in_the_iuis_order(self) -> None:
        """The ten IUIS tables, as the classification numbers them (docstring of IuisCategory)."""
        order = [
            "cellular-and-humoral",
            "combined-syndromic",
            "antibody-deficiency",
            "immune-dysregulation",
            "phagocyte-defect",
            "intrinsic-innate",
            "autoinflammatory",
            "complement",
            "bone-marrow-failure",
            "phenocopy",
        ]
        assert [(c.value, c.table) for c in IuisCategory] == [(v, n) for n, v in enumerate(order, start=1)]

    @pytest.mark.parametrize("iuis", list(IuisCategory))
    def test_any_table_on_an_immunodeficiency(self, iuis: IuisCategory) -> None:
        assert _disorder(DisorderCategory.IMMUNODEFICIENCY, iuis).iuis_category is iuis

    def test_table_9_on_a_bone_marrow_failure(self) -> None:
        disorder = _disorder(DisorderCategory.BONE_MARROW_FAILURE, IuisCategory.BONE_MARROW_FAILURE)
        assert disorder.iuis_category.table == 9  # type: ignore[union-attr]

    def test_other_tables_refused_on_a_bone_marrow_failure(self) -> None:
        with pytest.raises(InvalidValueError, match=r"iuis_category.*table 9"):
            _disorder(DisorderCategory.BONE_MARROW_FAILURE, IuisCategory.PHAGOCYTE_DEFECT)

    @pytest.mark.parametrize(
        "category", [DisorderCategory.ALLERGIC, DisorderCategory.ALLOIMMUNE, DisorderCategory.IMMUNE_MEDIATED]
    )
    def test_refused_outside_inborn_errors(self, category: DisorderCategory) -> None:
        with pytest.raises(InvalidValueError, match=r"iuis_category.*inborn errors of immunity"):
            _disorder(category, IuisCategory.IMMUNE_DYSREGULATION)

    def test_refused_on_an_autoimmune_disorder(self) -> None:
        with pytest.raises(InvalidValueError, match="iuis_category"):
            Disorder(
                id="d",
                name="d",
                category=DisorderCategory.AUTOIMMUNE,
                scope=AutoimmuneScope.SYSTEMIC,
                iuis_category=IuisCategory.IMMUNE_DYSREGULATION,
            )

    def test_loads_from_json(self) -> None:
        disorder = structure(
            {"id": "x", "name": "x", "category": "immunodeficiency", "iuis_category": "phagocyte-defect"}, Disorder
        )
        assert disorder.iuis_category is IuisCategory.PHAGOCYTE_DEFECT

    def test_bundled_inborn_errors_carry_a_category(self, kb: KnowledgeBase) -> None:
        """Every disorder under 'inborn-error-of-immunity' (its subtypes, at any depth) has an IUIS category."""
        parents = {d.id: d.parent_ids for d in kb.disorders}

        def under(disorder_id: str) -> bool:
            return any(p == "inborn-error-of-immunity" or under(p) for p in parents[disorder_id])

        subtypes = [d for d in kb.disorders if under(d.id)]
        assert subtypes
        assert [d.id for d in subtypes if d.iuis_category is None] == []


class TestEffectUnits:
    @pytest.mark.parametrize(
        ("measure", "unit"),
        [
            (EffectMeasure.PROPORTION, EffectUnit.PERCENT),
            (EffectMeasure.RISK_DIFFERENCE, EffectUnit.PERCENTAGE_POINTS),
            (EffectMeasure.COUNT, EffectUnit.PATIENTS),
            (EffectMeasure.COUNT, EffectUnit.EVENTS),
            (EffectMeasure.MEAN, EffectUnit.POINTS),
            (EffectMeasure.MEDIAN, EffectUnit.MONTHS),
            (EffectMeasure.MEAN_DIFFERENCE, EffectUnit.POINTS),
        ],
    )
    def test_fitting_units(self, measure: EffectMeasure, unit: EffectUnit) -> None:
        assert Effect(measure=measure, value=1.0, unit=unit).unit is unit

    @pytest.mark.parametrize(
        ("measure", "unit"),
        [
            (EffectMeasure.PROPORTION, EffectUnit.PATIENTS),
            (EffectMeasure.HAZARD_RATIO, EffectUnit.PERCENT),
            (EffectMeasure.ODDS_RATIO, EffectUnit.POINTS),
            (EffectMeasure.COUNT, EffectUnit.PERCENT),
            (EffectMeasure.RISK_DIFFERENCE, EffectUnit.PERCENT),
        ],
    )
    def test_units_that_do_not_fit_are_refused(self, measure: EffectMeasure, unit: EffectUnit) -> None:
        with pytest.raises(InvalidValueError, match=f"unit.*{measure.value}"):
            Effect(measure=measure, value=1.0, unit=unit)

    def test_free_text_unit_is_refused(self) -> None:
        with pytest.raises(DatasetError, match="EffectUnit"):
            structure({"measure": "count", "value": 6, "unit": "of 14 patients"}, Effect)

    def test_count_out_of_a_denominator(self) -> None:
        effect = structure({"measure": "count", "value": 6, "unit": "patients", "denominator": 14}, Effect)
        assert (effect.value, effect.denominator, effect.unit) == (6, 14, EffectUnit.PATIENTS)

    def test_denominator_below_the_count_is_refused(self) -> None:
        with pytest.raises(InvalidValueError, match="denominator"):
            Effect(measure=EffectMeasure.COUNT, value=15.0, denominator=14)

    def test_denominator_only_on_a_count(self) -> None:
        with pytest.raises(InvalidValueError, match="only a count has a denominator"):
            Effect(measure=EffectMeasure.PROPORTION, value=40.0, denominator=14)

    def test_bundled_units_fit_and_no_free_text_is_left(self, kb: KnowledgeBase) -> None:
        effects = [f.effect for f in kb.findings if f.effect is not None]
        assert all(e.unit is None or isinstance(e.unit, EffectUnit) for e in effects)
        assert all(e.unit is None or e.measure in e.unit.fits for e in effects)
        assert all(e.denominator is None or e.value <= e.denominator for e in effects)


class TestMigration:
    OLD = (
        ({"measure": "count", "value": 6, "unit": "of 14 patients"}, 14, {"unit": "patients", "denominator": 14}),
        (
            {"measure": "count", "value": 4, "unit": "of 5 with viraemia"},
            5,
            {"unit": "patients", "denominator": 5, "annotation": "with viraemia"},
        ),
        (
            {"measure": "risk-difference", "value": 15.8, "unit": "percentage points"},
            None,
            {"unit": "percentage-points"},
        ),
        (
            {"measure": "mean", "value": 62.5, "unit": "CDAI points (decrease, MSC arm)"},
            82,
            {"unit": "points", "annotation": "CDAI, decrease in the MSC arm"},
        ),
        (
            {"measure": "proportion", "value": 81, "unit": "percent (5-year overall survival)"},
            28,
            {"unit": "percent", "annotation": "5-year overall survival"},
        ),
        ({"measure": "mean", "value": 4.2, "unit": "mg/day (decrease, MSC arm)"}, 82, {"unit": "mg-per-day"}),
    )

    @pytest.mark.parametrize(("effect", "n", "expected"), OLD)
    def test_maps_old_units_and_loads(self, effect: dict[str, Any], n: int | None, expected: dict[str, Any]) -> None:
        migrated, change = _migration().migrate_effect(dict(effect), n)
        assert change is not None
        assert {k: migrated[k] for k in expected} == expected
        assert migrated["value"] == effect["value"]
        structure(migrated, Effect)  # the result is valid
        again, second = _migration().migrate_effect(migrated, n)
        assert (again, second) == (migrated, None)  # idempotent

    def test_a_sample_size_in_a_count_drops_the_effect(self) -> None:
        effect, change = _migration().migrate_effect({"measure": "count", "value": 21, "unit": "randomised"}, 21)
        assert effect is None
        assert "sample size" in (change or "")

    def test_a_sample_size_that_is_not_n_is_reported(self) -> None:
        with pytest.raises(ValueError, match="sample size"):
            _migration().migrate_effect({"measure": "count", "value": 20, "unit": "randomised"}, 21)

    def test_an_unknown_unit_is_reported_and_left(self) -> None:
        document: dict[str, Any] = {
            "findings": [
                {"id": "a", "effect": {"measure": "mean", "value": 1, "unit": "furlongs per fortnight"}},
                {"id": "b", "effect": {"measure": "count", "value": 1, "unit": "of 2 patients"}},
                {"id": "c", "effect": {"measure": "count", "value": 1, "unit": "patients", "denominator": 2}},
            ]
        }
        changes, problems = _migration().migrate_document(document, "x.json")
        assert len(changes) == 1
        assert "'b'" in changes[0]
        assert len(problems) == 1
        assert "'a'" in problems[0]
        assert "furlongs" in problems[0]
        assert document["findings"][0]["effect"]["unit"] == "furlongs per fortnight"
        assert document["findings"][1]["effect"] == document["findings"][2]["effect"]

    def test_bundled_files_are_migrated(self) -> None:
        for path in sorted(DATA.glob("*.json")):
            changes, problems = _migration().migrate_document(json.loads(path.read_text("utf-8")), path.name)
            assert (changes, problems) == ([], []), path.name


class TestAlsoSupports:
    def test_own_indication_is_refused(self) -> None:
        with pytest.raises(InvalidValueError, match=r"also_supports.*own indication_id"):
            Finding(
                id="f",
                indication_id="i",
                also_supports=("j", "i"),
                design=EvidenceLevel.CASE_SERIES,
                population="p",
                endpoint="e",
                result="r",
                citations=(Citation(reference_id="r"),),
            )

    def test_indication_ids_lists_its_own_first(self, kb: KnowledgeBase) -> None:
        finding = kb.get("mist-progression-hazard-ratio", Finding)
        assert finding.indication_ids == (finding.indication_id, *finding.also_supports)
        assert len(finding.indication_ids) > 1

    def test_mist_hazard_ratio_is_one_finding(self, kb: KnowledgeBase) -> None:
        """The MIST hazard ratio (burt2019-mist, 0.07) is recorded once."""
        same = [
            f
            for f in kb.findings
            if f.effect is not None
            and f.effect.measure is EffectMeasure.HAZARD_RATIO
            and f.effect.value == 0.07
            and any(c.reference_id == "burt2019-mist" for c in f.citations)
        ]
        assert [f.id for f in same] == ["mist-progression-hazard-ratio"]

    def test_finding_shows_under_each_indication_it_supports(self, kb: KnowledgeBase) -> None:
        """Evidence summaries show a finding under every indication it supports, once."""
        supporting = [f for f in kb.findings if f.also_supports]
        assert supporting
        for finding in supporting:
            for indication_id in finding.indication_ids:
                disorder_id = kb.get(indication_id).disorder_id  # type: ignore[union-attr]
                summary = kb.evidence_summary(disorder_id)
                if indication_id in {o.indication.id for o in summary.options}:
                    assert finding in summary.findings
                ids = [f.id for f in summary.findings]
                assert len(ids) == len(set(ids))
            cited = {r.id for r in kb.references_for(kb.get(finding.also_supports[0]), deep=True)}
            assert {c.reference_id for c in finding.citations} <= cited

    def test_index_files_a_finding_under_every_indication_it_supports(self, kb: KnowledgeBase) -> None:
        """Oracle: an indication's findings are those whose indication_id or also_supports names it."""
        index = kb._index()
        for indication in kb.indications:
            expected = [f.id for f in kb.findings if indication.id in (f.indication_id, *f.also_supports)]
            assert [f.id for f in index.findings_by_indication.get(indication.id, ())] == expected

    def test_another_therapy_is_refused_by_the_loader(self, tmp_path: Path) -> None:
        folder = tmp_path / "data"
        shutil.copytree(DATA, folder)
        path = folder / "area-neurology.json"
        document = json.loads(path.read_text("utf-8"))
        finding = next(f for f in document["findings"] if f["id"] == "mist-progression-hazard-ratio")
        finding["also_supports"] = ["allogeneic-hsct-for-multiple-sclerosis"]
        path.write_text(json.dumps(document), "utf-8")
        with pytest.raises(
            DatasetError, match=r"another therapy: .allogeneic-hsct-for-multiple-sclerosis. is of .allogeneic-hsct."
        ):
            stemimmune.load(folder)

    def test_an_unknown_indication_is_refused_by_the_loader(self, tmp_path: Path) -> None:
        folder = tmp_path / "data"
        shutil.copytree(DATA, folder)
        path = folder / "area-neurology.json"
        document = json.loads(path.read_text("utf-8"))
        finding = next(f for f in document["findings"] if f["id"] == "mist-progression-hazard-ratio")
        finding["also_supports"] = ["no-such-indication"]
        path.write_text(json.dumps(document), "utf-8")
        with pytest.raises(DatasetError, match=r"also_supports.*no-such-indication"):
            stemimmune.load(folder)


class TestInbornErrorsAndGuidelineCells:
    """The dataset items of issue #22 that this change adds (inborn errors, EBMT cells)."""

    def test_lad_i_resolves(self, kb: KnowledgeBase) -> None:
        assert kb.get("LAD-I").id == "leukocyte-adhesion-deficiency-type-1"

    @pytest.mark.parametrize(
        "name",
        [
            "X-linked lymphoproliferative disease",
            "Chediak-Higashi syndrome",
            "Griscelli syndrome type 2",
            "ALPS",
            "severe congenital neutropenia",
            "congenital athymia",
            "IL-10 receptor deficiency",
            "CVID",
            "MHC class I deficiency",
            "XLT",
            "cartilage-hair hypoplasia",
            "Artemis-SCID",
            "inherited bone marrow failure syndrome",
        ],
    )
    def test_payer_listed_inborn_errors_have_an_allogeneic_option(self, kb: KnowledgeBase, name: str) -> None:
        """Each concept the coverage audit found missing is a disorder with a stem-cell option of its own."""
        disorder = kb.get(name, Disorder)
        own = [i for i in kb.indications if i.disorder_id == disorder.id]
        assert own
        assert {o.indication.id for o in kb.therapies_for(disorder)} >= {i.id for i in own}

    def test_aplastic_anaemia_shows_the_ebmt_2022_and_2025_cells(self, kb: KnowledgeBase) -> None:
        """The acquired-SAA rows: 3 cells in EBMT 2022 Table 3, 6 in EBMT 2025 Table 2 (two rows)."""
        options = kb.therapies_for("aplastic anaemia")
        allo = [o for o in options if o.indication.id == "allogeneic-hsct-for-acquired-aplastic-anaemia"]
        assert len(allo) == 1
        cells = [r for r in allo[0].indication.recommendations if "Acquired SAA" in (r.locator or "")]
        as_printed = sorted(
            (r.reference_id, r.locator, r.donor_type.value, "/".join(c.value for c in r.categories), r.grade.value)  # type: ignore[union-attr]
            for r in cells
        )
        t3, new, rr = (
            "Table 3, row 'Acquired SAA'",
            "Table 2, row 'Acquired SAA, newly diagnosed'",
            ("Table 2, row 'Acquired SAA, relapse/refractory'"),
        )
        s22, g25 = "snowden2022-ebmt-indications", "greco2025-ebmt-indications"
        assert as_printed == sorted(
            [
                (s22, t3, "MSD", "S", "II"),
                (s22, t3, "MUD", "S", "II"),
                (s22, t3, "MMAD", "CO", "II"),
                (g25, new, "MSD", "S", "II"),
                (g25, new, "MUD", "S", "II"),
                (g25, new, "MMAD", "D", "II"),
                (g25, rr, "MSD", "S", "I"),
                (g25, rr, "MUD", "S", "II"),
                (g25, rr, "MMAD", "CO", "II"),
            ]
        )
        in_force = {(r.reference_id, r.locator) for r in allo[0].recommendations}
        assert in_force == {(g25, new), (g25, rr)}  # the 2025 rows supersede the 2022 row

    def test_paediatric_autoimmune_group_row(self, kb: KnowledgeBase) -> None:
        """EBMT 2022's 'AD including monogenic AD' row (CO/II in all four columns) on the childhood-onset indications."""
        group = [
            (i.id, r.donor_type.value)  # type: ignore[union-attr]
            for i in kb.indications
            for r in i.recommendations
            if "AD including monogenic AD" in (r.locator or "")
            and r.categories == (EbmtCategory.CLINICAL_OPTION,)
            and r.grade is EbmtGrade.II
            and r.population is Population.PAEDIATRIC
        ]
        assert {donor for _, donor in group} == {"MSD", "MUD", "MMAD", "autologous"}
        assert {i for i, _ in group} == {
            "allogeneic-hsct-for-juvenile-idiopathic-arthritis",
            "autologous-hsct-for-juvenile-idiopathic-arthritis",
            "autologous-hsct-for-paediatric-systemic-lupus-erythematosus",
        }

    def test_insertional_oncogenesis_is_a_risk_of_the_gene_therapies(self, kb: KnowledgeBase) -> None:
        risk = kb.get("insertional oncogenesis")
        gene_therapy = [i for i in kb.indications if i.therapy_id == "gene-corrected-autologous-hsc"]
        assert gene_therapy
        assert all(risk.id in i.risk_ids for i in gene_therapy)

    def test_ada_scid_icd10_is_the_scid_code(self, kb: KnowledgeBase) -> None:
        xrefs = kb.get("ada-scid", Disorder).xrefs
        assert "ICD10CM:D81.31" in xrefs
        assert "ICD10CM:D81.30" not in xrefs
