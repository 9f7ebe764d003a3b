"""Attendance pages: the roster (one tap per person, saved in one POST), the printable paper sheet, and the
entry of a filled-in sheet."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from hub import clock
from hub.forms import EmptyForm, apply_error, check_too
from hub.offline.models import Receipt
from hub.offline.receipts import once, posted_key
from hub.sessions import bp
from hub.sessions.attendance import (
    AttendanceError,
    check_paper,
    check_present,
    guests_of,
    roster_of,
    save_paper,
    save_roster,
    statuses_of,
)
from hub.sessions.forms import BlankRoster, PaperForm, RosterForm, guest_table
from hub.sessions.models import Attendance
from hub.sessions.roster_rows import kept_lines
from hub.sessions.service import facilitators_of, topics_of
from hub.sessions.topics import topic_name
from hub.sessions.views import get_meeting_or_404


def _saved(meeting, counts):
    if counts.ahead:
        flash(_("This session's day is still ahead by the hub's clock, which is marked unsure: check the date "
                "of the session and the clock."), "warning")
    flash(_("Attendance saved: %(present)d present, %(absent)d absent, %(excused)d excused, %(guests)d guests.",
            present=counts.present, absent=counts.absent, excused=counts.excused, guests=counts.guests), "success")
    return redirect(url_for("sessions.view", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/roster", methods=["GET", "POST"])
def roster(meeting_id):
    meeting = get_meeting_or_404(meeting_id)
    if request.method in ("GET", "HEAD"):
        return _roster_page(meeting, None)
    form = RosterForm()
    if request.form.get("everyone") and EmptyForm().validate_on_submit():  # one tap: all present, guests kept
        try:
            return _saved(meeting, once(posted_key(), Receipt.ROSTER, g.user,
                                        lambda: save_roster(meeting, (), None, clock.today(), everyone=True)))
        except AttendanceError as error:
            apply_error(form, error)
    elif form.validate_on_submit():
        try:
            return _saved(meeting, once(posted_key(), Receipt.ROSTER, g.user,
                                        lambda: save_roster(meeting, form.p.data, form.guests(), clock.today(),
                                                            confirmed=bool(form.confirm_guests.data))))
        except AttendanceError as error:
            apply_error(form, error)
    elif form.is_submitted():
        check_too(form, lambda: check_present(meeting, form.p.data or ()))
    return _roster_page(meeting, form)


def _roster_page(meeting, form):
    """The roster page: a GET's (form None: everyone ticked before anything is saved, the guests counted so
    far), or a refused form's (what was tapped and typed)."""
    people = roster_of(meeting)
    statuses = statuses_of(meeting)
    if form is not None and not request.form.get("everyone"):  # refused: show what was tapped and typed
        ticked = {int(value) for value in form.p.data or () if value.isdecimal()}
    else:
        if form is None:
            form = BlankRoster(guests_of(meeting))
        else:
            form.show_guests(guests_of(meeting))
        # Before anything is saved everyone is ticked: tapping the few who are away is the quick way.
        ticked = {person.id for person in people
                  if statuses.get(person.id, Attendance.PRESENT if not statuses else None) == Attendance.PRESENT}
    excused = {person_id for person_id, status in statuses.items() if status == Attendance.EXCUSED}
    return render_template("hub/sessions/roster.html", meeting=meeting, people=people, ticked=ticked,
                           excused=excused, lines=kept_lines(meeting, str(get_locale())), form=form,
                           guest_table=guest_table())


@bp.get("/<int:meeting_id>/sheet")
def sheet(meeting_id):
    meeting = get_meeting_or_404(meeting_id)
    return render_template("hub/sessions/sheet.html", meeting=meeting, people=roster_of(meeting),
                           topics=[topic_name(topic) for topic in topics_of(meeting)],
                           facilitators=facilitators_of(meeting), guest_table=guest_table())


def _numbers(people, statuses, wanted):
    return ", ".join(str(number) for number, person in enumerate(people, start=1)
                     if statuses.get(person.id) == wanted)


@bp.route("/<int:meeting_id>/paper", methods=["GET", "POST"])
def paper(meeting_id):
    meeting = get_meeting_or_404(meeting_id)
    form = PaperForm()
    if form.validate_on_submit():
        try:
            return _saved(meeting, save_paper(meeting, form.order.data, form.absent.data, form.excused.data,
                                              form.guests(), clock.today(), confirmed=bool(form.confirm_guests.data)))
        except AttendanceError as error:
            apply_error(form, error)
    elif form.is_submitted():
        check_too(form, lambda: check_paper(meeting, form.order.data, form.absent.data, form.excused.data))
    people = roster_of(meeting)
    if not form.is_submitted():
        statuses = statuses_of(meeting)
        form.absent.data = _numbers(people, statuses, Attendance.ABSENT)
        form.excused.data = _numbers(people, statuses, Attendance.EXCUSED)
        form.show_guests(guests_of(meeting))
    # The numbers typed refer to the list on this page, so the form carries the list it showed.
    form.order.data = ",".join(str(person.id) for person in people)
    return render_template("hub/sessions/paper.html", meeting=meeting, people=people, form=form,
                           guest_table=guest_table())
