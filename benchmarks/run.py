"""
Benchmark stemimmune against its peers and the performance targets, on pyperf.

``python benchmarks/run.py [--quick] [--json summary.json] [-o pyperf.json]``. pyperf
(calibration, worker processes, statistics) times the cold starts and the in-process
calls; one fresh child per synthetic dataset (1k, 10k, 100k records) times its load and
queries. The report prints every figure beside its target and the peers', and asserts
nothing.
"""

from __future__ import annotations

import functools
import importlib
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path
from typing import Any


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make the benchmarks package importable
from benchmarks import synth  # noqa: E402


Call = Callable[[], object]
#: key -> (label, target group, how to build the call from a knowledge base and probes)
QUERIES: dict[str, tuple[str, str, Callable[[Any, synth.Probes], Call]]] = {
    "get_id": ("get(id)", "get_id", lambda kb, p: lambda: kb.get(p.id)),
    "get_name": ("get(name, other case)", "get_key", lambda kb, p: lambda: kb.get(p.name)),
    "get_synonym": ("get(synonym, other spelling)", "get_key", lambda kb, p: lambda: kb.get(p.synonym)),
    "get_curie": ("get(CURIE)", "get_key", lambda kb, p: lambda: kb.get(p.curie)),
    "search": ("search(name with a typo)", "search", lambda kb, p: lambda: kb.search(p.search)),
    "therapies_for": ("therapies_for(abbreviation)", "filter", lambda kb, p: lambda: kb.therapies_for(p.disorder)),
    "therapies_for_donor": ("therapies_for(d, donor_relation=)", "filter",
        lambda kb, p: lambda: kb.therapies_for(p.disorder, donor_relation=p.donor_relation)),
    "indications_evidence": ("find_indications(disorder=, min_evidence=)", "filter",
        lambda kb, p: lambda: kb.find_indications(disorder=p.disorder, min_evidence="observational")),
    "indications_category": ("find_indications(disorder=, category=)", "filter",
        lambda kb, p: lambda: kb.find_indications(disorder=p.disorder, category=p.category)),
    "indications_mechanism": ("find_indications(disorder=, mechanism_kind=)", "filter",
        lambda kb, p: lambda: kb.find_indications(disorder=p.disorder, mechanism_kind=p.mechanism_kind)),
    "indications_ebmt": ("find_indications(therapy=, ebmt_category=)", "filter",
        lambda kb, p: lambda: kb.find_indications(therapy=p.therapy, ebmt_category="CO")),
    "therapies_source": ("find_therapies(cell_source=)", "filter",
        lambda kb, p: lambda: kb.find_therapies(cell_source=p.cell_source)),
    "broad_mechanism_donor": ("find_indications(mechanism_kind=, donor_relation=) [broad]", "filter",
        lambda kb, _: lambda: kb.find_indications(mechanism_kind="immunomodulation", donor_relation="allogeneic")),
    "broad_evidence": ("find_indications(min_evidence=) [broad]", "filter",
        lambda kb, _: lambda: kb.find_indications(min_evidence="randomized-trial")),
}  # fmt: skip
LIMITS_US = {"get_id": 0.5, "get_key": 1.0, "search": 300.0, "filter": 20.0}
COLD = {  # label -> (python -c program, distribution it needs)
    "bare interpreter": ("pass", None),
    "floor: import attrs, cattrs": ("import attrs, cattrs", None),
    "stemimmune: import + load()": ("import stemimmune; stemimmune.load()", None),
    "stemimmune: import + load() + get()": ("import stemimmune; stemimmune.load().get('MS')", None),
    "pycountry: import + countries.get()": ("import pycountry; pycountry.countries.get(alpha_2='DE')", "pycountry"),
    "bioregistry: import + get_resource()": ("import bioregistry; bioregistry.get_resource('go')", "bioregistry"),
    "hpo3: import + Ontology()": ("from pyhpo import Ontology; Ontology()", "pyhpo"),
}
RSS_PROGRAM = "import stemimmune; stemimmune.load()\nprint(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))"


@functools.cache
def peer(name: str) -> Any:
    """One peer's module, imported (and, for hpo3, its ontology built) once per process."""
    if name == "pyhpo":
        from pyhpo import Ontology

        Ontology()
        return Ontology
    return importlib.import_module(name)


def _hpo_term() -> Any:
    return next(iter(peer("pyhpo")))  # its own first term: no identifier hard-coded here


#: The peers' comparable lookups: label -> (module, how to build the call from it).
PEERS: dict[str, tuple[str, Callable[[Any], Call]]] = {
    "pycountry countries.get(alpha_2=)": ("pycountry", lambda m: lambda: m.countries.get(alpha_2="DE")),
    "pycountry countries.lookup(name)": ("pycountry", lambda m: lambda: m.countries.lookup("germany")),
    "pycountry search_fuzzy()": ("pycountry", lambda m: lambda: m.countries.search_fuzzy("germany")),
    "pycountry subdivisions.get(country_code=)": ("pycountry", lambda m: lambda: m.subdivisions.get(country_code="DE")),
    "bioregistry get_resource()": ("bioregistry", lambda m: lambda: m.get_resource("go")),
    "bioregistry normalize_prefix(synonym)": ("bioregistry", lambda m: lambda: m.normalize_prefix("NCBI Taxonomy")),
    "bioregistry normalize_curie()": ("bioregistry", lambda m: lambda: m.normalize_curie("GO:0050776")),
    "hpo3 get_hpo_object(id)": ("pyhpo", lambda m: functools.partial(m.get_hpo_object, _hpo_term().id)),
    "hpo3 get_hpo_object(name)": ("pyhpo", lambda m: functools.partial(m.get_hpo_object, _hpo_term().name)),
    "hpo3 search(name)": ("pyhpo", lambda m: lambda: list(m.search(_hpo_term().name.lower()))),
}  # fmt: skip


def structurers(count: int) -> dict[str, Call]:
    """Structuring *count* bundled findings (repeated): ours, pydantic v2 and msgspec on the same input."""
    import stemimmune
    from stemimmune.serialization import _CONVERTER

    raw = json.loads(stemimmune.dumps(stemimmune.load()))["findings"]
    data = (raw * math.ceil(count / len(raw)))[:count]
    found: dict[str, Call] = {
        "stemimmune (cattrs + attrs validators)": lambda: _CONVERTER.structure(data, tuple[stemimmune.Finding, ...])
    }
    if find_spec("pydantic") and find_spec("msgspec"):
        from benchmarks import mirrors

        found.update(mirrors.structurers(data))
    return found


def time_calls(build: Callable[[], Call]) -> Callable[[int], float]:
    """A pyperf time function: build the call (in the worker), then time *loops* calls of it."""

    def run(loops: int) -> float:
        call = build()
        start = time.perf_counter()
        for _ in range(loops):
            call()
        return time.perf_counter() - start

    return run


def in_process(runner: Any, quick: bool) -> dict[str, Any]:
    """Our queries on the bundled data, the peers' lookups and the structuring runs, each timed by pyperf."""
    import stemimmune

    def ours(key: str) -> Call:
        kb = stemimmune.load()
        return QUERIES[key][2](kb, synth.BUNDLED_PROBES)

    count = 2_000 if quick else 10_000
    found: dict[str, Any] = {}
    for key in QUERIES:
        found[f"query {key}"] = runner.bench_time_func(f"query {key}", time_calls(functools.partial(ours, key)))
    for label in (label for label, (name, _build) in PEERS.items() if find_spec(name)):
        found[f"peer {label}"] = runner.bench_time_func(f"peer {label}", time_calls(functools.partial(_peer, label)))
    for label in structurers(10):
        found[f"structure {label}"] = runner.bench_time_func(
            f"structure {label}", time_calls(functools.partial(_structurer, count, label))
        )
    if runner.args.worker:
        return {}
    return {name: bench.median() for name, bench in found.items()} | {"structure_count": count}


def _peer(label: str) -> Call:
    name, build = PEERS[label]
    return build(peer(name))


def _structurer(count: int, label: str) -> Call:
    return structurers(count)[label]


def scale_child(path: str, probes: str) -> None:
    """In a fresh child: load one synthetic dataset, time it, time every query; print JSON."""
    start = time.perf_counter()
    import stemimmune

    kb = stemimmune.load(path)
    out: dict[str, Any] = {"load_s": time.perf_counter() - start}
    status = Path("/proc/self/status").read_text(encoding="ascii").splitlines()
    out["peak_rss_mib"] = int(next(line.split()[1] for line in status if line.startswith("VmHWM"))) / 1024
    out["records"] = sum(map(len, kb.collections().values()))
    found = synth.Probes(**json.loads(probes))
    start = time.perf_counter()
    kb.get(found.id)  # the first query builds the index
    out["index_s"] = time.perf_counter() - start
    for key, (_label, _group, build) in QUERIES.items():
        timer = timeit.Timer(build(kb, found))
        loops, _ = timer.autorange()
        out[key] = statistics.median(timer.repeat(5, loops)) / loops * 1e6
    print(json.dumps(out))


def scale(sizes: list[int], rounds: int, seed: int) -> dict[str, Any]:
    """Generate each dataset once, then load it in fresh children, the sizes taken in turn each round."""
    runs: dict[int, list[dict[str, Any]]] = {size: [] for size in sizes}
    with tempfile.TemporaryDirectory(prefix="stemimmune-bench-") as folder:
        written = {size: synth.write(Path(folder), size, seed) for size in sizes}
        for _round in range(rounds):
            for size, (path, probes) in written.items():
                command = [sys.executable, __file__, "--scale-child", str(path), json.dumps(probes.to_dict())]
                done = subprocess.run(command, capture_output=True, text=True, check=True)
                runs[size].append(json.loads(done.stdout))
    found: dict[str, Any] = {
        str(s): runs[s][0] | {"load_s": statistics.median(r["load_s"] for r in runs[s])} for s in sizes
    }
    if 10_000 in runs and 100_000 in runs:  # each 100k load over the 10k load of the same round
        found["load_ratio_100k_10k"] = statistics.median(
            b["load_s"] / a["load_s"] for a, b in zip(runs[10_000], runs[100_000], strict=True)
        )
    return found


def cold(runner: Any) -> dict[str, Any]:
    """Cold starts as pyperf commands; the RSS target from VmHWM in one more child."""
    found: dict[str, Any] = {}
    for label, (code, needs) in COLD.items():
        if needs is None or find_spec(needs):
            bench = runner.bench_command(f"cold {label}", [sys.executable, "-c", code])
            if not runner.args.worker:
                found[label] = bench.median()
    if not runner.args.worker:
        done = subprocess.run([sys.executable, "-c", RSS_PROGRAM], capture_output=True, text=True, check=True)
        found["peak_rss_mib"] = int(done.stdout) / 1024
    return found


def report(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Rows (what, measured, target, verdict) of the closing table."""
    rows: list[tuple[str, str, str, str]] = []

    def row(what: str, value: float | None, limit: float, unit: str, higher: bool = False) -> None:
        ok = value is not None and (value >= limit if higher else value <= limit)
        shown = "-" if value is None else f"{value:.3g} {unit}"
        rows.append((what, shown, f"{'>=' if higher else '<='} {limit:g} {unit}", "PASS" if ok else "MISS"))

    c, q, s = results["cold"], results["in_process"], results["scale"]
    ours = c.get("stemimmune: import + load()")
    if ours and c.get("floor: import attrs, cattrs"):
        row("cold import + load / floor", ours / c["floor: import attrs, cattrs"], 1.3, "x")
    if ours and c.get("pycountry: import + countries.get()"):
        row("cold import + load / pycountry import + lookup", ours / c["pycountry: import + countries.get()"], 1.0, "x")
    row("peak RSS after import + load()", c.get("peak_rss_mib"), 25, "MiB")
    for key, (label, group, _build) in QUERIES.items():
        if f"query {key}" in q:
            row(label, q[f"query {key}"] * 1e6, LIMITS_US[group], "us")
    if "100000" in s:
        row("search() at 100k / bundled", s["100000"]["search"] / (q["query search"] * 1e6), 2, "x")
    if "load_ratio_100k_10k" in s:
        row("load time 100k / 10k", s["load_ratio_100k_10k"], 12, "x")
    structure = {k.removeprefix("structure "): v for k, v in q.items() if k.startswith("structure ")}
    pydantic = structure.get("pydantic v2 TypeAdapter")
    if pydantic:
        row(
            "structuring: pydantic v2 time / ours",
            pydantic / structure["stemimmune (cattrs + attrs validators)"],
            1,
            "x",
            higher=True,
        )
    return rows


def print_report(results: dict[str, Any]) -> None:
    """Print every figure, then the targets."""
    lines = [
        f"# stemimmune benchmarks ({'quick' if results['quick'] else 'full'} run), Python {sys.version.split()[0]}"
    ]
    lines += ["", "## Cold start (pyperf commands, median ms)"]
    lines += [f"{k:<45} {v * 1e3:10.1f}" for k, v in results["cold"].items() if k != "peak_rss_mib"]
    lines += ["", "## Bundled data and peers (pyperf, median us per call)"]
    lines += [f"{k:<70} {v * 1e6:12.2f}" for k, v in results["in_process"].items() if k != "structure_count"]
    count = results["in_process"]["structure_count"]
    lines += [f"  structure: {count:,} findings per call; records/s = {count:,} / time"]
    sizes = [k for k in results["scale"] if k.isdigit()]
    lines += [
        "",
        "## Scale (fresh child per dataset; load in s, queries in median us)",
        f"{'':<22}" + "".join(f"{int(s):>12,}" for s in sizes),
    ]
    for key in ["records", "load_s", "index_s", "peak_rss_mib", *QUERIES]:
        lines.append(f"{key:<22}" + "".join(f"{results['scale'][s][key]:>12.4g}" for s in sizes))
    lines += ["", "## Targets", *(f"{a:<60} {b:>12} {c:>14}  {d}" for a, b, c, d in results["targets"])]
    missed = sum(r[3] == "MISS" for r in results["targets"])
    lines.append(f"{len(results['targets']) - missed} of {len(results['targets'])} targets met")
    print("\n".join(lines))


def main() -> None:
    """Parse the arguments, run pyperf's benchmarks and (in the main process) the scale series, and report."""
    if sys.argv[1:2] == ["--scale-child"]:
        scale_child(sys.argv[2], sys.argv[3])
        return
    import pyperf

    def pass_on(command: list[str], args: Any) -> None:
        if args.quick:
            command.append("--quick")

    runner = pyperf.Runner(add_cmdline_args=pass_on, processes=6, values=3)
    runner.argparser.add_argument("--quick", action="store_true", help="CI: 3 processes, 1k and 10k records")
    runner.argparser.add_argument("--json", type=Path, help="write the summary and the targets here")
    runner.argparser.add_argument("--sizes", type=int, nargs="+", help="synthetic sizes (default 1000 10000 100000)")
    runner.argparser.add_argument("--seed", type=int, default=20261121)
    args = runner.parse_args()
    if args.quick:
        args.processes, args.values, args.min_time = 3, 2, 0.02
    results: dict[str, Any] = {"quick": args.quick, "cold": cold(runner), "in_process": in_process(runner, args.quick)}
    if args.worker:
        return
    sizes = args.sizes or ([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000])
    results["scale"] = scale(sizes, 1 if args.quick else 3, args.seed)
    results["targets"] = report(results)
    print_report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
