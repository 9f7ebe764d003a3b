"""Reading cases cheaply (issue 23): queries whose SQL is built once give what peewee gives, the tabs count
right in one pass, the child's record counts sessions, and opening a case is audited without making every
account's kept lookups stale."""

from datetime import datetime

import pytest

from hub import memo
from hub.audit.models import AuditEvent
from hub.auth.models import User
from hub.cases.models import Case
from hub.db import database
from hub.prepared import Prepared
from hub.sessions.models import Attendance, Meeting
from tests.factories import account, make_group, make_meeting, make_person

REPORTED_AT = datetime(2026, 11, 10, 8, 15)




def make_case(**overrides):
    values = {"category": "child_labour", "child_description": "Girl, about 12", "place": "Brick kiln",
              "what_happened": "Works there all day", "reported_at": REPORTED_AT}
    values.update(overrides)
    return Case.create(**values)


def test_prepared__rows_and_joined_models_as_peewee_gives_them(app_context):
    worker, child = account("case_worker"), make_person(name="Asha Kumari")
    cases = [make_case(child=child, assigned_to=worker, status="assessed"), make_case(), make_case(risk="high")]
    query = Prepared(lambda case_id: Case.select(Case, User).join(User, on=(Case.assigned_to == User.id))
                     .where(Case.id == case_id), int)
    for case in cases:  # the same SQL, new values each run
        expected = list(Case.select(Case, User).join(User, on=(Case.assigned_to == User.id)).where(Case.id == case.id))
        rows = query.rows(case.id)
        assert [row.__data__ for row in rows] == [row.__data__ for row in expected]
        assert [row.assigned_to.display_name for row in rows] == [row.assigned_to.display_name for row in expected]
    assert query.first(999) is None


def test_prepared__a_parameter_its_field_converts_is_refused(app_context):
    with pytest.raises(ValueError, match="converted"):
        Prepared(lambda danger: Case.select().where(Case.in_danger == danger), int).rows(1)


def test_list__the_tabs_count_each_list(login_as):
    with database.connection_context():
        worker, coordinator = account("case_worker"), account("coordinator")
        make_case(), make_case(in_danger=True)
        make_case(status="assessed", assigned_to=worker), make_case(status="referred", assigned_to=coordinator)
        make_case(status="closed", assigned_to=worker)
    page = login_as("case_worker").get("/cases?show=open").get_data(as_text=True)
    for tab in ("New concerns waiting (2)", "My cases (1)", "All open (4)", "Closed (1)"):
        assert tab in page
    assert page.count('href="/cases/') == 2 + 2  # the two assessed or referred, each case's link (no triage)


def test_case_page__the_child_s_record_counts_the_sessions_held(login_as):
    with database.connection_context():
        group = make_group()
        child = make_person(group=group, name="Asha Kumari")
        for day, status, attended in ((1, Meeting.HELD, Attendance.PRESENT), (2, Meeting.HELD, Attendance.ABSENT),
                                      (3, Meeting.HELD, Attendance.PRESENT), (4, Meeting.PLANNED, Attendance.PRESENT)):
            make_meeting(group, datetime(2026, 11, day, 16), status=status, attendance={child: attended})
        case = make_case(child=child, status="assessed")
    page = login_as("case_worker").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "attended 2 of 3 recorded" in page and "Asha Kumari" in page


def test_case_page__opening_is_audited_and_kept_lookups_stay(login_as):
    with database.connection_context():
        case = make_case(status="assessed")
    worker = login_as("case_worker")
    worker.get("/cases")
    computed = []
    lookup = memo.until_written(lambda: computed.append(1) or len(computed))
    with database.connection_context():
        assert lookup() == 1
    for _ in range(3):
        assert worker.get(f"/cases/{case.id}").status_code == 200
    with database.connection_context():
        assert lookup() == 1  # still kept: reading a case changed nothing a kept answer reads
        assert AuditEvent.select().where(AuditEvent.action == "case.viewed").count() == 3
        event = AuditEvent.select().where(AuditEvent.action == "case.viewed").order_by(AuditEvent.id.desc()).get()
        assert (event.username, event.role, event.object_type, event.object_id, event.user_id) == (
            "caseworker", "case_worker", "case", str(case.id), account("case_worker").id)
    response = worker.post(f"/cases/{case.id}/actions", data={"note": "Visited the family",
                                                               "csrf_token": _token(worker, case)})
    assert response.status_code == 302
    with database.connection_context():
        assert lookup() == 2  # a change to the case is a write like any other


def test_unseen_write__inside_a_larger_transaction_the_commit_counts(app_context):
    before = database.generation
    with database.unseen_write():
        make_case()
    assert database.generation == before
    with database.atomic():
        make_case()
        with database.unseen_write():
            make_case()
    assert database.generation == before + 1
    assert Case.select().count() == 3


def _token(client, case):
    import re

    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
