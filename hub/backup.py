"""Backups of the hub's database, and restoring one: consistent copies made while the hub runs.

A backup is `VACUUM INTO` a temporary name in the target folder, checked with integrity_check,
fsynced, then renamed: a stick pulled out mid-copy leaves a `.partial` file, never a file that looks
whole. Backups are named with the date (for people) and a sequence number (for order: the Pi's clock
may be wrong), and only the newest `keep` are kept. Never `cp` a live database file.
"""

import os
import re
import sqlite3
from pathlib import Path

from hub import db, migrations

NAME = re.compile(r"^hub-(\d{8}-\d{6})-(\d{6})\.sqlite3$")
PARTIAL_SUFFIX = ".partial"


class BackupError(Exception):
    """A backup or restore that cannot be done; str() says why and what to do."""


def fsync_path(path):
    """Flush a file or folder to the card, so a power cut after a rename keeps what was renamed."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backups_in(folder):
    """The backups in folder, oldest first (by sequence number, never by the clock)."""
    found = [(int(match.group(2)), path) for path in Path(folder).glob("hub-*.sqlite3")
             if (match := NAME.match(path.name))]
    return [path for _, path in sorted(found)]


def _check_target(folder):
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"cannot create the backup folder {folder}: {exc.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise BackupError(f"the backup folder {folder} is read-only: mount the stick read-write or choose "
                          "another folder")
    return folder


def make_backup(database_file, folder, now, keep=7):
    """Copy the live database to a new checked backup in folder; keep the newest `keep`; return its path."""
    folder = _check_target(folder)
    existing = backups_in(folder)
    sequence = int(NAME.match(existing[-1].name).group(2)) + 1 if existing else 1
    final = folder / f"hub-{now:%Y%m%d-%H%M%S}-{sequence:06d}.sqlite3"
    partial = final.with_name(final.name + PARTIAL_SUFFIX)
    partial.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(f"file:{database_file}?mode=ro", uri=True)
        try:
            source.execute("VACUUM INTO ?", (str(partial),))
        finally:
            source.close()
        ok, message = db.check(partial, "integrity_check")
        if not ok:
            raise BackupError(f"the copy failed its integrity check ({message}); the live database may be "
                              "damaged: run `communityhub doctor`")
        fsync_path(partial)
        os.replace(partial, final)
        fsync_path(folder)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        full = "full" in str(exc).lower()
        raise BackupError("the backup folder's disk is full: free some space or use another stick" if full
                          else f"the backup could not be written: {exc}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    for old in backups_in(folder)[:-keep] if keep > 0 else []:
        old.unlink()
    return final


def check_backup(path):
    """Raise BackupError unless path is a sound hub database; return its highest migration number."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    ok, message = db.check(path, "integrity_check")
    if not ok:
        raise BackupError(f"{path} is not a usable SQLite database ({message})")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT max(number) FROM schema_migration").fetchone()
    except sqlite3.Error:
        raise BackupError(f"{path} is a SQLite database but not a Community Hub one") from None
    finally:
        conn.close()
    number = row[0] or 0
    newest = migrations.available()[-1].number
    if number > newest:
        raise BackupError(f"{path} was made by a newer Community Hub (schema {number}; this one knows up to "
                          f"{newest}): upgrade the hub first")
    return number


def restore_backup(path, database_file, now):
    """Replace the hub's database with the backup at path, keeping the current one aside; return where.

    The hub must be stopped first: a running server keeps the old file open.
    """
    check_backup(path)
    database_file = Path(database_file)
    aside = database_file.with_name(f"{database_file.name}.before-restore-{now:%Y%m%d-%H%M%S}")
    incoming = database_file.with_name(database_file.name + ".restoring")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.execute("VACUUM INTO ?", (str(incoming),))
    finally:
        source.close()
    fsync_path(incoming)
    if database_file.exists():
        for suffix in ("", "-wal", "-shm"):
            current = Path(str(database_file) + suffix)
            if current.exists():
                os.replace(current, Path(str(aside) + suffix))
    os.replace(incoming, database_file)
    fsync_path(database_file.parent)
    return aside if aside.exists() else None
