"""
Closed vocabularies of the stemimmune data model.

Every member's value is the exact string used in the JSON files.
"""

from __future__ import annotations

import enum
from typing import Self


_RANKS: dict[type, dict[enum.Enum, int]] = {}


class Vocabulary(enum.StrEnum):
    """
    A closed vocabulary: a string enum whose values are the strings used in the JSON.

    :meth:`parse` is the one way every argument of the library turns text into a member.
    """

    @classmethod
    def parse(cls, value: str | Self) -> Self:
        """
        Return the member whose value or name is *value*, ignoring case, spaces, hyphens and underscores.

        Raises:
            TypeError: *value* is neither a member nor a string.
            ValueError: No member matches; the message lists the valid values.

        Example:
            >>> EvidenceLevel.parse("Randomized trial") is EvidenceLevel.RANDOMIZED_TRIAL
            True
        """
        if isinstance(value, cls):
            return value
        if not isinstance(value, str):
            msg = f"expected {cls.__name__} or its value as a string, got {type(value).__name__}"
            raise TypeError(msg)
        folded = _fold_term(value)
        found = _TERMS.setdefault(cls, {}).get(folded)
        if found is None:
            for member in cls:
                for term in (member.value, member.name):
                    _TERMS[cls].setdefault(_fold_term(term), member)
            found = _TERMS[cls].get(folded)
        if found is None:
            valid = ", ".join(repr(m.value) for m in cls)
            shown = value if len(value) <= _MAX_SHOWN else value[:_MAX_SHOWN] + "..."
            article = "an" if cls.__name__[0] in "AEIOU" else "a"
            msg = f"{shown!r} is not {article} {cls.__name__}; expected one of: {valid}"
            raise ValueError(msg)
        return found  # type: ignore[return-value]  # the table holds members of cls only


_TERMS: dict[type, dict[str, enum.Enum]] = {}
_MAX_SHOWN = 80


def _fold_term(text: str) -> str:
    return text.casefold().replace(" ", "").replace("-", "").replace("_", "")


class _Ordered(Vocabulary):
    """
    A vocabulary whose members compare by their declaration order, weakest first.

    A member compares with another member of its own vocabulary, or with a string
    :meth:`~Vocabulary.parse` accepts (``level >= "observational"``); a string it
    cannot parse raises :class:`ValueError` and any other type :class:`TypeError`,
    so a comparison is never answered alphabetically.
    """

    @property
    def rank(self) -> int:
        """Position of the member in declaration order, from 0."""
        ranks = _RANKS.get(type(self))
        if ranks is None:
            ranks = _RANKS[type(self)] = {member: position for position, member in enumerate(type(self))}
        return ranks[self]

    def _rank_of(self, other: object) -> int | None:
        if isinstance(other, type(self)):
            return other.rank
        if isinstance(other, str):
            return type(self).parse(other).rank
        return None

    def __lt__(self, other: object) -> bool:
        rank = self._rank_of(other)
        return NotImplemented if rank is None else self.rank < rank

    def __le__(self, other: object) -> bool:
        rank = self._rank_of(other)
        return NotImplemented if rank is None else self.rank <= rank

    def __gt__(self, other: object) -> bool:
        rank = self._rank_of(other)
        return NotImplemented if rank is None else self.rank > rank

    def __ge__(self, other: object) -> bool:
        rank = self._rank_of(other)
        return NotImplemented if rank is None else self.rank >= rank

    __hash__ = enum.StrEnum.__hash__


class ImmuneBranch(Vocabulary):
    """Arm of the immune system a component belongs to."""

    INNATE = "innate"
    ADAPTIVE = "adaptive"
    BOTH = "both"


class ComponentKind(Vocabulary):
    """What kind of non-cellular immune component a record describes."""

    ORGAN = "organ"
    TISSUE = "tissue"
    MOLECULE = "molecule"


class Potency(_Ordered):
    """Developmental potential of a cell, from narrowest to broadest."""

    UNIPOTENT = "unipotent"
    OLIGOPOTENT = "oligopotent"
    MULTIPOTENT = "multipotent"
    PLURIPOTENT = "pluripotent"
    TOTIPOTENT = "totipotent"


class MarkerExpression(Vocabulary):
    """Whether a marker must be present or absent on a cell population."""

    POSITIVE = "positive"
    NEGATIVE = "negative"


class HarvestMethod(Vocabulary):
    """How cells are collected from a source."""

    ASPIRATION = "aspiration"  #: needle aspiration, e.g. of bone marrow
    APHERESIS = "apheresis"  #: blood apheresis, usually after mobilization
    BIRTH_COLLECTION = "birth-collection"  #: collected from cord or placenta at birth
    LIPOASPIRATION = "lipoaspiration"  #: liposuction of adipose tissue
    DIFFERENTIATION = "differentiation"  #: made in the laboratory from pluripotent cells
    ORGAN_RECOVERY = "organ-recovery"  #: recovered from a deceased donor's organ


class DonorRelation(Vocabulary):
    """Whose cells are given to the patient."""

    AUTOLOGOUS = "autologous"  #: the patient's own cells
    ALLOGENEIC = "allogeneic"  #: cells from another person


class DisorderCategory(Vocabulary):
    """Broad kind of immune disorder."""

    AUTOIMMUNE = "autoimmune"  #: the immune system attacks the body's own tissue
    IMMUNODEFICIENCY = "immunodeficiency"  #: part of the immune system is missing or fails
    ALLERGIC = "allergic"  #: allergic or other hypersensitivity reactions
    ALLOIMMUNE = "alloimmune"  #: immune reaction between donor and recipient, e.g. GVHD
    IMMUNE_MEDIATED = "immune-mediated"  #: immune-driven, not classed as autoimmune
    BONE_MARROW_FAILURE = "bone-marrow-failure"  #: the marrow fails to make blood cells


class AutoimmuneScope(Vocabulary):
    """Whether an autoimmune disorder targets one organ or the whole body."""

    ORGAN_SPECIFIC = "organ-specific"
    SYSTEMIC = "systemic"


class MechanismKind(Vocabulary):
    """How a therapy is thought to help."""

    REPLACEMENT = "replacement"  #: donor cells rebuild a missing or defective immune system
    IMMUNE_RESET = "immune-reset"  #: ablate the faulty immune system, then rebuild it
    IMMUNOMODULATION = "immunomodulation"  #: signalling that damps harmful immune activity
    TISSUE_REPAIR = "tissue-repair"  #: repair or replacement of damaged tissue


class StepKind(Vocabulary):
    """One kind of step in a therapy's procedure."""

    MOBILIZATION = "mobilization"
    HARVEST = "harvest"
    GRAFT_PROCESSING = "graft-processing"
    EXPANSION = "expansion"
    GENE_MODIFICATION = "gene-modification"
    DIFFERENTIATION = "differentiation"
    CONDITIONING = "conditioning"
    INFUSION = "infusion"
    IMPLANTATION = "implantation"


class ConditioningIntensity(_Ordered):
    """Intensity of a conditioning regimen, from mildest to strongest."""

    LYMPHODEPLETING = "lymphodepleting"
    NON_MYELOABLATIVE = "non-myeloablative"
    REDUCED_INTENSITY = "reduced-intensity"
    MYELOABLATIVE = "myeloablative"


class RiskKind(Vocabulary):
    """Kind of harm a therapy can cause."""

    GVHD = "gvhd"  #: graft-versus-host disease, an allogeneic risk
    INFECTION = "infection"
    TREATMENT_RELATED_MORTALITY = "treatment-related-mortality"
    SECONDARY_AUTOIMMUNITY = "secondary-autoimmunity"
    MALIGNANCY = "malignancy"
    INFERTILITY = "infertility"
    GRAFT_FAILURE = "graft-failure"
    CYTOKINE_RELEASE = "cytokine-release"
    TOXICITY = "toxicity"
    UNPROVEN_TREATMENT = "unproven-treatment"  #: harm from unapproved products sold directly
    LONG_TERM_UNKNOWN = "long-term-unknown"


class ChallengeKind(Vocabulary):
    """Kind of open problem facing the field."""

    SOURCING = "sourcing"
    DELIVERY = "delivery"
    STANDARDIZATION = "standardization"
    REGULATION = "regulation"
    PATIENT_SELECTION = "patient-selection"
    SAFETY = "safety"
    EVIDENCE = "evidence"


class EvidenceLevel(_Ordered):
    """
    Strongest kind of study behind a claim, from weakest to strongest.

    The order is the one used to rank indications: a randomized trial outranks a
    non-randomized trial, which outranks observational or registry data, and so on.
    """

    EXPERT_OPINION = "expert-opinion"  #: clinical experience, no study design behind it
    PRECLINICAL = "preclinical"  #: animal or laboratory studies only
    CASE_SERIES = "case-series"  #: case reports and uncontrolled series
    OBSERVATIONAL = "observational"  #: cohort, registry or other observational studies
    NONRANDOMIZED_TRIAL = "nonrandomized-trial"  #: prospective trials without randomization
    RANDOMIZED_TRIAL = "randomized-trial"  #: at least one randomized controlled trial


class EbmtCategory(_Ordered):
    """
    EBMT recommendation category for a transplant indication, from weakest to strongest.

    ``max()`` of several categories is the strongest recommendation.
    """

    GENERALLY_NOT_RECOMMENDED = "GNR"
    DEVELOPMENTAL = "D"
    CLINICAL_OPTION = "CO"
    STANDARD_OF_CARE = "S"


class EbmtGrade(Vocabulary):
    """EBMT grade of the evidence behind a recommendation."""

    I = "I"  # noqa: E741 - the grade's printed name
    II = "II"
    III = "III"


class Population(Vocabulary):
    """Age group a recommendation or finding concerns."""

    ADULT = "adult"
    PAEDIATRIC = "paediatric"
    ALL_AGES = "all-ages"


class DonorType(Vocabulary):
    """
    Donor column of a transplant guideline table, as the guideline prints it.

    EBMT 2012 prints sibling, unrelated and autologous columns; EBMT 2019 to 2025 print
    matched sibling (MSD), matched unrelated (MUD), mismatched or haploidentical (MMAD)
    and autologous ("auto") columns.
    """

    AUTOLOGOUS = "autologous"
    SIBLING = "sibling"
    UNRELATED = "unrelated"
    MATCHED_SIBLING = "MSD"  #: HLA-matched sibling donor
    MATCHED_UNRELATED = "MUD"  #: well-matched unrelated donor
    MISMATCHED = "MMAD"  #: mismatched unrelated or haploidentical related donor

    @property
    def relation(self) -> DonorRelation:
        """The donor relation this donor type implies."""
        if self is DonorType.AUTOLOGOUS:
            return DonorRelation.AUTOLOGOUS
        return DonorRelation.ALLOGENEIC


class GuidelineScheme(Vocabulary):
    """The category system a guideline recommendation speaks in."""

    EBMT_2012 = "ebmt-2012"  #: EBMT 2012: S, CO, D, GNR over sibling, unrelated and autologous columns
    EBMT_2019 = (
        "ebmt-2019"  #: EBMT 2019-2025: the same letters over MSD, MUD, MMAD and auto columns, mixed cells allowed
    )
    ASTCT = "astct"  #: ASBMT/ASTCT categories (standard of care, clinical evidence available, ...)
    STATEMENT = "statement"  #: a graded or ungraded statement without category letters


class GuidelineBody(Vocabulary):
    """
    The body that issues a guideline: the unit by which "the latest guidance" is decided.

    A body's newer document supersedes its older ones (see
    :meth:`~stemimmune.KnowledgeBase.recommendations_for`); documents of its working
    parties and committees count as the body's own.
    """

    EBMT = "EBMT"  #: European Society for Blood and Marrow Transplantation, its working parties and committees
    ASTCT = "ASTCT"  #: American Society for Transplantation and Cellular Therapy (called ASBMT until 2019)
    NMSS = "NMSS"  #: National Multiple Sclerosis Society (US)
    ISCT = "ISCT"  #: International Society for Cell & Gene Therapy (formerly for Cellular Therapy)
    NICE = "NICE"  #: National Institute for Health and Care Excellence (England)
    EULAR = "EULAR"  #: European Alliance of Associations for Rheumatology (formerly League Against Rheumatism)
    IEC = "IEC"  #: International Eczema Council


class AstctCategory(_Ordered):
    """ASBMT/ASTCT indication category, from weakest to strongest, with the letter its tables print."""

    NOT_GENERALLY_RECOMMENDED = "N"
    DEVELOPMENTAL = "D"
    RARE_INDICATION = "R"  #: standard of care, rare indication
    CLINICAL_EVIDENCE_AVAILABLE = "C"  #: standard of care, clinical evidence available
    STANDARD_OF_CARE = "S"


class Outcome(Vocabulary):
    """Kind of clinical outcome a therapy was reported to affect."""

    REMISSION = "remission"
    RELAPSE_REDUCTION = "relapse-reduction"
    PROGRESSION_FREE_SURVIVAL = "progression-free-survival"
    EVENT_FREE_SURVIVAL = "event-free-survival"
    OVERALL_SURVIVAL = "overall-survival"
    DISABILITY = "disability"
    SKIN_FUNCTION = "skin-function"
    ORGAN_FUNCTION = "organ-function"
    FISTULA_CLOSURE = "fistula-closure"
    INSULIN_INDEPENDENCE = "insulin-independence"
    GLYCAEMIC_CONTROL = "glycaemic-control"
    IMMUNE_RECONSTITUTION = "immune-reconstitution"
    RESPONSE = "response"
    SAFETY = "safety"


class PopulationLabel(Vocabulary):
    """Analysis population a quantitative result was computed on."""

    ITT = "ITT"  #: intention to treat
    MITT = "mITT"  #: modified intention to treat
    PER_PROTOCOL = "per-protocol"
    AS_TREATED = "as-treated"
    SAFETY = "safety"
    ALL_TREATED = "all-treated"
    REGISTRY = "registry"


class EffectMeasure(Vocabulary):
    """What an effect's value measures."""

    HAZARD_RATIO = "hazard-ratio"
    ODDS_RATIO = "odds-ratio"
    RISK_RATIO = "risk-ratio"
    RISK_DIFFERENCE = "risk-difference"
    MEAN_DIFFERENCE = "mean-difference"
    PROPORTION = "proportion"  #: a percentage, 0-100
    COUNT = "count"
    MEAN = "mean"
    MEDIAN = "median"


class RegulatoryDecision(Vocabulary):
    """A regulator's decision or action about a product, in one jurisdiction."""

    APPROVED = "approved"  #: marketing authorisation (full)
    CONDITIONALLY_APPROVED = "conditionally-approved"  #: authorisation with conditions (NOC/c, provisional, ...)
    HOSPITAL_EXEMPTION = "hospital-exemption"  #: national permission outside a marketing authorisation
    POSITIVE_OPINION = "positive-opinion"  #: a committee recommends authorisation (e.g. EMA's CHMP)
    NEGATIVE_OPINION = "negative-opinion"  #: a committee recommends refusal
    NOT_APPROVED = "not-approved"  #: refusal, or a complete response letter
    WITHDRAWN = "withdrawn"  #: an authorisation withdrawn or not renewed
    DESIGNATED = "designated"  #: a designation (orphan, RMAT, PRIME, fast track...), not an authorisation

    @property
    def is_authorisation(self) -> bool:
        """Whether the decision lets the product be given to patients (approval, conditional, exemption)."""
        return self in _AUTHORISATIONS

    @property
    def sets_status(self) -> bool:
        """Whether the decision changes the product's status (opinions and designations do not)."""
        return self in _AUTHORISATIONS or self in {RegulatoryDecision.NOT_APPROVED, RegulatoryDecision.WITHDRAWN}


_AUTHORISATIONS = frozenset(
    {
        RegulatoryDecision.APPROVED,
        RegulatoryDecision.CONDITIONALLY_APPROVED,
        RegulatoryDecision.HOSPITAL_EXEMPTION,
    }
)


class Designation(Vocabulary):
    """A regulatory designation that speeds or supports development."""

    ORPHAN = "orphan"
    RMAT = "rmat"  #: FDA regenerative medicine advanced therapy
    PRIME = "prime"  #: EMA priority medicines
    FAST_TRACK = "fast-track"
    BREAKTHROUGH_THERAPY = "breakthrough-therapy"
    PRIORITY_REVIEW = "priority-review"
    RARE_PEDIATRIC_DISEASE = "rare-pediatric-disease"
    SAKIGAKE = "sakigake"


class TrialPhase(_Ordered):
    """Phase of a registered clinical trial, from earliest to latest (``not-applicable`` first)."""

    NOT_APPLICABLE = "not-applicable"  #: registries' "N/A": no phase (device, procedure, observational)
    EARLY_PHASE_1 = "early-phase-1"
    PHASE_1 = "phase-1"
    PHASE_1_2 = "phase-1-2"
    PHASE_2 = "phase-2"
    PHASE_2_3 = "phase-2-3"
    PHASE_3 = "phase-3"
    PHASE_4 = "phase-4"


class TrialStatus(Vocabulary):
    """Recruitment status of a registered trial, as its registry page showed it."""

    NOT_YET_RECRUITING = "not-yet-recruiting"
    RECRUITING = "recruiting"
    ENROLLING_BY_INVITATION = "enrolling-by-invitation"
    ACTIVE_NOT_RECRUITING = "active-not-recruiting"
    COMPLETED = "completed"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    WITHDRAWN = "withdrawn"
    UNKNOWN = "unknown"  #: the registry's own "unknown status": not verified for a long time


class Masking(Vocabulary):
    """Who is blinded in a trial."""

    NONE = "none"
    SINGLE = "single"
    DOUBLE = "double"
    TRIPLE = "triple"
    QUADRUPLE = "quadruple"


class EnrollmentKind(Vocabulary):
    """Whether a trial's enrolment is the number planned or the number enrolled."""

    TARGET = "target"  #: planned (registries' "anticipated" or "estimated")
    ACTUAL = "actual"


class CredibilityTier(_Ordered):
    """How much weight a reference carries as evidence, from least to most."""

    PROMOTIONAL = "promotional"  #: marketing by an interested party: no evidence of efficacy
    GENERAL = "general"  #: general or news articles without primary data
    SECONDARY = "secondary"  #: reviews, preclinical studies, official consumer notices
    PRIMARY = "primary"  #: peer-reviewed clinical studies and registry analyses
    AUTHORITATIVE = "authoritative"  #: guidelines, regulatory decisions, RCTs, meta-analyses


class ReferenceKind(Vocabulary):
    """Kind of source a reference is; it fixes the reference's credibility tier."""

    RANDOMIZED_TRIAL = "randomized-trial"
    META_ANALYSIS = "meta-analysis"
    GUIDELINE = "guideline"
    REGULATORY_DECISION = "regulatory-decision"
    NONRANDOMIZED_TRIAL = "nonrandomized-trial"
    REGISTRY_STUDY = "registry-study"
    TRIAL_REGISTRATION = "trial-registration"
    REVIEW = "review"
    PRECLINICAL_STUDY = "preclinical-study"
    CONSUMER_WARNING = "consumer-warning"
    GENERAL_ARTICLE = "general-article"
    COMPANY_ANNOUNCEMENT = "company-announcement"
    PROMOTIONAL_MATERIAL = "promotional-material"

    @property
    def tier(self) -> CredibilityTier:
        """The credibility tier a reference of this kind carries."""
        return _TIERS[self]


_TIERS = {
    ReferenceKind.RANDOMIZED_TRIAL: CredibilityTier.AUTHORITATIVE,
    ReferenceKind.META_ANALYSIS: CredibilityTier.AUTHORITATIVE,
    ReferenceKind.GUIDELINE: CredibilityTier.AUTHORITATIVE,
    ReferenceKind.REGULATORY_DECISION: CredibilityTier.AUTHORITATIVE,
    ReferenceKind.NONRANDOMIZED_TRIAL: CredibilityTier.PRIMARY,
    ReferenceKind.REGISTRY_STUDY: CredibilityTier.PRIMARY,
    ReferenceKind.TRIAL_REGISTRATION: CredibilityTier.PRIMARY,
    ReferenceKind.REVIEW: CredibilityTier.SECONDARY,
    ReferenceKind.PRECLINICAL_STUDY: CredibilityTier.SECONDARY,
    ReferenceKind.CONSUMER_WARNING: CredibilityTier.SECONDARY,
    ReferenceKind.GENERAL_ARTICLE: CredibilityTier.GENERAL,
    ReferenceKind.COMPANY_ANNOUNCEMENT: CredibilityTier.GENERAL,
    ReferenceKind.PROMOTIONAL_MATERIAL: CredibilityTier.PROMOTIONAL,
}
