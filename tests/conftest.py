"""Hypothesis profiles: ``fast`` (30 examples, the default, run by CI), ``thorough`` (100, by hand before a release), ``mutation`` (15, derandomized) for mutmut."""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, settings


settings.register_profile("fast", max_examples=30, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Mutation testing runs the suite once per mutant: few examples, no database, the same every run.
settings.register_profile(
    "mutation", max_examples=15, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
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
