"""Column-routing benchmark: ``python -m bench.routing`` (see __main__.py)."""
