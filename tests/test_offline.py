"""Work away from the hub, on the hub's side: the manifest and service worker, what a phone keeps ready for
each person, each kept submission stored once under its idempotency key (a second delivery changes nothing),
CSRF still required (with a fresh token), conflicts refused with what differs, field sessions keeping their
day, and the coordinator's expiry setting."""

import json
import uuid
from datetime import date, datetime, timedelta

import pytest

from hub.audit.models import AuditEvent
from hub.cases.models import Case, FollowUp
from hub.groups.service import set_groups_of
from hub.offline.models import Receipt
from hub.security import BACKGROUND_HEADER
from hub.sessions.models import Attendance, Meeting
from tests.conftest import csrf_token
from tests.factories import account, make_group, make_meeting, make_person

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 30)
BACKGROUND = {BACKGROUND_HEADER: "1"}  # what the outbox sends with each of its requests
CONCERN = {"in_danger": "no", "category": "child_labour", "child_description": "Boy, about 10",
           "place": "Brick kiln", "what_happened": "Carrying bricks all day"}


pytestmark = pytest.mark.usefixtures("fixed_clock")  # hub.clock pinned to TODAY and NOW




def token(client):
    """The session's token, as the outbox fetches it just before sending (in the background)."""
    answer = client.get("/offline/token", headers=BACKGROUND)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert answer.get_json()["token"], "no CSRF secret in this session yet"
    return answer.get_json()["token"]


@pytest.fixture
def anyone(client):
    """A phone without an account that opened the outbox page (which gives its session a CSRF secret)."""
    client.get("/offline/")
    return client


def send(client, path, key=None, **data):
    data = {"idempotency_key": key or str(uuid.uuid4()), "csrf_token": token(client), **data}
    return client.post(path, data=data)


@pytest.fixture
def roster(app):
    """A session planned yesterday for a group of three the facilitator runs."""
    with app.app_context():
        group = make_group(name="Sunflowers")
        set_groups_of(account("facilitator"), [group.id])
        children = [make_person(group, name=name) for name in ("Anita", "Babu", "Chitra")]
        meeting = make_meeting(group, datetime(2026, 11, 21, 16), status="planned",
                               facilitators=[account("facilitator")])
    return meeting, children


def make_case(**overrides):
    values = {"category": "child_labour", "child_description": "Girl, about 12", "place": "Brick kiln",
              "what_happened": "<p>Works at the kiln all day</p>", "reported_at": datetime(2026, 11, 10, 8),
              "status": "follow_up", "risk": "medium", "assigned_to": account("case_worker"),
              "next_follow_up": date(2026, 11, 25)}
    values.update(overrides)
    return Case.create(**values)


def test_manifest__in_the_villages_language_and_linked_from_every_page(client):
    answer = client.get("/manifest.webmanifest")
    assert answer.status_code == 200 and answer.mimetype == "application/manifest+json"
    manifest = json.loads(answer.get_data())
    assert manifest["name"] == "Rampur" and manifest["lang"] == "hi"  # the village's first language
    assert manifest["description"] == "गाँव का बाल संरक्षण हब"  # in Hindi, whoever asks
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as image:
            assert image.status_code == 200 and image.mimetype == icon["type"]
    for path in ("/", "/login", "/concerns/new"):
        assert '<link rel="manifest" href="/manifest.webmanifest">' in client.get(path).get_data(as_text=True)


def test_service_worker__from_the_root_with_its_headers(client):
    answer = client.get("/sw.js")
    assert answer.status_code == 200 and answer.mimetype == "text/javascript"
    assert answer.headers["Cache-Control"] == "no-cache"
    assert answer.headers["Service-Worker-Allowed"] == "/"
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    assert "__VERSION__" not in answer.get_data(as_text=True)


def test_plan__each_person_keeps_only_what_they_need(client, login_as, roster, app):
    meeting, _ = roster
    with app.app_context():
        mine = make_case()
        make_case(assigned_to=account("coordinator"))
        make_case(status="closed")
    anonymous = client.get("/offline/plan").get_json()
    assert [page["url"] for page in anonymous["pages"]] == ["/concerns/new"]
    assert anonymous["keep_days"] == 14 and anonymous["user"] == ""
    facilitator = login_as("facilitator").get("/offline/plan").get_json()
    assert [page["url"] for page in facilitator["pages"]] == ["/concerns/new", f"/sessions/{meeting.id}/roster"]
    worker = login_as("case_worker").get("/offline/plan").get_json()
    assert [page["url"] for page in worker["pages"]] == ["/concerns/new", f"/cases/{mine.id}/visit"]
    assert login_as("member").get("/offline/plan").get_json()["pages"] == anonymous["pages"]


def test_visit_form__carries_what_the_visit_needs_never_the_narrative(login_as, app):
    with app.app_context():
        case = make_case()
    page = login_as("case_worker").get(f"/cases/{case.id}/visit").get_data(as_text=True)
    assert "Girl, about 12" in page and "Brick kiln" in page and f'name="version" value="{case.version}"' in page
    assert "kiln all day" not in page
    assert login_as("facilitator").get(f"/cases/{case.id}/visit").status_code == 403


def test_token__the_outbox_never_starts_a_session_a_page_opened_does(client):
    """In the background the outbox gets no token and no cookie before a page made the session's CSRF secret:
    its answer arriving after the page's can never replace the page's session."""
    answer = client.get("/offline/token", headers=BACKGROUND)
    assert answer.get_json() == {"token": None, "user": ""} and "Set-Cookie" not in answer.headers
    assert "Set-Cookie" not in client.get("/offline/", headers=BACKGROUND).headers
    assert "hub_session=" in client.get("/offline/").headers["Set-Cookie"]  # opened by the person
    assert token(client)


def test_sign_in__the_session_starts_with_its_csrf_secret(login_as):
    """Right after signing in, before any page, the outbox has a token of the new session (and sets nothing)."""
    client = login_as("facilitator")
    answer = client.get("/offline/token", headers=BACKGROUND)
    assert answer.get_json()["token"] and "Set-Cookie" not in answer.headers
    sign_out = client.post("/logout", data={"csrf_token": answer.get_json()["token"]})
    assert sign_out.status_code == 302 and "Sign out" not in client.get("/").get_data(as_text=True)


def test_send_concern__stored_once_a_second_delivery_changes_nothing(anyone):
    key = str(uuid.uuid4())
    first = send(anyone, "/offline/send/concern", key, **CONCERN)
    assert first.status_code == 200 and first.get_json() == {"status": "received"}
    again = send(anyone, "/offline/send/concern", key, **CONCERN)
    assert again.status_code == 200 and again.get_json() == {"status": "already"}
    assert Case.select().count() == 1 and Receipt.get_by_id(key).object_id == Case.get().id


def test_send_concern__a_page_posted_with_its_key_is_not_saved_again_by_the_outbox(client):
    """The hub saved the form but the answer was lost on the way back: the outbox sends it again."""
    key = str(uuid.uuid4())
    page = client.post("/concerns/new", data={**CONCERN, "idempotency_key": key,
                                              "csrf_token": csrf_token(client, "/concerns/new")})
    assert page.status_code == 302
    assert send(client, "/offline/send/concern", key, **CONCERN).get_json() == {"status": "already"}
    assert Case.select().count() == 1


def test_send__needs_a_key_and_a_csrf_token(anyone):
    assert anyone.post("/offline/send/concern", data={**CONCERN, "csrf_token": token(anyone)}).status_code == 400
    forged = anyone.post("/offline/send/concern", data={**CONCERN, "idempotency_key": str(uuid.uuid4())})
    assert forged.status_code == 400
    assert Case.select().count() == 0


def test_send__a_refused_submission_stores_no_key(anyone):
    key = str(uuid.uuid4())
    answer = send(anyone, "/offline/send/concern", key, **{**CONCERN, "what_happened": ""})
    assert answer.status_code == 422 and "what_happened" in answer.get_json()["errors"]
    assert Receipt.select().count() == 0
    assert send(anyone, "/offline/send/concern", key, **CONCERN).get_json() == {"status": "received"}


def test_send_roster__keeps_the_day_it_was_held_and_counts_in_its_month(login_as, roster, app):
    meeting, children = roster
    client = login_as("facilitator")
    answer = send(client, f"/offline/send/roster/{meeting.id}", p=[str(children[0].id), str(children[1].id)],
                  held_on="2026-10-31", v=str(meeting.version))
    assert answer.get_json() == {"status": "received"}
    saved = Meeting.get_by_id(meeting.id)
    assert saved.status == "held" and saved.starts_at == datetime(2026, 10, 31, 16)
    assert {row.person_id: row.status for row in Attendance.select()} == {
        children[0].id: "present", children[1].id: "present", children[2].id: "absent"}
    actions = [event.action for event in AuditEvent.select().order_by(AuditEvent.id)]
    assert "meeting.held_in_field" in actions and "attendance.changed_later" not in actions


def test_send_roster__a_roster_changed_meanwhile_shows_what_differs(login_as, roster, app):
    meeting, children = roster
    hub = login_as("facilitator")
    hub.post(f"/sessions/{meeting.id}/roster", data={"p": [str(child.id) for child in children],
                                                     "csrf_token": csrf_token(hub, f"/sessions/{meeting.id}/roster")})
    current = Meeting.get_by_id(meeting.id).version
    phone = login_as("facilitator")
    sent = {"p": [str(children[0].id)], "held_on": "2026-11-21", "v": str(meeting.version)}
    key = str(uuid.uuid4())
    conflict = send(phone, f"/offline/send/roster/{meeting.id}", key, **sent)
    assert conflict.status_code == 409
    assert conflict.get_json()["version"] == current
    assert sorted(conflict.get_json()["differences"]) == [["Babu", "Present", "Absent"],
                                                          ["Chitra", "Present", "Absent"]]
    assert Attendance.select().where(Attendance.status == "absent").count() == 0  # nothing overwritten
    chosen = send(phone, f"/offline/send/roster/{meeting.id}", key, **{**sent, "v": str(current)})
    assert chosen.get_json() == {"status": "received"}
    assert Attendance.select().where(Attendance.status == "absent").count() == 2


def test_send_visit__once_and_a_changed_case_is_a_conflict(login_as, app):
    with app.app_context():
        case = make_case()
    client = login_as("case_worker")
    key = str(uuid.uuid4())
    visit = {"visited_on": "2026-11-20", "progress": "Back at school", "next_visit": "2026-12-01",
             "version": str(case.version)}
    assert send(client, f"/offline/send/visit/{case.id}", key, **visit).get_json() == {"status": "received"}
    assert send(client, f"/offline/send/visit/{case.id}", key, **visit).get_json() == {"status": "already"}
    assert FollowUp.select().count() == 1
    # The visit moved the case on: a second visit filled in from the old form differs in the next visit.
    late = send(client, f"/offline/send/visit/{case.id}", **{**visit, "visited_on": "2026-11-21",
                                                             "next_visit": "2026-12-05"})
    assert late.status_code == 409
    assert ["Next follow-up visit", "2026-12-01", "2026-12-05"] in late.get_json()["differences"]
    assert FollowUp.select().count() == 1


def test_settings__the_coordinator_sets_the_days_phones_keep(login_as, client):
    coordinator = login_as("coordinator")
    page = coordinator.post("/offline/settings", data={"keep_days": "7", "csrf_token": csrf_token(coordinator,
                                                                                                   "/offline/settings")})
    assert page.status_code == 302
    assert client.get("/offline/plan").get_json()["keep_days"] == 7
    refused = coordinator.post("/offline/settings", data={"keep_days": "0", "csrf_token": csrf_token(
        coordinator, "/offline/settings")})
    assert refused.status_code == 200 and "from 1 to 90" in refused.get_data(as_text=True)
    assert login_as("facilitator").get("/offline/settings").status_code == 403


def test_receipts__forgotten_after_every_phone_has_dropped_its_copy(anyone):
    from hub.offline.receipts import KEEP_RECEIPT_DAYS, forget_old

    key = str(uuid.uuid4())
    assert send(anyone, "/offline/send/concern", key, **CONCERN).get_json() == {"status": "received"}
    assert forget_old(TODAY + timedelta(days=KEEP_RECEIPT_DAYS)) == 0
    assert forget_old(TODAY + timedelta(days=KEEP_RECEIPT_DAYS + 1)) == 1
    assert Receipt.select().count() == 0 and Case.select().count() == 1


def test_page_form__a_second_post_with_the_same_key_changes_nothing(login_as, app):
    """Without the outbox too: the visit form kept for out of range works as a page, and a double tap that
    sends it twice with its key records one visit."""
    with app.app_context():
        case = make_case()
    client = login_as("case_worker")
    page = client.get(f"/cases/{case.id}/visit")
    data = {"visited_on": "2026-11-20", "progress": "Back at school", "version": str(case.version),
            "idempotency_key": str(uuid.uuid4()), "csrf_token": csrf_token(client, f"/cases/{case.id}/visit")}
    assert page.status_code == 200
    first = client.post(f"/cases/{case.id}/follow-ups", data=data)
    assert first.status_code == 302 and first.headers["Location"] == f"/cases/{case.id}"
    again = client.post(f"/cases/{case.id}/follow-ups", data=data,
                        headers={"Referer": f"http://localhost/cases/{case.id}/visit"})
    assert again.status_code == 303 and again.headers["Location"] == f"http://localhost/cases/{case.id}/visit"
    assert "Already received by the hub: nothing was changed." in client.get("/").get_data(as_text=True)
    assert FollowUp.select().count() == 1


def test_send_roster__everyone_here_and_a_day_out_of_range(login_as, roster):
    meeting, children = roster
    client = login_as("facilitator")
    old = send(client, f"/offline/send/roster/{meeting.id}", everyone="1", held_on="2026-10-01")
    assert old.status_code == 422 and "held_on" in old.get_json()["errors"]
    assert Attendance.select().count() == 0 and Receipt.select().count() == 0
    assert send(client, f"/offline/send/roster/{meeting.id}", everyone="1",
                held_on="2026-11-21").get_json() == {"status": "received"}
    assert {row.status for row in Attendance.select()} == {"present"} and Attendance.select().count() == 3
    assert Meeting.get_by_id(meeting.id).starts_at == datetime(2026, 11, 21, 16)  # held the day it was planned
    assert send(login_as("member"), f"/offline/send/roster/{meeting.id}", everyone="1").status_code == 403
