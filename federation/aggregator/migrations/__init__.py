"""The aggregator's numbered schema migrations, applied in order and recorded in the database.

Like hub.migrations, each module `NNNN_name.py` holds frozen SQL as `STATEMENTS` and never imports live
models. The same statements run on SQLite and PostgreSQL: the few column types that differ are written
as `{blob}`, `{timestamp}`, `{bool}`, `{true}`, `{false}`, `{bigint}`, `{real}` and `{serial}` and filled in from
TYPES for the database at hand.
"""

import importlib
import pkgutil
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from federation.aggregator import db as aggregator_db

_MODULE_NAME = re.compile(r"^(\d{4})_(\w+)$")
LEDGER = "schema_migration"
_LEDGER_SQL = (f"CREATE TABLE IF NOT EXISTS {LEDGER} ("
               "number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")

TYPES = {
    aggregator_db.SQLITE: {"blob": "BLOB", "timestamp": "DATETIME", "bool": "INTEGER", "true": "1",
                           "false": "0", "bigint": "INTEGER", "serial": "INTEGER PRIMARY KEY", "real": "REAL"},
    aggregator_db.POSTGRESQL: {"blob": "BYTEA", "timestamp": "TIMESTAMP", "bool": "BOOLEAN",
                               "true": "TRUE", "false": "FALSE", "bigint": "BIGINT",
                               "serial": "BIGSERIAL PRIMARY KEY", "real": "DOUBLE PRECISION"},
}


@dataclass(frozen=True)
class Migration:
    number: int
    name: str

    def upgrade(self, db):
        module = importlib.import_module(f"{__name__}.{self.number:04d}_{self.name}")
        types = TYPES[aggregator_db.engine(db)]
        for sql in module.STATEMENTS:
            db.execute_sql(sql.format(**types))


def available():
    """Every migration shipped, in order."""
    found = []
    for module in pkgutil.iter_modules(__path__):
        match = _MODULE_NAME.match(module.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2)))
    return sorted(found, key=lambda migration: migration.number)


def applied(db):
    """Numbers of the migrations this database has had (reads only)."""
    if not db.table_exists(LEDGER):
        return set()
    return {row[0] for row in db.execute_sql(f"SELECT number FROM {LEDGER}")}


def pending(db):
    """Migrations shipped but not yet applied to db."""
    done = applied(db)
    return [migration for migration in available() if migration.number not in done]


def migrate(db):
    """Apply the pending migrations to db (the real database, not the proxy), each in its own transaction."""
    ran = []
    db.execute_sql(_LEDGER_SQL)
    for migration in pending(db):
        with db.atomic():
            migration.upgrade(db)
            db.execute_sql(f"INSERT INTO {LEDGER} (number, name, applied_at) VALUES ({db.param}, {db.param}, "
                           f"{db.param})", (migration.number, migration.name,
                                            datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")))
        ran.append(migration)
    return ran
