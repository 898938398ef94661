"""Hypothesis profiles: ``fast`` for local runs, ``thorough`` for CI (``--hypothesis-profile=thorough``)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


settings.register_profile("fast", max_examples=30, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("fast")
