"""``python -m sample_province``: serve the simulated province until interrupted."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from typing import NoReturn

from sample_province.errors import ProvinceError
from sample_province.faults import FAULT_KINDS, PROFILES, parse_fault_option
from sample_province.province import Province
from sample_province.sources import to_toml


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line naming the problem, exit 2 (no usage dump)."""
        print(f"sample_province: error: {message}", file=sys.stderr)
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m sample_province",
                description="Serve a simulated Heilongjiang government web (portal, 13 cities, 48 departments, "
                            "51 counties, Xinhua) on 127.0.0.1, every site under /{site_id}/. "
                            "GET / lists the sites, /_truth.json is the ground truth of what has been released.")
    p.add_argument("--port", type=int, default=8090, help="port on 127.0.0.1 (default 8090; 0 = any free port)")
    p.add_argument("--seed", type=int, default=1, help="seed for stories, times, re-posts and faults (default 1)")
    p.add_argument("--speed", type=float, default=144.0,
                   help="simulated seconds per real second: 144 = one simulated day per 10 minutes (default), "
                        "0 = the clock stands still")
    p.add_argument("--faults", default="none", metavar="PROFILE",
                   help=f"fault profile ({', '.join(PROFILES)}), one fault kind for every site, or "
                        f"SITE=KIND[:PARAM],… with kinds {', '.join(FAULT_KINDS)}")
    p.add_argument("--sites", type=int, default=None,
                   help="total number of sites (default 114, the real province; more adds county- and "
                        "department-like sites, e.g. 1000)")
    p.add_argument("--latency-ms", type=int, default=0, help="wait this long before every site response (default 0)")
    p.add_argument("--corpus", default=None,
                   help="corpus directory holding xinwen-lianbo/ (default $HUIJU_CORPUS, else ../shared/corpus; "
                        "absent = generated text)")
    p.add_argument("--stories-per-day", type=int, default=200, help="distinct stories per simulated day (default 200)")
    p.add_argument("--start-day", default="2025-03-01", help="first simulated day, YYYY-MM-DD (default 2025-03-01)")
    p.add_argument("--days", type=int, default=None, help="stop releasing new stories after this many days")
    p.add_argument("--history", type=float, default=0.0,
                   help="simulated days already released at start, so the sites are not empty (default 0)")
    p.add_argument("--emit-sources", action="store_true",
                   help="print the Huiju [[sources]] tables (URLs as ${province}/…) and exit")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    from pipeline.logs import MessageFormatter  # its lines in the environment's language, as run.py's
    from review_queue.catalogs import language_from_env

    for handler in logging.getLogger().handlers:
        handler.setFormatter(MessageFormatter(language_from_env(os.environ)))
    try:
        faults = parse_fault_option(args.faults)
        if args.history < 0:
            raise ProvinceError(f"--history must not be negative, got {args.history}")
        province = Province(0 if args.emit_sources else args.port, seed=args.seed, speed=args.speed,
                            faults=faults, sites=args.sites, latency_ms=args.latency_ms, corpus=args.corpus,
                            stories_per_day=args.stories_per_day, start_day=args.start_day, days=args.days)
    except ProvinceError as exc:
        print(f"sample_province: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"sample_province: error: cannot listen on 127.0.0.1:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    if args.emit_sources:
        province.stop()
        sys.stdout.write(to_toml(province.sources(base="${province}")))
        return 0
    if args.history:
        province.advance(days=args.history)

    def _interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # also when started in the background, where SIGINT is ignored
    text = f"corpus {province.corpus_path}" if province.corpus_path else "generated text"
    print(f"sample province: {len(province.sites)} sites on {province.url}/ ({text}, seed {args.seed}, "
          f"speed {args.speed:g}, faults {province.faults.name}); simulated time {province.now():%Y-%m-%d %H:%M}",
          file=sys.stderr, flush=True)
    try:
        province.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        province.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
