"""
Benchmark stemimmune against its peers and the performance targets, on pyperf.

``python benchmarks/run.py [--quick] [--json summary.json] [-o pyperf.json]``. pyperf
(calibration, worker processes, statistics) times the cold starts and the in-process
calls; one fresh child per synthetic dataset (1k, 10k, 100k records) times its load and
queries. The report prints every figure beside its target and the peers', and asserts
nothing.
"""

from __future__ import annotations

import compileall
import dataclasses
import datetime as dt
import functools
import importlib
import json
import math
import resource
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
#: The day products' status is asked on: a fixed day, so that the work timed does not change with today's date.
STATUS_DAY = dt.date(2026, 6, 30)
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
    "trials_disorder": ("find_trials(disorder=)", "filter", lambda kb, p: lambda: kb.find_trials(disorder=p.disorder)),
    "trials_therapy_status": ("find_trials(therapy=, status=)", "filter",
        lambda kb, p: lambda: kb.find_trials(therapy=p.therapy, status="recruiting")),
    "status_date": ("Product.status(jurisdiction, on=date)", "status", lambda kb, _: status_call(kb, STATUS_DAY)),
    "status_text": ("Product.status(jurisdiction, on='YYYY-MM-DD')", "status",
        lambda kb, _: status_call(kb, STATUS_DAY.isoformat())),
}  # fmt: skip
LIMITS_US = {"get_id": 0.5, "get_key": 1.0, "search": 300.0, "filter": 20.0, "status": 5.0}
FLOOR, PYCOUNTRY = "floor: import attrs, cattrs", "pycountry: import + get()"
IMPORT, OURS, SEARCHED = "stemimmune: import", "stemimmune: import + load()", "stemimmune: import + load() + search()"
COLD = {  # label -> (python -c program, distribution it needs)
    "bare interpreter": ("pass", None),
    FLOOR: ("import attrs, cattrs", None),
    IMPORT: ("import stemimmune", None),
    OURS: ("import stemimmune; stemimmune.load()", None),
    SEARCHED: ("import stemimmune; stemimmune.load().search('lupus')", None),
    "stemimmune: import + load() + get()": ("import stemimmune; stemimmune.load().get('MS')", None),
    PYCOUNTRY: ("import pycountry; pycountry.countries.get(alpha_2='DE')", "pycountry"),
    "bioregistry: import + get_resource()": ("import bioregistry; bioregistry.get_resource('go')", "bioregistry"),
    "hpo3: import + Ontology()": ("from pyhpo import Ontology; Ontology()", "pyhpo"),
}
RSS_PROGRAM = "import stemimmune; stemimmune.load()\nprint(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))"


#: The cold-start ratios of the issue (#23): (label, ours, the peer's, limit), on CPU time.
RATIOS = (
    ("import stemimmune / import attrs, cattrs", IMPORT, FLOOR, 1.0),
    ("import + load() + search() / import attrs, cattrs", SEARCHED, FLOOR, 2.0),
    ("import + load() + search() / pycountry import + get()", SEARCHED, PYCOUNTRY, 2.0),
)


def status_call(kb: Any, on: dt.date | str) -> Call:
    """``Product.status()`` of the product with the most regulatory events, in the jurisdiction of its first."""
    product = max(kb.products, key=lambda p: (len(p.events), p.id))
    return functools.partial(product.status, product.events[0].jurisdiction, on=on)


@functools.cache
def peer(name: str) -> Any:
    """One peer's module, imported (and, for hpo3, its ontology built) once per process."""
    module = importlib.import_module(name)
    if name == "pyhpo":
        module.Ontology()
        return module.Ontology
    return module


#: The peers' comparable lookups: label -> (module, how to build the call from it).
PEERS: dict[str, tuple[str, Callable[[Any], Call]]] = {
    "pycountry countries.get(alpha_2=)": ("pycountry", lambda m: lambda: m.countries.get(alpha_2="DE")),
    "pycountry countries.lookup(name)": ("pycountry", lambda m: lambda: m.countries.lookup("germany")),
    "pycountry search_fuzzy()": ("pycountry", lambda m: lambda: m.countries.search_fuzzy("germany")),
    "pycountry subdivisions.get(country_code=)": ("pycountry", lambda m: lambda: m.subdivisions.get(country_code="DE")),
    "bioregistry get_resource()": ("bioregistry", lambda m: lambda: m.get_resource("go")),
    "bioregistry normalize_prefix(synonym)": ("bioregistry", lambda m: lambda: m.normalize_prefix("NCBI Taxonomy")),
    "bioregistry normalize_curie()": ("bioregistry", lambda m: lambda: m.normalize_curie("GO:0050776")),
    # hpo3: its own first term (next(iter(m))), so no identifier is hard-coded here
    "hpo3 get_hpo_object(id)": ("pyhpo", lambda m: functools.partial(m.get_hpo_object, next(iter(m)).id)),
    "hpo3 get_hpo_object(name)": ("pyhpo", lambda m: functools.partial(m.get_hpo_object, next(iter(m)).name)),
    "hpo3 search(name)": ("pyhpo", lambda m: lambda: list(m.search(next(iter(m)).name.lower()))),
}  # fmt: skip
OUR_STRUCTURING = "stemimmune (cattrs + attrs validators)"


def structurers(count: int) -> dict[str, Call]:
    """Structuring *count* bundled findings (repeated): ours, pydantic v2 and msgspec on the same input."""
    import stemimmune
    from stemimmune.serialization import _CONVERTER

    raw = json.loads(stemimmune.dumps(stemimmune.load()))["findings"]
    data = (raw * math.ceil(count / len(raw)))[:count]
    found: dict[str, Call] = {OUR_STRUCTURING: lambda: _CONVERTER.structure(data, tuple[stemimmune.Finding, ...])}
    if find_spec("pydantic") and find_spec("msgspec"):
        from benchmarks import mirrors

        found.update(mirrors.structurers(data))
    return found


def time_calls(build: Callable[[], Call]) -> Callable[[int], float]:
    """A pyperf time function: build the call (in the worker), then time *loops* calls of it in CPU time."""

    def run(loops: int) -> float:
        call = build()
        start = time.process_time()  # CPU time: other processes on a shared machine do not count
        for _ in range(loops):
            call()
        return time.process_time() - start

    return run


def in_process(runner: Any, count: int) -> dict[str, Any]:
    """Our queries on the bundled data, the peers' lookups and the structuring runs, each timed by pyperf."""
    import stemimmune

    builds: dict[str, Callable[[], Call]] = {
        f"query {key}": functools.partial(lambda key: QUERIES[key][2](stemimmune.load(), synth.BUNDLED_PROBES), key)
        for key in QUERIES
    }
    for label, (name, build) in PEERS.items():
        if find_spec(name):
            builds[f"peer {label}"] = functools.partial(lambda name, build: build(peer(name)), name, build)
    for label in structurers(10):
        builds[f"structure {label}"] = functools.partial(lambda label: structurers(count)[label], label)
    found = {name: runner.bench_time_func(name, time_calls(build)) for name, build in builds.items()}
    return {} if runner.args.worker else {name: bench.median() for name, bench in found.items()}


def scale_child(path: str, probes: str) -> None:
    """In a fresh child: load one synthetic dataset, time it, time every query; print JSON."""
    import stemimmune
    from stemimmune._index import _Built

    wall, cpu = time.perf_counter(), time.process_time()
    kb = stemimmune.load(path)
    out: dict[str, Any] = {"load_s": time.perf_counter() - wall, "load_cpu_s": time.process_time() - cpu}
    status = Path("/proc/self/status").read_text(encoding="ascii").splitlines()
    out["peak_rss_mib"] = int(next(line.split()[1] for line in status if line.startswith("VmHWM"))) / 1024
    out["records"] = sum(map(len, kb.collections().values()))
    found = synth.Probes(**json.loads(probes))
    cpu = time.process_time()
    index = kb._index()  # noqa: SLF001 - each structure is built on first use; here all of them, to time the whole index
    for name, value in vars(type(index)).items():
        if isinstance(value, _Built):
            getattr(index, name)
    out["index_cpu_s"] = time.process_time() - cpu
    for key, (_label, _group, build) in QUERIES.items():
        timer = timeit.Timer(build(kb, found), timer=time.process_time)
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
                command = [sys.executable, __file__, "--scale-child", str(path), json.dumps(dataclasses.asdict(probes))]
                done = subprocess.run(command, capture_output=True, text=True, check=True)
                runs[size].append(json.loads(done.stdout))
    medians = ("load_s", "load_cpu_s", "index_cpu_s")  # over the rounds; the queries are medians already
    found: dict[str, Any] = {
        str(s): runs[s][0] | {k: statistics.median(r[k] for r in runs[s]) for k in medians} for s in sizes
    }
    if 10_000 in runs and 100_000 in runs:  # each 100k load over the 10k load of the same round
        for key in ("load_s", "load_cpu_s"):
            found[f"ratio_100k_10k_{key}"] = statistics.median(
                b[key] / a[key] for a, b in zip(runs[10_000], runs[100_000], strict=True)
            )
    return found


def cold(runner: Any, runs: int) -> dict[str, Any]:
    """Cold starts: pyperf commands (wall time) and the median CPU time of *runs* more children; peak RSS."""
    import stemimmune

    compileall.compile_dir(stemimmune.__path__[0], quiet=1)  # as a wheel install leaves it
    found: dict[str, Any] = {}
    for label, (code, needs) in COLD.items():
        if needs is None or find_spec(needs):
            bench = runner.bench_command(f"cold {label}", [sys.executable, "-c", code])
            if not runner.args.worker:
                cpu = statistics.median(_child_cpu(code) for _ in range(runs))
                found[label] = {"wall_s": bench.median(), "cpu_s": cpu}
    if not runner.args.worker:
        done = subprocess.run([sys.executable, "-c", RSS_PROGRAM], capture_output=True, text=True, check=True)
        found["peak_rss_mib"] = int(done.stdout) / 1024
    return found


def _child_cpu(code: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def targets(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Rows (what, measured, target, verdict) of the closing table."""
    rows: list[tuple[str, str, str, str]] = []

    def row(what: str, value: float | None, limit: float, unit: str, higher: bool = False) -> None:
        ok = value is not None and (value >= limit if higher else value <= limit)
        shown = "-" if value is None else f"{value:.3g} {unit}"
        rows.append((what, shown, f"{'>=' if higher else '<='} {limit:g} {unit}", "PASS" if ok else "MISS"))

    c, q, s = results["cold"], results["in_process"], results["scale"]
    for label, ours, other, limit in RATIOS:
        if ours in c and other in c:
            row(f"cold {label} (CPU)", c[ours]["cpu_s"] / c[other]["cpu_s"], limit, "x")
    row("peak RSS after import + load()", c.get("peak_rss_mib"), 25, "MiB")
    for key, (label, group, _build) in QUERIES.items():
        if f"query {key}" in q:
            row(label, q[f"query {key}"] * 1e6, LIMITS_US[group], "us")
    if "100000" in s:
        row("search() at 100k / bundled", s["100000"]["search"] / (q["query search"] * 1e6), 2, "x")
    for key in ("load_cpu_s", "load_s"):
        if f"ratio_100k_10k_{key}" in s:
            row(f"load time 100k / 10k ({'CPU' if 'cpu' in key else 'wall'})", s[f"ratio_100k_10k_{key}"], 12, "x")
    if f"structure {OUR_STRUCTURING}" in q and "structure pydantic v2 TypeAdapter" in q:
        ratio = q["structure pydantic v2 TypeAdapter"] / q[f"structure {OUR_STRUCTURING}"]
        row("structuring: pydantic v2 time / ours", ratio, 1, "x", higher=True)
    return rows


def print_report(results: dict[str, Any]) -> None:
    """Print every figure, then the targets."""
    lines = [f"# stemimmune benchmarks ({'quick' if results['quick'] else 'full'}), Python {sys.version.split()[0]}"]
    lines += ["", f"## Cold start (median ms){'wall (pyperf)':>28}{'CPU':>10}"]
    lines += [
        f"{k:<45} {v['wall_s'] * 1e3:10.1f}{v['cpu_s'] * 1e3:10.1f}"
        for k, v in results["cold"].items()
        if k != "peak_rss_mib"
    ]
    cold = results["cold"]
    lines += ["", "## Cold-start ratios (median CPU time; ours / the peer's)"]
    lines += [
        f"{label:<55} {cold[ours]['cpu_s'] / cold[other]['cpu_s']:6.2f} x"
        f"  ({cold[ours]['cpu_s'] * 1e3:.1f} / {cold[other]['cpu_s'] * 1e3:.1f} ms; <= {limit:g} x)"
        for label, ours, other, limit in RATIOS
        if ours in cold and other in cold
    ]
    lines += ["", "## Bundled data and peers (pyperf, median CPU us per call)"]
    lines += [f"{k:<70} {v * 1e6:12.2f}" for k, v in results["in_process"].items()]
    lines += [f"  structure: {results['structure_count']:,} findings per call"]
    sizes = [k for k in results["scale"] if k.isdigit()]
    lines += [
        "",
        "## Scale (fresh child per dataset; s, MiB, median CPU us)",
        " " * 22 + "".join(f"{s:>12}" for s in sizes),
    ]
    for key in ["records", "load_s", "load_cpu_s", "index_cpu_s", "peak_rss_mib", *QUERIES]:
        lines.append(f"{key:<22}" + "".join(f"{results['scale'][s][key]:>12.4g}" for s in sizes))
    lines += ["", "## Targets", *(f"{a:<60} {b:>12} {c:>14}  {d}" for a, b, c, d in results["targets"])]
    missed = sum(r[3] == "MISS" for r in results["targets"])
    print("\n".join([*lines, f"{len(results['targets']) - missed} of {len(results['targets'])} targets met"]))


def main() -> None:
    """Parse the arguments, run pyperf's benchmarks and (in the main process) the scale series, and report."""
    if sys.argv[1:2] == ["--scale-child"]:
        scale_child(sys.argv[2], sys.argv[3])
        return
    import pyperf

    runner = pyperf.Runner(
        add_cmdline_args=lambda cmd, args: cmd.extend(["--quick"] * args.quick), processes=6, values=3
    )
    runner.argparser.add_argument("--quick", action="store_true", help="CI: 3 processes, 1k and 10k records")
    runner.argparser.add_argument("--json", type=Path, help="write the summary and the targets here")
    runner.argparser.add_argument("--sizes", type=int, nargs="+", help="synthetic sizes (default 1000 10000 100000)")
    runner.argparser.add_argument("--seed", type=int, default=20261121)
    args = runner.parse_args()
    if args.quick:
        args.processes, args.values, args.min_time = 3, 2, 0.02
    count = 2_000 if args.quick else 10_000
    results: dict[str, Any] = {"quick": args.quick, "cold": cold(runner, 5 if args.quick else 15)}
    results["in_process"] = in_process(runner, count)
    if args.worker:
        return
    sizes = args.sizes or ([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000])
    results |= {"structure_count": count, "scale": scale(sizes, 1 if args.quick else 3, args.seed)}
    results["targets"] = targets(results)
    print_report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
