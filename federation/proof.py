"""Proof of key: before a hub sends anything to an aggregator it discovered on the network, the aggregator
signs a fresh challenge with its key (POST /api/v1/proof), since anyone can copy the TXT records that
discovery reads (federation/discovery.py). The hub's side makes the challenge and checks the answer against
the key it pinned at enrolment; the aggregator's side reads the challenge and signs it.
"""

import json
import re
import secrets

from federation import signing
from federation.errors import BadSignature, Malformed

PROOF = "communityhub-proof"
PROOF_PATH = "/api/v1/proof"
PROOF_CHALLENGE = re.compile(r"^[0-9a-f]{64}$")
MAX_CHALLENGE_BYTES = 256


def new_challenge():
    """A random challenge for `prove`: 32 bytes as hex."""
    return secrets.token_hex(32)


def challenge_body(challenge):
    """The body of POST /api/v1/proof: {"challenge": challenge} as JSON bytes."""
    return json.dumps({"challenge": challenge}).encode("ascii")


def read_challenge(data):
    """The challenge in a POST /api/v1/proof body; Malformed unless it is {"challenge": 64 hex digits}."""
    try:
        challenge = json.loads(data).get("challenge")
    except (ValueError, AttributeError):
        challenge = None
    if not isinstance(challenge, str) or not PROOF_CHALLENGE.match(challenge):
        raise Malformed('send {"challenge": 64 hex digits}')
    return challenge


def seal_proof(identity, challenge):
    """The aggregator's answer to a challenge: its id and the challenge, signed by its key (POST
    /api/v1/proof). Proves that whoever answers at a discovered address holds the key the hub pinned."""
    if not PROOF_CHALLENGE.match(challenge or ""):
        raise Malformed("a challenge is 64 hex digits")
    return identity.sign({"format": PROOF, "version": 1, "aggregator_id": identity.id,
                          "challenge": challenge})


def open_proof(data, pinned_key, aggregator_id, challenge):
    """Raise a Refused unless data answers challenge, for aggregator_id, signed by the pinned key."""
    document = signing.parse(data, PROOF)
    if document.get("challenge") != challenge or document.get("aggregator_id") != aggregator_id:
        raise BadSignature("the answer is not for this challenge or this aggregator")
    return signing.verify(document, pinned_key)
