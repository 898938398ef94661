"""
Closed vocabularies of the stemimmune data model.

Every member's value is the exact string used in the JSON files.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Self, TypeVar

from ._text import MAX_SHOWN, shorten, with_article
from .exceptions import InvalidArgumentError, InvalidValueError, argument_type_error


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
            ArgumentTypeError: *value* is neither a member nor a string (also a :class:`TypeError`).
            InvalidValueError: No member matches; the message lists the valid values (also a
                :class:`ValueError`).

        Example:
            >>> EvidenceLevel.parse("Randomized trial") is EvidenceLevel.RANDOMIZED_TRIAL
            True
        """
        if isinstance(value, cls):
            return value
        if not isinstance(value, str) or isinstance(value, enum.Enum):  # a member of another vocabulary is no text
            raise argument_type_error("value", f"{with_article(cls.__name__)} or one of its values as a string", value)
        folded = _fold_term(value)
        found = _TERMS.setdefault(cls, {}).get(folded)
        if found is None:
            for member in cls:
                for term in (member.value, member.name):
                    _TERMS[cls].setdefault(_fold_term(term), member)
            found = _TERMS[cls].get(folded)
        if found is None:
            valid = ", ".join(repr(m.value) for m in cls)
            shown = shorten(value)
            kind = with_article(cls.__name__)
            raise InvalidValueError(
                None, value, f"{kind}, one of: {valid}", shown, f"{shown} is not {kind}; expected one of: {valid}"
            )
        return found  # type: ignore[return-value]  # the table holds members of cls only

    # A member is a str, so str's ordering would compare it with another vocabulary's member
    # as text; it compares with strings and its own vocabulary only.
    def __lt__(self, other: object) -> bool:
        return NotImplemented if _foreign(self, other) else str.__lt__(self, other)  # type: ignore[operator]

    def __le__(self, other: object) -> bool:
        return NotImplemented if _foreign(self, other) else str.__le__(self, other)  # type: ignore[operator]

    def __gt__(self, other: object) -> bool:
        return NotImplemented if _foreign(self, other) else str.__gt__(self, other)  # type: ignore[operator]

    def __ge__(self, other: object) -> bool:
        return NotImplemented if _foreign(self, other) else str.__ge__(self, other)  # type: ignore[operator]

    __hash__ = enum.StrEnum.__hash__


def _foreign(member: enum.Enum, other: object) -> bool:
    """Whether *other* is a member of another enum, which a vocabulary's member never compares with."""
    return isinstance(other, enum.Enum) and type(other) is not type(member)


_TERMS: dict[type, dict[str, enum.Enum]] = {}


def _fold_term(text: str) -> str:
    return text.casefold().replace(" ", "").replace("-", "").replace("_", "")


class _Ordered(Vocabulary):
    """
    A vocabulary whose members compare by their declaration order, weakest first.

    A member compares with another member of its own vocabulary, or with a plain string
    :meth:`~Vocabulary.parse` accepts (``level >= "observational"``); a string it
    cannot parse raises :class:`~stemimmune.InvalidValueError` (a :class:`ValueError`)
    and any other type, a member of another vocabulary included, :class:`TypeError`,
    so a comparison is never answered alphabetically nor across vocabularies.
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
        if isinstance(other, str) and not isinstance(other, enum.Enum):
            return type(self).parse(other).rank
        return None  # another vocabulary's member or another type: NotImplemented, so never answered by text

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

    INNATE = "innate"  #: the fast, non-specific first line of defence (neutrophils, NK cells, complement...)
    ADAPTIVE = "adaptive"  #: antigen-specific immunity with memory (T cells, B cells, antibodies)
    BOTH = "both"  #: takes part in innate and adaptive immunity


class ComponentKind(Vocabulary):
    """What kind of non-cellular immune component a record describes."""

    ORGAN = "organ"  #: an organ of the immune system, such as the thymus or the spleen
    TISSUE = "tissue"  #: an immune tissue, such as bone marrow or lymphoid tissue
    MOLECULE = "molecule"  #: a soluble or cell-surface molecule, such as a cytokine or an antibody


class Potency(_Ordered):
    """Developmental potential of a cell, from narrowest to broadest."""

    UNIPOTENT = "unipotent"  #: gives rise to one cell type only
    OLIGOPOTENT = "oligopotent"  #: gives rise to a few closely related cell types
    MULTIPOTENT = "multipotent"  #: gives rise to the several cell types of one family (an HSC to every blood cell)
    #: gives rise to cells of all three germ layers (embryonic and induced pluripotent stem cells)
    PLURIPOTENT = "pluripotent"
    TOTIPOTENT = "totipotent"  #: can form a whole organism, the tissues outside the embryo included (the zygote)


class MarkerExpression(Vocabulary):
    """Whether a marker must be present or absent on a cell population."""

    POSITIVE = "positive"  #: the cells carry the marker
    NEGATIVE = "negative"  #: the cells lack the marker


class HarvestMethod(Vocabulary):
    """How cells are collected from a source."""

    ASPIRATION = "aspiration"  #: needle aspiration, e.g. of bone marrow
    APHERESIS = "apheresis"  #: blood apheresis, usually after mobilization
    BIRTH_COLLECTION = "birth-collection"  #: collected from cord or placenta at birth
    LIPOASPIRATION = "lipoaspiration"  #: liposuction of adipose tissue
    DIFFERENTIATION = "differentiation"  #: made in the laboratory from pluripotent cells
    ORGAN_RECOVERY = "organ-recovery"  #: recovered from a deceased donor's organ
    SURGICAL_EXCISION = "surgical-excision"  #: removed at surgery, e.g. an infant thymus


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

    #: the attack is aimed at one organ or tissue (type 1 diabetes, multiple sclerosis)
    ORGAN_SPECIFIC = "organ-specific"
    SYSTEMIC = "systemic"  #: the attack reaches many organs (systemic lupus erythematosus, systemic sclerosis)


class MechanismKind(Vocabulary):
    """How a therapy is thought to help."""

    REPLACEMENT = "replacement"  #: donor cells rebuild a missing or defective immune system
    IMMUNE_RESET = "immune-reset"  #: ablate the faulty immune system, then rebuild it
    IMMUNOMODULATION = "immunomodulation"  #: signalling that damps harmful immune activity
    TISSUE_REPAIR = "tissue-repair"  #: repair or replacement of damaged tissue


class StepKind(Vocabulary):
    """One kind of step in a therapy's procedure."""

    MOBILIZATION = "mobilization"  #: drugs (G-CSF, cyclophosphamide...) move stem cells from the marrow into the blood
    HARVEST = "harvest"  #: the cells are collected from their source
    #: the collected cells are selected or depleted before use (CD34 selection, T-cell depletion...)
    GRAFT_PROCESSING = "graft-processing"
    EXPANSION = "expansion"  #: the cells are multiplied in culture
    #: a gene is added to the cells or corrected in them (a viral vector, gene editing)
    GENE_MODIFICATION = "gene-modification"
    DIFFERENTIATION = "differentiation"  #: the cells are turned into another cell type in the laboratory
    #: chemotherapy, antibodies or radiation before the infusion, to suppress or remove the immune system
    CONDITIONING = "conditioning"
    INFUSION = "infusion"  #: the cells are given into a vein
    #: the cells are placed where they should act (injected into a fistula, implanted in tissue)
    IMPLANTATION = "implantation"


class ConditioningIntensity(_Ordered):
    """Intensity of a conditioning regimen, from mildest to strongest."""

    #: removes lymphocytes only; the marrow recovers by itself (as before CAR-T cells)
    LYMPHODEPLETING = "lymphodepleting"
    #: suppresses immunity with little harm to the marrow; blood counts recover without a graft
    NON_MYELOABLATIVE = "non-myeloablative"
    REDUCED_INTENSITY = "reduced-intensity"  #: between non-myeloablative and myeloablative
    MYELOABLATIVE = "myeloablative"  #: destroys the marrow; blood counts recover only from the graft


class RiskKind(Vocabulary):
    """Kind of harm a therapy can cause."""

    GVHD = "gvhd"  #: graft-versus-host disease, an allogeneic risk
    INFECTION = "infection"  #: infections while immunity is suppressed or rebuilding
    #: death caused by the treatment rather than by the disease
    TREATMENT_RELATED_MORTALITY = "treatment-related-mortality"
    SECONDARY_AUTOIMMUNITY = "secondary-autoimmunity"  #: a new autoimmune disease that arises after the treatment
    #: a cancer caused or let through by the treatment (vector insertion, long immunosuppression)
    MALIGNANCY = "malignancy"
    INFERTILITY = "infertility"  #: loss of fertility, mostly from chemotherapy in the conditioning
    GRAFT_FAILURE = "graft-failure"  #: the given cells do not engraft, or are lost
    #: cytokine release syndrome: a body-wide inflammatory reaction to activated immune cells
    CYTOKINE_RELEASE = "cytokine-release"
    TOXICITY = "toxicity"  #: damage to organs (heart, liver, kidneys, nerves) from the drugs or the cells
    UNPROVEN_TREATMENT = "unproven-treatment"  #: harm from unapproved products sold directly
    LONG_TERM_UNKNOWN = "long-term-unknown"  #: effects not known yet, for want of long follow-up


class ChallengeKind(Vocabulary):
    """Kind of open problem facing the field."""

    SOURCING = "sourcing"  #: getting enough suitable cells or donors
    DELIVERY = "delivery"  #: getting the cells to where they act, and keeping them there
    STANDARDIZATION = "standardization"  #: making products comparable: manufacturing, potency assays, protocols
    REGULATION = "regulation"  #: paths to approval, oversight, and clinics selling unapproved treatments
    PATIENT_SELECTION = "patient-selection"  #: choosing who benefits, and when to treat
    SAFETY = "safety"  #: harms of the treatment
    EVIDENCE = "evidence"  #: too few trials, or too weak ones


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

    GENERALLY_NOT_RECOMMENDED = "GNR"  #: a transplant is generally not recommended for the indication
    DEVELOPMENTAL = "D"  #: too little experience yet: to be done within clinical studies
    CLINICAL_OPTION = "CO"  #: may be offered after weighing risks and benefits for the patient
    STANDARD_OF_CARE = "S"  #: generally indicated in suitable patients


class EbmtGrade(Vocabulary):
    """EBMT grade of the evidence behind a recommendation."""

    #: at least one well-conducted randomized trial
    I = "I"  # noqa: E741 - the grade's printed name
    II = "II"  #: well-designed studies without randomization (trials, cohort or case-control studies)
    III = "III"  #: expert opinion, clinical experience or descriptive studies


class Population(Vocabulary):
    """Age group a recommendation or finding concerns."""

    ADULT = "adult"  #: adults
    PAEDIATRIC = "paediatric"  #: children and adolescents
    ALL_AGES = "all-ages"  #: any age, or the source does not split its statement by age


class DonorType(Vocabulary):
    """
    Donor column of a transplant guideline table, as the guideline prints it.

    EBMT 2012 prints sibling, unrelated and autologous columns; EBMT 2019 to 2025 print
    matched sibling (MSD), matched unrelated (MUD), mismatched or haploidentical (MMAD)
    and autologous ("auto") columns.
    """

    AUTOLOGOUS = "autologous"  #: the patient's own cells (both editions' autologous column)
    SIBLING = "sibling"  #: a brother or sister as donor (EBMT 2012's sibling column)
    UNRELATED = "unrelated"  #: a donor from outside the family (EBMT 2012's unrelated column)
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
    #: EBMT 2019-2025: the same letters over MSD, MUD, MMAD and auto columns, mixed cells allowed
    EBMT_2019 = "ebmt-2019"
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

    NOT_GENERALLY_RECOMMENDED = "N"  #: not generally recommended
    DEVELOPMENTAL = "D"  #: developmental: promising, to be studied in clinical trials
    RARE_INDICATION = "R"  #: standard of care, rare indication
    CLINICAL_EVIDENCE_AVAILABLE = "C"  #: standard of care, clinical evidence available
    STANDARD_OF_CARE = "S"  #: standard of care


class Outcome(Vocabulary):
    """Kind of clinical outcome a therapy was reported to affect."""

    REMISSION = "remission"  #: the disease becomes inactive
    RELAPSE_REDUCTION = "relapse-reduction"  #: fewer relapses or flares
    PROGRESSION_FREE_SURVIVAL = "progression-free-survival"  #: alive without the disease getting worse
    EVENT_FREE_SURVIVAL = "event-free-survival"  #: alive without a defined event (relapse, graft failure, ...)
    OVERALL_SURVIVAL = "overall-survival"  #: alive, whatever the cause of any death
    DISABILITY = "disability"  #: disability scores (EDSS in multiple sclerosis)
    SKIN_FUNCTION = "skin-function"  #: skin thickening and skin scores (modified Rodnan skin score)
    ORGAN_FUNCTION = "organ-function"  #: how an internal organ works (lungs, kidneys, heart)
    FISTULA_CLOSURE = "fistula-closure"  #: fistulas close
    INSULIN_INDEPENDENCE = "insulin-independence"  #: no need for insulin injections
    GLYCAEMIC_CONTROL = "glycaemic-control"  #: blood glucose control (HbA1c, C-peptide, insulin dose)
    IMMUNE_RECONSTITUTION = "immune-reconstitution"  #: immune cells and their function come back after treatment
    RESPONSE = "response"  #: clinical response by the study's own criteria
    SAFETY = "safety"  #: harms and adverse events


class PopulationLabel(Vocabulary):
    """Analysis population a quantitative result was computed on."""

    ITT = "ITT"  #: intention to treat
    MITT = "mITT"  #: modified intention to treat
    PER_PROTOCOL = "per-protocol"  #: patients treated as the protocol planned
    AS_TREATED = "as-treated"  #: patients analysed by the treatment they actually received
    SAFETY = "safety"  #: everyone who received any study treatment, for the harms
    ALL_TREATED = "all-treated"  #: every treated patient (a study without a control group)
    REGISTRY = "registry"  #: patients reported to a registry


class EffectMeasure(Vocabulary):
    """What an effect's value measures."""

    HAZARD_RATIO = "hazard-ratio"  #: ratio of two groups' event rates over time
    ODDS_RATIO = "odds-ratio"  #: ratio of two groups' odds of an event
    RISK_RATIO = "risk-ratio"  #: ratio of the shares of two groups that have an event
    RISK_DIFFERENCE = "risk-difference"  #: difference between the shares of two groups that have an event
    MEAN_DIFFERENCE = "mean-difference"  #: difference between two means (two groups, or before and after)
    PROPORTION = "proportion"  #: a percentage, 0-100
    COUNT = "count"  #: a number of patients or events
    MEAN = "mean"  #: an arithmetic mean
    MEDIAN = "median"  #: a median


class EffectUnit(Vocabulary):
    """
    The unit of an effect's value; what the number refers to goes in the effect's annotation, not here.

    A proportion is in percent, a risk difference in percentage points, a count counts patients
    or events, and a mean, median or mean difference is in one of the other units (points of a
    scale the annotation names, days, mg per day, ...). Ratios have no unit.
    """

    PERCENT = "percent"  #: a percentage, 0-100 (the unit of every proportion)
    PERCENTAGE_POINTS = "percentage-points"  #: a difference between two percentages
    PATIENTS = "patients"  #: a number of patients
    EVENTS = "events"  #: a number of events (deaths, infections, relapses...), possibly several per patient
    POINTS = "points"  #: points on a clinical score or scale, named in the annotation
    PERCENT_CHANGE = "percent-change"  #: a relative change from baseline, in percent
    MG_PER_DAY = "mg-per-day"  #: milligrams a day (a drug dose)
    DAYS = "days"  #: a length of time in days (time to engraftment, say)
    WEEKS = "weeks"  #: a length of time in weeks
    MONTHS = "months"  #: a length of time in months (a median survival or follow-up, say)
    YEARS = "years"  #: a length of time in years

    @property
    def fits(self) -> frozenset[EffectMeasure]:
        """The effect measures whose value can be in this unit."""
        return _UNIT_MEASURES[self]


class IuisCategory(Vocabulary):
    """
    The table of the IUIS classification of inborn errors of immunity a disorder belongs to.

    The International Union of Immunological Societies sorts inborn errors of immunity into ten
    tables; :attr:`table` gives the table's number.
    """

    CELLULAR_AND_HUMORAL = "cellular-and-humoral"  #: 1. immunodeficiencies affecting cellular and humoral immunity
    COMBINED_SYNDROMIC = "combined-syndromic"  #: 2. combined immunodeficiencies with associated or syndromic features
    ANTIBODY_DEFICIENCY = "antibody-deficiency"  #: 3. predominantly antibody deficiencies
    IMMUNE_DYSREGULATION = "immune-dysregulation"  #: 4. diseases of immune dysregulation
    PHAGOCYTE_DEFECT = "phagocyte-defect"  #: 5. congenital defects of phagocyte number or function
    INTRINSIC_INNATE = "intrinsic-innate"  #: 6. defects in intrinsic and innate immunity
    AUTOINFLAMMATORY = "autoinflammatory"  #: 7. autoinflammatory disorders
    COMPLEMENT = "complement"  #: 8. complement deficiencies
    BONE_MARROW_FAILURE = "bone-marrow-failure"  #: 9. bone marrow failure
    PHENOCOPY = "phenocopy"  #: 10. phenocopies of inborn errors of immunity

    @property
    def table(self) -> int:
        """The number of the IUIS table, 1 to 10."""
        return list(IuisCategory).index(self) + 1


class RegulatoryDecision(Vocabulary):
    """A regulator's decision or action about a product, in one jurisdiction."""

    APPROVED = "approved"  #: marketing authorisation (full)
    CONDITIONALLY_APPROVED = "conditionally-approved"  #: authorisation with conditions (NOC/c, provisional, ...)
    HOSPITAL_EXEMPTION = "hospital-exemption"  #: national permission outside a marketing authorisation
    POSITIVE_OPINION = "positive-opinion"  #: a committee recommends authorisation (e.g. EMA's CHMP)
    NEGATIVE_OPINION = "negative-opinion"  #: a committee recommends refusal
    NOT_APPROVED = "not-approved"  #: refusal, or a complete response letter
    WITHDRAWN = "withdrawn"  #: an authorisation withdrawn or not renewed
    EXPIRED = "expired"  #: an authorisation for a term that ran out with no renewal seen (a lapse)
    DESIGNATED = "designated"  #: a designation (orphan, RMAT, PRIME, fast track...), not an authorisation

    @property
    def is_authorisation(self) -> bool:
        """Whether the decision lets the product be given to patients (approval, conditional, exemption)."""
        return self in _AUTHORISATIONS

    @property
    def sets_status(self) -> bool:
        """Whether the decision changes the product's status (opinions and designations do not)."""
        return self in _AUTHORISATIONS or self in _ENDINGS or self is RegulatoryDecision.NOT_APPROVED

    @property
    def ends_authorisation(self) -> bool:
        """Whether the decision ends an authorisation in force (a withdrawal or a lapse)."""
        return self in _ENDINGS


_AVERAGES = frozenset({EffectMeasure.MEAN, EffectMeasure.MEDIAN, EffectMeasure.MEAN_DIFFERENCE})
_UNIT_MEASURES: Final[Mapping[EffectUnit, frozenset[EffectMeasure]]] = MappingProxyType(
    {
        EffectUnit.PERCENT: frozenset({EffectMeasure.PROPORTION}) | _AVERAGES,
        EffectUnit.PERCENTAGE_POINTS: frozenset({EffectMeasure.RISK_DIFFERENCE}) | _AVERAGES,
        EffectUnit.PATIENTS: frozenset({EffectMeasure.COUNT}) | _AVERAGES,
        EffectUnit.EVENTS: frozenset({EffectMeasure.COUNT}) | _AVERAGES,
        **dict.fromkeys(
            (
                EffectUnit.POINTS,
                EffectUnit.PERCENT_CHANGE,
                EffectUnit.MG_PER_DAY,
                EffectUnit.DAYS,
                EffectUnit.WEEKS,
                EffectUnit.MONTHS,
                EffectUnit.YEARS,
            ),
            _AVERAGES,
        ),
    }
)
_ENDINGS = frozenset({RegulatoryDecision.WITHDRAWN, RegulatoryDecision.EXPIRED})
_AUTHORISATIONS = frozenset(
    {
        RegulatoryDecision.APPROVED,
        RegulatoryDecision.CONDITIONALLY_APPROVED,
        RegulatoryDecision.HOSPITAL_EXEMPTION,
    }
)


class Designation(Vocabulary):
    """A regulatory designation that speeds or supports development."""

    ORPHAN = "orphan"  #: a medicine for a rare disease (FDA, EMA and other regulators)
    RMAT = "rmat"  #: FDA regenerative medicine advanced therapy
    PRIME = "prime"  #: EMA priority medicines
    FAST_TRACK = "fast-track"  #: FDA fast track: more meetings with the agency, rolling review
    BREAKTHROUGH_THERAPY = "breakthrough-therapy"  #: FDA breakthrough therapy: early signs of a substantial improvement
    PRIORITY_REVIEW = "priority-review"  #: a shorter review of the marketing application
    RARE_PEDIATRIC_DISEASE = "rare-pediatric-disease"  #: FDA rare pediatric disease designation
    SAKIGAKE = "sakigake"  #: Japan's SAKIGAKE designation of innovative products, for a faster review


class TrialPhase(_Ordered):
    """Phase of a registered clinical trial, from earliest to latest (``not-applicable`` first)."""

    NOT_APPLICABLE = "not-applicable"  #: registries' "N/A": no phase (device, procedure, observational)
    EARLY_PHASE_1 = "early-phase-1"  #: exploratory first studies in humans at very low doses (formerly phase 0)
    PHASE_1 = "phase-1"  #: first tests of safety and dose, in a small group
    PHASE_1_2 = "phase-1-2"  #: a trial combining phases 1 and 2
    PHASE_2 = "phase-2"  #: first tests of efficacy, with safety, in a larger group
    PHASE_2_3 = "phase-2-3"  #: a trial combining phases 2 and 3
    PHASE_3 = "phase-3"  #: a large trial to confirm efficacy, usually against standard care
    PHASE_4 = "phase-4"  #: a study after authorisation, in routine use


class TrialStatus(Vocabulary):
    """Recruitment status of a registered trial, as its registry page showed it."""

    NOT_YET_RECRUITING = "not-yet-recruiting"  #: registered, not recruiting yet
    RECRUITING = "recruiting"  #: recruiting participants
    ENROLLING_BY_INVITATION = "enrolling-by-invitation"  #: enrolling only people the investigators invite
    #: under way, no longer recruiting; participants are still treated or followed
    ACTIVE_NOT_RECRUITING = "active-not-recruiting"
    COMPLETED = "completed"  #: ended as planned
    SUSPENDED = "suspended"  #: halted for now; it may resume
    TERMINATED = "terminated"  #: stopped early for good
    WITHDRAWN = "withdrawn"  #: stopped before its first participant enrolled
    UNKNOWN = "unknown"  #: the registry's own "unknown status": not verified for a long time

    @property
    def is_final(self) -> bool:
        """Whether the status can no longer change (completed, terminated, withdrawn)."""
        return self in {TrialStatus.COMPLETED, TrialStatus.TERMINATED, TrialStatus.WITHDRAWN}


class StudyType(Vocabulary):
    """Whether a registered study assigns an intervention (a trial) or only observes."""

    INTERVENTIONAL = "interventional"  #: assigns participants to an intervention: a clinical trial
    OBSERVATIONAL = "observational"  #: follows patients treated in routine care; it assigns nothing


class Masking(Vocabulary):
    """Who is blinded in a trial."""

    NONE = "none"  #: open label: everyone knows the treatment
    SINGLE = "single"  #: one party does not know the treatment (usually the participant)
    DOUBLE = "double"  #: two parties do not know it (usually participant and investigator)
    TRIPLE = "triple"  #: three parties do not know it (participant, investigator, outcome assessor, say)
    QUADRUPLE = "quadruple"  #: participant, care provider, investigator and outcome assessor do not know it


class EnrollmentKind(Vocabulary):
    """Whether a trial's enrolment is the number planned or the number enrolled."""

    TARGET = "target"  #: planned (registries' "anticipated" or "estimated")
    ACTUAL = "actual"  #: the number actually enrolled


class CredibilityTier(_Ordered):
    """How much weight a reference carries as evidence, from least to most."""

    PROMOTIONAL = "promotional"  #: marketing by an interested party: no evidence of efficacy
    GENERAL = "general"  #: general or news articles without primary data
    SECONDARY = "secondary"  #: reviews, preclinical studies, official consumer notices
    PRIMARY = "primary"  #: peer-reviewed clinical studies and registry analyses
    AUTHORITATIVE = "authoritative"  #: guidelines, regulatory decisions, RCTs, meta-analyses


class ReferenceKind(Vocabulary):
    """Kind of source a reference is; it fixes the reference's credibility tier."""

    RANDOMIZED_TRIAL = "randomized-trial"  #: the report of a randomized controlled trial
    META_ANALYSIS = "meta-analysis"  #: a systematic review with a meta-analysis
    GUIDELINE = "guideline"  #: a professional body's guideline or recommendations
    REGULATORY_DECISION = "regulatory-decision"  #: a regulator's decision, label or assessment report
    NONRANDOMIZED_TRIAL = "nonrandomized-trial"  #: the report of a prospective trial without randomization
    REGISTRY_STUDY = "registry-study"  #: an analysis of a registry's or a cohort's data
    TRIAL_REGISTRATION = "trial-registration"  #: a trial's entry in a trial registry
    REVIEW = "review"  #: a narrative review
    PRECLINICAL_STUDY = "preclinical-study"  #: an animal or laboratory study
    CONSUMER_WARNING = "consumer-warning"  #: a regulator's notice to the public (about unapproved products, say)
    GENERAL_ARTICLE = "general-article"  #: a news or general-audience article
    COMPANY_ANNOUNCEMENT = "company-announcement"  #: a company's press release or investor news
    PROMOTIONAL_MATERIAL = "promotional-material"  #: a clinic's or a seller's marketing

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


# ------------------------------------------------------------------ jurisdictions

#: ISO 3166-1 alpha-2 codes with their English short names, plus ``EU`` for the European Union,
#: whose centralised authorisations are one jurisdiction. The codes a regulator or a registry
#: uses; the names only help :func:`parse_jurisdiction` suggest a code.
JURISDICTIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "EU": "European Union",
        "AD": "Andorra",
        "AE": "United Arab Emirates",
        "AF": "Afghanistan",
        "AG": "Antigua and Barbuda",
        "AI": "Anguilla",
        "AL": "Albania",
        "AM": "Armenia",
        "AO": "Angola",
        "AQ": "Antarctica",
        "AR": "Argentina",
        "AS": "American Samoa",
        "AT": "Austria",
        "AU": "Australia",
        "AW": "Aruba",
        "AX": "Åland Islands",
        "AZ": "Azerbaijan",
        "BA": "Bosnia and Herzegovina",
        "BB": "Barbados",
        "BD": "Bangladesh",
        "BE": "Belgium",
        "BF": "Burkina Faso",
        "BG": "Bulgaria",
        "BH": "Bahrain",
        "BI": "Burundi",
        "BJ": "Benin",
        "BL": "Saint Barthélemy",
        "BM": "Bermuda",
        "BN": "Brunei Darussalam",
        "BO": "Bolivia",
        "BQ": "Bonaire, Sint Eustatius and Saba",
        "BR": "Brazil",
        "BS": "Bahamas",
        "BT": "Bhutan",
        "BV": "Bouvet Island",
        "BW": "Botswana",
        "BY": "Belarus",
        "BZ": "Belize",
        "CA": "Canada",
        "CC": "Cocos (Keeling) Islands",
        "CD": "Congo, The Democratic Republic of the",
        "CF": "Central African Republic",
        "CG": "Congo",
        "CH": "Switzerland",
        "CI": "Côte d'Ivoire",
        "CK": "Cook Islands",
        "CL": "Chile",
        "CM": "Cameroon",
        "CN": "China",
        "CO": "Colombia",
        "CR": "Costa Rica",
        "CU": "Cuba",
        "CV": "Cabo Verde",
        "CW": "Curaçao",
        "CX": "Christmas Island",
        "CY": "Cyprus",
        "CZ": "Czechia",
        "DE": "Germany",
        "DJ": "Djibouti",
        "DK": "Denmark",
        "DM": "Dominica",
        "DO": "Dominican Republic",
        "DZ": "Algeria",
        "EC": "Ecuador",
        "EE": "Estonia",
        "EG": "Egypt",
        "EH": "Western Sahara",
        "ER": "Eritrea",
        "ES": "Spain",
        "ET": "Ethiopia",
        "FI": "Finland",
        "FJ": "Fiji",
        "FK": "Falkland Islands (Malvinas)",
        "FM": "Micronesia, Federated States of",
        "FO": "Faroe Islands",
        "FR": "France",
        "GA": "Gabon",
        "GB": "United Kingdom",
        "GD": "Grenada",
        "GE": "Georgia",
        "GF": "French Guiana",
        "GG": "Guernsey",
        "GH": "Ghana",
        "GI": "Gibraltar",
        "GL": "Greenland",
        "GM": "Gambia",
        "GN": "Guinea",
        "GP": "Guadeloupe",
        "GQ": "Equatorial Guinea",
        "GR": "Greece",
        "GS": "South Georgia and the South Sandwich Islands",
        "GT": "Guatemala",
        "GU": "Guam",
        "GW": "Guinea-Bissau",
        "GY": "Guyana",
        "HK": "Hong Kong",
        "HM": "Heard Island and McDonald Islands",
        "HN": "Honduras",
        "HR": "Croatia",
        "HT": "Haiti",
        "HU": "Hungary",
        "ID": "Indonesia",
        "IE": "Ireland",
        "IL": "Israel",
        "IM": "Isle of Man",
        "IN": "India",
        "IO": "British Indian Ocean Territory",
        "IQ": "Iraq",
        "IR": "Iran",
        "IS": "Iceland",
        "IT": "Italy",
        "JE": "Jersey",
        "JM": "Jamaica",
        "JO": "Jordan",
        "JP": "Japan",
        "KE": "Kenya",
        "KG": "Kyrgyzstan",
        "KH": "Cambodia",
        "KI": "Kiribati",
        "KM": "Comoros",
        "KN": "Saint Kitts and Nevis",
        "KP": "North Korea",
        "KR": "South Korea",
        "KW": "Kuwait",
        "KY": "Cayman Islands",
        "KZ": "Kazakhstan",
        "LA": "Laos",
        "LB": "Lebanon",
        "LC": "Saint Lucia",
        "LI": "Liechtenstein",
        "LK": "Sri Lanka",
        "LR": "Liberia",
        "LS": "Lesotho",
        "LT": "Lithuania",
        "LU": "Luxembourg",
        "LV": "Latvia",
        "LY": "Libya",
        "MA": "Morocco",
        "MC": "Monaco",
        "MD": "Moldova",
        "ME": "Montenegro",
        "MF": "Saint Martin (French part)",
        "MG": "Madagascar",
        "MH": "Marshall Islands",
        "MK": "North Macedonia",
        "ML": "Mali",
        "MM": "Myanmar",
        "MN": "Mongolia",
        "MO": "Macao",
        "MP": "Northern Mariana Islands",
        "MQ": "Martinique",
        "MR": "Mauritania",
        "MS": "Montserrat",
        "MT": "Malta",
        "MU": "Mauritius",
        "MV": "Maldives",
        "MW": "Malawi",
        "MX": "Mexico",
        "MY": "Malaysia",
        "MZ": "Mozambique",
        "NA": "Namibia",
        "NC": "New Caledonia",
        "NE": "Niger",
        "NF": "Norfolk Island",
        "NG": "Nigeria",
        "NI": "Nicaragua",
        "NL": "Netherlands",
        "NO": "Norway",
        "NP": "Nepal",
        "NR": "Nauru",
        "NU": "Niue",
        "NZ": "New Zealand",
        "OM": "Oman",
        "PA": "Panama",
        "PE": "Peru",
        "PF": "French Polynesia",
        "PG": "Papua New Guinea",
        "PH": "Philippines",
        "PK": "Pakistan",
        "PL": "Poland",
        "PM": "Saint Pierre and Miquelon",
        "PN": "Pitcairn",
        "PR": "Puerto Rico",
        "PS": "Palestine, State of",
        "PT": "Portugal",
        "PW": "Palau",
        "PY": "Paraguay",
        "QA": "Qatar",
        "RE": "Réunion",
        "RO": "Romania",
        "RS": "Serbia",
        "RU": "Russian Federation",
        "RW": "Rwanda",
        "SA": "Saudi Arabia",
        "SB": "Solomon Islands",
        "SC": "Seychelles",
        "SD": "Sudan",
        "SE": "Sweden",
        "SG": "Singapore",
        "SH": "Saint Helena, Ascension and Tristan da Cunha",
        "SI": "Slovenia",
        "SJ": "Svalbard and Jan Mayen",
        "SK": "Slovakia",
        "SL": "Sierra Leone",
        "SM": "San Marino",
        "SN": "Senegal",
        "SO": "Somalia",
        "SR": "Suriname",
        "SS": "South Sudan",
        "ST": "Sao Tome and Principe",
        "SV": "El Salvador",
        "SX": "Sint Maarten (Dutch part)",
        "SY": "Syria",
        "SZ": "Eswatini",
        "TC": "Turks and Caicos Islands",
        "TD": "Chad",
        "TF": "French Southern Territories",
        "TG": "Togo",
        "TH": "Thailand",
        "TJ": "Tajikistan",
        "TK": "Tokelau",
        "TL": "Timor-Leste",
        "TM": "Turkmenistan",
        "TN": "Tunisia",
        "TO": "Tonga",
        "TR": "Türkiye",
        "TT": "Trinidad and Tobago",
        "TV": "Tuvalu",
        "TW": "Taiwan",
        "TZ": "Tanzania",
        "UA": "Ukraine",
        "UG": "Uganda",
        "UM": "United States Minor Outlying Islands",
        "US": "United States",
        "UY": "Uruguay",
        "UZ": "Uzbekistan",
        "VA": "Holy See (Vatican City State)",
        "VC": "Saint Vincent and the Grenadines",
        "VE": "Venezuela",
        "VG": "Virgin Islands, British",
        "VI": "Virgin Islands, U.S.",
        "VN": "Vietnam",
        "VU": "Vanuatu",
        "WF": "Wallis and Futuna",
        "WS": "Samoa",
        "YE": "Yemen",
        "YT": "Mayotte",
        "ZA": "South Africa",
        "ZM": "Zambia",
        "ZW": "Zimbabwe",
    }
)

#: Names people write for a jurisdiction that are not its ISO short name, folded (see :func:`parse_jurisdiction`).
_JURISDICTION_ALIASES: Final[Mapping[str, str]] = MappingProxyType(
    {
        # ISO 3166-1's formal short names, as registries (ClinicalTrials.gov) write them
        "korea,republicof": "KR",
        "korea,democraticpeople'srepublicof": "KP",
        "iran,islamicrepublicof": "IR",
        "moldova,republicof": "MD",
        "syrianarabrepublic": "SY",
        "laopeople'sdemocraticrepublic": "LA",
        "tanzania,unitedrepublicof": "TZ",
        "usa": "US",
        "america": "US",
        "unitedstatesofamerica": "US",
        "usfda": "US",
        "fda": "US",
        "europe": "EU",
        "europeanunion": "EU",
        "ema": "EU",
        "uk": "GB",
        "greatbritain": "GB",
        "britain": "GB",
        "england": "GB",
        "korea": "KR",
        "republicofkorea": "KR",
        "holland": "NL",
        "turkey": "TR",
        "russia": "RU",
        "czechrepublic": "CZ",
        "mainlandchina": "CN",
        "prc": "CN",
    }
)


def parse_jurisdiction(value: object, argument: str = "jurisdiction") -> str:
    """
    Return the jurisdiction code *value* names: an ISO 3166-1 alpha-2 code, or ``EU``.

    Case and surrounding spaces are ignored (``" us"`` is ``"US"``). A country's name
    is not a code; the error suggests the code (``"United States"`` -> ``"US"``).

    Raises:
        ArgumentTypeError: *value* is not a string.
        InvalidArgumentError: *value* is not a code of ``JURISDICTIONS``; the message
            suggests the code a name or a near miss stands for.

    Example:
        >>> parse_jurisdiction("eu")
        'EU'
        >>> parse_jurisdiction("United States")
        Traceback (most recent call last):
        ...
        stemimmune.exceptions.InvalidArgumentError: jurisdiction: 'United States' is not a jurisdiction code (ISO 3166-1 alpha-2, or EU); did you mean 'US' (United States)?
    """
    if not isinstance(value, str):
        raise argument_type_error(argument, "a jurisdiction code such as 'US' or 'EU'", value)
    code = value.strip().upper()
    if code in JURISDICTIONS:
        return code
    suggestion = suggest_jurisdiction(value)
    hint = f"; did you mean {suggestion!r} ({JURISDICTIONS[suggestion]})?" if suggestion else ""
    raise InvalidArgumentError(
        argument, f"{shorten(value)} is not a jurisdiction code (ISO 3166-1 alpha-2, or EU){hint}"
    )


def country_code(name: str) -> str | None:
    """
    The code of a jurisdiction written by its English short name or a common alias, exactly (case and spacing aside).

    Example:
        >>> country_code("Korea, Republic of"), country_code("United States"), country_code("Atlantis")
        ('KR', 'US', None)
    """
    folded = _fold_term(name.strip())
    if not folded or len(folded) > MAX_SHOWN:
        return None
    return _JURISDICTION_ALIASES.get(folded) or _jurisdiction_names().get(folded)


def suggest_jurisdiction(text: str) -> str | None:
    """The code a jurisdiction's name, a common alias or a near miss stands for, if one does."""
    exact = country_code(text)
    if exact is not None:
        return exact
    folded = _fold_term(text.strip())
    if not folded or len(folded) > MAX_SHOWN:
        return None
    by_name = _jurisdiction_names()
    close = difflib.get_close_matches(folded, list(by_name), n=1, cutoff=0.8)
    return by_name[close[0]] if close else None


def _jurisdiction_names() -> dict[str, str]:
    names = _NAMES_CACHE.get("names")
    if names is None:
        names = _NAMES_CACHE["names"] = {_fold_term(name): code for code, name in JURISDICTIONS.items()}
    return names


_NAMES_CACHE: dict[str, dict[str, str]] = {}


V = TypeVar("V", bound=Vocabulary)


def parse_term(kind: type[V], value: V | str, argument: str) -> V:
    """Parse an argument naming a term of the vocabulary *kind*, with the vocabulary's one parser, as the argument's error."""
    if not isinstance(value, str):
        raise argument_type_error(argument, f"{with_article(kind.__name__)} or one of its values as a string", value)
    try:
        return kind.parse(value)
    except ValueError as exc:
        raise InvalidArgumentError(argument, str(exc)) from None
