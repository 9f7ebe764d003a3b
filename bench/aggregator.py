"""The district aggregator (issue 7): ingest rate of signed bundles, and the dashboard with 500 hubs x 24 months.

Run on its own with `python -m bench.aggregator` (prints the rows as JSON lines); `bench/measures.py` lists
`aggregator.district` in MEASURES. Both parts run in this process on a throwaway data folder on the
machine's disk (SQLite with the aggregator's pragmas: WAL, synchronous=FULL, one fsync per commit).
"""

import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INGEST_HUBS = 20
INGEST_BUNDLES = 600           # 30 months from each of 20 hubs
DASHBOARD_HUBS = 500
DASHBOARD_MONTHS = 24
REQUESTS = 60                  # timed requests per page, after WARM_UP untimed ones
WARM_UP = 3
PASSWORD = "bench-password-1"
EPOCH = "b" * 32


def _tables():
    from federation import schema

    return schema.TABLES


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
        "median_days_to_referral": {"value": None, "reason": "fewer_than_10_cases"},
        "savings_total_saved": {"value": rng.choice((None, 12000, 56000)), "reason": ""},
        "savings_loans_outstanding": {"value": None, "reason": "fewer_than_5_members"}}}


def _fix_reasons(payload):
    for entry in payload["values"].values():
        if entry["value"] is None and not entry["reason"]:
            entry["reason"] = "fewer_than_5_members"
    return payload


def _app(folder):
    from federation.aggregator.app import create_app

    return create_app({"DATA_DIR": str(folder), "AGGREGATOR_URL": "http://127.0.0.1:8090"})


def periods(count, last):
    from federation.aggregator.web.reports import months_up_to

    return months_up_to(last, count)


def ingest_rate(folder):
    """(bundles per second, bundles, seconds) of ingest.ingest() on a fresh SQLite aggregator."""
    from federation import bundle, signing
    from federation.aggregator import db, enrol, ingest
    from federation.aggregator.web.reports import last_month

    app = _app(folder / "ingest")
    rng = random.Random(7)
    with app.app_context():
        tables = _tables()
        months = periods(INGEST_BUNDLES // INGEST_HUBS, last_month(enrol.utcnow()))
        sealed = []
        for number in range(INGEST_HUBS):
            keys = folder / "keys" / str(number)
            keys.mkdir(parents=True)
            identity = signing.load_or_create(keys, signing.HUB)
            enrol.enrol(bundle.seal_enrolment(identity, enrol.issue_code(f"Hub {number}")))
            sealed += [bundle.seal(identity, EPOCH, sequence, period, 1, 1,
                                   _fix_reasons(realistic_payload(rng, tables)))
                       for sequence, period in enumerate(months, 1)]
        rng.shuffle(sealed)
        started = time.perf_counter()
        for data in sealed:
            verdict, _receipt = ingest.ingest(data)
            assert verdict == bundle.STORED
        elapsed = time.perf_counter() - started
        db.close_all()
    return len(sealed) / elapsed, len(sealed), elapsed


def seed_district(app, hubs, months):
    """hubs hubs with months summaries each, written in bulk straight to the tables (not through ingest)."""
    from federation.aggregator import db
    from federation.aggregator.auth import add_admin
    from federation.aggregator.enrol import utcnow
    from federation.aggregator.models import Bundle, Hub, MonthlySummary
    from federation.aggregator.web.reports import last_month
    from federation.signing import canonical

    rng = random.Random(11)
    now = utcnow()
    chosen = periods(months, last_month(now))
    with app.app_context():
        tables = _tables()
        add_admin("bench", PASSWORD)
        with db.database.atomic():
            Hub.insert_many([{"id": f"{number:032x}", "name": f"Village {number:03d}", "public_key": "x" * 44,
                              "key_id": f"{number:016x}", "enrolled_at": now - timedelta(days=31 * months + 20),
                              "last_received_at": now - timedelta(days=rng.choice((3, 10, 20, 60)))}
                             for number in range(hubs)]).execute()
            for number in range(hubs):
                hub_id = f"{number:032x}"
                for sequence, period in enumerate(chosen, 1):
                    if rng.random() < 0.05:
                        continue  # a month that never arrived
                    payload = canonical(realistic_payload(rng, tables)).decode("utf-8")
                    row = Bundle.create(hub=hub_id, epoch=EPOCH, sequence=sequence, period=period, revision=1,
                                        schema_version=1, sha256="0" * 64, content=b"{}", received_at=now,
                                        route="http")
                    MonthlySummary.create(hub=hub_id, period=period, revision=1, schema_version=1, bundle=row.id,
                                          payload=payload, received_at=now, on_time=rng.random() < 0.8)
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


def dashboard(folder):
    """{label: (cold seconds, [warm seconds], body bytes)} for `/` and `/indicators` on 500 hubs x 24 months."""
    from federation.aggregator import db

    app = _app(folder / "dashboard")
    chosen = seed_district(app, DASHBOARD_HUBS, DASHBOARD_MONTHS)
    client = app.test_client()
    _sign_in(client)
    results = {}
    for label, path in (("overview `/`", "/"), (f"indicators `/indicators?period={chosen[-1]}`",
                                               f"/indicators?period={chosen[-1]}")):
        cold = time_page(client, path, 1)[0]  # the first request fills the per-month figures
        time_page(client, path, WARM_UP)
        warm = time_page(client, path, REQUESTS)
        results[label] = (cold, warm, len(client.get(path).data))
    app.extensions.pop("aggregator_figures", None)
    db.close_all()
    return results


def district(session=None):
    """Ingest: 600 signed bundles (30 months from each of 20 enrolled hubs, every table of the summary schema)
    sealed beforehand, shuffled, then taken in one at a time by `ingest.ingest()` (verify, validate, store,
    receipt) in one process on a fresh SQLite aggregator on the machine's disk; the rate is bundles over the
    wall time of the loop. Dashboard: 500 hubs with 24 months each (5% of months missing), written straight to
    the tables, then `/` and `/indicators` for the newest month through the Flask test client signed in as an
    admin (no network): one cold request (empty figures cache), 3 untimed, then 60 timed, one at a time; p95
    of the 60."""
    from bench.budgets import BUDGETS
    from bench.measures import Row

    def budget(key):
        return key if key in BUDGETS else None

    root = Path(tempfile.mkdtemp(prefix="bench-aggregator-"))
    try:
        rate, count, elapsed = ingest_rate(root)
        pages = dashboard(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    rows = [Row(f"ingest of {count} signed bundles, SQLite, one process", rate, "bundles/s",
                budget("aggregator_ingest_per_s"), f"{elapsed:.2f} s; {elapsed / count * 1000:.2f} ms per bundle")]
    for label, (cold, warm, size) in pages.items():
        rows += [Row(f"{label}, {DASHBOARD_HUBS} hubs x {DASHBOARD_MONTHS} months, p50",
                     statistics.median(warm) * 1000, "ms"),
                 Row(f"{label}, {DASHBOARD_HUBS} hubs x {DASHBOARD_MONTHS} months, p95", p95(warm) * 1000, "ms",
                     budget("aggregator_dashboard_p95_ms"), f"{len(warm)} requests; {size / 1024:.0f} KB of HTML"),
                 Row(f"{label}, first request after start (cold cache)", cold * 1000, "ms")]
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    os.chdir(REPO)
    for row in district():
        value = "n/a" if row.value is None else f"{row.value:.1f}"
        print(json.dumps({"label": row.label, "value": value, "unit": row.unit, "note": row.note}))
