"""The migration register: who may keep it (each role, a member in and out of the vigilance committee, another
committee's records), recording a departure (from the register or by name and age), a minor flagged with
"report a concern" prefilled, the lists, calls and returns, bad input refused with nothing saved, every change
audited, untrusted text through every field and page, and the demo village's register."""

import html
import re
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
from markupsafe import escape

from hub import clock
from hub.audit.models import AuditEvent
from hub.groups.models import AccountGroup, Group
from hub.groups.service import set_archived
from hub.migration.models import Departure, DepartureCall
from hub.migration.service import Entry, create_departure, record_return
from tests.conftest import csrf_token
from tests.factories import account, make_group, make_person
from tests.markup import executable_markup
from tests.pages import field_errors

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 30)
PAYLOADS = [line for line in (Path(__file__).parent / "data" / "xss.txt").read_text().splitlines() if line]


pytestmark = pytest.mark.usefixtures("fixed_clock")  # hub.clock pinned to TODAY and NOW




@pytest.fixture
def committee(app):
    return make_group(name="Vigilance committee", kind=Group.VIGILANCE_COMMITTEE)


def join(role, group):
    AccountGroup.create(user=account(role), group=group)


def post(client, path, **data):
    """POST data with the client's CSRF token (one per session: any page of the hub carries it)."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/concerns/mine")})


def departure_form(group, **overrides):
    data = {"committee": str(group.id), "person": "", "name": "Sunita Das", "age": "34", "hamlet": "River side",
            "left_on": "2026-11-20", "destination": "Surat", "purpose": "work", "agent": "Mr Yadav, contractor",
            "expected_return": "2027-03-01", "contact": "+91 98300 12345"}
    data.update(overrides)
    return data


def make_departure(committee, user=None, **overrides):
    values = {"committee_id": committee.id, "left_on": date(2026, 10, 1), "destination": "Delhi", "purpose": "work",
              "name": "Anil Kumar", "age": 30, "expected_return": date(2026, 12, 1)}
    values.update(overrides)
    return create_departure(Entry(**values), user or account("coordinator"))


def actions():
    return [event.action for event in AuditEvent.select().where(AuditEvent.action.startswith("departure."))
            .order_by(AuditEvent.id)]


# Who may keep the register.

@pytest.mark.parametrize("role, in_committee, status", [
    ("coordinator", False, 200),
    ("case_worker", False, 200),
    ("facilitator", False, 404),
    ("facilitator", True, 200),
    ("member", False, 404),
    ("member", True, 200),
])
def test_access__case_staff_and_committee_members_only(login_as, committee, role, in_committee, status):
    if in_committee:
        join(role, committee)
    departure = make_departure(committee)
    client = login_as(role)
    for path in ("/migration", "/migration/new", f"/migration/{departure.id}", f"/migration/{departure.id}/edit"):
        assert client.get(path).status_code == status, path
    before = Departure.select().count()
    response = post(client, "/migration/new", **departure_form(committee))
    assert response.status_code == (302 if status == 200 else 404)
    assert Departure.select().count() == before + (status == 200)
    for path, data in ((f"/migration/{departure.id}/calls", {"called_on": "2026-11-21", "result": "Fine"}),
                       (f"/migration/{departure.id}/return", {"returned_on": "2026-11-21"})):
        assert post(client, path, **data).status_code == (302 if status == 200 else 404), path
    assert DepartureCall.select().count() == (status == 200)
    menu = client.get("/").get_data(as_text=True)
    assert ('href="/migration"' in menu) == (status == 200)


def test_access__anonymous_sent_to_sign_in(client, committee):
    response = client.get("/migration")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/migration"


def test_access__a_committee_member_sees_their_committee_only(login_as, committee):
    other = make_group(name="Vigilance committee, upper hamlet", kind=Group.VIGILANCE_COMMITTEE)
    join("member", committee)
    ours, theirs = make_departure(committee, name="Ours Person"), make_departure(other, name="Theirs Person")
    member = login_as("member")
    page = member.get("/migration").get_data(as_text=True)
    assert "Ours Person" in page and "Theirs Person" not in page
    assert member.get(f"/migration/{ours.id}").status_code == 200
    assert member.get(f"/migration/{theirs.id}").status_code == 404
    assert post(member, f"/migration/{theirs.id}/return", returned_on="2026-11-21").status_code == 404
    # Nor may they file a departure in the other committee's register.
    response = post(member, "/migration/new", **departure_form(other))
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "committee") == [
        "Choose a vigilance committee from the list."]
    # Case staff see both.
    page = login_as("case_worker").get("/migration").get_data(as_text=True)
    assert "Ours Person" in page and "Theirs Person" in page


def test_access__an_archived_committee_no_longer_lets_its_members_in(login_as, committee):
    join("member", committee)
    set_archived(committee, True)
    assert login_as("member").get("/migration").status_code == 404


def test_access__member_of_another_kind_of_group_is_refused(login_as, committee):
    join("member", make_group(name="Mothers", kind=Group.MOTHERS_GROUP))
    assert login_as("member").get("/migration").status_code == 404


# Recording a departure.

def test_new__records_a_departure_by_name_and_age(login_as, committee):
    join("member", committee)
    member = login_as("member")
    page = member.get("/migration/new").get_data(as_text=True)
    assert 'value="2026-11-22"' in page  # the day they left defaults to today
    assert 'name="q"' not in page  # a member does not search the people register
    response = post(member, "/migration/new", **departure_form(committee))
    departure = Departure.get()
    assert response.headers["Location"] == f"/migration/{departure.id}"
    assert (departure.name, departure.age, departure.hamlet, departure.left_on, departure.destination,
            departure.purpose, departure.agent, departure.expected_return, departure.contact,
            departure.returned_on, departure.person_id, departure.committee_id, departure.created_by_id) == (
        "Sunita Das", 34, "River side", date(2026, 11, 20), "Surat", "work", "Mr Yadav, contractor",
        date(2027, 3, 1), "+91 98300 12345", None, None, committee.id, account("member").id)
    assert not departure.is_minor
    event = AuditEvent.get(AuditEvent.action == "departure.created")
    assert (event.object_type, event.object_id, event.username, event.detail) == (
        "departure", str(departure.id), "member", "")
    page = member.get(response.headers["Location"]).get_data(as_text=True)
    assert "The departure of Sunita Das is recorded." in page
    assert "Report a concern" not in page and "A child left the village" not in page


def test_new__a_person_from_the_register_with_the_age_from_their_birth_year(login_as, committee):
    child = make_person(name="Rekha Paswan", birth_year=2010, hamlet="Market")
    worker = login_as("case_worker")
    page = worker.get("/migration/new?q=Rekha").get_data(as_text=True)
    assert f'<option value="{child.id}">Rekha Paswan · b. 2010 · Market · No. {child.id}</option>' in page
    response = post(worker, "/migration/new?q=Rekha", **departure_form(
        committee, person=str(child.id), name="", age="", hamlet=""))
    assert response.status_code == 302
    departure = Departure.get()
    assert (departure.person_id, departure.name, departure.age, departure.hamlet) == (
        child.id, "Rekha Paswan", 16, "Market")
    assert departure.is_minor
    assert AuditEvent.get(AuditEvent.action == "departure.created").detail == "minor"
    page = worker.get(f"/migration/{departure.id}").get_data(as_text=True)
    assert f'href="/people/{child.id}"' in page


def test_new__the_same_person_cannot_leave_twice_before_coming_back(login_as, committee):
    child = make_person(name="Rekha Paswan", birth_year=2010)
    make_departure(committee, person_id=child.id, name="", age=None)
    response = post(login_as("case_worker"), "/migration/new", **departure_form(committee, person=str(child.id),
                                                                                 age=""))
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "person") == [
        "Rekha Paswan is already away since Oct 1, 2026: record that return first."]
    assert Departure.select().count() == 1


# A minor's departure.

@pytest.mark.parametrize("purpose, category", [("work", "unsafe_migration"), ("education", "unsafe_migration"),
                                               ("marriage", "child_marriage")])
def test_minor__flagged_at_once_with_a_concern_prefilled(login_as, committee, purpose, category):
    join("member", committee)
    member = login_as("member")
    response = post(member, "/migration/new", **departure_form(
        committee, name="Puja Khatun", age="15", purpose=purpose, agent="Brick kiln agent", contact="98300 11111"))
    departure = Departure.get()
    page = member.get(response.headers["Location"]).get_data(as_text=True)
    assert "Puja Khatun is a child: report a concern now." in page
    assert "A child left the village" in page
    link = html.unescape(re.search(r'<a class="button button-report" href="([^"]+)"', page).group(1))
    assert link == f"/concerns/new?departure={departure.id}"  # no name in the URL: it stays in the history
    # The concern form opens with all of it filled in; sending it files the concern.
    form = member.get(link).get_data(as_text=True)
    assert f'<option selected value="{category}">' in form
    assert html.escape("Puja Khatun, 15 years, River side", quote=True) in form
    assert "A child aged 15 left the village on Nov 20, 2026 for Surat." in form
    assert "Agent or contractor: Brick kiln agent." in form and "Phone at the destination: 98300 11111." in form
    assert 'value="Surat"' in form
    assert departure.is_minor


def test_minor__the_flag_follows_the_age_and_the_lists(login_as, committee):
    make_departure(committee, name="Adult", age=18)
    make_departure(committee, name="Child", age=17)
    page = login_as("coordinator").get("/migration?show=minors").get_data(as_text=True)
    assert "Child" in page and "Adult" not in page


# Lists.

def test_lists__away_overdue_minors_returned(login_as, committee, monkeypatch):
    away = make_departure(committee, name="Still Away", left_on=date(2026, 9, 1), expected_return=date(2026, 12, 1))
    late = make_departure(committee, name="Late Coming", left_on=date(2026, 6, 1), expected_return=date(2026, 11, 25))
    unknown = make_departure(committee, name="Nobody Knows", left_on=date(2026, 10, 1), expected_return=None)
    child = make_departure(committee, name="Young One", age=14, left_on=date(2026, 11, 1),
                           expected_return=date(2026, 11, 26))
    back = make_departure(committee, name="Came Home", left_on=date(2026, 5, 1), expected_return=date(2026, 11, 23))
    record_return(back, date(2026, 11, 2), account("coordinator"))
    # The clock moves on: two who were expected back by now have not come.
    later = date(2026, 11, 28)
    monkeypatch.setattr(clock, "today", lambda: later)
    coordinator = login_as("coordinator")

    def names(show):
        page = coordinator.get(f"/migration?show={show}").get_data(as_text=True)
        return re.findall(r'<a href="/migration/\d+">([^<]+)</a>', page), page

    shown, page = names("away")
    assert shown == ["Young One", "Nobody Knows", "Still Away", "Late Coming"]  # latest departure first
    assert "Away (4)" in page and "Overdue returns (2)" in page and "Minors away (1)" in page
    assert "Returned (1)" in page
    assert "Expected back Nov 25, 2026: overdue" in page
    assert names("overdue")[0] == ["Late Coming", "Young One"]  # longest overdue first
    assert names("minors")[0] == ["Young One"]
    assert names("returned")[0] == ["Came Home"]
    assert names("nonsense")[0] == names("away")[0]
    assert not away.is_overdue(later) and late.is_overdue(later) and child.is_overdue(later)
    assert not unknown.is_overdue(later)


# Calls, the return, corrections.

def test_call__recorded_and_audited(login_as, committee):
    join("member", committee)
    departure = make_departure(committee)
    member = login_as("member")
    page = member.get(f"/migration/{departure.id}").get_data(as_text=True)
    assert "No calls yet." in page
    response = post(member, f"/migration/{departure.id}/calls", called_on="2026-11-21",
                    result="Spoke with him: well, back in December.")
    assert response.headers["Location"] == f"/migration/{departure.id}"
    call = DepartureCall.get()
    assert (call.departure_id, call.called_on, call.result, call.user_id) == (
        departure.id, date(2026, 11, 21), "Spoke with him: well, back in December.", account("member").id)
    assert actions() == ["departure.created", "departure.call_added"]
    assert "Spoke with him: well, back in December." in member.get(f"/migration/{departure.id}").get_data(as_text=True)


def test_return__recorded_corrected_and_audited(login_as, committee):
    departure = make_departure(committee)
    worker = login_as("case_worker")
    assert post(worker, f"/migration/{departure.id}/return", returned_on="2026-11-15").status_code == 302
    assert Departure.get_by_id(departure.id).returned_on == date(2026, 11, 15)
    assert post(worker, f"/migration/{departure.id}/return", returned_on="2026-11-16").status_code == 302
    assert Departure.get_by_id(departure.id).returned_on == date(2026, 11, 16)
    events = list(AuditEvent.select().where(AuditEvent.action == "departure.returned").order_by(AuditEvent.id))
    assert [event.detail for event in events] == ["", "corrected"]
    page = worker.get(f"/migration/{departure.id}").get_data(as_text=True)
    assert "Nov 16, 2026" in page and "Correct the day they came back" in page


def test_edit__saves_and_audits_what_changed(login_as, committee):
    departure = make_departure(committee)
    worker = login_as("case_worker")
    page = worker.get(f"/migration/{departure.id}/edit").get_data(as_text=True)
    assert 'value="Anil Kumar"' in page and 'value="2026-12-01"' in page
    data = departure_form(committee, name="Anil Kumar", age="30", left_on="2026-10-01", destination="Ludhiana",
                          expected_return="2026-12-01", hamlet="", agent="", contact="")
    assert post(worker, f"/migration/{departure.id}/edit", **data).status_code == 302
    departure = Departure.get_by_id(departure.id)
    assert departure.destination == "Ludhiana"
    assert AuditEvent.get(AuditEvent.action == "departure.updated").detail == "destination"


def test_edit__an_overdue_expected_return_may_stay_but_not_be_moved_into_the_past(login_as, committee, monkeypatch):
    departure = make_departure(committee, left_on=date(2026, 6, 1), expected_return=date(2026, 11, 30))
    monkeypatch.setattr(clock, "today", lambda: date(2026, 12, 10))
    worker = login_as("case_worker")
    data = departure_form(committee, name="Anil Kumar", age="30", left_on="2026-06-01", expected_return="2026-11-30",
                          destination="Delhi", hamlet="", agent="Found the agent", contact="")
    assert post(worker, f"/migration/{departure.id}/edit", **data).status_code == 302
    response = post(worker, f"/migration/{departure.id}/edit", **{**data, "expected_return": "2026-12-05"})
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "expected_return") == [
        ("This day has passed (today is Dec 10, 2026 on the hub's clock): give the day they are now expected back, "
         "or leave it empty.")]
    assert Departure.get_by_id(departure.id).expected_return == date(2026, 11, 30)


# Bad input: a clear message beside the field, nothing saved.

@pytest.mark.parametrize("overrides, field, message", [
    ({"expected_return": "2026-11-01"}, "expected_return",
     "The expected return is before the departure (Nov 20, 2026)."),
    ({"left_on": "2026-11-01", "expected_return": "2026-11-10"}, "expected_return",
     ("This day has passed (today is Nov 22, 2026 on the hub's clock): give the day they are now expected back, or "
      "leave it empty.")),
    ({"age": "sixteen"}, "age", "Please give the age in years, in digits, such as 16."),
    ({"age": "-2"}, "age", "An age is between 0 and 120 years."),
    ({"age": "150"}, "age", "An age is between 0 and 120 years."),
    ({"age": ""}, "age", "Give the age in years on the day they left."),
    ({"name": "   "}, "name", "Write the name of the person who left, or choose them from the register."),
    ({"person": "9999"}, "person", "Choose a person from the list, or write a name and an age."),
    ({"left_on": ""}, "left_on", "Please fill this in."),
    ({"left_on": "20/11/2026"}, "left_on", "Please give a date as year-month-day."),
    ({"left_on": "2026-11-23"}, "left_on", "This date is after today (Nov 22, 2026 on the hub's clock)."),
    ({"expected_return": "soon"}, "expected_return", "Please give a date as year-month-day."),
    ({"destination": " "}, "destination", "Please fill this in."),
    ({"purpose": "tourism"}, "purpose", "Choose a purpose from the list."),
    ({"committee": "9999"}, "committee", "Choose a vigilance committee from the list."),
    ({"contact": "call Ravi"}, "contact", "A phone number has digits, and may have spaces, dashes and a + in front."),
    ({"agent": "x" * 121}, "agent", "Please use at most 120 characters."),
])
def test_new__bad_input_refused_nothing_saved(login_as, committee, overrides, field, message):
    response = post(login_as("coordinator"), "/migration/new", **departure_form(committee, **overrides))
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), field) == [message]
    assert Departure.select().count() == 0 and actions() == []


def test_new__a_person_this_account_may_not_see_is_unknown(login_as, committee):
    join("facilitator", committee)
    hidden = make_person(name="Not Theirs", birth_year=2012)  # in none of the facilitator's groups
    response = post(login_as("facilitator"), "/migration/new", **departure_form(committee, person=str(hidden.id)))
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "person") == [
        "Choose a person from the list, or write a name and an age."]
    assert Departure.select().count() == 0


def test_new__an_age_that_does_not_fit_the_register(login_as, committee):
    child = make_person(name="Rekha Paswan", birth_year=2010)
    response = post(login_as("case_worker"), "/migration/new", **departure_form(
        committee, person=str(child.id), age="25"))
    assert field_errors(response.get_data(as_text=True), "age") == [
        "The register says Rekha Paswan was born in 2010: about 16 years old on this day."]
    assert Departure.select().count() == 0


@pytest.mark.parametrize("data, field, message", [
    ({"returned_on": "2026-09-30"}, "returned_on", "The return is before the departure (Oct 1, 2026)."),
    ({"returned_on": "2026-11-23"}, "returned_on", "This date is after today (Nov 22, 2026 on the hub's clock)."),
    ({"returned_on": "yesterday"}, "returned_on", "Please give a date as year-month-day."),
    ({"returned_on": ""}, "returned_on", "Please fill this in."),
])
def test_return__bad_input_refused_nothing_saved(login_as, committee, data, field, message):
    departure = make_departure(committee)
    response = post(login_as("coordinator"), f"/migration/{departure.id}/return", **data)
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), field) == [message]
    assert Departure.get_by_id(departure.id).returned_on is None
    assert actions() == ["departure.created"]


@pytest.mark.parametrize("data, field, message", [
    ({"called_on": "2026-09-30", "result": "Fine"}, "called_on", "This is before they left, on Oct 1, 2026."),
    ({"called_on": "2026-11-23", "result": "Fine"}, "called_on",
     "This date is after today (Nov 22, 2026 on the hub's clock)."),
    ({"called_on": "2026-11-21", "result": "  "}, "result", "Please fill this in."),
    ({"called_on": "2026-11-21", "result": "x" * 501}, "result", "Please use at most 500 characters."),
])
def test_call__bad_input_refused_nothing_saved(login_as, committee, data, field, message):
    departure = make_departure(committee)
    response = post(login_as("coordinator"), f"/migration/{departure.id}/calls", **data)
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), field) == [message]
    assert DepartureCall.select().count() == 0 and actions() == ["departure.created"]


def test_edit__a_departure_after_the_return_is_refused(login_as, committee):
    departure = make_departure(committee)
    record_return(departure, date(2026, 10, 20), account("coordinator"))
    data = departure_form(committee, name="Anil Kumar", age="30", left_on="2026-10-25", expected_return="")
    response = post(login_as("coordinator"), f"/migration/{departure.id}/edit", **data)
    assert field_errors(response.get_data(as_text=True), "left_on") == [
        "They came back on Oct 20, 2026: the departure cannot be after that."]
    assert Departure.get_by_id(departure.id).left_on == date(2026, 10, 1)


def test_database__refuses_a_return_before_the_departure(committee):
    departure = make_departure(committee)
    with pytest.raises(Exception, match="CHECK constraint failed"):
        Departure.update(returned_on=date(2026, 9, 1)).where(Departure.id == departure.id).execute()


# The concern form accepts what a link fills in.

def test_concern_form__prefilled_only_for_who_may_see_the_departure(login_as, client, committee):
    child = make_person(name="Rekha Paswan", birth_year=2010)
    departure = make_departure(committee, name="", age=16, person_id=child.id)
    adult = make_departure(committee, name="Grown up", age=30)
    path = f"/concerns/new?departure={departure.id}"
    worker = login_as("case_worker").get(path).get_data(as_text=True)
    assert f'<option selected value="{child.id}">Rekha Paswan · b. 2010 · No. {child.id}</option>' in worker
    assert "A child aged 16 left the village" in worker
    for page in (client.get(path), login_as("facilitator").get(path),  # a visitor; someone outside the committee
                 login_as("case_worker").get(f"/concerns/new?departure={adult.id}"),  # not a child
                 login_as("case_worker").get("/concerns/new?departure=9999&what_happened=Made+up")):
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and "left the village" not in text and "Made up" not in text


# Untrusted text.

def test_payloads__through_every_text_field_and_every_page(login_as, committee):
    worker = login_as("case_worker")
    for payload in PAYLOADS:
        text = payload[:80]
        response = post(worker, "/migration/new", **departure_form(
            committee, name=text, hamlet=text, destination=payload[:120], agent=payload[:120], age="15",
            contact=""))
        assert response.status_code == 302, payload
        departure = Departure.select().order_by(Departure.id.desc()).get()
        assert departure.name == " ".join(text.split())  # saved as typed, shown escaped
        post(worker, f"/migration/{departure.id}/calls", called_on="2026-11-21", result=payload)
        pages = {"view": worker.get(f"/migration/{departure.id}"),
                 "edit": worker.get(f"/migration/{departure.id}/edit"), "list": worker.get("/migration"),
                 "minors": worker.get("/migration?show=minors"), "home": worker.get("/"),
                 "refused": post(worker, f"/migration/{departure.id}/edit", **departure_form(
                     committee, name=text, contact=payload[:40], agent=payload[:120])),
                 "refused call": post(worker, f"/migration/{departure.id}/calls", called_on="x", result=payload)}
        link = html.unescape(re.search(r'<a class="button button-report" href="([^"]+)"',
                                       pages["view"].get_data(as_text=True)).group(1))
        pages["concern"] = worker.get(link)
        for name, response in pages.items():
            assert response.status_code == 200, (name, payload)
            assert executable_markup(response.get_data(as_text=True)) == [], (name, payload)
        assert str(escape(departure.name)) in pages["view"].get_data(as_text=True), payload


# The demo village.

@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_village):
    return demo_village(1, tmp_path_factory.mktemp("demo-migration") / "instance")


def rows(data_dir, sql):
    conn = sqlite3.connect(data_dir / "hub.sqlite3")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_seed_demo__a_register_with_minors_overdue_and_returned(demo):
    departures = rows(demo, "SELECT d.age, d.expected_return, d.returned_on, d.purpose, g.kind, d.left_on, "
                            "(SELECT count(*) FROM departure_call c WHERE c.departure_id = d.id) "
                            "FROM departure d JOIN community_group g ON g.id = d.committee_id")
    assert 8 <= len(departures) <= 12
    assert {kind for *_, kind, _, _ in departures} == {"vigilance_committee"}
    today = date.today().isoformat()
    away = [row for row in departures if row[2] is None]
    assert any(row[0] < 18 for row in away), "a child is away"
    assert any(row[1] and row[1] < today for row in away), "someone is overdue"
    assert any(row[2] for row in departures), "someone came back"
    assert any(row[0] < 18 and row[3] == "marriage" for row in departures)
    assert all(row[5] <= today and (row[2] is None or row[2] >= row[5]) for row in departures)
    assert sum(row[6] for row in departures) == rows(
        demo, "SELECT count(*) FROM audit_event WHERE action = 'departure.call_added'")[0][0]
    assert rows(demo, "SELECT count(*) FROM audit_event WHERE action = 'departure.created'") == [(len(departures),)]
    # The demo member keeps the committee's register.
    assert rows(demo, "SELECT g.kind FROM account_group a JOIN user_account u ON u.id = a.user_id "
                      "JOIN community_group g ON g.id = a.group_id WHERE u.username = 'member' ORDER BY g.kind") == [
        ("mothers_group",), ("vigilance_committee",)]


def test_edit__a_member_keeps_the_person_a_case_worker_named(login_as, committee):
    join("member", committee)
    child = make_person(name="Rekha Paswan", birth_year=2010)  # in none of the member's groups
    departure = make_departure(committee, person_id=child.id, name="", age=None)
    member = login_as("member")
    page = member.get(f"/migration/{departure.id}/edit").get_data(as_text=True)
    assert 'name="person"' not in page and f'href="/people/{child.id}"' not in member.get(
        f"/migration/{departure.id}").get_data(as_text=True)
    data = departure_form(committee, name="Rekha Paswan", age="16", left_on="2026-10-01", destination="Kolkata",
                          expected_return="2026-12-01", hamlet="", agent="", contact="")
    del data["person"]  # not on the member's form
    assert post(member, f"/migration/{departure.id}/edit", **data).status_code == 302
    departure = Departure.get_by_id(departure.id)
    assert (departure.person_id, departure.destination) == (child.id, "Kolkata")
    # Nor can they name someone else of the register by hand.
    other = make_person(name="Someone Else", birth_year=2011)
    response = post(member, f"/migration/{departure.id}/edit", **{**data, "person": str(other.id)})
    assert Departure.get_by_id(departure.id).person_id == child.id and response.status_code == 302
