"""The aggregator's machine API (/api/v1/), as a hub or anyone on the network meets it: every refusal has
its status and error code and stores nothing; duplicates and out-of-order deliveries are safe."""

import hashlib
import json
from datetime import timedelta

import pytest

from federation import bundle, proof, signing
from federation.aggregator import enrol
from federation.aggregator.models import Bundle, Hub
from tests.aggregator.conftest import seal, valid_payload

JSON = "application/json"


def post(api, path, data, content_type=JSON):
    return api.post(f"/api/v1/{path}", data=data, content_type=content_type)


def aggregator_key(app):
    return app.extensions["aggregator_identity"].public_key


def held():
    return sorted((row.hub_id, row.epoch, row.sequence, hashlib.sha256(bytes(row.content)).hexdigest())
                  for row in Bundle.select())


def resigned(identity, data, **changes):
    """The bundle's document with changes, signed again and canonical: valid except for what was changed."""
    document = json.loads(data)
    document.pop("signature")
    document.update(changes)
    return identity.sign(document)


def test_bundles__stored_once_acknowledged_twice_with_a_signed_receipt(api, district, enrolled):
    hub = enrolled()
    data = seal(hub)
    first = post(api, "bundles", data)
    assert first.status_code == 201
    receipt = bundle.open_receipt(first.data, aggregator_key(district))
    (entry,) = receipt["bundles"]
    assert (receipt["hub_id"], entry["status"], entry["sequence"]) == (hub.id, bundle.STORED, 1)
    assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    again = post(api, "bundles", data)
    assert again.status_code == 200
    assert bundle.open_receipt(again.data, aggregator_key(district))["bundles"][0]["status"] == bundle.DUPLICATE
    assert len(held()) == 1


def test_bundles__out_of_order_is_safe_and_other_content_under_a_held_number_is_a_conflict(api, district,
                                                                                          enrolled):
    hub = enrolled()
    second, first = seal(hub, sequence=2, period="2026-11"), seal(hub, sequence=1)
    assert post(api, "bundles", second).status_code == 201
    assert post(api, "bundles", first).status_code == 201
    before = held()
    clash = post(api, "bundles", seal(hub, sequence=1, payload=valid_payload(count=20)))
    assert clash.status_code == 409 and clash.get_json()["error"] == "conflict"
    assert held() == before and len(before) == 2


@pytest.mark.parametrize("case, status, code", [
    ("unsigned", 400, "malformed"),
    ("tampered", 403, "bad_signature"),
    ("signed by another key", 403, "bad_signature"),
    ("not JSON", 400, "malformed"),
    ("not canonical", 400, "malformed"),
    ("a field missing", 400, "malformed"),
    ("unknown schema version", 422, "unknown_schema"),
    ("payload against the schema", 422, "invalid_payload"),
    ("a month not come yet by the aggregator's clock", 422, "future_period"),
])
def test_bundles__a_bad_bundle_is_refused_and_nothing_is_stored(api, district, enrolled, hub_identity, case,
                                                                status, code):
    hub = enrolled()
    data = seal(hub)
    document = json.loads(data)
    bad = {
        "unsigned": lambda: signing.canonical({k: v for k, v in document.items() if k != "signature"}),
        "tampered": lambda: data.replace(b'"active":10', b'"active":15'),
        "signed by another key": lambda: resigned(hub_identity("Impostor"), data),
        "not JSON": lambda: b"\xff\xfe not json",
        "not canonical": lambda: json.dumps(document, indent=1).encode(),
        "a field missing": lambda: resigned(hub, data, period=None),
        "unknown schema version": lambda: resigned(hub, data, schema_version=99),
        "payload against the schema": lambda: resigned(
            hub, data, payload={"tables": {"volunteers": {"cells": {"active": 3}}}}),
        "a month not come yet by the aggregator's clock": lambda: seal(hub, period="2999-12"),
    }[case]()
    answer = post(api, "bundles", bad)
    assert (answer.status_code, answer.get_json()["error"]) == (status, code), answer.get_json()
    assert answer.get_json()["message"]
    assert held() == []


def test_bundles__an_unknown_or_revoked_hub_is_refused_and_nothing_is_stored(api, district, enrolled,
                                                                             hub_identity):
    stranger = post(api, "bundles", seal(hub_identity("Stranger")))
    assert (stranger.status_code, stranger.get_json()["error"]) == (403, "unknown_key")
    hub = enrolled()
    enrol.revoke(hub.id)
    revoked = post(api, "bundles", seal(hub))
    assert (revoked.status_code, revoked.get_json()["error"]) == (403, "revoked_key")
    assert held() == []


def test_bundles__too_large_or_not_json_content_is_refused_before_reading(api, district, enrolled):
    enrolled()
    large = post(api, "bundles", b" " * (bundle.MAX_BYTES + 1))
    assert (large.status_code, large.get_json()["error"]) == (413, "too_large")
    text = post(api, "bundles", b"{}", content_type="text/plain")
    assert (text.status_code, text.get_json()["error"]) == (415, "unsupported_media_type")
    assert held() == []


def test_enrolments__binds_the_key_once_and_replies_signed(api, district, hub_identity):
    hub = hub_identity()
    code = enrol.issue_code("Rampur")
    answer = post(api, "enrolments", bundle.seal_enrolment(hub, code))
    assert answer.status_code == 201
    reply = bundle.open_enrolment_reply(answer.data)
    signing.verify(reply, aggregator_key(district))
    assert (reply["hub_id"], reply["public_key"]) == (hub.id, aggregator_key(district))
    assert Hub.get_by_id(hub.id).public_key == hub.public_key
    other = hub_identity("Other")
    spent = post(api, "enrolments", bundle.seal_enrolment(other, code))
    assert (spent.status_code, spent.get_json()["error"]) == (403, "enrolment_refused")
    assert Hub.get_or_none(Hub.id == other.id) is None


def test_enrolments__an_expired_or_unknown_code_binds_nothing(api, district, hub_identity):
    hub = hub_identity()
    old = enrol.issue_code("Rampur", now=enrol.utcnow() - enrol.CODE_LIFETIME - timedelta(seconds=1))
    for code in (old, "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ"):
        answer = post(api, "enrolments", bundle.seal_enrolment(hub, code))
        assert (answer.status_code, answer.get_json()["error"]) == (403, "enrolment_refused")
    assert Hub.select().count() == 0


def test_proof__signs_a_fresh_challenge_with_the_aggregators_key(api, district):
    challenge = proof.new_challenge()
    answer = post(api, "proof", proof.challenge_body(challenge))
    assert answer.status_code == 200
    identity = district.extensions["aggregator_identity"]
    proof.open_proof(answer.data, identity.public_key, identity.id, challenge)


@pytest.mark.parametrize("body", [b'{"challenge": "not hex"}', b'{"challenge": "ab"}', b"not json", b"[]"])
def test_proof__a_bad_challenge_is_malformed(api, district, body):
    answer = post(api, "proof", body)
    assert (answer.status_code, answer.get_json()["error"]) == (400, "malformed")


def test_openapi__lists_every_route_and_every_refusal_of_bundles(api, district):
    document = api.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert {"/api/v1/bundles", "/api/v1/enrolments", "/api/v1/proof"} <= set(document["paths"])
    answers = json.dumps(document["paths"]["/api/v1/bundles"]["post"]["responses"])
    for code in ("malformed", "bad_signature", "unknown_key", "revoked_key", "conflict", "too_large",
                 "unknown_schema", "invalid_payload", "unsupported_media_type"):
        assert f"`{code}`" in answers, code
