"""The bundled dataset covers the field the seeds describe, grounded in the literature (issue 3)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from stemimmune import load
from stemimmune.model import Finding
from stemimmune.vocabulary import DonorRelation, EvidenceLevel, RegulatoryDecision


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
    """Autologous and allogeneic HSCT, MSCs from three sources, gene-corrected HSCs, islets and the CAR-T comparator are present."""
    kb = load()
    sources = {s for t in kb.therapies if t.cell_type_id == "mesenchymal-stromal-cell" for s in t.source_ids}
    assert {"bone-marrow", "adipose-tissue", "umbilical-cord-tissue"} <= sources
    relations = {t.donor_relation for t in kb.therapies if t.cell_type_id == "hematopoietic-stem-cell"}
    assert {DonorRelation.AUTOLOGOUS, DonorRelation.ALLOGENEIC} == relations
    assert [False] == [t.is_stem_cell_therapy for t in kb.therapies if "car" in t.id]
    assert kb.get("gene-corrected-autologous-hsc")
    assert kb.get("stem-cell-derived-islets")


def test_regulatory_history_includes_a_withdrawal() -> None:
    """Regulatory statuses carry dates, and at least one records a withdrawal."""
    statuses = [s for t in load().therapies for s in t.regulatory]
    assert any(s.decision is RegulatoryDecision.WITHDRAWN for s in statuses)
    assert all(s.date for s in statuses if s.decision is not RegulatoryDecision.INVESTIGATIONAL)


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
