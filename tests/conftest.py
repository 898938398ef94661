"""Hypothesis profiles: ``fast`` (30 examples, the default, run by CI), ``thorough`` (100, by hand before a release), ``mutation`` (8, derandomized) for mutmut."""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, Phase, settings


settings.register_profile("fast", max_examples=30, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Mutation testing runs the tests once per mutant: few examples, no database, the same every run, and no
# shrinking (a mutant is killed by the first failing example; shrinking it only costs time).
settings.register_profile(
    "mutation",
    max_examples=8,
    derandomize=True,
    deadline=None,  # a slow example on a loaded machine must not count as a killed mutant
    database=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=list(HealthCheck),
)
settings.load_profile("fast")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many malformed inputs the fuzz tests tried, and that none escaped as another exception."""
    stats = next((m.FUZZ_STATS for m in list(sys.modules.values()) if hasattr(m, "FUZZ_STATS")), None)
    if stats:
        tried = stats["rejected"] + stats["accepted"] + stats["escaped"]
        terminalreporter.write_line(
            f"fuzz: {tried} malformed inputs tried: {stats['rejected']} rejected with DatasetError, "
            f"{stats['accepted']} still valid after the change, {stats['escaped']} escaped as another exception type"
        )


@pytest.fixture(autouse=True)
def _no_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test without a ``COLUMNS`` of the caller's shell: command-line text then has no width limit."""
    monkeypatch.delenv("COLUMNS", raising=False)
