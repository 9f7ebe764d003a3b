"""The aggregator's one peewee database: SQLite in the data folder by default, PostgreSQL by URL.

`COMMUNITYHUB_DATABASE_URL` chooses it (playhouse.db_url style: `postgresql://user:pass@host:5432/name`
or `sqlite:////absolute/path.sqlite3`); empty means `aggregator.sqlite3` in the data folder. SQLite gets
the hub's pragmas and its process-wide write lock (`hub.db.HubDatabase`, see DECISIONS "SQLite on an SD
card"); PostgreSQL a connection pool. Models bind to `database`, a proxy pointed at the real one by `init()`.
"""

import functools
import hashlib
import itertools
import re
import weakref
from pathlib import Path
from urllib.parse import urlsplit

from peewee import DatabaseProxy, IntegrityError, Model, PostgresqlDatabase
from playhouse import db_url
from playhouse.pool import PooledPostgresqlDatabase

from hub.db import MAX_CONNECTIONS, PRAGMAS, HubDatabase, check, sqlite_version

DATABASE_FILE = "aggregator.sqlite3"
SQLITE, POSTGRESQL = "sqlite", "postgresql"
_POSTGRES_SCHEMES = ("postgres", "postgresql", "postgres+pool", "postgresql+pool")

database = DatabaseProxy()


class DatabaseUrlError(ValueError):
    """COMMUNITYHUB_DATABASE_URL names a database this aggregator cannot use."""


class BaseModel(Model):
    """Every aggregator model lives in the one aggregator database."""

    class Meta:
        database = database
        legacy_table_names = False


def sqlite_path(url, data_dir):
    """The SQLite file the URL names (None for a PostgreSQL URL)."""
    if not url:
        return Path(data_dir) / DATABASE_FILE
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else ""
        if not path or path == ":memory:":
            raise DatabaseUrlError("a sqlite URL needs a file: sqlite:////absolute/path.sqlite3")
        return Path(path)
    if scheme in _POSTGRES_SCHEMES:
        return None
    raise DatabaseUrlError(f"unsupported database URL scheme {scheme!r}: use postgresql:// or sqlite:///")


def make(url, data_dir):
    """A new, unconnected database object for the URL (or the default SQLite file)."""
    path = sqlite_path(url, data_dir)
    if path is not None:
        # Pooled connections move between waitress threads, one thread at a time.
        return HubDatabase(str(path), pragmas=PRAGMAS, timeout=10, check_same_thread=False,
                           max_connections=MAX_CONNECTIONS)
    options = db_url.parse(url)
    options.pop("autorollback", None)
    return PooledPostgresqlDatabase(max_connections=MAX_CONNECTIONS, stale_timeout=300, timeout=30,
                                    **options)


def init(url, data_dir):
    """Point `database` at the database the URL names; -> the real database object.

    When `database` points at that database already (a second create_app in one process: a CLI command
    run from a test, or a page's app and a job's), it is kept as it is, with its open connections: re-pointing
    it would strand a connection someone holds open (peewee keeps connection state per database object).
    """
    key = (url or "", str(Path(data_dir).resolve()) if sqlite_path(url, data_dir) is not None else "")
    current = database.obj
    if current is not None and getattr(current, "communityhub_key", None) == key:
        return current
    real = make(url, data_dir)
    real.communityhub_key = key
    close_all()
    database.initialize(real)
    return real


def close_all():
    """Close every pooled connection of the current database (before re-pointing it, and in tests)."""
    real = database.obj
    if real is not None and not real.deferred:
        if not real.is_closed():
            real.close()
        real.close_all()


def engine(real=None):
    """"postgresql" or "sqlite": which kind of database this is."""
    real = real or database.obj
    return POSTGRESQL if isinstance(real, PostgresqlDatabase) else SQLITE


def describe(real=None):
    """(engine, server version) for /healthz and `doctor`."""
    real = real or database.obj
    if engine(real) == SQLITE:
        return SQLITE, sqlite_version()
    with real.connection_context():
        (version,) = real.execute_sql("SHOW server_version").fetchone()
    return POSTGRESQL, version


def quick_check(url, data_dir):
    """(ok, message): SQLite's quick_check on an existing file; PostgreSQL checks its own pages."""
    path = sqlite_path(url, data_dir)
    if path is None or not path.exists():
        return True, "ok"
    return check(path)


ATTEMPTS = 3  # a transaction that lost a race on a unique key (PostgreSQL, two requests at once) runs again


def transaction(work):
    """Run work() in one transaction and return its result; run it again if it lost a race on a unique key.

    On SQLite writes are serialised by the write lock, so the race never happens; on PostgreSQL two
    requests may insert the same row at once, and the loser's whole transaction is rolled back and
    repeated, now seeing the winner's row. A `Refused` raised by work() rolls everything back.
    """
    for attempt in range(ATTEMPTS):
        try:
            with database.atomic():
                return work()
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def transaction_begun_with(sql, arguments, work):
    """PostgreSQL: `transaction()` with BEGIN sent in the round trip of its first statement (sql, arguments);
    work(its cursor) runs in the same transaction, then COMMIT. Under load each round trip waits for the
    server to be scheduled, and ingest makes one per bundle fewer so."""
    for attempt in range(ATTEMPTS):
        try:
            return _begun_with(sql, arguments, work)
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _begun_with(sql, arguments, work):
    # manual_commit tells peewee a transaction is open, so an atomic() in work fails rather than commits it.
    with database.manual_commit():
        try:
            result = work(database.execute_sql("BEGIN; " + sql, arguments))
        except BaseException:
            database.execute_sql("ROLLBACK")
            raise
        database.execute_sql("COMMIT")
    return result


_PREPARED = weakref.WeakKeyDictionary()  # a PostgreSQL connection -> the names prepared on it


def prepared(sql):
    """PostgreSQL: the EXECUTE (with %s placeholders) of sql (with %s placeholders, each typed by its context or
    a cast), prepared on this connection the first time, in a round trip of its own.

    The server then parses and plans a long statement once per connection rather than once per bundle."""
    name, prepare, execute = _prepared_texts(sql)
    names = _PREPARED.setdefault(database.connection(), set())
    if name not in names:
        database.execute_sql(prepare)
        names.add(name)
    return execute


@functools.cache
def _prepared_texts(sql):
    """(name, PREPARE, EXECUTE) of sql: named by its text, its %s numbered $1, $2..."""
    name = "p" + hashlib.sha1(sql.encode("utf-8")).hexdigest()[:16]
    numbers = itertools.count(1)
    prepare = f"PREPARE {name} AS " + re.sub("%s", lambda _match: f"${next(numbers)}", sql)
    return name, prepare, f"EXECUTE {name}({', '.join(['%s'] * sql.count('%s'))})"
