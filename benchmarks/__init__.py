"""Benchmarks of stemimmune against its peers (not part of the package)."""
