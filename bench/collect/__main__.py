"""``python -m bench.collect``: see run.py."""

from bench.collect.run import main

raise SystemExit(main())
