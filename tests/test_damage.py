"""Damage to the data folder (issue 22): each case on a damaged copy of one seeded data folder.

A missing or empty database never becomes a new, empty hub; an unreadable one gets a plain 503 page that
says what to do, never a bare "Internal Server Error"; a read-only hub can still be signed in to and read;
start-up problems are one line and a non-zero exit; `doctor` reports every kind of damage with its fix.
"""

import json
import os
import shutil
import sqlite3

import pytest

from hub import db, instance, storage
from hub.app import create_app
from hub.audit.models import AuditEvent
from hub.db import database
from tests.conftest import csrf_token
from tests.hubprocess import seed


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A data folder with a village, one account per role, people and a backup."""
    return seed(tmp_path_factory.mktemp("seeded") / "instance")


@pytest.fixture
def copy(seeded, tmp_path):
    """A fresh copy of the seeded data folder for one test to damage."""
    database.close_all()
    target = tmp_path / "instance"
    shutil.copytree(seeded, target)
    for suffix in ("-wal", "-shm"):
        (target / (db.DATABASE_FILE + suffix)).unlink(missing_ok=True)
    return target


def sign_in(client, role="coordinator"):
    username = role.replace("_", "")
    return client.post("/login", data={"username": username, "password": f"secret-{role[::-1]}-1",
                                       "csrf_token": csrf_token(client, "/login")})


def run_doctor(runner_env, data_dir):
    from click.testing import CliRunner

    from hub.cli import main

    result = CliRunner().invoke(main, ["doctor", "--json"], env={"COMMUNITYHUB_DATA_DIR": str(data_dir)})
    return result.exit_code, json.loads(result.output)


def findings(report):
    return {check["check"]: check for check in report["checks"]}


# 1. A missing or empty database.

@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_lost_database__start_refused_naming_restore_and_the_newest_backup(copy, damage):
    path = copy / db.DATABASE_FILE
    if damage == "truncate":
        path.write_bytes(b"")
    else:
        path.unlink()
    newest = storage.newest_backup([copy / "backups"])
    with pytest.raises(storage.StartRefused) as refused:
        create_app({"DATA_DIR": str(copy)})
    assert "communityhub restore" in str(refused.value) and str(newest) in str(refused.value)
    assert not path.exists() or path.stat().st_size == 0  # nothing was created in its place

    code, report = run_doctor(None, copy)
    database_finding = findings(report)["database"]
    assert code == 1 and not database_finding["ok"]
    assert "communityhub restore" in database_finding["fix"] and str(newest) in database_finding["fix"]
    assert "init" not in database_finding["fix"]


def test_lost_database__run_says_one_line_and_exits_non_zero(copy, monkeypatch):
    (copy / db.DATABASE_FILE).unlink()
    from click.testing import CliRunner

    from hub.cli import main

    result = CliRunner().invoke(main, ["run", "--port", "1"], env={"COMMUNITYHUB_DATA_DIR": str(copy)})
    assert result.exit_code == 1
    assert "communityhub restore" in result.output and "Traceback" not in result.output


def test_new_empty_folder_still_starts_as_a_new_hub(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path / "new")})
    assert app.config["DATABASE_STATE"] == "ok"


# 2. A database SQLite cannot open.

def overwrite_header(path):
    with open(path, "r+b") as handle:
        handle.write(b"\0" * 100)


def cut_in_half(path):
    os.truncate(path, path.stat().st_size // 2)


def replace_by_text(path):
    path.write_text("this is not a database\n" * 100)


def replace_by_folder(path):
    path.unlink()
    path.mkdir()


@pytest.mark.parametrize("damage", [overwrite_header, cut_in_half, replace_by_text, replace_by_folder])
def test_unopenable_database__plain_503_pages_in_the_readers_language(copy, damage):
    damage(copy / db.DATABASE_FILE)
    app = create_app({"DATA_DIR": str(copy)})
    client = app.test_client()
    for path in ("/", "/login", "/people"):
        response = client.get(path)
        assert response.status_code == 503, path
        page = response.get_data(as_text=True)
        assert "communityhub restore" in page and "Internal Server Error" not in page
    response = client.post("/login", data={"username": "coordinator", "password": "x"})
    assert response.status_code in (400, 503) and "Internal Server Error" not in response.get_data(as_text=True)
    spanish = client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert 'lang="es"' in spanish and "communityhub restore" in spanish
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["status"] == "degraded"

    code, report = run_doctor(None, copy)
    database_finding = findings(report)["database"]
    assert code == 1 and not database_finding["ok"] and "communityhub restore" in database_finding["fix"]


# 3. A read-only hub can be signed in to and read, after a restart too.

def damage_an_index(path):
    """Damage the database so its check fails while its tables still read: an index's entries are lost."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA writable_schema = ON")
    rootpage = connection.execute("SELECT rootpage FROM sqlite_master WHERE type = 'index' AND "
                                  "tbl_name = 'person' LIMIT 1").fetchone()[0]
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.close()
    with open(path, "r+b") as handle:
        handle.seek((rootpage - 1) * page_size)
        handle.write(b"\x0d" + b"\0" * 7)  # an empty leaf page: the index no longer matches its table


def test_read_only__sign_in_works_and_its_audit_is_kept(copy):
    damage_an_index(copy / db.DATABASE_FILE)
    assert not db.check(copy / db.DATABASE_FILE)[0]
    app = create_app({"DATA_DIR": str(copy)})
    assert app.config["DATABASE_STATE"] == instance.READ_ONLY
    client = app.test_client()
    response = sign_in(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get("/people").get_data(as_text=True)
    assert "Child 0" in page and "You can read" in page
    saved = client.post("/people/new", data={"csrf_token": csrf_token(client, "/people"), "name": "New"})
    assert saved.status_code == 503
    fallback = (copy / "audit-fallback.jsonl").read_text().splitlines()
    assert [json.loads(line)["action"] for line in fallback] == ["sign_in"]

    # Restored (here: the backup put back), the next start moves the kept sign-in into the audit log.
    database.close_all()
    shutil.copy(storage.newest_backup([copy / "backups"]), copy / db.DATABASE_FILE)
    restored = create_app({"DATA_DIR": str(copy)})
    with restored.app_context(), database.connection_context():
        assert AuditEvent.select().where(AuditEvent.action == "sign_in").count() == 1
    assert not (copy / "audit-fallback.jsonl").exists()


# 8. Start-up errors: one line each, exit status 1.

def invoke(args, data_dir):
    from click.testing import CliRunner

    from hub.cli import main

    return CliRunner().invoke(main, args, env={"COMMUNITYHUB_DATA_DIR": str(data_dir)})


def test_start_up__invalid_settings_file_is_one_line(copy):
    (copy / "settings.toml").write_text("PORT = 'eighty'\n")
    result = invoke(["run"], copy)
    assert result.exit_code == 1 and "PORT" in result.output and "Traceback" not in result.output
    assert result.output.count("\n") == 1


def test_start_up__port_in_use_is_one_line(copy):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke(["run", "--host", "127.0.0.1", "--port", str(port)], copy)
    database.close_all()
    assert result.exit_code == 1 and f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output


def test_start_up__unusable_data_folder_is_one_line(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    result = invoke(["run"], tmp_path / "a-file" / "instance")
    assert result.exit_code == 1 and "cannot use the data folder" in result.output
    assert "Traceback" not in result.output


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root and unshare")
def test_start_up__read_only_data_folder_is_one_line(copy):
    # A card the kernel remounted read-only after errors: os.chmod fails even for root. The folder is made
    # read-only in a private mount namespace, so nothing outside this test sees it.
    import subprocess

    from tests.server import default_executable, hub_environment

    script = (f'mount --bind "{copy}" "{copy}" && mount -o remount,bind,ro "{copy}" && '
              f'exec "{default_executable()}" run --host 127.0.0.1 --port 1')
    result = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                            env=hub_environment(copy), capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cannot use the data folder" in result.stderr and "Read-only file system" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0
