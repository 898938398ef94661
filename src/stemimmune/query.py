"""
Read-only questions over a knowledge base, and their result types.

The functions here are pure: they read one :class:`~stemimmune._index.Index` (one per
knowledge base, each of its structures built on first use) and return tuples in a stated, deterministic order. The
:class:`~stemimmune.KnowledgeBase` methods of the same names call them in one line;
use those.

Filters are keyword arguments typed by :class:`TherapyFilters` and
:class:`IndicationFilters`: a misspelt filter is a type-checker error and, at run time,
an :class:`~stemimmune.ArgumentTypeError` naming it. Wherever a record is meant, the
record itself, its id, or any name, synonym or CURIE of it is accepted.

The engine is split by job, each in a private module, read top to bottom:
``_arguments`` (argument checking), ``_results`` (result types), ``_search`` (ranked
search), ``_lookup`` (one record by key), ``_filters`` (indications, therapies,
products, trials, recommendations) and ``_navigation`` (links, lineage, provenance).
This module is their public face.
"""

from __future__ import annotations

from ._arguments import IndicationFilters, TherapyFilters
from ._filters import find_indications, find_products, find_therapies, find_trials, recommendations_for, therapies_for
from ._lookup import MAX_KEY_LENGTH, get, get_or_none, resolve
from ._navigation import evidence_summary, findings_for, lineage, neighbours, references_for, trials_for
from ._results import EvidenceSummary, Results, SearchHit, TherapyOption
from ._search import MAX_QUERY_LENGTH, search


__all__ = [
    "MAX_KEY_LENGTH",
    "MAX_QUERY_LENGTH",
    "EvidenceSummary",
    "IndicationFilters",
    "Results",
    "SearchHit",
    "TherapyFilters",
    "TherapyOption",
    "evidence_summary",
    "find_indications",
    "find_products",
    "find_therapies",
    "find_trials",
    "findings_for",
    "get",
    "get_or_none",
    "lineage",
    "neighbours",
    "recommendations_for",
    "references_for",
    "resolve",
    "search",
    "therapies_for",
    "trials_for",
]
