"""
pydantic v2 and msgspec mirrors of :class:`stemimmune.model.Finding`, for the structuring comparison.

Same fields, enums, defaults and declarative constraints (identifier pattern, bounded non-empty text, a citation,
positive counts, finite numbers, no unknown keys, frozen); stemimmune checks a little more (surrounding whitespace...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import msgspec
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter

from stemimmune.vocabulary import EffectMeasure, EffectUnit, EvidenceLevel, PopulationLabel


ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
PId = Annotated[str, StringConstraints(strict=True, pattern=ID, max_length=100)]
PText = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=10_000)]
PFloat = Annotated[float, Field(allow_inf_nan=False)]
MId = Annotated[str, msgspec.Meta(pattern=ID, max_length=100)]
MText = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]


class _P(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PCitation(_P):  # noqa: D101
    reference_id: PId
    locator: PText | None = None


class PEffect(_P):  # noqa: D101
    measure: EffectMeasure
    value: PFloat
    ci_low: PFloat | None = None
    ci_high: PFloat | None = None
    ci_level: Annotated[float, Field(gt=0, lt=100)] | None = None
    unit: EffectUnit | None = None
    denominator: Annotated[int, Field(strict=True, ge=1)] | None = None
    annotation: PText | None = None


class PFinding(_P):  # noqa: D101
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
    also_supports: tuple[PId, ...] = ()


class MCitation(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):  # noqa: D101
    reference_id: MId
    locator: MText | None = None


class MEffect(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):  # noqa: D101
    measure: EffectMeasure
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: Annotated[float, msgspec.Meta(gt=0, lt=100)] | None = None
    unit: EffectUnit | None = None
    denominator: Annotated[int, msgspec.Meta(ge=1)] | None = None
    annotation: MText | None = None


class MFinding(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):  # noqa: D101
    id: MId
    indication_id: MId
    design: EvidenceLevel
    population: MText
    endpoint: MText
    result: MText
    citations: Annotated[tuple[MCitation, ...], msgspec.Meta(min_length=1)]
    n: Annotated[int, msgspec.Meta(ge=1)] | None = None
    population_label: PopulationLabel | None = None
    comparator: MText | None = None
    effect: MEffect | None = None
    follow_up: MText | None = None
    also_supports: tuple[MId, ...] = ()


def structurers(data: list[dict[str, Any]]) -> dict[str, Callable[[], object]]:
    """The peers structuring *data* (raw findings), by label."""
    adapter = TypeAdapter(tuple[PFinding, ...])
    return {
        "pydantic v2 TypeAdapter": lambda: adapter.validate_python(data),
        "msgspec convert": lambda: msgspec.convert(data, tuple[MFinding, ...]),
    }
