"""The state machines of cases and referrals, in one place, and the two ways a case changes through its
machine: triage of a new concern, and a case worker's edit. Both carry the version the form saw: a case
saved by someone else since is refused as stale, never overwritten.
"""

from dataclasses import dataclass

from flask_babel import gettext as _

from hub import clock
from hub.audit.service import record
from hub.cases.models import CATEGORIES, Case, CaseAction, Referral
from hub.cases.service import (
    STATUS,
    TRIAGED,
    CaseError,
    StaleRecord,
    as_version,
    case_status_label,
    check_day,
    referral_status_label,
    staff_member,
)
from hub.db import database
from hub.i18n import when
from hub.services.models import Service
from hub.text import clean
from hub.validation import Problems

# Which status may follow which. Triage is the only way out of "reported" into the work (a concern that is
# a duplicate or not a concern may be closed at once); "closed" may only be reopened, as "assessed".
ALLOWED = {
    Case.REPORTED: (Case.ASSESSED, Case.CLOSED),
    Case.ASSESSED: (Case.ACTION_TAKEN, Case.REFERRED, Case.FOLLOW_UP, Case.CLOSED),
    Case.ACTION_TAKEN: (Case.REFERRED, Case.FOLLOW_UP, Case.CLOSED),
    Case.REFERRED: (Case.ACTION_TAKEN, Case.FOLLOW_UP, Case.CLOSED),
    Case.FOLLOW_UP: (Case.ACTION_TAKEN, Case.REFERRED, Case.CLOSED),
    Case.CLOSED: (Case.ASSESSED,),
}
# A referral moves forward (a step the service never reported may be skipped) or is withdrawn while open.
REFERRAL_STEPS = {
    Referral.SENT: (Referral.ACKNOWLEDGED, Referral.SERVICE_GIVEN, Referral.CLOSED, Referral.WITHDRAWN),
    Referral.ACKNOWLEDGED: (Referral.SERVICE_GIVEN, Referral.CLOSED, Referral.WITHDRAWN),
    Referral.SERVICE_GIVEN: (Referral.CLOSED,),
    Referral.CLOSED: (),
    Referral.WITHDRAWN: (),
}
OPEN_REFERRALS = (Referral.SENT, Referral.ACKNOWLEDGED)  # the service has not acted yet
MAX_REASON = 500
MAX_NOTE = 4000


def may_move(old, new):
    """True when a case in status old may be moved to status new (staying put is not a move)."""
    return new in ALLOWED.get(old, ())


def may_step(old, new):
    """True when a referral in status old may be moved to status new."""
    return new in REFERRAL_STEPS.get(old, ())


def statuses_after(status):
    """The statuses a case form offers: the current one, then those it may move to."""
    return (status,) + ALLOWED.get(status, ())


@dataclass(frozen=True)
class Triage:
    """A case worker's first assessment of a concern."""

    category: str
    risk: str
    assigned_id: int | None
    note: str = ""


@dataclass(frozen=True)
class Change:
    """What a case worker typed on a case's edit form."""

    status: str
    category: str
    risk: str
    assigned_id: int | None
    next_follow_up: object = None  # a date, or None
    closed_reason: str = ""
    close_anyway: bool = False  # closing with work pending, having seen the list


def pending_work(case):
    """What is still planned on an open case, as sentences: the next follow-up visit and each referral a
    service has not finished. Closing the case would drop them silently, so the edit form lists them."""
    if case.status == Case.CLOSED:
        return []
    pending = []
    if case.next_follow_up is not None:
        pending.append(_("A follow-up visit is planned for %(day)s.", day=when(case.next_follow_up)))
    open_referrals = (Referral.select(Referral, Service).join(Service)
                      .where((Referral.case == case) & Referral.status.in_(OPEN_REFERRALS)).order_by(Referral.id))
    for referral in open_referrals:
        pending.append(_("The referral to %(service)s is “%(status)s”.", service=referral.service.name,
                         status=referral_status_label(referral.status)))
    return pending


def _current(case, version):
    """The case as saved now (read inside the write transaction), refused as stale if it moved."""
    current = Case.get_by_id(case.id)
    if current.version != as_version(version):
        name = current.updated_by.display_name if current.updated_by_id else None
        raise StaleRecord(current, name, current.updated_at)
    return current


def _save(case, user, **fields):
    """Write fields and the next version; return the case as saved."""
    Case.update(version=Case.version + 1, updated_by=user, updated_at=clock.now(), **fields).where(
        Case.id == case.id).execute()
    return Case.get_by_id(case.id)


def check_triage(plan):
    """The case worker who is to hold the case, or CaseError naming every field of the triage that is wrong."""
    problems = Problems(CaseError)
    if plan.category not in CATEGORIES:
        problems.add(_("Choose what the concern is about from the list."), "category")
    if plan.risk not in Case.RISKS:
        problems.add(_("Choose a risk level."), "risk")
    assignee = staff_member(plan.assigned_id)
    if assignee is None:
        problems.add(_("Choose a case worker from the list."), "assigned_to")
    if len(plan.note or "") > MAX_NOTE:
        problems.add(_("Please use at most %(count)d characters.", count=MAX_NOTE), "note")
    problems.done()
    return assignee


def triage(case, version, plan, user):
    """Assess a reported concern: category, risk, who holds it; it becomes "assessed". Return the Case."""
    with database.atomic():
        current = _current(case, version)
        if current.status != Case.REPORTED:
            raise CaseError(_("This concern has already been triaged."))
        assignee = check_triage(plan)
        saved = _save(current, user, status=Case.ASSESSED, category=plan.category, risk=plan.risk,
                      assigned_to=assignee)
        CaseAction.create(case=saved, done_at=clock.now(), user=user, kind=TRIAGED, note=clean(plan.note))
        record("case.triaged", saved, detail=f"{plan.category}, {plan.risk}, {assignee.username}", user=user)
    return saved


def _closing(current, change):
    reason = (change.closed_reason or "").strip()
    if not reason:
        raise CaseError(_("Say why the case is closed."), "closed_reason")
    if len(reason) > MAX_REASON:
        raise CaseError(_("Please use at most %(count)d characters.", count=MAX_REASON), "closed_reason")


def check_change(current, change, today):
    """Raise CaseError naming every field of a change to the case that is wrong (a case whose notes were
    erased cannot change at all)."""
    if current.narrative_erased_on is not None:
        raise CaseError(_("This case's notes were erased under the retention rule: it can no longer change."))
    problems = Problems(CaseError)
    if change.status != current.status and not may_move(current.status, change.status):
        allowed = ", ".join(str(case_status_label(status)) for status in ALLOWED.get(current.status, ()))
        problems.add(_("A case that is “%(old)s” cannot become “%(new)s”. It can become: %(allowed)s.",
                       old=case_status_label(current.status), new=case_status_label(change.status),
                       allowed=allowed), "status")
    if change.category not in CATEGORIES:
        problems.add(_("Choose what the concern is about from the list."), "category")
    working = change.status not in (Case.REPORTED, Case.CLOSED)
    if change.risk not in Case.RISKS and (change.risk or working or current.risk):
        problems.add(_("Choose a risk level."), "risk")
    assignee = staff_member(change.assigned_id)
    if change.assigned_id is not None and assignee is None and change.assigned_id != current.assigned_to_id:
        problems.add(_("Choose a case worker from the list."), "assigned_to")
    if change.assigned_id is None and working:
        problems.add(_("Choose the case worker who holds this case."), "assigned_to")
    if change.status == Case.CLOSED:
        problems.check(_closing, current, change)
        if not change.close_anyway and pending_work(current):
            problems.add(_("This case still has work pending (listed above). Finish it first, or tick “Close "
                           "it anyway” to close the case now."), "close_anyway")
    if change.next_follow_up is not None and change.status != Case.CLOSED:
        problems.check(check_day, current, change.next_follow_up, today, "next_follow_up", future=True)
    problems.done()


def change_case(case, version, change, user, today):
    """Change a case's status (through the state machine), category, risk, holder and next follow-up,
    unless someone saved it since the form was opened (version). Return the Case as saved."""
    with database.atomic():
        current = _current(case, version)
        check_change(current, change, today)
        fields = {"status": change.status, "category": change.category, "risk": change.risk,
                  "assigned_to": change.assigned_id, "next_follow_up": change.next_follow_up}
        closing = change.status == Case.CLOSED
        if closing:
            # A closed case has no visit due; the reason stays until the retention job erases it.
            fields.update(next_follow_up=None, closed_reason=change.closed_reason.strip(),
                          closed_on=current.closed_on if current.status == Case.CLOSED else today)
        elif current.status == Case.CLOSED:  # reopened: the reason stays in the log
            fields.update(closed_on=None, closed_reason="")
        changed = [name for name, value in fields.items()
                   if getattr(current, name + "_id" if name == "assigned_to" else name) != value]
        if not changed:
            return current
        saved = _save(current, user, **fields)
        if saved.status != current.status:
            CaseAction.create(case=saved, done_at=clock.now(), user=user, kind=STATUS + saved.status,
                              note=saved.closed_reason if closing else "")
        record("case.updated", saved, user=user, detail=", ".join(
            f"status ({current.status} -> {saved.status})" if name == "status" else name for name in changed))
    return saved
