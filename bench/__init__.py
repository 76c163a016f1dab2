"""Benchmarks: `python -m bench` runs them all; each also runs alone (`python -m bench.NAME`)."""
