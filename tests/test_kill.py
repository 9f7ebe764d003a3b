"""Power cuts, as the database sees them: `kill -9` of a serving hub (issue 22).

Several phones write through the concern form; the server is killed with SIGKILL at a random moment and
started again; every write the hub acknowledged (a redirect received) must be there, and the database must
pass integrity_check. `make test` runs KILL_ROUNDS rounds (5); `make soak` runs 50
(COMMUNITYHUB_KILL_ROUNDS). Also: a write-ahead log deleted after a crash is reported, never silent.
"""

import os
import random
import sqlite3
import subprocess
import threading
from contextlib import closing

import requests

from hub import storage
from hub.db import DATABASE_FILE
from tests.hubprocess import PASSWORDS, HubProcess, Phone, report_concern, seed
from tests.server import default_executable, hub_environment

KILL_ROUNDS = int(os.environ.get("COMMUNITYHUB_KILL_ROUNDS", "5"))
WRITERS = 5
MAX_WRITES_PER_ROUND = 200  # per writer: each round is bounded even if the kill came late
WRITERS_ROLES = ("facilitator", "case_worker", "coordinator")


def stored_texts(data_dir):
    with closing(sqlite3.connect(f"file:{data_dir / DATABASE_FILE}?mode=ro", uri=True)) as connection:
        return {row[0] for row in connection.execute('SELECT what_happened FROM "case_file"')}


def integrity(data_dir):
    with closing(sqlite3.connect(f"file:{data_dir / DATABASE_FILE}?mode=ro", uri=True)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


def writer(phone, name, round_number, acknowledged, stop):
    for count in range(MAX_WRITES_PER_ROUND):
        if stop.is_set():
            return
        text = f"{name} round {round_number} write {count}"
        try:
            response = report_concern(phone, text)
        except requests.RequestException:
            return  # the server died under this request: not acknowledged
        if response.status_code == 302 and "sent" in response.headers.get("Location", ""):
            acknowledged.append(text)


def test_kill_nine__every_acknowledged_write_survives(tmp_path):
    data_dir = seed(tmp_path / "instance")
    hub = HubProcess(data_dir)
    rng = random.Random(22)
    acknowledged, restarts, phones = [], [], []
    try:
        restarts.append(hub.start())
        for number in range(WRITERS):
            role = WRITERS_ROLES[number % len(WRITERS_ROLES)]
            phone = Phone(hub.url)
            assert phone.sign_in(role.replace("_", ""), PASSWORDS[role]).status_code == 302
            phones.append(phone)
        for round_number in range(KILL_ROUNDS):
            stop = threading.Event()
            threads = [threading.Thread(target=writer, args=(phone, f"writer {number}", round_number,
                                                             acknowledged, stop))
                       for number, phone in enumerate(phones)]
            for thread in threads:
                thread.start()
            stop.wait(rng.uniform(0.5, 3.0))  # the moment of the power cut
            hub.kill()
            stop.set()
            for thread in threads:
                thread.join()
            restarts.append(hub.start())
            assert integrity(data_dir) == "ok", f"round {round_number}"
        # Sign-ins survived every restart: the phones still write without signing in again.
        assert report_concern(phones[0], "after the last restart").status_code == 302
    finally:
        for phone in phones:
            phone.close()
        hub.close()
    lost = sorted(set(acknowledged) - stored_texts(data_dir))
    print(f"\nkill -9: {KILL_ROUNDS} rounds, {WRITERS} writers, {len(acknowledged)} writes acknowledged, "
          f"{len(lost)} lost, restarts in at most {max(restarts):.1f} s")
    assert acknowledged and not lost
    assert not storage.wal_lost(data_dir)  # a log that was there after each kill is not "lost"


def test_lost_wal__reported_at_start_on_the_banner_and_by_doctor(tmp_path):
    data_dir = seed(tmp_path / "instance")
    hub = HubProcess(data_dir)
    phone = Phone("http://127.0.0.1:1")
    try:
        hub.start()
        phone = Phone(hub.url)
        assert phone.sign_in("coordinator", PASSWORDS["coordinator"]).status_code == 302
        for count in range(10):
            assert report_concern(phone, f"written {count}").status_code == 302
        hub.kill()
        (data_dir / (DATABASE_FILE + "-wal")).unlink()
        hub.start()
        assert "write-ahead log" in hub.output()
        health = requests.get(hub.url + "/healthz", timeout=30).json()
        assert health["database"]["wal_lost"] is True
        assert "write-ahead log" in phone.get("/").text
    finally:
        phone.close()
        hub.close()
    from click.testing import CliRunner

    from hub.cli import main

    result = CliRunner().invoke(main, ["doctor"], env={"COMMUNITYHUB_DATA_DIR": str(data_dir)})
    assert result.exit_code == 1 and "[PROBLEM] write-ahead log" in result.output


def test_clean_stop__no_lost_wal_reported(tmp_path):
    data_dir = seed(tmp_path / "instance")
    hub = HubProcess(data_dir)
    try:
        hub.start()
        hub.stop()
        assert not (data_dir / storage.RUNNING_FILE).exists()
        assert not (data_dir / (DATABASE_FILE + "-wal")).exists()  # checkpointed and removed by SQLite
        hub.start()
        assert requests.get(hub.url + "/healthz", timeout=30).json()["database"]["wal_lost"] is False
    finally:
        hub.close()




def test_doctor_between_a_crash_and_the_restart__no_false_report(tmp_path):
    # doctor opens the database after the crash; when it exits, SQLite moves the log into the database and
    # removes it. The restart must not then take the missing log for a lost one.
    data_dir = seed(tmp_path / "instance")
    hub = HubProcess(data_dir)
    phone = Phone("http://127.0.0.1:1")
    try:
        hub.start()
        phone = Phone(hub.url)
        assert phone.sign_in("coordinator", PASSWORDS["coordinator"]).status_code == 302
        assert report_concern(phone, "just before the power cut").status_code == 302
        hub.kill()
        subprocess.run([default_executable(), "doctor"], env=hub_environment(data_dir), capture_output=True,
                       check=False)
        assert not (data_dir / (DATABASE_FILE + "-wal")).exists()
        hub.start()
        assert requests.get(hub.url + "/healthz", timeout=30).json()["database"]["wal_lost"] is False
        assert "just before the power cut" in stored_texts(data_dir)
    finally:
        phone.close()
        hub.close()
