"""The audit log: who did what to which record, from where. Coordinators read it; nobody edits it."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")

from hub.audit import views  # noqa: E402,F401  (registers the routes on bp)
