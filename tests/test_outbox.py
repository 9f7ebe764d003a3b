"""The outbox: sequences that only grow, a new epoch after a restore, receipts checked with the pinned key,
other hubs' bundles kept byte for byte."""

import sqlite3
from datetime import datetime

import pytest

from federation import bundle, outbox, signing
from federation.errors import BadSignature, Conflict, Malformed, UnknownKey
from hub.db import database

NOW = datetime(2026, 12, 2, 9, 0)
PAYLOAD = {"tables": {"children_reached": {"cells": {"female": 5, "male": 0, "other": 0}, "total": 5}}, "values": {}}


def identity_in(folder, name):
    folder.mkdir(parents=True, exist_ok=True)
    return signing.load_or_create(folder, name)


@pytest.fixture
def hub(app_context, data_dir):
    """This hub's identity, in an app context with a connection."""
    return signing.load_or_create(data_dir, signing.HUB)


@pytest.fixture
def district(tmp_path):
    return identity_in(tmp_path / "district", signing.AGGREGATOR)


def pin(hub, district, url="http://127.0.0.1:9"):
    return outbox.pin_aggregator(bundle.seal_enrolment_reply(district, hub.id, url), url, NOW, hub_id=hub.id)


def test_enqueue__sequences_grow_one_by_one_and_are_unique(hub):
    rows = [outbox.enqueue(hub, "2026-11", revision, PAYLOAD, now=NOW) for revision in (1, 2, 3)]
    assert [row.sequence for row in rows] == [1, 2, 3]
    assert len({row.epoch for row in rows}) == 1 and len(rows[0].epoch) == 32
    assert outbox.state().next_sequence == 4
    document = bundle.open_bundle(bytes(rows[1].content), hub.public_key)
    assert (document["sequence"], document["revision"], document["period"]) == (2, 2, "2026-11")
    assert rows[1].sha256 == signing.sha256(bytes(rows[1].content))
    assert [(row.state, row.tries, row.next_try_at, row.origin) for row in outbox.undelivered()] == [
        ("pending", 0, None, "own")] * 3


def test_enqueue__a_second_row_with_the_same_id_is_refused_by_the_database(hub):
    row = outbox.enqueue(hub, "2026-11", 1, PAYLOAD, now=NOW)
    with pytest.raises(Exception, match="UNIQUE"):
        with database.atomic():
            outbox.OutboxBundle.create(hub_id=row.hub_id, epoch=row.epoch, sequence=row.sequence, period="2026-11",
                                       revision=2, content=b"{}", sha256="0" * 64, created_at=NOW)
    assert outbox.OutboxBundle.select().count() == 1


def test_enqueue__the_sequence_never_comes_back_after_a_failed_transaction(hub):
    outbox.enqueue(hub, "2026-10", 1, PAYLOAD, now=NOW)
    with pytest.raises(RuntimeError):
        with database.atomic():
            outbox.enqueue(hub, "2026-11", 1, PAYLOAD, now=NOW)
            raise RuntimeError("power cut")
    assert outbox.state().next_sequence == 2  # rolled back together with its row
    assert outbox.enqueue(hub, "2026-11", 1, PAYLOAD, now=NOW).sequence == 2


def test_new_epoch__after_a_restore_ids_never_repeat(hub):
    first = outbox.enqueue(hub, "2026-10", 1, PAYLOAD, now=NOW)
    epoch = outbox.new_epoch()
    second = outbox.enqueue(hub, "2026-11", 1, PAYLOAD, now=NOW)
    assert epoch != first.epoch and second.epoch == epoch
    assert (second.epoch, second.sequence) != (first.epoch, first.sequence)
    assert second.sequence > first.sequence  # the counter only grows


def test_restore_command__starts_a_new_epoch(runner, data_dir, tmp_path):
    runner.invoke(["init"])
    connection = sqlite3.connect(data_dir / "hub.sqlite3")
    connection.execute("INSERT INTO federation_state (id, epoch) VALUES (1, ?)", ("a" * 32,))
    connection.commit()
    connection.close()
    made = runner.invoke(["backup", "--to", str(tmp_path / "backups")])
    assert made.exit_code == 0, made.output
    backup_file = next((tmp_path / "backups").glob("hub-*.sqlite3"))
    restored = runner.invoke(["restore", str(backup_file), "--yes"])
    assert restored.exit_code == 0, restored.output
    connection = sqlite3.connect(data_dir / "hub.sqlite3")
    (epoch,) = connection.execute("SELECT epoch FROM federation_state").fetchone()
    connection.close()
    assert epoch != "a" * 32 and len(epoch) == 32
    assert f"New federation epoch {epoch}" in restored.output


def test_init__makes_the_hub_identity(runner, data_dir):
    result = runner.invoke(["init"])
    identity = signing.load_or_create(data_dir, signing.HUB)
    assert f"Hub id {identity.id}, key {identity.key_id}" in result.output
    assert (data_dir / "federation.key").stat().st_mode & 0o077 == 0


def test_store_foreign__keeps_the_bytes_untouched_and_once(hub, tmp_path):
    other = identity_in(tmp_path / "other", signing.HUB)
    data = bundle.seal(other, "b" * 32, 7, "2026-11", 1, 1, PAYLOAD)
    row, created = outbox.store_foreign(data, now=NOW)
    again, created_again = outbox.store_foreign(data, now=NOW)
    assert (created, created_again) == (True, False) and again.id == row.id
    stored = outbox.OutboxBundle.get_by_id(row.id)
    assert bytes(stored.content) == data
    assert (stored.hub_id, stored.epoch, stored.sequence, stored.origin, stored.state) == (
        other.id, "b" * 32, 7, "relay", "pending")
    assert outbox.latest("2026-11") is None  # not this hub's release


def test_store_foreign__other_bytes_under_the_same_id_or_damage_are_refused(hub, tmp_path):
    other = identity_in(tmp_path / "other", signing.HUB)
    outbox.store_foreign(bundle.seal(other, "b" * 32, 7, "2026-11", 1, 1, PAYLOAD))
    with pytest.raises(Conflict):
        outbox.store_foreign(bundle.seal(other, "b" * 32, 7, "2026-11", 2, 1, PAYLOAD))
    with pytest.raises(Malformed):
        outbox.store_foreign(b"{\"format\": \"communityhub-bundle\", \"version\": 1}")
    assert outbox.OutboxBundle.select().count() == 1


def receipt_for(identity, rows, hub_id=None):
    return bundle.seal_receipt(identity, hub_id or rows[0].hub_id, [
        {"epoch": row.epoch, "sequence": row.sequence, "sha256": row.sha256, "status": bundle.STORED}
        for row in rows])


def test_apply_receipt__marks_only_the_rows_named_with_their_exact_bytes(hub, district):
    pin(hub, district)
    first, second = (outbox.enqueue(hub, "2026-11", revision, PAYLOAD, now=NOW) for revision in (1, 2))
    marked = outbox.apply_receipt(receipt_for(district, [first]), route="usb", now=NOW)
    assert [row.id for row in marked] == [first.id]
    first, second = (outbox.OutboxBundle.get_by_id(row.id) for row in (first, second))
    assert (first.state, first.route, first.delivered_at) == ("delivered", "usb", NOW)
    assert second.state == "pending"
    assert outbox.last_delivery().id == first.id
    assert outbox.apply_receipt(receipt_for(district, [first]), route="http") == []  # already delivered


def test_apply_receipt__a_wrong_digest_marks_nothing(hub, district):
    pin(hub, district)
    row = outbox.enqueue(hub, "2026-11", 1, PAYLOAD, now=NOW)
    wrong = bundle.seal_receipt(district, hub.id, [{"epoch": row.epoch, "sequence": row.sequence,
                                                     "sha256": "f" * 64, "status": "stored"}])
    assert outbox.apply_receipt(wrong, route="usb") == []
    assert outbox.OutboxBundle.get_by_id(row.id).state == "pending"


def test_apply_receipt__signed_by_another_key_is_refused_and_nothing_changes(hub, district, tmp_path):
    pin(hub, district)
    row = outbox.enqueue(hub, "2026-11", 1, PAYLOAD, now=NOW)
    impostor = identity_in(tmp_path / "impostor", signing.AGGREGATOR)
    with pytest.raises(BadSignature):
        outbox.apply_receipt(receipt_for(impostor, [row]), route="usb")
    assert outbox.OutboxBundle.get_by_id(row.id).state == "pending"
    assert outbox.last_delivery() is None


def test_apply_receipt__before_enrolment_is_refused(hub, district):
    row = outbox.enqueue(hub, "2026-11", 1, PAYLOAD, now=NOW)
    with pytest.raises(UnknownKey):
        outbox.apply_receipt(receipt_for(district, [row]), route="usb")
    assert outbox.OutboxBundle.get_by_id(row.id).state == "pending"


def test_pin_aggregator__keeps_its_id_key_and_address(hub, district):
    state = pin(hub, district, "http://127.0.0.1:8090/")
    assert (state.aggregator_url, state.aggregator_id, state.aggregator_key, state.aggregator_key_id,
            state.enrolled_at) == ("http://127.0.0.1:8090", district.id, district.public_key, district.key_id, NOW)


def test_pin_aggregator__a_reply_for_another_hub_or_another_fingerprint_is_refused(hub, district, tmp_path):
    with pytest.raises(UnknownKey):
        outbox.pin_aggregator(bundle.seal_enrolment_reply(district, "c" * 32), "http://x", hub_id=hub.id)
    with pytest.raises(BadSignature):
        outbox.pin_aggregator(bundle.seal_enrolment_reply(district, hub.id), "http://x", hub_id=hub.id,
                              expected_key_id="0" * 16)
    assert not outbox.state().enrolled


def test_due__a_row_waits_until_its_next_try(hub):
    row = outbox.enqueue(hub, "2026-11", 1, PAYLOAD, now=NOW)
    outbox.record_failure(row, NOW, None, "no link", datetime(2026, 12, 2, 10, 0))
    assert list(outbox.due(datetime(2026, 12, 2, 9, 59))) == []
    assert [r.id for r in outbox.due(datetime(2026, 12, 2, 10, 0))] == [row.id]
    stored = outbox.OutboxBundle.get_by_id(row.id)
    assert (stored.tries, stored.last_try_at, stored.last_status, stored.last_error) == (1, NOW, None, "no link")


def test_latest__the_highest_revision_of_this_hub(hub):
    for revision in (1, 2):
        outbox.enqueue(hub, "2026-11", revision, PAYLOAD, now=NOW)
    outbox.enqueue(hub, "2026-10", 1, PAYLOAD, now=NOW)
    assert outbox.latest("2026-11").revision == 2
    assert outbox.latest("2026-09") is None
    assert outbox.built_periods() == ["2026-11", "2026-10"]
    assert outbox.counts() == {"pending": 3, "delivered": 0, "refused": 0}
