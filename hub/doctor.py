"""`communityhub doctor`: checks of the data folder, database, disk and clock, each with a fix."""

import os
import shutil
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hub import db, migrations
from hub.instance import SECRET_KEY_FILE, database_path, setup_code

# The clock cannot be right if it says a time before this release was made.
EARLIEST_PLAUSIBLE = datetime(2026, 11, 1)
LATEST_PLAUSIBLE_YEARS_AHEAD = 30


@dataclass(frozen=True)
class Finding:
    ok: bool
    check: str
    detail: str
    fix: str = ""


def check_data_dir(data_dir):
    path = Path(data_dir)
    if not path.is_dir():
        return Finding(False, "data folder", f"{path} does not exist",
                       "run `communityhub init` (or set COMMUNITYHUB_DATA_DIR to the right folder)")
    if not os.access(path, os.W_OK):
        return Finding(False, "data folder", f"{path} is not writable",
                       "give the hub's user write access to the folder")
    return Finding(True, "data folder", str(path))


def check_secret_key(data_dir):
    path = Path(data_dir) / SECRET_KEY_FILE
    if not path.exists():
        return Finding(False, "secret key", "missing", "run `communityhub init`")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Finding(False, "secret key", f"permissions are {mode:o}", f"chmod 600 {path}")
    return Finding(True, "secret key", "present, readable by the owner only")


def check_database(data_dir):
    path = database_path(data_dir)
    if not path.exists():
        return Finding(False, "database", "missing", "run `communityhub init`")
    ok, message = db.check(path, "integrity_check")
    if not ok:
        return Finding(False, "database", f"integrity check failed: {message}",
                       "stop the hub and restore the latest backup with `communityhub restore FILE`")
    db.init(path)
    with db.database.connection_context():
        waiting = migrations.pending(db.database)
    if waiting:
        return Finding(False, "database", f"{len(waiting)} migration(s) not applied",
                       "run `communityhub init`")
    return Finding(True, "database", f"integrity ok, SQLite {db.sqlite_version()}")


def check_setup(data_dir):
    from hub.auth.service import coordinator_exists

    with db.database.connection_context():
        if coordinator_exists():
            return Finding(True, "set-up", "done: the hub has a coordinator")
    return Finding(False, "set-up", f"waiting: nobody has set up this hub yet; set-up code {setup_code(data_dir)}",
                   "open the hub in a browser, go to /setup and enter the set-up code")


def check_disk(data_dir, min_free_mb):
    path = Path(data_dir)
    free_mb = shutil.disk_usage(path if path.exists() else path.parent).free // (1024 * 1024)
    if free_mb < min_free_mb:
        return Finding(False, "disk space", f"{free_mb} MB free",
                       "delete old backups or move them to a USB stick")
    return Finding(True, "disk space", f"{free_mb} MB free")


def check_clock(now):
    latest = EARLIEST_PLAUSIBLE.replace(year=EARLIEST_PLAUSIBLE.year + LATEST_PLAUSIBLE_YEARS_AHEAD)
    if not EARLIEST_PLAUSIBLE <= now <= latest:
        return Finding(False, "clock", f"the hub believes it is {now:%Y-%m-%d %H:%M}",
                       "set the date: `sudo date -s 'YYYY-MM-DD HH:MM'`, or connect to a network once")
    return Finding(True, "clock", f"{now:%Y-%m-%d %H:%M} (plausible; the Pi has no real-time clock)")


def run_checks(data_dir, min_free_mb, now):
    """Every finding, in the order an operator should fix them."""
    findings = [check_data_dir(data_dir)]
    if findings[0].ok:
        findings += [check_secret_key(data_dir), check_database(data_dir)]
        if findings[-1].ok:
            findings.append(check_setup(data_dir))
    findings += [check_disk(data_dir, min_free_mb), check_clock(now)]
    return findings
