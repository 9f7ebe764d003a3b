"""The daily case jobs: overdue follow-ups written into the case's log once, and the retention rule that erases
the narrative of old closed cases and keeps the coded fields the summaries count."""

from datetime import date, datetime

import pytest

from hub.audit.models import AuditEvent
from hub.auth.models import User
from hub.cases.jobs import erase_old_narratives, months_before, overdue_follow_ups
from hub.cases.models import Case, CaseAction, FollowUp, Referral
from hub.people.models import Person
from hub.services.models import Service
from tests.conftest import csrf_token
from tests.factories import make_person

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 30)


pytestmark = pytest.mark.usefixtures("fixed_clock")  # hub.clock pinned to TODAY and NOW


def case_worker():
    return User.get(User.username == "caseworker")


def make_case(**overrides):
    values = {"category": "child_labour", "child_description": "Girl, about 12", "place": "Brick kiln",
              "what_happened": "Works there all day", "reported_at": datetime(2024, 1, 10, 8, 15),
              "status": "assessed", "risk": "high", "assigned_to": case_worker()}
    values.update(overrides)
    return Case.create(**values)


def closed_case(closed_on, **overrides):
    """A closed case with a child, an action, a follow-up visit and a referral that shared details."""
    case = make_case(status="closed", closed_on=closed_on, closed_reason="Back at school, family supported",
                     child=make_person(name="Sita Kumari"), consent_by="guardian", consent_on=date(2024, 1, 12),
                     in_danger=True, **overrides)
    CaseAction.create(case=case, done_at=datetime(2024, 1, 11, 10, 0), kind="action", note="Talked to the owner")
    FollowUp.create(case=case, visited_on=date(2024, 2, 1), progress="Attends class every day")
    service = Service.create(name="Child helpline", kind="child_helpline", phone="1098")
    Referral.create(case=case, service=service, referred_on=date(2024, 1, 12), reason="Needs rescue",
                    information_shared="Name and place of work", shares_child_details=True, basis="consent",
                    outcome="Rescued and home", status="closed", days_from_report=2)
    return case


# Overdue follow-ups.

def overdue_entries(case):
    return [(action.kind, action.note, action.user_id) for action in
            CaseAction.select().where((CaseAction.case == case) & (CaseAction.kind == "overdue"))]


def test_overdue__logged_once_per_missed_date_on_open_cases_only(app):
    late = make_case(next_follow_up=date(2026, 11, 20))
    later = make_case(next_follow_up=date(2026, 11, 1), assigned_to=None)
    on_time = make_case(next_follow_up=TODAY)
    closed = make_case(next_follow_up=date(2026, 11, 1), status="closed", closed_on=date(2026, 11, 2))
    grouped = overdue_follow_ups(TODAY)
    assert grouped == {case_worker().id: [late], None: [later]}
    assert overdue_entries(late) == [("overdue", "2026-11-20", None)]
    assert overdue_entries(on_time) == overdue_entries(closed) == []
    overdue_follow_ups(TODAY)  # the next day's run, or a run after weeks off: nothing new for the same date
    overdue_follow_ups(date(2027, 1, 5))
    assert overdue_entries(late) == [("overdue", "2026-11-20", None)]
    Case.update(next_follow_up=date(2026, 12, 1)).where(Case.id == late.id).execute()  # planned again, missed again
    overdue_follow_ups(date(2026, 12, 3))
    assert [note for _, note, _ in overdue_entries(late)] == ["2026-11-20", "2026-12-01"]


def test_overdue__the_lapse_shows_in_the_case_log(app, login_as):
    late = make_case(next_follow_up=date(2026, 11, 20))
    overdue_follow_ups(TODAY)
    page = login_as("case_worker").get(f"/cases/{late.id}").get_data(as_text=True)
    log = page[page.index('id="log"'):]
    assert "Follow-up overdue" in log and "It was due on Nov 20, 2026." in log


# Retention.

def test_months_before__calendar_months_and_short_months():
    assert months_before(date(2026, 11, 22), 24) == date(2024, 11, 22)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)


def test_retention__erases_the_narrative_of_old_closed_cases_and_keeps_the_counts(app):
    old = closed_case(closed_on=date(2024, 11, 21))       # closed 24 months and a day ago
    recent = closed_case(closed_on=date(2024, 11, 22))    # exactly 24 months: kept
    still_open = make_case(reported_at=datetime(2020, 1, 1))
    assert erase_old_narratives(TODAY, months=24) == 1

    erased = Case.get_by_id(old.id)
    assert (erased.child_id, erased.child_description, erased.place, erased.what_happened,
            erased.closed_reason) == (None, "", "", "", "")
    assert erased.narrative_erased_on == TODAY and erased.version == old.version + 1
    # The coded fields the summaries count stay.
    assert (erased.category, erased.risk, erased.status, erased.in_danger, erased.closed_on, erased.reported_at,
            erased.assigned_to_id, erased.consent_by) == (
        "child_labour", "high", "closed", True, date(2024, 11, 21), datetime(2024, 1, 10, 8, 15),
        case_worker().id, "guardian")
    assert [(a.kind, a.note) for a in CaseAction.select().where(CaseAction.case == old)] == [("action", "")]
    assert [(f.visited_on, f.progress) for f in FollowUp.select().where(FollowUp.case == old)] == [
        (date(2024, 2, 1), "")]
    referral = Referral.get(Referral.case == old)
    assert (referral.reason, referral.information_shared, referral.outcome) == ("", "", "")
    assert (referral.service.kind, referral.status, referral.basis, referral.shares_child_details,
            referral.days_from_report) == ("child_helpline", "closed", "consent", True, 2)
    # The child's own record is not touched: only the link from the case goes.
    assert Person.get_by_id(old.child_id).name == "Sita Kumari"

    kept = Case.get_by_id(recent.id)
    assert kept.what_happened == "Works there all day" and kept.narrative_erased_on is None
    assert Referral.get(Referral.case == recent).information_shared == "Name and place of work"
    assert Case.get_by_id(still_open.id).what_happened == "Works there all day"

    events = list(AuditEvent.select().where(AuditEvent.action == "case.narrative_erased"))
    assert [(e.object_id, e.detail, e.client_address) for e in events] == [
        (str(old.id), "closed before 2024-11-22", "cli")]


def test_retention__a_second_run_changes_nothing(app):
    old = closed_case(closed_on=date(2023, 5, 1))
    assert erase_old_narratives(TODAY, months=24) == 1
    version = Case.get_by_id(old.id).version
    assert erase_old_narratives(TODAY, months=24) == 0
    assert Case.get_by_id(old.id).version == version
    assert AuditEvent.select().where(AuditEvent.action == "case.narrative_erased").count() == 1


def test_retention__follows_the_setting(app):
    closed_case(closed_on=date(2026, 5, 1))
    assert erase_old_narratives(TODAY, months=24) == 0
    assert erase_old_narratives(TODAY, months=6) == 1


def test_retention__an_erased_case_page_says_so_and_shows_no_narrative(app, login_as):
    old = closed_case(closed_on=date(2023, 5, 1))
    erase_old_narratives(TODAY, months=24)
    page = login_as("case_worker").get(f"/cases/{old.id}").get_data(as_text=True)
    assert "Sita Kumari" not in page and "Brick kiln" not in page and "Talked to the owner" not in page
    assert "Child labour" in page and "The notes of this case were erased on Nov 22, 2026" in page


def test_retention__an_erased_case_cannot_be_reopened(app, login_as):
    old = closed_case(closed_on=date(2023, 5, 1))
    erase_old_narratives(TODAY, months=24)
    erased = Case.get_by_id(old.id)
    worker = login_as("case_worker")
    response = worker.post(f"/cases/{old.id}/edit", data={
        "status": "assessed", "category": erased.category, "risk": erased.risk,
        "assigned_to": str(erased.assigned_to_id), "next_follow_up": "", "closed_reason": "",
        "version": str(erased.version), "csrf_token": csrf_token(worker, "/concerns/mine")})
    assert "it can no longer change" in response.get_data(as_text=True)
    assert Case.get_by_id(old.id).status == "closed" and Case.get_by_id(old.id).version == erased.version
