"""Attendance: the roster saved whole in one POST, guests by sex and age band, bad input refused with nothing
saved, double submits, the audit of changes after the day, the paper sheet and its entry, the page budget."""

import html
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from hub import clock
from hub.audit.models import AuditEvent
from hub.auth.models import User
from hub.db import database
from hub.groups.service import set_groups_of
from hub.people.models import GroupMember
from hub.sessions.models import Attendance, GuestCount, Meeting
from tests.conftest import csrf_token
from tests.factories import make_group, make_meeting, make_person

TODAY = date(2026, 11, 22)
ROSTER_BUDGET = 15 * 1024


@pytest.fixture
def today(monkeypatch):
    """Move the hub's clock: today(date) sets the day the hub believes it is."""
    def move(day):
        monkeypatch.setattr(clock, "today", lambda: day)
        monkeypatch.setattr(clock, "now", lambda: datetime.combine(day, datetime.min.time()).replace(hour=9))
    move(TODAY)
    return move


@pytest.fixture
def session(app, today):
    """A planned session today of a group of four children on the roster, and people who are not on it."""
    with app.app_context():
        group = make_group(name="Older children")
        other = make_group(name="Little ones")
        set_groups_of(User.get(User.username == "facilitator"), [group.id])
        children = [make_person(group, name=name) for name in ("Anita", "Babu", "Chitra", "Dev")]
        make_person(group, name="No Consent", consent_by="")
        make_person(group, name="Archived Child", archived=True)
        left = make_person(group, name="Moved Away")
        GroupMember.update(left_on=date(2026, 6, 1)).where(GroupMember.person == left).execute()
        stranger = make_person(other, name="Elsewhere")
        meeting = make_meeting(group, datetime(2026, 11, 22, 16), status="planned")
    return {"meeting": meeting, "children": children, "stranger": stranger, "left": left}


def roster_path(meeting):
    return f"/sessions/{meeting.id}/roster"


def post_roster(client, meeting, present, **fields):
    data = {"p": [str(value) for value in present], "csrf_token": csrf_token(client, roster_path(meeting))}
    data.update(fields)
    return client.post(roster_path(meeting), data=data)


def statuses(meeting):
    return {row.person.name: row.status for row in Attendance.select().where(Attendance.meeting == meeting)}


def guests(meeting):
    return {(row.sex, row.age_band): row.count for row in GuestCount.select().where(GuestCount.meeting == meeting)}


def test_roster__lists_the_consenting_current_members_all_ticked_at_first(session, login_as):
    page = login_as("facilitator").get(roster_path(session["meeting"])).get_data(as_text=True)
    names = re.findall(r"<input type=checkbox name=p value=\d+ checked><b>([^<]+)</b>", page)
    assert names == ["Anita", "Babu", "Chitra", "Dev"]
    for hidden in ("No Consent", "Archived Child", "Moved Away", "Elsewhere"):
        assert hidden not in page
    meeting = session["meeting"]
    assert f'data-m="{meeting.id}" data-v="1"' in page  # the draft in the phone belongs to this version
    assert "Everyone is here: save" in page and 'name="g_f2"' in page


def test_roster__saves_everyone_in_one_post_and_marks_the_session_held(session, login_as):
    anita, _, chitra, _ = session["children"]
    facilitator = login_as("facilitator")
    response = post_roster(facilitator, session["meeting"], [anita.id, chitra.id], g_f2="3", g_m2="2", g_o5="")
    assert response.headers["Location"] == f"/sessions/{session['meeting'].id}"
    assert statuses(session["meeting"]) == {"Anita": "present", "Babu": "absent", "Chitra": "present",
                                            "Dev": "absent"}
    assert guests(session["meeting"]) == {("female", "10-14"): 3, ("male", "10-14"): 2}
    meeting = Meeting.get_by_id(session["meeting"].id)
    assert (meeting.status, meeting.version) == ("held", 2)
    event = AuditEvent.newest_first().get()
    assert (event.action, event.detail) == ("attendance.saved", "present 2, absent 2, excused 0, guests 5")
    page = facilitator.get(f"/sessions/{meeting.id}").get_data(as_text=True)
    assert "Attendance saved: 2 present, 2 absent, 0 excused, 5 guests." in page
    assert "2 present of 4 on the roster" in page and "Guests not on the list: 5" in page
    # The roster shows what was saved.
    again = facilitator.get(roster_path(meeting)).get_data(as_text=True)
    assert re.findall(r"value=\d+ checked><b>([^<]+)", again) == ["Anita", "Chitra"]
    assert 'name="g_f2" inputmode="numeric" aria-label="Female 10-14" value="3"' in again


def test_roster__a_double_submit_makes_no_duplicate_rows(session, login_as):
    anita = session["children"][0]
    facilitator = login_as("facilitator")
    token = csrf_token(facilitator, roster_path(session["meeting"]))
    for _ in range(2):
        facilitator.post(roster_path(session["meeting"]), data={"p": [str(anita.id)], "g_f0": "1",
                                                                "csrf_token": token})
    assert Attendance.select().count() == 4 and GuestCount.select().count() == 1
    assert statuses(session["meeting"])["Anita"] == "present"
    assert [event.action for event in AuditEvent.select().where(AuditEvent.action.startswith("attendance"))] == [
        "attendance.saved", "attendance.saved"]


def test_roster__everyone_present_in_one_tap_keeps_the_guests(session, login_as):
    facilitator = login_as("facilitator")
    post_roster(facilitator, session["meeting"], [], g_m1="4")
    response = facilitator.post(roster_path(session["meeting"]), data={
        "everyone": "1", "csrf_token": csrf_token(facilitator, roster_path(session["meeting"]))})
    assert response.status_code == 302
    assert set(statuses(session["meeting"]).values()) == {"present"}
    assert guests(session["meeting"]) == {("male", "6-9"): 4}


def test_roster__a_session_on_a_later_day_is_refused_with_nothing_saved(session, app, login_as):
    # One tap on "Everyone is here" a week early would send a session held, all present, to the district.
    Meeting.update(starts_at=datetime(2026, 11, 29, 16)).where(Meeting.id == session["meeting"].id).execute()
    facilitator = login_as("facilitator")
    for data in ({"everyone": "1"}, {"p": [str(session["children"][0].id)]}):
        data["csrf_token"] = csrf_token(facilitator, roster_path(session["meeting"]))
        response = facilitator.post(roster_path(session["meeting"]), data=data)
        assert response.status_code == 200
        assert ("This session is on Nov 29, 2026, after today (Nov 22, 2026 on the hub's clock): attendance can "
                "be recorded from the session's day.") in html.unescape(response.get_data(as_text=True))
    assert statuses(session["meeting"]) == {}
    assert Meeting.get_by_id(session["meeting"].id).status == "planned"


def test_roster__a_later_day_is_saved_with_a_warning_while_the_clock_is_unsure(session, app, login_as):
    Meeting.update(starts_at=datetime(2026, 11, 29, 16)).where(Meeting.id == session["meeting"].id).execute()
    (Path(app.config["DATA_DIR"]) / "clock-suspect").write_text("2026-11-20T09:00:00\n2026-12-01T10:00:00\n")
    facilitator = login_as("facilitator")
    response = facilitator.post(roster_path(session["meeting"]), data={
        "everyone": "1", "csrf_token": csrf_token(facilitator, roster_path(session["meeting"]))})
    assert response.status_code == 302
    assert set(statuses(session["meeting"]).values()) == {"present"}
    page = html.unescape(facilitator.get(response.headers["Location"]).get_data(as_text=True))
    assert "This session's day is still ahead by the hub's clock, which is marked unsure" in page


@pytest.mark.parametrize("bad, message", [
    ("999", "There is no person number 999 in the register."),
    ("stranger", "is not on the roster of this group."),
    ("left", "is not on the roster of this group."),
    ("abc", "“abc” is not a person on this list."),
])
def test_roster__a_person_not_on_the_roster_is_refused_and_nothing_saved(session, login_as, bad, message):
    anita = session["children"][0]
    value = session[bad].id if bad in ("stranger", "left") else bad
    response = post_roster(login_as("facilitator"), session["meeting"], [anita.id, value], g_f1="2")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert "Elsewhere" not in page  # never name someone from a group the account may not see
    assert Attendance.select().count() == 0 and GuestCount.select().count() == 0
    assert Meeting.get_by_id(session["meeting"].id).status == "planned"


@pytest.mark.parametrize("count", ["-1", "abc", "2.5", "10001", "1e3"])
def test_roster__a_bad_headcount_is_refused_and_nothing_saved(session, login_as, count):
    anita = session["children"][0]
    response = post_roster(login_as("facilitator"), session["meeting"], [anita.id], g_m3=count)
    page = response.get_data(as_text=True)
    assert "Male 15-17: Type a number from 0 to 10000." in page
    assert "<details open>" in page and f'value="{count}"' in page  # shown where it was typed, as typed
    assert re.findall(r"value=\d+ checked><b>([^<]+)", page) == ["Anita"]  # the taps are kept
    assert Attendance.select().count() == 0 and GuestCount.select().count() == 0


def test_roster__the_largest_headcount_is_accepted(session, login_as):
    post_roster(login_as("facilitator"), session["meeting"], [], g_o0="10000", g_f5="০৩",  # Bengali digits
                confirm_guests="y")  # far beyond the plausible headcount: confirmed
    assert guests(session["meeting"]) == {("other", "0-5"): 10000, ("female", "25+"): 3}


def test_roster__an_implausible_headcount_asks_to_confirm_and_is_marked_for_review(session, login_as):
    facilitator = login_as("facilitator")
    # Four children on the roster and no history: up to ten times ten guests is plausible.
    response = post_roster(facilitator, session["meeting"], [], g_m2="60", g_f2="41")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert ("101 guests is more than 100, the most that seems likely for this group. Check the numbers; if they "
            "are right, tick “Yes, this many guests came” and save again: the session will be marked for review."
            ) in page and 'name="confirm_guests"' in page
    assert guests(session["meeting"]) == {} and statuses(session["meeting"]) == {}
    response = post_roster(facilitator, session["meeting"], [], g_m2="60", g_f2="41", confirm_guests="y")
    assert response.status_code == 302
    assert sum(guests(session["meeting"]).values()) == 101
    event = AuditEvent.newest_first().get()
    assert (event.action, event.detail) == ("attendance.outside_range", "guests 101")
    assert post_roster(facilitator, session["meeting"], [], g_m2="100").status_code == 302  # within the range


def test_roster__an_excused_child_stays_excused_until_ticked(session, app, login_as):
    anita, babu = session["children"][:2]
    with app.app_context():
        Attendance.create(meeting=session["meeting"], person=babu, status="excused")
    facilitator = login_as("facilitator")
    page = facilitator.get(roster_path(session["meeting"])).get_data(as_text=True)
    assert "<b>Babu <small>excused</small></b>" in page
    post_roster(facilitator, session["meeting"], [anita.id])
    assert statuses(session["meeting"]) == {"Anita": "present", "Babu": "excused", "Chitra": "absent",
                                            "Dev": "absent"}
    post_roster(facilitator, session["meeting"], [anita.id, babu.id])
    assert statuses(session["meeting"])["Babu"] == "present"


def test_roster__a_cancelled_session_is_recorded_as_held_after_all(session, app, login_as):
    with app.app_context():
        Meeting.update(status="cancelled").where(Meeting.id == session["meeting"].id).execute()
    facilitator = login_as("facilitator")
    assert "This session was cancelled." in facilitator.get(roster_path(session["meeting"])).get_data(as_text=True)
    post_roster(facilitator, session["meeting"], [])
    assert Meeting.get_by_id(session["meeting"].id).status == "held"


def test_audit__changes_after_the_day_are_recorded_with_counts(session, login_as, today):
    anita, babu, chitra, dev = session["children"]
    facilitator = login_as("facilitator")
    post_roster(facilitator, session["meeting"], [anita.id, babu.id, chitra.id, dev.id])
    post_roster(facilitator, session["meeting"], [anita.id, babu.id, chitra.id])  # same day: a correction
    today(date(2026, 11, 23))
    post_roster(facilitator, session["meeting"], [anita.id, babu.id, chitra.id])  # no change: nothing to flag
    post_roster(facilitator, session["meeting"], [anita.id], g_f2="2")
    events = list(AuditEvent.select().where(AuditEvent.action.startswith("attendance")).order_by(AuditEvent.id))
    assert [event.action for event in events] == ["attendance.saved"] * 3 + ["attendance.changed_later"]
    assert events[-1].detail == ("2 changed; before: present 3, absent 1, excused 0, guests 0; "
                                 "after: present 1, absent 3, excused 0, guests 2")
    assert events[-1].object_id == str(session["meeting"].id) and events[-1].username == "facilitator"


def test_audit__a_first_entry_after_the_day_is_not_a_change(session, login_as, today):
    today(date(2026, 11, 24))
    post_roster(login_as("facilitator"), session["meeting"], [session["children"][0].id])
    assert AuditEvent.newest_first().get().action == "attendance.saved"


def test_save__one_transaction_and_one_upsert(session, login_as, monkeypatch):
    anita = session["children"][0]
    facilitator = login_as("facilitator")
    token = csrf_token(facilitator, roster_path(session["meeting"]))
    statements, begins = [], []
    execute_sql, begin = database.execute_sql, database.begin
    monkeypatch.setattr(database, "execute_sql", lambda sql, params=None: statements.append(sql)
                        or execute_sql(sql, params))
    monkeypatch.setattr(database, "begin", lambda *args: begins.append(args) or begin(*args))
    facilitator.post(roster_path(session["meeting"]), data={"p": [str(anita.id)], "csrf_token": token})
    writes = [sql for sql in statements if sql.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(begins) == 1
    assert len([sql for sql in writes if sql.startswith('INSERT INTO "attendance"')]) == 1
    assert Attendance.select().count() == 4


def test_sheet__numbered_names_boxes_and_a_guests_table(session, login_as):
    page = login_as("facilitator").get(f"/sessions/{session['meeting'].id}/sheet").get_data(as_text=True)
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td><td></td><td></td></tr>", page)
    assert rows == [("1", "Anita"), ("2", "Babu"), ("3", "Chitra"), ("4", "Dev")]
    assert "Guests not on the list" in page and "<th>25+</th>" in page and "Facilitator's signature" in page
    assert "<input" not in page.split("<main>")[1].split("</main>")[0]  # a sheet to print, not a form


def paper_data(client, meeting, **fields):
    path = f"/sessions/{meeting.id}/paper"
    page = client.get(path).get_data(as_text=True)
    order = re.search(r'name="order" type="hidden" value="([^"]*)"', page).group(1)
    data = {"order": order, "absent": "", "excused": "", "csrf_token": csrf_token(client, path)}
    data.update(fields)
    return data


def test_paper__absent_numbers_everyone_else_present(session, login_as):
    facilitator = login_as("facilitator")
    meeting = session["meeting"]
    response = facilitator.post(f"/sessions/{meeting.id}/paper",
                                data=paper_data(facilitator, meeting, absent="2, 4", excused="3", g_f0="1"))
    assert response.headers["Location"] == f"/sessions/{meeting.id}"
    assert statuses(meeting) == {"Anita": "present", "Babu": "absent", "Chitra": "excused", "Dev": "absent"}
    assert guests(meeting) == {("female", "0-5"): 1}
    assert Meeting.get_by_id(meeting.id).status == "held"
    page = facilitator.get(f"/sessions/{meeting.id}/paper").get_data(as_text=True)
    assert 'name="absent" type="text" value="2, 4"' in page and 'value="3"' in page  # corrections start here


def test_paper__a_range_of_numbers(session, login_as):
    facilitator = login_as("facilitator")
    facilitator.post(f"/sessions/{session['meeting'].id}/paper",
                     data=paper_data(facilitator, session["meeting"], absent="2-4"))
    assert statuses(session["meeting"]) == {"Anita": "present", "Babu": "absent", "Chitra": "absent",
                                            "Dev": "absent"}


@pytest.mark.parametrize("fields, message", [
    ({"absent": "0"}, "The list has numbers 1 to 4 only: 0 is not on it."),
    ({"absent": "5"}, "The list has numbers 1 to 4 only: 5 is not on it."),
    ({"absent": "2-9"}, "The list has numbers 1 to 4 only: 2-9 is not on it."),
    ({"absent": "two"}, "“two” is not a number from the list."),
    ({"absent": "-1"}, "“-1” is not a number from the list."),
    ({"absent": "2", "excused": "2"}, "Number 2 is both absent and excused: choose one."),
    ({"order": "1,2,999"}, "There is no person number 999 in the register."),
    ({"g_m0": "-4"}, "Male 0-5: Type a number from 0 to 10000."),
])
def test_paper__bad_input_is_refused_and_nothing_saved(session, login_as, fields, message):
    facilitator = login_as("facilitator")
    data = paper_data(facilitator, session["meeting"], **fields)
    response = facilitator.post(f"/sessions/{session['meeting'].id}/paper", data=data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert Attendance.select().count() == 0 and GuestCount.select().count() == 0
    assert Meeting.get_by_id(session["meeting"].id).status == "planned"


def test_paper__a_person_from_another_group_in_the_list_is_refused(session, login_as):
    facilitator = login_as("facilitator")
    data = paper_data(facilitator, session["meeting"])
    data["order"] += f",{session['stranger'].id}"
    response = facilitator.post(f"/sessions/{session['meeting'].id}/paper", data=data)
    assert "is not on the roster of this group." in response.get_data(as_text=True)
    assert Attendance.select().count() == 0


def test_need_to_know__rosters_of_other_groups_and_for_members(session, app, login_as):
    with app.app_context():
        other = make_group(name="Girls' club")
        theirs = make_meeting(other, datetime(2026, 11, 22, 16), status="planned")
    facilitator = login_as("facilitator")
    for page in ("roster", "sheet", "paper"):
        assert facilitator.get(f"/sessions/{theirs.id}/{page}").status_code == 404
    response = facilitator.post(roster_path(theirs), data={"everyone": "1", "csrf_token": csrf_token(facilitator)})
    assert response.status_code == 404 and Attendance.select().count() == 0
    member = login_as("member")
    assert member.get(roster_path(session["meeting"])).status_code == 403
    assert post_roster(member, session["meeting"], []).status_code == 403
    assert Attendance.select().count() == 0


def test_budget__the_roster_of_80_children_is_at_most_15_kb(app, login_as, today):
    with app.app_context():
        group = make_group(name="Big children's group")
        set_groups_of(User.get(User.username == "facilitator"), [group.id])
        for number in range(80):
            make_person(group, name=f"Kumari Lakshmi Devi {number:02d}")  # a longish name
        meeting = make_meeting(group, datetime(2026, 11, 22, 16), status="planned")
    facilitator = login_as("facilitator")
    page = facilitator.get(roster_path(meeting)).get_data()
    assert page.count(b"type=checkbox") == 80
    assert len(page) <= ROSTER_BUDGET, len(page)
    people = [str(row.person_id) for row in GroupMember.select().where(GroupMember.group == group)]
    response = facilitator.post(roster_path(meeting), data={"p": people[:70], "g_f2": "3",
                                                            "csrf_token": csrf_token(facilitator)})
    assert response.status_code == 302
    assert Attendance.select().where(Attendance.meeting == meeting).count() == 80
