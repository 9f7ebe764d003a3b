"""The migration blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.migration never loads its views)."""

from flask import g

from hub.memo import for_account
from hub.migration import (
    bp,
    views,  # noqa: F401  (registers the routes on bp)
)
from hub.migration.service import may_keep_register, purpose_label

bp.add_app_template_global(purpose_label)


@bp.app_template_global()
def keeps_migration_register():
    """True when the signed-in account keeps the migration register (for the menu)."""
    return for_account("keeps_migration_register", g.get("user"), may_keep_register)

__all__ = ["bp"]
