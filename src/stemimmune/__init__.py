"""
stemimmune: typed, evidence-graded reference data on stem-cell therapy for immune disorders.

Reference data for software and research, not medical advice.

Example:
    >>> import stemimmune
    >>> kb = stemimmune.load()
    >>> kb.get("SCID").category.value
    'immunodeficiency'
"""

from __future__ import annotations

from typing import Any

from ._loading import MergeResult, dumps, load, loads, merge, save
from .exceptions import DatasetError, Problem, StemImmuneError, UnknownKeyError
from .knowledge_base import KnowledgeBase, find_problems


__all__ = [
    "DatasetError",
    "KnowledgeBase",
    "MergeResult",
    "Problem",
    "StemImmuneError",
    "UnknownKeyError",
    "dumps",
    "find_problems",
    "load",
    "loads",
    "merge",
    "save",
]


def __getattr__(name: str) -> Any:
    """Serve ``__version__`` and ``DATASET_VERSION`` lazily, so importing stays cheap."""
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415

        return version("stemimmune")
    if name == "DATASET_VERSION":
        return load().version
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
