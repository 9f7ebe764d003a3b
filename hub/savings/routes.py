"""The savings blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.savings never loads its views)."""

from flask import g

from hub.memo import for_account
from hub.savings import (
    bp,
    views,  # noqa: F401  (registers the routes on bp)
)
from hub.savings.money import show as show_money
from hub.savings.service import kind_label
from hub.savings.standing import sees_savings

bp.add_app_template_global(show_money, "money")
bp.add_app_template_global(kind_label)
# The menu shows "Savings" only to an account with a ledger to open.
bp.add_app_template_global(lambda: for_account("sees_savings", g.get("user"), sees_savings), "sees_savings")

__all__ = ["bp"]
