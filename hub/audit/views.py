"""The coordinator reads and filters the audit log (no route changes it)."""

from dataclasses import astuple

from flask import render_template, request
from flask_babel import get_locale, get_timezone
from markupsafe import Markup

from hub import memo
from hub.audit import bp
from hub.audit.rows import event_rows
from hub.audit.service import ACTIONS, Filters, newest_id, search
from hub.i18n import translated


@bp.get("")
def events():
    filters = Filters(username=request.args.get("username", "")[:32],
                      action=request.args.get("action", "") if request.args.get("action") in ACTIONS else "",
                      object_type=request.args.get("object_type", "")[:32],
                      before_id=request.args.get("before", type=int))
    # Here: both import the audit log's writer.
    from hub.auth.service import ROLE_LABELS
    from hub.clockcheck.service import marks_version, suspect_among

    def render():
        events, next_before = search(filters)
        actions = translated(ACTIONS)
        rows = event_rows(events, suspect_among(events, lambda event: event.at), actions, translated(ROLE_LABELS))
        return Markup(render_template("hub/audit/_events_body.html", events=events, rows=rows,
                                      next_before=next_before, filters=filters, actions=actions))

    # Kept until the next write or the next event (opening a case adds one without a write that other kept
    # answers see), per filters, language, zone and the clock marks' files.
    key = ("audit log", *astuple(filters), newest_id(), str(get_locale()), str(get_timezone()), marks_version())
    return render_template("hub/audit/events.html", body=memo.kept(key, render))
