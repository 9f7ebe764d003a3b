"""The migration register: the vigilance committee's record of who left the village, the follow-up calls and
the returns; a minor's departure is flagged and offers "report a concern"."""

from flask import Blueprint, g

bp = Blueprint("migration", __name__, url_prefix="/migration")

from hub.memo import for_account  # noqa: E402
from hub.migration import views  # noqa: E402,F401  (registers the routes on bp)
from hub.migration.service import may_keep_register, purpose_label  # noqa: E402

bp.add_app_template_global(purpose_label)


@bp.app_template_global()
def keeps_migration_register():
    """True when the signed-in account keeps the migration register (for the menu)."""
    return for_account("keeps_migration_register", g.get("user"), may_keep_register)
