"""``python -m bench.search``: precision@10 of the portal's search (bench/search/run.py)."""

from bench.search.run import main

raise SystemExit(main())
