"""A full card (issue 22, item 6), on a 20 MB tmpfs in a private mount namespace.

The hub runs in the namespace (`unshare --mount`, then `nsenter`); the test fills the tmpfs through
/proc/<pid>/root, the namespace's view of the file system. The hub must say its storage is full, report
degraded health, refuse to save below its floor (so it never fills the card itself), still let people sign
in and read, start again on a full card, and save again without a restart once space returns.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from tests.hubprocess import PASSWORDS, HubProcess, Phone, report_concern, seed

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("nsenter"),
                                reason="needs root, unshare and nsenter for a private mount namespace")
FLOOR_MB = 4


@pytest.fixture
def namespace(tmp_path):
    """A process holding a private mount namespace with a 20 MB tmpfs on tmp_path/card; -> (pid, mount)."""
    mount = tmp_path / "card"
    mount.mkdir()
    holder = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                               f"mount -t tmpfs -o size=20m hubcard {mount} && echo mounted && exec sleep 3600"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "mounted"
    yield holder.pid, mount
    holder.kill()
    holder.wait()
    holder.stdout.close()


def inside(pid, path):
    """path as the namespace sees it, from outside."""
    return Path(f"/proc/{pid}/root") / Path(path).relative_to("/")


def fill(pid, mount):
    """Fill the tmpfs to the last byte; -> the filler file."""
    filler = inside(pid, mount) / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    return filler


def test_full_card__said_refused_cleanly_and_recovered_without_restart(namespace, tmp_path):
    pid, mount = namespace
    seeded = seed(tmp_path / "seeded")
    shutil.copytree(seeded, inside(pid, mount) / "instance")
    data_dir = mount / "instance"
    phone = reader = later = Phone("http://127.0.0.1:1")  # replaced once the hub answers
    hub = HubProcess(data_dir, prefix=["nsenter", f"--mount=/proc/{pid}/ns/mnt"],
                     env={"COMMUNITYHUB_WRITE_FLOOR_MB": str(FLOOR_MB)})
    try:
        hub.start()
        phone = Phone(hub.url)
        assert phone.sign_in("facilitator", PASSWORDS["facilitator"]).status_code == 302
        assert report_concern(phone, "before the card filled").status_code == 302

        filler = fill(pid, mount)
        health = requests.get(hub.url + "/healthz", timeout=30)
        assert health.status_code == 503 and health.json()["database"]["state"] == "full"
        refused = report_concern(phone, "while the card is full")
        assert refused.status_code == 503 and "storage is full" in refused.text.replace("&#39;", "'")
        assert "Internal Server Error" not in refused.text
        reader = Phone(hub.url)
        assert reader.sign_in("coordinator", PASSWORDS["coordinator"]).status_code == 302  # still signs in
        assert reader.get("/people").status_code == 200 and "Child 0" in reader.get("/people").text

        # Space comes back: saving works again, no restart.
        os.truncate(filler, 0)
        assert report_concern(phone, "after space came back").status_code == 302
        assert requests.get(hub.url + "/healthz", timeout=30).status_code == 200

        # A restart on a card full to the last byte: the hub starts, says so, and recovers when space returns.
        hub.stop()
        fill(pid, mount)
        hub.start()
        health = requests.get(hub.url + "/healthz", timeout=30)
        assert health.status_code == 503 and health.json()["status"] == "degraded"
        for path in ("/", "/login"):
            page = requests.get(hub.url + path, timeout=30)
            assert page.status_code in (200, 503) and "Internal Server Error" not in page.text
        os.truncate(filler, 0)
        later = Phone(hub.url)
        assert later.sign_in("facilitator", PASSWORDS["facilitator"]).status_code == 302
        assert report_concern(later, "after the restart on a full card").status_code == 302
        output = hub.output()
        assert "Traceback" not in output, output
    finally:
        for client in (phone, reader, later):
            client.close()
        hub.close()
