"""Ingest: one bundle in, verified, validated and stored; a signed receipt out.

Data flow: `api` (HTTP), `usb` or a relay -> `ingest()` -> Bundle row (the exact bytes) and the hub's
MonthlySummary -> the dashboard; the receipt goes back to the hub's `outbox.apply_receipt()`.

Checks, in order (DECISIONS "Bundles and delivery"): size and form (`bundle.read_bundle`), a known and
unrevoked key, the signature, the payload against its schema (`federation.schema.validate`), then the id
(hub, epoch, sequence): the same id with the same bytes is a duplicate (acknowledged again), the same id
with other bytes is a Conflict, a new id is stored. For one hub and month the highest revision wins: an
older revision, arriving late by another route, is kept as a bundle but never replaces a newer month. All
of it is one transaction, so a refusal stores nothing. The kept figures (`figures.record`) are brought up
to date in the same transaction. Received times are kept to the day: the district needs the day to judge
timeliness, and a finer time would say more about when a village's coordinator was at work.
"""

import json
from datetime import datetime

from flask_babel import gettext as _

from federation import bundle, signing
from federation.aggregator import db, figures
from federation.aggregator.enrol import identity, utcnow
from federation.aggregator.models import Bundle, Hub, MonthlySummary
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
    hub = Hub.get_or_none(Hub.id == document["hub_id"])
    if hub is None:
        raise UnknownKey(_("This hub is not enrolled with this aggregator."))
    if hub.revoked:
        raise RevokedKey(_("This hub's key was revoked by the district."))
    signing.verify(document, hub.public_key)
    if document["key_id"] != signing.key_id(hub.public_key):
        raise Malformed(_("The bundle's key_id is not the fingerprint of the key that signed it."))
    from federation import schema  # helper A's module, written alongside: imported at first use

    schema.validate(document["payload"], document["schema_version"])

    now = now or utcnow()
    if document["period"] > f"{now.year:04d}-{now.month:02d}":
        # Only the aggregator's clock decides: a hub that booted in 2057 must not fill the district's future.
        raise FuturePeriod(_("This summary is for %(period)s, a month that has not come yet by the district's "
                             "clock: the hub's clock is wrong.", period=document["period"]))
    now = datetime(now.year, now.month, now.day)
    digest = signing.sha256(data)
    verdict = db.transaction(lambda: _store(hub, document, data, digest, route, now))
    entry = {"epoch": document["epoch"], "sequence": document["sequence"], "sha256": digest, "status": verdict}
    return verdict, bundle.seal_receipt(identity(), hub.id, [entry])


def _store(hub, document, data, digest, route, now):
    held = Bundle.get_or_none(Bundle.hub == hub.id, Bundle.epoch == document["epoch"],
                              Bundle.sequence == document["sequence"])
    if held is not None:
        if held.sha256 == digest:
            return bundle.DUPLICATE
        raise Conflict(_("Bundle %(sequence)s of this epoch arrived before with other content.",
                         sequence=document["sequence"]))
    row = Bundle.create(hub=hub.id, epoch=document["epoch"], sequence=document["sequence"],
                        period=document["period"], revision=document["revision"],
                        schema_version=document["schema_version"], sha256=digest, content=data,
                        received_at=now, route=route)
    _keep_highest_revision(hub, document, row, now)
    Hub.update(last_received_at=now).where(Hub.id == hub.id).execute()
    return bundle.STORED


def _keep_highest_revision(hub, document, row, now):
    """Make row the hub's month unless the month holds this revision or a newer one already."""
    period, revision = document["period"], document["revision"]
    on_time = now.date() <= seal_date(period)
    payload = signing.canonical(document["payload"]).decode("utf-8")
    fields = {"revision": revision, "schema_version": document["schema_version"], "bundle": row.id,
              "payload": payload, "received_at": now}
    where = (MonthlySummary.hub == hub.id) & (MonthlySummary.period == period)
    held = MonthlySummary.select(MonthlySummary.revision, MonthlySummary.payload, MonthlySummary.on_time).where(
        where).for_update().first() if db.engine() == db.POSTGRESQL else MonthlySummary.get_or_none(where)
    if held is None:
        MonthlySummary.create(hub=hub.id, period=period, on_time=on_time, **fields)
        old_payload, was_on_time = None, False
    elif held.revision >= revision:
        if on_time and not held.on_time:
            MonthlySummary.update(on_time=True).where(where).execute()
            figures.record_on_time(hub)
        return
    else:
        # The revision test stays in the UPDATE too, so two revisions arriving at once cannot both win.
        MonthlySummary.update(**fields, on_time=held.on_time or on_time).where(
            where & (MonthlySummary.revision < revision)).execute()
        old_payload, was_on_time = json.loads(held.payload), held.on_time
    # The bounds of the version received ("<5" is 0 to 4 everywhere from schema 2); a month replaced is
    # always of the same version, since only schema 1 hubs send revisions.
    figures.record(hub, period, old_payload, document["payload"], figures.tables_for(document["schema_version"]),
                   revision=revision, on_time_now=on_time, was_on_time=was_on_time)


def receipt_for_hub(hub_id):
    """A signed receipt naming every bundle held from hub_id (for the acknowledgements on a USB stick)."""
    rows = (Bundle.select(Bundle.epoch, Bundle.sequence, Bundle.sha256).where(Bundle.hub == hub_id)
            .order_by(Bundle.epoch, Bundle.sequence))
    entries = [{"epoch": row.epoch, "sequence": row.sequence, "sha256": row.sha256, "status": bundle.STORED}
               for row in rows]
    return bundle.seal_receipt(identity(), hub_id, entries)
