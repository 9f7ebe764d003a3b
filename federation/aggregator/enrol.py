"""Enrolment: the district issues a one-time code; a hub proves it holds its key and is bound to it.

Data flow: `issue_code()` (CLI or the enrolment-code page) -> the code on paper or a QR code -> the hub's
signed request (`bundle.seal_enrolment`) over HTTP or USB -> `enrol()` -> the signed reply the hub pins.

A code has 160 random bits, shown as 8 groups of 4 base32 letters and digits (no 0, 1, 8 or 9, so nothing
reads as another character), and is stored only as its SHA-256. It is single use and expires after
CODE_LIFETIME on the aggregator's clock. Sending the same request again (a USB stick read twice, a lost
reply) gets the same reply; anyone else with a used code is refused.
"""

import base64
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from federation import bundle, signing
from federation.aggregator import db
from federation.aggregator.models import EnrolmentCode, Hub
from federation.errors import EnrolmentRefused, UnknownKey

CODE_BYTES = 20  # 160 bits
CODE_GROUP = 4
CODE_LIFETIME = timedelta(days=14)
# What people mistype for a base32 character.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def utcnow():
    """The aggregator's clock, as naive UTC (how the models keep time)."""
    return datetime.now(UTC).replace(tzinfo=None)


def normalise(code):
    """The code as it is hashed: upper case, without dashes or spaces, lookalike digits read as letters."""
    return "".join(code.split()).replace("-", "").upper().translate(_LOOKALIKES)


def hash_code(code):
    return hashlib.sha256(normalise(code).encode("ascii", "replace")).hexdigest()


def new_code():
    """A fresh random code, grouped for reading aloud: e.g. 'K3QF-7ZPA-...' (8 groups of 4)."""
    text = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii").rstrip("=")
    return "-".join(text[i:i + CODE_GROUP] for i in range(0, len(text), CODE_GROUP))


def issue_code(hub_name, now=None):
    """Make and store (hashed) a one-time code for the hub to be called hub_name; -> the code.

    The code itself is shown once and never stored.
    """
    return issue(hub_name, now)[0]


def issue(hub_name, now=None):
    """issue_code() for the CLI and the enrolment-code page; -> (code, expires_at)."""
    hub_name = (hub_name or "").strip()
    if not hub_name or len(hub_name) > 200:
        raise ValueError(_("Give the hub a name of 1 to 200 characters."))
    now = now or utcnow()
    code = new_code()
    expires_at = now + CODE_LIFETIME
    with db.database.atomic():
        EnrolmentCode.create(code_hash=hash_code(code), hub_name=hub_name, created_at=now,
                             expires_at=expires_at)
    return code, expires_at


def enrol(data, now=None):
    """Bind the hub in the enrolment request data to its key and spend the code; -> the signed reply bytes.

    Raises a `Refused` (Malformed, BadSignature, EnrolmentRefused...) with nothing changed.
    """
    request = bundle.open_enrolment(data)  # the request is signed by the key it carries
    now = now or utcnow()
    hub_id = db.transaction(lambda: _bind(request, now))
    return reply_for(hub_id)


def _bind(request, now):
    hub_id, public_key = request["hub_id"], request["public_key"]
    code = EnrolmentCode.get_or_none(EnrolmentCode.code_hash == hash_code(request["code"]))
    if code is None:
        raise EnrolmentRefused(_("This enrolment code is not known here: check it, or ask the district "
                                 "for a new one."))
    hub = Hub.get_or_none(Hub.id == hub_id)
    if code.used_at is not None:
        if code.hub_id == hub_id and hub is not None and hub.public_key == public_key and not hub.revoked:
            return hub_id  # the same request again: the same reply
        raise EnrolmentRefused(_("This enrolment code has been used already: ask the district for a new one."))
    if code.expires_at <= now:
        raise EnrolmentRefused(_("This enrolment code has expired: ask the district for a new one."))
    if hub is not None and hub.revoked:
        raise EnrolmentRefused(_("This hub's key was revoked: it cannot enrol again with the same identity."))
    if hub is not None and hub.public_key != public_key:
        raise EnrolmentRefused(_("This hub is enrolled already with another key."))
    if Hub.select().where(Hub.public_key == public_key, Hub.id != hub_id).exists():
        raise EnrolmentRefused(_("This key is enrolled already for another hub."))

    spent = (EnrolmentCode.update(used_at=now, hub=hub_id)
             .where(EnrolmentCode.code_hash == code.code_hash, EnrolmentCode.used_at.is_null()))
    if hub is None:
        Hub.create(id=hub_id, name=code.hub_name, public_key=public_key,
                   key_id=signing.key_id(public_key), enrolled_at=now)
    else:
        Hub.update(name=code.hub_name).where(Hub.id == hub_id).execute()
    if spent.execute() != 1:  # another request spent it a moment ago
        raise EnrolmentRefused(_("This enrolment code has been used already: ask the district for a new one."))
    return hub_id


def reply_for(hub_id):
    """The signed enrolment reply for an enrolled hub (the same bytes each time while AGGREGATOR_URL stays)."""
    if not Hub.select().where(Hub.id == hub_id).exists():
        raise UnknownKey(_("This hub is not enrolled here."))
    return bundle.seal_enrolment_reply(identity(), hub_id, url=current_app.config.get("AGGREGATOR_URL", ""))


def revoke(hub_id, now=None):
    """Revoke a hub's key (a stolen hub): every bundle it signs from now on is refused; -> the Hub."""
    now = now or utcnow()
    with db.database.atomic():
        hub = Hub.get_or_none(Hub.id == hub_id)
        if hub is None:
            raise LookupError(_("No hub with the id %(id)s is enrolled.", id=hub_id))
        if hub.revoked_at is None:
            hub.revoked_at = now
            hub.save()
    return hub


def identity():
    """The aggregator's own identity (loaded by create_app)."""
    return current_app.extensions["aggregator_identity"]
