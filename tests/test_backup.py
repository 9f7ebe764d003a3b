"""Backups while the hub runs, and restoring one: checked copies, atomic names, the current database kept."""

import sqlite3
import threading
from datetime import datetime

import pytest

from hub import backup, db
from hub.instance import database_path
from tests.server import HubProcessError, fetch, run_command, running_hub

NOW = datetime(2026, 11, 22, 3, 0)


def count(path, table):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def live_hub(tmp_path_factory):
    """A demo village served by a real `communityhub run` on loopback."""
    data_dir = tmp_path_factory.mktemp("backup-hub") / "instance"
    run_command(["seed-demo", "--seed", "9"], data_dir)
    with running_hub(data_dir) as base_url:
        yield data_dir, base_url


def test_backup__consistent_copy_while_the_hub_serves(live_hub, tmp_path):
    data_dir, base_url = live_hub
    stop = threading.Event()
    errors = []

    def browse():  # the village keeps using the hub during the backup
        for _ in range(200):
            if stop.is_set():
                return
            status, _, _ = fetch(base_url + "/healthz")
            if status != 200:
                errors.append(status)

    reader = threading.Thread(target=browse)
    reader.start()
    try:
        made = backup.make_backup(database_path(data_dir), tmp_path / "stick", NOW)
    finally:
        stop.set()
        reader.join(timeout=60)
    assert errors == []
    assert made.name == "hub-20261122-030000-000001.sqlite3"
    assert db.check(made, "integrity_check") == (True, "ok")
    assert count(made, "attendance") == count(database_path(data_dir), "attendance") > 0
    assert list((tmp_path / "stick").glob("*.partial")) == []


def test_backup__keeps_the_newest_n_in_sequence_order(live_hub, tmp_path):
    data_dir, _ = live_hub
    for _ in range(5):
        backup.make_backup(database_path(data_dir), tmp_path, datetime(2020, 1, 1), keep=3)
    # The clock said 2020 every time (a Pi after a power cut): the sequence still orders them.
    assert [path.name[-14:] for path in backup.backups_in(tmp_path)] == [
        "000003.sqlite3", "000004.sqlite3", "000005.sqlite3"]


def test_backup__a_failed_check_leaves_no_file_that_looks_whole(live_hub, tmp_path, monkeypatch):
    data_dir, _ = live_hub
    monkeypatch.setattr(backup.db, "check", lambda path, pragma="quick_check": (False, "page 7: corrupt"))
    with pytest.raises(backup.BackupError, match="failed its integrity check"):
        backup.make_backup(database_path(data_dir), tmp_path, NOW)
    assert list(tmp_path.iterdir()) == []


def test_backup__target_that_cannot_be_a_folder(live_hub, tmp_path):
    data_dir, _ = live_hub
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(backup.BackupError, match="cannot create the backup folder"):
        backup.make_backup(database_path(data_dir), blocker / "backups", NOW)


def test_restore__replaces_the_database_and_keeps_the_current_one_aside(live_hub, tmp_path):
    data_dir, _ = live_hub
    made = backup.make_backup(database_path(data_dir), tmp_path / "stick", NOW)
    other = tmp_path / "other" / "instance"
    run_command(["init"], other)
    before = count(database_path(other), "user_account")
    aside = backup.restore_backup(made, database_path(other), NOW)
    assert count(database_path(other), "attendance") == count(made, "attendance")
    assert aside is not None and count(aside, "user_account") == before == 0


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100])
def test_restore__refuses_a_file_that_is_not_a_hub_database(tmp_path, content):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(content)
    target = tmp_path / "hub.sqlite3"
    target.write_bytes(b"current")
    with pytest.raises(backup.BackupError):
        backup.restore_backup(bad, target, NOW)
    assert target.read_bytes() == b"current"


def test_restore__refuses_a_sqlite_file_of_another_program(tmp_path):
    foreign = tmp_path / "photos.sqlite3"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE photo (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(backup.BackupError, match="not a Community Hub one"):
        backup.check_backup(foreign)


# The commands an operator types.

def test_cli__backup_while_serving_then_restore_refused_until_the_hub_stops(tmp_path):
    data_dir = tmp_path / "instance"
    stick = tmp_path / "stick"
    run_command(["seed-demo", "--seed", "4"], data_dir)
    people = count(database_path(data_dir), "person")
    with running_hub(data_dir) as base_url:
        for _ in range(3):
            output = run_command(["backup", "--to", str(stick), "--keep", "2"], data_dir)
            assert output.startswith(f"Backed up to {stick}/hub-") and "(integrity check: ok)" in output
        assert [path.name[-14:] for path in backup.backups_in(stick)] == ["000002.sqlite3", "000003.sqlite3"]
        newest = backup.backups_in(stick)[-1]
        with pytest.raises(HubProcessError, match="a hub is already serving .*: stop the hub first"):
            run_command(["restore", str(newest), "--yes"], data_dir)
        with pytest.raises(HubProcessError, match="a hub is already serving"):
            run_command(["run", "--host", "127.0.0.1", "--port", "1"], data_dir)  # one server per folder
        assert fetch(base_url + "/healthz")[0] == 200  # refusing changed nothing
    conn = sqlite3.connect(database_path(data_dir))
    conn.execute("DELETE FROM attendance")  # a mistake made after the backup
    conn.commit()
    conn.close()
    output = run_command(["restore", str(newest), "--yes"], data_dir)
    assert f"Restored {newest} (schema " in output and "is kept as" in output
    assert count(database_path(data_dir), "attendance") == count(newest, "attendance") > 0
    assert count(database_path(data_dir), "person") == people
    aside = next(data_dir.glob("hub.sqlite3.before-restore-*"))
    assert count(aside, "attendance") == 0
    with running_hub(data_dir) as base_url:  # the restored hub serves
        assert fetch(base_url + "/healthz")[0] == 200


def test_cli__restore_refuses_a_backup_of_a_newer_hub_and_changes_nothing(tmp_path):
    data_dir = tmp_path / "instance"
    run_command(["init"], data_dir)
    newer = tmp_path / "newer.sqlite3"
    backup.make_backup(database_path(data_dir), tmp_path / "made", NOW)
    made = backup.backups_in(tmp_path / "made")[0]
    conn = sqlite3.connect(made)
    conn.execute("INSERT INTO schema_migration (number, name, applied_at) VALUES (9999, 'future', '2030-01-01')")
    conn.commit()
    conn.close()
    made.rename(newer)
    before = database_path(data_dir).read_bytes()
    with pytest.raises(HubProcessError, match="made by a newer Community Hub .*upgrade the hub first"):
        run_command(["restore", str(newer), "--yes"], data_dir)
    assert database_path(data_dir).read_bytes() == before
    assert list(data_dir.glob("*.before-restore-*")) == []


def test_cli__backup_of_a_folder_without_a_database_says_so(tmp_path):
    with pytest.raises(HubProcessError, match="no database at"):
        run_command(["backup", "--to", str(tmp_path / "stick")], tmp_path / "empty")
