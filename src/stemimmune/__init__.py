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

from typing import TYPE_CHECKING, Any, Final


if TYPE_CHECKING:  # the names below are imported on first use (see __getattr__); type checkers see them here
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
DATASET_VERSION: Final[str] = "2026.12.2"

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


#: The module each public name lives in: ``import stemimmune`` imports none of them, the
#: first use of a name imports its module (PEP 562), so a program pays only for what it uses.
_HOMES: Final[dict[str, str]] = {
    "PartialDate": "._dates",
    "find_problems": "._integrity",
    **dict.fromkeys(("MergeResult", "dumps", "load", "loads", "merge", "save"), "._loading"),
    **dict.fromkeys(
        (
            "AmbiguousKeyError",
            "ArgumentTypeError",
            "DatasetError",
            "InvalidArgumentError",
            "InvalidValueError",
            "Problem",
            "RegistryError",
            "StemImmuneError",
            "UnknownKeyError",
            "WrongKindError",
        ),
        ".exceptions",
    ),
    "KnowledgeBase": ".knowledge_base",
    **dict.fromkeys(
        (
            "CellSource",
            "CellType",
            "Challenge",
            "Citation",
            "ConventionalTreatment",
            "Disorder",
            "Effect",
            "Finding",
            "GuidelineRecommendation",
            "ImmuneComponent",
            "Indication",
            "Marker",
            "Mechanism",
            "ProcedureStep",
            "Product",
            "ProductHolder",
            "Record",
            "Reference",
            "RegulatoryEvent",
            "Risk",
            "Therapy",
            "Trial",
        ),
        ".model",
    ),
}

#: Public submodules served as attributes on first use (``stemimmune.query.search``), as when they were imported eagerly.
_SUBMODULES: Final = frozenset(("exceptions", "knowledge_base", "model", "query", "serialization", "vocabulary"))


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (and ``__version__`` from the installed metadata)."""
    home = _HOMES.get(name)
    if home is not None:
        from importlib import import_module  # noqa: PLC0415

        value = getattr(import_module(home, __name__), name)
        globals()[name] = value  # later reads are plain attribute reads
        return value
    if name in _SUBMODULES:
        from importlib import import_module  # noqa: PLC0415

        return import_module(f".{name}", __name__)
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415

        return version("stemimmune")
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    """Every public name, loaded or not (for completion and ``dir()``)."""
    return sorted({*globals(), *__all__})
