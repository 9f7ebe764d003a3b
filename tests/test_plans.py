"""Action plans: who reads and writes, a plan with its criteria and formal actors, actions with owner, due date
and status, the progress view, bad input, audit, XSS."""

import html
from datetime import date, datetime
from pathlib import Path

import pytest
from markupsafe import escape

from hub.audit.models import AuditEvent
from hub.auth.models import User
from hub.db import database
from hub.plans.models import Action, Plan, PlanService
from hub.plans.service import progress_of
from hub.services.service import create_service, update_service
from tests.conftest import csrf_token
from tests.markup import executable_markup
from tests.pages import field_errors

PAYLOADS = [line for line in (Path(__file__).parent / "data" / "xss.txt").read_text().splitlines() if line]
TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 9, 30)
PLAN = {"goal": "Every child of the village back in school", "agreed_on": "2026-06-01",
        "criteria": "No child out of school for more than a month.\nEvery drop-out visited within a week.",
        "formal_link": "The block education office checks enrolment each term.",
        "sustainability": "The school committee keeps the list; the mothers' group pays for notebooks."}


pytestmark = pytest.mark.usefixtures("fixed_clock")  # hub.clock pinned to TODAY and NOW


@pytest.fixture
def services(app):
    with app.app_context(), database.connection_context():
        school = create_service("Government school", "school", "03482 250111")
        council = create_service("Gram Panchayat office", "village_council", "03482 250222")
        closed = create_service("Old NGO", "ngo", "03482 250333")
        update_service(closed, "Old NGO", "ngo", "03482 250333", archived=True)
    return {"school": school, "council": council, "closed": closed}


def account(username):
    return User.get(User.username == username)


def text(response):
    return html.unescape(response.get_data(as_text=True))


def post(client, path, **data):
    data = {name: value for name, value in data.items() if value is not None}
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/plans")})


def new_plan(client, **values):
    return post(client, "/plans/new", **{**PLAN, **values})


def new_action(client, plan, **values):
    data = {"description": "Visit the families of the 6 children out of school", "owner": "",
            "owner_name": "Sunita (school committee)", "due_on": "2026-12-15", "status": "planned", **values}
    return post(client, f"/plans/{plan.id}/actions/new", **data)


def audits(action):
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


def newest(model):
    return model.select().order_by(model.id.desc()).get()


# Who.

@pytest.mark.parametrize("role", ["coordinator", "case_worker", "facilitator"])
def test_staff_and_facilitators__record_a_plan_with_its_formal_actors(login_as, services, role):
    client = login_as(role)
    response = new_plan(client, services=[str(services["school"].id), str(services["council"].id)])
    plan = newest(Plan)
    assert response.status_code == 302 and response.headers["Location"] == f"/plans/{plan.id}"
    assert (plan.goal, plan.agreed_on, plan.criteria) == (PLAN["goal"], date(2026, 6, 1), PLAN["criteria"])
    assert (plan.formal_link, plan.sustainability) == (PLAN["formal_link"], PLAN["sustainability"])
    assert plan.created_by.username == role.replace("_", "")
    assert {link.service_id for link in PlanService.select()} == {services["school"].id, services["council"].id}
    assert [event.username for event in audits("plan.created")] == [role.replace("_", "")]

    page = text(client.get(f"/plans/{plan.id}"))
    for value in (PLAN["goal"], PLAN["formal_link"], PLAN["sustainability"], "Government school",
                  "Gram Panchayat office"):
        assert value in page


def test_member__reads_plans_and_may_not_change_them(login_as, services):
    new_plan(login_as("coordinator"))
    plan = newest(Plan)
    new_action(login_as("coordinator"), plan)
    member = login_as("member")
    assert PLAN["goal"] in text(member.get("/plans"))
    page = text(member.get(f"/plans/{plan.id}"))
    assert PLAN["goal"] in page and "Visit the families" in page
    assert "Add an action" not in page and "Change the plan" not in page
    action = newest(Action)
    for path in ("/plans/new", f"/plans/{plan.id}/edit", f"/plans/{plan.id}/actions/new",
                 f"/plans/{plan.id}/actions/{action.id}"):
        assert member.get(path).status_code == 403, path
    assert new_plan(member, goal="Another").status_code == 403
    assert Plan.select().count() == 1


def test_visitor__is_sent_to_sign_in(client):
    response = client.get("/plans")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# Actions and progress.

def test_actions__owner_is_an_account_or_a_name(login_as, services):
    facilitator = login_as("facilitator")
    new_plan(facilitator)
    plan = newest(Plan)
    assert new_action(facilitator, plan).status_code == 302
    by_name = newest(Action)
    assert (by_name.owner_id, by_name.owner_name, by_name.due_on) == (None, "Sunita (school committee)",
                                                                     date(2026, 12, 15))
    worker = account("caseworker")
    assert new_action(facilitator, plan, owner=str(worker.id), owner_name="ignored").status_code == 302
    by_account = newest(Action)
    assert (by_account.owner_id, by_account.owner_name) == (worker.id, "")
    page = text(facilitator.get(f"/plans/{plan.id}"))
    assert "Sunita (school committee)" in page and "Case Worker" in page
    assert [event.detail for event in audits("plan.action_added")] == [f"action {by_name.id}: planned",
                                                                       f"action {by_account.id}: planned"]


def test_progress__done_of_total_overdue_and_a_bar(login_as, services):
    worker = login_as("case_worker")
    new_plan(worker)
    plan = newest(Plan)
    for description, due_on, status in (("Done one", "2026-07-01", "done"), ("Done two", "2026-08-01", "done"),
                                        ("Late one", "2026-10-01", "planned"),
                                        ("Late two", "2026-11-19", "in_progress"),
                                        ("Not yet due", "2026-11-20", "planned"),
                                        ("Gave up", "2026-09-01", "dropped")):
        assert new_action(worker, plan, description=description, due_on=due_on, status=status).status_code == 302

    with database.connection_context():
        progress = progress_of(Action.select().where(Action.plan == plan), TODAY)
    assert (progress.done, progress.total, progress.dropped, progress.percent) == (2, 5, 1, 40)
    assert [action.description for action in progress.overdue] == ["Late one", "Late two"]

    page = text(worker.get(f"/plans/{plan.id}"))
    assert "2 of 5 actions done (40%)" in page and "1 dropped" in page and "2 overdue" in page
    assert '<progress class="bar" max="5" value="2">' in page
    assert page.count("(overdue)") == 2
    listed = text(worker.get("/plans"))
    assert "2 of 5 actions done" in listed and "2 overdue" in listed
    assert '<progress class="bar" max="5" value="2">' in listed


def test_action__status_change_counts_and_is_audited(login_as, services):
    worker = login_as("case_worker")
    new_plan(worker)
    plan = newest(Plan)
    new_action(worker, plan, due_on="2026-10-01")
    action = newest(Action)
    assert "1 overdue" in text(worker.get(f"/plans/{plan.id}"))
    form = text(worker.get(f"/plans/{plan.id}/actions/{action.id}"))
    assert "Visit the families" in form and "Sunita (school committee)" in form
    response = post(worker, f"/plans/{plan.id}/actions/{action.id}", description="Visit the families",
                    owner="", owner_name="Sunita", due_on="2026-10-01", status="done")
    assert response.status_code == 302
    action = Action.get_by_id(action.id)
    assert (action.status, action.description, action.owner_name, action.updated_at) == (
        "done", "Visit the families", "Sunita", NOW)
    page = text(worker.get(f"/plans/{plan.id}"))
    assert "1 of 1 actions done (100%)" in page and "overdue" not in page
    assert [event.detail for event in audits("plan.action_updated")] == [f"action {action.id}: done"]


def test_action__of_another_plan_is_not_found(login_as, services):
    worker = login_as("case_worker")
    new_plan(worker)
    new_plan(worker, goal="Second plan")
    first, second = Plan.select().order_by(Plan.id)
    new_action(worker, first)
    action = newest(Action)
    assert worker.get(f"/plans/{second.id}/actions/{action.id}").status_code == 404
    assert worker.get("/plans/999").status_code == 404


def test_plan__edit_changes_services_and_is_audited(login_as, services):
    worker = login_as("case_worker")
    new_plan(worker, services=[str(services["school"].id)])
    plan = newest(Plan)
    form = text(worker.get(f"/plans/{plan.id}/edit"))
    assert PLAN["goal"] in form and "Old NGO" not in form  # archived services are not offered
    response = post(worker, f"/plans/{plan.id}/edit", **{**PLAN, "goal": "All children in school by June",
                                                         "services": [str(services["council"].id)]})
    assert response.status_code == 302
    plan = Plan.get_by_id(plan.id)
    assert plan.goal == "All children in school by June" and plan.updated_at == NOW
    assert [link.service_id for link in PlanService.select()] == [services["council"].id]
    assert [event.username for event in audits("plan.updated")] == ["caseworker"]


# Bad input: a message beside the field, nothing saved.

@pytest.mark.parametrize("values, name, message", [
    ({"goal": ""}, "goal", "Please fill this in."),
    ({"goal": "   "}, "goal", "Please fill this in."),
    ({"goal": "x" * 201}, "goal", "Please use at most 200 characters."),
    ({"agreed_on": ""}, "agreed_on", "Please fill this in."),
    ({"agreed_on": "2026-02-30"}, "agreed_on", "Please give a date as year-month-day."),
    ({"agreed_on": "2026-11-21"}, "agreed_on", "The day the community chose it cannot be in the future."),
    ({"criteria": "x" * 1001}, "criteria", "Please use at most 1000 characters."),
    ({"services": ["999"]}, "services", "Choose services from the directory."),
    ({"services": ["a school"]}, "services", "Choose services from the directory."),
    ({"services": ["closed"]}, "services", "Choose services from the directory."),
])
def test_plan_bad_input__message_and_nothing_saved(login_as, services, values, name, message):
    if values.get("services") == ["closed"]:  # an archived service
        values = {"services": [str(services["closed"].id)]}
    response = new_plan(login_as("coordinator"), **values)
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), name) == [message]
    assert Plan.select().count() == 0 and PlanService.select().count() == 0
    assert audits("plan.created") == []


@pytest.mark.parametrize("values, name, message", [
    ({"description": ""}, "description", "Please fill this in."),
    ({"due_on": ""}, "due_on", "Please fill this in."),
    ({"due_on": "2026-02-30"}, "due_on", "Please give a date as year-month-day."),
    ({"due_on": "2026-13-01"}, "due_on", "Please give a date as year-month-day."),
    ({"due_on": "2026-05-31"}, "due_on", "An action cannot be due before the plan was agreed, on Jun 1, 2026."),
    ({"due_on": "2037-01-01"}, "due_on", "An action is due at most 10 years after the plan was agreed: please "
                                         "check the year."),
    ({"owner": "", "owner_name": " "}, "owner_name", "Say who does it: choose an account or write a name."),
    ({"owner": "999"}, "owner", "Choose an account from the list."),
    ({"owner": "99999999999999999999"}, "owner", "Choose an account from the list."),
    ({"status": "finished"}, "status", "Choose a status from the list."),
])
def test_action_bad_input__message_and_nothing_saved(login_as, services, values, name, message):
    worker = login_as("case_worker")
    new_plan(worker)
    plan = newest(Plan)
    response = new_action(worker, plan, **values)
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), name) == [message]
    assert Action.select().count() == 0
    assert audits("plan.action_added") == []


def test_plan_edit__agreed_day_after_an_action_is_due_is_refused(login_as, services):
    worker = login_as("case_worker")
    new_plan(worker)
    plan = newest(Plan)
    new_action(worker, plan, due_on="2026-07-01")
    response = post(worker, f"/plans/{plan.id}/edit", **{**PLAN, "agreed_on": "2026-08-01"})
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "agreed_on") == [
        "An action is due on Jul 1, 2026, before this day."]
    assert Plan.get_by_id(plan.id).agreed_on == date(2026, 6, 1)


def test_plan_edit__keeps_an_archived_service_it_already_involves(login_as, services):
    worker = login_as("case_worker")
    new_plan(worker, services=[str(services["school"].id)])
    plan = newest(Plan)
    with database.connection_context():
        update_service(services["school"], "Government school", "school", "03482 250111", archived=True)
    assert "Government school" in text(worker.get(f"/plans/{plan.id}/edit"))
    response = post(worker, f"/plans/{plan.id}/edit", **{**PLAN, "services": [str(services["school"].id)]})
    assert response.status_code == 302
    assert [link.service_id for link in PlanService.select()] == [services["school"].id]


# Untrusted text.

def test_payloads__through_every_text_field_of_a_plan_and_every_page(login_as, services):
    worker, member = login_as("case_worker"), login_as("member")
    for payload in PAYLOADS:
        response = new_plan(worker, goal=payload[:200], criteria=payload, formal_link=payload,
                            sustainability=payload)
        if response.status_code == 200:
            assert executable_markup(response.get_data(as_text=True)) == [], payload
            continue
        plan = newest(Plan)
        refused = new_action(worker, plan, description=payload[:200], owner_name=payload[:80], due_on="1999-01-01")
        assert refused.status_code == 200 and executable_markup(refused.get_data(as_text=True)) == [], payload
        new_action(worker, plan, description=payload[:200], owner_name=payload[:80])
        action = newest(Action)
        pages = {"list": member.get("/plans"), "view": member.get(f"/plans/{plan.id}"),
                 "edit": worker.get(f"/plans/{plan.id}/edit"),
                 "action": worker.get(f"/plans/{plan.id}/actions/{action.id}")}
        for name, page in pages.items():
            assert page.status_code == 200, (name, payload)
            assert executable_markup(page.get_data(as_text=True)) == [], (name, payload)
        assert str(escape(plan.goal)) in pages["view"].get_data(as_text=True), payload
