"""USB sticks: bundles written whole or not at all, and every file on a stick judged by its content."""

import json
import os
import shlex
import sys

import pytest

from federation import bundle, signing, usb
from tests.isolation import can_unshare, on_small_stick

PAYLOAD = {"tables": {"children_reached": {"cells": {"female": 5, "male": 0, "other": 0}, "total": 5}}, "values": {}}

needs_mount_namespace = pytest.mark.skipif(not can_unshare("--mount"),
                                           reason="needs root and unshare --mount for a tmpfs stick")


@pytest.fixture
def hub_identity(tmp_path):
    (tmp_path / "hub-keys").mkdir()
    return signing.load_or_create(tmp_path / "hub-keys", signing.HUB)


def make_bundle(identity, sequence=1, period="2026-10", revision=1, epoch="e" * 32, payload=PAYLOAD):
    return bundle.seal(identity, epoch, sequence, period, revision, 1, payload)


def kinds(folder):
    return {item.name: item.kind for item in usb.read_folder(folder)}


def test_export_bundles__writes_each_bundle_whole_with_a_readme(tmp_path, hub_identity):
    stick = tmp_path / "stick"
    bundles = [make_bundle(hub_identity, sequence) for sequence in (1, 2, 3)]

    written = usb.export_bundles(stick, bundles)

    assert [path.read_bytes() for path in written] == bundles
    assert sorted(os.listdir(stick)) == sorted([path.name for path in written] + ["README.txt"])
    readme = (stick / "README.txt").read_text(encoding="utf-8")
    assert "no names" in readme and "district" in readme
    assert not any(name.endswith(".partial") for name in os.listdir(stick))


def test_export_bundles__twice_changes_nothing(tmp_path, hub_identity):
    stick = tmp_path / "stick"
    data = make_bundle(hub_identity)
    (path,) = usb.export_bundles(stick, [data])
    before = path.stat().st_mtime_ns

    usb.export_bundles(stick, [data])

    assert path.stat().st_mtime_ns == before and sorted(os.listdir(stick)) == sorted([path.name, "README.txt"])


def test_export_bundles__refuses_something_that_is_not_a_bundle(tmp_path, hub_identity):
    with pytest.raises(Exception) as raised:
        usb.export_bundles(tmp_path / "stick", [b"not a bundle"])
    assert "not UTF-8 JSON" in str(raised.value) or "malformed" in type(raised.value).__name__.lower()


def test_read_folder__classifies_by_content_never_by_name(tmp_path, hub_identity):
    stick = tmp_path / "stick"
    stick.mkdir()
    aggregator = signing.load_or_create(tmp_path, signing.AGGREGATOR)
    good = make_bundle(hub_identity)
    receipt = bundle.seal_receipt(aggregator, hub_identity.id, [
        {"epoch": "e" * 32, "sequence": 1, "sha256": signing.sha256(good), "status": bundle.STORED}])
    files = {
        "photo.jpg": good,                                          # a bundle, whatever its name
        "x.bundle.json": receipt,                                   # a receipt named like a bundle
        "enrol.txt": bundle.seal_enrolment(hub_identity, "code-1"),
        "reply": bundle.seal_enrolment_reply(aggregator, hub_identity.id, "http://10.0.0.2:8090"),
        "cut.bundle.json": good[: len(good) // 2],                   # the stick was pulled out
        "pretty.bundle.json": json.dumps(json.loads(good), indent=2).encode(),
        "other.json": b'{"format": "something-else"}',
        "letter.txt": "Dear mentor, ...".encode(),
        "binary.bin": bytes(range(256)),
        "a.bundle.json.partial": good,                               # an unfinished copy
    }
    for name, data in files.items():
        (stick / name).write_bytes(data)
    (stick / "DCIM").mkdir()

    assert kinds(stick) == {
        "photo.jpg": usb.BUNDLE, "x.bundle.json": usb.RECEIPT, "enrol.txt": usb.ENROLMENT,
        "reply": usb.ENROLMENT_REPLY, "cut.bundle.json": usb.TRUNCATED,
        "pretty.bundle.json": usb.NOT_CANONICAL, "other.json": usb.FOREIGN, "letter.txt": usb.FOREIGN,
        "binary.bin": usb.FOREIGN, "a.bundle.json.partial": usb.UNFINISHED,
    }
    by_name = {item.name: item for item in usb.read_folder(stick)}
    assert by_name["photo.jpg"].data == good and by_name["photo.jpg"].document["sequence"] == 1
    assert all(by_name[name].damaged for name in ("cut.bundle.json", "pretty.bundle.json"))
    assert not by_name["letter.txt"].damaged and not by_name["a.bundle.json.partial"].data


def test_read_folder__a_tampered_enrolment_is_invalid_a_tampered_bundle_waits_for_its_key(tmp_path,
                                                                                          hub_identity):
    stick = tmp_path / "stick"
    stick.mkdir()
    enrolment = json.loads(bundle.seal_enrolment(hub_identity, "code-1"))
    enrolment["code"] = "code-2"
    (stick / "enrolment.json").write_bytes(signing.canonical(enrolment))
    document = json.loads(make_bundle(hub_identity))
    document["payload"]["tables"]["children_reached"]["total"] = 500
    (stick / "bundle.json").write_bytes(signing.canonical(document))

    items = {item.name: item for item in usb.read_folder(stick)}

    assert items["enrolment.json"].kind == usb.INVALID and "signature" in items["enrolment.json"].reason
    # A bundle's signature is checked by whoever holds the hub's enrolled key (the aggregator).
    assert items["bundle.json"].kind == usb.BUNDLE
    with pytest.raises(Exception, match="signature"):
        bundle.open_bundle(items["bundle.json"].data, hub_identity.public_key)


def test_readme__is_recognised_and_left_alone(tmp_path, hub_identity):
    stick = tmp_path / "stick"
    usb.export_bundles(stick, [])
    assert kinds(stick) == {"README.txt": usb.README}


def test_read_folder__a_missing_stick_is_a_clear_error(tmp_path):
    with pytest.raises(usb.UsbError, match="gone or damaged"):
        usb.read_folder(tmp_path / "no-stick")


def _export_script(stick, bundles_dir):
    """Shell: export the bundles in bundles_dir to stick with federation.usb; print the outcome as JSON."""
    code = ("import json, sys, os; from pathlib import Path; from federation import usb\n"
            "data = [p.read_bytes() for p in sorted(Path(sys.argv[2]).iterdir())]\n"
            "try:\n"
            "    usb.export_bundles(sys.argv[1], data); error = ''\n"
            "except usb.UsbError as exc:\n"
            "    error = str(exc)\n"
            "print(json.dumps({'error': error, 'files': sorted(os.listdir(sys.argv[1])),\n"
            "                  'whole': [usb.read_file(Path(sys.argv[1], n)).kind\n"
            "                            for n in sorted(os.listdir(sys.argv[1]))]}))\n")
    args = (sys.executable, "-c", code, str(stick), str(bundles_dir))
    return " ".join(shlex.quote(arg) for arg in args)


@needs_mount_namespace
def test_export_bundles__a_full_stick_is_a_clear_error_and_leaves_no_half_file(tmp_path, hub_identity):
    stick, bundles_dir = tmp_path / "stick", tmp_path / "bundles"
    stick.mkdir()
    bundles_dir.mkdir()
    big = {"tables": {f"t{n}": {"cells": {"c": 5}, "total": 5} for n in range(120)}, "values": {}}
    for sequence in range(1, 6):
        (bundles_dir / f"{sequence}").write_bytes(make_bundle(hub_identity, sequence, payload=big))

    result = on_small_stick(stick, _export_script(stick, bundles_dir), size="16k")

    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert "is full" in outcome["error"] and "Nothing was marked as sent" in outcome["error"]
    assert not any(name.endswith(".partial") for name in outcome["files"])
    assert outcome["files"] and set(outcome["whole"]) == {usb.BUNDLE}   # what was written is whole


@needs_mount_namespace
def test_export_bundles__a_read_only_stick_is_a_clear_error(tmp_path, hub_identity):
    stick, bundles_dir = tmp_path / "stick", tmp_path / "bundles"
    stick.mkdir()
    bundles_dir.mkdir()
    (bundles_dir / "1").write_bytes(make_bundle(hub_identity))

    result = on_small_stick(stick, _export_script(stick, bundles_dir), read_only=True)

    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert "read-only" in outcome["error"] and outcome["files"] == []


def test_classify__a_bundle_cut_anywhere_is_truncated_never_a_bundle(hub_identity):
    good = make_bundle(hub_identity)
    verdicts = {usb.classify("cut", good[:length]).kind for length in range(1, len(good))}
    assert verdicts == {usb.TRUNCATED}


# -- the coordinator's page /sharing/transfer (a real hub app; sticks are folders under MEDIA_DIRS)

@pytest.fixture
def media(app, tmp_path):
    folder = tmp_path / "media"
    folder.mkdir()
    app.config["MEDIA_DIRS"] = str(folder)
    return folder


def pin_test_aggregator(app, tmp_path):
    """Enrol the hub with an aggregator identity made here (its reply is real, signed with its key)."""
    from federation import outbox

    aggregator = signing.load_or_create(tmp_path, signing.AGGREGATOR)
    with app.app_context():
        hub_id = signing.load_or_create(app.config["DATA_DIR"], signing.HUB).id
        outbox.pin_aggregator(bundle.seal_enrolment_reply(aggregator, hub_id, "http://127.0.0.1:9"), "")
    return aggregator


def queue_bundle(app, period="2026-10"):
    from federation import outbox

    with app.app_context():
        identity = signing.load_or_create(app.config["DATA_DIR"], signing.HUB)
        return bytes(outbox.enqueue(identity, period, 1, PAYLOAD).content), identity


def outbox_rows(app):
    from federation import outbox

    with app.app_context():
        return [(row.sequence, row.origin, row.state, row.route) for row in outbox.OutboxBundle.select()]


def post_button(client, path, stick):
    from tests.conftest import csrf_token

    return client.post(path, data={"stick": str(stick), "csrf_token": csrf_token(client, "/sharing/transfer")})


def test_transfer_page__says_when_no_stick_is_plugged_in(login_as, media):
    page = login_as("coordinator").get("/sharing/transfer").get_data(as_text=True)
    assert "No USB stick found" in page and str(media) in page
    assert "Discovery is not running" in page


@pytest.mark.parametrize("role", ["case_worker", "facilitator", "member"])
def test_transfer_page__coordinator_only(login_as, media, role):
    client = login_as(role)
    assert client.get("/sharing/transfer").status_code == 403
    assert client.post("/sharing/transfer/export", data={"stick": str(media)}).status_code in (400, 403)


def test_transfer_page__writes_summaries_then_reads_the_acknowledgement(app, login_as, media, tmp_path):
    stick = media / "STICK"
    stick.mkdir()
    aggregator = pin_test_aggregator(app, tmp_path)
    content, identity = queue_bundle(app)
    client = login_as("coordinator")
    assert f'value="{stick}"' in client.get("/sharing/transfer").get_data(as_text=True)

    written = post_button(client, "/sharing/transfer/export", stick)

    assert written.status_code == 200
    name = usb.bundle_file_name(json.loads(content))
    assert (stick / name).read_bytes() == content
    assert name in written.get_data(as_text=True) and "Written" in written.get_data(as_text=True)
    assert outbox_rows(app) == [(1, "own", "pending", "")]          # written is not delivered

    receipt = bundle.seal_receipt(aggregator, identity.id, [{"epoch": json.loads(content)["epoch"],
                                                               "sequence": 1, "sha256": signing.sha256(content),
                                                               "status": "stored"}])
    usb.write_document(stick, usb.receipt_file_name(identity.id), receipt)
    read = post_button(client, "/sharing/transfer/import", stick).get_data(as_text=True)

    assert "Confirmed" in read and "1 summary confirmed by the district" in read
    assert outbox_rows(app) == [(1, "own", "delivered", "usb")]


def test_transfer_page__refuses_a_folder_that_is_not_a_listed_stick(app, login_as, media, tmp_path):
    (media / "STICK").mkdir()
    queue_bundle(app)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    response = post_button(login_as("coordinator"), "/sharing/transfer/export", elsewhere)

    assert response.status_code == 302 and os.listdir(elsewhere) == []


def test_transfer_page__a_receipt_signed_by_another_key_marks_nothing(app, login_as, media, tmp_path):
    stick = media / "STICK"
    stick.mkdir()
    pin_test_aggregator(app, tmp_path)
    content, identity = queue_bundle(app)
    (tmp_path / "rogue").mkdir()
    rogue = signing.load_or_create(tmp_path / "rogue", signing.AGGREGATOR)
    usb.write_document(stick, "receipt.json", bundle.seal_receipt(rogue, identity.id, [
        {"epoch": json.loads(content)["epoch"], "sequence": 1, "sha256": signing.sha256(content),
         "status": "stored"}]))

    page = post_button(login_as("coordinator"), "/sharing/transfer/import", stick).get_data(as_text=True)

    assert "Refused" in page and "1 refused" in page
    assert outbox_rows(app) == [(1, "own", "pending", "")]
