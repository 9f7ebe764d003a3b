"""A hostile USB stick, through every command that reads or writes one and through the sharing page.

The stick is a folder built here: links to files outside it (a stand-in for hub.sqlite3, a valid bundle
the importer must not read through a link), links planted where the hub writes (`.partial` names and
final names), a FIFO, a 1 GB sparse file, thousands of files, names with new lines, escape sequences and
bytes that are not UTF-8, JSON nested 100,000 deep, and forged relay bundles. Whatever the stick holds:
nothing outside it changes or is read, every command finishes with a verdict per file, names print
escaped, and what a hub keeps for relay stays bounded.
"""

import json
import os

import pytest

from federation import bundle, outbox, signing, usb
from tests.conftest import csrf_token
from tests.test_relay import enqueue, enrol_code, make_aggregator, make_hub

PAYLOAD = {"tables": {}, "values": {}}
VICTIM = b"SQLite format 3\x00 the hub's case database: must never change\n"
ESCAPE_NAME = "\x1b]2;owned\x07\x1b[2J.json"
NEWLINE_NAME = "forged\nREADME.txt: marked.json"
BYTES_NAME = os.fsdecode(b"bad-\xff\xfe.json")
JUNK_FILES = 3000
FORGED = outbox.MAX_RELAY_PER_HUB + 12


@pytest.fixture
def outside(tmp_path):
    """A folder beside the stick: the victim file, and a valid bundle only a link on the stick points at."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "hub.sqlite3").write_bytes(VICTIM)
    return folder


@pytest.fixture
def district(runner, tmp_path):
    return make_aggregator(runner, tmp_path / "aggregator")


@pytest.fixture
def rampur(runner, tmp_path, district):
    """A hub enrolled with the district by file (the stick dance, on a clean stick)."""
    hub = make_hub(runner, tmp_path / "rampur", "Rampur")
    clean = tmp_path / "clean-stick"
    hub("enroll", "--code", enrol_code(district, "Rampur"), "--to", str(clean))
    district("aggregator", "import", "--from", str(clean))
    district("aggregator", "export-acks", "--to", str(clean))
    hub("import", "--from", str(clean))
    return hub


def forged_hub(tmp_path, name):
    folder = tmp_path / "forgers" / name
    folder.mkdir(parents=True)
    return signing.load_or_create(folder, signing.HUB)


def build_hostile_stick(stick, outside, tmp_path, good=None, linked=None):
    """The stick: every hostile thing at once; good is a valid bundle put on it as a plain file, linked a
    valid bundle reached only through a link."""
    stick.mkdir(parents=True, exist_ok=True)
    (stick / "case-database.json").symlink_to(outside / "hub.sqlite3")
    (stick / "shadow.json").symlink_to("/etc/shadow")
    if linked is not None:
        (outside / "valid.bundle.json").write_bytes(linked)
        (stick / "linked.bundle.json").symlink_to(outside / "valid.bundle.json")
    (stick / "folder-link").symlink_to(outside)
    (stick / "dangling.json").symlink_to(outside / "nothing-here")
    os.mkfifo(stick / "pipe.bundle.json")
    with open(stick / "huge.bundle.json", "wb") as handle:
        handle.truncate(1024 ** 3)  # 1 GB, sparse: nothing is written
    junk = stick / "photos"
    for index in range(JUNK_FILES):
        (stick / f"junk-{index:05d}.txt").write_bytes(b"x")
    junk.mkdir()
    for name in (ESCAPE_NAME, NEWLINE_NAME, BYTES_NAME, "\u202eNOSJ.exe"):
        (stick / name).write_bytes(b'{"not": "ours"}')
    (stick / "deep.json").write_bytes(b"[" * 100_000)
    (stick / "deep-bundle.json").write_bytes(b'{"format":"communityhub-bundle","payload":' + b"[" * 100_000)
    forger = forged_hub(tmp_path, "forger")
    for sequence in range(1, FORGED + 1):
        data = bundle.seal(forger, "f" * 32, sequence, "2026-10", 1, 1, PAYLOAD)
        (stick / f"forged-{sequence:03d}.bundle.json").write_bytes(data)
    padded = bundle.seal(forger, "f" * 32, 999, "2026-10", 1, 1, {"tables": {}, "values": {}, "x": "y" * 200_000})
    (stick / "padded.bundle.json").write_bytes(padded)
    oversize = bundle.seal(forger, "f" * 32, 998, "2026-10", 1, 1, {"tables": {}, "values": {}, "x": "y" * 300_000})
    (stick / "oversize.bundle.json").write_bytes(oversize)
    if good is not None:
        (stick / "zz-good.bundle.json").write_bytes(good)
    return stick


def assert_names_escaped(output):
    assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    assert "\\x1b]2;owned\\x07\\x1b[2J.json" in output
    assert "forged\\nREADME.txt: marked.json" in output
    assert "bad-\\xff\\xfe.json" in output
    assert not any(line.startswith("README.txt: marked") for line in output.splitlines())


def verdicts(output):
    """{file name: verdict} from the `name: verdict (detail)` lines of an import."""
    found = {}
    for line in output.splitlines():
        name, _, rest = line.partition(": ")
        if rest:
            found[name] = rest.split(" ", 1)[0]
    return found


# --- reading a hostile stick -------------------------------------------------------------------------------

def test_hub_import__hostile_stick_reads_only_its_plain_files_and_bounds_the_relay(rampur, outside, tmp_path):
    other = forged_hub(tmp_path, "other")
    linked = bundle.seal(other, "a" * 32, 1, "2026-10", 1, 1, PAYLOAD)
    good = bundle.seal(other, "a" * 32, 2, "2026-10", 1, 1, PAYLOAD)
    stick = build_hostile_stick(tmp_path / "stick", outside, tmp_path, good=good, linked=linked)

    output = rampur("import", "--from", str(stick), expect=1)

    assert_names_escaped(output)
    seen = verdicts(output)
    for name in ("case-database.json", "shadow.json", "linked.bundle.json", "pipe.bundle.json", "dangling.json",
                 "folder-link"):
        assert seen[name] == "ignored", name
    assert "a link, pipe or device, not a file: not read" in output
    assert seen["deep.json"] == seen["deep-bundle.json"] == "refused"
    assert seen["padded.bundle.json"] == seen["oversize.bundle.json"] == "refused"
    assert seen["huge.bundle.json"] == "ignored"
    assert seen["zz-good.bundle.json"] == "stored"  # the files after the bad ones were read too
    assert "older summary of another hub was dropped" in output or "older summaries" in output
    with rampur.context():
        relayed = [(row.hub_id, row.sequence) for row in outbox.OutboxBundle.select()
                   .where(outbox.OutboxBundle.origin == outbox.RELAY)]
    forger = signing.load_or_create(tmp_path / "forgers" / "forger", signing.HUB).id
    assert sum(hub_id == forger for hub_id, _ in relayed) == outbox.MAX_RELAY_PER_HUB
    assert min(sequence for hub_id, sequence in relayed if hub_id == forger) == FORGED - outbox.MAX_RELAY_PER_HUB + 1
    assert (other.id, 2) in relayed and (other.id, 1) not in relayed  # the linked bundle was never read
    assert (outside / "hub.sqlite3").read_bytes() == VICTIM


def test_aggregator_import__hostile_stick_goes_on_file_by_file(rampur, district, outside, tmp_path):
    linked = enqueue(rampur, period="2026-09")
    good = enqueue(rampur, period="2026-10")
    stick = build_hostile_stick(tmp_path / "stick", outside, tmp_path, good=good, linked=linked)

    output = district("aggregator", "import", "--from", str(stick), expect=1)

    assert_names_escaped(output)
    seen = verdicts(output)
    assert seen["zz-good.bundle.json"] == "stored"
    assert seen["linked.bundle.json"] == seen["pipe.bundle.json"] == seen["case-database.json"] == "ignored"
    assert seen["deep.json"] == seen["deep-bundle.json"] == "refused"
    assert seen["forged-001.bundle.json"] == "refused"  # a hub the district never enrolled
    summary = json.loads(district("aggregator", "import", "--from", str(stick), "--json", expect=1))
    assert summary["counts"]["stored"] == 0 and summary["counts"]["duplicate"] == 1  # the link never counted
    assert (outside / "hub.sqlite3").read_bytes() == VICTIM


# --- writing to a hostile stick ----------------------------------------------------------------------------

def plant_links(stick, names, target):
    stick.mkdir(parents=True, exist_ok=True)
    for name in names:
        (stick / name).symlink_to(target)


def test_hub_export__links_planted_at_temporary_names_are_replaced_never_followed(rampur, outside, tmp_path):
    data = enqueue(rampur)
    name = usb.bundle_file_name(bundle.read_bundle(data))
    stick = tmp_path / "stick"
    plant_links(stick, [name + ".partial", "README.txt.partial"], outside / "hub.sqlite3")

    rampur("export", "--to", str(stick))

    assert (outside / "hub.sqlite3").read_bytes() == VICTIM
    assert (stick / name).read_bytes() == data and not (stick / name).is_symlink()
    assert not (stick / (name + ".partial")).exists() and not (stick / (name + ".partial")).is_symlink()


@pytest.mark.parametrize("plant", ["link", "fifo", "folder"])
def test_hub_export__a_final_name_taken_by_a_link_pipe_or_folder_is_refused(rampur, outside, tmp_path, plant):
    data = enqueue(rampur)
    name = usb.bundle_file_name(bundle.read_bundle(data))
    stick = tmp_path / "stick"
    stick.mkdir()
    if plant == "link":
        (stick / name).symlink_to(outside / "hub.sqlite3")
    elif plant == "fifo":
        os.mkfifo(stick / name)
    else:
        (stick / name).mkdir()

    output = rampur("export", "--to", str(stick), expect=1)

    assert "nothing was written through it" in output
    assert (outside / "hub.sqlite3").read_bytes() == VICTIM
    assert sorted(path.name for path in stick.iterdir()) == [name]  # no .partial left behind


def test_enroll_to__a_link_at_the_request_name_is_never_followed(runner, district, outside, tmp_path):
    hub = make_hub(runner, tmp_path / "rampur", "Rampur")
    name = usb.enrolment_file_name(hub.identity.id)
    stick = tmp_path / "stick"
    plant_links(stick, [name + ".partial"], outside / "hub.sqlite3")

    hub("enroll", "--code", enrol_code(district, "Rampur"), "--to", str(stick))

    assert (outside / "hub.sqlite3").read_bytes() == VICTIM
    assert bundle.open_enrolment((stick / name).read_bytes())["hub_id"] == hub.identity.id


def test_aggregator_export_acks__links_at_receipt_names_are_never_followed(rampur, district, outside, tmp_path):
    stick = tmp_path / "stick"
    enqueue(rampur)
    rampur("export", "--to", str(stick))
    district("aggregator", "import", "--from", str(stick))
    receipt = usb.receipt_file_name(rampur.identity.id)
    plant_links(stick, [receipt + ".partial"], outside / "hub.sqlite3")

    district("aggregator", "export-acks", "--to", str(stick))

    assert (outside / "hub.sqlite3").read_bytes() == VICTIM
    assert bundle.read_receipt((stick / receipt).read_bytes())["hub_id"] == rampur.identity.id

    (stick / receipt).unlink()
    (stick / receipt).symlink_to(outside / "hub.sqlite3")
    output = district("aggregator", "export-acks", "--to", str(stick), expect=1)
    assert "nothing was written through it" in output
    assert (outside / "hub.sqlite3").read_bytes() == VICTIM


# --- the coordinator's page --------------------------------------------------------------------------------

def test_sharing_page__imports_a_hostile_stick_and_shows_names_escaped(app, login_as, outside, tmp_path):
    media = tmp_path / "media"
    stick = build_hostile_stick(media / "STICK", outside, tmp_path)
    app.config["MEDIA_DIRS"] = str(media)
    coordinator = login_as("coordinator")
    token = csrf_token(coordinator, "/sharing/transfer")

    reply = coordinator.post("/sharing/transfer/import", data={"stick": str(stick), "csrf_token": token})

    text = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "\x1b" not in text and "\\x1b]2;owned\\x07\\x1b[2J.json" in text
    assert "bad-\\xff\\xfe.json" in text and "a link, pipe or device, not a file: not read" in text
    assert (outside / "hub.sqlite3").read_bytes() == VICTIM
