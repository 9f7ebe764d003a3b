"""The sessions blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.sessions never loads its views)."""

from flask_babel import format_time

from hub.sessions import bp, roster_views, views  # noqa: F401  (registers the routes on bp)
from hub.sessions.roster_rows import roster_lines
from hub.sessions.service import meeting_kind_label, meeting_status_label

# Other areas' pages (a group's sessions, a child's history) name kinds of sessions too.
bp.add_app_template_global(meeting_kind_label)
bp.add_app_template_global(meeting_status_label)
bp.add_app_template_global(format_time)
bp.add_app_template_global(roster_lines)

__all__ = ["bp"]
