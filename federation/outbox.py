"""The outbox: a durable queue of sealed bundles on the hub's database, each row with its whole delivery state.

Data flow: `publish` -> `enqueue()` (seal with the next sequence, one transaction) -> rows `due()` ->
`transport` (HTTP) or a USB stick or a relay -> the aggregator's signed receipt -> `apply_receipt()` marks
the rows it names delivered, but only when it verifies with the aggregator key pinned at enrolment
(`pin_aggregator()`). Bundles of other hubs carried onwards (relay) are kept by `store_foreign()` byte for
byte, since only their own hub's signature makes them worth anything.

Sequence numbers are allocated from the one FederationState row in the same transaction that writes the
outbox row, and only grow: never from the clock (a Pi's clock jumps). The epoch is a random id made at first
use and again by `new_epoch()` when a backup is restored, so a restored hub never sends a sequence number
it used before with other content. Tables: migration 0012.
"""

from peewee import BlobField, CharField, DateTimeField, IntegerField, TextField, fn

from federation import bundle, signing
from federation.errors import Conflict, UnknownKey
from hub import clock
from hub.db import BaseModel, database

PENDING, DELIVERED, REFUSED = "pending", "delivered", "refused"
STATES = (PENDING, DELIVERED, REFUSED)
OWN, RELAY = "own", "relay"
SCHEMA_VERSION = 1  # the default of callers that bring their own payload; publish passes summary.SCHEMA_VERSION
# What this hub carries for other hubs is bounded, so a stick of forged bundles cannot fill the SD card: a
# real hub sends one bundle a month (and at most 3 revisions), and its own outbox keeps every bundle until
# the district confirms it, so a relay that drops one loses nothing for good. Oldest dropped first.
MAX_RELAY_PER_HUB = 48
MAX_RELAY_TOTAL = 1000
MAX_RELAY_BYTES = 16 * 1024 * 1024

# How the last delivery run ended (FederationState.last_outcome); hub.sharing says each in plain words.
OK, UNREACHABLE, REFUSED_RUN, BAD_RECEIPT, NOT_ENROLLED = (
    "ok", "unreachable", "refused", "bad_receipt", "not_enrolled")


class FederationState(BaseModel):
    """The hub's one federation row: epoch and next sequence, the pinned aggregator, the last delivery run."""

    id = IntegerField(primary_key=True)
    epoch = CharField()
    next_sequence = IntegerField(default=1)
    aggregator_url = CharField(default="")
    aggregator_id = CharField(default="")
    aggregator_key = CharField(default="")     # base64 Ed25519 public key, pinned at enrolment
    aggregator_key_id = CharField(default="")
    enrolled_at = DateTimeField(null=True)
    last_run_at = DateTimeField(null=True)
    last_outcome = CharField(default="")       # one of OK, UNREACHABLE, REFUSED_RUN, BAD_RECEIPT, NOT_ENROLLED
    last_error = TextField(default="")         # the detail, as the aggregator or the network said it

    @property
    def enrolled(self):
        return bool(self.aggregator_key)


class OutboxBundle(BaseModel):
    """One sealed bundle (this hub's or another hub's carried onwards) and where its delivery stands."""

    hub_id = CharField()
    epoch = CharField()
    sequence = IntegerField()
    period = CharField()
    revision = IntegerField()
    content = BlobField()            # the exact bytes that leave, never re-serialised
    sha256 = CharField()
    state = CharField(default=PENDING, choices=[(state, state) for state in STATES])
    tries = IntegerField(default=0)
    next_try_at = DateTimeField(null=True)   # None: due now
    last_try_at = DateTimeField(null=True)
    last_status = IntegerField(null=True)    # the aggregator's HTTP status; None when it was not reached
    last_error = TextField(default="")
    route = CharField(default="")            # how it was delivered: "http", "usb", "relay"
    origin = CharField(default=OWN)
    created_at = DateTimeField()
    delivered_at = DateTimeField(null=True)

    class Meta:
        table_name = "outbox_bundle"
        indexes = ((("hub_id", "epoch", "sequence"), True),)

    @property
    def document(self):
        """The bundle as a dict (its form was checked when it was stored)."""
        return signing.parse(bytes(self.content), bundle.BUNDLE)

    @property
    def payload(self):
        return self.document["payload"]


def as_local(moment):
    """moment as the hub keeps times: local wall time without a zone (hub.clock); None is now."""
    if moment is None:
        return clock.now()
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo is not None else moment


def state():
    """The federation state row, made at first use with a new random epoch."""
    found = FederationState.get_or_none(FederationState.id == 1)
    if found is not None:
        return found
    with database.atomic():
        FederationState.insert(id=1, epoch=signing.new_id()).on_conflict_ignore().execute()
    return FederationState.get(FederationState.id == 1)


def enqueue(identity, period, revision, payload, schema_version=SCHEMA_VERSION, now=None):
    """Seal payload as this hub's next bundle and queue it: the sequence is taken in the same transaction."""
    with database.atomic():
        current = state()
        sequence = current.next_sequence
        FederationState.update(next_sequence=FederationState.next_sequence + 1).where(
            FederationState.id == 1).execute()
        content = bundle.seal(identity, current.epoch, sequence, period, revision, schema_version, payload)
        return OutboxBundle.create(hub_id=identity.id, epoch=current.epoch, sequence=sequence, period=period,
                                   revision=revision, content=content, sha256=signing.sha256(content),
                                   origin=OWN, created_at=as_local(now))


def preview(identity, period, revision, payload, schema_version=SCHEMA_VERSION):
    """The bytes enqueue() would seal now (the next sequence), without queueing anything or taking it."""
    current = state()
    return bundle.seal(identity, current.epoch, current.next_sequence, period, revision, schema_version,
                       payload)


def store_foreign(data, now=None):
    """Keep another hub's bundle, untouched, to carry onwards (relay); -> (row, created).

    Its form and payload schema are checked: this hub cannot know the other hub's key, and the aggregator
    checks the signature. The same bytes again are not stored twice; other bytes under the same id are a
    Conflict. Call `trim_relay()` after storing, to keep what is carried within bounds.
    """
    from federation import schema

    data = bytes(data)
    document = bundle.read_bundle(data)
    schema.validate(document["payload"], document["schema_version"])
    hub_id, epoch, sequence = bundle.bundle_id(document)
    digest = signing.sha256(data)
    with database.atomic():
        existing = OutboxBundle.get_or_none(OutboxBundle.hub_id == hub_id, OutboxBundle.epoch == epoch,
                                            OutboxBundle.sequence == sequence)
        if existing is not None:
            if existing.sha256 != digest:
                raise Conflict("a bundle with this id but other content is already kept")
            return existing, False
        row = OutboxBundle.create(hub_id=hub_id, epoch=epoch, sequence=sequence, period=document["period"],
                                  revision=document["revision"], content=data, sha256=digest, origin=RELAY,
                                  created_at=as_local(now))
    return row, True


def trim_relay():
    """Drop the oldest bundles carried for other hubs beyond MAX_RELAY_PER_HUB per hub, MAX_RELAY_TOTAL
    in all and MAX_RELAY_BYTES in all; -> [(hub_id, period, revision)] dropped, oldest first."""
    relayed = (OutboxBundle.select(OutboxBundle.id, OutboxBundle.hub_id, OutboxBundle.period,
                                   OutboxBundle.revision, fn.LENGTH(OutboxBundle.content).alias("size"))
               .where(OutboxBundle.origin == RELAY).order_by(OutboxBundle.id.desc()))
    per_hub, kept, kept_bytes, dropped = {}, 0, 0, []
    for row in relayed:  # newest first: keep while within every bound
        per_hub[row.hub_id] = per_hub.get(row.hub_id, 0) + 1
        if per_hub[row.hub_id] <= MAX_RELAY_PER_HUB and kept < MAX_RELAY_TOTAL \
                and kept_bytes + row.size <= MAX_RELAY_BYTES:
            kept, kept_bytes = kept + 1, kept_bytes + row.size
        else:
            dropped.append(row)
    if dropped:
        with database.atomic():
            for start in range(0, len(dropped), 500):
                ids = [row.id for row in dropped[start:start + 500]]
                OutboxBundle.delete().where(OutboxBundle.id.in_(ids)).execute()
    return [(row.hub_id, row.period, row.revision) for row in reversed(dropped)]


def undelivered():
    """Rows not yet confirmed by the aggregator (pending), in the order they were queued."""
    return OutboxBundle.select().where(OutboxBundle.state == PENDING).order_by(OutboxBundle.id)


def due(now):
    """Pending rows whose next try is now or past (never tried: due at once), in queue order."""
    now = as_local(now)
    return (OutboxBundle.select()
            .where((OutboxBundle.state == PENDING)
                   & (OutboxBundle.next_try_at.is_null() | (OutboxBundle.next_try_at <= now)))
            .order_by(OutboxBundle.id))


def apply_receipt(data, route, now=None):
    """Mark delivered the rows a receipt names (epoch, sequence and SHA-256 of the exact bytes); -> those rows.

    The receipt must verify with the pinned aggregator key and come from the pinned aggregator id;
    otherwise a Refused is raised and nothing changes. Rows already delivered are left as they were.
    """
    current = state()
    if not current.enrolled:
        raise UnknownKey("this hub is not enrolled with an aggregator, so it cannot check a receipt")
    document = bundle.open_receipt(bytes(data), current.aggregator_key)
    if document["aggregator_id"] != current.aggregator_id:
        raise UnknownKey("the receipt comes from another aggregator than the one this hub is enrolled with")
    marked = []
    moment = as_local(now)
    with database.atomic():
        for entry in document["bundles"]:
            row = OutboxBundle.get_or_none(OutboxBundle.hub_id == document["hub_id"],
                                           OutboxBundle.epoch == entry["epoch"],
                                           OutboxBundle.sequence == entry["sequence"],
                                           OutboxBundle.sha256 == entry["sha256"],
                                           OutboxBundle.state != DELIVERED)
            if row is None:
                continue
            row.state, row.route, row.delivered_at, row.next_try_at = DELIVERED, route, moment, None
            row.last_error = ""
            row.save()
            marked.append(row)
    return marked


def record_failure(row, now, status, error, next_try_at):
    """A try that did not deliver but may succeed later: count it and set the next try."""
    OutboxBundle.update(tries=OutboxBundle.tries + 1, last_try_at=as_local(now), last_status=status,
                        last_error=error, next_try_at=as_local(next_try_at)).where(
        (OutboxBundle.id == row.id) & (OutboxBundle.state == PENDING)).execute()


def record_refusal(row, now, status, error):
    """The aggregator refused the bundle for good (4xx): it is not tried again."""
    OutboxBundle.update(state=REFUSED, tries=OutboxBundle.tries + 1, last_try_at=as_local(now),
                        last_status=status, last_error=error, next_try_at=None).where(
        (OutboxBundle.id == row.id) & (OutboxBundle.state == PENDING)).execute()


def record_run(now, outcome, error=""):
    """How the last delivery run ended, for the sharing page and doctor."""
    state()
    FederationState.update(last_run_at=as_local(now), last_outcome=outcome, last_error=error).where(
        FederationState.id == 1).execute()


def pin_aggregator(reply_bytes, url, now=None, hub_id=None, expected_key_id=None):
    """Trust the aggregator that signed this enrolment reply from now on: its id, key and address.

    The reply must verify with the key it carries (and match expected_key_id, the fingerprint from the
    district's QR code, when given) and, when hub_id is given, be addressed to this hub.
    """
    document = bundle.open_enrolment_reply(bytes(reply_bytes), expected_key_id or None)
    if hub_id is not None and document["hub_id"] != hub_id:
        raise UnknownKey("the enrolment reply is addressed to another hub")
    with database.atomic():
        state()
        FederationState.update(aggregator_url=(url or document.get("url", "")).rstrip("/"),
                               aggregator_id=document["aggregator_id"], aggregator_key=document["public_key"],
                               aggregator_key_id=signing.key_id(document["public_key"]),
                               enrolled_at=as_local(now)).where(FederationState.id == 1).execute()
    return state()


def new_epoch():
    """Start a new epoch (after a restore): sequences from the restored copy may have been used already."""
    with database.atomic():
        state()
        epoch = signing.new_id()
        FederationState.update(epoch=epoch).where(FederationState.id == 1).execute()
    return epoch


def last_delivery():
    """The bundle most recently confirmed by the aggregator, or None."""
    return (OutboxBundle.select().where(OutboxBundle.state == DELIVERED)
            .order_by(OutboxBundle.delivered_at.desc(), OutboxBundle.id.desc()).first())


def latest(period):
    """This hub's latest release of period (the highest revision), or None."""
    return (OutboxBundle.select().where((OutboxBundle.origin == OWN) & (OutboxBundle.period == period))
            .order_by(OutboxBundle.revision.desc(), OutboxBundle.id.desc()).first())


def releases():
    """{period: (when its first release was queued, its latest release)} of this hub's own months."""
    found = {}
    for row in (OutboxBundle.select().where(OutboxBundle.origin == OWN)
                .order_by(OutboxBundle.period, OutboxBundle.revision, OutboxBundle.id)):
        first = found.get(row.period, (row.created_at, None))[0]
        found[row.period] = (min(first, row.created_at), row)
    return found


def built_periods():
    """Every month this hub has released, newest first."""
    query = (OutboxBundle.select(OutboxBundle.period).where(OutboxBundle.origin == OWN).distinct()
             .order_by(OutboxBundle.period.desc()))
    return [row.period for row in query]


def counts():
    """{state: number of rows}, every state present, for pages and reports."""
    found = dict.fromkeys(STATES, 0)
    query = OutboxBundle.select(OutboxBundle.state, fn.COUNT(OutboxBundle.id)).group_by(OutboxBundle.state)
    found.update(dict(query.tuples()))
    return found

