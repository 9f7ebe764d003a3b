"""Offline transfer (issue 8): writing and reading a USB stick's worth of bundles, and discovery on a LAN.

Run on its own with `python -m bench.transfer` (prints the rows); `bench/measures.py` lists it in MEASURES.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUNDLES = 120          # ten years of monthly summaries from one hub
DISCOVERY_RUNS = 3
REPO = Path(__file__).resolve().parent.parent
# A payload of the size a real month has: 12 tables of 8 cells.
PAYLOAD = {"tables": {f"table_{t}": {"cells": {f"cell_{c}": 5 * c for c in range(8)}, "total": 40}
                      for t in range(12)}, "values": {"median_days": {"value": "2-7", "reason": ""}}}

_DISCOVERY_SCRIPT = """
import sys, time
from federation import discovery
aggregator = discovery.Discovery("aggregator", "a" * 32, "2" * 16, "10.42.0.2", 8090, browse=False,
                                 check_every=0.05)
hub = discovery.Discovery("hub", "b" * 32, "1" * 16, "10.42.0.1", 8080, check_every=0.05).start()
hub.wait_for(lambda status: status.running, 30)
started = time.monotonic()
aggregator.start()
found = hub.wait_for(lambda status: any(p.role == "aggregator" for p in status.peers), 30)
print(time.monotonic() - started if found else -1)
hub.stop(); aggregator.stop()
"""


def _bundles(folder):
    from federation import bundle, signing

    identity = signing.load_or_create(folder, signing.HUB)
    return [bundle.seal(identity, "e" * 32, sequence, f"{2016 + (sequence - 1) // 12}-{(sequence - 1) % 12 + 1:02d}",
                        1, 1, PAYLOAD) for sequence in range(1, BUNDLES + 1)]


def usb_figures(root):
    """(export seconds, read seconds, bytes per bundle) for BUNDLES bundles written to and read from root."""
    from federation import usb

    keys, stick = Path(root, "keys"), Path(root, "stick")
    keys.mkdir()
    data = _bundles(keys)
    started = time.perf_counter()
    usb.export_bundles(stick, data)
    exported = time.perf_counter() - started
    started = time.perf_counter()
    items = usb.read_folder(stick)
    read = time.perf_counter() - started
    assert sum(item.kind == usb.BUNDLE for item in items) == BUNDLES
    return exported, read, statistics.median(len(item) for item in data)


def discovery_seconds():
    """Seconds from an aggregator starting to advertise until a hub lists it, in private network namespaces;
    [] when this machine cannot make one (not root, no unshare)."""
    from tests.isolation import NETWORK_SETUP, can_unshare, environment

    if not can_unshare("--net"):
        return []
    times = []
    for _ in range(DISCOVERY_RUNS):
        command = f"{NETWORK_SETUP} && exec {sys.executable} -c '{_DISCOVERY_SCRIPT}'"
        result = subprocess.run(["unshare", "--net", "--", "sh", "-c", command], cwd=REPO, capture_output=True,
                                text=True, timeout=120, env=environment())
        value = float(result.stdout.strip().splitlines()[-1]) if result.returncode == 0 else -1
        if value >= 0:
            times.append(value)
    return times


def offline_transfer(session=None):
    """USB: 120 signed bundles (ten years of one hub's months, 12 tables of 8 cells each) written with
    `federation.usb.export_bundles` to a folder on the machine's disk (each to a temporary name, fsynced,
    renamed, the folder fsynced), then read back and classified by content with `read_folder`. A USB stick
    on a Pi is slower to fsync; the count of fsyncs is the same. Discovery: seconds from an aggregator
    starting to advertise on 10.42.0.2 until a hub browsing on 10.42.0.1 lists it, over a veth pair in a
    private network namespace, 3 runs."""
    from bench.measures import Row

    root = tempfile.mkdtemp(prefix="bench-transfer-")
    try:
        exported, read, size = usb_figures(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    rows = [Row(f"export of {BUNDLES} bundles to a folder", exported, "s",
                note=f"{exported / BUNDLES * 1000:.1f} ms per bundle; {size / 1024:.1f} KB per bundle"),
            Row(f"read and classify {BUNDLES} bundles", read, "s", note=f"{read / BUNDLES * 1000:.2f} ms per file")]
    times = discovery_seconds()
    detail = ", ".join(f"{value:.2f}" for value in times)
    rows.append(Row("discovery: aggregator advertised to listed by the hub, median", statistics.median(times)
                    if times else None, "s", note=f"runs: {detail} s" if times else "needs root and unshare --net"))
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    os.chdir(REPO)
    for row in offline_transfer():
        value = "n/a" if row.value is None else f"{row.value:.3f}"
        print(json.dumps({"label": row.label, "value": value, "unit": row.unit, "note": row.note}))
