"""Releasing a month: the one place that runs the pipeline from the hub's data to a queued bundle.

Data flow: `summary.build(period)` (true counts) -> `disclosure.protect()` (with this hub's rounding key
and the payload it last released for that month, so a cell keeps its published value unless it moved) ->
`schema.validate()` -> `outbox.enqueue()` (sealed with the next sequence), but only when the payload differs
from the last release of that month and `disclosure.may_release()` allows the next revision.

Deterministic: the rounding is a keyed hash, so rebuilding a month whose data did not change gives the same
payload and makes nothing new. Call it with the hub's database bound (an app context, a connection).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from federation import disclosure, outbox, schema, signing, summary

MADE, SAME, NOT_ALLOWED = "made", "same", "not_allowed"
REASONS = {
    MADE: _l("released"),
    SAME: _l("the data of this month did not change since its last release"),
    disclosure.NOT_ENDED: _l("the month has not ended yet"),
    disclosure.SEALED: _l("the month is sealed (on the 15th of the next month); records entered later count "
                          "in the month they are entered"),
    disclosure.TOO_MANY: _l("the month has had its first release and 3 revisions"),
}


@dataclass(frozen=True)
class Result:
    """What publish() did for a month: `outcome` is MADE, SAME or NOT_ALLOWED; `code` says why
    (REASONS), `reason` in words."""

    period: str
    outcome: str
    code: str
    payload: dict
    revision: int                       # the revision made, or the latest one released (0: none yet)
    bundle: outbox.OutboxBundle | None  # the row made, or the latest release

    @property
    def made(self):
        return self.outcome == MADE

    @property
    def reason(self):
        return str(REASONS[self.code])

    def as_dict(self):
        row = self.bundle
        return {"period": self.period, "outcome": self.outcome, "made": self.made, "code": self.code,
                "reason": self.reason,
                "revision": self.revision,
                "bundle": None if row is None else {"epoch": row.epoch, "sequence": row.sequence,
                                                    "sha256": row.sha256, "state": row.state}}


def protected(period, identity, previous=None):
    """The payload that would leave for period now: built, protected against previous (this month's last
    release) and last month's release (for stocks), validated."""
    raw = summary.build(period)
    last_month = outbox.latest(previous_period(period))
    payload = disclosure.protect(period, raw, disclosure.rounding_key(identity),
                                 previous.payload if previous is not None else None,
                                 last_month.payload if last_month is not None else None)
    schema.validate(payload, summary.SCHEMA_VERSION)
    return payload


def previous_period(period):
    year, month = (int(part) for part in period.split("-"))
    return f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"


def hub_identity():
    """This hub's identity, from the running app's data folder."""
    from flask import current_app

    return signing.load_or_create(current_app.config["DATA_DIR"], signing.HUB)


def publish(period, today, identity=None):
    """Queue a new revision of period if its protected content changed and it may still be released."""
    identity = identity or hub_identity()
    previous = outbox.latest(period)
    payload = protected(period, identity, previous)
    last_revision = previous.revision if previous is not None else 0
    if previous is not None and payload == previous.payload:
        return Result(period, SAME, SAME, payload, last_revision, previous)
    allowed, code = disclosure.may_release(period, today, last_revision + 1)
    if not allowed:
        return Result(period, NOT_ALLOWED, code, payload, last_revision, previous)
    row = outbox.enqueue(identity, period, last_revision + 1, payload, summary.SCHEMA_VERSION)
    return Result(period, MADE, MADE, payload, row.revision, row)


def preview(period, identity=None):
    """(bytes, stored): the latest sealed bundle of period, or for a month not released yet the bytes its
    first release would be now (stored False: nothing is queued or numbered)."""
    identity = identity or hub_identity()
    previous = outbox.latest(period)
    if previous is not None:
        return bytes(previous.content), True
    payload = protected(period, identity)
    return outbox.preview(identity, period, 1, payload, summary.SCHEMA_VERSION), False
