"""School status: a child recorded out of school keeps the people register's school status in step, outreach
visits, re-enrolment, bad input refused with nothing saved, need to know for every role, a school protection
committee's view of its pupils, the counts the monthly summary reads, the vulnerability map, untrusted text
through every field and page, and the demo village."""

import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
from markupsafe import escape

from hub.audit.models import AuditEvent
from hub.cases.models import Case
from hub.db import database
from hub.groups.models import AccountGroup, Group
from hub.migration.models import Departure
from hub.people.models import IN_SCHOOL, OUT_OF_SCHOOL, UNKNOWN, GroupMember, Person
from hub.schools.models import Dropout, OutreachVisit
from hub.schools.service import (
    SchoolError,
    record_dropout,
    reenrol,
    school_counts,
)
from hub.schools.vulnerability import hamlet_bars, hamlet_counts
from tests.conftest import csrf_token
from tests.factories import account, make_group, make_meeting, make_person
from tests.markup import executable_markup
from tests.pages import field_errors

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 30)
PAYLOADS = [line for line in (Path(__file__).parent / "data" / "xss.txt").read_text().splitlines() if line]


pytestmark = pytest.mark.usefixtures("fixed_clock")  # hub.clock pinned to TODAY and NOW




def join(user, group):
    AccountGroup.create(user=user, group=group)


@pytest.fixture
def village(app):
    """The facilitator's children's group with Sita (12, in school), and Raju (14) of another group."""
    with app.app_context(), database.connection_context():
        group = make_group(name="Children's group")
        join(account("facilitator"), group)
        sita = make_person(group, name="Sita Kumari", sex="female", birth_year=2014, hamlet="Market",
                           school_status=IN_SCHOOL)
        other = make_person(make_group(name="Other group"), name="Raju Das", sex="male", birth_year=2012,
                            hamlet="River side", school_status=IN_SCHOOL)
    return {"group": group, "sita": sita, "other": other}


def post(client, url, page=None, **data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page or "/school/new")})


def dropout_form(person, **overrides):
    values = {"child": str(person.id), "left_on": "2026-10-01", "reason": "work", "details": "", "school": "Primary"}
    values.update(overrides)
    return values


def actions():
    return [event.action for event in AuditEvent.select().order_by(AuditEvent.id)]


# Recording a child out of school.

def test_record__saves_sets_the_register_status_and_audits(village, login_as):
    facilitator = login_as("facilitator")
    response = post(facilitator, "/school/new", **dropout_form(village["sita"]))
    dropout = Dropout.get()
    assert response.status_code == 302 and response.headers["Location"] == f"/school/{dropout.id}"
    assert (dropout.child_id, dropout.left_on, dropout.reason, dropout.school) == (
        village["sita"].id, date(2026, 10, 1), "work", "Primary")
    assert dropout.created_by_id == account("facilitator").id and dropout.created_at == NOW
    assert Person.get_by_id(village["sita"].id).school_status == OUT_OF_SCHOOL
    assert actions()[-2:] == ["person.updated", "school.dropout_recorded"]
    page = facilitator.get(f"/school/{dropout.id}").get_data(as_text=True)
    assert "Sita Kumari" in page and "Work" in page
    assert "Sita Kumari" in facilitator.get("/school").get_data(as_text=True)


def test_new__finds_only_children_the_account_may_see(village, login_as):
    make_person(village["group"], name="Sita Devi", birth_year=1990)  # an adult of the group: not offered
    page = login_as("facilitator").get("/school/new?q=sita").get_data(as_text=True)
    assert "Sita Kumari" in page and "Sita Devi" not in page
    assert "Raju" not in login_as("facilitator").get("/school/new?q=raju").get_data(as_text=True)
    assert "Raju Das" in login_as("case_worker").get("/school/new?q=raju").get_data(as_text=True)


BAD_DROPOUTS = [
    ({"left_on": "2026-11-23"}, "left_on", "This date is after today (Nov 22, 2026 on the hub's clock)."),
    ({"left_on": ""}, "left_on", "Please fill this in."),
    ({"left_on": "1st October"}, "left_on", "Please give a date as year-month-day."),
    ({"reason": ""}, "reason", "Choose a reason from the list."),
    ({"reason": "laziness"}, "reason", "Choose a reason from the list."),
    ({"reason": "other", "details": "  "}, "details", "Please fill this in."),
    ({"child": ""}, "child", "Choose a child from the list."),
    ({"child": "9999"}, "child", "Choose a child from the list."),
    ({"school": "x" * 121}, "school", "Please use at most 120 characters."),
]


@pytest.mark.parametrize("overrides, field, message", BAD_DROPOUTS)
def test_record__bad_input_is_refused_and_nothing_saved(village, login_as, overrides, field, message):
    facilitator = login_as("facilitator")
    before = len(actions())
    response = post(facilitator, "/school/new", **dropout_form(village["sita"], **overrides))
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), field) == [message]
    assert Dropout.select().count() == 0 and len(actions()) == before
    assert Person.get_by_id(village["sita"].id).school_status == IN_SCHOOL


def test_record__an_adult_is_refused(village, login_as):
    adult = make_person(village["group"], name="Kamala", birth_year=2000)
    turned_18 = make_person(village["group"], name="Lalita", birth_year=2008)  # 18 this year, 17 in 2025
    response = post(login_as("case_worker"), "/school/new", **dropout_form(adult))
    assert field_errors(response.get_data(as_text=True), "child") == [
        "Kamala was not a child on that day: this register is for children under 18."]
    assert Dropout.select().count() == 0
    assert post(login_as("case_worker"), "/school/new",
                **dropout_form(turned_18, left_on="2025-06-01")).status_code == 302  # a child on that day


def test_record__a_child_of_another_group_is_unknown_to_a_facilitator(village, login_as):
    response = post(login_as("facilitator"), "/school/new", **dropout_form(village["other"]))
    assert field_errors(response.get_data(as_text=True), "child") == ["Choose a child from the list."]
    assert Dropout.select().count() == 0


def test_record__once_at_a_time_and_not_before_the_last_return(village, app_context):
    user, sita = account("case_worker"), village["sita"]
    first = record_dropout(user, sita.id, date(2026, 3, 1), "cost")
    with pytest.raises(SchoolError, match="already recorded out of school since Mar 1, 2026"):
        record_dropout(user, sita.id, date(2026, 4, 1), "work")
    reenrol(user, first, date(2026, 6, 1), "Primary")
    with pytest.raises(SchoolError, match="went back to school on Jun 1, 2026") as refused:
        record_dropout(user, sita.id, date(2026, 5, 1), "work")
    assert refused.value.field == "left_on"
    again = record_dropout(user, sita.id, date(2026, 9, 1), "work")
    assert Dropout.select().count() == 2 and Person.get_by_id(sita.id).school_status == OUT_OF_SCHOOL
    assert again.is_open and not Dropout.get_by_id(first.id).is_open


# Outreach visits and re-enrolment.

@pytest.fixture
def sita_out(app, village):
    with app.app_context():
        return record_dropout(account("facilitator"), village["sita"].id, date(2026, 10, 1), "caring_for_siblings")


def test_visit__recorded_and_shown(sita_out, login_as):
    facilitator = login_as("facilitator")
    url = f"/school/{sita_out.id}"
    response = post(facilitator, f"{url}/visits", page=url, visited_on="2026-11-20", visited_by="Meena, Ravi",
                    result="Met the mother", next_step="Talk to the teacher")
    assert response.status_code == 302
    visit = OutreachVisit.get()
    assert (visit.dropout_id, visit.visited_on, visit.visited_by, visit.result, visit.next_step) == (
        sita_out.id, date(2026, 11, 20), "Meena, Ravi", "Met the mother", "Talk to the teacher")
    assert actions()[-1] == "school.visit_added"
    page = facilitator.get(url).get_data(as_text=True)
    assert "Met the mother" in page and "Talk to the teacher" in page


BAD_VISITS = [
    ({"visited_on": "2026-11-23"}, "visited_on", "This date is after today (Nov 22, 2026 on the hub's clock)."),
    ({"visited_on": "2026-09-30"}, "visited_on", "This is before the child left school, on Oct 1, 2026."),
    ({"visited_by": " "}, "visited_by", "Please fill this in."),
    ({"result": ""}, "result", "Please fill this in."),
]


@pytest.mark.parametrize("overrides, field, message", BAD_VISITS)
def test_visit__bad_input_is_refused_and_nothing_saved(sita_out, login_as, overrides, field, message):
    url, facilitator = f"/school/{sita_out.id}", login_as("facilitator")
    before = len(actions())
    values = {"visited_on": "2026-11-20", "visited_by": "Meena", "result": "Met her", **overrides}
    response = post(facilitator, f"{url}/visits", page=url, **values)
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), field) == [message]
    assert OutreachVisit.select().count() == 0 and len(actions()) == before


def test_reenrol__sets_in_school_and_audits(sita_out, login_as):
    facilitator = login_as("facilitator")
    url = f"/school/{sita_out.id}"
    response = post(facilitator, f"{url}/reenrol", page=url, reenrolled_on="2026-11-15",
                    reenrolled_school="Government primary school")
    assert response.status_code == 302
    dropout = Dropout.get_by_id(sita_out.id)
    assert (dropout.reenrolled_on, dropout.reenrolled_school) == (date(2026, 11, 15), "Government primary school")
    assert Person.get_by_id(sita_out.child_id).school_status == IN_SCHOOL
    assert actions()[-2:] == ["person.updated", "school.reenrolled"]
    assert "Sita Kumari" in facilitator.get("/school?show=back").get_data(as_text=True)
    assert "Sita Kumari" not in facilitator.get("/school").get_data(as_text=True)


BAD_RETURNS = [
    ({"reenrolled_on": "2026-09-30"}, "reenrolled_on", "This is before the child left school, on Oct 1, 2026."),
    ({"reenrolled_on": "2026-11-23"}, "reenrolled_on", "This date is after today (Nov 22, 2026 on the hub's clock)."),
    ({"reenrolled_on": ""}, "reenrolled_on", "Please fill this in."),
    ({"reenrolled_school": ""}, "reenrolled_school", "Please fill this in."),
]


@pytest.mark.parametrize("overrides, field, message", BAD_RETURNS)
def test_reenrol__bad_input_is_refused_and_nothing_saved(sita_out, login_as, overrides, field, message):
    url, facilitator = f"/school/{sita_out.id}", login_as("facilitator")
    before = len(actions())
    values = {"reenrolled_on": "2026-11-15", "reenrolled_school": "Primary", **overrides}
    response = post(facilitator, f"{url}/reenrol", page=url, **values)
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), field) == [message]
    dropout = Dropout.get_by_id(sita_out.id)
    assert dropout.reenrolled_on is None and dropout.reenrolled_school == "" and len(actions()) == before
    assert Person.get_by_id(sita_out.child_id).school_status == OUT_OF_SCHOOL


def test_reenrol__twice_is_refused(sita_out, app_context):
    reenrol(account("case_worker"), sita_out, date(2026, 11, 1), "Primary")
    with pytest.raises(SchoolError, match="already went back to school on Nov 1, 2026"):
        reenrol(account("case_worker"), sita_out, date(2026, 11, 2), "High school")
    assert Dropout.get_by_id(sita_out.id).reenrolled_school == "Primary"


# Need to know, per role.

ROLE_SEES = {"coordinator": True, "case_worker": True, "facilitator": True, "member": None}


@pytest.mark.parametrize("role", sorted(ROLE_SEES))
def test_access__a_record_per_role(app, village, login_as, role):
    with app.app_context():
        mine = record_dropout(account("case_worker"), village["sita"].id, date(2026, 10, 1), "work")
        theirs = record_dropout(account("case_worker"), village["other"].id, date(2026, 10, 2), "cost")
    client = login_as(role)
    if role == "member":
        for url in ("/school", f"/school/{mine.id}", "/school/new", "/school/map"):
            assert client.get(url).status_code == 403
        response = post(client, f"/school/{mine.id}/visits", page="/", visited_on="2026-11-20",
                        visited_by="Meena", result="Met")
        assert response.status_code == 403 and OutreachVisit.select().count() == 0
        return
    assert client.get(f"/school/{mine.id}").status_code == 200
    listed = client.get("/school").get_data(as_text=True)
    assert "Sita Kumari" in listed
    other_status = 200 if role != "facilitator" else 404
    assert client.get(f"/school/{theirs.id}").status_code == other_status
    assert ("Raju Das" in listed) == (role != "facilitator")
    # A facilitator cannot record a visit, or a return, for a child outside her groups.
    response = post(client, f"/school/{theirs.id}/reenrol", page="/school", reenrolled_on="2026-11-20",
                    reenrolled_school="Primary")
    assert response.status_code == (302 if role != "facilitator" else 404)
    assert (Dropout.get_by_id(theirs.id).reenrolled_on is None) == (role == "facilitator")


@pytest.fixture
def committee(app, village):
    with app.app_context():
        group = make_group(name="School committee", kind=Group.SCHOOL_COMMITTEE)
        make_person(group, name="Chair Anil", sex="male", birth_year=1980)  # an adult member: not a pupil
        GroupMember.create(group=group, person=village["sita"], joined_on=date(2026, 1, 5))
        GroupMember.create(group=group, person=village["other"], joined_on=date(2026, 1, 5))
        record_dropout(account("case_worker"), village["other"].id, date(2026, 10, 2), "distance")
    return group


def test_committee__its_members_see_its_pupils_with_their_status(committee, login_as):
    member = login_as("member")
    assert member.get(f"/school/committees/{committee.id}").status_code == 404  # not in it yet
    assert "School status" not in member.get("/").get_data(as_text=True)
    join(account("member"), committee)
    assert "School status" in member.get("/").get_data(as_text=True)
    response = member.get("/school/committees")
    assert response.status_code == 302 and response.headers["Location"] == f"/school/committees/{committee.id}"
    page = member.get(f"/school/committees/{committee.id}").get_data(as_text=True)
    assert "Sita Kumari" in page and "Raju Das" in page and "Chair Anil" not in page
    assert "Out of school" in page and "Distance to school" in page and "In school" in page
    assert "2 children, 1 of them out of school." in page
    assert "/school/1" not in page  # members see the committee's view, not the records


def test_committee__staff_see_every_committee_a_facilitator_only_hers(committee, login_as):
    for role in ("coordinator", "case_worker"):
        assert login_as(role).get(f"/school/committees/{committee.id}").status_code == 200
    facilitator = login_as("facilitator")
    assert facilitator.get(f"/school/committees/{committee.id}").status_code == 404
    assert facilitator.get(f"/school/{Dropout.get().id}").status_code == 404  # Raju: not in her groups
    join(account("facilitator"), committee)
    page = facilitator.get(f"/school/committees/{committee.id}").get_data(as_text=True)
    # The committee is one of her groups now: its pupils are hers to know, as in the people register.
    assert "Raju Das" in page and f"/school/{Dropout.get().id}" in page
    assert facilitator.get(f"/school/{Dropout.get().id}").status_code == 200


def test_committee__an_ordinary_group_is_not_a_committee(village, login_as):
    assert login_as("coordinator").get(f"/school/committees/{village['group'].id}").status_code == 404


# The counts the monthly summary reads.

def test_school_counts__out_at_the_end_newly_out_and_reenrolled_by_sex_and_band(village, app_context):
    user = account("coordinator")
    boy = make_person(name="Amit", sex="male", birth_year=2010)           # 16: 15-17
    girl = make_person(name="Rina", sex="female", birth_year=None, age_band="6-9")
    archived = make_person(name="Gone", sex="male", birth_year=2012, archived=True)
    record_dropout(user, boy.id, date(2026, 9, 15), "work")                         # before, still out
    back = record_dropout(user, village["sita"].id, date(2026, 10, 5), "illness")   # out in October ...
    reenrol(user, back, date(2026, 11, 3), "Primary")                               # ... back in November
    record_dropout(user, girl.id, date(2026, 11, 10), "distance")                   # newly out in November
    Dropout.create(child=archived, left_on=date(2026, 11, 1), reason="work", created_at=NOW)
    november = school_counts(date(2026, 11, 1), date(2026, 11, 30))
    assert november["out_of_school"] == {
        "total": 2, "by_sex": {"female": 1, "male": 1, "other": 0},
        "by_age_band": {"0-5": 0, "6-9": 1, "10-14": 0, "15-17": 1, "18-24": 0, "25+": 0}}
    assert november["newly_out"]["total"] == 1 and november["newly_out"]["by_sex"]["female"] == 1
    assert november["reenrolled"]["total"] == 1 and november["reenrolled"]["by_age_band"]["10-14"] == 1
    october = school_counts(date(2026, 10, 1), date(2026, 10, 31))
    assert [october[key]["total"] for key in ("out_of_school", "newly_out", "reenrolled")] == [2, 1, 0]
    assert october["out_of_school"]["by_sex"] == {"female": 1, "male": 1, "other": 0}
    # The day of re-enrolment is in the period that holds it; one day is a period.
    assert school_counts(date(2026, 11, 3), date(2026, 11, 3))["reenrolled"]["total"] == 1
    assert school_counts(date(2026, 11, 2), date(2026, 11, 2))["out_of_school"]["total"] == 2
    assert school_counts(date(2025, 1, 1), date(2025, 12, 31))["out_of_school"]["total"] == 0
    with pytest.raises(ValueError):
        school_counts(date(2026, 11, 30), date(2026, 11, 1))


def test_school_counts__reads_only(village, app_context):
    record_dropout(account("coordinator"), village["sita"].id, date(2026, 10, 5), "illness")
    before = (len(actions()), Dropout.select().count())
    school_counts(date(2026, 1, 1), date(2026, 12, 31))
    assert (len(actions()), Dropout.select().count()) == before


# The vulnerability map.

def test_map__counts_by_hamlet_and_no_names(app, village, login_as):
    context = app.app_context()
    context.push()
    user = account("coordinator")
    record_dropout(user, village["sita"].id, date(2026, 10, 5), "work")           # Market
    record_dropout(user, village["other"].id, date(2026, 10, 5), "cost")          # River side
    market = make_person(village["group"], name="Kavita", hamlet=" market ", birth_year=2015)  # same hamlet
    make_person(name="Nobody", hamlet="", birth_year=2016, school_status=UNKNOWN)
    Case.create(category="neglect", child=market, reported_at=NOW)
    Case.create(category="child_labour", child=village["sita"], reported_at=NOW)
    Case.create(category="child_labour", child=village["sita"], reported_at=NOW, status="closed")
    Case.create(category="trafficking", reported_at=NOW)  # no child of the register: in no hamlet
    committee = make_group(name="Vigilance", kind=Group.VIGILANCE_COMMITTEE)
    Departure.create(committee=committee, name="Boy", age=15, hamlet="MARKET", left_on=date(2026, 9, 1),
                     destination="Delhi", purpose="work", created_at=NOW)
    Departure.create(committee=committee, name="Man", age=30, hamlet="Market", left_on=date(2026, 9, 1),
                     destination="Delhi", purpose="work", created_at=NOW)
    Departure.create(committee=committee, person=village["other"], name="Raju Das", age=14,
                     left_on=date(2026, 9, 1), destination="Surat", purpose="work", created_at=NOW)
    brother = make_person(village["group"], name="Brother", hamlet="Market", guardian="Lata", contact="98765",
                          birth_year=2016)
    sister = make_person(village["group"], name="Sister", hamlet="Market", guardian=" lata ", contact="9 87 65",
                         birth_year=2013)
    make_meeting(village["group"], datetime(2026, 10, 1, 10), attendance={
        brother: "present", sister: "present", village["sita"]: "present", market: "absent"})
    make_meeting(village["group"], datetime(2025, 10, 1, 10), attendance={market: "present"})  # over a year ago
    hamlets, unplaced = hamlet_counts()
    assert [row.label for row in hamlets] == ["Market", "River side", ""]
    by_label = {row.label: row for row in hamlets}
    assert (by_label["Market"].out_of_school, by_label["Market"].minors_away, by_label["Market"].households) == (
        1, 1, 2)  # Brother and Sister share a guardian: one household; Sita's is another
    assert by_label["Market"].concerns == {"neglect": 1, "child_labour": 1} and by_label["Market"].open_concerns == 2
    assert (by_label["River side"].out_of_school, by_label["River side"].minors_away) == (1, 1)
    assert by_label[""].out_of_school == 0 and unplaced == 1
    bars, chart = hamlet_bars(hamlets, "open_concerns")
    assert [(bar.label, bar.value) for bar in bars] == [("Market", 2), ("River side", 0), ("", 0)]
    assert bars[0].width > 0 and bars[1].width == 0 and chart["height"] == 3 * chart["row"]
    context.pop()

    for role in ("coordinator", "case_worker", "facilitator"):
        response = login_as(role).get("/school/map?measure=minors_away")
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "<svg" in page and "River side" in page
        assert not any(name in page for name in ("Sita", "Raju", "Kavita", "Brother", "Lata"))
    assert login_as("member").get("/school/map").status_code == 403


def test_map__an_empty_village(app, login_as):
    with app.app_context():
        hamlets, unplaced = hamlet_counts()
    assert hamlets == [] and unplaced == 0
    assert hamlet_bars([], "households")[0] == []
    assert login_as("coordinator").get("/school/map?measure=nonsense").status_code == 200


# Untrusted text.

def test_payloads__through_every_text_field_and_every_page(app, village, login_as):
    worker = login_as("case_worker")
    with app.app_context():
        committee = make_group(name="School committee", kind=Group.SCHOOL_COMMITTEE)
    for index, payload in enumerate(PAYLOADS):
        child = make_person(committee, name=f"Child {index}", hamlet=payload[:80], birth_year=2014)
        response = post(worker, "/school/new", **dropout_form(child, reason="other", details=payload[:500],
                                                              school=payload[:120]))
        assert response.status_code == 302, payload
        dropout = Dropout.select().order_by(Dropout.id.desc()).get()
        url = f"/school/{dropout.id}"
        post(worker, f"{url}/visits", page=url, visited_on="2026-11-20", visited_by=payload[:120] or "x",
             result=payload[:500] + " met", next_step=payload[:500])
        pages = {"record": worker.get(url), "list": worker.get("/school"), "map": worker.get("/school/map"),
                 "committee": worker.get(f"/school/committees/{committee.id}"),
                 "refused": post(worker, f"{url}/reenrol", page=url, reenrolled_on="2026-01-01",
                                 reenrolled_school=payload[:120])}
        post(worker, f"{url}/reenrol", page=url, reenrolled_on="2026-11-21", reenrolled_school=payload[:120] or "x")
        pages.update({"back": worker.get(url), "back list": worker.get("/school?show=back")})
        for name, response in pages.items():
            assert response.status_code == 200, (name, payload)
            assert executable_markup(response.get_data(as_text=True)) == [], (name, payload)
        assert str(escape(" ".join(payload[:500].split()))) in pages["record"].get_data(as_text=True), payload


def test_audit__every_action_has_a_label():
    from hub.audit.service import ACTIONS

    assert {"school.dropout_recorded", "school.visit_added", "school.reenrolled"} <= set(ACTIONS)


# The demo village.

def test_demo__children_out_of_school_with_visits_and_three_back(tmp_path, demo_village):
    data_dir = demo_village(1, tmp_path / "instance")
    conn = sqlite3.connect(data_dir / "hub.sqlite3")
    try:
        records = conn.execute("SELECT d.id, d.reenrolled_on, p.school_status FROM school_dropout d "
                               "JOIN person p ON p.id = d.child_id").fetchall()
        visits = conn.execute("SELECT COUNT(DISTINCT dropout_id) FROM outreach_visit").fetchone()[0]
        pupils = conn.execute("SELECT COUNT(*) FROM group_member m JOIN community_group g ON g.id = m.group_id "
                              "WHERE g.kind = 'school_committee'").fetchone()[0]
    finally:
        conn.close()
    assert len(records) >= 8 and visits == len(records) and pupils > len(records)
    assert sum(1 for _, back, _ in records if back) == 3
    assert all(status == ("in_school" if back else "out_of_school") for _, back, status in records)
