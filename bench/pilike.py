"""The Pi-like run (issue 23): the hub on a quarter of one core, five phones at once, and a meeting's 20 sign-ins.

A fresh hub is started in a cgroup capped at 25 % of one CPU (bench/cgroup.py), pinned like the others;
the big village gets a capped hub of its own. Where the machine cannot cap a process, the rows say so.
"""

import threading
import time

from bench import cgroup, load, loopback, roster, signin
from bench.servers import BenchError

CLIENTS = 5
REQUESTS = 100
BIG_REQUESTS = 30
SIGN_INS = 20
SIGN_IN_TIMEOUT_S = 60.0  # each sign-in's socket; the budget is far below


def _capped(session, kind):
    """A fresh server of kind on a capped CPU, or BenchError saying why not."""
    session.stop(kind)  # one hub per data folder: the long-lived one is restarted by later measures
    cap, why = cgroup.make(f"communityhub-bench-{kind}-{id(session)}")
    if cap is None:
        raise BenchError(why)
    session.pi_how = cap.how
    return session.start(kind, cap=cap)


def _p95(server, path, cookie, requests, time_cap_s):
    load.warm_up(server.port, path, {"Cookie": cookie})
    return load.run(server.port, path, requests, CLIENTS, time_cap_s, {"Cookie": cookie})


def sign_in_burst(server, logins, watch_path, watch_cookie):
    """SIGN_INS sign-ins started at once (the demo accounts in turn), while one phone keeps loading watch_path.

    Returns (seconds until the last is signed in, sign-ins that failed, the watching phone's LoadResult).
    """
    accounts = sorted(logins)
    failures, done = [], []
    lock = threading.Lock()

    def one(number):
        username = accounts[number % len(accounts)]
        try:
            signin.sign_in(server.port, username, logins[username])
        except (signin.NotAvailable, *loopback.ERRORS) as error:
            with lock:
                failures.append(f"{type(error).__name__}: {error}")
        else:
            with lock:
                done.append(time.perf_counter())

    watching = load.LoadResult()
    stop = threading.Event()

    def watch():
        connection = loopback.connect(server.port, timeout=SIGN_IN_TIMEOUT_S)
        try:
            while not stop.is_set():
                began = time.perf_counter()
                reply = loopback.request(connection, "GET", watch_path, {"Cookie": watch_cookie})
                if reply.status == 200:
                    watching.latencies.append(time.perf_counter() - began)
                else:
                    watching.failures += 1
        except loopback.ERRORS:
            watching.failures += 1
        finally:
            connection.close()

    watcher = threading.Thread(target=watch, daemon=True)
    threads = [threading.Thread(target=one, args=(number,), daemon=True) for number in range(SIGN_INS)]
    began = time.perf_counter()
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(SIGN_IN_TIMEOUT_S * 2)
    stop.set()
    watcher.join(SIGN_IN_TIMEOUT_S)
    watching.elapsed_s = time.perf_counter() - began
    return (max(done) - began if done else None), failures, watching


def pi_like(session):
    """The hub in a cgroup capped at 25 % of one core (the kernel's CFS quota, 25 ms of every 100 ms; or
    `systemd-run --scope -p CPUQuota=25%`), as a stand-in for a Raspberry Pi's core. 5 concurrent keep-alive
    clients load the facilitator's home page and the roster of 80 (100 requests each after 10 untimed), and,
    on a capped hub of the big village, its biggest children's group page (30 requests). Then 20 sign-ins start
    at the same moment (each GETs the sign-in form and POSTs it; the four demo accounts in turn, each hash
    as costly as any other) while one phone keeps loading the facilitator's home page: the time until the
    last of the 20 is signed in, and that phone's p95 meanwhile. The other engineers' work on this machine
    shares the core too, so the figures are an upper bound of the capped hub's own."""
    from bench.measures import Row

    rows, session.pi_how = [], ""
    try:
        hub = _capped(session, "hub")
        cookie = signin.sign_in(hub.port, roster.USERNAME, session.logins.get(roster.USERNAME))
    except (BenchError, signin.NotAvailable) as reason:
        return [Row("facilitator home, p95, 5 clients", None, "ms", "pi_home_p95_ms", str(reason)),
                Row("roster of 80, p95, 5 clients", None, "ms", "pi_roster_p95_ms", str(reason)),
                Row("group page of the big village, p95, 5 clients", None, "ms", "pi_big_group_p95_ms", str(reason)),
                Row(f"{SIGN_INS} sign-ins at once: the last signed in after", None, "s", "pi_sign_ins_s",
                    str(reason))]
    try:
        rows = _capped_rows(session, hub, cookie)
    finally:
        hub.stop()  # the data folder back for the long-lived hub of the measures after this one
    rows.append(Row("CPU cap: share of one core", cgroup.SHARE * 100, "%", note=session.pi_how))
    return rows


def _capped_rows(session, hub, cookie):
    from bench.measures import Row

    rows = []
    pages = [("facilitator home `/`, p95, 5 clients", "/", "pi_home_p95_ms")]
    if session.roster_meeting_id:
        pages.append((f"roster of 80 `{roster.roster_path(session.roster_meeting_id)}`, p95, 5 clients",
                      roster.roster_path(session.roster_meeting_id), "pi_roster_p95_ms"))
    for label, path, budget in pages:
        result = _p95(hub, path, cookie, REQUESTS, session.time_cap_s)
        rows.append(Row(label, result.percentile_ms(95), "ms", budget, _note(result)))
    rows.append(_big_group(session))
    took, failed, watching = sign_in_burst(hub, session.logins, "/", cookie)
    note = f"{SIGN_INS - len(failed)} of {SIGN_INS} signed in" + (f"; failures: {failed[0]}" if failed else "")
    rows += [Row(f"{SIGN_INS} sign-ins at once: the last signed in after", took if not failed else None, "s",
                 "pi_sign_ins_s", note),
             Row("meanwhile, the facilitator's home page: p95", watching.percentile_ms(95), "ms",
                 note=f"{len(watching.latencies)} pages served during the sign-ins, {watching.failures} failed")]
    return rows


def _note(result):
    return (f"{len(result.latencies)} requests, {result.rate() or 0:.1f} requests/s"
            + (f", {result.failures} failed" if result.failures else "")
            + (", stopped at the time cap" if result.capped else ""))


def _big_group(session):
    from bench.measures import Row

    big = session.big
    label = f"group page of {big.members:,} children (big village), p95, 5 clients" if big and big.members else \
        "group page of the big village, p95, 5 clients"
    if not big or not big.group_id:
        return Row(label, None, "ms", "pi_big_group_p95_ms", (big.missing if big else "") or "no big village")
    try:
        server = _capped(session, "big")
        cookie = signin.sign_in(server.port, roster.USERNAME, (big.logins or {}).get(roster.USERNAME))
    except (BenchError, signin.NotAvailable) as reason:
        return Row(label, None, "ms", "pi_big_group_p95_ms", str(reason))
    result = _p95(server, f"/groups/{big.group_id}", cookie, BIG_REQUESTS, session.time_cap_s)
    server.stop()  # its memory back for the rest of the run
    return Row(label, result.percentile_ms(95), "ms", "pi_big_group_p95_ms", _note(result))
