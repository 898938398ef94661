"""
pydantic v2 models and msgspec Structs mirroring stemimmune's findings and therapies, and their throughput.

The mirrors declare the same fields, types, defaults and enums as :mod:`stemimmune.model`,
forbid unknown keys, are frozen, and carry the constraints both libraries can state
declaratively: identifier patterns, non-empty and bounded text, required lists with at
least one item, positive counts, finite numbers, jurisdiction and date patterns.
stemimmune's attrs validators check a little more (no surrounding whitespace, known CURIE
prefixes, intervals that contain their value, repeated items dropped), so the mirrors
do slightly less work per record than our converter: a conservative comparison.

Only the benchmark's own virtualenv has pydantic and msgspec; nothing in the package
imports this module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import msgspec
from msgspec import Meta, Struct
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter

from benchmarks.structuring import tuple_of
from stemimmune.vocabulary import (
    ConditioningIntensity,
    DonorRelation,
    EffectMeasure,
    EvidenceLevel,
    PopulationLabel,
    RegulatoryDecision,
    StepKind,
)


ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CURIE_PATTERN = r"^[A-Za-z0-9.]+:[0-9A-Za-z.]+$"
DATE_PATTERN = r"^\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$"

# ------------------------------------------------------------------ pydantic v2


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


PId = Annotated[str, StringConstraints(strict=True, pattern=ID_PATTERN, max_length=100)]
PText = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=10_000)]
PCurie = Annotated[str, StringConstraints(strict=True, pattern=CURIE_PATTERN)]
PFinite = Annotated[float, Field(allow_inf_nan=False)]


class PCitation(_Model):
    """Mirror of :class:`stemimmune.model.Citation`."""

    reference_id: PId
    locator: PText | None = None


class PEffect(_Model):
    """Mirror of :class:`stemimmune.model.Effect`."""

    measure: EffectMeasure
    value: PFinite
    ci_low: PFinite | None = None
    ci_high: PFinite | None = None
    ci_level: Annotated[float, Field(gt=0, lt=100)] | None = None
    unit: PText | None = None


class PFinding(_Model):
    """Mirror of :class:`stemimmune.model.Finding`."""

    id: PId
    indication_id: PId
    design: EvidenceLevel
    population: PText
    endpoint: PText
    result: PText
    citations: Annotated[tuple[PCitation, ...], Field(min_length=1)]
    n: Annotated[int, Field(strict=True, ge=1)] | None = None
    population_label: PopulationLabel | None = None
    comparator: PText | None = None
    effect: PEffect | None = None
    follow_up: PText | None = None


class PProcedureStep(_Model):
    """Mirror of :class:`stemimmune.model.ProcedureStep`."""

    kind: StepKind
    description: PText
    agents: tuple[PText, ...] = ()
    intensities: tuple[ConditioningIntensity, ...] = ()


class PRegulatoryStatus(_Model):
    """Mirror of :class:`stemimmune.model.RegulatoryStatus`."""

    jurisdiction: Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Z]{2}$")]
    agency: PText
    product: PText
    decision: RegulatoryDecision
    date: Annotated[str, StringConstraints(strict=True, pattern=DATE_PATTERN)] | None = None
    indication: PText | None = None
    citations: Annotated[tuple[PCitation, ...], Field(min_length=1)]


class PTherapy(_Model):
    """Mirror of :class:`stemimmune.model.Therapy`."""

    id: PId
    name: PText
    cell_type_id: PId
    source_ids: Annotated[tuple[PId, ...], Field(min_length=1)]
    donor_relation: DonorRelation
    mechanism_ids: Annotated[tuple[PId, ...], Field(min_length=1)]
    citations: Annotated[tuple[PCitation, ...], Field(min_length=1)]
    is_stem_cell_therapy: Annotated[bool, Field(strict=True)] = True
    procedure: tuple[PProcedureStep, ...] = ()
    risk_ids: tuple[PId, ...] = ()
    products: tuple[PText, ...] = ()
    regulatory: tuple[PRegulatoryStatus, ...] = ()
    synonyms: tuple[PText, ...] = ()
    xrefs: tuple[PCurie, ...] = ()
    description: PText | None = None


# ------------------------------------------------------------------ msgspec

MId = Annotated[str, Meta(pattern=ID_PATTERN, max_length=100)]
MText = Annotated[str, Meta(min_length=1, max_length=10_000)]
MCurie = Annotated[str, Meta(pattern=CURIE_PATTERN)]


class MCitation(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Mirror of :class:`stemimmune.model.Citation`."""

    reference_id: MId
    locator: MText | None = None


class MEffect(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Mirror of :class:`stemimmune.model.Effect` (msgspec floats from JSON-like input are finite)."""

    measure: EffectMeasure
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: Annotated[float, Meta(gt=0, lt=100)] | None = None
    unit: MText | None = None


class MFinding(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Mirror of :class:`stemimmune.model.Finding`."""

    id: MId
    indication_id: MId
    design: EvidenceLevel
    population: MText
    endpoint: MText
    result: MText
    citations: Annotated[tuple[MCitation, ...], Meta(min_length=1)]
    n: Annotated[int, Meta(ge=1)] | None = None
    population_label: PopulationLabel | None = None
    comparator: MText | None = None
    effect: MEffect | None = None
    follow_up: MText | None = None


class MProcedureStep(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Mirror of :class:`stemimmune.model.ProcedureStep`."""

    kind: StepKind
    description: MText
    agents: tuple[MText, ...] = ()
    intensities: tuple[ConditioningIntensity, ...] = ()


class MRegulatoryStatus(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Mirror of :class:`stemimmune.model.RegulatoryStatus`."""

    jurisdiction: Annotated[str, Meta(pattern=r"^[A-Z]{2}$")]
    agency: MText
    product: MText
    decision: RegulatoryDecision
    citations: Annotated[tuple[MCitation, ...], Meta(min_length=1)]
    date: Annotated[str, Meta(pattern=DATE_PATTERN)] | None = None
    indication: MText | None = None


class MTherapy(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Mirror of :class:`stemimmune.model.Therapy`."""

    id: MId
    name: MText
    cell_type_id: MId
    source_ids: Annotated[tuple[MId, ...], Meta(min_length=1)]
    donor_relation: DonorRelation
    mechanism_ids: Annotated[tuple[MId, ...], Meta(min_length=1)]
    citations: Annotated[tuple[MCitation, ...], Meta(min_length=1)]
    is_stem_cell_therapy: bool = True
    procedure: tuple[MProcedureStep, ...] = ()
    risk_ids: tuple[MId, ...] = ()
    products: tuple[MText, ...] = ()
    regulatory: tuple[MRegulatoryStatus, ...] = ()
    synonyms: tuple[MText, ...] = ()
    xrefs: tuple[MCurie, ...] = ()
    description: MText | None = None


# ------------------------------------------------------------------ implementations

#: The pydantic and msgspec mirrors of each collection.
MIRRORS: dict[str, tuple[type[BaseModel], type[Struct]]] = {
    "findings": (PFinding, MFinding),
    "therapies": (PTherapy, MTherapy),
}


def implementations(collection: str, ours: type[Any]) -> dict[str, Callable[[list[dict[str, Any]]], Any]]:
    """Each peer's way of structuring a list of raw records of *collection*, by label."""
    pydantic_model, msgspec_struct = MIRRORS[collection]
    many, m_many = tuple_of(ours), tuple_of(msgspec_struct)
    adapter: TypeAdapter[Any] = TypeAdapter(tuple_of(pydantic_model))
    return {
        "pydantic v2 TypeAdapter.validate_python": adapter.validate_python,
        "pydantic v2 model_validate per record": lambda data: [pydantic_model.model_validate(r) for r in data],
        "msgspec.convert to Structs": lambda data: msgspec.convert(data, m_many),
        "msgspec.convert to stemimmune's attrs classes": lambda data: msgspec.convert(data, many),
    }
