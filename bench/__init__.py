"""Benchmarks with peers, run on demand (``python -m bench.<name>``), never part of the tests."""
