"""
Structuring throughput: our converter against pydantic v2 and msgspec on the same records.

The input is the raw JSON records of one collection of the bundled data, repeated to
the wanted count. Every implementation structures the same list; the peers' mirrors
(:mod:`benchmarks.mirrors`) are measured when pydantic and msgspec are installed.
"""

from __future__ import annotations

import importlib.util
import json
import math
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from benchmarks.timing import Budget, per_call_us
from stemimmune import serialization
from stemimmune.model import Finding, Therapy
from stemimmune.serialization import _CONVERTER as CONVERTER


OURS = "stemimmune CONVERTER.structure"
#: The converter ``load()`` tries first, where the package has one (detailed errors only on failure).
OURS_FAST = "stemimmune _FAST_CONVERTER.structure (load's path)"
PYDANTIC = "pydantic v2 TypeAdapter.validate_python"
#: The record class of each collection measured.
RECORD_CLASSES: dict[str, type[Any]] = {"findings": Finding, "therapies": Therapy}


def tuple_of(cls: type[Any]) -> Any:
    """The type ``tuple[cls, ...]`` for a class chosen at run time."""
    return tuple[cls, ...]  # type: ignore[valid-type]


def bundled_records(collection: str) -> list[dict[str, Any]]:
    """The raw JSON records of one collection in the bundled data files."""
    records: list[dict[str, Any]] = []
    for entry in sorted(files("stemimmune").joinpath("data").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            records.extend(json.loads(entry.read_text(encoding="utf-8")).get(collection, []))
    return records


def implementations(collection: str) -> dict[str, Callable[[list[dict[str, Any]]], Any]]:
    """Ours, and the peers' when they are installed, by label."""
    ours = RECORD_CLASSES[collection]
    many = tuple_of(ours)
    found: dict[str, Callable[[list[dict[str, Any]]], Any]] = {OURS: lambda data: CONVERTER.structure(data, many)}
    fast = getattr(serialization, "_FAST_CONVERTER", None)
    if fast is not None:
        found[OURS_FAST] = lambda data: fast.structure(data, many)
    if importlib.util.find_spec("pydantic") and importlib.util.find_spec("msgspec"):
        from benchmarks import mirrors

        found.update(mirrors.implementations(collection, ours))
    return found


def throughput(collection: str, records: int, budget: Budget) -> dict[str, Any]:
    """Records per second of each implementation on *records* copies of the bundled records."""
    raw = bundled_records(collection)
    data = (raw * math.ceil(records / len(raw)))[:records]
    reference = [r.id for r in CONVERTER.structure(raw, tuple_of(RECORD_CLASSES[collection]))]
    rates: dict[str, float | None] = {}
    errors: dict[str, str] = {}
    for label, structure in implementations(collection).items():
        try:
            sample = structure(raw)
        except (ValueError, TypeError) as exc:  # pydantic's and msgspec's validation errors are ValueErrors
            errors[label] = f"{type(exc).__name__}: {str(exc)[:200]}"
            rates[label] = None
            continue
        if [r.id for r in sample] != reference:
            errors[label] = "structured records differ from stemimmune's"
        us, _loops = per_call_us(lambda structure=structure: structure(data), budget)  # type: ignore[misc]
        rates[label] = records / (us / 1e6)
    return {
        "collection": collection,
        "records": records,
        "distinct": len(raw),
        "per_s": rates,
        "errors": errors,
        "ours": OURS_FAST if OURS_FAST in rates else OURS,
        "pydantic": PYDANTIC,
    }
