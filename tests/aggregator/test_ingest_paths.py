"""Ingest's two ways of writing a bundle keep the same rows, and concurrent ingests all count.

On PostgreSQL a new bundle of a new month is written in one prepared statement sent with the BEGIN
(`ingest._store_at_once`); inside a caller's transaction, and on SQLite, it is written step by step
(`ingest._store`). The same bundles, with a revision, an older revision arriving late, a duplicate and a
conflict among them, must leave the same rows either way. The district's sums are appended as changes and
folded in now and then on PostgreSQL (`kept.fold`): what the pages read must not depend on when, and bundles
of one month must not wait on each other. Real aggregator on SQLite and PostgreSQL (conftest).
"""

import json
import random
import threading
import time
from datetime import datetime

import pytest

from bench.aggregator import _fix_reasons, realistic_payload
from federation import bundle, schema
from federation.aggregator import db, figures, ingest, kept
from federation.aggregator.web import reports
from federation.errors import Conflict
from tests.aggregator.conftest import seal

NOW = datetime(2026, 12, 6, 10, 0)
LATE = datetime(2027, 2, 20, 10, 0)  # after October's and November's seal dates
# Rows without their generated ids: a month names its bundle by (hub, epoch, sequence).
ROWS = {
    "bundle": "SELECT hub_id, epoch, sequence, period, revision, schema_version, sha256, content, received_at, route "
              "FROM bundle ORDER BY hub_id, epoch, sequence",
    "monthly_summary": "SELECT m.hub_id, m.period, m.revision, m.schema_version, b.sequence, m.payload, "
                       "m.received_at, m.on_time FROM monthly_summary m JOIN bundle b ON b.id = m.bundle_id "
                       "ORDER BY m.hub_id, m.period",
    "hub": "SELECT id, last_received_at, first_period, last_period, months_received, months_on_time FROM hub "
           "ORDER BY id",
    "district_figure": "SELECT period, figure, lower, upper, hubs FROM district_figure ORDER BY period, figure",
    "hub_figure": "SELECT hub_id, period, figure, lower, upper, published FROM hub_figure "
                  "ORDER BY hub_id, period, figure",
    "quality_flag": "SELECT hub_id, period, kind, figure, detail FROM quality_flag "
                    "ORDER BY hub_id, period, kind, figure",
}


def _rows():
    kept.fold()
    assert db.database.execute_sql("SELECT count(*) FROM district_pending").fetchone() == (0,)
    found = {}
    for table, sql in ROWS.items():
        found[table] = [tuple(bytes(value) if isinstance(value, memoryview) else value for value in row)
                        for row in db.database.execute_sql(sql).fetchall()]
    return found


def _clear():
    for table in ("quality_flag", "hub_figure", "district_pending", "district_figure", "monthly_summary", "bundle"):
        db.database.execute_sql(f"DELETE FROM {table}")
    db.database.execute_sql("UPDATE hub SET last_received_at = NULL, first_period = NULL, last_period = NULL, "
                            "months_received = 0, months_on_time = 0")


def _deliveries(hubs):
    """(bytes, now, expected verdict or Conflict) of a district's months: two villages with eight months each,
    an unusual month (a flag), a revision, an older revision arriving after it, a month gaining on time, a
    duplicate and a conflict."""
    rng = random.Random(5)
    tables = schema.tables(1)
    months = ("2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10")
    found = []
    for hub in hubs:
        for sequence, period in enumerate(months, 1):
            found.append((seal(hub, sequence, period, payload=_fix_reasons(realistic_payload(rng, tables))), NOW,
                          bundle.STORED))
    first, second = hubs
    usual = _fix_reasons(realistic_payload(rng, tables))
    found += [(seal(first, 9, "2026-11", payload=usual), LATE, bundle.STORED),      # late: not on time
              (seal(first, 11, "2026-10", revision=3, payload=usual), NOW, bundle.STORED),
              (seal(first, 10, "2026-10", revision=2, payload=usual), NOW, bundle.STORED),  # older, arrives late
              (seal(first, 12, "2026-11", revision=1, payload=usual), NOW, bundle.STORED),  # the same, on time
              (found[0][0], NOW, bundle.DUPLICATE),
              (seal(second, 1, "2026-03", payload=usual), NOW, Conflict)]
    return found


def _ingest_all(deliveries):
    for data, now, expected in deliveries:
        if expected is Conflict:
            with pytest.raises(Conflict):
                ingest.ingest(data, now=now)
        else:
            assert ingest.ingest(data, now=now)[0] == expected


def test_ingest__on_its_own_or_in_a_callers_transaction_writes_the_same_rows(district, enrolled):
    deliveries = _deliveries([enrolled("Rampur"), enrolled("Sonpur")])
    _ingest_all(deliveries)
    alone = _rows()
    assert alone["quality_flag"] and len(alone["bundle"]) == 20 and len(alone["monthly_summary"]) == 17
    _clear()

    with db.database.atomic():  # no statement at once: each step on its own, as on SQLite
        _ingest_all(deliveries)

    assert _rows() == alone


def _expected_district(payloads):
    """{period: {figure: (lower, upper, hubs)}}: the sums of the villages' months, [(period, payload)]."""
    found = {}
    for period, payload in payloads:
        for figure, bound in figures.contributions(payload, figures.tables_for(1)).items():
            lower, upper, hubs = found.setdefault(period, {}).get(figure, (0, 0, 0))
            found[period][figure] = (lower + bound.lower, upper + bound.upper, hubs + 1)
    return found


def _counted(district):
    """district without the figures no village counts any more (a revision took them out: they read as 0)."""
    return {period: {figure: sums for figure, sums in rows.items() if sums != (0, 0, 0)}
            for period, rows in district.items()}


def _pending():
    return db.database.execute_sql("SELECT count(*) FROM district_pending").fetchone()[0]


def test_ingest__the_district_reads_the_same_whether_its_changes_are_folded_or_not(district, enrolled,
                                                                                  monkeypatch):
    if db.engine() != db.POSTGRESQL:
        pytest.skip("SQLite takes one writer at a time: the sums are added to in place")
    monkeypatch.setattr(kept, "FOLD_EVERY", 10 ** 9)  # nothing folded while the bundles come in
    deliveries = _deliveries([enrolled("Rampur"), enrolled("Sonpur")])
    _ingest_all(deliveries)
    periods = sorted({bundle.read_bundle(data)["period"] for data, _now, _verdict in deliveries})
    latest = {(row[0], row[1]): json.loads(row[2]) for row in db.database.execute_sql(
        "SELECT hub_id, period, payload FROM monthly_summary").fetchall()}
    expected = _expected_district((period, payload) for (_hub, period), payload in latest.items())

    pending = figures.district_rows(periods), reports.periods_with_data()
    assert _pending() == 18  # 17 months, one replaced by its revision
    assert db.database.execute_sql("SELECT count(*) FROM district_figure").fetchone() == (0,)
    kept.fold()

    assert _pending() == 0
    assert (figures.district_rows(periods), reports.periods_with_data()) == pending
    assert _counted(pending[0]) == expected and pending[1] == periods[::-1]


def test_ingest__folds_once_enough_changes_are_pending_whichever_process_left_them(district, enrolled,
                                                                                  monkeypatch):
    if db.engine() != db.POSTGRESQL:
        pytest.skip("SQLite takes one writer at a time: the sums are added to in place")
    monkeypatch.setattr(kept, "FOLD_EVERY", 5)
    rng = random.Random(8)
    first, second = enrolled("Rampur"), enrolled("Sonpur")
    left = [_fix_reasons(realistic_payload(rng, schema.tables(1))) for _ in range(4)]
    for payload in left:  # what an `aggregator import` that has ended left pending
        db.database.execute_sql(*kept.district_change("2026-09", figures.deltas(
            "2026-09", {}, figures.contributions(payload, figures.tables_for(1)))))
    months = ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-10")
    seen = []
    for sequence, period in enumerate(months, 1):
        data = seal(first, sequence, period, payload=_fix_reasons(realistic_payload(rng, schema.tables(1))))
        assert ingest.ingest(data, now=NOW)[0] == bundle.STORED
        seen.append(_pending())
    assert ingest.ingest(seal(second, 1, "2026-09", payload=left[0]), now=NOW)[0] == bundle.STORED

    assert seen == [0, 1, 2, 3, 4, 0, 1, 2, 3]  # the fifth change pending folds them all, the four left included
    september = figures.district_rows(["2026-09"])["2026-09"]
    assert september == _expected_district(("2026-09", payload) for payload in left + left[:1])["2026-09"]
    assert september["sessions_held:@hubs"][2] == 5


def test_ingest__hubs_sending_at_once_are_all_stored_and_counted(district, aggregator_app, enrolled, monkeypatch):
    monkeypatch.setattr(kept, "FOLD_EVERY", 3)  # folds while others take bundles in
    hubs = [enrolled(f"Village {number}") for number in range(4)]
    rng = random.Random(9)
    tables = schema.tables(1)
    # Each sender: months of its own village and of a village another sender also sends for.
    shares = [[seal(hubs[number], sequence, period, payload=_fix_reasons(realistic_payload(rng, tables)))
               for sequence, period in enumerate(("2026-07", "2026-08", "2026-09", "2026-10"), 1)]
              for number in range(4)]
    shares = [shares[number][:2] + shares[(number + 1) % 4][2:] for number in range(4)]
    verdicts, failures = [], []

    def send(share):
        try:
            with aggregator_app.app_context(), db.database.connection_context():
                for data in share:
                    verdict, receipt = ingest.ingest(data, now=NOW)
                    verdicts.append(verdict)
                    assert bundle.read_receipt(receipt)["bundles"][0]["status"] == verdict
        except Exception as error:  # reported below: an assertion in a thread would pass silently
            failures.append(error)

    threads = [threading.Thread(target=send, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == [] and verdicts == [bundle.STORED] * 16
    periods = ["2026-07", "2026-08", "2026-09", "2026-10"]
    expected = _expected_district((bundle.read_bundle(data)["period"], bundle.read_bundle(data)["payload"])
                                  for share in shares for data in share)
    assert figures.district_rows(periods) == expected
    assert expected["2026-10"]["sessions_held:@hubs"][2] == 4
    kept.fold()
    assert _pending() == 0 and figures.district_rows(periods) == expected
    assert [row[0] for row in db.database.execute_sql("SELECT months_received FROM hub").fetchall()] == [4] * 4


def _first_lock_wait(sender):
    """Start sender (a thread) and watch the server until it ends or one of this database's connections waits
    for a lock; -> the pids waiting (none when it ended without waiting)."""
    sender.start()
    waiting = []
    for _ in range(6000):  # bounded: a sender that neither ends nor waits fails the caller's assertions
        db.database.execute_sql("SELECT pg_stat_clear_snapshot()")  # else the transaction sees its first read
        waiting = db.database.execute_sql("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                          "AND wait_event_type = 'Lock'").fetchall()
        if waiting or not sender.is_alive():
            break
        time.sleep(0.005)
    return waiting


def test_ingest__a_connection_lost_before_the_commit_gives_no_receipt_and_keeps_nothing(district, aggregator_app,
                                                                                       enrolled):
    if db.engine() != db.POSTGRESQL:
        pytest.skip("SQLite runs in the process: there is no server to lose")
    hub = enrolled("Rampur")
    data = seal(hub, 1, "2026-10", payload=_fix_reasons(realistic_payload(random.Random(2), schema.tables(1))))
    outcome = {}

    def send():
        with aggregator_app.app_context(), db.database.connection_context():
            try:
                outcome["receipt"] = ingest.ingest(data, now=NOW)
            except Exception as error:
                outcome["error"] = error

    # The village's row is held by another transaction, so the ingest waits inside its own, its bundle and
    # month written but not committed; then its server process is ended, as a crash or a restart would.
    db.database.execute_sql("BEGIN")
    db.database.execute_sql("SELECT id FROM hub WHERE id = %s FOR UPDATE", (hub.id,))
    sender = threading.Thread(target=send)
    waiting = _first_lock_wait(sender)
    for (pid,) in waiting:
        db.database.execute_sql("SELECT pg_terminate_backend(%s)", (pid,))
    sender.join()
    db.database.execute_sql("ROLLBACK")

    assert waiting and "receipt" not in outcome and "error" in outcome
    assert db.database.execute_sql("SELECT count(*) FROM bundle").fetchone() == (0,)
    assert db.database.execute_sql("SELECT count(*) FROM district_figure").fetchone() == (0,)
    assert _pending() == 0
    assert ingest.ingest(data, now=NOW)[0] == bundle.STORED  # sent again, it is taken in whole


def test_ingest__bundles_of_one_month_do_not_wait_for_each_others_commit(district, aggregator_app, enrolled,
                                                                       monkeypatch):
    if db.engine() != db.POSTGRESQL:
        pytest.skip("SQLite takes one writer at a time by design")
    monkeypatch.setattr(kept, "FOLD_EVERY", 10 ** 9)
    rng = random.Random(4)
    first, second = enrolled("Rampur"), enrolled("Sonpur")
    assert ingest.ingest(seal(first, 1, "2026-10", payload=_fix_reasons(realistic_payload(rng, schema.tables(1)))),
                         now=NOW)[0] == bundle.STORED
    kept.fold()
    data = seal(second, 1, "2026-10", payload=_fix_reasons(realistic_payload(rng, schema.tables(1))))
    outcome = {}

    def send():
        with aggregator_app.app_context(), db.database.connection_context():
            outcome["verdict"] = ingest.ingest(data, now=NOW)[0]

    # October's district rows held by another transaction, as a bundle of October being committed holds them
    # when each bundle adds to them.
    db.database.execute_sql("BEGIN")
    db.database.execute_sql("SELECT * FROM district_figure WHERE period = '2026-10' FOR UPDATE")
    sender = threading.Thread(target=send)
    waiting = _first_lock_wait(sender)
    db.database.execute_sql("ROLLBACK")
    sender.join()

    assert waiting == [] and outcome == {"verdict": bundle.STORED}
    assert figures.district_rows(["2026-10"])["2026-10"]["sessions_held:@hubs"][2] == 2


def test_fold__does_not_wait_for_another_fold_and_leaves_the_changes_to_it(district, aggregator_app, enrolled,
                                                                         monkeypatch):
    if db.engine() != db.POSTGRESQL:
        pytest.skip("SQLite takes one writer at a time by design")
    monkeypatch.setattr(kept, "FOLD_EVERY", 10 ** 9)
    rng = random.Random(6)
    for number in range(3):
        data = _fix_reasons(realistic_payload(rng, schema.tables(1)))
        verdict, _receipt = ingest.ingest(seal(enrolled(f"Village {number}"), 1, "2026-10", payload=data), now=NOW)
        assert verdict == bundle.STORED
    before = figures.district_rows(["2026-10"])

    def fold():
        with aggregator_app.app_context(), db.database.connection_context():
            kept.fold()

    db.database.execute_sql("BEGIN")
    db.database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (kept.FOLD_LOCK,))  # another fold running
    waiting = _first_lock_wait(threading.Thread(target=fold))
    db.database.execute_sql("ROLLBACK")

    assert waiting == [] and _pending() == 3
    assert figures.district_rows(["2026-10"]) == before
    kept.fold()
    assert _pending() == 0 and figures.district_rows(["2026-10"]) == before
