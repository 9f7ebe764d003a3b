"""Clock skew: the hub compares its clock with a signed-in phone's, and lets the coordinator set the hub's
clock from the phone (a Pi has no real-time clock: after a power cut it may believe it is another day)."""

from flask import Blueprint

bp = Blueprint("clockcheck", __name__)

from hub.clockcheck import service, views  # noqa: E402,F401  (register the routes on bp)

# Template globals (not context), so macros imported without context can mark a record's time too.
bp.add_app_template_global(service.suspect_since, "clock_suspect_since")
bp.add_app_template_global(service.was_suspect, "made_while_clock_suspect")
