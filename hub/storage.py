"""The data folder's health: a lost database, a damaged one, a full card and a stop that was not clean.

A Pi in a village loses power often and writes to an SD card that fills up and wears out. This module
tells these apart, for start-up (hub.instance), the pages (hub.errors), /healthz and `doctor`, so that each
can say what happened and what to do, and nothing is lost without anyone being told:

- a database that is missing or empty in a folder where a hub has lived (a secret key, a hub identity or
  backups) is never replaced by a new, empty hub: start-up refuses and names `communityhub restore`;
- a database error is either "full" (the card has no room) or "damaged" (SQLite cannot read the file);
- below WRITE_FLOOR_MB of free space the hub refuses to save, so the card never fills completely and the
  hub can always start and be read; it saves again as soon as space returns, without a restart;
- `communityhub run` leaves a `running` marker while it serves and removes it at a clean stop. At the
  next start, a marker with no write-ahead log beside the database means the log, and the writes it held,
  vanished after a power cut or a crash: that is recorded in `wal-lost` for the banner and `doctor`.
"""

import errno
import glob
import os
import shutil
from pathlib import Path

from hub import db

RUNNING_FILE = "running"
WAL_LOST_FILE = "wal-lost"
# Sticks the nightly timer writes to (templates/provisioning/communityhub-backup-to-sticks), and the data
# folder's own backups folder.
BACKUP_GLOBS = ("/media/*/communityhub-backups", "/media/*/*/communityhub-backups", "/mnt/*/communityhub-backups")
FULL, DAMAGED, BUSY = "full", "damaged", "busy"
_FULL_WORDS = ("disk is full", "no space left", "database or disk is full")
_BUSY_WORDS = ("database is locked", "database table is locked")


class StartRefused(Exception):
    """The hub must not start on this data folder; str() is one line saying why and what to do."""


def database_file(data_dir):
    return Path(data_dir) / db.DATABASE_FILE


def backup_folders(data_dir):
    """Every folder a backup of this hub may be in: the data folder's backups/, then mounted sticks."""
    return [Path(data_dir) / "backups"] + [Path(p) for pattern in BACKUP_GLOBS for p in sorted(glob.glob(pattern))]


def newest_backup(folders):
    """The newest backup file in folders (by modification time across folders), or None."""
    from hub.backup import backups_in

    newest = None
    for folder in folders:
        found = backups_in(folder) if Path(folder).is_dir() else []
        if found and (newest is None or found[-1].stat().st_mtime > newest.stat().st_mtime):
            newest = found[-1]
    return newest


def signs_of_a_hub(data_dir):
    """What in data_dir shows that a hub lived there: ["a secret key", "a hub identity", "backups"]."""
    data_dir = Path(data_dir)
    signs = []
    if (data_dir / "secret_key").exists():
        signs.append("a secret key")
    if (data_dir / "federation.key").exists():  # federation.signing.HUB
        signs.append("a hub identity")
    if newest_backup([data_dir / "backups"]) is not None:
        signs.append("backups")
    return signs


def restore_advice(data_dir):
    """The command that brings the data back: `communityhub restore <the newest backup>`."""
    newest = newest_backup(backup_folders(data_dir))
    if newest is None:
        return ("restore the newest backup with `communityhub restore FILE` (no backup was found in "
                f"{Path(data_dir) / 'backups'} or on a mounted USB stick: plug in the stick that holds them)")
    return f"restore the newest backup: `communityhub restore {newest}`"


def lost_database(data_dir):
    """One line when the database is missing or empty although a hub lived in data_dir, else None."""
    path = database_file(data_dir)
    if path.is_file() and path.stat().st_size > 0:
        return None
    if path.exists() and not path.is_file():
        return None  # a folder or a device in its place: damaged, not lost (classify() on opening)
    signs = signs_of_a_hub(data_dir)
    if not signs:
        return None
    state = "empty (0 bytes)" if path.exists() else "missing"
    return (f"the database {path} is {state}, but this data folder belonged to a hub ({', '.join(signs)}): "
            f"starting would make a new, empty hub. Stop, then {restore_advice(data_dir)}")


def classify(error, data_dir=None, floor_mb=1):
    """FULL, BUSY or DAMAGED for a database or file-system error (FULL too for any error on a card with less
    than floor_mb MB free: SQLite says "disk I/O error" when it cannot even create its shared-memory file)."""
    text = str(error).lower()
    if any(word in text for word in _FULL_WORDS) or getattr(error, "errno", None) == errno.ENOSPC:
        return FULL
    if data_dir is not None and below_floor(data_dir, floor_mb):
        return FULL
    if any(word in text for word in _BUSY_WORDS):
        return BUSY
    return DAMAGED


def free_mb(data_dir):
    """Free space, in MB, on the file system of the data folder."""
    return shutil.disk_usage(data_dir).free // (1024 * 1024)


def below_floor(data_dir, floor_mb):
    """True when saving now could fill the card: less than floor_mb MB free."""
    try:
        return free_mb(data_dir) < floor_mb
    except OSError:
        return False


# A stop that was not clean, and a write-ahead log that vanished after one.

def mark_serving(data_dir):
    """Say that a server runs on data_dir (removed by mark_stopped at a clean stop)."""
    try:
        (Path(data_dir) / RUNNING_FILE).write_text(f"{os.getpid()}\n", encoding="ascii")
    except OSError:
        pass  # a full card: the check is lost for this run, the hub still serves


def mark_stopped(data_dir):
    """Say that the server stopped cleanly (its connections closed, the log checkpointed)."""
    (Path(data_dir) / RUNNING_FILE).unlink(missing_ok=True)


def check_unclean_stop(data_dir):
    """At start, before the database is opened: after an unclean stop, is the write-ahead log still there?

    Returns the message recorded in `wal-lost` when it vanished, else None. The marker is removed once
    looked at: SQLite replays a log that is there when the database is next opened.
    """
    marker = Path(data_dir) / RUNNING_FILE
    if not marker.exists():
        return None
    wal = Path(str(database_file(data_dir)) + "-wal")
    message = None
    if not wal.exists() and database_file(data_dir).exists():
        message = ("the hub stopped without a clean shutdown and the database's write-ahead log "
                   f"({wal.name}) was missing at the next start: changes saved shortly before the stop may "
                   "be lost")
        try:
            (Path(data_dir) / WAL_LOST_FILE).write_text(message + "\n", encoding="utf-8")
        except OSError:
            pass
    marker.unlink(missing_ok=True)
    return message


def forget_stop(data_dir):
    """After a restore: the marker and any report of a lost log were about the database replaced."""
    mark_stopped(data_dir)
    (Path(data_dir) / WAL_LOST_FILE).unlink(missing_ok=True)


def wal_lost(data_dir):
    """The recorded message about a vanished write-ahead log, or None."""
    try:
        return (Path(data_dir) / WAL_LOST_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None
