"""The auth blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.auth never loads its views)."""

from hub.auth import account_views, bp, views  # noqa: F401  (registers the routes on bp)
from hub.auth.strength import RULE

# Said beside every field where a secret is chosen (accounts, one's own, set-up).
bp.add_app_template_global(RULE, "secret_rule")

__all__ = ["bp"]
