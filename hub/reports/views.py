"""Catch-up lists per group and a facilitator's own record."""

from flask import g, render_template

from hub import clock
from hub.auth.models import User
from hub.groups.views import get_group_or_404
from hub.reports import bp
from hub.reports.service import catch_up as missed_topics
from hub.reports.service import facilitator_record


@bp.get("/groups/<int:group_id>/catch-up")
def catch_up(group_id):
    group = get_group_or_404(group_id)
    return render_template("hub/reports/catch_up.html", group=group,
                           missed=missed_topics(group, viewer_is_coordinator=g.user.role == User.COORDINATOR))


@bp.get("/my-record")
def my_record():
    return render_template("hub/reports/my_record.html", record=facilitator_record(g.user, clock.today()))
