"""Wiring only: moves work between the four stages, runs the daemon, the demo and the web app, and
words every package's coded conditions for the operator (pipeline.wording).

The stages never call each other's storage; this package hands each one's output to the next
inside one transaction, so an item is never lost between stages and never published twice.
"""

from pipeline.flow import PassStats, init_all, process, publish_due, run_once
from pipeline.web import create_app

__all__ = ["PassStats", "create_app", "init_all", "process", "publish_due", "run_once"]
