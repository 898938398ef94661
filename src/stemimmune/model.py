"""
The typed, immutable domain model.

Every record is a frozen attrs class: assigning to a field raises
:class:`attrs.exceptions.FrozenInstanceError`, collections are tuples, and equal data
gives equal, hashable objects. Fields are checked when a record is built; rules that
span records (references resolve, ids are unique, ...) are checked by
:func:`stemimmune.find_problems` when a :class:`~stemimmune.KnowledgeBase` is built.
"""

from __future__ import annotations

import datetime as dt
import enum
import typing
from collections.abc import Iterator
from typing import Any, Final, Literal, TypeAlias

import attrs

from . import _validators as check
from ._dates import PartialDate, parse_day, to_partial_date, today
from ._text import with_article
from ._validators import as_tuple, sorted_unique, unique_tuple
from .exceptions import InvalidValueError, argument_type_error
from .vocabulary import (
    AstctCategory,
    AutoimmuneScope,
    ChallengeKind,
    ComponentKind,
    ConditioningIntensity,
    CredibilityTier,
    Designation,
    DisorderCategory,
    DonorRelation,
    DonorType,
    EbmtCategory,
    EbmtGrade,
    EffectMeasure,
    EffectUnit,
    EnrollmentKind,
    EvidenceLevel,
    GuidelineBody,
    GuidelineScheme,
    HarvestMethod,
    ImmuneBranch,
    IuisCategory,
    MarkerExpression,
    Masking,
    MechanismKind,
    Outcome,
    Population,
    PopulationLabel,
    Potency,
    ReferenceKind,
    RegulatoryDecision,
    RiskKind,
    StepKind,
    StudyType,
    TrialPhase,
    TrialStatus,
    parse_jurisdiction,
    parse_term,
)


#: The name of a collection of a knowledge base.
CollectionName: TypeAlias = Literal[
    "references",
    "immune_components",
    "cell_types",
    "cell_sources",
    "mechanisms",
    "risks",
    "challenges",
    "disorders",
    "therapies",
    "products",
    "trials",
    "indications",
    "findings",
]


class _Record:
    """Behaviour shared by every record class (attrs fields are declared by each subclass)."""

    __slots__ = ()

    def __repr__(self) -> str:
        """Show the id and the name (title, endpoint); the other fields are one attribute away."""
        field = next((f for f in ("name", "title", "endpoint") if hasattr(self, f)), None)
        shown = f", {field}={getattr(self, field)!r}" if field else ""
        return f"{type(self).__name__}(id={getattr(self, 'id', None)!r}{shown})"

    @property
    def label(self) -> str:
        """
        What a person knows the record by: its name, a reference's or trial's title, else its id.

        Example:
            >>> Reference(id="burt2019-mist", kind=ReferenceKind.RANDOMIZED_TRIAL, title="MIST").label
            'MIST'
        """
        for field in ("name", "title", "id"):
            value = getattr(self, field, None)
            if isinstance(value, str):
                return value
        return type(self).__name__  # a nested value (a citation, a marker) has no name of its own

    def _repr_html_(self) -> str:
        """Render as an HTML table in Jupyter and other notebook front ends."""
        from ._display import record_html  # noqa: PLC0415 - only notebooks need it

        return record_html(self)


def _enum(kind: type[enum.Enum]) -> check.Check:
    """A validator: the value is a member of *kind* (a vocabulary), else InvalidValueError naming the valid ones."""
    return check.member_of(kind)


def _optional_enum(kind: type[enum.Enum]) -> check.Check:
    return check.Optional(check.member_of(kind))


def _strongest_first(value: Any) -> tuple[Any, ...]:
    """Ordered vocabulary members without repeats, strongest first (left as given if they do not compare)."""
    items = unique_tuple(value)
    try:
        return tuple(sorted(items, reverse=True))
    except (TypeError, ValueError):
        return items  # not members: the field's validator reports them


#: Key of the attrs field metadata that declares a link, whose value names the collections it may point into.
LINKS_TO: Final = "stemimmune.links_to"


def _ids(*targets: CollectionName, rule: check.Rule | None = None) -> Any:
    """A tuple of ids of records in *targets* (a link field), empty by default."""
    validator = check.identifiers if rule is None else check.all_of(check.identifiers, rule)
    return attrs.field(factory=tuple, converter=unique_tuple, validator=validator, metadata={LINKS_TO: targets})


#: The check of a link field that must hold at least one id. Required fields (these, required citations, single
#: links) are declared with ``attrs.field`` in the class itself, without a default, so type checkers see them.
_REQUIRED_IDS: Final = check.all_of(check.identifiers, check.not_empty)


def _texts() -> Any:
    return attrs.field(factory=tuple, converter=unique_tuple, validator=check.texts)


def _xrefs() -> Any:
    return attrs.field(factory=tuple, converter=unique_tuple, validator=check.curies)


def _optional_text() -> Any:
    return attrs.field(default=None, validator=check.optional_text)


def _citations() -> Any:
    """Optional citations, empty by default (required ones are declared in the class with :data:`_CITED`)."""
    return attrs.field(factory=tuple, converter=unique_tuple, validator=check.Each(check.instance_of(Citation)))


@attrs.frozen(kw_only=True)
class Citation(_Record):
    """
    A pointer from a record to the reference that supports it.

    Attributes:
        reference_id: Id of a :class:`Reference` in the same knowledge base.
        locator: Where in the reference, e.g. ``"Table 2"`` or ``"Results"``.

    Example:
        >>> Citation(reference_id="burt2019-mist", locator="Abstract")
        Citation(reference_id='burt2019-mist', locator='Abstract')
    """

    reference_id: str = attrs.field(validator=check.identifier, metadata={LINKS_TO: ("references",)})
    locator: str | None = _optional_text()


#: The check of a record's citations when it needs at least one.
_CITED: Final = check.all_of(check.Each(check.instance_of(Citation)), check.not_empty)


@attrs.frozen(kw_only=True, repr=False)
class Reference(_Record):
    """
    A bibliographic record: a paper, guideline, regulatory notice, web page...

    Attributes:
        id: Stable identifier, e.g. ``"burt2019-mist"``.
        kind: What kind of source it is; fixes its :attr:`tier`.
        title: Title as published.
        authors: Authors as printed (first author first); may be empty.
        organization: Issuing body for guidelines, notices and web pages, as printed.
        body: For a guideline, its issuing body as a controlled value; a body's newer
            guideline supersedes its older ones (see
            :meth:`~stemimmune.KnowledgeBase.recommendations_for`). Only guidelines have one.
        year: Year of publication, when known.
        venue: Journal, publisher or web site.
        doi: Digital Object Identifier, without ``https://doi.org/``.
        pmid: PubMed identifier (digits only).
        pmcid: PubMed Central identifier, e.g. ``"PMC6439765"``.
        nct_ids: ClinicalTrials.gov registrations the source reports on that have no
            :class:`Trial` record here: plain identifiers, not keys of the reference
            (a registry id identifies a trial, never a paper about it).
        trial_ids: Ids of the :class:`Trial` records of the trials the source reports on.
        url: A page where the work was seen.
        note: Curator's note: caveats about the source or its identifiers.
    """

    id: str = attrs.field(validator=check.identifier)
    kind: ReferenceKind = attrs.field(validator=_enum(ReferenceKind))
    title: str = attrs.field(validator=check.text)
    authors: tuple[str, ...] = _texts()
    organization: str | None = _optional_text()
    body: GuidelineBody | None = attrs.field(default=None, validator=_optional_enum(GuidelineBody))
    year: int | None = attrs.field(default=None, validator=check.year)
    venue: str | None = _optional_text()
    doi: str | None = attrs.field(
        default=None, validator=check.matches(check.DOI_PATTERN, "a DOI such as 10.1001/jama.2018.18743")
    )
    pmid: str | None = attrs.field(
        default=None, validator=check.matches(check.PMID_PATTERN, "a PubMed id (1 to 9 digits)")
    )
    pmcid: str | None = attrs.field(
        default=None, validator=check.matches(check.PMCID_PATTERN, "a PMC id such as PMC6439765")
    )
    nct_ids: tuple[str, ...] = attrs.field(
        factory=tuple,
        converter=unique_tuple,
        validator=check.each_matches(check.NCT_PATTERN, "a ClinicalTrials.gov id NCT followed by 8 digits"),
    )
    trial_ids: tuple[str, ...] = _ids("trials")
    url: str | None = attrs.field(default=None, validator=check.matches(check.URL_PATTERN, "an http(s) URL"))
    note: str | None = _optional_text()

    def __attrs_post_init__(self) -> None:
        """Only a guideline has an issuing body."""
        if self.body is not None and self.kind is not ReferenceKind.GUIDELINE:
            raise InvalidValueError("body", self.body, f"no guideline body on a {self.kind.value} reference")

    @property
    def tier(self) -> CredibilityTier:
        """The credibility tier its kind carries."""
        return self.kind.tier

    @property
    def is_promotional(self) -> bool:
        """Whether the source is marketing by an interested party."""
        return self.tier is CredibilityTier.PROMOTIONAL


@attrs.frozen(kw_only=True, repr=False)
class ImmuneComponent(_Record):
    """
    A non-cellular part of the immune system: an organ, a tissue or a molecule.

    Immune *cells* are :class:`CellType` records, so that lineage covers them.

    Attributes:
        id: Stable identifier, e.g. ``"interleukin-10"``.
        name: Preferred name.
        kind: Organ, tissue or molecule.
        branch: Innate, adaptive or both, where that applies.
        roles: What it does for the immune system, in short phrases.
        synonyms: Other names and abbreviations.
        xrefs: CURIEs of the same concept in ontologies (UBERON, HGNC, PR, ...).
        description: A sentence or two in the curators' own words.
        citations: Sources for the description.
    """

    id: str = attrs.field(validator=check.identifier)
    name: str = attrs.field(validator=check.text)
    kind: ComponentKind = attrs.field(validator=_enum(ComponentKind))
    branch: ImmuneBranch | None = attrs.field(default=None, validator=_optional_enum(ImmuneBranch))
    roles: tuple[str, ...] = _texts()
    synonyms: tuple[str, ...] = _texts()
    xrefs: tuple[str, ...] = _xrefs()
    description: str | None = _optional_text()
    citations: tuple[Citation, ...] = _citations()


@attrs.frozen(kw_only=True)
class Marker(_Record):
    """
    A surface marker criterion for a cell population.

    Attributes:
        names: Marker names; any one of them satisfies the criterion
            (``("CD14", "CD11b")`` reads "CD14 or CD11b").
        expression: Whether the marker must be present or absent.
        threshold_percent: For a positive marker, the least share of cells that must
            carry it; for a negative marker, the most that may.
        xrefs: CURIEs of the gene or protein (HGNC, PR).
    """

    names: tuple[str, ...] = attrs.field(converter=unique_tuple, validator=check.all_of(check.texts, check.not_empty))
    expression: MarkerExpression = attrs.field(validator=_enum(MarkerExpression))
    threshold_percent: float | None = attrs.field(
        default=None, validator=check.all_of(check.finite, check.between(0, 100))
    )
    xrefs: tuple[str, ...] = _xrefs()


@attrs.frozen(kw_only=True, repr=False)
class CellType(_Record):
    """
    A kind of cell: a stem cell, an immune cell, or a cell a therapy makes.

    Lineage is the graph of :attr:`derives_from` links, so "which immune cells come
    from haematopoietic stem cells" is a query over the data.

    Attributes:
        id: Stable identifier, e.g. ``"hematopoietic-stem-cell"``.
        name: Preferred name.
        is_stem_cell: Whether it is a stem (or stromal progenitor) cell.
        potency: Developmental potential, for stem and progenitor cells.
        branch: Innate or adaptive, for immune cells.
        roles: What it does, in short phrases.
        markers: Surface marker criteria that define it.
        derives_from: Ids of the cell types it develops from.
        synonyms: Other names and abbreviations.
        xrefs: CURIEs (Cell Ontology and others).
        description: A sentence or two in the curators' own words.
        citations: Sources.
    """

    id: str = attrs.field(validator=check.identifier)
    name: str = attrs.field(validator=check.text)
    is_stem_cell: bool = attrs.field(default=False, validator=check.instance_of(bool))
    potency: Potency | None = attrs.field(default=None, validator=_optional_enum(Potency))
    branch: ImmuneBranch | None = attrs.field(default=None, validator=_optional_enum(ImmuneBranch))
    roles: tuple[str, ...] = _texts()
    markers: tuple[Marker, ...] = attrs.field(
        factory=tuple, converter=unique_tuple, validator=check.Each(check.instance_of(Marker))
    )
    derives_from: tuple[str, ...] = _ids(
        "cell_types", rule=check.Rule("_not_own_parent", "a cell type does not derive from itself")
    )
    synonyms: tuple[str, ...] = _texts()
    xrefs: tuple[str, ...] = _xrefs()
    description: str | None = _optional_text()
    citations: tuple[Citation, ...] = _citations()

    def _not_own_parent(self, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]) -> None:
        if self.id in value:
            raise InvalidValueError(
                attribute.name,
                value,
                f"ids of other cell types than {self.id!r}",
                reason=f"a cell type cannot derive from itself ({self.id!r})",
            )


@attrs.frozen(kw_only=True, repr=False)
class CellSource(_Record):
    """
    A tissue that stem cells are collected from.

    Attributes:
        id: Stable identifier, e.g. ``"bone-marrow"``.
        name: Preferred name.
        yields: Ids of the cell types collected from it.
        harvest: How the cells are collected.
        synonyms: Other names.
        xrefs: Anatomical CURIEs (UBERON).
        description: A sentence or two in the curators' own words.
        citations: Sources.
    """

    id: str = attrs.field(validator=check.identifier)
    name: str = attrs.field(validator=check.text)
    yields: tuple[str, ...] = attrs.field(
        converter=unique_tuple, validator=_REQUIRED_IDS, metadata={LINKS_TO: ("cell_types",)}
    )
    harvest: HarvestMethod = attrs.field(validator=_enum(HarvestMethod))
    synonyms: tuple[str, ...] = _texts()
    xrefs: tuple[str, ...] = _xrefs()
    description: str | None = _optional_text()
    citations: tuple[Citation, ...] = _citations()


@attrs.frozen(kw_only=True, repr=False)
class Mechanism(_Record):
    """
    A way a therapy is thought to help.

    Attributes:
        id: Stable identifier, e.g. ``"msc-immunomodulation"``.
        name: Preferred name.
        kind: Replacement, immune reset, immunomodulation or tissue repair.
        effector_ids: Ids of immune components (molecules) that carry the effect.
        target_ids: Ids of cell types acted on.
        synonyms: Other names.
        xrefs: CURIEs (GO processes and others).
        description: How it works, in the curators' own words.
        citations: Sources.
    """

    id: str = attrs.field(validator=check.identifier)
    name: str = attrs.field(validator=check.text)
    kind: MechanismKind = attrs.field(validator=_enum(MechanismKind))
    effector_ids: tuple[str, ...] = _ids("immune_components")
    target_ids: tuple[str, ...] = _ids("cell_types")
    synonyms: tuple[str, ...] = _texts()
    xrefs: tuple[str, ...] = _xrefs()
    description: str | None = _optional_text()
    citations: tuple[Citation, ...] = _citations()


@attrs.frozen(kw_only=True, repr=False)
class Risk(_Record):
    """
    A harm a therapy can cause.

    Attributes:
        id: Stable identifier, e.g. ``"graft-versus-host-disease-risk"``.
        name: Preferred name.
        kind: Kind of harm; ``gvhd`` marks the allogeneic risk the integrity rules
            look for.
        synonyms: Other names.
        xrefs: CURIEs.
        description: The harm, in the curators' own words.
        citations: Sources.
    """

    id: str = attrs.field(validator=check.identifier)
    name: str = attrs.field(validator=check.text)
    kind: RiskKind = attrs.field(validator=_enum(RiskKind))
    synonyms: tuple[str, ...] = _texts()
    xrefs: tuple[str, ...] = _xrefs()
    description: str | None = _optional_text()
    citations: tuple[Citation, ...] = _citations()


@attrs.frozen(kw_only=True, repr=False)
class Challenge(_Record):
    """
    An open problem for the field (sourcing, delivery, standardization, ...).

    Attributes:
        id: Stable identifier.
        name: Short name.
        kind: Kind of challenge.
        description: The problem, in the curators' own words.
        citations: Sources.
    """

    id: str = attrs.field(validator=check.identifier)
    name: str = attrs.field(validator=check.text)
    kind: ChallengeKind = attrs.field(validator=_enum(ChallengeKind))
    description: str | None = _optional_text()
    citations: tuple[Citation, ...] = _citations()


@attrs.frozen(kw_only=True)
class ConventionalTreatment(_Record):
    """
    A standard-of-care treatment for a disorder, for comparison with cell therapy.

    Attributes:
        name: Treatment or drug class, e.g. ``"disease-modifying therapies"``.
        drawbacks: Its known drawbacks, in short phrases.
        xrefs: CURIEs (CHEBI, MAXO, ...).
        citations: Sources.
    """

    name: str = attrs.field(validator=check.text)
    drawbacks: tuple[str, ...] = _texts()
    xrefs: tuple[str, ...] = _xrefs()
    citations: tuple[Citation, ...] = _citations()


@attrs.frozen(kw_only=True, repr=False)
class Disorder(_Record):
    """
    An immune disorder.

    Attributes:
        id: Stable identifier, e.g. ``"multiple-sclerosis"``.
        name: Preferred name.
        category: Autoimmune, immunodeficiency, allergic, alloimmune, ...
        scope: For autoimmune disorders, organ-specific or systemic; else None.
        iuis_category: For an inborn error of immunity, the IUIS table it belongs to; else
            None. Only an immunodeficiency has one, or a bone-marrow failure in IUIS table 9.
        parent_ids: Ids of broader disorders this one is a form of.
        targets: Tissues or cells the disorder damages, in short phrases.
        component_ids: Ids of the cell types and immune components at fault.
        conventional_treatments: The usual treatments and their drawbacks.
        synonyms: Other names and abbreviations (``"MS"``).
        xrefs: CURIEs (MONDO, DOID, MESH, ICD10CM, NCIT, ...).
        description: A sentence or two in the curators' own words.
        citations: Sources.
    """

    id: str = attrs.field(validator=check.identifier)
    name: str = attrs.field(validator=check.text)
    category: DisorderCategory = attrs.field(validator=_enum(DisorderCategory))
    scope: AutoimmuneScope | None = attrs.field(
        default=None,
        validator=check.all_of(
            _optional_enum(AutoimmuneScope),
            check.Rule("_scope_only_for_autoimmune", "a disorder has a scope exactly when its category is autoimmune"),
        ),
    )
    iuis_category: IuisCategory | None = attrs.field(
        default=None,
        validator=check.all_of(
            _optional_enum(IuisCategory),
            check.Rule(
                "_iuis_only_for_inborn_errors",
                "an IUIS category only on an immunodeficiency, or table 9 on a bone-marrow failure",
            ),
        ),
    )
    parent_ids: tuple[str, ...] = _ids("disorders")
    targets: tuple[str, ...] = _texts()
    component_ids: tuple[str, ...] = _ids("cell_types", "immune_components")
    conventional_treatments: tuple[ConventionalTreatment, ...] = attrs.field(
        factory=tuple, converter=unique_tuple, validator=check.Each(check.instance_of(ConventionalTreatment))
    )
    synonyms: tuple[str, ...] = _texts()
    xrefs: tuple[str, ...] = _xrefs()
    description: str | None = _optional_text()
    citations: tuple[Citation, ...] = _citations()

    def _iuis_only_for_inborn_errors(
        self, attribute: attrs.Attribute[IuisCategory | None], value: IuisCategory | None
    ) -> None:
        if value is None or self.category is DisorderCategory.IMMUNODEFICIENCY:
            return
        if self.category is DisorderCategory.BONE_MARROW_FAILURE and value is IuisCategory.BONE_MARROW_FAILURE:
            return
        expected = (
            "no IUIS category (null), or 'bone-marrow-failure' (IUIS table 9)"
            if self.category is DisorderCategory.BONE_MARROW_FAILURE
            else "no IUIS category (null): only inborn errors of immunity have one"
        )
        raise InvalidValueError(
            attribute.name,
            value.value,
            expected,
            reason=f"an IUIS category belongs to inborn errors of immunity, not to {self.category.value} disorders"
            + (" (a bone-marrow failure may only be in IUIS table 9)" if "table 9" in expected else ""),
        )

    def _scope_only_for_autoimmune(
        self, attribute: attrs.Attribute[AutoimmuneScope | None], value: AutoimmuneScope | None
    ) -> None:
        if self.category is DisorderCategory.AUTOIMMUNE and value is None:
            raise InvalidValueError(
                attribute.name,
                value,
                "a scope (organ-specific or systemic)",
                reason="an autoimmune disorder needs a scope (organ-specific or systemic)",
            )
        if self.category is not DisorderCategory.AUTOIMMUNE and value is not None:
            raise InvalidValueError(
                attribute.name,
                value.value,
                "no scope (null): only autoimmune disorders have one",
                reason=f"only autoimmune disorders have a scope, not {self.category.value} ones",
            )


@attrs.frozen(kw_only=True)
class ProcedureStep(_Record):
    """
    One step of a therapy's procedure.

    Attributes:
        kind: Mobilization, harvest, graft processing, conditioning, infusion, ...
        description: What is done, in the curators' own words.
        agents: Drugs or devices used, e.g. ``("cyclophosphamide", "G-CSF")``.
        intensities: For conditioning steps only: the regimen intensities in use,
            mildest first (centres and trials differ).
    """

    kind: StepKind = attrs.field(validator=_enum(StepKind))
    description: str = attrs.field(validator=check.text)
    agents: tuple[str, ...] = _texts()
    intensities: tuple[ConditioningIntensity, ...] = attrs.field(
        factory=tuple,
        converter=sorted_unique,
        validator=check.all_of(
            check.Each(check.instance_of(ConditioningIntensity)),
            check.Rule("_only_for_conditioning", "only a conditioning procedure step has intensities"),
        ),
    )

    def _only_for_conditioning(
        self, attribute: attrs.Attribute[tuple[ConditioningIntensity, ...]], value: tuple[ConditioningIntensity, ...]
    ) -> None:
        if value and self.kind is not StepKind.CONDITIONING:
            raise InvalidValueError(
                attribute.name,
                [intensity.value for intensity in value],
                "no intensities: only a conditioning step has them",
                reason=f"only a conditioning step has intensities, not {with_article(self.kind.value)} step",
            )


@attrs.frozen(kw_only=True, repr=False)
class Therapy(_Record):
    """
    A concrete cell-therapy approach.

    Attributes:
        id: Stable identifier, e.g. ``"autologous-hsct"``.
        name: Preferred name.
        is_stem_cell_therapy: False for comparators that use no stem cells
            (CD19 CAR-T cells, for example).
        cell_type_id: Id of the cell type given.
        source_ids: Ids of the cell sources the cells come from.
        donor_relation: Autologous or allogeneic.
        procedure: The steps, in order.
        mechanism_ids: Ids of the mechanisms it acts by.
        risk_ids: Ids of the risks it carries.
        synonyms: Other names and abbreviations (``"aHSCT"``).
        xrefs: CURIEs (MAXO, NCIT, ...).
        description: A sentence or two in the curators' own words.
        citations: Sources; at least one.
    """

    id: str = attrs.field(validator=check.identifier)
    name: str = attrs.field(validator=check.text)
    cell_type_id: str = attrs.field(validator=check.identifier, metadata={LINKS_TO: ("cell_types",)})
    source_ids: tuple[str, ...] = attrs.field(
        converter=unique_tuple, validator=_REQUIRED_IDS, metadata={LINKS_TO: ("cell_sources",)}
    )
    donor_relation: DonorRelation = attrs.field(validator=_enum(DonorRelation))
    mechanism_ids: tuple[str, ...] = attrs.field(
        converter=unique_tuple, validator=_REQUIRED_IDS, metadata={LINKS_TO: ("mechanisms",)}
    )
    citations: tuple[Citation, ...] = attrs.field(converter=unique_tuple, validator=_CITED)
    is_stem_cell_therapy: bool = attrs.field(default=True, validator=check.instance_of(bool))
    procedure: tuple[ProcedureStep, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=check.Each(check.instance_of(ProcedureStep))
    )
    risk_ids: tuple[str, ...] = _ids("risks")
    synonyms: tuple[str, ...] = _texts()
    xrefs: tuple[str, ...] = _xrefs()
    description: str | None = _optional_text()


@attrs.frozen(kw_only=True)
class ProductHolder(_Record):
    """
    A company or institution that holds (or held) a product's authorisation.

    Attributes:
        name: The holder's name.
        jurisdictions: Where it holds it (ISO 3166-1 alpha-2 codes, or ``"EU"``); empty when unstated.
        since: When it became the holder, as precise as the source gives it, when known.
    """

    name: str = attrs.field(validator=check.text)
    jurisdictions: tuple[str, ...] = attrs.field(factory=tuple, converter=unique_tuple, validator=check.jurisdictions)
    since: PartialDate | None = attrs.field(default=None, converter=to_partial_date, validator=check.partial_date)


@attrs.frozen(kw_only=True)
class RegulatoryEvent(_Record):
    """
    One regulator's decision or designation about a product, in one jurisdiction, on one date.

    Attributes:
        jurisdiction: ISO 3166-1 alpha-2 code, or ``"EU"``.
        agency: The regulator, e.g. ``"US FDA"``.
        decision: Approved, conditionally approved, hospital exemption, opinion,
            refusal, withdrawal, or a designation.
        designation: For a designation, which one.
        date: When the decision was taken, as precise as the source gives it (a
            :class:`PartialDate`: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``); None when no
            source dates it. A decision counts from the last day of its date's period.
        in_force_by: For a status-setting decision no source dates: the date of the
            earliest source seen that reports it in force; it counts from then, so it is
            never reported before it had surely been taken. None when *date* is given.
        expires: For an authorisation granted for a term: the day it lapses unless
            renewed, from the source (from that day the status is ``expired``).
        disorder_ids: Ids of the disorders the decision concerns.
        label_population: Who the decision covers, faithful to the regulator's words:
            the disorder, age limits and line of therapy.
        citations: Sources for the event; at least one.
        note: A curator's remark about the record (how precise its date is, a translation,
            what the label adds), never data of the decision itself.
    """

    jurisdiction: str = attrs.field(validator=check.jurisdiction)
    agency: str = attrs.field(validator=check.text)
    decision: RegulatoryDecision = attrs.field(validator=_enum(RegulatoryDecision))
    citations: tuple[Citation, ...] = attrs.field(converter=unique_tuple, validator=_CITED)
    designation: Designation | None = attrs.field(default=None, validator=_optional_enum(Designation))
    date: PartialDate | None = attrs.field(default=None, converter=to_partial_date, validator=check.partial_date)
    in_force_by: PartialDate | None = attrs.field(default=None, converter=to_partial_date, validator=check.partial_date)
    expires: PartialDate | None = attrs.field(default=None, converter=to_partial_date, validator=check.partial_date)
    disorder_ids: tuple[str, ...] = _ids("disorders")
    label_population: str | None = _optional_text()
    note: str | None = _optional_text()

    def __attrs_post_init__(self) -> None:
        """A designation names which one; a status-setting decision has a date; only an authorisation expires."""
        if (self.decision is RegulatoryDecision.DESIGNATED) != (self.designation is not None):
            raise InvalidValueError(
                "designation", self.designation, "a designation exactly when the decision is 'designated'"
            )
        if self.date is not None and self.in_force_by is not None:
            raise InvalidValueError("in_force_by", self.in_force_by, "no in_force_by when the decision has a date")
        if self.decision.sets_status and self.start is None:
            raise InvalidValueError(
                "date",
                None,
                f"a date (a year at least) for a {self.decision.value!r} decision, which sets a status; "
                "or in_force_by: the date of the earliest source that reports it in force",
            )
        if self.expires is not None:
            if not self.decision.is_authorisation:
                raise InvalidValueError(
                    "expires", self.expires, f"no expiry on a {self.decision.value!r} decision (only authorisations)"
                )
            if self.start is not None and self.expires <= self.start:
                raise InvalidValueError("expires", self.expires, f"an expiry after the decision's date ({self.start})")

    @property
    def start(self) -> PartialDate | None:
        """The date the event counts from (its *date*, else its *in_force_by*)."""
        return self.date if self.date is not None else self.in_force_by


@attrs.frozen(kw_only=True, repr=False)
class Product(_Record):
    """
    A licensed (or once licensed, or investigational) cell product: an instance of a therapy.

    Attributes:
        id: Stable identifier, e.g. ``"ryoncil"``.
        name: The brand name it is best known by.
        generic_name: The INN or USAN, e.g. ``"remestemcel-L"``.
        therapy_id: Id of the therapy it is an instance of.
        holders: Who holds (or held) its authorisations, over time.
        events: Its regulatory history: one event per decision, jurisdiction and date.
        synonyms: Other brand names and code names (``"Prochymal"``, ``"MSC-100-IV"``).
        xrefs: CURIEs.
        description: A sentence or two in the curators' own words.
        citations: Sources; at least one.
    """

    id: str = attrs.field(validator=check.identifier)
    name: str = attrs.field(validator=check.text)
    therapy_id: str = attrs.field(validator=check.identifier, metadata={LINKS_TO: ("therapies",)})
    citations: tuple[Citation, ...] = attrs.field(converter=unique_tuple, validator=_CITED)
    generic_name: str | None = _optional_text()
    holders: tuple[ProductHolder, ...] = attrs.field(
        factory=tuple, converter=unique_tuple, validator=check.Each(check.instance_of(ProductHolder))
    )
    events: tuple[RegulatoryEvent, ...] = attrs.field(
        factory=tuple, converter=as_tuple, validator=check.Each(check.instance_of(RegulatoryEvent))
    )
    synonyms: tuple[str, ...] = _texts()
    xrefs: tuple[str, ...] = _xrefs()
    description: str | None = _optional_text()

    def status(self, jurisdiction: str, on: dt.date | str | None = None) -> RegulatoryDecision | None:
        """
        The product's status in *jurisdiction* on the day *on* (default: today).

        The status is the latest status-setting decision in force on that day: an
        authorisation, a refusal, a withdrawal or a lapse (opinions and designations set
        none). A decision dated after *on* does not count; a decision dated by its month
        or year counts from the last day of that month or year (see
        :class:`PartialDate`); a decision no source dates counts from its
        ``in_force_by`` date; an authorisation whose ``expires`` day has come is
        ``expired``. This is the one definition of status: every filter, table, map and
        CLI column reads it (through ``in_force()``). None when no decision is in
        force yet. "Ever had this decision" is :meth:`ever`.

        Args:
            jurisdiction: An ISO 3166-1 alpha-2 code, or ``"EU"`` (any case).
            on: A :class:`datetime.date`, a :class:`datetime.datetime` or ``"YYYY-MM-DD"``.

        Raises:
            ArgumentTypeError: *jurisdiction* is not a string, or *on* is not a date or a string.
            InvalidArgumentError: *jurisdiction* is not a code (a name gets a suggestion),
                or *on* is not a real ISO day.

        Example:
            >>> import stemimmune
            >>> alofisel = stemimmune.load().get("Alofisel")
            >>> [alofisel.status("EU", on=d) for d in ("2018-03-22", "2024-12-12", "2024-12-13")]
            [None, <RegulatoryDecision.APPROVED: 'approved'>, <RegulatoryDecision.WITHDRAWN: 'withdrawn'>]
        """
        code = parse_jurisdiction(jurisdiction)
        day = today() if on is None else parse_day(on)
        found = in_force(self, code, day)
        return None if found is None else found[0]

    def ever(self, decision: RegulatoryDecision | str, jurisdiction: str | None = None) -> bool:
        """
        Whether the product has ever had *decision* (in *jurisdiction*, or anywhere), up to today.

        The historical question, unlike :meth:`status`: a withdrawn product was still
        once ``approved``. Decisions dated after today do not count; events no source
        dates (designations, mostly) do.

        Raises:
            ArgumentTypeError, InvalidArgumentError: *decision* is not a decision, or
                *jurisdiction* not a jurisdiction code.

        Example:
            >>> import stemimmune
            >>> alofisel = stemimmune.load().get("Alofisel")
            >>> alofisel.ever("approved", "EU"), alofisel.status("EU") is RegulatoryDecision.APPROVED
            (True, False)
        """
        wanted = parse_term(RegulatoryDecision, decision, "decision")
        code = None if jurisdiction is None else parse_jurisdiction(jurisdiction)
        now = today()
        for event in self.events:
            if code is not None and event.jurisdiction != code:
                continue
            if event.start is not None and not event.start <= now:
                continue
            if event.decision is wanted:
                return True
            if wanted is RegulatoryDecision.EXPIRED and event.expires is not None and event.expires <= now:
                return True
        return False


def in_force(product: Product, jurisdiction: str, day: dt.date) -> tuple[RegulatoryDecision, RegulatoryEvent] | None:
    """
    The status of *product* in *jurisdiction* (a code) on *day*, with the event that sets it.

    The one definition behind :meth:`Product.status` and every regulatory filter: the
    status-setting event of the jurisdiction with the latest start (:attr:`RegulatoryEvent.start`)
    on or before *day*, in the order of :class:`PartialDate` (ties: the later event in
    the record); ``expired`` instead of its decision once an authorisation's ``expires``
    day has come. None when no such event has started.
    """
    best: tuple[PartialDate, int, RegulatoryEvent] | None = None
    for position, event in enumerate(product.events):
        start = event.start
        if event.jurisdiction != jurisdiction or not event.decision.sets_status or start is None:
            continue
        if start <= day and (best is None or (start, position) >= (best[0], best[1])):
            best = (start, position, event)
    if best is None:
        return None
    event = best[2]
    if event.expires is not None and event.expires <= day:
        return RegulatoryDecision.EXPIRED, event
    return event.decision, event


@attrs.frozen(kw_only=True, repr=False)
class Trial(_Record):
    """
    A registered clinical trial, as its registry page (or a registry mirror) showed it.

    Attributes:
        id: Stable identifier: the main registry id in lower case, hyphenated (``"nct"`` and 8 digits).
        registry_ids: Its ids in trial registries (``NCT`` and 8 digits, ``ISRCTN`` and 8 digits,
            ``EudraCT:`` and its number, ``ChiCTR``, ``ACTRN``, ``IRCT``, ``CTRI/``, ``jRCT``, ``DRKS``
            and their numbers...); at least one.
        title: The registered title, when it was seen.
        synonyms: Acronyms and short names it is known by (``"SCOT"``), as the registered
            title or a report of it prints them; descriptive keys, so :meth:`~stemimmune.KnowledgeBase.get`
            finds the trial by them unless another record is named so too.
        intervention: What the trial gives, in the curators' own words, when no therapy
            record fits it exactly.
        study_type: Interventional (a trial) or observational, when the registry says.
        phase: Its phase.
        randomized: Whether allocation is randomized, when the page said.
        masking: Who is blinded.
        arms: Number of arms.
        enrollment: Number of participants, planned or actual (see *enrollment_kind*).
        enrollment_kind: Whether *enrollment* is the target or the actual number.
        status: Recruitment status, as of *status_as_of*.
        status_as_of: The date the registry (or the registry mirror at *url*) gives for
            the status: its "status verified", "last update posted", "last updated" or
            "current as of" date, as precise as printed; never the day a curator typed it.
            A status that can still change (recruiting, active, unknown...) needs it; a
            final one (completed, terminated, withdrawn) may lack it.
        start_date: When it started (or is to start), as precise as the page gave it.
        completion_date: When it completed (or is to complete).
        sponsor: The sponsor, as registered.
        countries: Where it recruits (ISO 3166-1 alpha-2 codes).
        disorder_ids: Ids of the disorders it studies.
        therapy_ids: Ids of the therapies it tests.
        product_ids: Ids of the products it tests.
        reference_ids: Ids of the references that report it.
        url: The registry page, or registry mirror, where it was seen.
        seen_on: The day the page at *url* was read, when known (on or after *status_as_of*).
        extends: Ids of the trials whose cohorts this registration follows up, extends or
            re-treats (a follow-up registration is not a new cohort).
        note: A curator's remark about the record (never data of the trial itself).
    """

    id: str = attrs.field(validator=check.identifier)
    registry_ids: tuple[str, ...] = attrs.field(
        converter=unique_tuple,
        validator=check.all_of(
            check.not_empty,
            check.each_matches(
                check.REGISTRY_ID_PATTERN,
                (
                    "a registry id: NCT or ISRCTN and 8 digits, EudraCT:, CTIS:, ChiCTR, NL-OMON, ACTRN, IRCT,"
                    " CTRI/, jRCT, DRKS or KCT and its number"
                ),
            ),
        ),
    )
    title: str | None = _optional_text()
    synonyms: tuple[str, ...] = _texts()
    intervention: str | None = _optional_text()
    study_type: StudyType | None = attrs.field(default=None, validator=_optional_enum(StudyType))
    phase: TrialPhase | None = attrs.field(default=None, validator=_optional_enum(TrialPhase))
    randomized: bool | None = attrs.field(default=None, validator=check.Optional(check.instance_of(bool)))
    masking: Masking | None = attrs.field(default=None, validator=_optional_enum(Masking))
    arms: int | None = attrs.field(default=None, validator=check.positive_count)
    enrollment: int | None = attrs.field(default=None, validator=check.positive_count)
    enrollment_kind: EnrollmentKind | None = attrs.field(default=None, validator=_optional_enum(EnrollmentKind))
    status: TrialStatus | None = attrs.field(default=None, validator=_optional_enum(TrialStatus))
    status_as_of: PartialDate | None = attrs.field(
        default=None, converter=to_partial_date, validator=check.partial_date
    )
    start_date: PartialDate | None = attrs.field(default=None, converter=to_partial_date, validator=check.partial_date)
    completion_date: PartialDate | None = attrs.field(
        default=None, converter=to_partial_date, validator=check.partial_date
    )
    sponsor: str | None = _optional_text()
    countries: tuple[str, ...] = attrs.field(factory=tuple, converter=unique_tuple, validator=check.jurisdictions)
    disorder_ids: tuple[str, ...] = _ids("disorders")
    therapy_ids: tuple[str, ...] = _ids("therapies")
    product_ids: tuple[str, ...] = _ids("products")
    reference_ids: tuple[str, ...] = _ids("references")
    url: str | None = attrs.field(default=None, validator=check.matches(check.URL_PATTERN, "an http(s) URL"))
    seen_on: PartialDate | None = attrs.field(default=None, converter=to_partial_date, validator=check.partial_date)
    extends: tuple[str, ...] = _ids("trials")
    note: str | None = _optional_text()

    def __attrs_post_init__(self) -> None:
        """
        Check the rules across fields.

        An enrolment says whether it is the target or the actual number; a status that can
        still change carries the date its source gave for it, which is not after the day
        the page was read; a status date goes with a status.
        """
        if (self.enrollment is None) != (self.enrollment_kind is None):
            raise InvalidValueError(
                "enrollment_kind", self.enrollment_kind, "'target' or 'actual' exactly when an enrollment is given"
            )
        if self.status_as_of is not None and self.status is None:
            raise InvalidValueError(
                "status_as_of",
                str(self.status_as_of),
                "no date without a status",
                reason="a status date needs a status",
            )
        if self.status is not None and not self.status.is_final and self.status_as_of is None:
            raise InvalidValueError(
                "status_as_of",
                None,
                "the date the registry gave for the status",
                reason=f"a status that can still change ({self.status.value!r}) needs the date its source gave for it",
            )
        if (
            self.status_as_of is not None
            and self.seen_on is not None
            and self.status_as_of.first_day > self.seen_on.last_day
        ):
            raise InvalidValueError(
                "status_as_of",
                str(self.status_as_of),
                f"a date on or before the day the page was read ({self.seen_on})",
                reason=f"the status is dated {self.status_as_of}, after the page was read on {self.seen_on}",
            )


@attrs.frozen(kw_only=True)
class GuidelineRecommendation(_Record):
    """
    One guideline's recommendation for a transplant or cell-therapy indication, in the guideline's own terms.

    Attributes:
        reference_id: Id of the guideline :class:`Reference`.
        scheme: The category system the guideline uses (EBMT 2012, EBMT 2019-2025,
            ASBMT/ASTCT, or a statement without letters).
        categories: For EBMT schemes, the letters of the cell, strongest first: one
            letter, or several for a mixed cell printed "S or CO".
        astct_category: For the ASTCT scheme, its category.
        statement: For the statement scheme, what the guideline says, in the curators'
            own words.
        grade: The guideline's grade or level of the evidence (I, II, III), as printed.
        population: Adults or children, when the guideline says which.
        donor_type: The donor column (sibling, unrelated, autologous for EBMT 2012; MSD,
            MUD, MMAD, autologous for EBMT 2019-2025), when there is one.
        applies_to: When the guideline restricts the recommendation to some forms of the
            indication's disorder: the ids of those disorders (the indication's disorder
            or its subtypes). Empty: it speaks for the disorder as a whole.
        qualifier: When the guideline restricts the recommendation to some patients
            (disease activity, risk features, line of therapy): who, in the curators'
            own words.
        locator: Where in the guideline, e.g. ``"Table 3, row 'SCID'"``.

    Example:
        >>> from stemimmune.vocabulary import EbmtCategory, GuidelineScheme
        >>> mixed = GuidelineRecommendation(
        ...     reference_id="snowden2022-ebmt", scheme=GuidelineScheme.EBMT_2019,
        ...     categories=(EbmtCategory.CLINICAL_OPTION, EbmtCategory.STANDARD_OF_CARE),
        ... )
        >>> [c.value for c in mixed.categories], mixed.category.value
        (['S', 'CO'], 'S')
    """

    reference_id: str = attrs.field(validator=check.identifier, metadata={LINKS_TO: ("references",)})
    scheme: GuidelineScheme = attrs.field(default=GuidelineScheme.EBMT_2012, validator=_enum(GuidelineScheme))
    categories: tuple[EbmtCategory, ...] = attrs.field(
        factory=tuple, converter=_strongest_first, validator=check.Each(_enum(EbmtCategory))
    )
    astct_category: AstctCategory | None = attrs.field(default=None, validator=_optional_enum(AstctCategory))
    statement: str | None = _optional_text()
    grade: EbmtGrade | None = attrs.field(default=None, validator=_optional_enum(EbmtGrade))
    population: Population | None = attrs.field(default=None, validator=_optional_enum(Population))
    donor_type: DonorType | None = attrs.field(default=None, validator=_optional_enum(DonorType))
    applies_to: tuple[str, ...] = _ids("disorders")
    qualifier: str | None = _optional_text()
    locator: str | None = _optional_text()

    def __attrs_post_init__(self) -> None:
        """Check that the cell is written in its scheme's terms."""
        ebmt = self.scheme in {GuidelineScheme.EBMT_2012, GuidelineScheme.EBMT_2019}
        if ebmt and not self.categories:
            raise InvalidValueError("categories", [], f"at least one EBMT category for the {self.scheme.value} scheme")
        if not ebmt and self.categories:
            raise InvalidValueError("categories", self.categories, f"no EBMT letters in the {self.scheme.value} scheme")
        if (self.scheme is GuidelineScheme.ASTCT) != (self.astct_category is not None):
            raise InvalidValueError(
                "astct_category", self.astct_category, "a category exactly when the scheme is 'astct'"
            )
        if self.scheme is GuidelineScheme.STATEMENT and self.statement is None:
            raise InvalidValueError("statement", None, "the statement's text for the 'statement' scheme")
        if self.scheme is GuidelineScheme.EBMT_2012 and self.donor_type in _EBMT_2019_COLUMNS:
            raise InvalidValueError("donor_type", self.donor_type, "a sibling, unrelated or autologous column")
        if self.scheme is GuidelineScheme.EBMT_2019 and self.donor_type in _EBMT_2012_COLUMNS:
            raise InvalidValueError("donor_type", self.donor_type, "an MSD, MUD, MMAD or autologous column")

    @property
    def category(self) -> EbmtCategory | None:
        """The strongest EBMT letter of the cell, if the scheme has letters."""
        return self.categories[0] if self.categories else None


_EBMT_2019_COLUMNS: Final = frozenset({DonorType.MATCHED_SIBLING, DonorType.MATCHED_UNRELATED, DonorType.MISMATCHED})
_EBMT_2012_COLUMNS: Final = frozenset({DonorType.SIBLING, DonorType.UNRELATED})


@attrs.frozen(kw_only=True, repr=False)
class Indication(_Record):
    """
    A therapy studied for a disorder, with the evidence graded.

    Attributes:
        id: Stable identifier, e.g. ``"autologous-hsct-for-multiple-sclerosis"``.
        therapy_id: Id of the therapy.
        disorder_id: Id of the disorder.
        evidence_level: The strongest study design behind it.
        recommendations: Guideline recommendations, where they exist.
        trial_ids: Ids of the :class:`Trial` records behind it.
        outcomes: Kinds of outcome reported.
        risk_ids: Ids of risks specific to this use, beyond the therapy's own.
        summary: What the evidence shows, in the curators' own words.
        citations: Sources; at least one, and not only promotional ones when the
            evidence level is above preclinical.
    """

    id: str = attrs.field(validator=check.identifier)
    therapy_id: str = attrs.field(validator=check.identifier, metadata={LINKS_TO: ("therapies",)})
    disorder_id: str = attrs.field(validator=check.identifier, metadata={LINKS_TO: ("disorders",)})
    evidence_level: EvidenceLevel = attrs.field(validator=_enum(EvidenceLevel))
    citations: tuple[Citation, ...] = attrs.field(converter=unique_tuple, validator=_CITED)
    recommendations: tuple[GuidelineRecommendation, ...] = attrs.field(
        factory=tuple, converter=unique_tuple, validator=check.Each(check.instance_of(GuidelineRecommendation))
    )
    trial_ids: tuple[str, ...] = _ids("trials")
    outcomes: tuple[Outcome, ...] = attrs.field(
        factory=tuple, converter=unique_tuple, validator=check.Each(check.instance_of(Outcome))
    )
    risk_ids: tuple[str, ...] = _ids("risks")
    summary: str | None = _optional_text()


@attrs.frozen(kw_only=True)
class Effect(_Record):
    """
    A numeric effect estimate with its confidence interval.

    Attributes:
        measure: Hazard ratio, proportion (in percent), median, ...
        value: The point estimate as reported.
        ci_low: Lower bound of the confidence interval, if reported.
        ci_high: Upper bound of the confidence interval, if reported.
        ci_level: Confidence level of the interval in percent (usually 95).
        unit: Unit of *value* (:class:`~stemimmune.vocabulary.EffectUnit`): percent for a
            proportion, percentage points for a risk difference, patients or events for a
            count, a scale's points, days, ... for an average; none for a ratio.
        denominator: For a count, the number it is out of ("6 of 14" is value 6,
            denominator 14); else None.
        annotation: What the number refers to, in a few words, where the measure and unit
            do not say it: the scale, the arm, the time point (``"CDAI, decrease in the
            MSC arm"``).
    """

    measure: EffectMeasure = attrs.field(validator=_enum(EffectMeasure))
    value: float = attrs.field(validator=check.finite)
    ci_low: float | None = attrs.field(default=None, validator=check.finite)
    ci_high: float | None = attrs.field(
        default=None,
        validator=check.all_of(
            check.finite,
            check.Rule(
                "_interval_contains_value",
                "an effect gives both ends of its interval or neither, and the interval contains its value",
            ),
        ),
    )
    ci_level: float | None = attrs.field(
        default=None, validator=check.all_of(check.finite, check.between(0, 100, inclusive=False))
    )
    unit: EffectUnit | None = attrs.field(
        default=None,
        validator=check.all_of(
            _optional_enum(EffectUnit),
            check.Rule("_unit_fits_measure", "a unit that fits the measure (see EffectUnit)"),
        ),
    )
    denominator: int | None = attrs.field(
        default=None,
        validator=check.all_of(
            check.positive_count,
            check.Rule("_denominator_of_a_count", "a denominator only for a count, at least the count's value"),
        ),
    )
    annotation: str | None = _optional_text()

    def _unit_fits_measure(self, attribute: attrs.Attribute[EffectUnit | None], value: EffectUnit | None) -> None:
        if value is not None and self.measure not in value.fits:
            fitting = ", ".join(repr(u.value) for u in EffectUnit if self.measure in u.fits) or "none"
            raise InvalidValueError(
                attribute.name,
                value.value,
                f"a unit for a {self.measure.value} ({fitting})",
                reason=f"a {self.measure.value} is not measured in {value.value}",
            )

    def _denominator_of_a_count(self, attribute: attrs.Attribute[int | None], value: int | None) -> None:
        if value is None:
            return
        if self.measure is not EffectMeasure.COUNT:
            raise InvalidValueError(
                attribute.name,
                value,
                "no denominator (null)",
                reason=f"only a count has a denominator, not a {self.measure.value}",
            )
        if not 0 <= self.value <= value:
            raise InvalidValueError(
                attribute.name,
                value,
                f"a denominator of at least the count {self.value:g}",
                reason=f"a count of {self.value:g} cannot be out of {value}",
            )

    def _interval_contains_value(self, attribute: attrs.Attribute[float | None], value: float | None) -> None:
        if (self.ci_low is None) != (value is None):
            raise InvalidValueError(
                attribute.name,
                value,
                "a number when ci_low is one, else None",
                reason="give both ends of the interval (ci_low and ci_high) or neither",
            )
        if value is not None and self.ci_low is not None and not self.ci_low <= self.value <= value:
            raise InvalidValueError(
                attribute.name,
                value,
                f"an interval [ci_low, ci_high] that contains the value {self.value}",
                reason=f"the interval [{self.ci_low}, {value}] does not contain the value {self.value}",
            )


@attrs.frozen(kw_only=True, repr=False)
class Finding(_Record):
    """
    One quantitative result from one source.

    Attributes:
        id: Stable identifier.
        indication_id: Id of the indication (therapy and disorder) it concerns.
        also_supports: Ids of further indications the same result is evidence for (one
            study reported once, shown under each), e.g. a trial of a parent disorder's
            subtype; never the finding's own indication.
        design: Study design it comes from.
        population: Who was studied, in short.
        endpoint: What was measured.
        result: The result in words, with its numbers as reported.
        n: Number of patients analysed.
        population_label: Analysis population (ITT, mITT, ...).
        comparator: What the therapy was compared with, if anything.
        effect: The main number, with its interval.
        follow_up: Length of follow-up as reported, e.g. ``"median 2 years"``.
        citations: The reference that reports the numbers; at least one.
    """

    id: str = attrs.field(validator=check.identifier)
    indication_id: str = attrs.field(validator=check.identifier, metadata={LINKS_TO: ("indications",)})
    design: EvidenceLevel = attrs.field(validator=_enum(EvidenceLevel))
    population: str = attrs.field(validator=check.text)
    endpoint: str = attrs.field(validator=check.text)
    result: str = attrs.field(validator=check.text)
    citations: tuple[Citation, ...] = attrs.field(converter=unique_tuple, validator=_CITED)
    n: int | None = attrs.field(default=None, validator=check.positive_count)
    population_label: PopulationLabel | None = attrs.field(default=None, validator=_optional_enum(PopulationLabel))
    comparator: str | None = _optional_text()
    effect: Effect | None = attrs.field(default=None, validator=check.Optional(check.instance_of(Effect)))
    follow_up: str | None = _optional_text()
    also_supports: tuple[str, ...] = _ids(
        "indications", rule=check.Rule("_not_its_own_indication", "other indications than indication_id")
    )

    def _not_its_own_indication(self, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]) -> None:
        if self.indication_id in value:
            raise InvalidValueError(
                attribute.name,
                list(value),
                "ids of indications other than the finding's own",
                reason=f"{self.indication_id!r} is the finding's own indication_id; also_supports lists the others",
            )

    @property
    def indication_ids(self) -> tuple[str, ...]:
        """Every indication the finding is evidence for, its own first, then those of *also_supports*."""
        return (self.indication_id, *self.also_supports)


#: Any record kind a knowledge base holds.
Record: TypeAlias = (
    Reference
    | ImmuneComponent
    | CellType
    | CellSource
    | Mechanism
    | Risk
    | Challenge
    | Disorder
    | Therapy
    | Product
    | Trial
    | Indication
    | Finding
)

#: Every record class, keyed by the name of its collection in a knowledge base, in canonical order.
RECORD_TYPES: Final[dict[CollectionName, type[Record]]] = {
    "references": Reference,
    "immune_components": ImmuneComponent,
    "cell_types": CellType,
    "cell_sources": CellSource,
    "mechanisms": Mechanism,
    "risks": Risk,
    "challenges": Challenge,
    "disorders": Disorder,
    "therapies": Therapy,
    "products": Product,
    "trials": Trial,
    "indications": Indication,
    "findings": Finding,
}
#: The collection of each record class.
COLLECTION_OF: Final[dict[type[Record], CollectionName]] = {cls: name for name, cls in RECORD_TYPES.items()}


def collection_of(record: object) -> CollectionName:
    """
    Return the name of the collection a record belongs to.

    Raises:
        ArgumentTypeError: *record* is not a record of a knowledge base (also a :class:`TypeError`).

    Example:
        >>> collection_of(Risk(id="x", name="x", kind=RiskKind.TOXICITY))
        'risks'
    """
    try:
        return COLLECTION_OF[type(record)]  # type: ignore[index]
    except KeyError:
        kinds = ", ".join(cls.__name__ for cls in RECORD_TYPES.values())
        raise argument_type_error("record", f"a record of a knowledge base ({kinds})", record) from None


def iter_links(record: object) -> Iterator[tuple[str, tuple[CollectionName, ...], str]]:
    """
    Yield ``(field path, target collections, id)`` for every link a record holds.

    Links are the fields declared with :data:`LINKS_TO` metadata, in the record and in
    the records nested in it (citations, recommendations, ...); the path says where,
    e.g. ``"citations[0].reference_id"``.

    Example:
        >>> list(iter_links(Citation(reference_id="burt2019-mist")))
        [('reference_id', ('references',), 'burt2019-mist')]
    """
    for name, targets, nested in _link_plan(type(record)):
        value = getattr(record, name)
        if targets:
            if isinstance(value, str):
                yield name, targets, value
            else:
                for item in value:
                    yield name, targets, item
        elif nested == "one":
            if value is not None:
                for path, inner_targets, item in iter_links(value):
                    yield f"{name}.{path}", inner_targets, item
        else:
            for position, inner in enumerate(value):
                for path, inner_targets, item in iter_links(inner):
                    yield f"{name}[{position}].{path}", inner_targets, item


def iter_citations(record: object) -> Iterator[tuple[str, Citation]]:
    """
    Yield ``(field path, citation)`` for every citation a record holds, nested records' included.

    It walks the same links as :func:`iter_links`; the path names the citations field,
    e.g. ``"citations"`` or ``"recommendations[0].citations"``.

    Example:
        >>> risk = Risk(id="x", name="x", kind=RiskKind.TOXICITY, citations=(Citation(reference_id="burt2019-mist"),))
        >>> [(path, c.reference_id) for path, c in iter_citations(risk)]
        [('citations', 'burt2019-mist')]
    """
    for name, targets, nested in _link_plan(type(record)):
        if targets:
            continue
        value = getattr(record, name)
        if nested == "one":
            items = [] if value is None else [(name, value)]
        else:
            items = [(f"{name}[{position}]", inner) for position, inner in enumerate(value)]
        for path, inner in items:
            if isinstance(inner, Citation):
                yield name, inner
            else:
                for inner_path, citation in iter_citations(inner):
                    yield f"{path}.{inner_path}", citation


_LinkPlan = tuple[tuple[str, tuple[CollectionName, ...], Literal["one", "many"] | None], ...]
_PLANS: dict[type, _LinkPlan] = {}


def _link_plan(cls: type) -> _LinkPlan:
    """Which fields of *cls* are links, and which hold nested records that may have links."""
    plan = _PLANS.get(cls)
    if plan is None:
        steps: list[tuple[str, tuple[CollectionName, ...], Literal["one", "many"] | None]] = []
        hints = typing.get_type_hints(cls)
        for field in attrs.fields(cls):
            if LINKS_TO in field.metadata:
                steps.append((field.name, field.metadata[LINKS_TO], None))
                continue
            nested = _nested_class(hints[field.name])
            if nested is not None and _link_plan(nested[0]):
                steps.append((field.name, (), nested[1]))
        plan = _PLANS[cls] = tuple(steps)
    return plan


def _nested_class(hint: object) -> tuple[type, Literal["one", "many"]] | None:
    """The record class a field holds (alone, optional, or in a tuple), if it holds one."""
    args = [a for a in typing.get_args(hint) if a is not type(None) and a is not Ellipsis]
    origin = typing.get_origin(hint)
    if origin is tuple and len(args) == 1 and attrs.has(args[0]):
        return args[0], "many"
    if isinstance(hint, type) and attrs.has(hint):
        return hint, "one"
    if len(args) == 1 and isinstance(args[0], type) and attrs.has(args[0]):
        return args[0], "one"
    return None
