"""Numbered schema migrations, applied in order and recorded in the database.

Each module `NNNN_name.py` holds the frozen SQL of the tables it makes, as `STATEMENTS` (or an
`upgrade(db)` for steps that need code): migrations never import live models, so an old database
always upgrades through the same steps. The runner is hub/migrator.py, shared with the aggregator.
"""

from dataclasses import dataclass

from hub import migrator


@dataclass(frozen=True)
class Migration(migrator.Migration):
    PACKAGE = __name__

    def upgrade(self, db):
        module = self.module()
        if hasattr(module, "upgrade"):
            module.upgrade(db)
        for sql in getattr(module, "STATEMENTS", ()):
            db.execute_sql(sql)


def available():
    """Every migration shipped, in order."""
    return migrator.available(Migration, __path__)


def applied(db):
    """Numbers of the migrations this database has had (reads only)."""
    return migrator.applied(db)


def pending(db):
    """Migrations shipped but not yet applied to db."""
    return migrator.pending(db, available())


def migrate(db, target=None):
    """Apply pending migrations up to target (all by default), each in its own transaction."""
    return migrator.migrate(db, available(), target)
