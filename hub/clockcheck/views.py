"""The clock page: the hub's time and the phone's, and a form (CSRF protected) that sets the hub's clock.
static/clock.js fills in the phone's time; without JavaScript the coordinator types it."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub import clock
from hub.clockcheck import bp, service
from hub.forms import EmptyForm


def _page(status=200, phone_time=None):
    return render_template("hub/clock.html", hub_time=clock.now(), phone_time=phone_time,
                           since=service.suspect_since(), limit_minutes=int(service.SKEW_LIMIT.total_seconds() // 60),
                           history=service.history()[-5:], form=EmptyForm()), status


@bp.get("/clock", endpoint="show")
def show():
    return _page()


@bp.post("/clock/report", endpoint="report")
def report():
    """The phone's time, sent by clock.js from any page (or by the form): marks the clock suspect."""
    form = EmptyForm()
    if not form.validate_on_submit():
        return _("The form expired: please try again."), 400
    try:
        skewed = service.report_phone_time(service.parse_phone_time(request.form.get("phone_time")))
    except service.ClockError:
        return _("Not a time."), 400
    return ("skewed" if skewed else "ok"), 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.post("/clock/set", endpoint="set")
def set_time():
    form = EmptyForm()
    if not form.validate_on_submit():
        flash(_("The form expired: please try again."), "error")
        return _page(400)
    try:
        new_time = service.parse_phone_time(request.form.get("phone_time"))
        service.set_clock(new_time, g.user.username)
    except service.ClockError as error:
        flash(_("The hub's clock was not set: %(problem)s", problem=str(error)), "error")
        return _page(400)
    flash(_("The hub's clock is now %(time)s.", time=new_time.strftime("%Y-%m-%d %H:%M")), "success")
    return redirect(url_for("clockcheck.show"))
