"""
Valid synthetic knowledge bases of any size with the same fan-out, for the tests that measure growth.

Each unit adds one reference, cell type, cell source, mechanism, disorder and therapy, and
three indications (its therapy for its own disorder and the next two), so a query anchored
on one record finds about as many records at 10,000 records as at 1,000. The benchmark
harness has its own, richer generator (``benchmarks/synth.py``); the unit suite does not
import it.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from stemimmune import KnowledgeBase
from stemimmune.model import (
    CellSource,
    CellType,
    Citation,
    Disorder,
    GuidelineRecommendation,
    Indication,
    Mechanism,
    Record,
    Reference,
    Therapy,
)
from stemimmune.vocabulary import (
    AutoimmuneScope,
    DisorderCategory,
    DonorRelation,
    EbmtCategory,
    EvidenceLevel,
    HarvestMethod,
    MechanismKind,
    ReferenceKind,
)


#: Records one unit adds.
RECORDS_PER_UNIT: Final = 9
_SPREAD: Final = 3  # indications per therapy (and per disorder)
_LEVELS: Final = tuple(EvidenceLevel)[2:]  # clinical levels: one credible citation each


def _word(number: int) -> str:
    """A distinct lower-case pseudo-word for every number (its base-26 digits as letters, at least three)."""
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters = string.ascii_lowercase[digit] + letters
        if number == 0 and len(letters) >= 3:
            return letters


@dataclass(frozen=True)
class Probes:
    """Keys to query one disorder and the therapy of its unit by, each in another spelling than stored."""

    id: str
    name: str
    synonym: str
    curie: str
    therapy: str
    donor_relation: str
    mechanism_kind: str
    cell_source: str


def knowledge_base(records: int) -> tuple[KnowledgeBase, Probes]:
    """A valid knowledge base of about *records* records, and probes for a unit in its middle."""
    units = max(_SPREAD, records // RECORDS_PER_UNIT)
    collections: dict[str, list[Record]] = {
        kind: []
        for kind in ("references", "cell_types", "cell_sources", "mechanisms", "disorders", "therapies", "indications")
    }
    for unit in range(units):
        word = _word(unit)
        cited = (Citation(reference_id=f"{word}-paper"),)
        collections["references"].append(
            Reference(id=f"{word}-paper", kind=ReferenceKind.GUIDELINE, title=f"{word} trial")
        )
        collections["cell_types"].append(CellType(id=f"{word}-cell", name=f"{word} cell", citations=cited))
        collections["cell_sources"].append(
            CellSource(
                id=f"{word}-tissue",
                name=f"{word} tissue",
                harvest=HarvestMethod.ASPIRATION,
                yields=(f"{word}-cell",),
                citations=cited,
            )
        )
        collections["mechanisms"].append(
            Mechanism(
                id=f"{word}-pathway",
                name=f"{word} pathway",
                kind=tuple(MechanismKind)[unit % len(MechanismKind)],
                citations=cited,
            )
        )
        collections["disorders"].append(
            Disorder(
                id=f"{word}-disease",
                name=f"{word} disease",
                category=DisorderCategory.AUTOIMMUNE,
                scope=AutoimmuneScope.SYSTEMIC,
                synonyms=(f"{word.upper()}-{unit}",),
                xrefs=(f"MONDO:{unit:07d}",),
                citations=cited,
            )
        )
        collections["therapies"].append(
            Therapy(
                id=f"{word}-therapy",
                name=f"{word} therapy",
                cell_type_id=f"{word}-cell",
                source_ids=(f"{word}-tissue",),
                donor_relation=DonorRelation.AUTOLOGOUS,
                mechanism_ids=(f"{word}-pathway",),
                citations=cited,
            )
        )
        for step in range(_SPREAD):
            disorder = _word((unit + step) % units)
            collections["indications"].append(
                Indication(
                    id=f"{word}-therapy-for-{disorder}-disease",
                    therapy_id=f"{word}-therapy",
                    disorder_id=f"{disorder}-disease",
                    evidence_level=_LEVELS[(unit + step) % len(_LEVELS)],
                    citations=cited,
                    recommendations=(
                        GuidelineRecommendation(
                            reference_id=f"{word}-paper", categories=(EbmtCategory.CLINICAL_OPTION,)
                        ),
                    )
                    if step == 0
                    else (),
                )
            )
    kb = KnowledgeBase.from_collections("synthetic", collections)
    middle = units // 2
    word = _word(middle)
    probes = Probes(
        id=f"{word}-disease",
        name=f"{word} disease".upper(),
        synonym=f"{word}-{middle}",
        curie=f"mondo:{middle:07d}",
        therapy=f"{word}-therapy",
        donor_relation="autologous",
        mechanism_kind=tuple(MechanismKind)[middle % len(MechanismKind)].value,
        cell_source=f"{word} tissue".title(),
    )
    return kb, probes


Call = Callable[[], Any]

#: Indexed queries, each anchored on the probed records: name -> how to build the call.
ANCHORED: Final[dict[str, Callable[[KnowledgeBase, Probes], Call]]] = {
    "get(id)": lambda kb, p: lambda: kb.get(p.id),
    "get(name, other case)": lambda kb, p: lambda: kb.get(p.name),
    "get(synonym, other case)": lambda kb, p: lambda: kb.get(p.synonym),
    "get(CURIE, other case)": lambda kb, p: lambda: kb.get(p.curie),
    "therapies_for(id)": lambda kb, p: lambda: kb.therapies_for(p.id),
    "therapies_for(d, donor_relation=)": lambda kb, p: lambda: kb.therapies_for(p.id, donor_relation=p.donor_relation),
    "find_indications(disorder=, min_evidence=)": lambda kb, p: (
        lambda: kb.find_indications(disorder=p.id, min_evidence="observational")
    ),
    "find_indications(disorder=, category=)": lambda kb, p: (
        lambda: kb.find_indications(disorder=p.id, category="autoimmune")
    ),
    "find_indications(disorder=, mechanism_kind=)": lambda kb, p: (
        lambda: kb.find_indications(disorder=p.id, mechanism_kind=p.mechanism_kind)
    ),
    "find_indications(therapy=, ebmt_category=)": lambda kb, p: (
        lambda: kb.find_indications(therapy=p.therapy, ebmt_category="CO")
    ),
    "find_therapies(cell_source=)": lambda kb, p: lambda: kb.find_therapies(cell_source=p.cell_source),
}
