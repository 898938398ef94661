"""Hypothesis profiles: ``fast`` (30 examples) for local runs, ``thorough`` (100) for CI (``--hypothesis-profile=thorough``)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


settings.register_profile("fast", max_examples=30, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("fast")
