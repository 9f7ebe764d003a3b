"""Every form reports every field's error in one pass: a submission with a mistake the form itself catches
(a missing or too long field) and another only the area's rules catch (a name already taken, a date out of
range) shows both messages beside their fields after one POST, and writes nothing."""

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest

from hub.audit.models import AuditEvent
from hub.db import DATABASE_FILE
from tests.conftest import csrf_token
from tests.pages import field_errors

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 30)
LONG = "x" * 2001
AUDIT, VIEWED = AuditEvent._meta.table_name, "case.viewed"


@dataclass
class Form:
    """One form, submitted with mistakes in several fields: errors maps each field to a message it shows."""

    name: str
    role: str
    path: str  # formatted with the world's ids
    data: dict
    errors: dict
    status: int = 200
    page: str = ""  # where the form's CSRF token comes from, when the path answers no GET
    extra: dict = field(default_factory=dict)


def pair(name, role, new_path, edit_path, data, errors):
    """The same mistakes made on the form that adds a thing and on the one that changes it."""
    return Form(f"{name} new", role, new_path, data, errors), Form(f"{name} edit", role, edit_path, data, errors)


FORMS = [
    # Sessions and attendance.
    Form("session new", "facilitator", "/sessions/new?group={youth}",
         {"status": "planned", "kind": "life_skills", "day": "1999-12-31", "start": "", "place": ""},
         {"start": "Please fill this in.", "day": "Give a date between"}),
    Form("session edit", "facilitator", "/sessions/{meeting}/edit",
         {"status": "planned", "kind": "life_skills", "day": "1999-12-31", "start": "", "place": "",
          "version": "{meeting_version}"},
         {"start": "Please fill this in.", "day": "Give a date between"}),
    Form("attendance sheet", "facilitator", "/sessions/{meeting}/paper",
         {"order": "{sita}", "absent": "7", "excused": LONG},
         {"absent": "The list has numbers 1 to 1 only", "excused": "Please use at most 2000 characters."}),
    # Protocols.
    Form("protocol", "coordinator", "/protocols/neglect/edit?language=en",
         {"who_to_call": LONG, "first_steps": "\n".join(["Listen"] * 13), "do_not": "", "refer_to": ""},
         {"who_to_call": "Please use at most 2000 characters.", "first_steps": "Please write at most 12 steps"}),
    # Concerns, cases and referrals.
    Form("concern new", "coordinator", "/concerns/new",
         {"in_danger": "no", "category": "neglect", "child": "", "child_description": "", "place": LONG,
          "what_happened": "He is left alone at night."},
         {"place": "Please use at most", "child_description": "Say which child this is about"}),
    Form("triage", "coordinator", "/cases/{reported}/triage",
         {"category": "neglect", "risk": "", "assigned_to": "999", "note": "", "version": "{reported_version}"},
         {"risk": "Choose a risk level.", "assigned_to": "Choose a case worker from the list."}),
    Form("case update", "coordinator", "/cases/{case}/edit",
         {"status": "assessed", "category": "neglect", "risk": "low", "assigned_to": "", "next_follow_up": "soon",
          "closed_reason": "", "version": "{case_version}"},
         {"next_follow_up": "year-month-day", "assigned_to": "Choose the case worker who holds this case."}),
    Form("follow-up visit", "coordinator", "/cases/{case}/follow-ups",
         {"visited_on": "2026-11-23", "progress": "", "next_visit": ""},
         {"progress": "Please fill this in.", "visited_on": "This date is after today"}, page="/cases/{case}"),
    Form("consent", "coordinator", "/cases/{case}/consent",
         {"given_by": "", "given_on": "2026-11-30"},
         {"given_by": "Choose who gave consent.", "given_on": "This date is after today"}, page="/cases/{case}"),
    Form("referral update", "coordinator", "/referrals/{referral}",
         {"status": "nowhere", "outcome": LONG * 3, "version": "{referral_version}"},
         {"status": "A referral that is", "outcome": "Please use at most"}),
    # Accounts.
    Form("account new", "coordinator", "/accounts/new",
         {"display_name": "", "username": "facilitator", "role": "member", "language": "", "secret": "12345"},
         {"display_name": "Please fill this in.", "username": "The username facilitator is already taken.",
          "secret": "A PIN has exactly 6 digits."}),
    Form("account edit", "coordinator", "/accounts/{coordinator}",
         {"display_name": "", "role": "member", "language": ""},
         {"display_name": "Please fill this in.", "role": "The hub needs at least one active coordinator."}),
    Form("own secret", "coordinator", "/account/secret",
         {"current": "not my password", "new": "coordinator-2026", "confirm": "something else"},
         {"current": "Your current password or PIN is not right.", "new": "username",
          "confirm": "differ"}),
    # Sharing with the district.
    Form("enrolment", "coordinator", "/sharing/enrol", {"aggregator_url": "district-laptop", "code": ""},
         {"code": "Please fill this in.", "aggregator_url": "Type the aggregator's address"}, status=400,
         page="/sharing"),
    # The village and the people register.
    Form("village", "coordinator", "/village",
         {"name": "", "country": "IN", "languages": "en", "numbers": "Police, call 100"},
         {"name": "Please fill this in.", "numbers": "Write each number on its own line"}),
    Form("person new", "coordinator", "/people/new",
         {"name": "Sita " * 20, "sex": "female", "birth_year": "1850", "age_band": "", "school_status": "unknown",
          "group": "", "role": "member", "joined_on": "2026-11-22"},
         {"name": "Please use at most 80 characters.", "birth_year": "A birth year is between 1900 and"}),
    Form("person edit", "coordinator", "/people/{sita}/edit",
         {"name": "Sita " * 20, "sex": "female", "birth_year": "1850", "age_band": "", "school_status": "unknown"},
         {"name": "Please use at most 80 characters.", "birth_year": "A birth year is between 1900 and"}),
    Form("member add", "coordinator", "/groups/{youth}/members",
         {"person": "", "role": "member", "joined_on": "2026-12-01"},
         {"person": "Choose a person from the list.", "joined_on": "This date is after today"}, status=400),
    # Groups.
    *pair("group", "coordinator", "/groups/new", "/groups/{mothers}/edit",
          {"name": "Youth forum", "kind": "local_club", "description": LONG},
          {"name": "There is already a group called Youth forum.",
           "description": "Please use at most 500 characters."}),
    # Action plans.
    *pair("plan", "coordinator", "/plans/new", "/plans/{plan}/edit",
          {"goal": LONG, "agreed_on": "2026-12-01"},
          {"goal": "Please use at most 200 characters.",
           "agreed_on": "The day the community chose it cannot be in the future."}),
    *pair("action", "coordinator", "/plans/{plan}/actions/new", "/plans/{plan}/actions/{action}",
          {"description": "", "owner": "", "owner_name": "", "due_on": "2026-01-01", "status": "planned"},
          {"description": "Please fill this in.", "owner_name": "Say who does it",
           "due_on": "An action cannot be due before the plan was agreed"}),
    # Notices.
    Form("notice new", "coordinator", "/notices/new",
         {"audience": "all", "title": "", "body": "Meeting moved", "ends_on": "2026-11-01"},
         {"title": "Please fill this in.", "ends_on": "The last day to show it cannot be in the past."}),
    # The services directory.
    Form("service new", "coordinator", "/services/new",
         {"name": "Childline", "kind": "child_helpline", "phone": "call us", "address": LONG},
         {"name": "There is already a service called Childline.", "address": "Please use at most 200 characters.",
          "phone": "A phone number has digits"}),
    Form("service edit", "coordinator", "/services/{police}",
         {"name": "Childline", "kind": "police", "phone": "call us", "address": LONG, "state": "active"},
         {"name": "There is already a service called Childline.", "address": "Please use at most 200 characters.",
          "phone": "A phone number has digits"}),
    # The curriculum.
    Form("topic new", "coordinator", "/topics/new",
         {"language": "en", "name": "Child rights", "description": LONG},
         {"name": "There is already a topic called Child rights.",
          "description": "Please use at most 300 characters."}),
    Form("topic edit", "coordinator", "/topics/{topic}?language=en",
         {"language": "en", "name": "Child rights", "description": LONG, "state": "active"},
         {"name": "There is already a topic called Child rights.",
          "description": "Please use at most 300 characters."}),
    Form("training", "coordinator", "/volunteers/{facilitator}/train",
         {"trained_on": "", "meeting_id": "abc"},
         {"trained_on": "Please fill this in.", "meeting_id": "Please give a number.",
          "topics": "Choose at least one topic."},
         status=400, page="/volunteers/{facilitator}"),
    # The schools register.
    Form("dropout new", "coordinator", "/school/new",
         {"child": "{sita}", "left_on": "", "reason": "cost", "school": LONG},
         {"left_on": "Please fill this in.", "school": "Please use at most",
          "child": "Sita is already recorded out of school"}),
    Form("outreach visit", "coordinator", "/school/{dropout}/visits",
         {"visited_on": "2026-01-01", "visited_by": "", "result": LONG},
         {"visited_on": "This is before the child left school", "visited_by": "Please fill this in.",
          "result": "Please use at most"}, page="/school/{dropout}"),
    Form("back to school", "coordinator", "/school/{dropout}/reenrol",
         {"reenrolled_on": "2026-01-01", "reenrolled_school": LONG},
         {"reenrolled_on": "This is before the child left school", "reenrolled_school": "Please use at most"},
         page="/school/{dropout}"),
    # The migration register.
    *pair("departure", "coordinator", "/migration/new", "/migration/{departure}/edit",
          {"committee": "{committee}", "person": "", "name": "", "age": "thirty", "left_on": "2026-12-01",
           "destination": "Delhi", "purpose": "work"},
          {"age": "in digits", "left_on": "This date is after today",
           "name": "Write the name of the person who left"}),
    Form("departure call", "coordinator", "/migration/{departure}/calls",
         {"called_on": "2026-09-01", "result": ""},
         {"called_on": "This is before they left", "result": "Please fill this in."},
         page="/migration/{departure}"),
    # Savings.
    Form("savings cycle", "coordinator", "/savings/new",
         {"group": "{mothers}", "name": "", "starts_on": "2026-11-01", "ends_on": "2026-10-01",
          "share_value": "fifty", "social_amount": "", "rate": "2"},
         {"name": "Please fill this in.", "ends_on": "The share-out comes after the start.",
          "share_value": "Give an amount in digits"}),
    Form("savings entry", "coordinator", "/savings/{cycle}/entries/new",
         {"kind": "deposit", "member": "{saver}", "amount": "55", "on_day": "", "note": LONG},
         {"on_day": "Please fill this in.", "note": "Please use at most",
          "amount": "Savings are bought in shares of"}),
    Form("savings loan", "coordinator", "/savings/{cycle}/loans/new",
         {"member": "", "amount": "100", "months": "99", "rate": "2", "on_day": ""},
         {"on_day": "Please fill this in.", "member": "Choose a member of this group from the list.",
          "months": "A loan is repaid in 1 to 36 months."}),
    Form("savings meeting", "coordinator", "/savings/{cycle}/meetings/new",
         {"held_on": "", "shares-{saver}": "many"},
         {"held_on": "Please fill this in.", "shares-{saver}": "Give a number of shares from 0 to"}),
    Form("savings account", "coordinator", "/savings/{cycle}/members",
         {"member": "", "account": "999"},
         {"account": "Choose an account that belongs to this group.",
          "member": "Choose a member of this group from the list."}),
]


pytestmark = pytest.mark.usefixtures("fixed_clock")  # hub.clock pinned to TODAY and NOW


@pytest.fixture
def world(app):
    """What the forms work on (their ids by name): groups, a child out of school, a departure, a plan with an
    action, services, a savings cycle."""
    from hub.auth.models import User
    from hub.cases.concerns import Report, report_concern
    from hub.cases.models import Case
    from hub.cases.referrals import ReferralPlan, refer
    from hub.cases.transitions import Triage, triage
    from hub.curriculum.models import Topic
    from hub.groups.models import Group
    from hub.groups.service import create_group, set_groups_of
    from hub.migration.service import Entry, create_departure
    from hub.plans.service import ActionDraft, PlanDraft, add_action, create_plan
    from hub.savings.cycles import create_cycle
    from hub.savings.models import SavingsMember
    from hub.schools.service import record_dropout
    from hub.services.service import create_service
    from tests.factories import make_meeting, make_person

    with app.app_context():
        coordinator = User.get(User.username == "coordinator")
        facilitator = User.get(User.username == "facilitator")
        youth = create_group("Youth forum", Group.YOUTH_FORUM)
        mothers = create_group("Mothers' group", Group.MOTHERS_GROUP)
        committee = create_group("Vigilance committee", Group.VIGILANCE_COMMITTEE)
        set_groups_of(facilitator, [youth.id])
        sita = make_person(youth, name="Sita", birth_year=2014)
        make_person(mothers, name="Meena", birth_year=1990)
        dropout = record_dropout(coordinator, sita.id, date(2026, 3, 1), "cost")
        departure = create_departure(Entry(committee_id=committee.id, left_on=date(2026, 10, 1), destination="Delhi",
                                           purpose="work", name="Anil Kumar", age=30), coordinator)
        plan = create_plan(coordinator, PlanDraft(goal="Every child in school", agreed_on=date(2026, 6, 1)), TODAY)
        action = add_action(plan, coordinator, ActionDraft(description="Visit families", due_on=date(2026, 12, 1),
                                                           owner_name="Ravi"))
        create_service("Childline", "child_helpline", phone="1098")
        police = create_service("Police station", "police", phone="100")
        cycle = create_cycle(mothers, "Savings 2026", date(2026, 1, 10), date(2026, 12, 20), "50", "10", "2")
        saver = SavingsMember.get(SavingsMember.cycle == cycle)
        topic = Topic.get(Topic.code == "sexual_abuse")
        case_worker = User.get(User.username == "caseworker")
        meeting = make_meeting(youth, datetime(2026, 11, 20, 16, 0), status="planned", facilitators=[facilitator])
        reported = report_concern(Report("neglect", "Left alone at night", False, child_description="Boy, 9"),
                                  coordinator)
        case = report_concern(Report("neglect", "Not fed", False, child_description="Girl, 7"), coordinator)
        case = triage(case, case.version, Triage("neglect", "low", case_worker.id), coordinator)
        referral = refer(case, ReferralPlan(service_id=police.id, referred_on=TODAY, reason="Needs support"),
                         coordinator, TODAY)
        case = Case.get_by_id(case.id)
    return {"youth": youth.id, "mothers": mothers.id, "committee": committee.id, "sita": sita.id,
            "dropout": dropout.id, "departure": departure.id, "plan": plan.id, "action": action.id,
            "police": police.id, "cycle": cycle.id, "saver": saver.id, "topic": topic.id,
            "facilitator": facilitator.id, "coordinator": coordinator.id, "reported": reported.id,
            "reported_version": reported.version,
            "case": case.id, "case_version": case.version, "referral": referral.id,
            "referral_version": referral.version, "meeting": meeting.id, "meeting_version": meeting.version}


def rows(app):
    """Every row of every table the forms could write, as a comparable value (less the audit entries that
    say a case was viewed: showing a case page again is audited)."""
    with closing(sqlite3.connect(f"file:{app.config['DATA_DIR']}/{DATABASE_FILE}?mode=ro", uri=True)) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                  if not name.startswith("sqlite_")]
        found = {name: sorted(map(repr, db.execute(f'SELECT * FROM "{name}"'))) for name in tables}
        found[AUDIT] = sorted(map(repr, db.execute(f'SELECT * FROM "{AUDIT}" WHERE action != ?', (VIEWED,))))
        return found


@pytest.mark.parametrize("form", FORMS, ids=[form.name for form in FORMS])
def test_one_post_shows_every_fields_error_and_saves_nothing(app, world, login_as, form):
    client = login_as(form.role)
    path = form.path.format(**world)
    token = csrf_token(client, (form.page or path).format(**world))
    before = rows(app)
    data = {name.format(**world): value.format(**world) for name, value in form.data.items()}
    response = client.post(path, data={**data, **form.extra, "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == form.status, page
    for name, message in form.errors.items():
        shown = field_errors(page, name.format(**world))
        assert message in " ".join(shown), (name, shown)
    assert rows(app) == before


def test_first_set_up__shows_the_villages_and_the_accounts_errors_in_one_post(fresh_app, data_dir):
    """The first run's form (before any account exists): a password typed twice differently (the form), emergency
    numbers that do not parse (the village's rule) and a password containing the username (the account's rule)."""
    from hub import instance

    client = fresh_app.test_client()
    before = rows(fresh_app)
    response = client.post("/setup", data={
        "setup_code": instance.setup_code(data_dir), "name": "Kashipur", "district": "Satkhira", "country": "BD",
        "languages": ["bn", "en"], "numbers": "Police, call 999", "display_name": "Rahima Khatun",
        "username": "rahima", "password": "rahima-password", "confirm": "another password",
        "csrf_token": csrf_token(client, "/setup")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_errors(page, "confirm") == ["The two entries differ."]
    assert "Write each number on its own line" in " ".join(field_errors(page, "numbers"))
    assert "username" in " ".join(field_errors(page, "password"))
    assert rows(fresh_app) == before
