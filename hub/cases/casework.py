"""The work on an open case: logging an action, recording a follow-up visit, recording who consented to
sharing the child's details. Each is one transaction with its audit entry; a closed case is reopened first.
"""

import re

from flask_babel import gettext as _

from hub import clock
from hub.audit.service import record
from hub.cases.models import Case, CaseAction, FollowUp
from hub.cases.service import ACTION, CONSENT, CaseError, check_day, refuse_if_closed
from hub.db import database
from hub.text import clean
from hub.validation import Problems

MAX_NOTE = 4000
# A child consents alone from 15 (the register's band 15-17); younger, the guardian does. A child described
# in words, not in the register, is left to the case worker's judgement.
TOO_YOUNG = ("0-5", "6-9", "10-14")
TAGS = re.compile(r"<[^>]*>")


def _note(text, field, empty_message):
    """The note cleaned of all but simple formatting; refused when empty or too long."""
    if len(text or "") > MAX_NOTE:
        raise CaseError(_("Please use at most %(count)d characters.", count=MAX_NOTE), field)
    cleaned = clean(text)
    if not TAGS.sub("", cleaned).strip():
        raise CaseError(empty_message, field)
    return cleaned


def add_action(case, note, user):
    """Log an action taken on the case, with a note. Return the CaseAction."""
    with database.atomic():
        current = Case.get_by_id(case.id)
        refuse_if_closed(current)
        action = CaseAction.create(case=current, done_at=clock.now(), user=user, kind=ACTION,
                                   note=_note(note, "note", _("Please say what was done.")))
        record("case.action_added", current, user=user)
    return action


def _next_visit(case, next_visit, visited_on, today):
    if visited_on is not None and next_visit <= visited_on:
        raise CaseError(_("The next visit comes after this one."), "next_visit")
    check_day(case, next_visit, today, "next_visit", future=True)


def check_follow_up(case, visited_on, progress, next_visit, today):
    """The visit's notes cleaned, or CaseError naming every field of the visit that is wrong."""
    problems = Problems(CaseError)
    if visited_on is None:
        problems.add(_("Please fill this in."), "visited_on")
    else:
        problems.check(check_day, case, visited_on, today, "visited_on")
    notes = problems.check(_note, progress, "progress", _("Please write what you found on the visit."))
    if next_visit is not None:
        problems.check(_next_visit, case, next_visit, visited_on, today)
    problems.done()
    return notes


def add_follow_up(case, visited_on, progress, next_visit, user, today):
    """Record a follow-up visit (on a day from the report to today) with its progress notes. The case's next
    follow-up becomes next_visit; a visit on or after the one that was due clears it. Return the FollowUp."""
    with database.atomic():
        current = Case.get_by_id(case.id)
        refuse_if_closed(current)
        notes = check_follow_up(current, visited_on, progress, next_visit, today)
        visit = FollowUp.create(case=current, visited_on=visited_on, user=user, progress=notes)
        due = current.next_follow_up
        wanted = next_visit if next_visit is not None else (None if due is not None and visited_on >= due else due)
        if wanted != due:
            # The case row changes, so a case form opened before this visit is stale.
            Case.update(next_follow_up=wanted, version=Case.version + 1, updated_by=user,
                        updated_at=clock.now()).where(Case.id == current.id).execute()
        record("case.follow_up_added", current, detail=visited_on.isoformat(), user=user)
    return visit


def check_consent(case, given_by, given_on, today):
    """Raise CaseError naming every field of a consent that is wrong."""
    problems = Problems(CaseError)
    if given_by not in (Case.GUARDIAN, Case.CHILD):
        problems.add(_("Choose who gave consent."), "given_by")
    if given_on is None:
        problems.add(_("Please fill this in."), "given_on")
    else:
        problems.check(check_day, case, given_on, today, "given_on")
        if given_by == Case.CHILD and case.child_id and case.child.band_on(given_on.year) in TOO_YOUNG:
            problems.add(_("A child under 15 cannot consent alone: record the guardian's consent."), "given_by")
    problems.done()


def record_consent(case, given_by, given_on, user, today):
    """Record who consented to sharing the child's details with services (the guardian or the child) and
    on which day (from the report to today). Return the Case as saved."""
    with database.atomic():
        current = Case.get_by_id(case.id)
        refuse_if_closed(current)
        check_consent(current, given_by, given_on, today)
        Case.update(consent_by=given_by, consent_on=given_on, version=Case.version + 1, updated_by=user,
                    updated_at=clock.now()).where(Case.id == current.id).execute()
        CaseAction.create(case=current, done_at=clock.now(), user=user, kind=CONSENT)
        record("case.consent_recorded", current, detail=f"{given_by}, {given_on.isoformat()}", user=user)
    return Case.get_by_id(case.id)
