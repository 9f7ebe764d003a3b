"""Sessions and meetings: plan or record, change with a stale-form check, cancel, need to know, the list,
"my next sessions" on the home page, the untrained-topic warning, and untrusted text in place and notes."""

from datetime import date, datetime
from pathlib import Path

import pytest
from markupsafe import escape

from hub.audit.models import AuditEvent
from hub.auth.models import User
from hub.curriculum.models import Topic, TopicText, VolunteerSkill
from hub.groups.service import set_groups_of
from hub.sessions.models import Meeting, MeetingFacilitator, MeetingTopic
from hub.sessions.service import sessions_of, upcoming_for
from tests.conftest import csrf_token
from tests.factories import make_group, make_meeting, make_person, make_user
from tests.markup import executable_markup
from tests.pages import field_errors

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 30)
PAYLOADS = [line for line in (Path(__file__).parent / "data" / "xss.txt").read_text().splitlines() if line]
OUR_SCRIPT = '<script src="/static/roster.js" defer></script>'


pytestmark = pytest.mark.usefixtures("fixed_clock")  # hub.clock pinned to TODAY and NOW


@pytest.fixture
def village(app):
    """Two groups; the facilitator and member accounts belong to the first; two shipped topics."""
    with app.app_context():  # left before any request
        youth = make_group(name="Youth forum", kind="youth_forum")
        mothers = make_group(name="Mothers' group", kind="mothers_group")
        facilitator = User.get(User.username == "facilitator")
        member = User.get(User.username == "member")
        set_groups_of(facilitator, [youth.id])
        set_groups_of(member, [youth.id])
        rights = Topic.get(Topic.code == "child_rights")  # shipped topics (migration 0006)
        TopicText.create(topic=rights, language="es", name="Derechos del niño")
        trafficking = Topic.get(Topic.code == "trafficking")
        make_person(youth, name="Anita")
    return {"youth": youth, "mothers": mothers, "facilitator": facilitator, "member": member,
            "rights": rights, "trafficking": trafficking}


def form_data(client, path, **overrides):
    data = {"status": "planned", "kind": "life_skills", "day": "2026-11-25", "start": "16:00",
            "place": "School yard", "notes": "", "csrf_token": csrf_token(client, path)}
    data.update(overrides)
    return data


def meeting_rows():
    return list(Meeting.select().order_by(Meeting.id))


def test_new__plans_a_session_with_topics_and_facilitators(village, login_as):
    facilitator = login_as("facilitator")
    path = f"/sessions/new?group={village['youth'].id}"
    response = facilitator.post(path, data=form_data(
        facilitator, path, topics=[str(village["rights"].id)], facilitators=[str(village["facilitator"].id)],
        notes="<p>Bring <strong>chalk</strong></p><script>alert(1)</script>"))
    (meeting,) = meeting_rows()
    assert response.status_code == 302 and response.headers["Location"] == f"/sessions/{meeting.id}"
    assert (meeting.group_id, meeting.kind, meeting.status, meeting.place, meeting.version) == (
        village["youth"].id, "life_skills", "planned", "School yard", 1)
    assert meeting.starts_at == datetime(2026, 11, 25, 16, 0)
    assert meeting.notes == "<p>Bring <strong>chalk</strong></p>alert(1)"
    assert meeting.created_by_id == village["facilitator"].id
    assert [link.topic_id for link in MeetingTopic.select()] == [village["rights"].id]
    assert [link.user_id for link in MeetingFacilitator.select()] == [village["facilitator"].id]
    event = AuditEvent.newest_first().get()
    assert (event.action, event.object_id, event.username) == ("meeting.created", str(meeting.id), "facilitator")
    page = facilitator.get(f"/sessions/{meeting.id}").get_data(as_text=True)
    assert "Life-skills session" in page and "Child rights" in page and "School yard" in page
    assert "<strong>chalk</strong>" in page and "alert(1)</script>" not in page


def test_new__records_a_held_session(village, login_as):
    facilitator = login_as("facilitator")
    path = f"/sessions/new?group={village['youth'].id}"
    facilitator.post(path, data=form_data(facilitator, path, status="held", day="2026-11-20",
                                          kind="duty_bearer_meeting"))
    (meeting,) = meeting_rows()
    assert (meeting.status, meeting.kind) == ("held", "duty_bearer_meeting")


def test_new__topic_names_follow_the_language(village, login_as):
    page = login_as("facilitator").get(f"/sessions/new?group={village['youth'].id}",
                                       headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Derechos del niño" in page  # the coordinator's words for Spanish


def test_new__a_coordinator_chooses_the_group_first(village, login_as):
    coordinator = login_as("coordinator")
    page = coordinator.get("/sessions/new").get_data(as_text=True)
    assert "Which group is the session for?" in page
    assert f'href="/sessions/new?group={village["mothers"].id}"' in page
    form = coordinator.get(f"/sessions/new?group={village['mothers'].id}").get_data(as_text=True)
    assert "Group: Mothers&#39; group" in form and 'name="day"' in form
    # A facilitator with one group goes straight to the form.
    assert 'name="day"' in login_as("facilitator").get("/sessions/new").get_data(as_text=True)


def test_new__for_a_group_not_mine_saves_nothing(village, login_as):
    facilitator = login_as("facilitator")
    path = f"/sessions/new?group={village['mothers'].id}"
    response = facilitator.post(path, data=form_data(facilitator, "/sessions/new"))
    assert response.status_code == 200 and "Mothers" not in response.get_data(as_text=True)
    assert meeting_rows() == []


def test_new__every_field_error_shows_in_one_pass(village, login_as):
    # A session dated 1900 with no time and a wrong kind: each field says what is wrong, in one submit.
    facilitator = login_as("facilitator")
    path = f"/sessions/new?group={village['youth'].id}"
    response = facilitator.post(path, data=form_data(facilitator, path, day="1900-01-01", start="",
                                                     facilitators=[str(village["member"].id)]))
    page = response.get_data(as_text=True)
    assert field_errors(page, "day") == ["Give a date between Jan 1, 2000 and Nov 22, 2028."]
    assert field_errors(page, "start") == ["Please fill this in."]
    assert field_errors(page, "facilitators") != []
    assert meeting_rows() == []


def test_new__a_session_on_a_later_day_cannot_be_recorded_as_held(village, login_as):
    facilitator = login_as("facilitator")
    path = f"/sessions/new?group={village['youth'].id}"
    response = facilitator.post(path, data=form_data(facilitator, path, status="held", day="2026-11-29"))
    assert field_errors(response.get_data(as_text=True), "status") == [
        "This date is after today (Nov 22, 2026 on the hub's clock): a session is recorded as held from its day. "
        "Plan it instead."]
    assert meeting_rows() == []


@pytest.mark.parametrize("overrides, message", [
    ({"day": "1999-12-31"}, "Give a date between Jan 1, 2000 and Nov 22, 2028."),
    ({"day": "2028-11-23"}, "Give a date between Jan 1, 2000 and Nov 22, 2028."),
    ({"day": ""}, "Please fill this in."),
    ({"day": "22/11/2026"}, "Not a valid date value."),
    ({"start": ""}, "Please fill this in."),
    ({"kind": "picnic"}, "Not a valid choice."),
    ({"status": "cancelled"}, "Not a valid choice."),
    ({"topics": ["999"]}, "is not a valid choice"),
    ({"place": "x" * 121}, "Please use at most 120 characters."),
])
def test_new__bad_input_is_refused_and_nothing_saved(village, login_as, overrides, message):
    facilitator = login_as("facilitator")
    path = f"/sessions/new?group={village['youth'].id}"
    response = facilitator.post(path, data=form_data(facilitator, path, **overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert meeting_rows() == [] and MeetingTopic.select().count() == 0


def test_new__a_facilitator_outside_the_group_is_refused(village, login_as, app):
    with app.app_context():
        outsider = make_user(username="ravi", role="facilitator", group_ids=[village["mothers"].id])
    facilitator = login_as("facilitator")
    path = f"/sessions/new?group={village['youth'].id}"
    response = facilitator.post(path, data=form_data(facilitator, path, facilitators=[str(outsider.id)]))
    assert "is not a valid choice" in response.get_data(as_text=True)
    assert meeting_rows() == []


def test_untrained_topic__warned_on_the_form_and_the_page_not_refused(village, login_as, app):
    facilitator = login_as("facilitator")
    path = f"/sessions/new?group={village['youth'].id}"
    response = facilitator.post(path, data=form_data(
        facilitator, path, topics=[str(village["rights"].id), str(village["trafficking"].id)],
        facilitators=[str(village["facilitator"].id)]), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "No facilitator of this session has been trained on: Child rights, Trafficking." in page
    (meeting,) = meeting_rows()
    with app.app_context():
        VolunteerSkill.create(user=village["facilitator"], topic=village["rights"], trained_on=date(2026, 3, 1))
    page = facilitator.get(f"/sessions/{meeting.id}").get_data(as_text=True)
    assert "No facilitator of this session has been trained on: Trafficking." in page
    edit = facilitator.get(f"/sessions/{meeting.id}/edit").get_data(as_text=True)
    assert "No facilitator of this session has been trained on: Trafficking." in edit
    with app.app_context():
        VolunteerSkill.create(user=village["facilitator"], topic=village["trafficking"], trained_on=date(2026, 4, 1))
    assert "has been trained on" not in facilitator.get(f"/sessions/{meeting.id}").get_data(as_text=True)


def test_untrained_topic__no_warning_for_a_volunteer_training(village, login_as, app):
    with app.app_context():
        meeting = make_meeting(village["youth"], datetime(2026, 11, 25, 10), status="planned",
                               kind="volunteer_training", topics=[village["trafficking"]])
    page = login_as("facilitator").get(f"/sessions/{meeting.id}").get_data(as_text=True)
    assert "Trafficking" in page and "has been trained on" not in page


def edit_data(client, meeting_id, **overrides):
    path = f"/sessions/{meeting_id}/edit"
    page = client.get(path).get_data(as_text=True)
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    return form_data(client, path, version=version, **overrides)


def test_edit__saves_and_moves_the_version_on(village, login_as, app):
    with app.app_context():
        meeting = make_meeting(village["youth"], datetime(2026, 11, 25, 10), status="planned",
                               topics=[village["rights"]], facilitators=[village["facilitator"]])
    facilitator = login_as("facilitator")
    data = edit_data(facilitator, meeting.id, place="Temple courtyard", topics=[str(village["trafficking"].id)],
                     facilitators=[str(village["facilitator"].id)])
    assert data["version"] == "1"
    response = facilitator.post(f"/sessions/{meeting.id}/edit", data=data)
    assert response.headers["Location"] == f"/sessions/{meeting.id}"
    meeting = Meeting.get_by_id(meeting.id)
    assert (meeting.place, meeting.version, meeting.starts_at) == ("Temple courtyard", 2, datetime(2026, 11, 25, 16))
    assert [link.topic_id for link in MeetingTopic.select()] == [village["trafficking"].id]
    event = AuditEvent.newest_first().get()
    assert (event.action, event.detail) == ("meeting.updated", "starts_at, place, topics")


def test_edit__a_stale_form_is_refused_and_nothing_overwritten(village, login_as, app):
    with app.app_context():
        meeting = make_meeting(village["youth"], datetime(2026, 11, 25, 10), status="planned",
                               facilitators=[village["facilitator"]])
    first, second = login_as("facilitator"), login_as("coordinator")
    first_data = edit_data(first, meeting.id, place="Temple", facilitators=[str(village["facilitator"].id)])
    second_data = edit_data(second, meeting.id, place="Banyan tree", topics=[str(village["rights"].id)])
    assert first.post(f"/sessions/{meeting.id}/edit", data=first_data).status_code == 302
    response = second.post(f"/sessions/{meeting.id}/edit", data=second_data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else changed this session while you were editing it" in page
    assert 'value="Banyan tree"' in page  # what they typed is kept
    meeting = Meeting.get_by_id(meeting.id)
    assert (meeting.place, meeting.version) == ("Temple", 2)
    assert MeetingTopic.select().count() == 0
    assert [link.user_id for link in MeetingFacilitator.select()] == [village["facilitator"].id]


def test_edit__a_session_with_attendance_cannot_go_back_to_planned(village, login_as, app):
    with app.app_context():
        anita = make_person(village["youth"], name="Babu")
        meeting = make_meeting(village["youth"], datetime(2026, 11, 20, 10), attendance={anita: "present"})
    facilitator = login_as("facilitator")
    response = facilitator.post(f"/sessions/{meeting.id}/edit", data=edit_data(facilitator, meeting.id,
                                                                               status="planned"))
    assert "Attendance was taken at this session, so it was held." in response.get_data(as_text=True)
    assert Meeting.get_by_id(meeting.id).status == "held"


def test_cancel__a_planned_session(village, login_as, app):
    with app.app_context():
        meeting = make_meeting(village["youth"], datetime(2026, 11, 25, 10), status="planned")
    facilitator = login_as("facilitator")
    response = facilitator.post(f"/sessions/{meeting.id}/cancel",
                                data={"csrf_token": csrf_token(facilitator, f"/sessions/{meeting.id}")},
                                follow_redirects=True)
    assert "Session cancelled." in response.get_data(as_text=True)
    assert Meeting.get_by_id(meeting.id).status == "cancelled"
    assert AuditEvent.newest_first().get().action == "meeting.cancelled"


def test_cancel__refused_once_attendance_was_taken(village, login_as, app):
    with app.app_context():
        babu = make_person(village["youth"], name="Babu")
        meeting = make_meeting(village["youth"], datetime(2026, 11, 20, 10), attendance={babu: "absent"})
    facilitator = login_as("facilitator")
    response = facilitator.post(f"/sessions/{meeting.id}/cancel",
                                data={"csrf_token": csrf_token(facilitator, f"/sessions/{meeting.id}")},
                                follow_redirects=True)
    assert "Attendance was taken at this session, so it cannot be cancelled." in response.get_data(as_text=True)
    assert Meeting.get_by_id(meeting.id).status == "held"


@pytest.fixture
def two_meetings(village, app):
    with app.app_context():
        mine = make_meeting(village["youth"], datetime(2026, 11, 25, 10), status="planned")
        theirs = make_meeting(village["mothers"], datetime(2026, 11, 26, 10), status="planned")
    return mine, theirs


# role -> (may see the other group's session, may change sessions)
RIGHTS = {"coordinator": (True, True), "case_worker": (True, True), "facilitator": (False, True),
          "member": (False, False)}


@pytest.mark.parametrize("role", sorted(RIGHTS))
def test_need_to_know__each_role(two_meetings, login_as, role):
    mine, theirs = two_meetings
    sees_all, changes = RIGHTS[role]
    client = login_as(role)
    listing = client.get("/sessions").get_data(as_text=True)
    assert f'href="/sessions/{mine.id}"' in listing
    assert (f'href="/sessions/{theirs.id}"' in listing) == sees_all
    assert client.get(f"/sessions/{mine.id}").status_code == 200
    assert client.get(f"/sessions/{theirs.id}").status_code == (200 if sees_all else 404)
    for page in ("edit", "roster", "sheet", "paper"):
        assert client.get(f"/sessions/{mine.id}/{page}").status_code == (200 if changes else 403), page
        assert client.get(f"/sessions/{theirs.id}/{page}").status_code == (
            200 if sees_all else 404 if changes else 403), page
    response = client.post(f"/sessions/{theirs.id}/cancel", data={"csrf_token": csrf_token(client)})
    assert response.status_code == (302 if sees_all else 404 if changes else 403)
    assert Meeting.get_by_id(theirs.id).status == ("cancelled" if sees_all else "planned")
    assert client.get("/sessions/999").status_code == 404


def test_need_to_know__a_member_reads_counts_not_names(village, login_as, app):
    with app.app_context():
        babu = make_person(village["youth"], name="Babu Absentee")
        meeting = make_meeting(village["youth"], datetime(2026, 11, 20, 10), attendance={babu: "absent"})
    member = login_as("member").get(f"/sessions/{meeting.id}").get_data(as_text=True)
    facilitator = login_as("facilitator").get(f"/sessions/{meeting.id}").get_data(as_text=True)
    assert "Absent: 1" in member and "Babu Absentee" not in member and "Take attendance" not in member
    assert "Babu Absentee" in facilitator and "Change the attendance" in facilitator


def test_list__upcoming_soonest_first_and_recent_newest_first(village, login_as, app):
    with app.app_context():
        later = make_meeting(village["youth"], datetime(2026, 12, 5, 10), status="planned")
        soon = make_meeting(village["youth"], datetime(2026, 11, 22, 8), status="planned")  # today: upcoming
        old = make_meeting(village["youth"], datetime(2026, 10, 1, 10))
        older = make_meeting(village["youth"], datetime(2026, 9, 1, 10), status="cancelled")
    page = login_as("facilitator").get("/sessions").get_data(as_text=True)
    upcoming, recent = page.split("Coming up")[1].split("Recent")
    assert upcoming.index(f"/sessions/{soon.id}") < upcoming.index(f"/sessions/{later.id}")
    assert recent.index(f"/sessions/{old.id}") < recent.index(f"/sessions/{older.id}")
    assert "Cancelled" in recent


def test_upcoming_for_and_sessions_of(village, app):
    with app.app_context():
        me, youth = village["facilitator"], village["youth"]
        later = make_meeting(youth, datetime(2026, 12, 5, 10), status="planned", facilitators=[me])
        today = make_meeting(youth, datetime(2026, 11, 22, 7), status="planned", facilitators=[me])
        make_meeting(youth, datetime(2026, 11, 21, 10), status="planned", facilitators=[me])  # yesterday
        make_meeting(youth, datetime(2026, 11, 23, 10), status="cancelled", facilitators=[me])
        make_meeting(youth, datetime(2026, 11, 24, 10), status="planned")  # someone else's
        theirs = make_meeting(village["mothers"], datetime(2026, 11, 24, 10), status="planned", facilitators=[me])
        assert [m.id for m in upcoming_for(me, NOW)] == [today.id, later.id]  # not a group they left
        assert [m.id for m in upcoming_for(me, NOW, limit=1)] == [today.id]
        assert [m.id for m in upcoming_for(User.get(User.username == "coordinator"), NOW)] == []
        assert [m.id for m in sessions_of(youth, limit=2)] == [later.id, Meeting.get(
            Meeting.starts_at == datetime(2026, 11, 24, 10), Meeting.group == youth).id]
        assert len(sessions_of(youth)) == 5 and [m.id for m in sessions_of(village["mothers"])] == [theirs.id]


def test_home__my_next_sessions_link_to_their_rosters(village, login_as, client, app):
    with app.app_context():
        me = village["facilitator"]
        meeting = make_meeting(village["youth"], datetime(2026, 11, 22, 16), status="planned", facilitators=[me])
        make_meeting(village["youth"], datetime(2026, 11, 21, 16), status="planned", facilitators=[me])
    page = login_as("facilitator").get("/").get_data(as_text=True)
    section = page.split("My next sessions")[1].split("</section>")[0]
    assert f'href="/sessions/{meeting.id}/roster"' in section and section.count("<li>") == 1
    assert "Emergency numbers" in page
    # A case worker who runs no session sees no such card; a visitor's page is unchanged.
    assert "My next sessions" not in login_as("case_worker").get("/").get_data(as_text=True)
    assert "My next sessions" not in login_as("member").get("/").get_data(as_text=True)
    assert "My next sessions" not in client.get("/").get_data(as_text=True)


def test_home__a_facilitator_with_nothing_planned_is_told_so(village, login_as):
    page = login_as("facilitator").get("/").get_data(as_text=True)
    assert "No sessions planned for you." in page


def test_home__the_visitors_page_stays_cached(village, client, app, monkeypatch):
    first = client.get("/").get_data()
    import hub.home.views

    monkeypatch.setattr(hub.home.views, "render_template", lambda *args, **kwargs: pytest.fail("not cached"))
    assert client.get("/").get_data() == first


def pages_showing(client, meeting_id):
    for path in ("/", "/sessions", f"/sessions/{meeting_id}", f"/sessions/{meeting_id}/edit",
                 f"/sessions/{meeting_id}/roster", f"/sessions/{meeting_id}/sheet", f"/sessions/{meeting_id}/paper"):
        response = client.get(path)
        assert response.status_code == 200, path
        yield path, response.get_data(as_text=True)


def test_payloads__through_place_and_notes_on_every_page(village, login_as):
    facilitator = login_as("facilitator")
    path = f"/sessions/new?group={village['youth'].id}"
    for payload in PAYLOADS:
        response = facilitator.post(path, data=form_data(
            facilitator, path, day="2026-11-22", place=payload[:120], notes=payload,
            facilitators=[str(village["facilitator"].id)]))
        assert response.status_code == 302, payload
        meeting_id = int(response.headers["Location"].rsplit("/", 1)[1])
        for page_path, page in pages_showing(facilitator, meeting_id):
            if page_path.endswith(("/roster", "/sheet")):  # our own script is the one allowed
                assert page.count(OUR_SCRIPT) == 1
                page = page.replace(OUR_SCRIPT, "")
            assert executable_markup(page) == [], (payload, page_path)
            if page_path.endswith(str(meeting_id)):
                assert str(escape(payload[:120].strip())) in page, payload  # shown, escaped
        # Refused input is shown back as typed: escaped, never run.
        refused = facilitator.post(path, data=form_data(facilitator, path, day="1999-01-01", place=payload[:120],
                                                        notes=payload))
        assert executable_markup(refused.get_data(as_text=True)) == [], payload
