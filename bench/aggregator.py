"""The district aggregator at scale (issue 25): ingest rate, and the district officer's pages on many villages.

`make bench` runs the small default: SQLite and PostgreSQL, 500 villages x 24 months (the budgets hold on
both). Bigger runs are chosen by environment:

    COMMUNITYHUB_BENCH_VILLAGES=5000          villages for the pages (default 500), 24 months each
    COMMUNITYHUB_BENCH_ENGINES=sqlite         engines measured (default sqlite,postgresql); PostgreSQL runs in a
                                               throwaway cluster (tests/postgres.py), fsync on
    COMMUNITYHUB_BENCH_STATE_VILLAGES=50000   also seed that many villages on PostgreSQL (the size of a state)
    COMMUNITYHUB_BENCH_STATE_MONTHS=12        ... with that many months each (default 12)

COMMUNITYHUB_BENCH_ENGINES= (empty) with a state measures the state alone.

Run on its own with `python -m bench.aggregator` (prints the rows as JSON lines). Villages, each with real keys
and a real signed bundle a month, are written straight to the tables in bulk (`bench.aggregator_seed`: the
rows ingest would write, checked against ingest in tests/aggregator/test_bench_seed.py); ingest itself is
timed separately, through `ingest.ingest()`.
"""

import contextlib
import functools
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INGEST_HUBS = 20
INGEST_BUNDLES = 600           # 30 months from each of 20 hubs
SENDERS = 4                    # hubs sending at once: the aggregator's server threads
TOGETHER_RUNS = 3              # runs of the senders at once, each on a fresh database: the budget is their median
MONTHS = 24
REQUESTS = 40                  # timed requests per page, after WARM_UP untimed ones
WARM_UP = 3
STATE_REQUESTS = 20            # ... for a state (COMMUNITYHUB_BENCH_STATE_VILLAGES)
POOL = 64                      # distinct payloads the seeded villages draw from
PASSWORD = "bench-password-1"
EPOCH = "b" * 32


def settings(environ=None):
    """(villages, engines, state villages, state months) from the environment."""
    environ = os.environ if environ is None else environ
    engines = tuple(part.strip() for part in environ.get("COMMUNITYHUB_BENCH_ENGINES", "sqlite,postgresql").split(",")
                    if part.strip())
    return (int(environ.get("COMMUNITYHUB_BENCH_VILLAGES", "500")), engines,
            int(environ.get("COMMUNITYHUB_BENCH_STATE_VILLAGES", "0")),
            int(environ.get("COMMUNITYHUB_BENCH_STATE_MONTHS", "12")))


def _tables():
    from federation import schema

    return schema.tables(1)  # the vocabulary of the schema version the bundles are sealed with


def realistic_payload(rng, tables):
    """A month of one village: every table of the schema, counts drawn small, published as a hub does."""
    def publish(true, case_family):
        if true == 0 and not case_family:
            return 0
        if true < 5:
            return "<5"
        return 5 * round(true / 5) or 5

    result = {}
    for name, meta in tables.items():
        cells = {cell: rng.choice((0, 0, 1, 3, 6, 12, 25)) for cell in meta["cells"]}
        part = {"cells": {cell: publish(true, meta["case_family"]) for cell, true in cells.items()}}
        if meta["total"]:
            part["total"] = None if rng.random() < 0.1 else publish(sum(cells.values()), meta["case_family"])
        result[name] = part
    return {"tables": result, "values": {
        "median_days_to_referral": {"value": rng.choice((None, "2-7", "8-30")), "reason": ""},
        "savings_total_saved": {"value": rng.choice((None, 12000, 56000)), "reason": ""},
        "savings_loans_outstanding": {"value": None, "reason": "fewer_than_5_members"}}}


def _fix_reasons(payload):
    for name, entry in payload["values"].items():
        if entry["value"] is None and not entry["reason"]:
            entry["reason"] = "fewer_than_10_cases" if name == "median_days_to_referral" else "fewer_than_5_members"
    return payload


def _app(folder, url=""):
    from federation.aggregator.app import create_app

    return create_app({"DATA_DIR": str(folder), "DATABASE_URL": url, "AGGREGATOR_URL": "http://127.0.0.1:8090"})


def periods(count, last):
    from federation.aggregator.web.reports import months_up_to

    return months_up_to(last, count)


def server_cpu(cluster):
    """CPU seconds a PostgreSQL cluster has used so far: its postmaster, every process it runs (the backends,
    the WAL writer, autovacuum...) and those it has reaped, from /proc."""
    from bench.servers import CLOCK_TICKS

    postmaster = int((cluster.folder / "data" / "postmaster.pid").read_text(encoding="ascii").split()[0])
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text(encoding="ascii")
        except OSError:  # the process ended meanwhile: its CPU is in the postmaster's reaped children's
            continue
        fields = text[text.rindex(")") + 2:].split()  # after the command name, which may hold spaces
        if int(entry.name) == postmaster:
            total += sum(int(field) for field in fields[11:15])  # its own, and its reaped children's
        elif int(fields[1]) == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def ingest_rate(folder, url="", senders=1, server=None):
    """(bundles per second, bundles, seconds, CPU seconds of this process, CPU seconds of the database server or
    None) of ingest.ingest() on a fresh aggregator started as `aggregator run` starts it (warm_up: the schema
    validators compiled), the bundles taken in by `senders` threads at once, as the server's threads take in
    hubs sending at the same time. server() is the database server's CPU seconds so far (`server_cpu`)."""
    from federation import bundle, signing
    from federation.aggregator import db, enrol, ingest
    from federation.aggregator.app import warm_up
    from federation.aggregator.web.reports import last_month

    app = _app(folder / f"ingest-{senders}", url)
    warm_up(app)
    rng = random.Random(7)
    with app.app_context(), db.database.connection_context():
        tables = _tables()
        months = periods(INGEST_BUNDLES // INGEST_HUBS, last_month(enrol.utcnow()))
        sealed = []
        for number in range(INGEST_HUBS):
            keys = folder / "keys" / str(number)
            keys.mkdir(parents=True, exist_ok=True)
            identity = signing.load_or_create(keys, signing.HUB)
            enrol.enrol(bundle.seal_enrolment(identity, enrol.issue_code(f"Hub {number}")))
            sealed += [bundle.seal(identity, EPOCH, sequence, period, 1, 1,
                                   _fix_reasons(realistic_payload(rng, tables)))
                       for sequence, period in enumerate(months, 1)]
        rng.shuffle(sealed)

    def send(share):
        with app.app_context(), db.database.connection_context():
            for data in share:
                verdict, _receipt = ingest.ingest(data)
                assert verdict == bundle.STORED

    threads = [threading.Thread(target=send, args=(sealed[number::senders],)) for number in range(senders)]
    server_before = server() if server else None
    started, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    server_used = server() - server_before if server else None
    db.close_all()
    with app.app_context(), db.database.connection_context():
        stored = db.database.execute_sql("SELECT count(*) FROM monthly_summary").fetchone()[0]
    db.close_all()
    if stored != len(sealed):
        raise AssertionError(f"{stored} of {len(sealed)} bundles stored by {senders} senders")
    return len(sealed) / elapsed, len(sealed), elapsed, cpu, server_used


def _identity(number):
    """A village's identity made in memory (no key files: a state has 50,000 of them)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from federation import signing

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return signing.Identity(f"{number:032x}", signing.b64(public), pem)


def villages(hubs, chosen, today, seed=11):
    """hubs Villages (bench.aggregator_seed) with a signed bundle for each of the months chosen, lazily.

    5% of months never arrive; a month arrives on a day up to two weeks before its seal date (the 15th of the
    next month), or one in five up to 40 days after it (late), never after today. Payloads are drawn from
    POOL realistic ones."""
    from bench.aggregator_seed import Month, Village
    from federation import signing
    from federation.period import seal_date

    rng = random.Random(seed)
    pool = [_fix_reasons(realistic_payload(rng, _tables())) for _ in range(POOL)]
    texts = [signing.canonical(payload).decode("utf-8") for payload in pool]
    enrolled_at = datetime.combine(today, datetime.min.time()) - timedelta(days=31 * len(chosen) + 20)
    for number in range(hubs):
        identity = _identity(number)
        village = Village(identity, f"Village {number:05d}", enrolled_at)
        held = [period for period in chosen if rng.random() >= 0.05]
        for sequence, period in enumerate(held, 1):
            sealed = seal_date(period)
            day = sealed - timedelta(days=rng.randrange(15)) if rng.random() < 0.8 else \
                sealed + timedelta(days=1 + rng.randrange(40))
            day = min(day, today)
            drawn = rng.randrange(POOL)
            document = {"epoch": EPOCH, "sequence": sequence, "period": period, "revision": 1, "schema_version": 1,
                        "payload": pool[drawn]}
            data = _seal(identity, document, texts[drawn])
            village.months.append(Month(data, document, datetime.combine(day, datetime.min.time()), texts[drawn]))
        yield village


def _seal(identity, document, payload_text):
    """`bundle.seal()`'s bytes, written around the payload's canonical JSON made once for the pool (a state
    has 50,000 x 12 bundles to sign; the test of the seeder ingests these bytes, which checks them)."""
    from federation import bundle, signing

    head = (f'{{"epoch":"{document["epoch"]}","format":"{bundle.BUNDLE}","hub_id":"{identity.id}",'
            f'"key_id":"{identity.key_id}","payload":{payload_text},"period":"{document["period"]}",'
            f'"revision":{document["revision"]},"schema_version":{document["schema_version"]},'
            f'"sequence":{document["sequence"]}')
    unsigned = f'{head},"version":{bundle.VERSION}}}'.encode("utf-8")
    signature = signing.b64(identity.private_key.sign(unsigned))
    return f'{head},"signature":"{signature}","version":{bundle.VERSION}}}'.encode("utf-8")


def seed_district(app, hubs, months):
    """hubs villages with months summaries each, written in bulk with their kept rows (bench.aggregator_seed,
    the rows ingest would write); -> the months."""
    from bench import aggregator_seed
    from federation.aggregator import db
    from federation.aggregator.auth import add_admin
    from federation.aggregator.enrol import utcnow
    from federation.aggregator.web.reports import last_month

    now = utcnow()
    chosen = periods(months, last_month(now))
    with app.app_context(), db.database.connection_context():
        add_admin("bench", PASSWORD)
        aggregator_seed.seed(villages(hubs, chosen, now.date()))
        if db.engine() == db.POSTGRESQL:
            db.database.execute_sql("VACUUM ANALYZE")  # as autovacuum leaves a table: index-only scans work
    return chosen


def _sign_in(client):
    import re

    page = client.get("/login").data
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
    reply = client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token})
    assert reply.status_code == 302, reply.status_code


def time_page(client, path, count):
    """Seconds of each of count GETs of path (each must answer 200)."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        reply = client.get(path)
        times.append(time.perf_counter() - started)
        assert reply.status_code == 200, (path, reply.status_code)
    return times


def p95(samples):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def pages_of(period):
    """The pages timed: (label, path)."""
    return (("dashboard `/`", f"/?period={period}"),
            ("indicators `/indicators`", f"/indicators?period={period}"),
            ("village table `/villages`, highest first", f"/villages?period={period}&sort=high"),
            ("data quality `/quality`", "/quality"),
            ("a village `/hubs/<id>`", f"/hubs/{1:032x}"))


def dashboard(folder, hubs, months, url="", requests=REQUESTS, cluster=None):
    """({label: (cold seconds, [warm seconds], body bytes)} for each page after seeding hubs x months,
    seconds the seeding took, the database's bytes)."""
    from federation.aggregator import db

    started = time.perf_counter()
    if cluster is not None:
        _durable(cluster, False)
    chosen = seed_district(_app(folder / "dashboard", url), hubs, months)
    db.close_all()
    if cluster is not None:
        _durable(cluster, True)
    seeding = time.perf_counter() - started
    from federation.aggregator.app import warm_up

    app = _app(folder / "dashboard", url)  # a fresh start, as `aggregator run` makes it: nothing of the
    warm_up(app)                            # seeding kept in memory, the templates compiled
    client = app.test_client()
    _sign_in(client)
    results = {}
    for label, path in pages_of(chosen[-1]):
        cold = time_page(client, path, 1)[0]
        time_page(client, path, WARM_UP)
        warm = time_page(client, path, requests)
        results[label] = (cold, warm, len(client.get(path).data))
    with app.app_context(), db.database.connection_context():
        size = _size(folder / "dashboard")
    db.close_all()
    return results, seeding, size


def _size(folder):
    """Bytes the aggregator's database takes: PostgreSQL's own count, or SQLite's files (with the WAL)."""
    from federation.aggregator import db

    if db.engine() == db.POSTGRESQL:
        return db.database.execute_sql("SELECT pg_database_size(current_database())").fetchone()[0]
    return sum(path.stat().st_size for path in folder.glob("aggregator.sqlite3*"))


def _postgres():
    """A throwaway cluster with PostgreSQL's own durable settings: fsync, synchronous commits and full page
    writes on (the tests' clusters run with them off)."""
    from tests import postgres

    return postgres.start_cluster(durable=True)


def _durable(cluster, on):
    """Turn fsync, synchronous commits and full page writes off while seeding (the bench's rows, not a
    measure), and on again with a checkpoint before anything is timed."""
    for setting in ("fsync", "synchronous_commit", "full_page_writes"):
        cluster.admin(f"ALTER SYSTEM RESET {setting}" if on else f"ALTER SYSTEM SET {setting} = off")
    cluster.admin("SELECT pg_reload_conf()")
    if on:
        cluster.admin("CHECKPOINT")


def _rows(engine, hubs, months, ingested, measured, budget):
    from bench.measures import Row

    pages, seeding, size = measured
    rows = []
    if ingested is not None:
        (rate, count, elapsed, cpu, server), together = ingested
        rates = [run[0] for run in together]
        rows += [Row(f"{engine}: ingest of {count} signed bundles, {SENDERS} hubs sending at once",
                     statistics.median(rates), "bundles/s", budget("aggregator_ingest_per_s"),
                     f"median of {len(rates)} runs: " + ", ".join(f"{each:.0f}" for each in rates)
                     + " bundles/s; each commit durable before its receipt"),
                 Row(f"{engine}: ingest of {count} signed bundles, one at a time", rate, "bundles/s", None,
                     f"{elapsed:.2f} s; {elapsed / count * 1000:.2f} ms per bundle"),
                 Row(f"{engine}: ingest, CPU of the aggregator's process per bundle", cpu / count * 1000, "ms", None,
                     f"{count / cpu:.0f} bundles per CPU second" + (" (the server's own CPU not counted)"
                                                                     if engine == "postgresql" else ""))]
        if server is not None:
            rows.append(Row(f"{engine}: ingest, CPU of the database server per bundle", server / count * 1000, "ms",
                            None, "one at a time; every process of the cluster, from /proc"))
    scale = f"{hubs:,} villages x {months} months"
    for label, (cold, warm, body) in pages.items():
        warm_median = statistics.median(warm)
        rows += [Row(f"{engine}: {label}, {scale}, p95", p95(warm) * 1000, "ms", budget("aggregator_dashboard_p95_ms"),
                     f"p50 {warm_median * 1000:.0f} ms; {len(warm)} requests"),
                 Row(f"{engine}: {label}, first view after a start ÷ warm p50", cold / warm_median, "×",
                     budget("aggregator_first_view_ratio"), f"first view {cold * 1000:.0f} ms"),
                 Row(f"{engine}: {label}, page size", body / 1024, "KB", budget("aggregator_page_kb"))]
    rows.append(Row(f"{engine}: database, {scale}", size / 2 ** 20, "MB", None,
                    f"seeded in bulk in {seeding / 60:.1f} min"))
    return rows


def district(session=None, environ=None):
    """Ingest: 600 signed bundles (30 months from each of 20 enrolled villages, every table of the summary schema)
    sealed beforehand, shuffled, then taken in by `ingest.ingest()` (verify, validate, store, update
    the kept figures, receipt) in one process on a fresh aggregator started as `aggregator run` starts it: once one
    at a time, and 3 times by 4 threads at once, each on a fresh database, as the aggregator's 4 server threads take
    in hubs sending at the same time (the budgeted rate is the median of the 3, as the disk's flushes vary from run
    to run on a shared machine: on PostgreSQL concurrent commits share them, and each bundle is still durable
    before its receipt); the rate is bundles over the wall time, and the CPU time of
    the process per bundle is given too (a figure that holds on a loaded machine; on PostgreSQL the server's CPU
    is not in it, and is given on its own: every process of the cluster, from /proc, one at a time).
    Pages: villages with 24 months each (5% of months missing, one in five late), each with real keys and a real
    signed bundle a month, written in bulk with the rows ingest would write (`bench.aggregator_seed`, checked
    against ingest by a test), then a fresh app (a start, warmed up as `aggregator run` does it) signed in as an
    admin through the Flask test client (no network): for each page one first view, 3 untimed, then 40 timed one
    at a time; p95 of the 40, and the first view over the warm median; then the database's size.
    SQLite with the aggregator's pragmas (WAL, synchronous=FULL); PostgreSQL in a throwaway cluster on the same
    disk with fsync, synchronous commits and full page writes on (off only while seeding). The number of villages
    and the engines come from COMMUNITYHUB_BENCH_VILLAGES and COMMUNITYHUB_BENCH_ENGINES; a state
    (COMMUNITYHUB_BENCH_STATE_VILLAGES x COMMUNITYHUB_BENCH_STATE_MONTHS) is measured on PostgreSQL only, 20
    requests per page. The aggregator and its PostgreSQL cluster may use both CPUs, as on a district's server (the
    rest of the bench keeps its own process off the CPU of the hub's servers)."""
    with session.every_cpu() if session is not None else contextlib.nullcontext():
        return _district(environ)


def _district(environ):
    from bench.budgets import BUDGETS

    def budget(key):
        return key if key in BUDGETS else None

    hubs, engines, state_hubs, state_months = settings(environ)
    root = Path(tempfile.mkdtemp(prefix="bench-aggregator-"))
    cluster = None
    rows = []
    try:
        for engine in engines:
            url, server = "", None
            if engine == "postgresql":
                cluster = cluster or _postgres()
                url = cluster.url(cluster.create_database())
                server = functools.partial(server_cpu, cluster)
            ingested = [ingest_rate(root / engine, url, server=server)]
            together = []
            for run in range(TOGETHER_RUNS):  # each on a fresh database
                if engine == "postgresql":
                    url = cluster.url(cluster.create_database())
                together.append(ingest_rate(root / engine / f"together-{run}", url, SENDERS))
            ingested.append(together)
            if engine == "postgresql":
                url = cluster.url(cluster.create_database())
            measured = dashboard(root / engine, hubs, MONTHS, url, cluster=cluster if engine == "postgresql" else None)
            rows += _rows(engine, hubs, MONTHS, ingested, measured, budget)
        if state_hubs:
            cluster = cluster or _postgres()
            measured = dashboard(root / "state", state_hubs, state_months, cluster.url(cluster.create_database()),
                                 requests=STATE_REQUESTS, cluster=cluster)
            rows += _rows("postgresql", state_hubs, state_months, None, measured, lambda _key: None)
    finally:
        if cluster is not None:
            from tests import postgres

            postgres.stop_cluster(cluster)
        shutil.rmtree(root, ignore_errors=True)
    return rows


def main():
    """`python -m bench.aggregator`: this measure alone, as JSON lines, then its table for docs/benchmarks.md
    (`make bench` writes the whole file; this section can be pasted from here after a bigger run)."""
    import inspect

    from bench.report import table

    sys.path.insert(0, str(REPO))
    os.chdir(REPO)
    rows = district()
    for row in rows:
        print(json.dumps({"label": row.label, "value": row.value, "unit": row.unit, "budget": row.budget,
                          "note": row.note}), flush=True)
    print("\n## District aggregator\n\n" + " ".join(inspect.cleandoc(district.__doc__).split()) + "\n")
    print(table(rows))


if __name__ == "__main__":
    main()
