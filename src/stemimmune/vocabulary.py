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

    @property
    def is_final(self) -> bool:
        """Whether the status can no longer change (completed, terminated, withdrawn)."""
        return self in {TrialStatus.COMPLETED, TrialStatus.TERMINATED, TrialStatus.WITHDRAWN}


class StudyType(Vocabulary):
    """Whether a registered study assigns an intervention (a trial) or only observes."""

    INTERVENTIONAL = "interventional"
    OBSERVATIONAL = "observational"  #: follows patients treated in routine care; it assigns nothing


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
