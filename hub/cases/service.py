"""Rules shared by concerns and cases: their labels, the one error tree, the dates a case accepts, who may
hold a case, the lists case workers work from, and opening a case (audited).

The writers are split by noun: hub.cases.concerns (reporting), hub.cases.transitions (the state machine,
triage and changes), hub.cases.casework (actions, follow-ups, consent), hub.cases.referrals, and
hub.cases.jobs (overdue follow-ups and retention, called by the scheduler). Each change is audited in
the transaction that makes it.
"""

from datetime import date

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from hub import memo
from hub.audit.models import AuditEvent
from hub.audit.service import record_read
from hub.auth.models import User
from hub.cases.models import (
    Case,
    CaseAction,
    FollowUp,
    Referral,
)
from hub.categories import CATEGORY_LABELS
from hub.i18n import translated, when
from hub.people.models import Person
from hub.prepared import Prepared
from hub.protocols.service import protocol_for
from hub.validation import FieldError

STATUS_LABELS = {
    Case.REPORTED: _l("Reported, waiting for a case worker"),
    Case.ASSESSED: _l("Assessed"),
    Case.ACTION_TAKEN: _l("Action taken"),
    Case.REFERRED: _l("Referred to a service"),
    Case.FOLLOW_UP: _l("Follow-up"),
    Case.CLOSED: _l("Closed"),
}
RISK_LABELS = {
    "": _l("Not assessed yet"),
    Case.LOW: _l("Low"),
    Case.MEDIUM: _l("Medium"),
    Case.HIGH: _l("High"),
    Case.IMMEDIATE: _l("Immediate danger"),
}
CONSENT_LABELS = {
    Case.GUARDIAN: _l("The child's parent or guardian"),
    Case.CHILD: _l("The child"),
}
REFERRAL_STATUS_LABELS = {
    Referral.SENT: _l("Sent"),
    Referral.ACKNOWLEDGED: _l("Acknowledged by the service"),
    Referral.SERVICE_GIVEN: _l("Service given"),
    Referral.CLOSED: _l("Closed"),
    Referral.WITHDRAWN: _l("Withdrawn"),
}
BASIS_LABELS = {
    "": _l("The child's details are not shared"),
    Referral.CONSENT: _l("Consent recorded on the case"),
    Referral.OVERRIDE: _l("The coordinator's override"),
    Referral.IMMEDIATE_DANGER: _l("Immediate danger (the documented exception)"),
}
# Kinds of entries in a case's log. A change of status is "status:<new status>": coded, so the history of a
# case survives the erasure of its narrative (the notes) by the retention job.
REPORTED, TRIAGED, ACTION, REFERRAL, CONSENT, OVERDUE, STATUS = (
    "reported", "triaged", "action", "referral", "consent", "overdue", "status:")
CHILD_LINKED = "child_linked"
ACTION_LABELS = {
    REPORTED: _l("Concern reported"),
    TRIAGED: _l("Triaged"),
    ACTION: _l("Action"),
    REFERRAL: _l("Referred"),
    CONSENT: _l("Consent recorded"),
    OVERDUE: _l("Follow-up overdue"),
    CHILD_LINKED: _l("Linked to the child's record in the register"),
}

NEW, MINE, OPEN, CLOSED = "new", "mine", "open", "closed"
SHOWS = (NEW, MINE, OPEN, CLOSED)
SHOW_LABELS = {NEW: _l("New concerns waiting"), MINE: _l("My cases"), OPEN: _l("All open"), CLOSED: _l("Closed")}
LIST_LIMIT = 100
YEARS_AHEAD = 2  # a next follow-up further off than this is a typing mistake


class CaseError(FieldError):
    """A change to a concern, case or referral the hub refuses; str() says why, field names the form field."""


class StaleRecord(CaseError):
    """Someone saved the case (or referral) after this form was opened: nothing was overwritten.

    current is the record as saved now, so the page can show both versions: theirs and what was typed.
    """

    def __init__(self, current, changed_by, changed_at):
        at = when(changed_at) if changed_at else "?"
        if changed_by:
            message = _("%(name)s changed this at %(time)s, after you opened the form, so your changes were not "
                        "saved. Both versions are shown below: check them, then save again to keep yours.",
                        name=changed_by, time=at)
        else:
            message = _("This was changed at %(time)s, after you opened the form, so your changes were not "
                        "saved. Both versions are shown below: check them, then save again to keep yours.",
                        time=at)
        super().__init__(message)
        self.current = current


def category_label(category):
    """The localised name of a category of concern (a template global)."""
    return translated(CATEGORY_LABELS).get(category, category)


def case_status_label(status):
    """The localised name of a case's status (a template global)."""
    return translated(STATUS_LABELS).get(status, status)


def risk_label(risk):
    """The localised name of a risk level (a template global)."""
    return translated(RISK_LABELS).get(risk, risk)


def consent_label(given_by):
    """The localised name of who consented to sharing a child's details (a template global)."""
    return translated(CONSENT_LABELS).get(given_by, given_by)


def referral_status_label(status):
    """The localised name of a referral's status (a template global)."""
    return translated(REFERRAL_STATUS_LABELS).get(status, status)


def in_immediate_danger(case):
    """True when the consent exception of immediate danger holds: the case worker's current assessment of the
    risk decides; only a concern not yet assessed goes by the reporter's "in danger now" (a template global)."""
    if case.risk:
        return case.risk == Case.IMMEDIATE
    return bool(case.in_danger)


def basis_label(basis):
    """The localised name of the basis on which a referral shares a child's details (a template global)."""
    return translated(BASIS_LABELS).get(basis, basis)


def action_label(kind):
    """The localised name of an entry of a case's log (a template global)."""
    if kind.startswith(STATUS):
        return _("Status: %(status)s", status=case_status_label(kind[len(STATUS):]))
    return translated(ACTION_LABELS).get(kind, kind)


def overdue_note(action):
    """What a "follow-up overdue" entry of a case's log says under its name: the day the visit was due."""
    return _("It was due on %(day)s.", day=when(date.fromisoformat(action.note)))


def as_version(value):
    """The version a form carried, or -1 (which matches no record, so the form counts as stale)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def reported_on(case):
    """The day the concern was reported: no date about the case may come before it."""
    return case.reported_at.date()


def check_day(case, day, today, field, future=False):
    """Refuse a day before the report, after today (unless future), or too far ahead."""
    if day < reported_on(case):
        raise CaseError(_("This date is before the concern was reported (%(day)s).",
                          day=when(reported_on(case))), field)
    if not future and day > today:
        raise CaseError(_("This date is after today (%(today)s on the hub's clock).", today=when(today)),
                        field)
    if future and day > latest_day(today):
        raise CaseError(_("Choose a date before %(day)s.", day=when(latest_day(today))), field)


def latest_day(today):
    """The last day a follow-up may be planned for: YEARS_AHEAD years from today."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def refuse_if_closed(case):
    """Nothing is added to a closed case (its narrative is on its way to erasure): it is reopened first."""
    if case.status == Case.CLOSED:
        raise CaseError(_("This case is closed. Reopen it (change its status) before adding to it."))


_STAFF = Prepared(lambda: User.select().where(User.role.in_(User.CASE_STAFF) & User.active)
                  .order_by(User.display_name, User.id))


def case_staff():
    """Active accounts that may hold a case (case workers and coordinators), by name."""
    return _STAFF.rows()


def staff_member(user_id):
    """The active case worker or coordinator with this id, or None."""
    if user_id is None:
        return None
    return User.get_or_none((User.id == user_id) & User.role.in_(User.CASE_STAFF) & User.active)


def _case_with_names(case_id):
    reporter, holder = User.alias(), User.alias()
    return (Case.select(Case, Person, reporter, holder)
            .join(Person, JOIN.LEFT_OUTER, on=(Case.child == Person.id), attr="child")
            .switch(Case).join(reporter, JOIN.LEFT_OUTER, on=(Case.reported_by == reporter.id), attr="reported_by")
            .switch(Case).join(holder, JOIN.LEFT_OUTER, on=(Case.assigned_to == holder.id), attr="assigned_to")
            .where(Case.id == case_id).limit(1))


_CASE = Prepared(_case_with_names, int)


def get_case(case_id):
    """The case with this id, or None; its child and the accounts that reported it and hold it read in the same
    query (the case's page names all three)."""
    return _CASE.first(case_id)


def kept_case(case_id):
    """The case with this id (its own fields; the names it points to are read when asked for), or None, kept
    until the next write: its page's parts are kept too, and on a kept page the joined read was most of what a
    view still asked of SQLite besides its audit entry."""
    return memo.instance(Case, memo.kept(("case", case_id), lambda: memo.fields_of(
        Case.select().where(Case.id == case_id))))


def open_case(case, detail=""):
    """Record that the signed-in account opened this case's details (every view is audited)."""
    record_read("case.viewed", case, detail=detail)


def _listed(user, show):
    query = (Case.select(Case, Person, User).join(Person, on=(Case.child == Person.id), join_type=JOIN.LEFT_OUTER)
             .switch(Case).join(User, on=(Case.assigned_to == User.id), join_type=JOIN.LEFT_OUTER))
    if show == NEW:
        return query.where(Case.status == Case.REPORTED).order_by(Case.in_danger.desc(), Case.id)
    if show == MINE:
        return query.where((Case.assigned_to == user) & (Case.status != Case.CLOSED)).order_by(
            Case.next_follow_up.is_null(), Case.next_follow_up, Case.id)
    if show == CLOSED:
        return query.where(Case.status == Case.CLOSED).order_by(Case.id.desc())
    return query.where(Case.status != Case.CLOSED).order_by(Case.id.desc())


# Each list unfiltered, as the tabs open it (the SQL built once; filtered lists are built as asked).
_LISTS = {show: Prepared(lambda show=show: _listed(None, show).limit(LIST_LIMIT)) for show in SHOWS if show != MINE}
_LISTS[MINE] = Prepared(lambda user_id: _listed(user_id, MINE).limit(LIST_LIMIT), int)
# The four tabs' numbers in one pass over the cases.
_COUNTS = Prepared(lambda user_id: Case.select(
    fn.COUNT(Case.id).filter(Case.status == Case.REPORTED),
    fn.COUNT(Case.id).filter((Case.assigned_to == user_id) & (Case.status != Case.CLOSED)),
    fn.COUNT(Case.id).filter(Case.status != Case.CLOSED),
    fn.COUNT(Case.id).filter(Case.status == Case.CLOSED)), int)


def cases_for(user, show=NEW, category="", risk="", assigned="", limit=LIST_LIMIT):
    """The cases of one list (SHOWS), filtered by category, risk and assignee ("none": nobody); at most
    limit rows (a list past that is narrowed with the filters)."""
    if not (category or risk or assigned) and limit == LIST_LIMIT:
        return _LISTS[show].rows(user.id) if show == MINE else _LISTS[show].rows()
    query = _listed(user, show)
    if category:
        query = query.where(Case.category == category)
    if risk:
        query = query.where(Case.risk == (risk if risk != "none" else ""))
    if assigned == "none":
        query = query.where(Case.assigned_to.is_null())
    elif str(assigned).isdigit():
        query = query.where(Case.assigned_to == int(assigned))
    return list(query.limit(limit))


def list_counts(user):
    """{show: number of cases} for the tabs of the list page."""
    return dict(zip((NEW, MINE, OPEN, CLOSED), _COUNTS.tuple(user.id if user else 0), strict=True))


_WAITING = Prepared(lambda limit: _listed(None, NEW).limit(limit), int)


def new_concerns(limit=10):
    """Concerns waiting for triage, in danger first, then oldest first (home page and list)."""
    return _WAITING.rows(limit)


_ACTIONS = Prepared(lambda case_id: CaseAction.select(CaseAction, User).join(User, join_type=JOIN.LEFT_OUTER)
                    .where(CaseAction.case == case_id).order_by(CaseAction.id), int)
_FOLLOW_UPS = Prepared(lambda case_id: FollowUp.select(FollowUp, User).join(User, join_type=JOIN.LEFT_OUTER)
                       .where(FollowUp.case == case_id).order_by(FollowUp.visited_on.desc(), FollowUp.id.desc()),
                       int)


def actions_of(case):
    """The case's log, oldest first (by sequence, never by the clock)."""
    return _ACTIONS.rows(case.id)


def follow_ups_of(case):
    """The case's follow-up visits, newest visit first."""
    return _FOLLOW_UPS.rows(case.id)


def last_change(object_type, object_id, actions):
    """(display name, time) of the newest audit event of these actions on the object, or (None, None)."""
    event = (AuditEvent.select().where((AuditEvent.object_type == object_type)
                                       & (AuditEvent.object_id == str(object_id)) & AuditEvent.action.in_(actions))
             .order_by(AuditEvent.id.desc()).first())
    if event is None:
        return None, None
    name = event.user.display_name if event.user_id else event.username
    return name or None, event.at


def protocol_of(category):
    """The protocol of a category in the page's language (who to call, first steps, what not to do, where to
    refer)."""
    return _protocol(category, str(get_locale()))


@memo.until_written
def _protocol(category, language):
    # Kept until the next write (the coordinator may reword it): a case's page would read every text again.
    return protocol_for(category, language)
