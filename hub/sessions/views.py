"""Session pages: the list, plan or record, a session's page, edit, cancel (attendance: roster_views)."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub import clock
from hub.access import allowed
from hub.forms import EmptyForm, apply_error, check_too
from hub.groups.service import visible_groups
from hub.sessions import bp
from hub.sessions.attendance import counts_of, names_by_status
from hub.sessions.forms import MeetingForm
from hub.sessions.models import Meeting
from hub.sessions.service import (
    MeetingError,
    cancel_meeting,
    check_plan,
    create_meeting,
    facilitator_choices,
    facilitators_of,
    find_meeting,
    may_see_meeting,
    topic_choices,
    topics_of,
    upcoming_and_recent,
    update_meeting,
)
from hub.sessions.topics import topic_name, untrained_topics
from hub.text import formatted


def get_meeting_or_404(meeting_id):
    """The meeting, if it exists and this account may see its group (need to know: 404 either way)."""
    meeting = find_meeting(meeting_id)
    if meeting is None or not may_see_meeting(g.user, meeting):
        abort(404)
    return meeting


@bp.get("", endpoint="list")
def list_sessions():
    upcoming, recent = upcoming_and_recent(g.user, clock.today())
    return render_template("hub/sessions/list.html", upcoming=upcoming, recent=recent)


def _untrained(form):
    """Names of the topics chosen in the form on which no facilitator chosen in it is trained."""
    return [topic_name(topic) for topic in
            untrained_topics(form.kind.data, form.topics.data or (), form.facilitators.data or ())]


def _saved(meeting, verb):
    flash(verb, "success")
    untrained = untrained_topics(meeting.kind, [topic.id for topic in topics_of(meeting)],
                                 [user.id for user in facilitators_of(meeting)])
    if untrained:
        flash(_("No facilitator of this session has been trained on: %(topics)s.",
                topics=", ".join(topic_name(topic) for topic in untrained)), "info")
    return redirect(url_for("sessions.view", meeting_id=meeting.id))


@bp.route("/new", methods=["GET", "POST"])
def new():
    groups = [group for group in visible_groups(g.user) if not group.archived]
    wanted = request.args.get("group", type=int)
    if wanted is None:
        group = groups[0] if len(groups) == 1 else None
    else:
        group = next((group for group in groups if group.id == wanted), None)
    if group is None:  # no group chosen (or one this account may not plan for): choose one first
        return render_template("hub/sessions/choose_group.html", groups=groups)
    form = MeetingForm().offer(topic_choices(), facilitator_choices(group, g.user))
    if not form.is_submitted():
        form.facilitators.data = [g.user.id]
        form.day.data = clock.today()
    if form.validate_on_submit():
        try:
            meeting = create_meeting(group, form.plan(), g.user, clock.today())
        except MeetingError as error:
            apply_error(form, error)
        else:
            return _saved(meeting, _("Session saved."))
    elif form.is_submitted():  # the rules too, so every field's error shows in one pass
        check_too(form, lambda: check_plan(group, form.plan(), clock.today(), g.user))
    return render_template("hub/sessions/form.html", form=form, group=group, meeting=None, many=len(groups) > 1,
                           untrained=_untrained(form))


@bp.get("/<int:meeting_id>")
def view(meeting_id):
    meeting = get_meeting_or_404(meeting_id)
    topics, facilitators = topics_of(meeting), facilitators_of(meeting)
    untrained = untrained_topics(meeting.kind, [topic.id for topic in topics], [user.id for user in facilitators])
    # Names of children only for those who take attendance; members see the counts.
    names = names_by_status(meeting) if allowed("sessions.roster", g.user) else None
    return render_template("hub/sessions/view.html", meeting=meeting, topics=[topic_name(t) for t in topics],
                           facilitators=facilitators, untrained=[topic_name(t) for t in untrained],
                           notes=formatted(meeting.notes), counts=counts_of(meeting), names=names,
                           cancel_form=EmptyForm())


def _initial(meeting):
    return {"status": Meeting.HELD if meeting.status == Meeting.HELD else Meeting.PLANNED, "kind": meeting.kind,
            "day": meeting.starts_at.date(), "start": meeting.starts_at.time(), "place": meeting.place,
            "notes": meeting.notes, "version": meeting.version,
            "topics": [topic.id for topic in topics_of(meeting)],
            "facilitators": [user.id for user in facilitators_of(meeting)]}


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id):
    meeting = get_meeting_or_404(meeting_id)
    form = MeetingForm(data=None if request.method == "POST" else _initial(meeting))
    form.offer(topic_choices(meeting), facilitator_choices(meeting.group, g.user, meeting))
    if form.validate_on_submit():
        try:
            meeting = update_meeting(meeting, form.version.data, form.plan(), g.user, clock.today())
        except MeetingError as error:
            apply_error(form, error)
        else:
            return _saved(meeting, _("Session saved."))
    elif form.is_submitted():
        check_too(form, lambda: check_plan(meeting.group, form.plan(), clock.today(), g.user, meeting))
    return render_template("hub/sessions/form.html", form=form, group=meeting.group, meeting=meeting,
                           untrained=_untrained(form))


@bp.post("/<int:meeting_id>/cancel")
def cancel(meeting_id):
    meeting = get_meeting_or_404(meeting_id)
    try:
        cancel_meeting(meeting)
    except MeetingError as error:
        flash(str(error), "error")
    else:
        flash(_("Session cancelled."), "success")
    return redirect(url_for("sessions.view", meeting_id=meeting.id))
