"""The aggregator's numbered schema migrations, applied in order and recorded in the database.

Like hub.migrations, each module `NNNN_name.py` holds frozen SQL as `STATEMENTS` and never imports live
models. The same statements run on SQLite and PostgreSQL: the few column types that differ are written
as `{blob}`, `{timestamp}`, `{bool}`, `{true}`, `{false}`, `{bigint}`, `{real}`, `{serial}` and `{json}` and
filled in from TYPES for the database at hand. The runner is hub/migrator.py, shared with the hub.
"""

from dataclasses import dataclass

from federation.aggregator import db as aggregator_db
from hub import migrator

LEDGER = migrator.LEDGER

TYPES = {
    aggregator_db.SQLITE: {"blob": "BLOB", "timestamp": "DATETIME", "bool": "INTEGER", "true": "1",
                           "false": "0", "bigint": "INTEGER", "serial": "INTEGER PRIMARY KEY", "real": "REAL",
                           "json": "TEXT"},
    aggregator_db.POSTGRESQL: {"blob": "BYTEA", "timestamp": "TIMESTAMP", "bool": "BOOLEAN",
                               "true": "TRUE", "false": "FALSE", "bigint": "BIGINT",
                               "serial": "BIGSERIAL PRIMARY KEY", "real": "DOUBLE PRECISION",
                               "json": "JSONB"},
}


@dataclass(frozen=True)
class Migration(migrator.Migration):
    PACKAGE = __name__

    def upgrade(self, db):
        types = TYPES[aggregator_db.engine(db)]
        for sql in self.module().STATEMENTS:
            db.execute_sql(sql.format(**types))


def available():
    """Every migration shipped, in order."""
    return migrator.available(Migration, __path__)


def applied(db):
    """Numbers of the migrations this database has had (reads only)."""
    return migrator.applied(db)


def pending(db):
    """Migrations shipped but not yet applied to db."""
    return migrator.pending(db, available())


def migrate(db):
    """Apply the pending migrations to db (the real database, not the proxy), each in its own transaction."""
    return migrator.migrate(db, available())
