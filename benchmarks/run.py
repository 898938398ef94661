"""
Benchmark stemimmune against its peers: ``python benchmarks/run.py [--quick] [--json out.json]``.

One command, one process tree. It builds (or reuses) the peers' virtualenv under
``benchmarks/.venv``, re-runs itself with that interpreter, and measures, with
medians over repeated runs:

* cold start: wall time of fresh interpreters importing stemimmune and loading the
  bundled data, against ``import attrs, cattrs`` (the floor), ``import bioregistry``,
  pycountry and hpo3; and each one's peak RSS;
* latency of ``get()``, ``search()``, ``therapies_for()`` and the filters on the bundled
  data, with the peers' comparable lookups in the same process;
* scale: synthetic datasets of 1,000, 10,000 and 100,000 records (see
  :mod:`benchmarks.synth`): load time, peak RSS, Python heap per record, and the same queries;
* structuring throughput of our converter against pydantic v2 and msgspec;

then prints a table, PASS/MISS against the targets of the performance issue, and (with
``--json``) writes every figure. ``--quick`` measures lightly and only the 1,000 and
10,000 scales, for CI: it must run, it asserts nothing about times.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: make the benchmarks package importable

from benchmarks import environment, synth  # noqa: E402
from benchmarks.environment import installed_version  # noqa: E402
from benchmarks.timing import PRINT_PEAK_RSS_KIB  # noqa: E402
from benchmarks.worker import QUERIES  # noqa: E402


# ------------------------------------------------------------------ the targets

COLD_RATIO_LIMIT = 1.3  # import + load <= 1.3 x the attrs + cattrs floor
RSS_LIMIT_MIB = 25.0
GET_ID_LIMIT_US = 0.5
GET_KEY_LIMIT_US = 1.0
SEARCH_LIMIT_US = 500.0
FILTER_LIMIT_US = 20.0
LOAD_RATIO_LIMIT = 12.0  # load(100k) / load(10k)
FLAT_LIMIT = 2.0  # a query at 100k records / the same query on the bundled data

FULL_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)


@dataclass(frozen=True)
class Settings:
    """How much to measure."""

    quick: bool
    cold_runs: int
    rss_runs: int
    load_runs: int
    structuring_records: int
    sizes: tuple[int, ...]
    seed: int


def settings(args: argparse.Namespace) -> Settings:
    """Settings for a full or a quick run."""
    sizes = tuple(args.sizes) if args.sizes else (QUICK_SIZES if args.quick else FULL_SIZES)
    if args.quick:
        return Settings(
            True, cold_runs=5, rss_runs=1, load_runs=2, structuring_records=2_000, sizes=sizes, seed=args.seed
        )
    return Settings(
        False, cold_runs=25, rss_runs=3, load_runs=5, structuring_records=10_000, sizes=sizes, seed=args.seed
    )


def log(message: str) -> None:
    """Progress goes to stderr; the report goes to stdout."""
    print(f"benchmarks: {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ child processes


def _child_env() -> dict[str, str]:
    """The environment of every child: ours without PYTHON* settings that would change what is measured."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}


def worker(*args: str, quick: bool) -> dict[str, Any]:
    """Run ``benchmarks.worker`` in a fresh interpreter and return its JSON result."""
    command = [sys.executable, "-m", "benchmarks.worker", *args, *(["--quick"] if quick else [])]
    done = subprocess.run(command, cwd=ROOT, env=_child_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        msg = f"benchmark worker failed: {' '.join(args)}"
        raise SystemExit(msg)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ------------------------------------------------------------------ cold start


FLOOR = "import attrs, cattrs  [floor]"


def cold_commands() -> dict[str, str]:
    """The ``python -c`` programs timed from a cold start, by label (peers that are not installed left out)."""
    commands = (
        ("bare interpreter (python -c pass)", "pass", None),
        (FLOOR, "import attrs, cattrs", None),
        ("import stemimmune", "import stemimmune", None),
        ("import stemimmune; stemimmune.load()", "import stemimmune; stemimmune.load()", None),
        ("... + first query (builds query indexes)", "import stemimmune; stemimmune.load().therapies_for('MS')", None),
        ("import bioregistry", "import bioregistry", "bioregistry"),
        (
            "import pycountry; countries.get(alpha_2='DE')",
            "import pycountry; pycountry.countries.get(alpha_2='DE')",
            "pycountry",
        ),
        ("hpo3: from pyhpo import Ontology; Ontology()", "from pyhpo import Ontology; Ontology()", "hpo3"),
    )
    return {label: code for label, code, needs in commands if needs is None or installed_version(needs) is not None}


def cold_start(config: Settings, workdir: Path) -> dict[str, Any]:
    """Median wall time and peak RSS of each cold-start program, runs interleaved to share the noise."""
    commands = cold_commands()
    env = _child_env()

    def run(code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code], cwd=workdir, env=env, capture_output=True, text=True, check=True
        )

    for code in commands.values():
        run(code)  # warm-up: writes bytecode caches, warms the file system cache
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(config.cold_runs):
        for label, code in commands.items():
            start = time.perf_counter()
            run(code)
            times[label].append((time.perf_counter() - start) * 1000)
    rss: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(config.rss_runs):
        for label, code in commands.items():
            rss[label].append(int(run(code + PRINT_PEAK_RSS_KIB).stdout.strip().splitlines()[-1]) / 1024)
    return {
        "runs": config.cold_runs,
        "commands": {
            label: {
                "code": code,
                "wall_ms": statistics.median(times[label]),
                "wall_ms_min": min(times[label]),
                # Each run against the floor's run of the same round: robust to a neighbour's load that comes and goes.
                "x_floor_paired": statistics.median(t / f for t, f in zip(times[label], times[FLOOR], strict=True)),
                "wall_ms_runs": times[label],
                "peak_rss_mib": statistics.median(rss[label]),
            }
            for label, code in commands.items()
        },
    }


# ------------------------------------------------------------------ scale


def scale(config: Settings, workdir: Path) -> dict[str, Any]:
    """
    Generate every synthetic dataset, then load and query each in fresh processes.

    The load runs go round the sizes (1k, 10k, 100k, 1k, 10k, ...), so a neighbour's
    load that comes and goes hits every size alike and the load-time ratios hold.
    """
    datasets: dict[int, tuple[list[str], dict[str, str]]] = {}
    for size in config.sizes:
        start = time.perf_counter()
        path, keys = synth.write(workdir, size, config.seed)
        log(f"scale {size:,}: generated in {time.perf_counter() - start:.1f} s ({synth.size_mb(path):.1f} MB)")
        datasets[size] = (["--path", str(path), "--probes", json.dumps(keys.to_dict())], keys.to_dict())
    runs: dict[int, list[dict[str, Any]]] = {size: [] for size in config.sizes}
    for round_ in range(config.load_runs):
        log(f"scale: load round {round_ + 1} of {config.load_runs}" + (" (with the queries)" if round_ == 0 else ""))
        for size, (args, _probes) in datasets.items():
            runs[size].append(worker("dataset", *args, *(["--queries"] if round_ == 0 else []), quick=config.quick))
    by_size: dict[str, Any] = {}
    for size, (args, probes) in datasets.items():
        heap = worker("heap", *args, quick=config.quick)
        first = runs[size][0]
        records = first["records"]
        peak = statistics.median(r["rss_peak_load_mib"] for r in runs[size])
        base_peak = statistics.median(r["rss_import_mib"] for r in runs[size])
        by_size[str(size)] = {
            "records": records,
            "file_mb": synth.size_mb(Path(args[1])),
            "probes": probes,
            "load_s": statistics.median(r["load_s"] for r in runs[size]),
            "load_s_runs": [r["load_s"] for r in runs[size]],
            "rss_import_mib": base_peak,
            "rss_peak_load_mib": peak,
            "rss_retained_load_mib": statistics.median(r["rss_retained_load_mib"] for r in runs[size]),
            "rss_peak_indexed_mib": first["rss_peak_indexed_mib"],
            "rss_retained_indexed_mib": first["rss_retained_indexed_mib"],
            "rss_kib_per_record": (peak - base_peak) * 1024 / records,
            "heap_live_load_mib": heap["heap_live_load_mib"],
            "heap_peak_load_mib": heap["heap_peak_load_mib"],
            "heap_live_indexed_mib": heap["heap_live_indexed_mib"],
            "heap_kib_per_record": heap["heap_live_load_mib"] * 1024 / records,
            "heap_peak_kib_per_record": heap["heap_peak_load_mib"] * 1024 / records,
            "heap_index_kib_per_record": (heap["heap_live_indexed_mib"] - heap["heap_live_load_mib"]) * 1024 / records,
            "first_query_s": first["first_query_s"],
            "queries": first["queries"],
        }
        shutil.rmtree(args[1])
    result: dict[str, Any] = {"sizes": list(config.sizes), "by_size": by_size}
    if 10_000 in runs and 100_000 in runs:
        # Each 100k load against the 10k load of the same round.
        result["load_ratio_100k_10k"] = statistics.median(
            big["load_s"] / small["load_s"] for big, small in zip(runs[100_000], runs[10_000], strict=True)
        )
    return result


def scan_check(scaled: dict[str, Any]) -> dict[str, Any]:
    """Per-query latency at the smallest and the largest scale, and their ratio (a scan grows with the data)."""
    sizes = scaled["sizes"]
    small, large = scaled["by_size"][str(min(sizes))], scaled["by_size"][str(max(sizes))]
    queries = {}
    for query in QUERIES:
        a, b = small["queries"][query.key], large["queries"][query.key]
        queries[query.key] = {
            "label": query.label,
            "bounded": query.bounded,
            "us_small": a["us"],
            "us_large": b["us"],
            "ratio": b["us"] / a["us"],
            "results_small": a["results"],
            "results_large": b["results"],
        }
    return {"small": min(sizes), "large": max(sizes), "queries": queries}


# ------------------------------------------------------------------ report


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def table(title: str, header: list[str], rows: Iterable[list[str]]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    rows = list(rows)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [f"\n## {title}", ""]
    for n, row in enumerate([header, *rows]):
        cells = [row[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


@dataclass(frozen=True)
class Target:
    """One target of the issue and the figure measured for it."""

    name: str
    figure: float | None
    limit: float
    unit: str
    higher_is_better: bool = False
    note: str = ""

    @property
    def status(self) -> str:
        """PASS, MISS, or n/a when the figure was not measured."""
        if self.figure is None:
            return "n/a"
        ok = self.figure >= self.limit if self.higher_is_better else self.figure <= self.limit
        return "PASS" if ok else "MISS"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "target": self.name,
            "figure": self.figure,
            "limit": self.limit,
            "unit": self.unit,
            "status": self.status,
            "note": self.note,
        }


def targets(results: dict[str, Any]) -> list[Target]:
    """Compare every measured figure with the issue's targets."""
    cold = results["cold_start"]["commands"]
    loaded = cold["import stemimmune; stemimmune.load()"]
    queries = results["bundled"]["queries"]
    found = [
        Target("cold import + load / attrs+cattrs floor", loaded["x_floor_paired"], COLD_RATIO_LIMIT, "x"),
        Target("peak RSS after import + load", loaded["peak_rss_mib"], RSS_LIMIT_MIB, "MiB"),
    ]
    for query in QUERIES:
        us = queries[query.key]["us"]
        if query.group == "get_id":
            found.append(Target(query.label, us, GET_ID_LIMIT_US, "us"))
        elif query.group == "get_key":
            found.append(Target(query.label, us, GET_KEY_LIMIT_US, "us"))
        elif query.group == "search":
            found.append(Target(query.label, us, SEARCH_LIMIT_US, "us"))
        else:
            found.append(Target(query.label, us, FILTER_LIMIT_US, "us"))
    by_size = results["scale"]["by_size"]
    largest = max(results["scale"]["sizes"])
    if "load_ratio_100k_10k" in results["scale"]:
        ratio = results["scale"]["load_ratio_100k_10k"]
        found.append(Target("load time 100k / 10k records", ratio, LOAD_RATIO_LIMIT, "x"))
    else:
        found.append(Target("load time 100k / 10k records", None, LOAD_RATIO_LIMIT, "x", note="needs the full run"))
    at = by_size[str(largest)]["queries"]
    where = f"at {largest:,} records" if largest != 100_000 else "at 100k"
    for query in QUERIES:
        if query.bounded and query.group != "search":
            ratio = at[query.key]["us"] / queries[query.key]["us"]
            found.append(Target(f"{query.label} {where} / bundled", ratio, FLAT_LIMIT, "x"))
    for collection, measured in results["structuring"].items():
        rates = measured["per_s"]
        ours, pydantic = rates.get(measured["ours"]), rates.get(measured["pydantic"])
        figure = ours / pydantic if ours and pydantic else None
        found.append(
            Target(
                f"structuring {collection}: ours / pydantic v2",
                figure,
                1.0,
                "x",
                higher_is_better=True,
                note="" if measured["ours"].endswith("CONVERTER.structure") else "load's fast converter",
            )
        )
    return found


def report(results: dict[str, Any], found: list[Target]) -> str:
    """The printed report."""
    out = []
    meta = results["meta"]
    versions = ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
    out.append(
        f"# stemimmune benchmarks ({'quick' if meta['quick'] else 'full'} run, {meta['duration_s']:.0f} s)\n\n"
        f"Python {meta['python']} on {meta['machine']}; {versions}\n"
        f"source: commit {meta['source']['commit'][:12] or '?'}"
        + (f" with changes in {', '.join(meta['source']['changed'])}" if meta["source"]["changed"] else "")
    )
    cold = results["cold_start"]
    out.append(
        table(
            f"Cold start: fresh interpreters, {cold['runs']} interleaved rounds (peak RSS: VmHWM in the child)",
            ["program", "median ms", "min ms", "x floor", "peak RSS MiB"],
            (
                [
                    label,
                    _fmt(c["wall_ms"], 1),
                    _fmt(c["wall_ms_min"], 1),
                    _fmt(c["x_floor_paired"]),
                    _fmt(c["peak_rss_mib"], 1),
                ]
                for label, c in cold["commands"].items()
            ),
        )
        + "\n  x floor: median over rounds of (run / the floor's run in the same round)"
    )
    bundled = results["bundled"]
    out.append(
        f"\nBundled data in one process: import {bundled['import_s'] * 1000:.1f} ms, load "
        f"{bundled['load_s'] * 1000:.1f} ms ({bundled['records']} records), first query (index build) "
        f"{bundled['first_query_s'] * 1000:.1f} ms; RSS peak {bundled['rss_peak_load_mib']:.1f} MiB after load, "
        f"{bundled['rss_peak_indexed_mib']:.1f} MiB after the first query; Python heap kept "
        f"{bundled['heap']['heap_live_load_mib']:.1f} MiB after load (peak {bundled['heap']['heap_peak_load_mib']:.1f}),"
        f" {bundled['heap']['heap_live_indexed_mib']:.1f} MiB with the query indexes"
    )
    limits = {"get_id": GET_ID_LIMIT_US, "get_key": GET_KEY_LIMIT_US, "search": SEARCH_LIMIT_US}
    out.append(
        table(
            "Latency on the bundled data (median us per call, timeit-style, GC off)",
            ["query", "us", "results", "target us", ""],
            (
                [
                    q.label,
                    _fmt(bundled["queries"][q.key]["us"]),
                    str(bundled["queries"][q.key]["results"]),
                    _fmt(limits.get(q.group, FILTER_LIMIT_US), 1),
                    "PASS" if bundled["queries"][q.key]["us"] <= limits.get(q.group, FILTER_LIMIT_US) else "MISS",
                ]
                for q in QUERIES
            ),
        )
    )
    out.append(peer_table(results))
    out.append(scale_tables(results))
    structuring = results["structuring"]
    labels = list(next(iter(structuring.values()))["per_s"])
    out.append(
        table(
            "Structuring throughput (records per second, median; same input for all)",
            ["implementation", *(f"{c} x{m['records']:,}" for c, m in structuring.items())],
            ([label, *(_fmt(m["per_s"][label]) for m in structuring.values())] for label in labels),
        )
    )
    for collection, measured in structuring.items():
        for label, error in measured["errors"].items():
            out.append(f"  note: {collection}, {label}: {error}")
    if "profile" in results:
        out.append(profile_tables(results["profile"]))
    out.append(
        table(
            "Targets",
            ["target", "measured", "limit", ""],
            (
                [
                    t.name,
                    f"{_fmt(t.figure)} {t.unit}",
                    f"{'>=' if t.higher_is_better else '<='} {_fmt(t.limit, 1)} {t.unit}",
                    t.status + (f" ({t.note})" if t.note else ""),
                ]
                for t in found
            ),
        )
    )
    missed = [t.name for t in found if t.status == "MISS"]
    out.append(f"\n{len(found) - len(missed)} of {len(found)} targets met; missed: {len(missed)}")
    return "\n".join(out)


def peer_table(results: dict[str, Any]) -> str:
    """Our lookups next to the peers' comparable ones, measured in the same process."""
    ours = results["bundled"]["queries"]
    peers = results["bundled"].get("peers", {})
    rows = [
        ("by id", ours["get_id"]["us"], "id"),
        ("by name (other case)", ours["get_name"]["us"], "name"),
        ("by synonym (other case/spelling)", ours["get_synonym"]["us"], "synonym"),
        ("by CURIE", ours["get_curie"]["us"], "curie"),
        ("text search", ours["search"]["us"], "search"),
        ("filter", ours["therapies_for"]["us"], "filter"),
    ]
    names = list(peers)
    return table(
        "Lookups against the peers (median us per call, same process)",
        ["lookup", "stemimmune", *names],
        ([label, _fmt(us), *(_fmt(peers[n].get(key)) for n in names)] for label, us, key in rows),
    ) + (
        "\n  bioregistry: get_resource('go'), normalize_prefix('GO'), normalize_prefix('NCBI Taxonomy'),"
        " normalize_curie('GO:0050776')"
        "\n  pycountry: countries.get(alpha_2='DE'), lookup('germany'), lookup('federal republic of germany'),"
        " search_fuzzy('germany'), subdivisions.get(country_code='DE')"
        "\n  hpo3: get_hpo_object(<its first term's id>), get_hpo_object(<that term's name>), list(search(<name>))"
        "\n  stemimmune filter: therapies_for('MS')"
    )


def scale_tables(results: dict[str, Any]) -> str:
    """Load, memory and latency at each synthetic scale."""
    scaled = results["scale"]
    by_size = scaled["by_size"]
    sizes = [str(s) for s in scaled["sizes"]]
    memory = table(
        "Scale: synthetic datasets (load and memory in fresh processes; medians)",
        [
            "records",
            "data MB",
            "load s",
            "load us/rec",
            "RSS peak MiB",
            "RSS KiB/rec",
            "heap KiB/rec",
            "heap peak KiB/rec",
            "+index heap KiB/rec",
            "1st query s",
        ],
        (
            [
                f"{int(s):,}",
                _fmt(by_size[s]["file_mb"], 1),
                _fmt(by_size[s]["load_s"], 3),
                _fmt(by_size[s]["load_s"] / by_size[s]["records"] * 1e6, 1),
                _fmt(by_size[s]["rss_peak_load_mib"], 1),
                _fmt(by_size[s]["rss_kib_per_record"]),
                _fmt(by_size[s]["heap_kib_per_record"]),
                _fmt(by_size[s]["heap_peak_kib_per_record"]),
                _fmt(by_size[s]["heap_index_kib_per_record"]),
                _fmt(by_size[s]["first_query_s"], 3),
            ]
            for s in sizes
        ),
    )
    memory += (
        "\n  RSS KiB/rec: (peak RSS after load - after import) / records. heap: tracemalloc in a separate child:"
        "\n  what the loaded records keep, the peak while loading, and what the query indexes add."
    )
    bundled = results["bundled"]["queries"]
    latency = table(
        "Scale: query latency (median us per call) and ratio of the largest scale to the bundled data",
        ["query", "bundled", *(f"{int(s):,}" for s in sizes), "largest/bundled", "results (small->large)"],
        (
            [
                q.label,
                _fmt(bundled[q.key]["us"]),
                *(_fmt(by_size[s]["queries"][q.key]["us"]) for s in sizes),
                _fmt(by_size[sizes[-1]]["queries"][q.key]["us"] / bundled[q.key]["us"]),
                f"{by_size[sizes[0]]['queries'][q.key]['results']}->{by_size[sizes[-1]]['queries'][q.key]['results']}",
            ]
            for q in QUERIES
        ),
    )
    lines = [memory, latency]
    if "load_ratio_100k_10k" in scaled:
        lines.append(
            f"\nload time 100k / 10k: {scaled['load_ratio_100k_10k']:.2f} x (median over rounds of each 100k load"
            " / the 10k load of the same round)"
        )
    return "\n".join(lines)


def profile_tables(profiles: dict[str, Any]) -> str:
    """The heaviest functions of each profiled load."""
    lines = []
    for name, profile in profiles.items():
        lines.append(
            table(
                f"cProfile of load ({name}): wall {profile['wall_s']:.3f} s under the profiler; top by own time",
                ["function", "calls", "own s", "cumulative s"],
                (
                    [r["function"][:90], f"{r['calls']:,}", _fmt(r["tottime_s"], 3), _fmt(r["cumtime_s"], 3)]
                    for r in profile["by_tottime"]
                ),
            )
        )
        lines.append(
            table(
                f"cProfile of load ({name}): top by cumulative time",
                ["function", "calls", "own s", "cumulative s"],
                (
                    [r["function"][:90], f"{r['calls']:,}", _fmt(r["tottime_s"], 3), _fmt(r["cumtime_s"], 3)]
                    for r in profile["by_cumtime"]
                ),
            )
        )
    return "\n".join(lines)


# ------------------------------------------------------------------ main


def measure(config: Settings, profile_dir: Path | None) -> dict[str, Any]:
    """Run every measurement and return the results (without the targets)."""
    started = time.perf_counter()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="stemimmune-bench-") as tmp:
        workdir = Path(tmp)
        log("cold start")
        results["cold_start"] = cold_start(config, workdir)
        log("bundled data: load, queries and the peers' lookups")
        results["bundled"] = worker("dataset", "--queries", "--peers", quick=config.quick)
        results["bundled"]["heap"] = worker("heap", quick=config.quick)
        results["scale"] = scale(config, workdir)
        results["scan_check"] = scan_check(results["scale"])
        log("structuring throughput")
        results["structuring"] = {
            collection: worker(
                "structuring",
                "--collection",
                collection,
                "--records",
                str(config.structuring_records),
                quick=config.quick,
            )
            for collection in ("findings", "therapies")
        }
        if profile_dir is not None:
            results["profile"] = profiles(config, workdir, profile_dir)
    versions = {
        name: installed_version(name)
        for name in ("stemimmune", "attrs", "cattrs", "pydantic", "msgspec", "bioregistry", "pycountry", "hpo3")
    }
    results["meta"] = {
        "quick": config.quick,
        "seed": config.seed,
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "versions": {k: v for k, v in versions.items() if v},
        "source": source_state(),
        "duration_s": time.perf_counter() - started,
    }
    return results


def profiles(config: Settings, workdir: Path, out: Path) -> dict[str, Any]:
    """Profile the load of the bundled data and of the largest synthetic dataset with cProfile."""
    out.mkdir(parents=True, exist_ok=True)
    largest = max(config.sizes)
    log(f"profiling the load of the bundled data and of {largest:,} records")
    path, _probes = synth.write(workdir, largest, config.seed)
    found = {
        "bundled": worker("profile", "--out", str(out / "load-bundled.prof"), quick=config.quick),
        f"{largest:,} records": worker(
            "profile", "--path", str(path), "--out", str(out / f"load-{largest}.prof"), quick=config.quick
        ),
    }
    shutil.rmtree(path)
    return found


def source_state() -> dict[str, Any]:
    """The commit measured, and the files changed since (read-only git queries; empty outside a checkout)."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "--no-optional-locks", *args],  # noqa: S607 - git from PATH, as a developer runs it
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout if done.returncode == 0 else ""

    changed = [line[3:] for line in git("status", "--porcelain", "--", "src", "pyproject.toml").splitlines()]
    return {"commit": git("rev-parse", "HEAD").strip(), "changed": changed}


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(prog="python benchmarks/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few repeats, scales 1k and 10k only (for CI)")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--sizes", type=int, nargs="+", help="synthetic dataset sizes (default 1000 10000 100000)")
    parser.add_argument("--seed", type=int, default=20261121, help="seed of the synthetic datasets")
    parser.add_argument("--profile", type=Path, metavar="DIR", help="also cProfile loads; write .prof files to DIR")
    parser.add_argument(
        "--no-venv", action="store_true", help="run with this interpreter; peers that are not installed are skipped"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build or reuse the peers' venv, re-run inside it, measure, and report."""
    args = parse(argv)
    if not args.no_venv and not environment.inside():
        python = environment.ensure()
        command = [str(python), str(Path(__file__).resolve()), *(sys.argv[1:] if argv is None else argv)]
        return subprocess.run(command, check=False).returncode
    config = settings(args)
    results = measure(config, args.profile)
    found = targets(results)
    results["targets"] = [t.to_dict() for t in found]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        log(f"wrote {args.json}")
    print(report(results, found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
