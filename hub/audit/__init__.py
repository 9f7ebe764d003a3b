"""The audit log: who did what to which record, from where. Coordinators read it; nobody edits it."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")
