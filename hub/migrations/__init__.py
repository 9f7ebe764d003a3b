"""Numbered schema migrations, applied in order and recorded in the database.

Each module `NNNN_name.py` holds the frozen SQL of the tables it makes, as `STATEMENTS` (or an
`upgrade(db)` for steps that need code): migrations never import live models, so an old database
always upgrades through the same steps.
"""

import importlib
import pkgutil
import re
from dataclasses import dataclass

_MODULE_NAME = re.compile(r"^(\d{4})_(\w+)$")
_LEDGER_SQL = ("CREATE TABLE IF NOT EXISTS schema_migration ("
               "number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")


@dataclass(frozen=True)
class Migration:
    number: int
    name: str

    def upgrade(self, db):
        module = importlib.import_module(f"{__name__}.{self.number:04d}_{self.name}")
        if hasattr(module, "upgrade"):
            module.upgrade(db)
        for sql in getattr(module, "STATEMENTS", ()):
            db.execute_sql(sql)


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
    if not db.execute_sql("SELECT 1 FROM sqlite_master WHERE name = 'schema_migration'").fetchone():
        return set()
    return {row[0] for row in db.execute_sql("SELECT number FROM schema_migration")}


def pending(db):
    """Migrations shipped but not yet applied to db."""
    done = applied(db)
    return [migration for migration in available() if migration.number not in done]


def migrate(db, target=None):
    """Apply pending migrations up to target (all by default), each in its own transaction."""
    ran = []
    db.execute_sql(_LEDGER_SQL)
    for migration in pending(db):
        if target is not None and migration.number > target:
            break
        with db.atomic():
            migration.upgrade(db)
            db.execute_sql("INSERT INTO schema_migration (number, name, applied_at) "
                           "VALUES (?, ?, datetime('now'))", (migration.number, migration.name))
        ran.append(migration)
    return ran
