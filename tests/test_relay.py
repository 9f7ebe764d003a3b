"""USB and relay end to end: two hubs, a stick, and a real aggregator serving on loopback.

Hub A has no link: it exports to a stick. Hub B reads the stick (it keeps A's bundles untouched, as
foreign), and B's delivery forwards them to the aggregator. The aggregator's receipt names hub A: B cannot
mark A's summaries delivered; A marks them when it imports the district's acknowledgements.
Also: the USB round trip through the CLI (enrolment by file included) and bad sticks.
"""

import json
import os
import shlex
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from federation import bundle, signing, usb
from hub.app import create_app
from hub.db import database
from tests.factories import make_village
from tests.isolation import can_unshare, on_small_stick
from tests.server import LOOPBACK, default_executable, fetch, free_port, hub_environment

PAYLOAD = {"tables": {}, "values": {}}


class Node:
    """One data folder (a hub or the aggregator) driven through the real `communityhub` command."""

    def __init__(self, runner, data_dir):
        self.runner, self.data_dir = runner, Path(data_dir)

    def __call__(self, *args, expect=0):
        result = self.runner.invoke(list(args), env={"COMMUNITYHUB_DATA_DIR": str(self.data_dir)})
        assert result.exit_code == expect, f"{args}: exit {result.exit_code}\n{result.output}"
        return result.output

    @contextmanager
    def context(self):
        """The hub's app context with its database connected (to read and seed its tables)."""
        app = create_app({"DATA_DIR": str(self.data_dir), "TESTING": True})
        with app.app_context(), database.connection_context():
            yield app

    @property
    def identity(self):
        return signing.load_or_create(self.data_dir, signing.HUB)


def make_hub(runner, data_dir, village):
    hub = Node(runner, data_dir)
    hub("init")
    with hub.context():
        make_village(name=village)
    return hub


def make_aggregator(runner, data_dir):
    aggregator = Node(runner, data_dir)
    aggregator("aggregator", "init")
    return aggregator


def enrol_code(aggregator, name):
    return json.loads(aggregator("aggregator", "enrol-code", "--hub-name", name, "--json"))["code"]


def enqueue(hub, period="2026-10", revision=1):
    """A sealed summary in the hub's outbox, as publishing a month makes one."""
    from federation import outbox

    with hub.context():
        row = outbox.enqueue(hub.identity, period, revision, PAYLOAD)
        return bytes(row.content)


def outbox_states(hub):
    from federation import outbox

    with hub.context():
        return sorted((row.hub_id, row.sequence, row.origin, row.state) for row in outbox.OutboxBundle.select())


def aggregator_bundles(aggregator):
    from federation.aggregator import db
    from federation.aggregator.app import create_app as create_aggregator
    from federation.aggregator.models import Bundle

    app = create_aggregator({"DATA_DIR": str(aggregator.data_dir), "TESTING": True})
    with app.app_context(), db.database.connection_context():
        return sorted((row.hub_id, row.sequence, bytes(row.content)) for row in Bundle.select())


@contextmanager
def serving(aggregator):
    """`communityhub aggregator run` on a free loopback port; yields its base URL once /healthz is 200."""
    port = free_port()
    url = f"http://{LOOPBACK}:{port}"
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen([default_executable(), "aggregator", "run", "--host", LOOPBACK, "--port",
                                    str(port)], env=hub_environment(aggregator.data_dir),
                                   stdin=subprocess.DEVNULL, stdout=output, stderr=output)
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                assert process.poll() is None, "the aggregator exited before answering /healthz"
                try:
                    if fetch(url + "/healthz", timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


def files(folder, suffix=""):
    return sorted(path.name for path in Path(folder).iterdir() if path.name.endswith(suffix))


@pytest.fixture
def district(runner, tmp_path):
    return make_aggregator(runner, tmp_path / "aggregator")


def test_usb_round_trip__enrol_by_file_then_deliver_by_file(runner, tmp_path, district):
    hub = make_hub(runner, tmp_path / "rampur", "Rampur")
    stick = tmp_path / "stick"

    hub("enroll", "--code", enrol_code(district, "Rampur"), "--to", str(stick))
    assert "enrolled" in district("aggregator", "import", "--from", str(stick))
    district("aggregator", "export-acks", "--to", str(stick))
    imported = hub("import", "--from", str(stick))
    assert f"{usb.enrolment_reply_file_name(hub.identity.id)}: pinned" in imported

    sent = enqueue(hub)
    hub("export", "--to", str(stick))
    assert ": stored" in district("aggregator", "import", "--from", str(stick))
    district("aggregator", "export-acks", "--to", str(stick))
    assert outbox_states(hub) == [(hub.identity.id, 1, "own", "pending")]
    imported = hub("import", "--from", str(stick))

    assert f"{usb.receipt_file_name(hub.identity.id)}: marked" in imported
    assert outbox_states(hub) == [(hub.identity.id, 1, "own", "delivered")]
    assert aggregator_bundles(district) == [(hub.identity.id, 1, sent)]
    again = hub("import", "--from", str(stick))           # a stick read twice changes nothing
    assert outbox_states(hub) == [(hub.identity.id, 1, "own", "delivered")] and "refused" not in again


def test_relay__b_forwards_a_untouched_and_only_a_marks_its_own(runner, tmp_path, district):
    hub_a = make_hub(runner, tmp_path / "a", "Rampur")
    hub_b = make_hub(runner, tmp_path / "b", "Sonpur")
    stick = tmp_path / "stick"
    with serving(district) as url:
        hub_a("enroll", "--aggregator", url, "--code", enrol_code(district, "Rampur"))
        hub_b("enroll", "--aggregator", url, "--code", enrol_code(district, "Sonpur"))
        sent = enqueue(hub_a)                             # A's link is down: it never syncs

        hub_a("export", "--to", str(stick))
        assert ": stored" in hub_b("import", "--from", str(stick))
        assert ("relay", "pending") == outbox_states(hub_b)[0][2:]
        hub_b("sync")

    a_id = hub_a.identity.id
    assert aggregator_bundles(district) == [(a_id, 1, sent)]                # the exact bytes A signed
    assert outbox_states(hub_a) == [(a_id, 1, "own", "pending")]            # B cannot mark A's rows
    district("aggregator", "export-acks", "--to", str(stick))
    assert f"{usb.receipt_file_name(a_id)}: marked" in hub_a("import", "--from", str(stick))
    assert outbox_states(hub_a) == [(a_id, 1, "own", "delivered")]


def test_import__a_stick_of_bad_files_each_gets_a_verdict_and_nothing_invalid_is_kept(runner, tmp_path,
                                                                                     district):
    hub = make_hub(runner, tmp_path / "rampur", "Rampur")
    other = make_hub(runner, tmp_path / "other", "Sonpur")
    stick = tmp_path / "stick"
    stick.mkdir()
    hub("enroll", "--code", enrol_code(district, "Rampur"), "--to", str(stick))
    district("aggregator", "import", "--from", str(stick))
    district("aggregator", "export-acks", "--to", str(stick))
    hub("import", "--from", str(stick))
    rogue = signing.load_or_create(tmp_path, signing.AGGREGATOR)   # an aggregator the hub never pinned
    own = enqueue(hub)
    foreign = enqueue(other)
    (stick / "rogue.receipt.json").write_bytes(bundle.seal_receipt(rogue, hub.identity.id, [
        {"epoch": json.loads(own)["epoch"], "sequence": 1, "sha256": signing.sha256(own), "status": "stored"}]))
    (stick / "rogue-reply.json").write_bytes(bundle.seal_enrolment_reply(rogue, hub.identity.id, "http://x"))
    (stick / "cut.bundle.json").write_bytes(foreign[:-20])
    (stick / "own.bundle.json").write_bytes(own)
    (stick / "half.bundle.json.partial").write_bytes(foreign)
    (stick / "notes.txt").write_text("Visit on Tuesday", encoding="utf-8")

    output = hub("import", "--from", str(stick), expect=1)

    lines = dict(line.split(": ", 1) for line in output.splitlines() if ": " in line and "Read" not in line)
    assert lines["rogue.receipt.json"].startswith("refused")          # not signed by the pinned key
    assert lines["rogue-reply.json"].startswith("refused")            # enrolled with another key already
    assert lines["cut.bundle.json"].startswith("refused")
    assert lines["own.bundle.json"].startswith("ignored")
    assert lines["half.bundle.json.partial"].startswith("ignored")
    assert lines["notes.txt"].startswith("ignored")
    # The rogue's receipt marked nothing; the cut bundle of another hub was not kept.
    assert outbox_states(hub) == [(hub.identity.id, 1, "own", "pending")]


needs_mount_namespace = pytest.mark.skipif(not can_unshare("--mount"), reason="needs root and unshare --mount")


@needs_mount_namespace
@pytest.mark.parametrize("read_only, message", [(False, "full"), (True, "read-only")])
def test_export__a_full_or_read_only_stick_is_a_clear_error_and_nothing_is_marked(runner, tmp_path, read_only,
                                                                                  message):
    hub = make_hub(runner, tmp_path / "rampur", "Rampur")
    for month in range(1, 13):
        enqueue(hub, period=f"2025-{month:02d}")
    stick = tmp_path / "stick"
    stick.mkdir()
    script = (f"{shlex.quote(default_executable())} export --to {shlex.quote(str(stick))}; echo \"exit=$?\"; "
              f"ls -a {shlex.quote(str(stick))}")
    env = {"COMMUNITYHUB_DATA_DIR": str(hub.data_dir)}

    result = on_small_stick(stick, script, size="8k", read_only=read_only, env=env)

    assert "exit=1" in result.stdout, result.stdout + result.stderr
    assert message in result.stderr
    assert ".partial" not in result.stdout
    assert {state for *_, state in outbox_states(hub)} == {"pending"}
    assert os.listdir(stick) == []           # the stick was only ever mounted in the namespace

