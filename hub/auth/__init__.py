"""Accounts, roles, sign-in and sign-out."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from hub.auth import account_views, views  # noqa: E402,F401  (registers the routes on bp)
from hub.auth.strength import RULE  # noqa: E402

# Said beside every field where a secret is chosen (accounts, one's own, set-up).
bp.add_app_template_global(RULE, "secret_rule")
