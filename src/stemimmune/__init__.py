"""
stemimmune: typed, evidence-graded reference data on stem-cell therapy for immune disorders.

Reference data for software and research, not medical advice.

Example:
    >>> import stemimmune
    >>> kb = stemimmune.load()
    >>> kb.get("SCID", stemimmune.Disorder).category.value
    'immunodeficiency'
"""

from __future__ import annotations

from typing import Any, Final

from ._dates import PartialDate
from ._integrity import find_problems
from ._loading import MergeResult, dumps, load, loads, merge, save
from .exceptions import (
    AmbiguousKeyError,
    ArgumentTypeError,
    DatasetError,
    InvalidArgumentError,
    InvalidValueError,
    Problem,
    RegistryError,
    StemImmuneError,
    UnknownKeyError,
    WrongKindError,
)
from .knowledge_base import KnowledgeBase
from .model import (
    CellSource,
    CellType,
    Challenge,
    Citation,
    ConventionalTreatment,
    Disorder,
    Effect,
    Finding,
    GuidelineRecommendation,
    ImmuneComponent,
    Indication,
    Marker,
    Mechanism,
    ProcedureStep,
    Product,
    ProductHolder,
    Record,
    Reference,
    RegulatoryEvent,
    Risk,
    Therapy,
    Trial,
)


#: Version of the bundled dataset (distinct from the package version); a test keeps it
#: equal to ``load().version``.
DATASET_VERSION: Final[str] = "2026.12.1"

__all__ = [
    "DATASET_VERSION",
    "AmbiguousKeyError",
    "ArgumentTypeError",
    "CellSource",
    "CellType",
    "Challenge",
    "Citation",
    "ConventionalTreatment",
    "DatasetError",
    "Disorder",
    "Effect",
    "Finding",
    "GuidelineRecommendation",
    "ImmuneComponent",
    "Indication",
    "InvalidArgumentError",
    "InvalidValueError",
    "KnowledgeBase",
    "Marker",
    "Mechanism",
    "MergeResult",
    "PartialDate",
    "Problem",
    "ProcedureStep",
    "Product",
    "ProductHolder",
    "Record",
    "Reference",
    "RegistryError",
    "RegulatoryEvent",
    "Risk",
    "StemImmuneError",
    "Therapy",
    "Trial",
    "UnknownKeyError",
    "WrongKindError",
    "dumps",
    "find_problems",
    "load",
    "loads",
    "merge",
    "save",
]


def __getattr__(name: str) -> Any:
    """Serve ``__version__`` lazily from the installed metadata, so importing stays cheap."""
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415

        return version("stemimmune")
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
