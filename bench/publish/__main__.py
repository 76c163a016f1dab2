"""``python -m bench.publish``: the daemon against nginx serving the same feeds (bench/publish/serve.py)."""

from bench.publish.serve import main

raise SystemExit(main())
