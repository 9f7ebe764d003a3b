"""The coordinator reads and filters the audit log (no route changes it)."""

from flask import render_template, request

from hub.audit import bp
from hub.audit.rows import event_rows
from hub.audit.service import ACTIONS, Filters, search
from hub.i18n import translated


@bp.get("")
def events():
    filters = Filters(username=request.args.get("username", "")[:32],
                      action=request.args.get("action", "") if request.args.get("action") in ACTIONS else "",
                      object_type=request.args.get("object_type", "")[:32],
                      before_id=request.args.get("before", type=int))
    # Here: both import the audit log's writer.
    from hub.auth.service import ROLE_LABELS
    from hub.clockcheck.service import suspect_among

    events, next_before = search(filters)
    actions = translated(ACTIONS)
    rows = event_rows(events, suspect_among(events, lambda event: event.at), actions, translated(ROLE_LABELS))
    return render_template("hub/audit/events.html", events=events, rows=rows, next_before=next_before,
                           filters=filters, actions=actions)
