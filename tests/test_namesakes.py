"""Namesakes: two children or two women with one name are told apart wherever they are listed (the roster,
the printed sheet, the paper entry, "Absent:", members, savings) or chosen (every person and member picker),
and registering a third warns, offering to open the records already there."""

import html
import re
from datetime import date, datetime

import pytest

from hub.auth.models import User
from hub.groups.models import Group
from hub.groups.service import set_groups_of
from hub.people.models import GroupMember
from hub.savings.cycles import create_cycle
from tests.conftest import csrf_token
from tests.factories import make_group, make_meeting, make_person

TODAY = date(2026, 11, 22)


NOW = datetime(2026, 11, 22, 9)
pytestmark = pytest.mark.usefixtures("fixed_clock")  # hub.clock pinned to TODAY and NOW


@pytest.fixture
def village(app):
    """A group with two Ajay Das (and one Babu), a session today, and a mothers' group with two Shabnam Das."""
    with app.app_context():
        group = make_group(name="Older children")
        set_groups_of(User.get(User.username == "facilitator"), [group.id])
        older = make_person(group, name="Ajay Das", birth_year=2012, hamlet="Char Para", guardian="Sunita Das")
        younger = make_person(group, name="Ajay  das", birth_year=2015, hamlet="Ghat Para")
        babu = make_person(group, name="Babu", birth_year=2013, hamlet="Char Para")
        meeting = make_meeting(group, datetime(2026, 11, 22, 16), status="planned")
        mothers = make_group(name="Mothers", kind=Group.MOTHERS_GROUP)
        shabnams = [make_person(name="Shabnam Das", birth_year=year, hamlet=hamlet)
                    for year, hamlet in ((1990, "Char Para"), (1996, "Ghat Para"))]
        for person in shabnams:
            GroupMember.create(group=mothers, person=person, joined_on=date(2026, 1, 5))
        cycle = create_cycle(mothers, "Savings 2026", date(2026, 1, 10), date(2026, 12, 20), "50", "10", "2")
    return {"older": older, "younger": younger, "babu": babu, "meeting": meeting, "shabnams": shabnams,
            "cycle": cycle}


def page(client, path):
    return html.unescape(client.get(path).get_data(as_text=True))


def test_roster_sheet_and_paper_tell_the_two_ajays_apart(village, login_as):
    facilitator = login_as("facilitator")
    older, younger = village["older"], village["younger"]
    meeting = village["meeting"].id
    for path in (f"/sessions/{meeting}/roster", f"/sessions/{meeting}/sheet", f"/sessions/{meeting}/paper"):
        shown = page(facilitator, path)
        assert f"b. 2012 · Char Para · guardian Sunita Das · No. {older.id}" in shown, path
        assert f"b. 2015 · Ghat Para · No. {younger.id}" in shown, path
        assert "b. 2013" not in shown, path  # Babu's name is his alone: no detail needed


def test_absent_names_the_right_ajay(village, login_as):
    facilitator = login_as("facilitator")
    meeting = village["meeting"].id
    path = f"/sessions/{meeting}/roster"
    facilitator.post(path, data={"p": [str(village["older"].id), str(village["babu"].id)],
                                 "csrf_token": csrf_token(facilitator, path)})
    shown = page(facilitator, f"/sessions/{meeting}")
    absent = re.search(r"Absent: 1 <span class=\"hint\">([^<]*)</span>", shown).group(1)
    assert absent == f"Ajay  das (b. 2015 · Ghat Para · No. {village['younger'].id})"


def test_pickers_show_what_tells_people_apart(village, login_as):
    coordinator = login_as("coordinator")
    older, younger = village["older"], village["younger"]
    group = GroupMember.get(GroupMember.person == village["babu"]).group_id
    for path in ("/concerns/new?q=ajay", "/school/new?q=ajay"):
        options = re.findall(r"<option[^>]*>([^<]*)</option>", page(coordinator, path))
        assert f"Ajay Das · b. 2012 · Char Para · guardian Sunita Das · No. {older.id}" in options, path
        assert f"Ajay  das · b. 2015 · Ghat Para · No. {younger.id}" in options, path
    members = page(coordinator, f"/groups/{group}/members?q=shabnam")
    for person in village["shabnams"]:
        assert f"Shabnam Das · b. {person.birth_year} · {person.hamlet} · No. {person.id}" in members
    entry = page(coordinator, f"/savings/{village['cycle'].id}/entries/new")
    options = re.findall(r"<option[^>]*>([^<]*)</option>", entry)
    for person in village["shabnams"]:
        assert f"Shabnam Das · b. {person.birth_year} · {person.hamlet} · No. {person.id}" in options


def test_savings_lists_tell_the_two_shabnams_apart(village, login_as):
    coordinator = login_as("coordinator")
    cycle = village["cycle"].id
    for path in (f"/savings/{cycle}", f"/savings/{cycle}/members", f"/savings/{cycle}/meetings/new"):
        shown = page(coordinator, path)
        for person in village["shabnams"]:
            assert f"b. {person.birth_year} · {person.hamlet} · No. {person.id}" in shown, path


def test_registering_a_namesake_of_a_similar_age_warns_and_offers_the_record(village, login_as):
    coordinator = login_as("coordinator")
    response = coordinator.post("/people/new", data={
        "name": "Ajay Das", "sex": "male", "birth_year": "2012", "age_band": "", "school_status": "unknown",
        "consent_by": "mother", "consent_on": "2026-11-20", "group": "", "role": "member", "joined_on": "2026-11-22",
        "csrf_token": csrf_token(coordinator, "/people/new")})
    shown = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "This may be someone already in the register." in shown
    assert f'<a href="/people/{village["older"].id}">Ajay Das</a> · b. 2012 · Char Para' in shown


def test_every_picker_leaves_out_archived_people(village, login_as):
    coordinator = login_as("coordinator")
    with_archived = make_person(name="Ajay Das", birth_year=2013, archived=True)
    group = GroupMember.get(GroupMember.person == village["babu"]).group_id
    for path in ("/concerns/new?q=ajay", "/school/new?q=ajay", f"/groups/{group}/members?q=ajay"):
        shown = page(coordinator, path)
        assert f'value="{village["older"].id}"' in shown or "/groups/" in path, path  # the search works
        assert f'value="{with_archived.id}"' not in shown, path
