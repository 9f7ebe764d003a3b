"""Daily jobs the scheduler (hub.scheduler) calls: overdue follow-ups, and the retention of case narratives.

The home page lists a case worker's overdue follow-ups straight from the database (overdue_for), so it is
right even before the job's first run; the job writes the lapse into each case's log ("follow-up overdue",
once per missed date), so it stays on the record after the visit is made.

Both are pure functions of the database and the date they are given: they keep no state of their own, so
running one twice, after the device was off for weeks, or after its clock jumped back gives the same
result as one run on the right day. A clock that jumps forward to a wrong date would make the retention
job erase early and for good, so hub.jobs gives it a date only from a plausible clock (trusted_today).

Retention erases the narrative of a case closed more than CASE_RETENTION_MONTHS months before today: all
free text, and the link to the child's record, since a child's name beside a category of harm is the most
identifying fact a case holds. It keeps the coded fields that summaries count: category, risk, status,
in danger, dates, assignee, reporter account, consent (who and when), and for referrals the service (its
kind), status, basis, whether details were shared and days from report to referral.

    erased on Case:        child, child_description, place, what_happened, closed_reason
    erased on CaseAction:  note (kind and time stay: the history of statuses)
    erased on FollowUp:    progress (the day of the visit stays)
    erased on Referral:    reason, information_shared, override_reason, outcome
"""

import calendar
from datetime import date

from peewee import JOIN

from hub import clock
from hub.audit.service import record
from hub.auth.models import User
from hub.cases.models import Case, CaseAction, FollowUp, Referral
from hub.cases.service import OVERDUE
from hub.db import database


def _overdue(today):
    return (Case.select(Case, User).join(User, on=(Case.assigned_to == User.id), join_type=JOIN.LEFT_OUTER)
            .where((Case.status != Case.CLOSED) & Case.next_follow_up.is_null(False)
                   & (Case.next_follow_up < today))
            .order_by(Case.next_follow_up, Case.id))


def overdue_follow_ups(today):
    """Log "follow-up overdue" on every open case whose next follow-up was due before today, once per due
    date (the log entry's note is the due date, so a second run, or a run after weeks off, adds nothing).
    Return {assigned user id (None: nobody): [Case, ...]}, the longest overdue first; for example on
    2026-12-01:

        {2: [case 7 (due 2026-11-20), case 3 (due 2026-11-28)], None: [case 9 (due 2026-11-30)]}
    """
    # Read every row first, then write in one short transaction: opening a write transaction while a lazy
    # query still holds its read snapshot fails at once ("database is locked") if another connection
    # committed in between, whatever the busy timeout.
    cases = list(_overdue(today))
    grouped = {}
    for case in cases:
        grouped.setdefault(case.assigned_to_id, []).append(case)
    now = clock.now()
    with database.atomic():
        for case in cases:
            due = case.next_follow_up.isoformat()
            logged = CaseAction.select().where((CaseAction.case == case) & (CaseAction.kind == OVERDUE)
                                               & (CaseAction.note == due)).exists()
            if not logged:
                CaseAction.create(case=case, done_at=now, user=None, kind=OVERDUE, note=due)
    return grouped


def overdue_for(user, today, limit=None):
    """The open cases held by this account whose next follow-up was due before today, longest overdue first
    (the home page)."""
    query = _overdue(today).where(Case.assigned_to == user)
    return list(query.limit(limit) if limit else query)


def months_before(day, months):
    """The same day `months` calendar months earlier (the last day of a shorter month)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def erase_old_narratives(today, months):
    """Erase the narrative of every case closed more than `months` months before today whose narrative is not
    erased yet (see the module's docstring); one case.narrative_erased audit entry per case. Return the
    number of cases erased (0 on a second run the same day)."""
    cutoff = months_before(today, months)
    erased = 0
    due = (Case.select(Case.id).where((Case.status == Case.CLOSED) & Case.closed_on.is_null(False)
                                      & (Case.closed_on < cutoff) & Case.narrative_erased_on.is_null())
           .order_by(Case.id))
    case_ids = [case_id for (case_id,) in due.tuples()]  # read first (see overdue_follow_ups)
    now = clock.now()
    with database.atomic():  # one short transaction: a power cut leaves every case whole
        for case_id in case_ids:
            changed = (Case.update(child=None, child_description="", place="", what_happened="", closed_reason="",
                                   narrative_erased_on=today, version=Case.version + 1, updated_by=None,
                                   updated_at=now)
                       .where((Case.id == case_id) & Case.narrative_erased_on.is_null()).execute())
            if not changed:
                continue
            CaseAction.update(note="").where(CaseAction.case == case_id).execute()
            FollowUp.update(progress="").where(FollowUp.case == case_id).execute()
            Referral.update(reason="", information_shared="", override_reason="", outcome="").where(
                Referral.case == case_id).execute()
            record("case.narrative_erased", Case.get_by_id(case_id), detail=f"closed before {cutoff.isoformat()}")
            erased += 1
    return erased
