"""Releasing a month: the one place that runs the pipeline from the hub's data to a queued bundle.

Data flow: `summary.build(period)` (true counts, each month cut off at its release) ->
`disclosure.protect()` (with this hub's rounding key and every release it has made, for the linked audit)
-> `schema.validate()` -> `outbox.enqueue()` (sealed with the next sequence). A month is released once:
records entered after its release count in the month they are entered, so a released month is never
rebuilt.

Deterministic: the rounding is keyed on the records counted, so building a month twice gives the same
payload. Call it with the hub's database bound (an app context, a connection).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from federation import disclosure, outbox, schema, signing, summary

MADE, SAME, NOT_ALLOWED = "made", "same", "not_allowed"
REASONS = {
    MADE: _l("released"),
    SAME: _l("the data of this month did not change since its last release"),
    disclosure.NOT_ENDED: _l("the month has not ended yet"),
    disclosure.RELEASED: _l("this month has been released; records entered since count in the month they "
                            "are entered"),
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


def protected(period, identity):
    """The payload that would leave for period now: built (each released month cut off at its release),
    protected against every other month this hub has released, validated."""
    released = outbox.releases()
    cutoffs = {month: first.strftime("%Y-%m-%d %H:%M:%S") for month, (first, _) in released.items()}
    history = {}
    for month, (_, row) in released.items():
        if month != period:
            document = row.document
            history[month] = (document["schema_version"], document["payload"])
    raw = summary.build(period, cutoffs)
    payload = disclosure.protect(period, raw, disclosure.rounding_key(identity), history,
                                 _earlier_savings(period, history, cutoffs), summary.spans(period, cutoffs))
    schema.validate(payload, summary.SCHEMA_VERSION)
    return payload


SAVINGS_LOOKBACK = 12  # months back the p%-rule looks for the last published savings amount


def _earlier_savings(period, history, cutoffs):
    """{value name: {member: amount}} at the end of the last month before period (within SAVINGS_LOOKBACK)
    whose amount was published, for the p%-rule on the difference; a value never published is absent."""
    found = {}
    month = period
    for _ in range(SAVINGS_LOOKBACK):
        month = previous_period(month)
        values = history.get(month, (None, {}))[1].get("values", {})
        wanted = [name for name in ("savings_total_saved", "savings_loans_outstanding")
                  if name not in found and values.get(name, {}).get("value") is not None]
        if wanted:
            _, saved, owed = summary.savings(summary.Month(month, cutoffs))
            raw = {"savings_total_saved": saved, "savings_loans_outstanding": owed}
            found.update({name: raw[name]["by_member"] for name in wanted})
    return found


def previous_period(period):
    year, month = (int(part) for part in period.split("-"))
    return f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"


def hub_identity():
    """This hub's identity, from the running app's data folder."""
    from flask import current_app

    return signing.load_or_create(current_app.config["DATA_DIR"], signing.HUB)


def publish(period, today, identity=None):
    """Queue the release of period if it has ended and was not released yet."""
    identity = identity or hub_identity()
    previous = outbox.latest(period)
    if previous is not None:  # released once: never rebuilt, so never differenced
        return Result(period, SAME, disclosure.RELEASED, previous.payload, previous.revision, previous)
    allowed, code = disclosure.may_release(period, today, 1)
    if not allowed:
        return Result(period, NOT_ALLOWED, code, {}, 0, None)
    payload = protected(period, identity)
    row = outbox.enqueue(identity, period, 1, payload, summary.SCHEMA_VERSION)
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
