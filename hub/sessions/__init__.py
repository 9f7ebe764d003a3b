"""Sessions and meetings: planning, recording, attendance rosters, paper back-ups."""

from flask import Blueprint

bp = Blueprint("sessions", __name__, url_prefix="/sessions")
