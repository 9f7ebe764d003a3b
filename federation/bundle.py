"""Bundles, receipts and enrolment documents: their fields, how they are sealed and how they are opened.

Data flow: `disclosure.protect()` gives a payload -> `seal()` makes the bundle bytes -> outbox -> transport
-> the aggregator's `open_bundle()` -> it answers with `seal_receipt()` -> the hub's `open_receipt()`.
Every document is signed the same way (`federation.signing`); docs/protocol.md shows each one.

A bundle is identified by (hub_id, epoch, sequence): the sequence only grows within an epoch, and the epoch
is new at init and at every restore, so one id never names two contents.
"""

import re

from federation import signing
from federation.errors import BadSignature, Malformed, TooLarge

BUNDLE = "communityhub-bundle"
RECEIPT = "communityhub-receipt"
ENROLMENT = "communityhub-enrolment"
ENROLMENT_REPLY = "communityhub-enrolment-reply"
VERSION = 1
MAX_BYTES = 256 * 1024  # the aggregator refuses larger bundles (413)

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
HEX_ID = re.compile(r"^[0-9a-f]{32}$")

# Receipt verdicts, per bundle.
STORED, DUPLICATE = "stored", "duplicate"


def seal(identity, epoch, sequence, period, revision, schema_version, payload):
    """The signed bundle bytes for one month's protected payload."""
    return identity.sign({
        "format": BUNDLE, "version": VERSION, "hub_id": identity.id, "key_id": identity.key_id,
        "epoch": epoch, "sequence": sequence, "period": period, "revision": revision,
        "schema_version": schema_version, "payload": payload,
    })


def read_bundle(data):
    """The bundle in data, its form checked but not its signature (needed to find the signer's key)."""
    if len(data) > MAX_BYTES:
        raise TooLarge(f"a bundle may be at most {MAX_BYTES} bytes; this one is {len(data)}")
    document = signing.parse(data, BUNDLE)
    _require(document, hub_id=_hex_id, epoch=_hex_id, sequence=_positive, period=_period,
             revision=_positive, schema_version=_positive, payload=_object, key_id=_text)
    return document


def open_bundle(data, public_key):
    """The verified bundle in data, signed by public_key (base64); raises a `Refused` otherwise."""
    return signing.verify(read_bundle(data), public_key)


def bundle_id(document):
    """(hub_id, epoch, sequence): the identity of a bundle."""
    return document["hub_id"], document["epoch"], document["sequence"]


def seal_receipt(identity, hub_id, entries):
    """A receipt signed by the aggregator for hub_id: entries are dicts of epoch, sequence, sha256, status."""
    return identity.sign({"format": RECEIPT, "version": VERSION, "aggregator_id": identity.id,
                          "hub_id": hub_id, "bundles": sorted(entries, key=_entry_order)})


def open_receipt(data, pinned_key):
    """The verified receipt in data, signed by the pinned aggregator key; raises a `Refused` otherwise."""
    return signing.verify(read_receipt(data), pinned_key)


def read_receipt(data):
    """The receipt in data, its form checked but not its signature (a USB import sorts files first)."""
    document = signing.parse(data, RECEIPT)
    _require(document, aggregator_id=_hex_id, hub_id=_hex_id, bundles=_list)
    for entry in document["bundles"]:
        if not isinstance(entry, dict):
            raise Malformed("a receipt entry is not an object")
        _require(entry, epoch=_hex_id, sequence=_positive, sha256=_sha256, status=_text)
    return document


def seal_enrolment(identity, code):
    """The hub's enrolment request: its id and public key with the one-time code, signed by that key. No
    village name: the district names the hub when it issues the code (`aggregator enrol-code --hub-name`)."""
    return identity.sign({"format": ENROLMENT, "version": VERSION, "hub_id": identity.id,
                          "public_key": identity.public_key, "code": code})


def open_enrolment(data):
    """The enrolment request in data, verified with the key it carries (it proves the hub holds that key)."""
    document = signing.parse(data, ENROLMENT)
    _require(document, hub_id=_hex_id, public_key=_text, code=_text)  # a "name" from older hubs is ignored
    return signing.verify(document, document["public_key"])


def seal_enrolment_reply(identity, hub_id, url=""):
    """The aggregator's reply to an enrolment: its id and public key, for the hub to pin."""
    return identity.sign({"format": ENROLMENT_REPLY, "version": VERSION, "aggregator_id": identity.id,
                          "public_key": identity.public_key, "hub_id": hub_id, "url": url})


def open_enrolment_reply(data, expected_key_id=None):
    """The aggregator's reply, verified with the key it carries and, when given, matching the fingerprint
    from the district's QR code or paper."""
    document = signing.parse(data, ENROLMENT_REPLY)
    _require(document, aggregator_id=_hex_id, public_key=_text, hub_id=_hex_id, url=_str)
    signing.verify(document, document["public_key"])
    if expected_key_id and signing.key_id(document["public_key"]) != expected_key_id:
        raise BadSignature("the aggregator's key does not match the fingerprint given with the code")
    return document


def _entry_order(entry):
    return entry["epoch"], entry["sequence"]


def _require(document, **checks):
    for field, check in checks.items():
        if field not in document or not check(document[field]):
            raise Malformed(f"field {field!r} is missing or not valid")


def _hex_id(value):
    return isinstance(value, str) and bool(HEX_ID.match(value))


def _positive(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**53


def _period(value):
    return isinstance(value, str) and bool(PERIOD.match(value))


def _object(value):
    return isinstance(value, dict)


def _list(value):
    return isinstance(value, list)


def _text(value):
    return isinstance(value, str) and 0 < len(value) <= 200


def _one_line(value):
    """Text shown on the district's pages and printed by its commands: no line breaks or control characters."""
    return _text(value) and not re.search(r"[\x00-\x1f\x7f\x85\u2028\u2029\u202a-\u202e\u2066-\u2069]", value)


def _str(value):
    return isinstance(value, str) and len(value) <= 200


def _sha256(value):
    return isinstance(value, str) and bool(re.fullmatch(r"[0-9a-f]{64}", value))
