"""The aggregator's tables (made by migrations/0001_aggregator.py): hubs, codes, bundles, months, admins.

Times are naive UTC, on the aggregator's clock (DECISIONS: enrolment codes expire on its clock only).
The rules that write these rows live in `enrol` and `ingest`; the pages only read them.
"""

import json

from peewee import (
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    CompositeKey,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    TextField,
)

from federation.aggregator.db import BaseModel


class Hub(BaseModel):
    """An enrolled village hub: its random id bound to its public key (base64) at enrolment."""

    id = CharField(primary_key=True, max_length=32)
    name = TextField()            # the name the district gave when it issued the code
    reported_name = TextField(default="")  # the name the hub sent with its enrolment request
    public_key = TextField()
    key_id = CharField(max_length=16, index=True)
    enrolled_at = DateTimeField()
    revoked_at = DateTimeField(null=True)  # set: every bundle signed by this key is refused (a stolen hub)
    last_received_at = DateTimeField(null=True)  # to the day (issue 19: no finer trace of when a hub spoke)
    # Kept by kept.record at ingest, so completeness is one read per hub (migration 0002).
    first_period = CharField(max_length=7, null=True)
    last_period = CharField(max_length=7, null=True)
    months_received = BigIntegerField(default=0)
    months_on_time = BigIntegerField(default=0)

    @property
    def revoked(self):
        return self.revoked_at is not None

    @classmethod
    def active(cls):
        """Hubs whose key is not revoked, by name."""
        return cls.select().where(cls.revoked_at.is_null()).order_by(cls.name, cls.id)


class EnrolmentCode(BaseModel):
    """A one-time enrolment code, kept only as its SHA-256; single use, expires after CODE_LIFETIME."""

    code_hash = CharField(primary_key=True, max_length=64)
    hub_name = TextField()
    created_at = DateTimeField()
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    hub = ForeignKeyField(Hub, null=True, backref="codes", column_name="hub_id")

    class Meta:
        table_name = "enrolment_code"

    @classmethod
    def open_at(cls, now):
        """Codes not yet used and not expired at now, newest first (the enrolment-code page)."""
        return (cls.select().where(cls.used_at.is_null(), cls.expires_at > now)
                .order_by(cls.created_at.desc()))


class Bundle(BaseModel):
    """Every bundle ever accepted, byte for byte (`content`), identified by (hub, epoch, sequence)."""

    HTTP, USB, RELAY = "http", "usb", "relay"
    ROUTES = (HTTP, USB, RELAY)

    hub = ForeignKeyField(Hub, backref="bundles", column_name="hub_id")
    epoch = CharField(max_length=32)
    sequence = BigIntegerField()
    period = CharField(max_length=7)
    revision = BigIntegerField()
    schema_version = BigIntegerField()
    sha256 = CharField(max_length=64)
    content = BlobField()
    received_at = DateTimeField()
    route = CharField(max_length=8)

    class Meta:
        indexes = ((("hub", "epoch", "sequence"), True), (("hub", "period"), False))


class MonthlySummary(BaseModel):
    """One hub's figures for one month: the payload of the highest revision received (the dashboard's input).

    `on_time` is true when a bundle of that month arrived by its seal date (the 15th of the next month).
    """

    hub = ForeignKeyField(Hub, backref="months", column_name="hub_id")
    period = CharField(max_length=7, index=True)
    revision = BigIntegerField()
    schema_version = BigIntegerField()
    bundle = ForeignKeyField(Bundle, column_name="bundle_id")
    payload = TextField()  # the bundle's payload as canonical JSON
    received_at = DateTimeField()
    on_time = BooleanField()

    class Meta:
        table_name = "monthly_summary"
        indexes = ((("hub", "period"), True),)

    @property
    def data(self):
        """The payload as a dict: {"tables": {...}, "values": {...}}."""
        return load_payload(self.payload)

    @classmethod
    def for_period(cls, period):
        """Every hub's summary of one month."""
        return cls.select(cls, Hub).join(Hub).where(cls.period == period).order_by(Hub.name, Hub.id)

    @classmethod
    def for_hub(cls, hub_id):
        """One hub's months, oldest first (a village's trend)."""
        return cls.select().where(cls.hub == hub_id).order_by(cls.period)


class Admin(BaseModel):
    """Someone at the district who may sign in to the aggregator's pages."""

    username = CharField(unique=True, max_length=64)
    password_hash = TextField()
    display_name = TextField()
    language = CharField(default="", max_length=8)
    active = BooleanField(default=True)
    created_at = DateTimeField()


class HubFigure(BaseModel):
    """One village's key figure of one month (figures.KEY_FIGURES): as published, and its bound."""

    hub = ForeignKeyField(Hub, column_name="hub_id")
    period = CharField(max_length=7)
    figure = CharField(max_length=120)
    published = CharField(max_length=32, null=True)  # "15", "<5", or None when withheld
    lower = FloatField()
    upper = FloatField()

    class Meta:
        table_name = "hub_figure"
        primary_key = CompositeKey("hub", "period", "figure")


class DistrictFigure(BaseModel):
    """The district's running sum of one figure of one month (kept.record adds and subtracts)."""

    period = CharField(max_length=7)
    figure = CharField(max_length=120)
    lower = FloatField()
    upper = FloatField()
    hubs = BigIntegerField()

    class Meta:
        table_name = "district_figure"
        primary_key = CompositeKey("period", "figure")


class DistrictPending(BaseModel):
    """What one bundle taken in changes in the district's figures of its month, not yet added to
    DistrictFigure by `kept.fold` (the pages add both): `deltas` is JSON, [[figure, lower, upper, hubs], ...]."""

    period = CharField(max_length=7)
    deltas = TextField()  # JSONB on PostgreSQL

    class Meta:
        table_name = "district_pending"
        primary_key = False


class QualityFlag(BaseModel):
    """Something a mentor should look at in one village's month: an outlier or a revision."""

    hub = ForeignKeyField(Hub, column_name="hub_id")
    period = CharField(max_length=7)
    kind = CharField(max_length=16)
    figure = CharField(max_length=120, default="")
    detail = TextField(default="")

    class Meta:
        table_name = "quality_flag"


MODELS = (Hub, EnrolmentCode, Bundle, MonthlySummary, Admin, HubFigure, DistrictFigure, DistrictPending,
          QualityFlag)


def load_payload(text):
    """A stored payload as a dict, safe to show and sum: a table or value holding a number no schema allows
    (stored before the schema capped its numbers: 10**4000, say) reads as not reported, every table and
    value being optional, so one hub cannot break the district's pages and exports (OverflowError)."""
    from federation import schema

    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return {"tables": {}, "values": {}}
    if not isinstance(data, dict):
        return {"tables": {}, "values": {}}
    largest = max(schema.largest(version) for version in schema.SCHEMA_VERSIONS)
    return {**data, **{part: {name: entry for name, entry in (data.get(part) or {}).items()
                              if _plausible(entry, largest)} for part in ("tables", "values")}}


def _plausible(value, largest):
    if isinstance(value, dict):
        return all(_plausible(item, largest) for item in value.values())
    if isinstance(value, list):
        return all(_plausible(item, largest) for item in value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True
    return abs(value) <= largest
