"""The database: pragmas, the process-wide write lock, read-only mode, migrations that keep rows."""

import sqlite3
import threading
from contextlib import closing

import pytest

from hub import db, instance, migrations
from hub.app import create_app
from tests.factories import make_village


def test_pragmas__wal_full_sync_foreign_keys(app_context):
    pragma = lambda name: db.database.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") >= 5000


def test_transactions__begin_immediate_under_the_write_lock(app_context):
    statements = []
    conn = db.database.connection()
    conn.set_trace_callback(statements.append)
    try:
        with db.database.atomic():
            assert db.WRITE_LOCK._is_owned()
            make_village()
    finally:
        conn.set_trace_callback(None)
    assert statements[0] == "BEGIN IMMEDIATE"
    assert not db.WRITE_LOCK._is_owned()


def test_write_lock__serialises_writers_from_many_threads(app):
    # Forty threads write at once; every row lands and none of them sees "database is locked".
    from hub.village.models import EmergencyNumber

    errors = []

    def write(index):
        try:
            with db.database.connection_context():
                with db.database.atomic():
                    EmergencyNumber.create(kind="other", label=f"n{index}", number=str(index), position=index)
        except Exception as exc:  # noqa: BLE001 - any failure is the test's finding
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with db.database.connection_context():
        assert EmergencyNumber.select().where(EmergencyNumber.label.startswith("n")).count() == 40


def test_autocommit_write__takes_the_lock(app_context, monkeypatch):
    import peewee

    seen = []
    real = peewee.Database.execute_sql

    def spy(self, sql, params=None):
        if sql.startswith("INSERT"):
            seen.append(db.WRITE_LOCK._is_owned())
        return real(self, sql, params)

    monkeypatch.setattr(peewee.Database, "execute_sql", spy)
    from hub.village.models import EmergencyNumber

    EmergencyNumber.create(kind="other", number="1", position=0)
    assert seen == [True]


def test_is_write__classifies_statements():
    assert not db.is_write("SELECT * FROM village")
    assert not db.is_write("PRAGMA quick_check")
    assert db.is_write("INSERT INTO village VALUES (1)")
    assert db.is_write("PRAGMA journal_mode = delete")
    assert db.is_write("WITH x AS (SELECT 1) DELETE FROM village")
    assert db.is_write("VACUUM INTO '/tmp/x'")


def corrupt(path):
    """Overwrite the middle of the database file with garbage, as a failing SD card might."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\xff" * 4096)


def test_corrupt_database__served_read_only_with_a_banner(data_dir):
    app = create_app({"DATA_DIR": str(data_dir)})
    with app.app_context(), db.database.connection_context():
        for index in range(300):  # enough pages that the middle of the file is table data
            make_village(name=f"Village {index} " + "x" * 200)
        from hub.village.models import EmergencyNumber
        with db.database.atomic():
            for index in range(2000):
                EmergencyNumber.create(kind="other", label="y" * 100, number=str(index), position=index)
        db.database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.database.close() if not db.database.is_closed() else None
    corrupt(instance.database_path(data_dir))

    app = create_app({"DATA_DIR": str(data_dir)})
    assert app.config["DATABASE_OK"] is False
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["database"]["state"] == "read-only"
    page = client.get("/no-such-page").get_data(as_text=True)
    assert "failed its check" in page
    refused = client.post("/language/es")
    assert refused.status_code == 503
    with pytest.raises(db.ReadOnlyError):
        with app.app_context():
            db.database.execute_sql("DELETE FROM emergency_number")


def test_migrations__recorded_in_order(app_context):
    rows = db.database.execute_sql("SELECT number, name FROM schema_migration ORDER BY number").fetchall()
    assert [number for number, _ in rows] == [m.number for m in migrations.available()]
    assert rows[0] == (1, "village")


def test_migrations__upgrade_keeps_rows_of_an_older_database(tmp_path):
    path = tmp_path / "old.sqlite3"
    db.init(path)
    with db.database.connection_context():
        migrations.migrate(db.database, target=1)
        db.database.execute_sql("INSERT INTO village (id, name, country) VALUES (1, 'Old Village', 'NP')")
        db.database.execute_sql("INSERT INTO emergency_number (kind, number, position) VALUES ('police', '100', 0)")
        assert migrations.applied(db.database) == {1}

        ran = migrations.migrate(db.database)
        assert [m.number for m in ran] == [m.number for m in migrations.available()][1:]
        assert migrations.pending(db.database) == []
        assert db.database.execute_sql("SELECT name, country FROM village").fetchall() == [("Old Village", "NP")]
        assert db.database.execute_sql("SELECT number FROM emergency_number").fetchall() == [("100",)]
        assert migrations.migrate(db.database) == []  # idempotent


def test_failed_migration__rolls_back_and_is_not_recorded(tmp_path, monkeypatch):
    path = tmp_path / "broken.sqlite3"
    db.init(path)
    boom = migrations.Migration(99, "broken")
    monkeypatch.setattr(migrations.Migration, "upgrade", lambda self, database: (
        database.execute_sql("CREATE TABLE half (id INTEGER)"), 1 / 0) if self.number == 99 else None)
    monkeypatch.setattr(migrations, "available", lambda: [boom])
    with db.database.connection_context():
        with pytest.raises(ZeroDivisionError):
            migrations.migrate(db.database)
        assert migrations.applied(db.database) == set()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half'").fetchone() == (0,)
    conn.close()


def test_another_process_write__seen_at_the_next_page(app, login_as, data_dir):
    # What every page looks up is kept until a write (hub.memo); a command run beside the server writes through
    # a connection of its own, in another process, and the next page must show what it wrote.
    import subprocess
    import sys

    facilitator = login_as("facilitator")
    assert "Rampur" in facilitator.get("/").get_data(as_text=True)
    assert "Rampur" in facilitator.get("/").get_data(as_text=True)  # now served from what was kept
    rename = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
              "c.execute(\"UPDATE village SET name = 'Sonapur' WHERE id = 1\"); c.commit()")
    subprocess.run([sys.executable, "-c", rename, str(instance.database_path(data_dir))], check=True)
    page = facilitator.get("/").get_data(as_text=True)
    assert "Sonapur" in page and "Rampur" not in page


def test_commit_watcher__never_creates_the_file_and_lets_the_pool_close_last(tmp_path):
    # It only reads: a hub whose database is missing stays without one, and a clean stop still checkpoints
    # the write-ahead log away (the pool's last close), as `communityhub run` promises.
    watcher = db.CommitWatcher()
    watcher.watch(str(tmp_path / "missing.sqlite3"))
    assert watcher.other_commits() is False
    assert not (tmp_path / "missing.sqlite3").exists()

    path = tmp_path / "hub.sqlite3"
    db.init(path)
    with db.database.connection_context():
        db.database.execute_sql("CREATE TABLE t (x)")
        db.database.execute_sql("INSERT INTO t VALUES (1)")
    assert db.database.watcher.other_commits() is False  # this process's own writes
    other = sqlite3.connect(path)
    other.execute("INSERT INTO t VALUES (2)")
    other.commit()
    other.close()
    assert db.database.watcher.other_commits() is True
    assert db.database.watcher.other_commits() is False
    db.database.close_all()
    assert not (tmp_path / "hub.sqlite3-wal").exists()


def test_own_unseen_writes__never_taken_for_another_process(tmp_path):
    # A case view's audit line commits without moving the generation; a request starting while that commit
    # is under way must not take it for another process's write (it did: the case page, kept until the next
    # write, was built again on most views when ten phones read at once).
    db.init(tmp_path / "hub.sqlite3")
    with db.database.connection_context():
        db.database.execute_sql("CREATE TABLE t (x)")
    db.database.notice_other_writers()
    generation = db.database.generation
    done = threading.Event()

    def view_cases():
        with db.database.connection_context():
            for number in range(300):
                with db.database.unseen_write():
                    db.database.execute_sql("INSERT INTO t VALUES (?)", (number,))
        done.set()

    writer = threading.Thread(target=view_cases)
    writer.start()
    while not done.is_set():
        db.database.notice_other_writers()
    writer.join()
    db.database.notice_other_writers()
    assert db.database.generation == generation
    db.database.close_all()


def test_another_process_write__not_hidden_by_an_unseen_write(tmp_path):
    # Another process commits, then this one writes a case view's audit line before any request looked: the
    # audit line's commit looks first, so what was kept still goes stale.
    path = tmp_path / "hub.sqlite3"
    db.init(path)
    with db.database.connection_context():
        db.database.execute_sql("CREATE TABLE t (x)")
    db.database.notice_other_writers()
    generation = db.database.generation
    with closing(sqlite3.connect(path)) as other:
        other.execute("INSERT INTO t VALUES (1)")
        other.commit()
    with db.database.connection_context(), db.database.unseen_write():
        db.database.execute_sql("INSERT INTO t VALUES (2)")
    assert db.database.generation == generation + 1
    db.database.close_all()
