"""`python -m bench` (`make bench`): run every measure on a seeded throwaway hub and rewrite docs/benchmarks.md.

Exit status: 0 when every budget is met, 1 when one is not, 2 when the bench itself could not run.
"""

import argparse
import inspect
import signal
import sys
import traceback
from pathlib import Path

from bench import measures, report
from bench.servers import BenchError
from bench.session import REPO, Session


def run_measures(session):
    """[(title, method line, rows, error or None)] for every measure, each run even if another broke."""
    results = []
    for title, measure in measures.MEASURES:
        print(f"bench: {title.lower()}...", file=sys.stderr, flush=True)
        doc = " ".join(inspect.cleandoc(measure.__doc__ or "").split())  # one paragraph
        try:
            results.append((title, doc, measure(session), None))
        except Exception as error:  # one broken measure must not hide the others' figures
            if not isinstance(error, BenchError):
                traceback.print_exc()
            print(f"bench: {title.lower()} broke: {error}", file=sys.stderr)
            results.append((title, doc, [], f"{type(error).__name__}: {error}"))
    return results


def main(argv=None):
    """Parse the options, run the bench, write the report; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md", help="report to write")
    parser.add_argument("--requests", type=int, default=300, help="requests per page in the load phase")
    parser.add_argument("--clients", type=int, default=10, help="concurrent clients in the load phase")
    parser.add_argument("--time-cap", type=float, default=60.0, help="seconds at most per page under load")
    args = parser.parse_args(argv)
    # A plain SIGTERM would skip the finally blocks that stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        with Session(args.requests, args.clients, args.time_cap) as session:
            print("bench: seeding a throwaway hub...", file=sys.stderr, flush=True)
            session.prepare()
            results = run_measures(session)
            text = report.render(session, report.machine(session), results)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    args.out.write_text(text, encoding="utf-8")
    print(text)
    print(f"bench: wrote {args.out}", file=sys.stderr)
    _, failed, broken = report.tally(results)
    return 2 if broken else 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
