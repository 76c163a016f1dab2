"""Reliability harness: kill -9 during collect and publish, SIGTERM with every site hanging, a
simulated month's memory, database size per item after retention, a 50 MB page's memory.

    python -m bench.reliability                      # everything at its default size
    python -m bench.reliability kills --rounds 5     # one scenario, smaller

Figures are recorded with the machine and the command in docs/benchmarks.md.
"""
