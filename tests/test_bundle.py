"""Identities and signed documents at the byte level: what is sealed opens, and any change is refused."""

import json
import os
import stat

import pytest

from federation import bundle, signing
from federation.errors import BadSignature, Malformed, TooLarge, UnknownSchema

PAYLOAD = {"tables": {"sessions": {"cells": {"life_skills": 10}, "total": 10}}, "values": {}}


@pytest.fixture
def hub(tmp_path):
    return signing.load_or_create(tmp_path / "hub")


@pytest.fixture
def aggregator(tmp_path):
    return signing.load_or_create(tmp_path / "district", signing.AGGREGATOR)


@pytest.fixture(autouse=True)
def _folders(tmp_path):
    (tmp_path / "hub").mkdir()
    (tmp_path / "district").mkdir()


def sealed(identity, sequence=1, payload=PAYLOAD):
    return bundle.seal(identity, "e" * 32, sequence, "2026-10", 1, 1, payload)


def test_identity__is_made_once_with_a_private_key_only_its_owner_reads(tmp_path, hub):
    again = signing.load_or_create(tmp_path / "hub")
    assert (again.id, again.public_key) == (hub.id, hub.public_key)
    assert len(hub.id) == 32 and len(hub.key_id) == 16
    mode = stat.S_IMODE(os.stat(tmp_path / "hub" / "federation.key").st_mode)
    assert mode == 0o600


def test_identity__public_key_follows_a_replaced_key_file(tmp_path, hub, aggregator):
    # The hub reads its public key from federation.pub at start; a key file put back by hand (say, from
    # another copy of the folder) must not leave it advertising and enrolling the old key.
    (tmp_path / "hub" / "federation.key").write_bytes((tmp_path / "district" / "aggregator.key").read_bytes())
    again = signing.load_or_create(tmp_path / "hub")
    assert again.public_key == aggregator.public_key != hub.public_key
    assert bundle.open_bundle(sealed(again), aggregator.public_key)["key_id"] == aggregator.key_id


def test_identity__a_damaged_public_key_cache_is_remade(tmp_path, hub):
    (tmp_path / "hub" / "federation.pub").write_text("not a cache")
    assert signing.load_or_create(tmp_path / "hub").public_key == hub.public_key


def test_identity__a_cache_that_cannot_be_written_does_not_stop_the_hub(tmp_path, hub):
    cache = tmp_path / "hub" / "federation.pub"
    cache.unlink()
    cache.mkdir()  # neither readable nor replaceable as a file
    again = signing.load_or_create(tmp_path / "hub")
    assert again.public_key == hub.public_key
    assert bundle.open_bundle(sealed(again), hub.public_key)["key_id"] == hub.key_id


def test_identity__the_private_key_never_shows_in_its_repr(hub):
    assert "PRIVATE KEY" not in repr(hub) and hub.id in repr(hub)


def test_identity__hub_and_aggregator_in_one_folder_are_distinct(tmp_path):
    folder = tmp_path / "laptop"
    folder.mkdir()
    hub, district = signing.load_or_create(folder), signing.load_or_create(folder, signing.AGGREGATOR)
    assert hub.id != district.id and hub.public_key != district.public_key


def test_seal__is_canonical_json_and_opens_with_the_signers_key(hub):
    data = sealed(hub)
    assert data == signing.canonical(json.loads(data))
    assert b" " not in data and b"\n" not in data
    document = bundle.open_bundle(data, hub.public_key)
    assert bundle.bundle_id(document) == (hub.id, "e" * 32, 1)
    assert document["payload"] == PAYLOAD and document["key_id"] == hub.key_id


def test_seal__the_same_content_gives_the_same_bytes(hub):
    assert sealed(hub) == sealed(hub)


def test_open__every_changed_byte_is_refused(hub):
    data = sealed(hub)
    for index in range(len(data)):
        changed = bytearray(data)
        changed[index] ^= 0x01
        with pytest.raises((BadSignature, Malformed, UnknownSchema)):
            bundle.open_bundle(bytes(changed), hub.public_key)


def test_open__a_changed_count_resigned_by_another_key_is_refused(hub, aggregator):
    forged = bundle.seal(aggregator, "e" * 32, 1, "2026-10", 1, 1, PAYLOAD)
    with pytest.raises(BadSignature):
        bundle.open_bundle(forged, hub.public_key)


def test_open__an_unsigned_document_is_refused(hub):
    document = json.loads(sealed(hub))
    del document["signature"]
    with pytest.raises(Malformed, match="not signed"):
        bundle.open_bundle(signing.canonical(document), hub.public_key)


def test_open__white_space_or_reordered_keys_are_refused(hub):
    pretty = json.dumps(json.loads(sealed(hub)), indent=1).encode()
    with pytest.raises(Malformed, match="canonical"):
        bundle.open_bundle(pretty, hub.public_key)


def test_open__an_unknown_version_or_format_is_refused(hub):
    document = json.loads(sealed(hub))
    with pytest.raises(UnknownSchema):
        bundle.open_bundle(signing.canonical({**document, "version": 2}), hub.public_key)
    with pytest.raises(Malformed):
        bundle.open_bundle(signing.canonical({**document, "format": "other"}), hub.public_key)


def test_open__garbage_and_oversized_input_are_refused(hub):
    for garbage in (b"", b"\xff\xfe", b"[1,2]", b"null", b"{"):
        with pytest.raises(Malformed):
            bundle.open_bundle(garbage, hub.public_key)
    with pytest.raises(TooLarge):
        bundle.read_bundle(b" " * (bundle.MAX_BYTES + 1))


def test_open__a_field_of_the_wrong_type_is_refused(hub):
    with pytest.raises(Malformed, match="period"):
        bundle.open_bundle(bundle.seal(hub, "e" * 32, 1, "2026-13", 1, 1, PAYLOAD), hub.public_key)
    with pytest.raises(Malformed, match="sequence"):
        bundle.open_bundle(bundle.seal(hub, "e" * 32, 0, "2026-10", 1, 1, PAYLOAD), hub.public_key)


def test_receipt__opens_only_with_the_pinned_aggregator_key(hub, aggregator):
    entry = {"epoch": "e" * 32, "sequence": 1, "sha256": signing.sha256(sealed(hub)), "status": "stored"}
    receipt = bundle.seal_receipt(aggregator, hub.id, [entry])
    assert bundle.open_receipt(receipt, aggregator.public_key)["bundles"] == [entry]
    with pytest.raises(BadSignature):
        bundle.open_receipt(receipt, hub.public_key)


def test_enrolment__proves_the_key_and_the_reply_matches_the_fingerprint(hub, aggregator):
    request = bundle.open_enrolment(bundle.seal_enrolment(hub, "CODE-1234"))
    assert (request["hub_id"], request["public_key"]) == (hub.id, hub.public_key)
    assert "name" not in request  # the district names the hub; the village's name never leaves it
    reply = bundle.seal_enrolment_reply(aggregator, hub.id, "http://127.0.0.1:8090")
    assert bundle.open_enrolment_reply(reply, aggregator.key_id)["public_key"] == aggregator.public_key
    with pytest.raises(BadSignature, match="fingerprint"):
        bundle.open_enrolment_reply(reply, hub.key_id)


def test_enrolment__a_request_carrying_someone_elses_key_is_refused(hub, aggregator):
    document = json.loads(bundle.seal_enrolment(hub, "CODE-1234"))
    swapped = signing.canonical({**document, "public_key": aggregator.public_key})
    with pytest.raises(BadSignature):
        bundle.open_enrolment(swapped)
