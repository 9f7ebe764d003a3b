"""Reporting a concern: anyone may report (no account needed), "in danger now" shows the numbers and the first
steps at once, bad input is refused with nothing saved, anonymous floods are limited per address without
losing the reports already made, and a reporter sees only the status of their own reports."""

from datetime import date, datetime

import pytest

from hub.audit.models import AuditEvent
from hub.auth.models import User
from hub.cases.concern_views import LIMIT
from hub.cases.concerns import ReportLimit
from hub.cases.models import Case, CaseAction
from hub.groups.service import set_groups_of
from tests.conftest import csrf_token
from tests.factories import make_group, make_person
from tests.pages import field_errors

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 30)
FORM = "/concerns/new"
VISITOR = {"REMOTE_ADDR": "10.0.0.7"}


pytestmark = pytest.mark.usefixtures("fixed_clock")  # hub.clock pinned to TODAY and NOW


def report(client, path=FORM, environ_base=None, **overrides):
    """POST the concern form with valid answers, changed by overrides (None leaves a field out)."""
    data = {"in_danger": "no", "category": "child_labour", "child_description": "Girl, about 12, Rani's daughter",
            "place": "Brick kiln by the river", "what_happened": "She works there all day instead of school.",
            "csrf_token": csrf_token(client, path)}
    data.update(overrides)
    return client.post(path, data={key: value for key, value in data.items() if value is not None},
                       environ_base=environ_base or {})


def cases():
    return list(Case.select().order_by(Case.id))


def test_form__open_to_visitors_with_the_numbers_first(client):
    response = client.get(FORM)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Report a concern about a child" in page and 'name="csrf_token"' in page
    assert 'href="tel:1098"' in page  # the child helpline, before the form
    assert page.index('href="tel:1098"') < page.index('name="what_happened"')
    assert 'name="child"' not in page  # a visitor describes the child; the register is not offered
    assert response.headers["Cache-Control"] == "no-store"  # shared phones


def test_home__has_a_report_button_for_everyone(client, login_as):
    assert 'href="/concerns/new"' in client.get("/").get_data(as_text=True)
    member = login_as("member").get("/").get_data(as_text=True)
    assert 'href="/concerns/new"' in member and 'href="/concerns/mine"' in member


def test_report__by_a_visitor_lands_unassigned_for_case_workers(client):
    response = report(client, what_happened="<p>She works <strong>all day</strong></p><script>alert(1)</script>")
    assert response.status_code == 302
    assert response.headers["Location"] == "/concerns/new?sent=1"  # nothing about the report in the URL
    (case,) = cases()
    assert (case.status, case.category, case.risk, case.assigned_to_id, case.reported_by_id, case.in_danger) == (
        "reported", "child_labour", "", None, None, False)
    assert case.what_happened == "<p>She works <strong>all day</strong></p>alert(1)"  # cleaned by bleach
    assert (case.child_description, case.place, case.version) == (
        "Girl, about 12, Rani's daughter", "Brick kiln by the river", 1)
    assert case.reported_at == NOW
    assert [action.kind for action in CaseAction.select()] == ["reported"]
    event = AuditEvent.newest_first().get()
    assert (event.action, event.object_id, event.username, event.detail) == (
        "concern.reported", str(case.id), "", "child_labour")
    sent = client.get(response.headers["Location"])
    page = sent.get_data(as_text=True)
    assert "Your report was sent" in page and "call now" not in page
    assert 'href="tel:1098"' in page  # the numbers are there all the same
    assert sent.headers["Cache-Control"] == "no-store"


def test_report__in_danger_shows_the_numbers_and_first_steps_before_anything_else(app, client):
    from hub.protocols.service import protocol_for

    with app.test_request_context():
        first, second = protocol_for("trafficking").lines("first_steps")[:2]
    response = report(client, in_danger="yes", category="trafficking")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    content = page[page.index("<main>"):]
    assert content.index("The child is in danger: call now") < content.index('href="tel:1098"') \
        < content.index(str(first)) < content.index("Your report was sent")
    assert str(second) in content
    (case,) = cases()
    assert case.in_danger is True
    # The confirmation is shown once: a reload (or the next person on a shared phone) sees no category.
    again = client.get("/concerns/new?sent=1").get_data(as_text=True)
    assert str(first) not in again and "Your report was sent" in again


@pytest.mark.parametrize("overrides, field, message", [
    ({"what_happened": ""}, "what_happened", "Please fill this in."),
    ({"what_happened": "   "}, "what_happened", "Please fill this in."),
    ({"what_happened": "<p></p><br>"}, "what_happened", "Please say what happened."),
    ({"what_happened": "x" * 4001}, "what_happened", "Please use at most 4000 characters."),
    ({"category": ""}, "category", "Choose what the concern is about."),
    ({"category": "piracy"}, "category", "Choose what the concern is about."),
    ({"in_danger": None}, "in_danger", "Please choose yes or no."),
    ({"in_danger": "maybe"}, "in_danger", "Please choose yes or no."),
    ({"child_description": ""}, "child_description", "Say which child this is about: a name, an age, where they live."),
    ({"child_description": "y" * 201}, "child_description", "Please use at most 200 characters."),
    ({"place": "z" * 201}, "place", "Please use at most 200 characters."),
])
def test_report__bad_input_is_refused_and_nothing_saved(client, overrides, field, message):
    response = report(client, **overrides)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in field_errors(page, field), page
    assert cases() == [] and CaseAction.select().count() == 0
    assert not AuditEvent.select().where(AuditEvent.action == "concern.reported").exists()


def test_report__an_oversized_report_is_given_back_as_typed(client):
    text = "The boy at the tea stall. " * 200  # 5200 characters
    page = report(client, what_happened=text).get_data(as_text=True)
    assert "Please use at most 4000 characters." in page
    assert text.strip() in page  # nothing typed is lost
    assert cases() == []


def test_report__a_visitor_cannot_name_a_child_from_the_register(app, client):
    with app.app_context():
        child = make_person(name="Anita")
    response = report(client, child=str(child.id), child_description="")
    assert response.status_code == 200  # the id is ignored, so a description is needed
    assert cases() == []
    report(client, child=str(child.id))
    (case,) = cases()
    assert case.child_id is None


@pytest.fixture
def register(app):
    """A group of the facilitator's with Anita in it; Babu, in no group the facilitator may see."""
    with app.app_context():
        group = make_group(name="Youth forum", kind="youth_forum")
        set_groups_of(User.get(User.username == "facilitator"), [group.id])
        anita = make_person(group, name="Anita")
        babu = make_person(make_group(name="Mothers' group", kind="mothers_group"), name="Babu")
    return {"anita": anita, "babu": babu}


def test_report__a_facilitator_finds_the_child_in_the_register(register, login_as):
    facilitator = login_as("facilitator")
    page = facilitator.get(FORM + "?q=anita").get_data(as_text=True)
    assert f'<option value="{register["anita"].id}">Anita · b. 2014 · No. {register["anita"].id}</option>' in page
    assert "Babu" not in facilitator.get(FORM + "?q=babu").get_data(as_text=True)  # need to know
    response = report(facilitator, path=FORM + "?q=anita", child=str(register["anita"].id), child_description="")
    assert response.status_code == 302
    (case,) = cases()
    assert (case.child_id, case.reported_by_id) == (register["anita"].id, User.get(User.username == "facilitator").id)


def test_report__a_child_the_reporter_may_not_see_is_refused(register, login_as):
    facilitator = login_as("facilitator")
    page = report(facilitator, child=str(register["babu"].id), child_description="").get_data(as_text=True)
    assert field_errors(page, "child") == ["Choose the child from the list, or describe them."]
    assert cases() == []


def test_report__a_member_describes_the_child(register, login_as):
    member = login_as("member")
    assert 'name="child"' not in member.get(FORM + "?q=anita").get_data(as_text=True)
    assert report(member).status_code == 302
    assert cases()[0].reported_by_id == User.get(User.username == "member").id


@pytest.fixture
def limit(app):
    """The app's limit on anonymous reports, on a monotonic clock the test moves."""
    now = [1000.0]
    app.extensions[LIMIT] = ReportLimit(now=lambda: now[0])
    return now


def test_flood__the_sixth_anonymous_report_in_an_hour_is_refused_the_five_kept(client, limit):
    for number in range(5):
        assert report(client, what_happened=f"Report {number}", environ_base=VISITOR).status_code == 302
    limit[0] += 600
    response = report(client, what_happened="Report 6: the girl is being taken tonight", environ_base=VISITOR)
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many reports from this phone" in page and "Try again in 50 minute(s)" in page
    assert "Report 6: the girl is being taken tonight" in page  # kept to send later
    assert 'href="tel:1098"' in page  # someone in danger can still call
    assert [case.what_happened for case in cases()] == [f"Report {number}" for number in range(5)]
    # Another phone is not held back; this one may report again once the hour has passed.
    assert report(client, environ_base={"REMOTE_ADDR": "10.0.0.8"}).status_code == 302
    limit[0] += 3000
    assert report(client, environ_base=VISITOR).status_code == 302
    assert len(cases()) == 7


def test_flood__refused_forms_and_signed_in_reporters_do_not_count(app, login_as, limit):
    visitor = app.test_client()
    for _ in range(8):
        assert report(visitor, what_happened="", environ_base=VISITOR).status_code == 200
    member = login_as("member")
    for _ in range(7):
        assert report(member, environ_base=VISITOR).status_code == 302
    assert report(visitor, environ_base=VISITOR).status_code == 302
    assert len(cases()) == 8


def test_limit__slides_with_the_monotonic_clock():
    now = [0.0]
    limit = ReportLimit(limit=2, window=100, now=lambda: now[0])
    assert (limit.take("a"), limit.take("a"), limit.take("a")) == (0, 0, 100)
    now[0] = 99.5
    assert limit.take("a") == 1
    now[0] = 100.0
    assert limit.take("a") == 0  # both earlier reports left the window
    limit.give_back("a")  # that one was not saved after all
    assert (limit.take("a"), limit.take("a"), limit.take("a")) == (0, 0, 100)


def test_limit__forgets_idle_addresses_when_full():
    now = [0.0]
    limit = ReportLimit(limit=1, window=10, now=lambda: now[0], max_keys=3)
    for key in "abc":
        limit.take(key)
    now[0] = 20.0
    assert limit.take("d") == 0
    assert set(limit._times) == {"d"}


def test_mine__a_reporter_sees_the_status_of_their_own_reports_only(app, login_as):
    facilitator = login_as("facilitator")
    report(facilitator, category="child_marriage", what_happened="Wedding planned for Sunday",
           place="The blue house")
    report(facilitator, category="school_dropout", what_happened="Has not come to school since June")
    report(login_as("member"), category="neglect", what_happened="Left alone for days")
    Case.update(status="assessed", risk="high").where(Case.category == "child_marriage").execute()
    response = facilitator.get("/concerns/mine")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Child marriage" in page and "Assessed" in page
    assert "School drop-out" in page and "Reported, waiting for a case worker" in page
    assert "Neglect" not in page  # someone else's report
    for detail in ("Wedding planned", "The blue house", "Has not come to school", "High", "/cases/"):
        assert detail not in page
    assert response.headers["Cache-Control"] == "no-store"


def test_mine__needs_an_account(client):
    response = client.get("/concerns/mine")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_mine__the_facilitator_who_reported_cannot_open_the_case(login_as):
    facilitator = login_as("facilitator")
    report(facilitator)
    (case,) = cases()
    for path in (f"/cases/{case.id}", f"/cases/{case.id}/triage", "/cases", f"/cases/{case.id}/referrals/new"):
        assert facilitator.get(path).status_code == 403, path
    assert not AuditEvent.select().where(AuditEvent.action == "case.viewed").exists()
