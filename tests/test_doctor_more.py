"""`communityhub doctor`'s operator checks: SD card wear, the last backup, the clock as phones see it, the
last delivery of the summaries."""

import os
from datetime import datetime

from hub import doctor

NOW = datetime(2026, 12, 6, 12, 0)


def test_disk_wear_from_the_cards_own_estimate(tmp_path):
    assert doctor.check_disk_wear(tmp_path / "none").detail.startswith("not available")
    (tmp_path / "life_time").write_text("0x02 0x03\n")
    (tmp_path / "pre_eol_info").write_text("0x01\n")
    assert doctor.check_disk_wear(tmp_path).ok
    (tmp_path / "life_time").write_text("0x0b 0x0b\n")
    worn = doctor.check_disk_wear(tmp_path)
    assert not worn.ok and "replace the SD card" in worn.fix


def test_last_backup_old_and_new(tmp_path):
    folder = tmp_path / "sticks"
    folder.mkdir()
    none = doctor.check_last_backup(tmp_path, NOW, folders=[folder], stamp=tmp_path / "x")
    assert not none.ok and none.detail.startswith("none found") and "communityhub backup" in none.fix
    backup = folder / "hub-20261101-020000-000001.sqlite3"
    backup.write_bytes(b"")
    stamp = datetime(2026, 11, 1, 2, 0).timestamp()
    os.utime(backup, (stamp, stamp))
    assert not doctor.check_last_backup(tmp_path, NOW, folders=[folder]).ok
    assert doctor.check_last_backup(tmp_path, datetime(2026, 11, 2), folders=[folder]).ok


def test_clock_reported_wrong_by_a_phone(tmp_path):
    assert doctor.check_clock_reports(tmp_path).ok
    (tmp_path / "clock-suspect").write_text("2026-11-20T09:00:00\n2026-12-06T13:10:00\n")
    finding = doctor.check_clock_reports(tmp_path)
    assert not finding.ok and "2026-12-06T13:10:00" in finding.detail and "/clock" in finding.fix


def test_last_delivery_without_a_database(tmp_path):
    assert doctor.check_last_delivery(tmp_path, NOW).detail.startswith("not set up")


def test_doctor_lists_every_operator_check(runner):
    import json

    runner.invoke(["init"])
    report = json.loads(runner.invoke(["doctor", "--json"]).output)
    names = {check["check"] for check in report["checks"]}
    assert names >= {"database", "disk space", "disk wear", "clock", "clock vs phones", "last backup",
                     "summaries delivered"}
