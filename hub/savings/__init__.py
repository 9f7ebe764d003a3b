"""The savings ledger of a mothers' group (village savings and loan style): cycles, meetings, deposits,
the social fund, loans with two officers' keys, repayments, fines, the group business, and the share-out."""

from flask import Blueprint, g

bp = Blueprint("savings", __name__, url_prefix="/savings")

from hub.memo import for_account  # noqa: E402
from hub.savings import views  # noqa: F401, E402  (registers the routes on bp)
from hub.savings.money import show as show_money  # noqa: E402
from hub.savings.service import kind_label  # noqa: E402
from hub.savings.standing import sees_savings  # noqa: E402

bp.add_app_template_global(show_money, "money")
bp.add_app_template_global(kind_label)
# The menu shows "Savings" only to an account with a ledger to open.
bp.add_app_template_global(lambda: for_account("sees_savings", g.get("user"), sees_savings), "sees_savings")
