"""
Every public function called as a user would, with the types a user would write.

``mypy --strict`` checks this file (with the rest of ``tests/``) and must pass without
any ignore comment; tests/test_typing.py also runs it on its own. Running it executes
the calls on the bundled data, so the types are checked against real results too.
"""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import stemimmune
from stemimmune import (
    DATASET_VERSION,
    AmbiguousKeyError,
    ArgumentTypeError,
    CellType,
    DatasetError,
    Disorder,
    Indication,
    InvalidArgumentError,
    KnowledgeBase,
    MergeResult,
    Problem,
    Record,
    Reference,
    StemImmuneError,
    Therapy,
    UnknownKeyError,
    WrongKindError,
)
from stemimmune.model import CollectionName, GuidelineRecommendation, Product
from stemimmune.query import EvidenceSummary, SearchHit, TherapyOption
from stemimmune.vocabulary import EvidenceLevel, RegulatoryDecision


def run(tmp: Path) -> None:
    """Call each public function once and use its result through its declared type."""
    kb: KnowledgeBase = stemimmune.load()
    version: str = DATASET_VERSION
    assert version == kb.version

    record: Record = kb.get("MS")
    disorder: Disorder = kb.get("MS", Disorder)
    therapy: Therapy = kb.get("autologous-hsct", Therapy)
    steps: int = len(therapy.procedure)
    maybe: Disorder | None = kb.get_or_none("MS", Disorder)
    assert record.id == disorder.id and maybe is disorder and steps > 0

    hits: tuple[SearchHit[Record], ...] = kb.search("multipel sclerosis")
    disorder_hits: tuple[SearchHit[Disorder], ...] = kb.search("sclerosis", kinds=[Disorder], limit=3)
    named_hits: tuple[SearchHit[Record], ...] = kb.search("sclerosis", kinds=["disorders"], min_score=0.6)
    kind: CollectionName = hits[0].kind
    assert disorder_hits[0].record.category and named_hits and kind == "disorders"

    options: tuple[TherapyOption, ...] = kb.therapies_for(
        disorder,
        min_evidence="observational",
        donor_relation="autologous",
        mechanism_kind="immune-reset",
        include_subtypes=True,
        stem_cell_only=True,
    )
    level: EvidenceLevel = options[0].evidence_level
    assert level >= "observational" and level >= EvidenceLevel.OBSERVATIONAL
    indications: tuple[Indication, ...] = kb.find_indications(disorder="SLE", ebmt_category="CO", category="autoimmune")
    therapies: tuple[Therapy, ...] = kb.find_therapies(regulatory="approved", jurisdiction="US", cell_type="MSC")
    assert indications and therapies
    products: tuple[Product, ...] = kb.find_products(jurisdiction="EU", status="approved", on=dt.date(2024, 1, 1))
    status: RegulatoryDecision | None = kb.get("Alofisel", Product).status("EU", "2025-01-01")
    newest: tuple[GuidelineRecommendation, ...] = kb.recommendations_for(indications[0], latest=True)
    assert products and status is RegulatoryDecision.WITHDRAWN and newest

    linked: dict[CollectionName, tuple[Record, ...]] = kb.neighbours(therapy)
    up: tuple[CellType, ...] = kb.ancestors("regulatory T cell")
    down: tuple[CellType, ...] = kb.descendants(up[-1])
    refs: tuple[Reference, ...] = kb.references_for("MS", deep=True)
    summary: EvidenceSummary = kb.evidence_summary("systemic sclerosis")
    assert linked and down and refs and summary.options

    text: str = stemimmune.dumps(kb)
    again: KnowledgeBase = stemimmune.loads(text)
    path: Path = stemimmune.save(kb, tmp / "kb.json")
    merged: MergeResult = stemimmune.merge(kb, {"risks": []})
    problems: tuple[Problem, ...] = stemimmune.find_problems(again.collections())
    assert again == stemimmune.load(path) and merged.knowledge_base.version and problems == ()

    errors: list[type[StemImmuneError]] = [
        DatasetError,
        UnknownKeyError,
        AmbiguousKeyError,
        WrongKindError,
        InvalidArgumentError,
        ArgumentTypeError,
    ]
    try:
        kb.get("no such record anywhere")
    except UnknownKeyError as error:
        suggestions: tuple[str, ...] = error.suggestions
        copy = pickle.loads(pickle.dumps(error))
        assert str(copy) == str(error) and isinstance(suggestions, tuple) and errors
