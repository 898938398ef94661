"""
Fail when a query that an index serves takes time that grows with the data.

Reads the JSON a benchmark run wrote and compares, for every query whose result size
does not grow with the data ("bounded"), its latency on the largest synthetic dataset
with its latency on the smallest. A linear scan grows with the data (10 x more records
gave 5 x to 100 x the time before the indexes were fixed); an index lookup stays flat.
Fuzzy search is left out: ranking typos is meant to look at more keys as they grow.

Usage: python benchmarks/check_scans.py BENCH.json [--limit 3.0]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Print every bounded query's growth and return 1 if one exceeds the limit."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("--limit", type=float, default=3.0, help="largest allowed time ratio (default 3.0)")
    args = parser.parse_args(argv)
    scan = json.loads(args.report.read_text(encoding="utf-8"))["scan_check"]
    growth = scan["large"] / scan["small"] if isinstance(scan["large"], int | float) else None
    failures = 0
    for key, query in scan["queries"].items():
        if not query["bounded"] or key == "search":
            continue
        verdict = "ok" if query["ratio"] <= args.limit else "GROWS WITH THE DATA"
        failures += verdict != "ok"
        print(f"{query['label']:<55} {query['ratio']:6.2f} x  {verdict}")
    size = f" ({growth:.0f} x more records)" if growth else ""
    print(f"{failures} indexed queries grew more than {args.limit} x from the smallest to the largest dataset{size}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
