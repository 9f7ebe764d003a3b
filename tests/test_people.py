"""The people register: records, likely duplicates, search across spellings, need to know, consent, members."""

import html
import re
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import g, render_template
from markupsafe import escape

from hub import clock
from hub.audit.models import AuditEvent
from hub.auth.models import User
from hub.db import database
from hub.groups.models import Group
from hub.groups.service import create_group, set_archived, set_groups_of
from hub.people.models import GroupMember, Person
from hub.people.names import name_key
from hub.people.service import (
    LikelyDuplicates,
    PersonError,
    add_member,
    create_person,
    current_members,
    leave_group,
    members_on,
    people_visible_to,
)
from tests.conftest import csrf_token
from tests.markup import executable_markup
from tests.pages import field_errors

TOMORROW = clock.today() + timedelta(days=1)
NEXT_YEAR = clock.today().year + 1


def user(username):
    return User.get(User.username == username)


def consenting(name, birth_year, group=None, **extra):
    """A consenting person written through the service (outside a request: no author)."""
    values = {"consent_by": "Mother", "consent_on": date(2025, 1, 2), "joined_on": date(2025, 1, 3),
              "save_anyway": True}
    values.update(extra)
    return create_person(name, "female", birth_year, group=group, **values)


@pytest.fixture
def village(app):
    """Two groups (the facilitator is in the youth forum), a member of each, and one without consent."""
    with app.app_context(), database.connection_context():
        youth = create_group("Youth forum", Group.YOUTH_FORUM)
        mothers = create_group("Mothers' group", Group.MOTHERS_GROUP)
        set_groups_of(user("facilitator"), [youth.id])
        anita = consenting("Anita Das", 2014, youth, hamlet="North tola")
        babu = consenting("Babu Sheikh", 2013, mothers)
        chitra = create_person("Chitra Roy", "female", 2015, group=youth, joined_on=date(2025, 1, 3))
    return SimpleNamespace(youth=youth, mothers=mothers, anita=anita, babu=babu, chitra=chitra)


def person_form(**overrides):
    values = {"name": "Rina Khatun", "sex": "female", "birth_year": "2016", "age_band": "",
              "school_status": "in_school", "guardian": "Salma Khatun", "contact": "+91 98300 12345",
              "hamlet": "East para", "consent_by": "Salma Khatun (mother)", "consent_on": "2025-03-01",
              "group": "", "role": "member", "joined_on": "2025-03-02"}
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


def post_new(client, **overrides):
    return client.post("/people/new", data={**person_form(**overrides), "csrf_token": csrf_token(client)})


def text(response):
    return html.unescape(response.get_data(as_text=True))


# Names: one key for many spellings.

@pytest.mark.parametrize("spellings", [
    ("Mohammad", "Muhammed", "Mohamad", "Muhammad", "Mohammed", "Mohd", "Md."),
    ("Lakshmi", "Laxmi", "Luxmi", "LAKSHMI"),
    ("Priya", "Pria", "Preeya"),
    ("Jose", "José", "JOSÉ"),
    ("Sita", "Seeta", "Shita"),
    ("Vikram", "Wikram", "Bikram"),
    ("Zahid", "Jahid"),
    ("Yasmin", "Jesmin", "Jasmin"),
    ("Shanti", "Santi"),
    ("Cecilia", "Sesilia"),
    ("Quispe", "Kispe"),
    ("Phulmati", "Fulmati"),
    ("Aisha", "Ayesha"),
    ("Bhagat", "Bagat"),
    ("Anna", "Ana"),
    ("Nuñez", "Nunez"),
])
def test_name_key__one_key_for_the_spellings_of_a_name(spellings):
    assert len({name_key(spelling) for spelling in spellings}) == 1, [name_key(s) for s in spellings]


@pytest.mark.parametrize("first, second", [
    ("Sita", "Gita"), ("Ravi", "Rani"), ("Anil", "Sunil"), ("Chandra", "Sandra"), ("Mohan", "Sohan")])
def test_name_key__different_names_keep_different_keys(first, second):
    assert name_key(first) != name_key(second)


def test_name_key__words_kept_apart_and_other_scripts_kept():
    assert name_key("Mohd. Ali") == name_key("Muhammad  Aly")
    assert name_key("सीता") == name_key("सीता") != ""
    assert name_key("123 !!") == ""


# Creating a person.

def test_new__saves_the_record_with_its_key_and_audit(village, login_as):
    coordinator = login_as("coordinator")
    response = post_new(coordinator, name="  Rina   Khatun ")
    rina = Person.get(Person.name == "Rina Khatun")
    assert response.headers["Location"] == f"/people/{rina.id}"
    assert (rina.name_key, rina.sex, rina.birth_year, rina.age_band, rina.school_status) == (
        name_key("Rina Khatun"), "female", 2016, "", "in_school")
    assert (rina.guardian, rina.contact, rina.hamlet) == ("Salma Khatun", "+91 98300 12345", "East para")
    assert (rina.consent_by, rina.consent_on) == ("Salma Khatun (mother)", date(2025, 3, 1))
    event = AuditEvent.get((AuditEvent.action == "person.created") & (AuditEvent.username == "coordinator"))
    assert event.object_id == str(rina.id)
    page = text(coordinator.get(f"/people/{rina.id}"))
    assert "Rina Khatun" in page and "East para" in page and "Salma Khatun (mother)" in page
    assert 'href="tel:+919830012345"' in page


def test_new__age_band_when_the_year_is_unknown(village, login_as):
    coordinator = login_as("coordinator")
    post_new(coordinator, birth_year="", age_band="10-14")
    rina = Person.get(Person.name == "Rina Khatun")
    assert (rina.birth_year, rina.age_band) == (None, "10-14")
    assert "10-14" in text(coordinator.get(f"/people/{rina.id}"))


def test_new__straight_into_a_group_with_a_role(village, login_as):
    facilitator = login_as("facilitator")
    page = text(facilitator.get("/people/new"))
    assert "Youth forum" in page and "Mothers' group" not in page  # only the facilitator's own groups
    post_new(facilitator, group=str(village.youth.id), role="captain", joined_on="2025-03-02")
    rina = Person.get(Person.name == "Rina Khatun")
    member = GroupMember.get(GroupMember.person == rina)
    assert (member.group_id, member.role, member.joined_on, member.left_on) == (
        village.youth.id, "captain", date(2025, 3, 2), None)
    assert AuditEvent.select().where(AuditEvent.action == "person.joined").count() == 4  # 3 in the fixture
    assert "Captain" in text(facilitator.get(f"/groups/{village.youth.id}/members"))


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Please fill this in."),
    ("name", "x" * 81, "Please use at most 80 characters."),
    ("name", "12 34 !", "A name needs letters."),
    ("sex", None, "Please choose one."),
    ("sex", "unknown", "Please choose one."),
    ("birth_year", "two thousand", "Please give a year in digits, such as 2015."),
    ("birth_year", "1899", "A birth year is between 1900 and"),
    ("birth_year", str(NEXT_YEAR), "A birth year is between 1900 and"),
    ("birth_year", "", "Give the birth year, or an age band when the year is not known."),
    ("age_band", "99-120", "Not a valid choice"),
    ("age_band", "25+", "This age band does not fit the birth year."),
    ("school_status", "dropped", "Not a valid choice"),
    ("guardian", "g" * 81, "Please use at most 80 characters."),
    ("contact", "call Ramesh", "A phone number has digits"),
    ("contact", "9" * 41, "Please use at most 40 characters."),
    ("hamlet", "h" * 81, "Please use at most 80 characters."),
    ("consent_by", "c" * 81, "Please use at most 80 characters."),
    ("consent_by", "", "Say who gave consent, or leave the day empty."),
    ("consent_on", "", "Give the day consent was given."),
    ("consent_on", "1 March", "Please give a date as year-month-day."),
    ("consent_on", TOMORROW.isoformat(), "This date is after today"),
    ("consent_on", "2015-06-01", "This is before the person was born."),
    ("group", "999", "Not a valid choice"),
    ("role", "president", "Not a valid choice"),
    ("joined_on", "2015-13-01", "Please give a date as year-month-day."),
    ("joined_on", "2015-06-01", "This is before the person was born."),
    ("joined_on", TOMORROW.isoformat(), "This date is after today"),
])
def test_new__bad_input_is_refused_beside_its_field_and_nothing_saved(village, login_as, field, value, message):
    coordinator = login_as("coordinator")
    group = str(village.youth.id) if field in ("role", "joined_on") else ""
    before = (Person.select().count(), GroupMember.select().count(), AuditEvent.select().count())
    response = post_new(coordinator, **{"group": group, field: value})
    assert response.status_code == 200
    assert any(error.startswith(message) for error in field_errors(text(response), field)), (
        field_errors(text(response), field))
    assert (Person.select().count(), GroupMember.select().count(),
            AuditEvent.select().count()) == (before[0], before[1], before[2])


def test_new__what_was_typed_is_kept_after_a_refusal(village, login_as):
    coordinator = login_as("coordinator")
    page = text(post_new(coordinator, contact="call Ramesh", hamlet="East para"))
    assert 'value="call Ramesh"' in page and 'value="East para"' in page and 'value="Rina Khatun"' in page


def test_new__a_group_of_someone_else_is_refused_for_a_facilitator(village, login_as):
    facilitator = login_as("facilitator")
    response = post_new(facilitator, group=str(village.mothers.id))
    assert field_errors(text(response), "group") == ["Not a valid choice."]
    assert not Person.select().where(Person.name == "Rina Khatun").exists()


def test_new__an_archived_group_is_not_offered(village, login_as):
    with database.connection_context():
        set_archived(village.youth, True)
    response = post_new(login_as("coordinator"), group=str(village.youth.id))
    assert field_errors(text(response), "group") == ["Not a valid choice."]


# Likely duplicates.

def test_duplicate__warned_before_saving_then_saved_anyway(village, login_as):
    coordinator = login_as("coordinator")
    with database.connection_context():
        existing = consenting("Mohammad Ali", 2014, hamlet="West para")
    response = post_new(coordinator, name="Muhammed Aly", birth_year="2015")
    page = text(response)
    assert response.status_code == 200
    assert "This may be someone already in the register." in page
    assert f'href="/people/{existing.id}">Mohammad Ali</a>' in page and "West para" in page
    assert 'name="save_anyway"' in page and 'value="Muhammed Aly"' in page  # the typed record comes back
    assert not Person.select().where(Person.name == "Muhammed Aly").exists()
    assert seen(page) == str(existing.id)
    response = post_new(coordinator, name="Muhammed Aly", birth_year="2015", save_anyway="y", seen=seen(page))
    assert response.status_code == 302
    assert Person.select().where(Person.name_key == name_key("Mohammad Ali")).count() == 2
    # A second tap on "save anyway" meets the record the first tap saved: warned again, nothing doubled.
    again = post_new(coordinator, name="Muhammed Aly", birth_year="2015", save_anyway="y", seen=seen(page))
    assert again.status_code == 200 and "This may be someone already in the register." in text(again)
    assert Person.select().where(Person.name == "Muhammed Aly").count() == 1


def test_duplicate__save_anyway_without_having_seen_the_warning_warns(village, login_as):
    response = post_new(login_as("coordinator"), name="Aneeta Das", birth_year="2014", save_anyway="y")
    assert "This may be someone already in the register." in text(response)
    assert not Person.select().where(Person.name == "Aneeta Das").exists()


def seen(page):
    """The ids of the likely duplicates a warning showed (sent back by "save anyway")."""
    return re.search(r'name="seen" type="hidden" value="([^"]*)"', page).group(1)


@pytest.mark.parametrize("existing, new, warned", [
    ({"birth_year": 2014}, {"birth_year": "2013"}, True),     # within a year
    ({"birth_year": 2014}, {"birth_year": "2012"}, False),    # two years apart: another child
    ({"birth_year": None, "age_band": "10-14"}, {"birth_year": "", "age_band": "10-14"}, True),
    ({"birth_year": None, "age_band": "10-14"}, {"birth_year": "", "age_band": "6-9"}, False),
    ({"birth_year": None, "age_band": "10-14"}, {"birth_year": str(clock.today().year - 12)}, True),
])
def test_duplicate__needs_a_close_age(village, login_as, existing, new, warned):
    with database.connection_context():
        create_person("Lakshmi Mondal", "female", consent_by="Mother", consent_on=date(2025, 1, 2),
                      save_anyway=True, **existing)
    response = post_new(login_as("coordinator"), name="Laxmi Mondol", **new)
    assert ("This may be someone already in the register." in text(response)) is warned
    assert Person.select().where(Person.name == "Laxmi Mondol").exists() is not warned


def test_duplicate__outside_the_facilitators_groups_is_counted_not_named(village, login_as):
    response = post_new(login_as("facilitator"), name="Babu Seikh", birth_year="2013")
    page = text(response)
    assert "1 more person with a similar name and age is in a group you do not work with" in page
    assert "Babu Sheikh" not in page
    assert not Person.select().where(Person.name == "Babu Seikh").exists()


def test_duplicate__service_raises_and_saves_nothing(app_context, village):
    before = Person.select().count()
    with pytest.raises(LikelyDuplicates) as found:
        create_person("Aneeta Das", "female", 2015)
    assert [person.name for person in found.value.matches] == ["Anita Das"]
    assert Person.select().count() == before


# Search across spellings.

@pytest.mark.parametrize("query, found", [
    ("Laxmi", "Lakshmi Devi"),
    ("lakshmi", "Lakshmi Devi"),
    ("Muhammed", "Mohammad Rafiq"),
    ("mohd", "Mohammad Rafiq"),
    ("Pria", "Priya Sharma"),
    ("Jose", "José Quispe"),
    ("kispe", "José Quispe"),
    ("Seeta", "Sita Murmu"),
    ("Wikram", "Vikram Oraon"),
    ("Jahid", "Zahid Hasan"),
    ("Jesmin", "Yasmin Ara"),
    ("Vik", "Vikram Oraon"),  # the start of a name, typed quickly
])
def test_search__finds_a_name_however_it_is_spelt(village, login_as, query, found):
    with database.connection_context():
        for year, name in enumerate(("Lakshmi Devi", "Mohammad Rafiq", "Priya Sharma", "José Quispe",
                                     "Sita Murmu", "Vikram Oraon", "Zahid Hasan", "Yasmin Ara", "Gita Murmu",
                                     "Rani Bibi"), start=2005):
            consenting(name, year)
    page = text(login_as("case_worker").get("/people", query_string={"q": query}))
    names = re.findall(r'<a href="/people/\d+">([^<]+)</a>', page)
    assert names[0] == found, names
    assert "Rani Bibi" not in names


def test_search__ranks_the_exact_spelling_first(app_context, village):
    for year, name in ((2010, "Muhammed Ali"), (2000, "Mohammad Ali"), (1990, "Mohamad Ali")):
        consenting(name, year)
    coordinator = user("coordinator")
    assert [p.name for p in people_visible_to(coordinator, "Mohammad")][:3] == [
        "Mohammad Ali", "Mohamad Ali", "Muhammed Ali"]
    assert people_visible_to(coordinator, "!!!") == []


def test_search__works_on_rows_without_a_stored_key(app_context, village):
    Person.update(name_key="").where(Person.id == village.anita.id).execute()
    assert [p.name for p in people_visible_to(user("coordinator"), "Aneeta")] == ["Anita Das"]


# Need to know.

def listed(client, path="/people"):
    return re.findall(r'<a href="/people/\d+">([^<]+)</a>', text(client.get(path)))


def test_need_to_know__facilitator_sees_only_their_groups_people(village, login_as):
    facilitator = login_as("facilitator")
    assert listed(facilitator) == ["Anita Das"]
    assert listed(facilitator, "/people?q=babu") == []
    assert facilitator.get(f"/people/{village.anita.id}").status_code == 200
    for path in (f"/people/{village.babu.id}", f"/people/{village.babu.id}/edit", "/people/999",
                 f"/groups/{village.mothers.id}/members"):
        assert facilitator.get(path).status_code == 404, path
    response = facilitator.post(f"/people/{village.babu.id}/edit", data={
        **person_form(name="Changed"), "csrf_token": csrf_token(facilitator)})
    assert response.status_code == 404
    assert Person.get_by_id(village.babu.id).name == "Babu Sheikh"


def test_need_to_know__case_worker_and_coordinator_see_everyone(village, login_as):
    assert listed(login_as("case_worker")) == ["Anita Das", "Babu Sheikh"]
    assert listed(login_as("coordinator")) == ["Anita Das", "Babu Sheikh", "Chitra Roy"]
    assert login_as("case_worker").get(f"/people/{village.babu.id}").status_code == 200


def test_need_to_know__members_may_not_open_the_register(village, login_as):
    member = login_as("member")
    assert member.get("/people").status_code == 403
    assert member.get(f"/people/{village.anita.id}").status_code == 403


def test_need_to_know__a_facilitator_sees_whom_they_added_until_they_join_a_group(village, login_as, app):
    facilitator = login_as("facilitator")
    post_new(facilitator, name="Rina Khatun")
    rina = Person.get(Person.name == "Rina Khatun")
    assert "Rina Khatun" in listed(facilitator)
    with app.app_context(), database.connection_context():
        other = User.get(User.username == "facilitator")
        second = User.create(username="second", display_name="Second", role="facilitator", secret_kind="pin",
                             secret_hash=other.secret_hash, created_at=clock.now(), must_change_secret=False)
        set_groups_of(second, [village.youth.id])
        assert rina not in people_visible_to(second)
        add_member(village.mothers, rina, "member", date(2025, 4, 1))  # now in a group the facilitator is not in
    assert facilitator.get(f"/people/{rina.id}").status_code == 404
    assert "Rina Khatun" not in listed(facilitator)


def test_need_to_know__paging_through_a_long_register(app, village, login_as):
    with app.app_context(), database.connection_context():
        for number in range(60):
            consenting(f"Zara {chr(65 + number // 26)}{chr(65 + number % 26)}", 1980)
    coordinator = login_as("coordinator")
    first = listed(coordinator)
    second = listed(coordinator, "/people?page=2")
    assert len(first) == 50 and len(second) == 13 and not set(first) & set(second)
    assert "Next page" in text(coordinator.get("/people"))


# Consent.

def test_consent__without_it_a_person_is_only_in_the_coordinators_lists(village, login_as, app):
    for role in ("facilitator", "case_worker"):
        client = login_as(role)
        assert "Chitra Roy" not in listed(client)
        assert "Chitra Roy" not in listed(client, "/people?q=chitra")
        assert "Chitra Roy" not in text(client.get(f"/groups/{village.youth.id}/members"))
        assert "Chitra Roy" not in text(client.get(f"/groups/{village.youth.id}/members?q=chitra"))
        assert client.get(f"/people/{village.chitra.id}").status_code == 404
    coordinator = login_as("coordinator")
    assert "Chitra Roy" in listed(coordinator)
    assert "No consent recorded" in text(coordinator.get("/people"))
    assert "No consent recorded" in text(coordinator.get(f"/people/{village.chitra.id}"))
    with app.app_context(), database.connection_context():
        assert [m.person.name for m in current_members(village.youth)] == ["Anita Das"]
        assert [m.person.name for m in current_members(village.youth, viewer=user("facilitator"))] == ["Anita Das"]
        assert [m.person.name for m in current_members(village.youth, viewer=user("coordinator"))] == [
            "Anita Das", "Chitra Roy"]
        assert [m.person.name for m in members_on(village.youth, date(2025, 6, 1))] == ["Anita Das"]


def test_consent__the_one_who_added_them_may_open_the_record_to_complete_it(village, login_as):
    facilitator = login_as("facilitator")
    post_new(facilitator, name="Rina Khatun", consent_by="", consent_on="", group=str(village.youth.id))
    rina = Person.get(Person.name == "Rina Khatun")
    assert "Rina Khatun" not in listed(facilitator)
    assert facilitator.get(f"/people/{rina.id}").status_code == 200
    assert login_as("case_worker").get(f"/people/{rina.id}").status_code == 404
    facilitator.post(f"/people/{rina.id}/edit", data={**person_form(), "csrf_token": csrf_token(facilitator)})
    assert Person.get_by_id(rina.id).consent_by == "Salma Khatun (mother)"
    assert "Rina Khatun" in listed(facilitator)


# Editing.

def test_edit__saves_and_audits_what_changed(village, login_as):
    facilitator = login_as("facilitator")
    page = text(facilitator.get(f"/people/{village.anita.id}/edit"))
    assert 'value="Anita Das"' in page and 'value="North tola"' in page
    response = facilitator.post(f"/people/{village.anita.id}/edit", data={
        **person_form(name="Anita Das", birth_year="2014", hamlet="South tola", school_status="out_of_school"),
        "csrf_token": csrf_token(facilitator)})
    assert response.headers["Location"] == f"/people/{village.anita.id}"
    anita = Person.get_by_id(village.anita.id)
    assert (anita.hamlet, anita.school_status) == ("South tola", "out_of_school")
    event = AuditEvent.get(AuditEvent.action == "person.updated")
    assert event.username == "facilitator" and "hamlet" in event.detail and "school_status" in event.detail


def test_edit__bad_input_changes_nothing(village, login_as):
    coordinator = login_as("coordinator")
    response = coordinator.post(f"/people/{village.anita.id}/edit", data={
        **person_form(name="Anita Das", birth_year="1850"), "csrf_token": csrf_token(coordinator)})
    assert field_errors(text(response), "birth_year")[0].startswith("A birth year is between 1900 and")
    assert Person.get_by_id(village.anita.id).birth_year == 2014
    assert not AuditEvent.select().where(AuditEvent.action == "person.updated").exists()


# Members of a group.

def test_members__lists_current_members_with_role_and_joined_date(village, login_as):
    page = text(login_as("facilitator").get(f"/groups/{village.youth.id}/members"))
    assert "Anita Das" in page and "Member" in page and "joined Jan 3, 2025" in page


def test_members__add_an_existing_person_found_by_search(village, login_as):
    coordinator = login_as("coordinator")
    page = text(coordinator.get(f"/groups/{village.youth.id}/members?q=baboo"))
    assert f'value="{village.babu.id}"' in page and "Babu Sheikh · b. 2013" in page
    assert f'value="{village.anita.id}"' not in page  # already a member
    response = coordinator.post(f"/groups/{village.youth.id}/members", data={
        "q": "baboo", "person": str(village.babu.id), "role": "mentor", "joined_on": "2025-05-01",
        "csrf_token": csrf_token(coordinator)})
    assert response.headers["Location"] == f"/groups/{village.youth.id}/members"
    member = GroupMember.get((GroupMember.person == village.babu.id) & (GroupMember.group == village.youth.id))
    assert (member.role, member.joined_on, member.left_on) == ("mentor", date(2025, 5, 1), None)
    assert AuditEvent.select().where((AuditEvent.action == "person.joined")
                                     & (AuditEvent.username == "coordinator")).count() == 1
    assert "Mentor" in text(coordinator.get(f"/groups/{village.youth.id}/members"))


def test_members__a_double_tap_adds_one_membership(village, login_as):
    coordinator = login_as("coordinator")
    data = {"q": "babu", "person": str(village.babu.id), "role": "member", "joined_on": "2025-05-01",
            "csrf_token": csrf_token(coordinator)}
    assert coordinator.post(f"/groups/{village.youth.id}/members", data=data).status_code == 302
    again = coordinator.post(f"/groups/{village.youth.id}/members", data=data)
    assert field_errors(text(again), "person") == ["Choose a person from the list."]  # no longer one to add
    assert GroupMember.select().where(GroupMember.person == village.babu.id).count() == 2  # mothers' and youth


@pytest.mark.parametrize("data, field, message", [
    ({"person": ""}, "person", "Choose a person from the list."),
    ({"person": "999"}, "person", "Choose a person from the list."),
    ({"role": "boss"}, "role", "Not a valid choice"),
    ({"joined_on": ""}, "joined_on", "Please fill this in."),
    ({"joined_on": "yesterday"}, "joined_on", "Please give a date as year-month-day."),
    ({"joined_on": "2010-01-01"}, "joined_on", "This is before the person was born."),
    ({"joined_on": "1899-12-31"}, "joined_on", "This date is before Jan 1, 1900."),
    ({"joined_on": TOMORROW.isoformat()}, "joined_on", "This date is after today"),
])
def test_members__bad_input_is_refused_and_nothing_saved(village, login_as, data, field, message):
    coordinator = login_as("coordinator")
    before = GroupMember.select().count()
    response = coordinator.post(f"/groups/{village.youth.id}/members", data={
        "q": "babu", "person": str(village.babu.id), "role": "member", "joined_on": "2025-05-01",
        **data, "csrf_token": csrf_token(coordinator)})
    assert response.status_code == 400  # the form again, with what is wrong
    assert any(error.startswith(message) for error in field_errors(text(response), field))
    assert GroupMember.select().count() == before


def test_members__a_facilitator_may_add_only_people_they_may_see(village, login_as):
    facilitator = login_as("facilitator")
    assert "Babu Sheikh" not in text(facilitator.get(f"/groups/{village.youth.id}/members?q=babu"))
    response = facilitator.post(f"/groups/{village.youth.id}/members", data={
        "q": "babu", "person": str(village.babu.id), "role": "member", "joined_on": "2025-05-01",
        "csrf_token": csrf_token(facilitator)})
    assert field_errors(text(response), "person") == ["Choose a person from the list."]
    assert not GroupMember.select().where((GroupMember.person == village.babu.id)
                                          & (GroupMember.group == village.youth.id)).exists()


def test_members__service_refuses_a_second_membership_and_an_archived_group(app_context, village):
    with pytest.raises(PersonError, match="already a member") as refused:
        add_member(village.youth, village.anita, "member", date(2025, 5, 1))
    assert refused.value.field == "person"
    set_archived(village.mothers, True)
    with pytest.raises(PersonError, match="archived"):
        add_member(village.mothers, village.anita, "member", date(2025, 5, 1))


def test_leave__records_the_day_and_keeps_the_membership(village, login_as):
    facilitator = login_as("facilitator")
    member = GroupMember.get(GroupMember.person == village.anita.id)
    page = text(facilitator.get(f"/groups/{village.youth.id}/members?leave={member.id}"))
    assert "Anita Das leaves the group" in page and 'name="left_on"' in page
    response = facilitator.post(f"/groups/{village.youth.id}/members/{member.id}/leave", data={
        "left_on": "2025-09-30", "csrf_token": csrf_token(facilitator)})
    assert response.headers["Location"] == f"/groups/{village.youth.id}/members"
    assert GroupMember.get_by_id(member.id).left_on == date(2025, 9, 30)
    assert AuditEvent.select().where(AuditEvent.action == "person.left").count() == 1
    assert f'href="/people/{village.anita.id}"' not in text(facilitator.get(f"/groups/{village.youth.id}/members"))
    assert facilitator.get(f"/people/{village.anita.id}").status_code == 404  # no longer in their group
    coordinator_view = text(login_as("coordinator").get(f"/people/{village.anita.id}"))
    assert "left Sep 30, 2025" in coordinator_view


@pytest.mark.parametrize("left_on, message", [
    ("", "Please fill this in."),
    ("30/09/2025", "Please give a date as year-month-day."),
    ("2024-12-31", "This is before they joined, on Jan 3, 2025."),
    (TOMORROW.isoformat(), "This date is after today"),
])
def test_leave__bad_dates_refused_beside_the_field(village, login_as, left_on, message):
    facilitator = login_as("facilitator")
    member = GroupMember.get(GroupMember.person == village.anita.id)
    response = facilitator.post(f"/groups/{village.youth.id}/members/{member.id}/leave", data={
        "left_on": left_on, "csrf_token": csrf_token(facilitator)})
    assert response.status_code == 400
    assert field_errors(text(response), "left_on")[0].startswith(message)
    assert GroupMember.get_by_id(member.id).left_on is None


def test_leave__another_groups_member_is_not_found(village, login_as):
    babu = GroupMember.get(GroupMember.person == village.babu.id)
    facilitator = login_as("facilitator")
    for group in (village.youth, village.mothers):
        response = facilitator.post(f"/groups/{group.id}/members/{babu.id}/leave", data={
            "left_on": "2025-09-30", "csrf_token": csrf_token(facilitator)})
        assert response.status_code == 404
    assert GroupMember.get_by_id(babu.id).left_on is None


def test_leave__twice_refused_and_rejoining_after_leaving(app_context, village):
    member = GroupMember.get(GroupMember.person == village.anita.id)
    leave_group(member, date(2025, 6, 30))
    with pytest.raises(PersonError, match="already left"):
        leave_group(member, date(2025, 7, 1))
    with pytest.raises(PersonError, match="cannot have joined again before") as refused:
        add_member(village.youth, village.anita, "member", date(2025, 6, 1))
    assert refused.value.field == "joined_on"
    again = add_member(village.youth, village.anita, "chair", date(2025, 8, 1))
    assert [m.id for m in current_members(village.youth)] == [again.id]
    assert [m.id for m in members_on(village.youth, date(2025, 6, 15))] == [member.id]
    assert members_on(village.youth, date(2025, 7, 15)) == []


def test_group_members_partial__names_roles_and_links(app, village):
    with app.test_request_context(), database.connection_context():
        g.user = user("coordinator")
        members = current_members(village.youth, viewer=g.user)
        page = render_template("hub/people/_group_members.html", group=village.youth, members=members)
        assert f'<a href="/people/{village.anita.id}">Anita Das</a>' in page
        assert "Chitra Roy" in page and "Member" in page
        assert f'href="/groups/{village.youth.id}/members"' in page
        g.user = user("member")
        page = render_template("hub/people/_group_members.html", group=village.youth,
                               members=current_members(village.youth, viewer=g.user))
        assert "Anita Das" in page and "/people/" not in page and "Chitra Roy" not in page


# Untrusted text: every text field of a person, then every page that shows it.

PAYLOADS = [line for line in (Path(__file__).parent / "data" / "xss.txt").read_text().splitlines() if line]


def test_xss__payloads_through_every_field_and_every_page(village, login_as, app):
    coordinator = login_as("coordinator")
    token = csrf_token(coordinator)
    group = village.youth.id
    saved = []
    for payload in PAYLOADS:
        typed = {"name": payload[:80], "guardian": payload[:80], "hamlet": payload[:80], "consent_by": payload[:80]}
        refused = coordinator.post("/people/new", data={
            **person_form(**typed, contact=payload[:40], group=str(group)), "csrf_token": token})
        assert executable_markup(refused.get_data(as_text=True)) == [], payload
        response = coordinator.post("/people/new", data={**person_form(**typed, group=str(group)), "csrf_token": token})
        if 'name="seen"' in response.get_data(as_text=True):  # like an earlier payload: save anyway
            assert executable_markup(response.get_data(as_text=True)) == [], payload
            response = coordinator.post("/people/new", data={
                **person_form(**typed, group=str(group), save_anyway="y", seen=seen(text(response))),
                "csrf_token": token})
        page = response.get_data(as_text=True)
        assert executable_markup(page) == [], payload
        if response.status_code != 302:
            assert "A name needs letters." in html.unescape(page), payload
            continue
        person_id = int(response.headers["Location"].rsplit("/", 1)[1])
        saved.append(person_id)
        shown = str(escape(" ".join(payload[:80].split())))
        for path in (f"/people/{person_id}", f"/people/{person_id}/edit"):
            page = coordinator.get(path).get_data(as_text=True)
            assert shown in page, (payload, path)  # saved, and shown escaped
            assert executable_markup(page) == [], (payload, path)
        for path in ("/people", f"/groups/{group}/members"):
            page = coordinator.get(path, query_string={"q": payload[:80]}).get_data(as_text=True)
            assert executable_markup(page) == [], (payload, path)
        # The same record again: the likely-duplicate warning shows the first one.
        warning = coordinator.post("/people/new", data={**person_form(**typed), "csrf_token": token})
        assert executable_markup(warning.get_data(as_text=True)) == [], payload
    assert len(saved) >= 40
    member = GroupMember.get(GroupMember.person == saved[0])
    for path in ("/people", "/people?page=2", f"/groups/{group}/members", f"/groups/{group}/members?q=a",
                 f"/groups/{group}/members?leave={member.id}"):
        page = coordinator.get(path).get_data(as_text=True)
        assert executable_markup(page) == [], path
    with app.test_request_context(), database.connection_context():
        g.user = user("coordinator")
        page = render_template("hub/people/_group_members.html", group=village.youth,
                               members=current_members(village.youth, viewer=g.user))
        assert page.count("<li>") >= 40 and executable_markup(page) == []
