"""The `communityhub` command: init, seed-demo, user add, doctor, and their help."""

import json
import sqlite3

import pytest

from hub.cli import main


def rows(data_dir, sql):
    conn = sqlite3.connect(data_dir / "hub.sqlite3")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_init__creates_the_data_folder_and_applies_migrations(runner, data_dir):
    result = runner.invoke(["init"])
    assert result.exit_code == 0
    assert "Applied migration 0001 village" in result.output
    assert (data_dir / "secret_key").exists() and (data_dir / "settings.toml").exists()
    again = runner.invoke(["init"])
    assert "already initialised" in again.output and "Applied" not in again.output


def test_seed_demo__deterministic_village_and_logins(runner, data_dir, tmp_path, monkeypatch):
    result = runner.invoke(["seed-demo", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "coordinator" in result.output and "facilitator" in result.output
    village = rows(data_dir, "SELECT name, district, country FROM village")
    users = rows(data_dir, "SELECT username, role FROM user_account ORDER BY username")
    assert [username for username, _role in users] == ["caseworker", "coordinator", "facilitator", "member", "officer"]
    logins = (data_dir / "demo-logins.txt").read_text()
    assert logins.split()[0] == "coordinator"

    other = tmp_path / "other"
    monkeypatch.setenv("COMMUNITYHUB_DATA_DIR", str(other))
    assert runner.invoke(["seed-demo", "--seed", "5"]).exit_code == 0
    assert rows(other, "SELECT name, district, country FROM village") == village
    # Same data, but never the same secrets: a demo ships no known password.
    assert (other / "demo-logins.txt").read_text() != logins


def test_seed_demo__refuses_a_hub_that_has_a_village(runner):
    from click.testing import CliRunner

    runner.invoke(["seed-demo"])

    again = CliRunner().invoke(main, ["seed-demo"])
    assert again.exit_code == 1
    assert "already has a village" in again.output


def test_user_add__secret_from_stdin(runner, data_dir):
    result = runner.invoke(["user", "add", "Meera", "--role", "case_worker", "--name", "Meera K"],
                           input="long enough secret\n")
    assert result.exit_code == 0, result.output
    assert rows(data_dir, "SELECT username, display_name, role, secret_kind, must_change_secret "
                          "FROM user_account") == [("meera", "Meera K", "case_worker", "password", 1)]
    stored = rows(data_dir, "SELECT secret_hash FROM user_account")[0][0]
    assert stored.startswith("scrypt:") and "long enough secret" not in stored


@pytest.mark.parametrize("args, secret, message", [
    (["user", "add", "sunita", "--role", "coordinator"], "short\n", "at least 10 characters"),
    (["user", "add", "sunita", "--role", "member"], "12345\n", "exactly 6 digits"),
    (["user", "add", "bad name!", "--role", "member"], "274915\n", "A username has"),
    (["user", "add", "sunita", "--role", "chief"], "274915\n", "Invalid value for '--role'"),
    (["user", "add", "sunita", "--role", "member"], "000000\n", "one of the first anyone would try"),
    (["user", "add", "sunita", "--role", "coordinator"], "password12\n", "common password"),
    (["user", "add", "sunita", "--role", "coordinator"], "sunita-the-best\n", "must not contain the username"),
])
def test_user_add__refuses_bad_input_and_saves_nothing(runner, data_dir, args, secret, message):
    from click.testing import CliRunner

    runner.invoke(["init"])
    result = CliRunner().invoke(main, args, input=secret)
    assert result.exit_code != 0
    assert message in result.output
    assert rows(data_dir, "SELECT count(*) FROM user_account") == [(0,)]


def test_user_add__username_taken(runner):
    from click.testing import CliRunner

    runner.invoke(["user", "add", "ravi", "--role", "member"], input="274915\n")
    again = CliRunner().invoke(main, ["user", "add", "RAVI", "--role", "member"], input="503817\n")
    assert again.exit_code == 1 and "already taken" in again.output


def test_doctor__shows_setup_code_until_a_coordinator_exists(runner, data_dir):
    from click.testing import CliRunner

    init = runner.invoke(["init"])
    code = (data_dir / "setup-code").read_text()
    assert f"Set-up code (enter it at /setup): {code}" in init.output
    waiting = CliRunner().invoke(main, ["doctor"])
    assert waiting.exit_code == 1 and code in waiting.output and "/setup" in waiting.output


def test_doctor__healthy_hub(runner, data_dir):
    runner.invoke(["init"])
    runner.invoke(["user", "add", "boss", "--role", "coordinator"], input="a long password\n")
    runner.invoke(["backup", "--to", str(data_dir / "backups")])
    result = runner.invoke(["doctor", "--json"])
    report = json.loads(result.output)
    assert report["ok"] is True, report
    assert {check["check"] for check in report["checks"]} >= {"database", "disk space", "clock"}


def test_doctor__reports_problems_with_fixes(runner, data_dir):
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert "[PROBLEM] data folder" in result.output and "communityhub init" in result.output

    runner.invoke(["init"])
    (data_dir / "secret_key").chmod(0o644)
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1 and "chmod 600" in result.output


def test_doctor__clock_before_this_release_is_a_problem():
    from datetime import datetime

    from hub.doctor import check_clock

    assert not check_clock(datetime(1970, 1, 1)).ok
    assert check_clock(datetime(2027, 3, 1)).ok


@pytest.mark.parametrize("command", [[], ["init"], ["run"], ["demo"], ["seed-demo"], ["user", "add"], ["doctor"]])
def test_help__every_command_explains_itself(command):
    from click.testing import CliRunner

    result = CliRunner().invoke(main, command + ["--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output.splitlines()) > 3


def test_cli__the_aggregators_commands_load_when_asked_for__never_in_a_serving_hub(runner):
    import subprocess
    import sys

    probe = "import sys, hub.cli; print('federation.aggregator.cli' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["False"]
    assert "aggregator" in runner.invoke(["--help"]).output
    helped = runner.invoke(["aggregator", "--help"])
    assert helped.exit_code == 0 and "enrols hubs and takes in their monthly summaries" in helped.output
