"""Accounts, roles, sign-in and sign-out."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from hub.auth import account_views, views  # noqa: E402,F401  (registers the routes on bp)
