"""The bundled dataset covers the field the seeds describe, grounded in the literature (issue 3)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from stemimmune import load
from stemimmune.model import Finding, Product, Therapy
from stemimmune.vocabulary import (
    AstctCategory,
    DonorRelation,
    EbmtCategory,
    EvidenceLevel,
    GuidelineScheme,
    RegulatoryDecision,
)


EBMT_2012 = "snowden2012-ebmt-ad-guidelines"


@pytest.mark.parametrize(
    "name",
    [
        "multiple sclerosis",
        "systemic sclerosis",
        "systemic lupus erythematosus",
        "Crohn's disease",
        "rheumatoid arthritis",
        "vasculitis",
        "polymyositis-dermatomyositis",
        "chronic inflammatory demyelinating polyradiculoneuropathy",
        "neuromyelitis optica",
        "autoimmune cytopenias",
        "type 1 diabetes",
        "refractory coeliac disease type II",
        "juvenile idiopathic arthritis",
        "severe combined immunodeficiency",
        "ADA-SCID",
        "inflammatory bowel disease",
        "allergic disease",
        "acute graft-versus-host disease",
    ],
)
def test_every_listed_disorder_is_present(name: str) -> None:
    """Each disorder of the seeds and of the EBMT 2012 table is a disorder record."""
    assert type(load().get(name)).__name__ == "Disorder"


def test_all_sixty_ebmt_2012_rows_are_represented_once() -> None:
    """The 60 rows of the EBMT 2012 indication table each appear once, on an indication of the matching donor relation."""
    kb = load()
    rows = Counter(
        (i.disorder_id, r.population, r.donor_type)
        for i in kb.indications
        for r in i.recommendations
        if r.reference_id == EBMT_2012
    )
    assert 60 == sum(rows.values())
    assert 60 == len(rows)


def test_at_least_thirty_findings_each_citing() -> None:
    """At least 30 quantitative findings, each citing the reference that reports it."""
    findings = load().findings
    assert len(findings) >= 30
    assert all(f.citations for f in findings)


def test_every_therapy_and_indication_cites() -> None:
    """Every therapy and indication cites at least one reference."""
    kb = load()
    assert all(t.citations for t in kb.therapies)
    assert all(i.citations for i in kb.indications)


def test_therapy_kinds_are_covered() -> None:
    """Autologous and allogeneic HSCT, MSCs from three sources, gene-corrected HSCs, islets and the engineered T-cell comparators are present."""
    kb = load()
    sources = {s for t in kb.therapies if t.cell_type_id == "mesenchymal-stromal-cell" for s in t.source_ids}
    assert {"bone-marrow", "adipose-tissue", "umbilical-cord-tissue"} <= sources
    relations = {t.donor_relation for t in kb.therapies if t.cell_type_id == "hematopoietic-stem-cell"}
    assert {DonorRelation.AUTOLOGOUS, DonorRelation.ALLOGENEIC} == relations
    engineered = {"cd19-car-t", "bcma-car-t", "mrna-car-t", "allogeneic-car-t", "caar-t", "polyclonal-treg-therapy"}
    assert engineered <= {t.id for t in kb.therapies}
    assert not any(t.is_stem_cell_therapy for t in kb.therapies if t.id in engineered or t.id.endswith("car-t"))
    assert kb.get("gene-corrected-autologous-hsc")
    assert kb.get("stem-cell-derived-islets")


def test_regulatory_histories_match_their_sources() -> None:
    """The product histories the issue names: Alofisel's EU withdrawal, Ryoncil's paediatric US label, Waskyra's approvals."""
    kb = load()
    assert len(kb.products) >= 8
    events = [e for p in kb.products for e in p.events]
    assert any(e.decision is RegulatoryDecision.WITHDRAWN for e in events)
    assert all(e.start for e in events if e.decision in {RegulatoryDecision.APPROVED, RegulatoryDecision.WITHDRAWN})
    ryoncil = kb.get("Ryoncil", Product)
    approval = next(e for e in ryoncil.events if e.decision is RegulatoryDecision.APPROVED and e.jurisdiction == "US")
    assert (str(approval.date), "paediatric") == ("2024-12-18", (approval.label_population or "").split()[0])
    alofisel = kb.get("darvadstrocel", Product)
    assert alofisel is kb.get("Alofisel")
    assert alofisel.status("EU", "2024-01-01") is RegulatoryDecision.APPROVED
    assert alofisel.status("EU", "2025-01-01") is RegulatoryDecision.WITHDRAWN
    assert kb.get("Waskyra", Product).status("US") is RegulatoryDecision.APPROVED
    assert kb.get("Strimvelis", Product).status("EU") is RegulatoryDecision.APPROVED
    assert not kb.get("Lantidra", Product).therapy_id.startswith("stem")
    assert not kb.get(kb.get("Lantidra", Product).therapy_id, Therapy).is_stem_cell_therapy


def test_later_guidelines_are_encoded() -> None:
    """SCID, non-SCID CID and primary HLH carry EBMT 2022/2025 cells; MS carries ASBMT 2019's category."""
    kb = load()
    for disorder in ("SCID", "non-SCID combined immunodeficiency", "primary HLH"):
        indication = next(o.indication for o in kb.therapies_for(disorder, include_subtypes=False))
        newest = kb.recommendations_for(indication, latest=True)
        assert {r.scheme for r in newest} == {GuidelineScheme.EBMT_2019}, disorder
        assert EbmtCategory.STANDARD_OF_CARE in {r.category for r in newest}, disorder
    ms = kb.recommendations_for("autologous-hsct-for-multiple-sclerosis")
    assert AstctCategory.CLINICAL_EVIDENCE_AVAILABLE in {r.astct_category for r in ms}
    assert GuidelineScheme.EBMT_2012 in {r.scheme for r in ms}  # every version is kept
    cited = {c.reference_id for r in kb.records() for c in getattr(r, "citations", ())}
    assert {
        "snowden2022-ebmt-indications",
        "alexander2025-ebmt-rmd-recommendations",
        "greco2025-ebmt-indications",
    } <= cited
    assert kb.get_or_none("duarte2019-ebmt-indications") is None  # supported no cell seen on a stored page


def test_treatment_related_mortality_is_per_study() -> None:
    """Treatment-related mortality appears only in findings, each tied to one study, never on a disorder."""
    kb = load()
    trm = [f for f in kb.findings if re.search(r"treatment-related|transplant-related", f.endpoint, re.IGNORECASE)]
    assert trm
    assert all(len({c.reference_id for c in f.citations}) >= 1 for f in trm)
    assert not any(re.search(r"\d+(\.\d+)?\s*%", d.description or "") for d in kb.disorders)


def _numbers(finding: Finding) -> set[float]:
    """The numbers a result states, counting "no ..." as 0 and "all ..." as 100 percent."""
    found = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", finding.result)}
    if re.search(r"\bno\b", finding.result, re.IGNORECASE):
        found.add(0.0)
    if re.search(r"\ball\b", finding.result, re.IGNORECASE):
        found.add(100.0)
    return found


def test_findings_that_state_an_effect_state_it_in_the_result() -> None:
    """Every number in a finding's effect also appears in its result text, so the table and the words agree."""
    mismatches = [
        (finding.id, value)
        for finding in load().findings
        if finding.effect is not None
        for value in (finding.effect.value, finding.effect.ci_low, finding.effect.ci_high)
        if value is not None and abs(value) not in _numbers(finding)
    ]
    assert [] == mismatches


def test_randomized_evidence_is_cited_from_randomized_or_pooled_sources() -> None:
    """An indication graded randomized-trial cites at least one randomized trial or meta-analysis."""
    kb = load()
    for indication in kb.indications:
        if indication.evidence_level is EvidenceLevel.RANDOMIZED_TRIAL:
            kinds = {kb.get(c.reference_id).kind.value for c in indication.citations}  # type: ignore[union-attr]
            assert kinds & {"randomized-trial", "meta-analysis"}, indication.id


@pytest.mark.parametrize("disorder", ["myasthenia gravis", "stiff-person syndrome", "neuromyelitis optica"])
def test_neurological_disorders_have_an_engineered_t_cell_option(disorder: str) -> None:
    """therapies_for lists a CAR-T comparator (a non-stem therapy whose cell is a CAR T cell) for the disorders of issue 22."""
    kb = load()
    record = kb.get(disorder)
    wanted = {
        i.therapy_id
        for i in kb.indications
        if i.disorder_id == record.id
        and not kb.get(i.therapy_id, Therapy).is_stem_cell_therapy
        and kb.get(i.therapy_id, Therapy).cell_type_id in {"car-t-cell", "cd19-car-t-cell"}
    }
    assert wanted
    assert wanted <= {option.therapy.id for option in kb.therapies_for(disorder)}


def test_frontier_products_and_treg_therapy_resolve() -> None:
    """Kresladi, amimestrocel and Orca-T are products, and a regulatory T-cell therapy is a therapy (issue 22)."""
    kb = load()
    kresladi = kb.get("Kresladi", Product)
    assert kresladi.generic_name == "marnetegragene autotemcel"
    assert kresladi.status("US", on="2026-04-30") is RegulatoryDecision.CONDITIONALLY_APPROVED
    assert kresladi.status("US", on="2026-02-28") is None
    amimestrocel = kb.get("amimestrocel", Product)
    assert amimestrocel.status("CN", on="2025-01-02") is RegulatoryDecision.CONDITIONALLY_APPROVED
    assert amimestrocel.status("CN", on="2025-01-01") is None
    assert kb.get("Orca-T", Product).therapy_id == "treg-enriched-graft"
    treg = kb.get("Treg therapy", Therapy)
    assert treg.cell_type_id == "regulatory-t-cell"
    assert not treg.is_stem_cell_therapy
    assert len(kb.therapies) >= 20
    assert len(kb.products) >= 16
