"""`python -m bench.profile PATH --as ROLE`: where one page's server CPU goes, in this process, for a developer.

Not a budgeted measure (`make bench` is): it serves PATH through the Flask test client as the demo account
ROLE of the hub in COMMUNITYHUB_DATA_DIR (seeded as bench/session.py does: `communityhub init`,
`communityhub seed-demo --children 300 --years 1 --seed 7`, then `python -m bench.roster_group` for the
group of 80), prints the CPU per request beside a bare hello-world app's (bench/hello.py) served the same
way in the same process, and the functions that took the most cumulative time under cProfile.

    COMMUNITYHUB_DATA_DIR=/tmp/hub python -m bench.profile /groups/8 --as facilitator --requests 200

The test client skips waitress, so the ratio is a little higher than `make bench`'s, whose hello world
also pays for waitress's HTTP parsing; the ranking of functions is what this is for.
"""

import argparse
import cProfile
import io
import pstats
import sqlite3
import statistics
import time
from pathlib import Path

WARM = 20  # untimed requests first: templates compiled, caches filled
ROUNDS = 3


def cpu_per_request(client, path, count):
    """Seconds of this process's CPU per GET of path (each must answer 200)."""
    for _ in range(WARM):
        _get(client, path)
    began = time.process_time()
    for _ in range(count):
        _get(client, path)
    return (time.process_time() - began) / count


def _get(client, path):
    response = client.get(path, headers={"Accept-Encoding": "gzip"})
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code} {response.headers.get('Location', '')}")
    return response


def signed_in_client(app, username):
    """A test client with a live session of the account username (no password hash to pay for)."""
    from hub.auth.current import SESSION_KEY

    client = app.test_client()
    if username is None:
        return client
    connection = sqlite3.connect(f"file:{Path(app.config['DATA_DIR']) / 'hub.sqlite3'}?mode=ro", uri=True)
    try:
        found = connection.execute("SELECT id FROM user_account WHERE username = ?", (username,)).fetchone()
    finally:
        connection.close()
    if found is None:
        raise SystemExit(f"no account {username!r} in this hub")
    with client.session_transaction() as session:
        session[SESSION_KEY] = app.extensions["hub_sessions"].start(found[0])
    return client


def main(argv=None):
    """Print CPU per request of PATH, of hello world, their ratio, and the top functions."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=main.__doc__)
    parser.add_argument("path")
    parser.add_argument("--as", dest="username", default=None, help="demo account (default: a visitor)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime)")
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args(argv)

    from bench.hello import create_app as hello_app
    from hub.app import create_app

    app = create_app()
    client = signed_in_client(app, args.username)
    hello = hello_app().test_client()
    # Rounds in turn, and the median of each figure: other work on a shared machine moves one round.
    rounds = [(cpu_per_request(hello, "/", args.requests * 3), cpu_per_request(client, args.path, args.requests))
              for _ in range(ROUNDS)]
    hello_s = statistics.median(hello_s for hello_s, _ in rounds)
    page_s = statistics.median(page_s for _, page_s in rounds)
    ratio = statistics.median(page_s / hello_s for hello_s, page_s in rounds)
    body = _get(client, args.path).get_data()
    print(f"hello world /: {hello_s * 1000:.3f} ms CPU per request")
    print(f"{args.path} as {args.username or 'visitor'}: {page_s * 1000:.3f} ms CPU per request "
          f"({ratio:.1f} x hello), {len(body)} bytes as sent")
    if args.no_profile:
        return
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        _get(client, args.path)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
