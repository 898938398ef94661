"""Timing and memory helpers shared by the benchmark runner and its child processes (standard library only)."""

from __future__ import annotations

import gc
import os
import resource
import statistics
import sys
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Budget:
    """How hard to measure: repeats of each timing, and the least time one repeat should take."""

    repeat: int
    min_time: float


FULL = Budget(repeat=7, min_time=0.05)
QUICK = Budget(repeat=3, min_time=0.005)


def per_call_us(call: Callable[[], Any], budget: Budget) -> tuple[float, int]:
    """
    Median time of one call in microseconds, timeit-style, and the loop count used.

    The loop count is raised until one repeat takes at least ``budget.min_time``; the
    garbage collector is off while timing, as with :mod:`timeit`.
    """
    call()  # warm caches and lazily built indexes before timing
    timer = timeit.Timer(call)
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= budget.min_time or number >= 1 << 24:
            break
        number = max(number * 2, int(number * budget.min_time / max(elapsed, 1e-9) * 1.2))
    runs = [elapsed / number, *(t / number for t in timer.repeat(budget.repeat - 1, number))]
    return statistics.median(runs) * 1e6, number


def peak_rss_mib() -> float:
    """
    Peak resident set size of this process so far, in MiB.

    On Linux this is ``VmHWM`` from ``/proc/self/status``: the high-water mark of this
    program's own memory. ``ru_maxrss`` is the fallback elsewhere, but on Linux it also
    counts the parent's memory at fork time (it survives ``exec``), so a child of a
    30 MiB runner never reports less than 30 MiB.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:  # noqa: PTH123 - a pseudo-file, read once
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


#: Python source that prints the peak RSS of the running program in KiB (appended to ``python -c`` programs).
PRINT_PEAK_RSS_KIB = """
import resource, sys
try:
    kib = next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM:'))
except OSError:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == 'darwin' else 1)
sys.stdout.write(str(kib))
"""


def current_rss_mib() -> float:
    """Resident set size now, after a full garbage collection, in MiB (what the process retains)."""
    gc.collect()
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:  # noqa: PTH123 - a pseudo-file, read once
            pages = int(statm.read().split()[1])
    except OSError:
        return peak_rss_mib()
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def median(values: list[float]) -> float:
    """Median of a non-empty list."""
    return statistics.median(values)
