"""The district reads a USB stick: every file verified and stored, or refused with its reason; acks written.

Real aggregator app and database (SQLite and PostgreSQL, conftest), real hub keys, real files on a folder.
"""

import json

from federation import bundle, signing, usb
from federation.aggregator import usb as aggregator_usb

PAYLOAD = {"tables": {}, "values": {}}


def new_hub(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    return signing.load_or_create(folder, signing.HUB)


def enrolled_hub(tmp_path, name="Rampur"):
    """A hub identity enrolled with the aggregator (by the same function the HTTP API uses)."""
    from federation.aggregator import enrol

    identity = new_hub(tmp_path, name)
    enrol.enrol(bundle.seal_enrolment(identity, enrol.issue_code(name)))
    return identity


def seal(identity, sequence=1, period="2026-10", revision=1, payload=PAYLOAD):
    return bundle.seal(identity, "e" * 32, sequence, period, revision, 1, payload)


def verdicts(outcomes):
    return {outcome.name: outcome.verdict for outcome in outcomes}


def stored_bundles():
    from federation.aggregator.models import Bundle

    return sorted((row.hub_id, row.sequence, row.route) for row in Bundle.select())


def test_import_folder__stores_bundles_by_content_and_is_idempotent(district, tmp_path):
    hub = enrolled_hub(tmp_path)
    stick = tmp_path / "stick"
    usb.export_bundles(stick, [seal(hub, 1), seal(hub, 2, period="2026-11")])

    first = aggregator_usb.import_folder(stick)
    again = aggregator_usb.import_folder(stick)

    names = [path.name for path in sorted(stick.iterdir()) if path.name.endswith(".bundle.json")]
    assert verdicts(first) == {**{name: "stored" for name in names}, "README.txt": "ignored"}
    assert verdicts(again) == {**{name: "duplicate" for name in names}, "README.txt": "ignored"}
    assert stored_bundles() == [(hub.id, 1, "usb"), (hub.id, 2, "usb")]


def test_import_folder__bad_files_get_a_verdict_and_store_nothing(district, tmp_path):
    hub = enrolled_hub(tmp_path)
    stranger = new_hub(tmp_path, "Stranger")             # never enrolled
    stick = tmp_path / "stick"
    stick.mkdir()
    good = seal(hub, 1)
    tampered = json.loads(seal(hub, 2))
    tampered["period"] = "2026-09"
    files = {
        "good.json": good,
        "tampered.json": signing.canonical(tampered),
        "stranger.json": seal(stranger, 1),
        "cut.json": good[:100],
        "pretty.json": json.dumps(json.loads(seal(hub, 3)), indent=1).encode(),
        "holiday.jpg": b"\xff\xd8\xff\xe0 not a summary",
        "left.bundle.json.partial": seal(hub, 4),
    }
    for name, data in files.items():
        (stick / name).write_bytes(data)

    outcomes = {outcome.name: outcome for outcome in aggregator_usb.import_folder(stick)}

    assert {name: outcome.verdict for name, outcome in outcomes.items()} == {
        "good.json": "stored", "tampered.json": "refused", "stranger.json": "refused", "cut.json": "refused",
        "pretty.json": "refused", "holiday.jpg": "ignored", "left.bundle.json.partial": "ignored"}
    assert "bad_signature" in outcomes["tampered.json"].detail
    assert "unknown_key" in outcomes["stranger.json"].detail
    assert "ends before" in outcomes["cut.json"].detail
    assert "canonical" in outcomes["pretty.json"].detail
    assert stored_bundles() == [(hub.id, 1, "usb")]     # nothing invalid stored, nothing valid lost


def test_import_folder__enrols_a_hub_by_file_and_export_acks_writes_its_reply(district, tmp_path):
    from federation.aggregator import enrol

    hub = new_hub(tmp_path, "Rampur")
    stick = tmp_path / "stick"
    stick.mkdir()
    request = bundle.seal_enrolment(hub, enrol.issue_code("Rampur"))
    usb.write_document(stick, usb.enrolment_file_name(hub.id), request)

    (outcome,) = aggregator_usb.import_folder(stick)
    (again,) = aggregator_usb.import_folder(stick)           # the same request again: the same reply
    written = aggregator_usb.export_acks(stick)

    assert (outcome.verdict, again.verdict) == ("enrolled", "enrolled")
    assert [path.name for path in written] == [usb.enrolment_reply_file_name(hub.id)]
    reply = bundle.open_enrolment_reply(written[0].read_bytes())
    identity = district.extensions["aggregator_identity"]
    assert (reply["hub_id"], reply["public_key"]) == (hub.id, identity.public_key)


def test_import_folder__one_trip_enrols_a_new_hub_before_taking_its_first_bundle(district, tmp_path):
    from federation.aggregator import enrol

    hub = new_hub(tmp_path, "Rampur")
    stick = tmp_path / "stick"
    stick.mkdir()
    # Named so that the bundle comes first in name order: it must still wait for the enrolment.
    (stick / "a-first-summary.json").write_bytes(seal(hub, 1))
    (stick / "z-enrolment.json").write_bytes(bundle.seal_enrolment(hub, enrol.issue_code("Rampur")))

    outcomes = aggregator_usb.import_folder(stick)

    assert [(outcome.name, outcome.verdict) for outcome in outcomes] == [
        ("z-enrolment.json", "enrolled"), ("a-first-summary.json", "stored")]
    assert stored_bundles() == [(hub.id, 1, "usb")]


def test_export_acks__a_receipt_per_hub_on_the_stick_for_everything_held(district, tmp_path):
    rampur, sonpur = enrolled_hub(tmp_path, "Rampur"), enrolled_hub(tmp_path, "Sonpur")
    stick = tmp_path / "stick"
    usb.export_bundles(stick, [seal(rampur, 1), seal(rampur, 2, period="2026-11"), seal(sonpur, 1)])
    aggregator_usb.import_folder(stick)

    written = aggregator_usb.export_acks(stick)

    assert sorted(path.name for path in written) == sorted([usb.receipt_file_name(rampur.id),
                                                            usb.receipt_file_name(sonpur.id)])
    key = district.extensions["aggregator_identity"].public_key
    receipt = bundle.open_receipt((stick / usb.receipt_file_name(rampur.id)).read_bytes(), key)
    assert receipt["hub_id"] == rampur.id
    assert [(entry["sequence"], entry["sha256"]) for entry in receipt["bundles"]] == [
        (1, signing.sha256(seal(rampur, 1))), (2, signing.sha256(seal(rampur, 2, period="2026-11")))]
    assert not any(path.name.endswith(".partial") for path in stick.iterdir())


def test_export_acks__nothing_for_hubs_the_district_does_not_know(district, tmp_path):
    stranger = new_hub(tmp_path, "Stranger")
    stick = tmp_path / "stick"
    usb.export_bundles(stick, [seal(stranger, 1)])
    aggregator_usb.import_folder(stick)

    assert aggregator_usb.export_acks(stick) == []


def test_cli_import__per_file_report_and_exit_status(district, database_url, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from hub.cli import main

    hub = enrolled_hub(tmp_path)
    stick = tmp_path / "stick"
    usb.export_bundles(stick, [seal(hub, 1)])
    monkeypatch.setenv("COMMUNITYHUB_DATA_DIR", district.config["DATA_DIR"])
    monkeypatch.setenv("COMMUNITYHUB_DATABASE_URL", database_url)
    runner = CliRunner()

    clean = runner.invoke(main, ["aggregator", "import", "--from", str(stick)], catch_exceptions=False)
    (stick / "cut.json").write_bytes(seal(hub, 2)[:50])
    dirty = runner.invoke(main, ["aggregator", "import", "--from", str(stick)], catch_exceptions=False)
    acks = runner.invoke(main, ["aggregator", "export-acks", "--to", str(stick)], catch_exceptions=False)

    assert clean.exit_code == 0, clean.output
    assert f"{usb.bundle_file_name(json.loads(seal(hub, 1)))}: stored" in clean.stdout
    assert dirty.exit_code == 1 and "cut.json: refused" in dirty.stdout
    assert acks.exit_code == 0 and usb.receipt_file_name(hub.id) in acks.stdout


def test_cli_import__json_counts_every_verdict_and_export_acks_json_names_the_files(
        district, database_url, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from hub.cli import main

    hub = enrolled_hub(tmp_path)
    stick = tmp_path / "stick"
    usb.export_bundles(stick, [seal(hub, 1), seal(hub, 2, period="2026-11")])
    monkeypatch.setenv("COMMUNITYHUB_DATA_DIR", district.config["DATA_DIR"])
    monkeypatch.setenv("COMMUNITYHUB_DATABASE_URL", database_url)
    runner = CliRunner()

    first = runner.invoke(main, ["aggregator", "import", "--from", str(stick), "--json"], catch_exceptions=False)
    again = runner.invoke(main, ["aggregator", "import", "--from", str(stick), "--json"], catch_exceptions=False)
    acks = runner.invoke(main, ["aggregator", "export-acks", "--to", str(stick), "--json"],
                         catch_exceptions=False)

    report, second = json.loads(first.stdout), json.loads(again.stdout)
    assert (first.exit_code, report["ok"]) == (0, True)
    assert (report["counts"]["stored"], report["counts"]["ignored"], report["counts"]["refused"]) == (2, 1, 0)
    assert (second["counts"]["stored"], second["counts"]["duplicate"]) == (0, 2)   # idempotent
    assert {entry["hub_id"] for entry in report["files"] if entry["verdict"] == "stored"} == {hub.id}
    assert json.loads(acks.stdout)["written"] == [usb.receipt_file_name(hub.id)]


def test_cli_import__a_missing_stick_is_a_clear_error(district, database_url, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from hub.cli import main

    monkeypatch.setenv("COMMUNITYHUB_DATA_DIR", district.config["DATA_DIR"])
    monkeypatch.setenv("COMMUNITYHUB_DATABASE_URL", database_url)

    result = CliRunner().invoke(main, ["aggregator", "import", "--from", str(tmp_path / "no-stick")])

    assert result.exit_code == 1
    assert "is gone or damaged" in result.output
