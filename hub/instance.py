"""The data folder: everything one hub owns (database, secret key, settings file).

`prepare()` is what `communityhub init` does and what start-up repeats: it never overwrites a key
or a setting, so it is safe to run on every start.
"""

import contextlib
import fcntl
import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import peewee

from hub import db, migrations, storage
from hub.settings import SETTINGS_FILE, template_text

SECRET_KEY_FILE = "secret_key"
SETUP_CODE_FILE = "setup-code"
SERVING_LOCK_FILE = "serving.lock"
# Database states: OK; READ_ONLY when the check at start failed but the data can still be read; or, when it
# cannot be read at all, storage.FULL or storage.DAMAGED.
OK, READ_ONLY = "ok", "read-only"


class AlreadyServing(Exception):
    """Another process serves this data folder."""


@dataclass(frozen=True)
class Preparation:
    """What prepare() found and did."""

    data_dir: Path
    created: bool
    database_ok: bool
    database_message: str
    migrations_applied: tuple
    database_state: str = "ok"


def write_private(path, text):
    """Write text to a new file readable by its owner only (0600), atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def secret_key(data_dir):
    """The app's session-signing key, made once and kept 0600 in the data folder."""
    path = Path(data_dir) / SECRET_KEY_FILE
    if not path.exists():
        write_private(path, secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()


def setup_code(data_dir):
    """The one-time code that proves the person at /setup holds the hub (made at init, 0600).

    Twelve digits in three groups: easy to type on a phone keypad, about 40 bits, and /setup is
    throttled like sign-in. It is removed once set-up is done.
    """
    path = Path(data_dir) / SETUP_CODE_FILE
    if not path.exists():
        digits = f"{secrets.randbelow(10**12):012d}"
        write_private(path, f"{digits[:4]}-{digits[4:8]}-{digits[8:]}")
    return path.read_text(encoding="utf-8").strip()


def forget_setup_code(data_dir):
    (Path(data_dir) / SETUP_CODE_FILE).unlink(missing_ok=True)


def database_path(data_dir):
    return Path(data_dir) / db.DATABASE_FILE


def prepare(data_dir):
    """Make the data folder ready: folder, database checked and migrated, key, settings template.

    Raises storage.StartRefused when the database is missing or empty in a folder where a hub lived (it
    would start as a new, empty hub). A database SQLite cannot open or read, or a full card, is not raised:
    the hub then serves a page that says what happened (hub.errors) and /healthz says so.
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    lost = storage.lost_database(data_dir)
    if lost:
        raise storage.StartRefused(lost)
    created = not database_path(data_dir).exists()
    look_for_a_lost_log(data_dir)
    state, message, ran = _open_database(data_dir, created)
    # The key after the database: a key beside no database means a database was lost (see lost_database).
    secret_key(data_dir)
    settings_path = data_dir / SETTINGS_FILE
    if not settings_path.exists():
        settings_path.write_text(template_text(), encoding="utf-8")
    return Preparation(data_dir, created, state == OK, message, ran, state)


def _open_database(data_dir, created):
    """(state, message, migrations applied): OK, READ_ONLY (the check failed), or a storage kind."""
    try:
        ok, message = (True, "ok") if created else db.check(database_path(data_dir))
    except OSError as exc:  # a folder where the file should be, an unreadable file
        ok, message = False, str(exc)
    if not ok and not db.readable(database_path(data_dir)):
        db.init(database_path(data_dir), read_only=True)
        return storage.classify(message, data_dir), message, ()
    db.init(database_path(data_dir), read_only=not ok)
    if not ok:
        return READ_ONLY, message, ()
    try:
        with db.database.connection_context():
            ran = tuple(migrations.migrate(db.database))
    except (peewee.DatabaseError, sqlite3.DatabaseError, OSError) as exc:
        db.database.read_only = True
        return storage.classify(exc, data_dir), str(exc), ()
    return OK, "ok", ran


def look_for_a_lost_log(data_dir):
    """Before this process opens the database: after an unclean stop, was the write-ahead log kept?

    Every command that opens the database looks first (start-up, doctor, backup): once a process has
    opened and closed it, SQLite has moved the log into the database and removed it, and its absence would
    no longer mean anything. Not while a server runs: its log is there, and the marker is its own.
    """
    if not is_served(data_dir):
        storage.check_unclean_stop(data_dir)


def is_served(data_dir):
    """True while a server process holds data_dir's serving lock."""
    try:
        with serving(data_dir):
            return False
    except AlreadyServing:
        return True
    except OSError:
        return False


@contextlib.contextmanager
def serving(data_dir):
    """Hold the data folder's serving lock while the body runs; raise AlreadyServing if a server holds it.

    One server process per data folder (DECISIONS: one writer), and `restore` must not swap the database
    under a running hub. The lock is an flock, so the kernel frees it when the process dies, power cut
    or not: no stale lock file to clean up by hand.
    """
    handle = open(Path(data_dir) / SERVING_LOCK_FILE, "a+b")  # noqa: SIM115  (closed below)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyServing(f"a hub is already serving {data_dir}") from None
        yield
    finally:
        handle.close()  # closing frees the lock
