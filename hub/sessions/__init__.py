"""Sessions and meetings: planning, recording, attendance rosters, paper back-ups."""

from flask import Blueprint

bp = Blueprint("sessions", __name__, url_prefix="/sessions")

from hub.sessions import views  # noqa: E402,F401  (registers the routes on bp)
