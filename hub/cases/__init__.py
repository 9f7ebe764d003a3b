"""Concerns and cases: anyone reports a concern; case workers triage, act, refer and follow up."""

from flask import Blueprint

concerns_bp = Blueprint("concerns", __name__, url_prefix="/concerns")
bp = Blueprint("cases", __name__)
