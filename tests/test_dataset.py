"""Integrity of the bundled dataset, beyond the rules every knowledge base obeys."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import pytest

from stemimmune import Disorder, load
from stemimmune._index import fold
from stemimmune.serialization import canonical_document
from stemimmune.vocabulary import ReferenceKind


ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA_FILES = sorted(
    (f for f in files("stemimmune").joinpath("data").iterdir() if f.name.endswith(".json")), key=lambda f: f.name
)


@pytest.mark.parametrize("entry", DATA_FILES, ids=lambda f: f.name)
def test_files_are_canonical(entry: Traversable) -> None:
    """Each data file equals its own canonical re-serialisation, byte for byte."""
    text = entry.read_text(encoding="utf-8")
    assert canonical_document(text, file=entry.name) == text


def test_ids_are_unique_after_folding() -> None:
    """No two ids differ only by case or punctuation."""
    counts = Counter(fold(r.id) for r in load().records())
    assert [] == [k for k, n in counts.items() if n > 1]


#: Generic terms shared on purpose: they name either record, so get() lists both instead of picking one.
GENERIC_TERMS = {
    fold(term): {"autologous-hsct", "allogeneic-hsct"}
    for term in ("HSCT", "stem cell transplant", "stem cell transplantation")
}


def test_names_and_synonyms_do_not_collide_across_records() -> None:
    """A folded name or synonym points to one record only, so get() is never ambiguous on them, but generic terms."""
    owners: dict[str, set[str]] = {}
    for record in load().records():
        for key in [getattr(record, "name", None), *getattr(record, "synonyms", ())]:
            if key:
                owners.setdefault(fold(key), set()).add(record.id)
    assert GENERIC_TERMS == {k: v for k, v in owners.items() if len(v) > 1}


def test_no_stray_whitespace_in_text() -> None:
    """No text field has doubled spaces or tabs."""
    bad = re.compile(r"  |\t|\n")
    offenders = []
    for entry in DATA_FILES:
        for line_no, line in enumerate(entry.read_text(encoding="utf-8").splitlines(), 1):
            value = line.strip()
            if value.startswith('"') and ": " in value and bad.search(value.split(": ", 1)[1]):
                offenders.append(f"{entry.name}:{line_no}")
    assert [] == offenders


class TestSeedCoverage:
    """Every concept the seed articles describe is in the bundled data (issue 2)."""

    @pytest.mark.parametrize(
        "key",
        [
            "T cell",
            "B cell",
            "regulatory T cell",
            "natural killer cell",
            "macrophage",
            "dendritic cell",
            "bone marrow",
            "thymus",
            "lymph node",
            "spleen",
            "IL-10",
            "TGF-beta",
            "HSC",
            "MSC",
            "bone-marrow",
            "mobilized peripheral blood",
            "umbilical cord blood",
            "adipose tissue",
            "RA",
            "MS",
            "T1D",
            "SLE",
            "systemic sclerosis",
            "inflammatory bowel disease",
            "SCID",
            "allergy",
            "immune-replacement",
            "immune-reset",
            "msc-immunomodulation",
            "tissue-repair",
            "graft-versus-host disease",
            "cell-sourcing",
            "cell-delivery",
            "protocol-standardization",
            "regulation",
            "patient-selection",
            "long-term-safety",
            "autologous-hsct",
            "allogeneic-hsct",
        ],
    )
    def test_concept_is_reachable(self, key: str) -> None:
        """The concept is found by name, synonym or id."""
        assert load().get(key) is not None

    def test_immune_reset_names_conditioning_and_graft_processing(self) -> None:
        """Autologous HSCT records its conditioning and graft-processing steps."""
        steps = {s.kind.value for s in load().get("autologous-hsct").procedure}  # type: ignore[union-attr]
        assert {"conditioning", "graft-processing", "mobilization", "harvest", "infusion"} <= steps

    def test_seeds_are_references_of_their_true_kinds(self) -> None:
        """Two seeds are general articles and the clinic's post is promotional material."""
        kinds = Counter(r.kind for r in load().references if r.id.startswith("seed-"))
        assert {ReferenceKind.GENERAL_ARTICLE: 2, ReferenceKind.PROMOTIONAL_MATERIAL: 1} == kinds


@pytest.mark.skipif(not (SHARED / "tools").is_dir(), reason="the project's shared/ folder is not beside this checkout")
@pytest.mark.parametrize("tool", ["check_citations.py", "seed_overlap.py"])
def test_shared_checkers_pass(tool: str) -> None:
    """Every identifier is in the verified catalogs or the ledger, and nothing repeats a seed word for word."""
    result = subprocess.run(
        [sys.executable, str(SHARED / "tools" / tool), str(ROOT)], capture_output=True, text=True, check=False
    )
    assert 0 == result.returncode, result.stdout[-3000:]


def test_every_record_that_states_a_number_cites_a_source() -> None:
    """A record whose text states a number cites the reference that reports it."""
    digits = re.compile(r"\d")
    uncited = []
    for record in load().records():
        texts = [getattr(record, name, None) for name in ("description", "summary", "result")]
        if any(t and digits.search(t) for t in texts) and not getattr(record, "citations", ("reference",)):
            uncited.append(record.id)
    assert [] == uncited


#: Each disorder issue 12 names, with the names, abbreviations and spelling variants a clinician types for it.
ISSUE_12_DISORDERS: dict[str, tuple[str, ...]] = {
    "inborn-error-of-immunity": ("inborn error of immunity", "IEI", "primary immunodeficiency"),
    "severe-combined-immunodeficiency": ("severe combined immunodeficiency", "SCID"),
    "x-linked-scid": ("X-SCID",),
    "ada-scid": ("ADA-SCID",),
    "non-scid-combined-immunodeficiency": ("non-SCID combined immunodeficiency", "CID"),
    "wiskott-aldrich-syndrome": ("Wiskott-Aldrich syndrome", "WAS"),
    "chronic-granulomatous-disease": ("chronic granulomatous disease", "CGD"),
    "ipex-syndrome": ("IPEX",),
    "primary-haemophagocytic-lymphohistiocytosis": (
        "primary HLH",
        "HLH",
        "FHL",
        "haemophagocytic lymphohistiocytosis",
        "hemophagocytic lymphohistiocytosis",
        "familial hemophagocytic lymphohistiocytosis",
    ),
    "acute-graft-versus-host-disease": ("acute GVHD", "aGVHD"),
    "chronic-graft-versus-host-disease": ("chronic GVHD", "cGVHD"),
    "myasthenia-gravis": ("myasthenia gravis", "MG"),
    "stiff-person-spectrum-disorder": ("stiff-person syndrome", "stiff person syndrome", "SPS"),
    "sjogren-syndrome": ("Sjögren's syndrome", "Sjogren's syndrome", "Sjogren syndrome"),
    "antiphospholipid-syndrome": ("antiphospholipid syndrome", "APS"),
    "atopic-dermatitis": ("atopic dermatitis", "atopic eczema"),
    "aplastic-anaemia": ("aplastic anaemia", "aplastic anemia"),
    "acquired-aplastic-anaemia": ("severe aplastic anaemia", "SAA"),
    "systemic-sclerosis": ("systemic sclerosis", "SSc", "juvenile SSc", "juvenile systemic sclerosis", "JSSc"),
    "paediatric-systemic-lupus-erythematosus": ("juvenile SLE", "jSLE", "pediatric SLE", "childhood-onset SLE"),
    "lupus-nephritis": ("lupus nephritis", "LN"),
    "neuromyelitis-optica": ("NMOSD", "neuromyelitis optica spectrum disorder"),
    "type-1-diabetes": ("T1DM", "T1D", "type 1 diabetes mellitus"),
    "polymyositis-dermatomyositis": ("polymyositis", "dermatomyositis", "PM/DM"),
    "coeliac-disease": ("coeliac disease", "celiac disease", "celiac", "coeliac"),
    "refractory-coeliac-disease-type-ii": (
        "refractory celiac disease type II",
        "RCD II",
        "refractory coeliac disease type 2",
    ),
}


@pytest.mark.parametrize(("disorder_id", "keys"), ISSUE_12_DISORDERS.items(), ids=list(ISSUE_12_DISORDERS))
def test_issue_12_disorders_resolve_by_name_and_abbreviation(disorder_id: str, keys: tuple[str, ...]) -> None:
    """Every disorder issue 12 lists is one get() away by its names, abbreviations and spelling variants."""
    kb = load()
    assert [disorder_id] * len(keys) == [kb.get(key, Disorder).id for key in keys]


def test_celiac_is_coeliac_disease_whose_transplant_evidence_is_for_its_refractory_form_only() -> None:
    """
    "celiac" names coeliac disease itself; the therapies it lists all concern refractory type II, a subtype.

    So therapies_for("celiac") never presents transplant evidence as if it were for ordinary coeliac disease:
    each option names the refractory form as its disorder, and leaving subtypes out leaves nothing.
    """
    kb = load()
    options = kb.therapies_for("celiac")
    assert options
    assert {"refractory-coeliac-disease-type-ii"} == {o.disorder.id for o in options}
    assert () == tuple(kb.therapies_for("celiac", include_subtypes=False))


_NO_INDICATION_REASON = re.compile(r"\b(no indication|a grouping)\b", re.IGNORECASE)


def test_a_disorder_without_indications_says_why() -> None:
    """Each disorder with no indication says why in its description (no indication of its own, or a grouping)."""
    kb = load()
    with_indication = {i.disorder_id for i in kb.indications}
    silent = [
        d.id
        for d in kb.disorders
        if d.id not in with_indication and not _NO_INDICATION_REASON.search(d.description or "")
    ]
    assert [] == silent


_ACTIVE = {"not-yet-recruiting", "recruiting", "enrolling-by-invitation", "active-not-recruiting", "suspended"}


def test_trial_status_dates_are_honest() -> None:
    """
    No active status is dated after the trial's own completion date (unless a note says the registry itself
    showed both), every status date is on or before the day its page was read, and no status carries the day
    the records were curated (2026-12-01) as its date.
    """
    for trial in load().trials:
        if trial.status is None:
            continue
        as_of = trial.status_as_of
        if trial.status.value in _ACTIVE and as_of is not None and trial.completion_date is not None:
            late = trial.completion_date.last_day < as_of.first_day
            assert not late or "registry page itself" in (trial.note or ""), trial.id
        if as_of is not None and trial.seen_on is not None:
            assert as_of.first_day <= trial.seen_on.last_day, trial.id
        assert str(as_of) != "2026-12-01", trial.id
        assert trial.status.is_final or as_of is not None, trial.id


def test_no_curator_remark_in_a_trial_value() -> None:
    """Curators' remarks live in a trial's note, never in its intervention or title."""
    for trial in load().trials:
        for text in (trial.intervention, trial.title):
            assert "no therapy record" not in (text or ""), trial.id
            assert "not stated" not in (text or ""), trial.id
