"""
Seeded generator of synthetic, valid, cross-referencing stemimmune datasets (1k to 100k records).

Every link resolves and every integrity rule holds. Fan-outs stay constant as the data
grows (indications per disorder and therapy, findings per indication...), so a query
anchored on one record returns about as many results at 100k records as at 1k. Names,
synonyms and CURIEs are unique; :class:`Probes` name one disorder to query by.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final


VERSION: Final = "2026.0.0-synthetic"

#: Share of the records in each collection (they add up to 1).
SHARES: Final = {
    "references": 0.20,
    "immune_components": 0.02,
    "cell_types": 0.04,
    "cell_sources": 0.02,
    "mechanisms": 0.02,
    "risks": 0.02,
    "challenges": 0.01,
    "disorders": 0.12,
    "therapies": 0.04,
    "products": 0.01,
    "trials": 0.02,
    "indications": 0.18,
    "findings": 0.30,
}
_MINIMUM: Final = {"risks": 2, "references": 3}

_SYLLABLES: Final = (
    "ka", "lo", "mi", "ven", "tor", "sa", "ri", "del", "nu", "phe", "zan", "qui",
    "bor", "tel", "am", "cor", "dra", "fen", "gal", "hex", "jor", "lum", "nes", "vik",
)  # fmt: skip
_WORDS: Final = len(_SYLLABLES) ** 4  # 331,776 distinct four-syllable words
_STRIDE: Final = 7919  # prime, so k -> k * stride mod _WORDS is a bijection

_PROSE: Final = (
    "patients", "treated", "with", "autologous", "allogeneic", "grafts", "showed", "sustained",
    "remission", "after", "conditioning", "and", "infusion", "of", "stromal", "cells", "in", "a",
    "phase", "two", "cohort", "relapse", "rates", "fell", "over", "follow-up", "while", "toxicity",
    "remained", "acceptable", "immune", "reconstitution", "was", "complete", "by", "twelve", "months",
)  # fmt: skip
_CREDIBLE_KINDS: Final = (
    "randomized-trial", "meta-analysis", "guideline", "regulatory-decision", "nonrandomized-trial",
    "registry-study", "trial-registration", "review", "preclinical-study", "consumer-warning", "general-article",
)  # fmt: skip
_EVIDENCE: Final = (
    "expert-opinion", "preclinical", "case-series", "observational", "nonrandomized-trial", "randomized-trial"
)  # fmt: skip
_ABOVE_PRECLINICAL: Final = frozenset(_EVIDENCE[2:])
_DISORDER_CATEGORIES: Final = (
    "autoimmune", "autoimmune", "autoimmune", "immunodeficiency", "allergic", "alloimmune", "immune-mediated",
    "bone-marrow-failure",
)  # fmt: skip
_MECHANISM_KINDS: Final = ("replacement", "immune-reset", "immunomodulation", "tissue-repair")
_OTHER_RISKS: Final = (
    "infection", "treatment-related-mortality", "secondary-autoimmunity", "malignancy", "infertility",
    "graft-failure", "cytokine-release", "toxicity", "long-term-unknown",
)  # fmt: skip
_OUTCOMES: Final = (
    "remission", "relapse-reduction", "progression-free-survival", "overall-survival", "disability",
    "organ-function", "immune-reconstitution", "response", "safety",
)  # fmt: skip
_DISORDER_SUFFIXES: Final = ("syndrome", "disease", "arthritis", "vasculitis", "haemolytic anaemia")


def word(k: int) -> str:
    """Return the *k*-th pseudo-word: distinct for every k below 331,776, and fold-stable."""
    n = (k * _STRIDE + 4099) % _WORDS
    parts = []
    for _ in range(4):
        n, digit = divmod(n, len(_SYLLABLES))
        parts.append(_SYLLABLES[digit])
    return "".join(parts)


def counts(total: int) -> dict[str, int]:
    """Split *total* records among the collections (findings take the rounding remainder)."""
    if total < 30:
        msg = f"a synthetic dataset needs at least 30 records, not {total}"
        raise ValueError(msg)
    split = {kind: max(_MINIMUM.get(kind, 1), math.floor(total * share)) for kind, share in SHARES.items()}
    split["findings"] += total - sum(split.values())
    return split


@dataclass(frozen=True)
class Probes:
    """Keys to query one disorder by (id, name, synonym, CURIE, typo, abbreviation) and records linked to it."""

    id: str
    name: str
    synonym: str
    curie: str
    search: str
    disorder: str
    category: str
    therapy: str
    donor_relation: str
    mechanism_kind: str
    cell_source: str


#: Probes for the bundled dataset, chosen to match the synthetic ones field by field.
BUNDLED_PROBES: Final = Probes(
    id="multiple-sclerosis", name="Multiple Sclerosis", synonym="Autoimmune Haemolytic Anemia", curie="MONDO:0005301",
    search="multipel sclerosis", disorder="MS", category="autoimmune", therapy="autologous-hsct",
    donor_relation="autologous", mechanism_kind="immune-reset", cell_source="adipose tissue",
)  # fmt: skip


class _Builder:
    """Builds one dataset; every random choice comes from one seeded generator."""

    def __init__(self, total: int, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - seeded on purpose: the same data every run
        self.split = counts(total)
        self.next_word = 0
        self.next_number = 1000
        self.surnames = [word(_WORDS - 1 - j).capitalize() for j in range(400)]

    def word(self) -> str:
        self.next_word += 1
        return word(self.next_word)

    def number(self) -> int:
        """A number used once, so CURIEs, PMIDs and NCT ids never collide."""
        self.next_number += 1
        return self.next_number

    def prose(self, low: int, high: int) -> str:
        words = self.rng.choices(_PROSE, k=self.rng.randint(low, high))
        return " ".join(words).capitalize() + "."

    def cite(self, pool: list[str], low: int = 1, high: int = 3) -> list[dict[str, str]]:
        chosen = self.rng.sample(pool, min(len(pool), self.rng.randint(low, high)))
        located = [{"reference_id": ref, "locator": "Table 2"} for ref in chosen]
        return [cite if self.rng.random() < 0.3 else {"reference_id": cite["reference_id"]} for cite in located]

    def some(self, pool: list[str], high: int, low: int = 0) -> list[str]:
        return self.rng.sample(pool, min(len(pool), self.rng.randint(low, high)))

    def references(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        for i in range(self.split["references"]):
            w = self.word()
            year = self.rng.randint(1995, 2026)
            record: dict[str, Any] = {
                "id": f"{w}-{year}", "kind": "promotional-material" if i % 33 == 32 else self.rng.choice(_CREDIBLE_KINDS),
                "title": f"{w.capitalize()} cell therapy in immune disease: {self.prose(4, 9)}",
                "authors": [f"{s} {self.rng.choice('ABCDEFGHJKLMNPRS')}" for s in self.rng.sample(self.surnames, 3)],
                "year": year,
                "venue": self.rng.choice(("Lancet", "JAMA", "Blood", "N Engl J Med", "Bone Marrow Transplant")),
                "doi": f"10.{self.rng.randint(1000, 9999)}/{w}.{year}", "pmid": str(self.number()),
                "url": f"https://example.org/{w}"}  # fmt: skip
            if i % 4 == 0:
                record["nct_ids"] = [f"NCT{self.number():08d}"]
            records.append(record)
        self.reference_ids = [r["id"] for r in records]
        self.credible_ids = [r["id"] for r in records if r["kind"] != "promotional-material"]
        self.guideline_ids = [r["id"] for r in records if r["kind"] == "guideline"]  # what a recommendation cites
        return records

    def named(self, i: int, suffix: str, name: str, prefix: str, **extra: Any) -> dict[str, Any]:
        """A record with an id, a name, a synonym, a CURIE, a description and citations."""
        w = self.word()
        return {
            "id": f"{w}-{suffix}", "name": f"{w} {name}", "synonyms": [f"{w[:3].upper()}{suffix[0].upper()}{i}"],
            "xrefs": [f"{prefix}:{self.number():07d}"], "description": self.prose(8, 20),
            "citations": self.cite(self.reference_ids, 0, 2), **extra}  # fmt: skip

    def immune_components(self) -> list[dict[str, Any]]:
        records = [
            self.named(i, "factor", "factor", "HGNC", kind=("organ", "tissue", "molecule")[i % 3],
            branch=("innate", "adaptive", "both")[i % 3], roles=["signals between immune cells"])
            for i in range(self.split["immune_components"])]  # fmt: skip
        self.component_ids = [r["id"] for r in records]
        return records

    def cell_types(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        for i in range(self.split["cell_types"]):
            stem = i % 3 == 0
            record = self.named(i, "cell", "cell", "CL", is_stem_cell=stem,
                                roles=["makes blood and immune cells" if stem else "kills infected cells"],
                                markers=[{"names": ["CD34"], "expression": "positive", "threshold_percent": 90.0}],
                                derives_from=self.some([r["id"] for r in records[-20:]], 2))  # fmt: skip
            record.update({"potency": "multipotent"} if stem else {"branch": ("innate", "adaptive")[i % 2]})
            records.append(record)
        self.cell_type_ids = [r["id"] for r in records]
        return records

    def cell_sources(self) -> list[dict[str, Any]]:
        harvests = ("aspiration", "apheresis", "birth-collection", "lipoaspiration")
        self.sources = [
            self.named(
            i, "tissue", "tissue", "UBERON", yields=self.some(self.cell_type_ids, 3, 1), harvest=harvests[i % 4]
            ) for i in range(self.split["cell_sources"])]  # fmt: skip
        return self.sources

    def mechanisms(self) -> list[dict[str, Any]]:
        records = [
            self.named(i, "pathway", "pathway", "GO", kind=_MECHANISM_KINDS[i % len(_MECHANISM_KINDS)],
            effector_ids=self.some(self.component_ids, 2), target_ids=self.some(self.cell_type_ids, 2))
            for i in range(self.split["mechanisms"])]  # fmt: skip
        self.mechanism_kinds = {r["id"]: r["kind"] for r in records}
        return records

    def risks(self) -> list[dict[str, Any]]:
        records = [
            self.named(i, "risk", "reaction", "X", kind="gvhd" if i % 4 == 0 else _OTHER_RISKS[i % len(_OTHER_RISKS)])
            for i in range(self.split["risks"])]  # fmt: skip
        for record in records:
            del record["xrefs"]  # risks have no cross-references
        self.gvhd_risks = [r["id"] for r in records if r["kind"] == "gvhd"]
        self.other_risks = [r["id"] for r in records if r["kind"] != "gvhd"]
        return records

    def challenges(self) -> list[dict[str, Any]]:
        kinds = ("sourcing", "delivery", "standardization", "regulation", "patient-selection", "safety", "evidence")
        return [
            {"id": f"{(w := self.word())}-challenge", "name": f"{w} challenge", "kind": kinds[i % len(kinds)],
            "description": self.prose(10, 25), "citations": self.cite(self.reference_ids, 0, 2)}
            for i in range(self.split["challenges"])]  # fmt: skip

    def disorders(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        for i in range(self.split["disorders"]):
            w = self.word()
            name = f"{w} {_DISORDER_SUFFIXES[i % len(_DISORDER_SUFFIXES)]}"
            category = _DISORDER_CATEGORIES[i % len(_DISORDER_CATEGORIES)]
            record: dict[str, Any] = {
                "id": name.replace(" ", "-"), "name": name, "category": category,
                "parent_ids": self.some([r["id"] for r in records[-50:]], 1) if self.rng.random() < 0.3 else [],
                "targets": ["joints", "blood vessels"][: 1 + i % 2],
                "component_ids": self.some(self.cell_type_ids + self.component_ids, 2), "conventional_treatments": [
                {"name": "corticosteroids", "drawbacks": ["infections with long use"],
                "citations": self.cite(self.reference_ids, 0, 1)}],
                "synonyms": [f"{w[:3].upper()}{i}", f"{w} haematologic disorder"],
                "xrefs": [f"MONDO:{self.number():07d}", f"DOID:{self.number()}"], "description": self.prose(12, 30),
                "citations": self.cite(self.reference_ids, 1, 3)}  # fmt: skip
            if category == "autoimmune":
                record["scope"] = ("organ-specific", "systemic")[i % 2]
            records.append(record)
        self.disorders_list = records
        return records

    def therapies(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        mechanism_ids = list(self.mechanism_kinds)
        for i in range(self.split["therapies"]):
            w = self.word()
            sources = self.rng.sample(self.sources, min(len(self.sources), self.rng.randint(1, 2)))
            allogeneic = i % 2 == 1
            risk_ids = self.some(self.other_risks, 2)
            if allogeneic:
                risk_ids.append(self.rng.choice(self.gvhd_risks))
            record: dict[str, Any] = {
                "id": f"{w}-cell-therapy", "name": f"{w} cell therapy",
                "cell_type_id": self.rng.choice(sources[0]["yields"]), "source_ids": [s["id"] for s in sources],
                "donor_relation": "allogeneic" if allogeneic else "autologous",
                "mechanism_ids": self.some(mechanism_ids, 2, 1), "citations": self.cite(self.credible_ids, 1, 3),
                "is_stem_cell_therapy": i % 10 != 9, "procedure": [
                {"kind": "harvest", "description": "Cells are collected.", "agents": ["G-CSF"]}, {
                "kind": "conditioning", "description": "Chemotherapy makes room for the graft.",
                "intensities": ["reduced-intensity", "myeloablative"]},
                {"kind": "infusion", "description": "Cells are infused."}], "risk_ids": risk_ids,
                "synonyms": [f"{w[:3].upper()}T{i}"], "xrefs": [f"NCIT:C{self.number()}"],
                "description": self.prose(10, 25)}  # fmt: skip
            records.append(record)
        self.therapies_list = records
        return records

    def products(self) -> list[dict[str, Any]]:
        therapies, disorders = self.therapies_list, self.disorders_list
        records = []
        for i in range(self.split["products"]):
            therapy = therapies[i % len(therapies)]
            decision = ("approved", "conditionally-approved", "withdrawn")[i % 3]
            event = {"jurisdiction": ("US", "EU", "JP")[i % 3], "agency": "US FDA", "decision": decision,
                "date": "2019-05", "disorder_ids": [disorders[i % len(disorders)]["id"]],
                "citations": self.cite(self.credible_ids, 1, 2)}  # fmt: skip
            # a withdrawal ends an earlier authorisation in its jurisdiction (a loader rule)
            ended = [{**event, "decision": "approved", "date": "2018-01"}] if decision == "withdrawn" else []
            records.append(
                {"id": f"product-{i}", "name": f"{self.word().capitalize()}cel", "therapy_id": therapy["id"],
                "citations": self.cite(self.credible_ids, 1, 2), "events": [*ended, event]})  # fmt: skip
        return records

    def trials(self) -> list[dict[str, Any]]:
        therapies, disorders = self.therapies_list, self.disorders_list
        self.trial_ids = [f"nct{10_000_000 + i:08d}" for i in range(self.split["trials"])]
        return [
            {"id": f"nct{10_000_000 + i:08d}", "registry_ids": [f"NCT{10_000_000 + i:08d}"], "title": self.prose(6, 12),
            "phase": ("phase-1", "phase-2", "phase-3")[i % 3], "status": ("recruiting", "completed", "terminated")[i % 3],
            "status_as_of": "2025-07", "disorder_ids": [disorders[i % len(disorders)]["id"]],
            "therapy_ids": [therapies[i % len(therapies)]["id"]]} for i in range(self.split["trials"])]  # fmt: skip

    def indications(self) -> list[dict[str, Any]]:
        therapies, disorders = self.therapies_list, self.disorders_list
        pairs: list[tuple[int, int]] = []
        seen: set[tuple[int, int]] = set()
        for i in range(self.split["indications"]):
            # Every disorder first, and every therapy, then random pairs: constant fan-out.
            d = i % len(disorders) if i < len(disorders) else self.rng.randrange(len(disorders))
            t = i % len(therapies)
            while (t, d) in seen:
                t = self.rng.randrange(len(therapies))
            seen.add((t, d))
            pairs.append((t, d))
        records: list[dict[str, Any]] = []
        for t, d in pairs:
            therapy, disorder = therapies[t], disorders[d]
            level = self.rng.choice(_EVIDENCE)
            record: dict[str, Any] = {
                "id": f"{therapy['id']}-for-{disorder['id']}", "therapy_id": therapy["id"],
                "disorder_id": disorder["id"], "evidence_level": level,
                "citations": self.cite(self.credible_ids if level in _ABOVE_PRECLINICAL else self.reference_ids),
                "outcomes": self.rng.sample(_OUTCOMES, 2), "risk_ids": self.some(self.other_risks, 1),
                "summary": self.prose(15, 40)}  # fmt: skip
            if self.rng.random() < 0.3 and self.guideline_ids:
                autologous = therapy["donor_relation"] == "autologous"
                donor = "autologous" if autologous else self.rng.choice(("sibling", "unrelated"))
                record["recommendations"] = [
                    {"reference_id": self.rng.choice(self.guideline_ids),
                    "categories": [self.rng.choice(("S", "CO", "D", "GNR"))],
                    "grade": self.rng.choice(("I", "II", "III")), "population": "adult", "donor_type": donor,
                    "locator": "Table 2a"}]  # fmt: skip
            if self.rng.random() < 0.5:
                record["trial_ids"] = [self.rng.choice(self.trial_ids)]
            records.append(record)
        self.indication_ids = [r["id"] for r in records]
        self.indication_pairs = [(r["therapy_id"], r["disorder_id"]) for r in records]
        self.clinical_option_therapies = {
            r["therapy_id"] for r in records if any(x["categories"] == ["CO"] for x in r.get("recommendations", ()))
        }
        return records

    def findings(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        for i in range(self.split["findings"]):
            w = self.word()
            design = self.rng.choice(_EVIDENCE)
            low = round(self.rng.uniform(0.05, 0.5), 2)
            record: dict[str, Any] = {
                "id": f"{w}-result", # The first findings cover every indication once, the rest fall at random.
                "indication_id": self.indication_ids[i] if i < len(self.indication_ids)
                else self.rng.choice(self.indication_ids), "design": design,
                "population": f"adults with refractory disease, cohort {i}",
                "endpoint": "event-free survival at 5 years", "result": self.prose(12, 30),
                "citations": self.cite(self.credible_ids if design in _ABOVE_PRECLINICAL else self.reference_ids),
                "n": self.rng.randint(10, 500), "population_label": "ITT", "comparator": "standard treatment",
                "follow_up": "median 2 years"}  # fmt: skip
            if i % 2 == 0:
                record["effect"] = {
                    "measure": "hazard-ratio", "value": round(low + 0.1, 2), "ci_low": low,
                    "ci_high": round(low + 0.3, 2), "ci_level": 95.0}  # fmt: skip
            records.append(record)
        return records

    def probes(self) -> Probes:
        """Probe the first autoimmune disorder with an indication, from the middle of the disorders on."""
        therapies = {t["id"]: t for t in self.therapies_list}
        by_disorder: dict[str, list[str]] = {}
        for therapy_id, disorder_id in self.indication_pairs:
            by_disorder.setdefault(disorder_id, []).append(therapy_id)
        sources = {s["id"]: s for s in self.sources}
        middle = len(self.disorders_list) // 2
        candidates = [
            (disorder, therapy_id) for disorder in self.disorders_list[middle:] + self.disorders_list[:middle]
            if disorder["category"] == "autoimmune" for therapy_id in by_disorder.get(disorder["id"], ())]  # fmt: skip
        if not candidates:
            msg = "no autoimmune disorder with an indication to probe"
            raise AssertionError(msg)
        # The first pair whose therapy has a clinical-option recommendation, so the ebmt_category filter finds one.
        disorder, therapy_id = min(candidates, key=lambda pair: pair[1] not in self.clinical_option_therapies)
        therapy = therapies[therapy_id]
        w = disorder["name"].split()[0]
        typo = w[:2] + w[3] + w[2] + w[4:]
        return Probes(
            id=disorder["id"], name=disorder["name"].title(), synonym=f"{w.upper()} HEMATOLOGIC DISORDER",
            curie=disorder["xrefs"][0], search=f"{typo} {disorder['name'].partition(' ')[2]}",
            disorder=disorder["synonyms"][0], category=disorder["category"], therapy=therapy["id"],
            donor_relation=therapy["donor_relation"], mechanism_kind=self.mechanism_kinds[therapy["mechanism_ids"][0]],
            cell_source=sources[therapy["source_ids"][0]]["name"])  # fmt: skip


def generate(total: int, seed: int = 20261121) -> tuple[dict[str, Any], Probes]:
    """Generate a dataset document of *total* records and its probes; the same *total* and *seed* give the same."""
    builder = _Builder(total, seed)
    document: dict[str, Any] = {"dataset_version": VERSION}
    for kind in SHARES:  # in link order: every collection only points at earlier ones
        document[kind] = getattr(builder, kind)()
    return document, builder.probes()


def write(folder: Path, total: int, seed: int = 20261121) -> tuple[Path, Probes]:
    """
    Write a generated dataset as ``folder/synthetic-TOTAL/``, one file per collection like the bundled data.

    One document of 100,000 records (79 MB) would be over ``load()``'s default ``max_bytes``.
    """
    document, probes = generate(total, seed)
    target = folder / f"synthetic-{total}"
    target.mkdir(parents=True, exist_ok=True)
    parts = {"dataset": {"dataset_version": document["dataset_version"]}}
    parts.update((kind.replace("_", "-"), {kind: document[kind]}) for kind in SHARES)
    for name, part in parts.items():
        (target / f"{name}.json").write_text(json.dumps(part, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target, probes
