"""The one runner of numbered schema migrations, for the hub (hub/migrations) and the aggregator
(federation/aggregator/migrations): which steps a package ships, which a database has had, and applying
the rest in order, each in its own transaction, recorded in the database.

Each package keeps its own steps and says how one step upgrades a database (Migration.upgrade); what
a step is, how they are ordered and how they are recorded is decided here only.
"""

import importlib
import pkgutil
import re
from dataclasses import dataclass
from datetime import UTC, datetime

MODULE_NAME = re.compile(r"^(\d{4})_(\w+)$")
LEDGER = "schema_migration"
LEDGER_SQL = (f"CREATE TABLE IF NOT EXISTS {LEDGER} ("
              "number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")


@dataclass(frozen=True)
class Migration:
    """One step, the module `NNNN_name.py` of the package named by the subclass's PACKAGE."""

    number: int
    name: str

    PACKAGE = None  # set by each package's subclass

    def module(self):
        return importlib.import_module(f"{self.PACKAGE}.{self.number:04d}_{self.name}")

    def upgrade(self, db):
        raise NotImplementedError


def available(kind, path):
    """Every step of kind (a Migration subclass) found in the package folder(s) path, in order."""
    found = []
    for module in pkgutil.iter_modules(path):
        match = MODULE_NAME.match(module.name)
        if match:
            found.append(kind(int(match.group(1)), match.group(2)))
    return sorted(found, key=lambda migration: migration.number)


def applied(db):
    """Numbers of the migrations this database has had (reads only)."""
    if not db.table_exists(LEDGER):
        return set()
    return {row[0] for row in db.execute_sql(f"SELECT number FROM {LEDGER}")}


def pending(db, shipped):
    """The steps of shipped not yet applied to db."""
    done = applied(db)
    return [migration for migration in shipped if migration.number not in done]


def migrate(db, shipped, target=None):
    """Apply the pending steps of shipped up to target (all by default), each in its own transaction."""
    ran = []
    db.execute_sql(LEDGER_SQL)
    for migration in pending(db, shipped):
        if target is not None and migration.number > target:
            break
        with db.atomic():
            migration.upgrade(db)
            db.execute_sql(f"INSERT INTO {LEDGER} (number, name, applied_at) VALUES ({db.param}, {db.param}, "
                           f"{db.param})", (migration.number, migration.name,
                                            datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")))
        ran.append(migration)
    return ran
