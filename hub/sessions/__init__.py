"""Sessions and meetings: planning, recording, attendance rosters, paper back-ups."""

from flask import Blueprint
from flask_babel import format_time

bp = Blueprint("sessions", __name__, url_prefix="/sessions")

from hub.sessions import roster_views, views  # noqa: E402,F401  (registers the routes on bp)
from hub.sessions.roster_rows import roster_lines  # noqa: E402
from hub.sessions.service import meeting_kind_label, meeting_status_label  # noqa: E402

# Other areas' pages (a group's sessions, a child's history) name kinds of sessions too.
bp.add_app_template_global(meeting_kind_label)
bp.add_app_template_global(meeting_status_label)
bp.add_app_template_global(format_time)
bp.add_app_template_global(roster_lines)
