"""End to end, as operators would do it: a district aggregator and two village hubs, each its own process and
data folder, talking HTTP on loopback.

Both hubs enrol with one-time codes, build last month and deliver it; the aggregator's database shows both.
Then the aggregator is stopped, one hub builds another month (it waits, undelivered), the aggregator starts
again on the same data folder, and the next delivery run brings that month over: nothing lost, nothing
twice, on either side.
"""

import json
import sqlite3
import subprocess
import tempfile
import time
from contextlib import closing, contextmanager
from datetime import date

import pytest

from tests.server import (
    LOOPBACK,
    HubProcessError,
    _output,
    _stop,
    default_executable,
    fetch,
    free_port,
    hub_environment,
    run_command,
)

START_TIMEOUT = 30.0


def months_before(day, count):
    year, month = day.year, day.month - count
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}"


def command(args, data_dir, timeout=120):
    """Run `communityhub ARGS` on data_dir -> CompletedProcess, whatever its exit status."""
    return subprocess.run([default_executable(), *args], env=hub_environment(data_dir), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


@contextmanager
def running_aggregator(data_dir, port, host=LOOPBACK, options=()):
    """`communityhub aggregator run` on data_dir, host and port (and options); yields its URL once /healthz
    answers 200."""
    url = f"http://{host}:{port}"
    args = [default_executable(), "aggregator", "run", "--host", host, "--port", str(port), *options]
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(args, env=hub_environment(data_dir), stdin=subprocess.DEVNULL,
                                   stdout=stdout, stderr=stderr)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                if process.poll() is not None:
                    raise HubProcessError(f"the aggregator exited ({process.returncode})\n{_output(stdout, stderr)}")
                try:
                    if fetch(url + "/healthz", timeout=2.0)[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise HubProcessError(f"the aggregator did not answer\n{_output(stdout, stderr)}")
                time.sleep(0.1)
            yield url
        finally:
            _stop(process)


def aggregator_rows(data_dir):
    """{hub_id: [(period, revision, epoch, sequence)]} of the bundles, and the monthly summaries, it holds."""
    with closing(sqlite3.connect(data_dir / "aggregator.sqlite3")) as connection:
        bundles = connection.execute("SELECT hub_id, period, revision, epoch, sequence FROM bundle "
                                     "ORDER BY hub_id, sequence").fetchall()
        months = connection.execute("SELECT hub_id, period, revision FROM monthly_summary "
                                    "ORDER BY hub_id, period").fetchall()
    held = {}
    for hub_id, *rest in bundles:
        held.setdefault(hub_id, []).append(tuple(rest))
    return held, months


def outbox_rows(data_dir):
    with closing(sqlite3.connect(data_dir / "hub.sqlite3")) as connection:
        return connection.execute("SELECT period, revision, sequence, state FROM outbox_bundle "
                                  "WHERE origin = 'own' ORDER BY sequence").fetchall()


def hub_id(data_dir):
    return (data_dir / "federation.id").read_text().strip()


@pytest.fixture
def hubs(tmp_path):
    folders = []
    for seed in (1, 2):
        folder = tmp_path / f"hub{seed}"
        run_command(["init"], folder)
        run_command(["seed-demo", "--children", "30", "--seed", str(seed)], folder)
        folders.append(folder)
    return folders


def test_two_hubs_deliver_through_an_aggregator_that_goes_away_and_comes_back(tmp_path, hubs):
    today = date.today()
    last_month, earlier = months_before(today, 1), months_before(today, 2)
    district = tmp_path / "district"
    run_command(["aggregator", "init"], district)
    port = free_port()

    with running_aggregator(district, port) as url:
        for folder in hubs:
            code = json.loads(run_command(["aggregator", "enrol-code", "--hub-name", folder.name, "--json"],
                                          district))["code"]
            run_command(["enroll", "--aggregator", url, "--code", code], folder)
            built = json.loads(run_command(["summary", "build", "--json"], folder))
            assert (built["period"], built["outcome"], built["revision"]) == (last_month, "made", 1)
            report = json.loads(run_command(["sync", "--json"], folder))
            assert (report["delivered"], report["pending"], report["error"]) == (1, 0, "")
        held, months = aggregator_rows(district)
        assert sorted(held) == sorted(hub_id(folder) for folder in hubs)
        assert all(len(rows) == 1 and rows[0][:2] == (last_month, 1) for rows in held.values())
        assert sorted(months) == sorted((hub_id(folder), last_month, 1) for folder in hubs)

    first = hubs[0]
    built = json.loads(run_command(["summary", "build", "--period", earlier, "--json"], first))
    assert built["outcome"] == "made"
    failed = command(["sync", "--json"], first)
    assert failed.returncode == 1
    report = json.loads(failed.stdout)
    assert (report["unreachable"], report["delivered"], report["pending"]) == (True, 0, 1)
    assert [row[3] for row in outbox_rows(first)] == ["delivered", "pending"]
    with closing(sqlite3.connect(first / "hub.sqlite3")) as connection:
        tries, next_try = connection.execute("SELECT tries, next_try_at FROM outbox_bundle "
                                             "WHERE state = 'pending'").fetchone()
    assert tries == 1 and next_try is not None

    with running_aggregator(district, port):
        report = json.loads(run_command(["sync", "--json"], first))
        assert (report["delivered"], report["pending"], report["error"]) == (1, 0, "")
        again = json.loads(run_command(["sync", "--json"], first))
        assert (again["tried"], again["delivered"]) == (0, 0)
        held, months = aggregator_rows(district)

    assert held[hub_id(first)] == [(row[0], row[1], held[hub_id(first)][index][2], row[2])
                                   for index, row in enumerate(outbox_rows(first))]
    assert [row[:2] for row in held[hub_id(first)]] == [(last_month, 1), (earlier, 1)]
    assert len(held[hub_id(hubs[1])]) == 1
    assert sum(len(rows) for rows in held.values()) == 3  # nothing twice
    assert sorted(months) == sorted([(hub_id(first), earlier, 1), (hub_id(first), last_month, 1),
                                     (hub_id(hubs[1]), last_month, 1)])
    assert outbox_rows(first) == [(last_month, 1, 1, "delivered"), (earlier, 1, 2, "delivered")]
    assert outbox_rows(hubs[1]) == [(last_month, 1, 1, "delivered")]
