"""The hub's one peewee database: SQLite in the data folder, with the pragmas and write lock of DECISIONS.

SQLite 3.7.0 to 3.51.2 (Raspberry Pi OS ships 3.40.1) can corrupt a WAL database when two connections
write or checkpoint at the same instant. So every write in this process goes through one lock:
transactions start with BEGIN IMMEDIATE while holding it, stray autocommit writes take it too, and
closing a connection (which may checkpoint) takes it as well.

Connections are pooled: a request "connects" and "closes" by borrowing one, so the pragmas run once
per connection and the WAL is not checkpointed and deleted after every request (SD-card wear).
"""

import contextlib
import re
import sqlite3
import threading
from pathlib import Path

from peewee import Model
from playhouse.pool import PooledSqliteDatabase

DATABASE_FILE = "hub.sqlite3"
PRAGMAS = (
    ("journal_mode", "wal"),
    ("synchronous", "full"),  # a record a user saw saved must survive a power cut
    ("foreign_keys", 1),
    ("busy_timeout", 10000),
    ("temp_store", "memory"),
)
_READ_ONLY_SQL = re.compile(r"\s*(SELECT|EXPLAIN)\b", re.IGNORECASE)
_READ_ONLY_PRAGMA = re.compile(r"\s*PRAGMA\s+(\w+\.)?(quick_check|integrity_check|table_info|index_list|"
                               r"foreign_key_list|foreign_key_check|user_version|journal_mode|synchronous|"
                               r"foreign_keys|busy_timeout|temp_store|page_count|page_size|freelist_count|"
                               r"compile_options)\s*;?\s*$", re.IGNORECASE)

WRITE_LOCK = threading.RLock()


class ReadOnlyError(Exception):
    """A write was attempted while the hub serves read-only (its database failed the check at start)."""


def is_write(sql):
    """True unless sql is a plain SELECT or a pragma that only reads (WITH and the rest count as writes)."""
    return not (_READ_ONLY_SQL.match(sql) or _READ_ONLY_PRAGMA.match(sql))


class CommitWatcher:
    """Tells whether another process committed to the database file, from SQLite's `PRAGMA data_version` on a
    connection of its own: the value moves whenever any other connection commits, here or in another process.

    This process's own commits move it too, so each is made inside own_commit(), which looks before the COMMIT
    (no other process can commit while this one holds SQLite's write lock) and takes the new value in after
    it. A request that looks meanwhile does not wait for the disk: it skips its look, since the commit under
    way looks for it. A commit of another process landing between this one's COMMIT and its look after it is
    taken in with it; it is missed only if this process's commit was one that moves no generation (a case
    view's audit line), until the next write here. Opened at first use, so init() still opens nothing."""

    def __init__(self):
        self._lock = threading.Lock()
        self._path = None
        self._connection = None
        self._seen = None

    def watch(self, path):
        """Watch the file at path (None: nothing), forgetting any earlier one."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
            self._path, self._connection, self._seen = path, None, None

    def close(self):
        """Close its connection (opened again at the next look), so it never keeps the file open."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
            self._connection = None

    def _version(self):
        if self._path is None:
            return None
        try:
            if self._connection is None:  # read-only: it must never create the file, nor write to it
                self._connection = sqlite3.connect(Path(self._path).resolve().as_uri() + "?mode=ro", uri=True,
                                                   check_same_thread=False, isolation_level=None)
            return self._connection.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:  # a damaged or missing file: the hub reports that elsewhere; nothing to notice
            return None

    def _moved(self):
        version = self._version()
        if version is None:
            return False
        moved = version != self._seen  # at first (nothing seen yet): anything kept may predate a write
        self._seen = version
        return moved

    def other_commits(self):
        """True when the data version moved since it was last taken in (then it is taken in); False while this
        process commits (own_commit looks instead)."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            return self._moved()
        finally:
            self._lock.release()

    @contextlib.contextmanager
    def own_commit(self):
        """Around this process's COMMIT, made while holding SQLite's write lock: yields whether other processes
        committed since the last look, and takes in the value the COMMIT moved."""
        with self._lock:
            yield self._moved()
            self._seen = self._version()


class HubDatabase(PooledSqliteDatabase):
    """SqliteDatabase whose writes are serialised by WRITE_LOCK and refused when read-only."""

    read_only = False
    # Grows with every commit in this process: anything cached from the database is stale once it moves.
    generation = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.watcher = CommitWatcher()  # notices commits of other processes (pointed at the file by init())

    def begin(self, lock_type=None):
        if self.read_only:
            raise ReadOnlyError("the database is read-only")
        WRITE_LOCK.acquire()
        try:
            super().begin("IMMEDIATE")
        except BaseException:
            WRITE_LOCK.release()
            raise

    # Set by unseen_write() once its transaction has begun, read by its commit; WRITE_LOCK is held all the while.
    _unseen_commit = False

    @contextlib.contextmanager
    def unseen_write(self):
        """A transaction whose commit leaves the generation as it is: for a write that only appends what no kept
        answer reads (the audit trail of reading a case), which would otherwise make every account's kept menu
        and lookups stale on every view. Inside a larger transaction, a savepoint: that one's commit counts."""
        nested = self.in_transaction()
        with self.atomic():
            if not nested:
                self._unseen_commit = True
            yield

    def commit(self):
        with self.watcher.own_commit() as others_wrote:
            super().commit()
        if others_wrote or not self._unseen_commit:
            self.generation += 1
        self._unseen_commit = False
        WRITE_LOCK.release()

    def notice_other_writers(self):
        """Move the generation if another process (a command run beside the server) committed since this one
        last looked, so nothing kept from before its write is served after it (hub.memo, hub.pagecache)."""
        if self.watcher.other_commits():
            with WRITE_LOCK:  # as every other move of the generation: two at once must not make one
                self.generation += 1

    def rollback(self):
        self._unseen_commit = False
        try:
            super().rollback()
        finally:
            WRITE_LOCK.release()

    def execute_sql(self, sql, params=None):
        if self.in_transaction() or not is_write(sql):
            return super().execute_sql(sql, params)
        if self.read_only:
            raise ReadOnlyError("the database is read-only")
        with WRITE_LOCK, self.watcher.own_commit():
            cursor = super().execute_sql(sql, params)
            self.generation += 1
            return cursor

    def close_all(self):
        # Before the pool: the last connection to close checkpoints the WAL, and must be the pool's.
        self.watcher.close()
        super().close_all()

    def _close_raw(self, conn):
        # Really closing the last connection checkpoints the WAL: that counts as a write.
        with WRITE_LOCK:
            super()._close_raw(conn)


MAX_CONNECTIONS = 32
database = HubDatabase(None, max_connections=MAX_CONNECTIONS, timeout=30)


class BaseModel(Model):
    """Every hub model lives in the one database."""

    class Meta:
        database = database
        legacy_table_names = False


def init(path, read_only=False):
    """Point the database at path with the hub's pragmas (nothing is opened yet)."""
    if not database.deferred:
        database.close_all()
    # Pooled connections move between waitress threads, one thread at a time.
    database.init(str(path), pragmas=PRAGMAS, timeout=10, check_same_thread=False)
    database.read_only = read_only
    database.watcher.watch(None if str(path) == ":memory:" else str(path))


def check(path, pragma="quick_check"):
    """Run SQLite's quick_check (or integrity_check) on the file at path; return (ok, message)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = [row[0] for row in conn.execute(f"PRAGMA {pragma}")]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return False, str(exc)
    return rows == ["ok"], "; ".join(rows[:5])


def readable(path):
    """True when SQLite can open the file at path and read its schema and accounts (enough to sign in)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'user'").fetchone():
                conn.execute("SELECT count(*) FROM user").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return True


def sqlite_version():
    """The version of the SQLite library this process runs."""
    return sqlite3.sqlite_version
