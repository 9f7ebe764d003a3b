"""Ingest: one bundle in, verified, validated and stored; a signed receipt out.

Data flow: `api` (HTTP), `usb` or a relay -> `ingest()` -> Bundle row (the exact bytes) and the hub's
MonthlySummary -> the dashboard; the receipt goes back to the hub's `outbox.apply_receipt()`.

Checks, in order (DECISIONS "Bundles and delivery"): size and form (`bundle.read_bundle`), a known and
unrevoked key, the signature, the payload against its schema (`federation.schema.validate`), then the id
(hub, epoch, sequence): the same id with the same bytes is a duplicate (acknowledged again), the same id
with other bytes is a Conflict, a new id is stored. For one hub and month the highest revision wins: an
older revision, arriving late by another route, is kept as a bundle but never replaces a newer month. All
of it is one transaction, so a refusal stores nothing. The kept figures (`kept.record`) are brought up
to date in the same transaction, on PostgreSQL the district's sums as a change still to fold (`kept.fold`,
after the commit, once `kept.FOLD_EVERY` changes are pending). Received times are kept to the day: the
district needs the day to judge timeliness, and a finer time would say more about when a village's
coordinator was at work.

The rows are written with a few plain statements (`kept.execute`, `kept.batch`), not peewee queries: building
them cost more CPU than running them, and ingest's budget is 200 bundles a second (docs/aggregator.md). On
PostgreSQL the usual case, a new bundle of a new month, is one prepared statement sent with its BEGIN
(`_store_at_once`), after one read of the hub's key and the month's history: three round trips in all.
"""

import json
from datetime import datetime

from flask_babel import gettext as _

from federation import bundle, schema, signing
from federation.aggregator import db, figures, kept
from federation.aggregator.enrol import identity, utcnow
from federation.aggregator.models import Bundle
from federation.errors import Conflict, FuturePeriod, Malformed, RevokedKey, UnknownKey
from federation.period import seal_date


def ingest(data, route=Bundle.HTTP, now=None):
    """Take in one bundle's bytes; -> (bundle.STORED or bundle.DUPLICATE, the signed receipt bytes).

    Raises a `Refused` (TooLarge, Malformed, UnknownSchema, UnknownKey, RevokedKey, BadSignature,
    InvalidPayload, FuturePeriod, Conflict) with nothing stored.
    """
    data = bytes(data)
    if route not in Bundle.ROUTES:
        raise ValueError(f"unknown route {route!r}")
    document = bundle.read_bundle(data)
    hub, history = _hub_of(document)
    if hub is None:
        raise UnknownKey(_("This hub is not enrolled with this aggregator."))
    public_key, revoked_at = hub
    if revoked_at is not None:
        raise RevokedKey(_("This hub's key was revoked by the district."))
    signing.verify(document, public_key)
    if document["key_id"] != signing.key_id(public_key):
        raise Malformed(_("The bundle's key_id is not the fingerprint of the key that signed it."))
    schema.validate(document["payload"], document["schema_version"])

    now = now or utcnow()
    if document["period"] > f"{now.year:04d}-{now.month:02d}":
        # Only the aggregator's clock decides: a hub that booted in 2057 must not fill the district's future.
        raise FuturePeriod(_("This summary is for %(period)s, a month that has not come yet by the district's "
                             "clock: the hub's clock is wrong.", period=document["period"]))
    now = datetime(now.year, now.month, now.day)
    digest = signing.sha256(data)
    if history is None:
        verdict, pending = db.transaction(lambda: _store(document["hub_id"], document, data, digest, route, now)), 0
    else:
        verdict, pending = _store_at_once(document["hub_id"], document, data, digest, route, now, history)
    if pending >= kept.FOLD_EVERY:
        kept.fold()
    entry = {"epoch": document["epoch"], "sequence": document["sequence"], "sha256": digest, "status": verdict}
    return verdict, bundle.seal_receipt(identity(), document["hub_id"], [entry])


# A new bundle id, or a new month of a village, is inserted outright: the unique index answers whether it was
# held already, in the same round trip (and on PostgreSQL a second request with the same id waits for the
# first to commit, then sees its row). Only then is the held row read.
_NEW_BUNDLE = ("INSERT INTO bundle (hub_id, epoch, sequence, period, revision, schema_version, sha256, content, "
               "received_at, route) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (hub_id, epoch, sequence) DO NOTHING RETURNING id")
_NEW_MONTH = ("INSERT INTO monthly_summary (hub_id, period, revision, schema_version, bundle_id, payload, "
              "received_at, on_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT (hub_id, period) DO NOTHING RETURNING id")


_HUB = "SELECT public_key, revoked_at FROM hub WHERE id = ?"
_HUB_AND_HISTORY = ("SELECT hub.public_key, hub.revoked_at, f.figure, f.lower, f.upper FROM hub LEFT JOIN hub_figure f "
                    "ON f.hub_id = hub.id AND f.period >= %s AND f.period < %s WHERE hub.id = %s")


def _hub_of(document):
    """(the hub's (public key, revoked at) or None, the history its new month is compared with or None).

    On PostgreSQL both in one round trip, so the month can be stored in one statement (`_store_at_once`); on
    SQLite, which runs in this process, the key alone, and the history is read as the month is stored. Read
    before the transaction, the history lacks a month of the village committed in between, as it lacks one
    being stored at the same time either way: a flag is a hint for the mentor's next visit."""
    hub_id, period = document["hub_id"], document["period"]
    if db.engine() != db.POSTGRESQL or db.database.in_transaction():
        return kept.execute(_HUB, (hub_id,)).fetchone(), None
    rows = db.database.execute_sql(db.prepared(_HUB_AND_HISTORY),
                                   (figures.history_start(period), period, hub_id)).fetchall()
    if not rows:
        return None, None
    return rows[0][:2], kept.history_of(row[2:] for row in rows)


# PostgreSQL: a new bundle of a new month, and every row it keeps, in one statement sent with the BEGIN; each
# part writes only when the bundle and the month were not held. Otherwise `_store`'s steps go on in the same
# transaction, from where the statement left them.
_AT_ONCE = ("WITH bundle_row AS (INSERT INTO bundle (hub_id, epoch, sequence, period, revision, schema_version, "
            "sha256, content, received_at, route) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (hub_id, epoch, sequence) DO NOTHING RETURNING id), "
            "month AS (INSERT INTO monthly_summary (hub_id, period, revision, schema_version, bundle_id, payload, "
            "received_at, on_time) SELECT %s, %s, %s::bigint, %s::bigint, id, %s, %s::timestamp, %s::boolean "
            "FROM bundle_row "
            "ON CONFLICT (hub_id, period) DO NOTHING RETURNING id), "
            "{kept}, counted AS ({counters} AND EXISTS (SELECT 1 FROM month)) "
            "SELECT (SELECT id FROM bundle_row), (SELECT id FROM month), (SELECT count(*) FROM district_pending)")


def _store_at_once(hub_id, document, data, digest, route, now, history):
    period, revision, version = document["period"], document["revision"], document["schema_version"]
    on_time = _on_time(now, period)
    payload = signing.canonical(document["payload"]).decode("utf-8")
    clauses, kept_arguments, (counters, counter_arguments) = kept.new_month(
        hub_id, period, document["payload"], figures.tables_for(version), revision=revision, on_time=on_time,
        received_at=now, history=history)
    sql = db.prepared(_AT_ONCE.format(kept=clauses, counters=counters))
    arguments = (hub_id, document["epoch"], document["sequence"], period, revision, version, digest, data, now,
                 route, hub_id, period, revision, version, payload, now, on_time, *kept_arguments,
                 *counter_arguments)

    def rest(cursor):
        bundle_id, month_id, pending = cursor.fetchone()  # the changes pending before this bundle's
        if month_id is not None:
            return bundle.STORED, pending + 1
        if bundle_id is None:
            return _held(hub_id, document, digest), pending
        _replace_if_newer(hub_id, document, bundle_id, now, on_time, payload)
        return bundle.STORED, pending

    return db.transaction_begun_with(sql, arguments, rest)


def _held(hub_id, document, digest):
    """DUPLICATE when the bundle held under this id has these bytes; a Conflict otherwise."""
    (held,) = kept.execute("SELECT sha256 FROM bundle WHERE hub_id = ? AND epoch = ? AND sequence = ?",
                           (hub_id, document["epoch"], document["sequence"])).fetchone()
    if held == digest:
        return bundle.DUPLICATE
    raise Conflict(_("Bundle %(sequence)s of this epoch arrived before with other content.",
                     sequence=document["sequence"]))


def _store(hub_id, document, data, digest, route, now):
    row = kept.execute(_NEW_BUNDLE, (hub_id, document["epoch"], document["sequence"], document["period"],
                                     document["revision"], document["schema_version"], digest, data, now,
                                     route)).fetchone()
    if row is None:
        return _held(hub_id, document, digest)
    _keep_highest_revision(hub_id, document, row[0], now)
    return bundle.STORED


def _keep_highest_revision(hub_id, document, bundle_id, now):
    """Make the bundle the hub's month unless the month holds this revision or a newer one already."""
    period, revision = document["period"], document["revision"]
    on_time = _on_time(now, period)
    payload = signing.canonical(document["payload"]).decode("utf-8")
    if kept.execute(_NEW_MONTH, (hub_id, period, revision, document["schema_version"], bundle_id, payload, now,
                                 on_time)).fetchone() is not None:
        kept.record(hub_id, period, None, document["payload"], figures.tables_for(document["schema_version"]),
                    revision=revision, on_time_now=on_time, was_on_time=False, received_at=now)
        return
    _replace_if_newer(hub_id, document, bundle_id, now, on_time, payload)


def _on_time(now, period):
    return now.date() <= seal_date(period)


def _replace_if_newer(hub_id, document, bundle_id, now, on_time, payload):
    """The month is held already: make the bundle the month if its revision is newer; the month is on time
    if either arrived on time."""
    period, revision = document["period"], document["revision"]
    lock = " FOR UPDATE" if db.engine() == db.POSTGRESQL else ""
    held_revision, held_on_time, held_payload = kept.execute(
        f"SELECT revision, on_time, payload FROM monthly_summary WHERE hub_id = ? AND period = ?{lock}",
        (hub_id, period)).fetchone()
    held_on_time = bool(held_on_time)
    if held_revision >= revision:
        gained = on_time and not held_on_time
        kept.batch((kept.statement("UPDATE monthly_summary SET on_time = ? WHERE hub_id = ? AND period = ?",
                                   (True, hub_id, period)) if gained else None,
                    kept.counters(hub_id, now, on_time_gained=gained)))
        return
    # The revision test stays in the UPDATE too, so two revisions arriving at once cannot both win.
    kept.execute("UPDATE monthly_summary SET revision = ?, schema_version = ?, bundle_id = ?, payload = ?, "
                 "received_at = ?, on_time = ? WHERE hub_id = ? AND period = ? AND revision < ?",
                 (revision, document["schema_version"], bundle_id, payload, now, held_on_time or on_time,
                  hub_id, period, revision))
    # The bounds of the version received ("<5" is 0 to 4 everywhere from schema 2); a month replaced is
    # always of the same version, since only schema 1 hubs send revisions.
    kept.record(hub_id, period, json.loads(held_payload), document["payload"],
                figures.tables_for(document["schema_version"]), revision=revision,
                on_time_now=on_time, was_on_time=held_on_time, received_at=now)


def receipt_for_hub(hub_id):
    """A signed receipt naming every bundle held from hub_id (for the acknowledgements on a USB stick)."""
    rows = (Bundle.select(Bundle.epoch, Bundle.sequence, Bundle.sha256).where(Bundle.hub == hub_id)
            .order_by(Bundle.epoch, Bundle.sequence))
    entries = [{"epoch": row.epoch, "sequence": row.sequence, "sha256": row.sha256, "status": bundle.STORED}
               for row in rows]
    return bundle.seal_receipt(identity(), hub_id, entries)
