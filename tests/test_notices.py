"""Notices and urgent alerts: who writes to whom, who sees what, an alert on the home page until
acknowledged, the sender's list of who has read it, expiry, bad input, XSS."""

import html
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from markupsafe import escape

from hub import clock
from hub.audit.models import AuditEvent
from hub.auth.models import User
from hub.db import database
from hub.groups.service import set_groups_of
from hub.notices.models import Notice, Receipt
from hub.notices.service import Draft, NoticeError, create_notice, receipts_of
from tests.conftest import csrf_token
from tests.factories import make_group
from tests.markup import executable_markup
from tests.pages import field_errors

PAYLOADS = [line for line in (Path(__file__).parent / "data" / "xss.txt").read_text().splitlines() if line]
TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 9, 30)
ALERT = {"audience": "all", "title": "Missing child: Sita, 9 years", "urgent": "y",
         "body": "Sita has not been home since <strong>yesterday evening</strong>. Red frock. Call 1098."}


pytestmark = pytest.mark.usefixtures("fixed_clock")  # hub.clock pinned to TODAY and NOW


@pytest.fixture
def groups(app):
    """Two groups: the facilitator and the member are in "Youth forum"; nobody is in "Care group"."""
    with app.app_context(), database.connection_context():
        youth, care = make_group(name="Youth forum", kind="youth_forum"), make_group(name="Care group",
                                                                                      kind="care_group")
        for username in ("facilitator", "member"):
            set_groups_of(account(username), [youth.id])
    return {"youth": youth, "care": care}


def account(username):
    return User.get(User.username == username)


def text(response):
    return html.unescape(response.get_data(as_text=True))


def send(client, **values):
    data = {**ALERT, **values}
    data = {name: value for name, value in data.items() if value is not None}
    return client.post("/notices/new", data={**data, "csrf_token": csrf_token(client, "/notices/new")})


def acknowledge(client, notice, next_url="/"):
    return client.post(f"/notices/{notice.id}/acknowledge",
                       data={"next": next_url, "csrf_token": csrf_token(client, "/notices")})


def audits(action):
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


def newest():
    return Notice.select().order_by(Notice.id.desc()).get()


# An urgent alert on every home page until acknowledged.

def test_alert__stays_on_the_home_page_across_requests_until_acknowledged(login_as):
    coordinator, member = login_as("coordinator"), login_as("member")
    response = send(coordinator)
    notice = newest()
    assert response.status_code == 302 and response.headers["Location"] == f"/notices/{notice.id}"
    assert notice.urgent and notice.group_id is None and notice.created_by.username == "coordinator"

    for _ in range(3):
        page = text(member.get("/"))
        assert ALERT["title"] in page and "I have read it" in page
        assert page.index(ALERT["title"]) < page.index("Emergency numbers")  # at the top of the page
        assert "<strong>yesterday evening</strong>" in member.get("/").get_data(as_text=True)  # formatting kept
    receipt = Receipt.get((Receipt.notice == notice) & (Receipt.user == account("member")))
    assert receipt.seen_at == NOW and receipt.acknowledged_at is None

    response = acknowledge(member, notice)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = text(member.get("/"))
    assert ALERT["title"] not in page
    assert Receipt.get_by_id(receipt.id).acknowledged_at == NOW
    assert [event.username for event in audits("notice.acknowledged")] == ["member"]
    # A second tap (an old page, a double tap) changes nothing and records nothing more.
    acknowledge(member, notice)
    assert Receipt.select().where(Receipt.notice == notice).count() == 1
    assert len(audits("notice.acknowledged")) == 1
    # Still listed among the notices, without the button.
    listed = text(member.get("/notices"))
    assert ALERT["title"] in listed


def test_alert__another_user_still_sees_it_after_one_acknowledges(login_as):
    coordinator, member, facilitator = login_as("coordinator"), login_as("member"), login_as("facilitator")
    send(coordinator)
    notice = newest()
    acknowledge(member, notice)
    assert ALERT["title"] not in text(member.get("/"))
    assert ALERT["title"] in text(facilitator.get("/"))
    assert ALERT["title"] in text(login_as("case_worker").get("/"))
    # The sender does not have to acknowledge their own alert.
    assert "I have read it" not in text(coordinator.get("/"))


def test_alert__the_sender_sees_who_has_seen_and_acknowledged_it(login_as):
    worker, member, facilitator = login_as("case_worker"), login_as("member"), login_as("facilitator")
    send(worker)
    notice = newest()
    member.get("/")
    acknowledge(member, notice)
    facilitator.get("/")  # seen, not yet acknowledged

    with database.connection_context():
        receipts = receipts_of(notice)
    assert {row[0].username: bool(row[1] and row[1].acknowledged_at) for row in receipts.rows} == {
        "coordinator": False, "facilitator": False, "member": True}
    assert (receipts.total, receipts.seen, receipts.acknowledged) == (3, 2, 1)

    page = text(worker.get(f"/notices/{notice.id}"))
    assert "Who has seen it" in page
    assert '2 of 3 have seen it; 1 have tapped "I have read it".' in page
    rows = page[page.index("Who has seen it"):]
    assert "Member" in rows and "Facilitator" in rows and "Coordinator" in rows
    # The coordinator sees it too; a reader in the audience does not.
    assert "Who has seen it" in text(login_as("coordinator").get(f"/notices/{notice.id}"))
    assert "Who has seen it" not in text(member.get(f"/notices/{notice.id}"))


def test_alert__ended_early_by_the_sender_leaves_every_home_page(login_as):
    worker, member = login_as("case_worker"), login_as("member")
    send(worker)
    notice = newest()
    assert ALERT["title"] in text(member.get("/"))
    assert member.post(f"/notices/{notice.id}/end", data={"csrf_token": csrf_token(member, "/")}).status_code == 403
    response = worker.post(f"/notices/{notice.id}/end", data={"csrf_token": csrf_token(worker, "/")})
    assert response.status_code == 302
    assert ALERT["title"] not in text(member.get("/"))
    assert Notice.get_by_id(notice.id).ended_at == NOW
    assert [event.username for event in audits("notice.ended")] == ["caseworker"]
    assert ALERT["title"] in text(member.get("/notices?show=past"))


def test_alert__expires_after_its_last_day(login_as, monkeypatch):
    coordinator, member = login_as("coordinator"), login_as("member")
    send(coordinator, ends_on="2026-11-21")
    assert ALERT["title"] in text(member.get("/"))
    monkeypatch.setattr(clock, "today", lambda: TODAY + timedelta(days=1))
    assert ALERT["title"] in text(member.get("/"))
    monkeypatch.setattr(clock, "today", lambda: TODAY + timedelta(days=2))
    assert ALERT["title"] not in text(member.get("/"))
    assert ALERT["title"] not in text(member.get("/notices"))


def test_visitor__sees_no_alert(login_as, client):
    send(login_as("coordinator"))
    assert ALERT["title"] not in text(client.get("/"))


# Audience.

def test_group_notice__only_its_members_see_it(login_as, groups):
    worker = login_as("case_worker")
    response = send(worker, audience=str(groups["youth"].id), urgent=None, title="Forum meets on Sunday")
    assert response.status_code == 302
    notice = newest()
    assert notice.group_id == groups["youth"].id and not notice.urgent
    assert [event.detail for event in audits("notice.created")] == [""]

    member = login_as("member")
    assert "1 new notice" in text(member.get("/"))
    assert "Forum meets on Sunday" in text(member.get("/notices"))
    assert "1 new notice" not in text(member.get("/"))  # the list was seen
    assert member.get(f"/notices/{notice.id}").status_code == 200

    send(worker, audience=str(groups["care"].id), title="Care group only")
    care_notice = newest()
    assert "Care group only" not in text(member.get("/"))
    assert "Care group only" not in text(member.get("/notices"))
    assert member.get(f"/notices/{care_notice.id}").status_code == 404
    assert member.post(f"/notices/{care_notice.id}/acknowledge",
                       data={"csrf_token": csrf_token(member, "/")}).status_code == 404
    assert not Receipt.select().where(Receipt.notice == care_notice).exists()
    # Nobody else is in the care group, so no one is listed as missing it.
    with database.connection_context():
        assert receipts_of(care_notice).total == 0


def test_facilitator__writes_to_their_own_groups_only(login_as, groups):
    facilitator = login_as("facilitator")
    form = text(facilitator.get("/notices/new"))
    assert "Youth forum" in form and "Care group" not in form and "Everyone on the hub" not in form
    assert send(facilitator, audience=str(groups["youth"].id), title="Bring your notebooks").status_code == 302
    assert newest().created_by.username == "facilitator"
    # Another group, or the whole hub: refused beside the field, nothing saved.
    for audience, message in ((str(groups["care"].id), "Choose who the notice is for from the list."),
                              ("all", "You may send notices only to your own groups.")):
        before = Notice.select().count()
        response = send(facilitator, audience=audience)
        assert response.status_code == 200
        assert field_errors(response.get_data(as_text=True), "audience") == [message]
        assert Notice.select().count() == before


def test_member__may_not_write(login_as):
    member = login_as("member")
    assert member.get("/notices/new").status_code == 403
    assert send(member).status_code == 403
    assert Notice.select().count() == 0


# Bad input: a message beside the field, nothing saved.

@pytest.mark.parametrize("values, name, message", [
    ({"title": ""}, "title", "Please fill this in."),
    ({"title": "   "}, "title", "Please fill this in."),
    ({"body": ""}, "body", "Please fill this in."),
    ({"body": "<p> </p><br>"}, "body", "Please write the notice."),
    ({"title": "x" * 121}, "title", "Please use at most 120 characters."),
    ({"body": "x" * 2001}, "body", "Please use at most 2000 characters."),
    ({"ends_on": "2026-11-19"}, "ends_on", "The last day to show it cannot be in the past."),
    ({"ends_on": "2026-02-30"}, "ends_on", "Please give a date as year-month-day."),
    ({"audience": "999"}, "audience", "Choose who the notice is for from the list."),
    ({"audience": "nonsense"}, "audience", "Choose who the notice is for from the list."),
])
def test_bad_input__message_beside_the_field_and_nothing_saved(login_as, values, name, message):
    coordinator = login_as("coordinator")
    response = send(coordinator, **values)
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), name) == [message]
    assert Notice.select().count() == 0
    assert audits("notice.created") == []


def test_service__refuses_an_archived_group(app, groups):
    from hub.groups.service import set_archived

    with app.app_context(), database.connection_context():
        set_archived(groups["care"], True)
        with pytest.raises(NoticeError) as refused:
            create_notice(account("coordinator"), Draft(str(groups["care"].id), "Title", "Text"), TODAY)
        assert refused.value.field == "audience"
        assert Notice.select().count() == 0


def test_created__is_audited_with_urgency(login_as):
    send(login_as("coordinator"))
    (event,) = audits("notice.created")
    assert (event.username, event.object_type, event.detail) == ("coordinator", "notice", "urgent")


def test_read_only_hub__still_shows_alerts(app, login_as):
    send(login_as("coordinator"))
    member = login_as("member")
    database.read_only = True
    try:
        assert ALERT["title"] in text(member.get("/"))
    finally:
        database.read_only = False
    assert Receipt.select().count() == 0


# Untrusted text.

def test_payloads__through_every_text_field_of_a_notice_and_every_page(login_as):
    coordinator, member = login_as("coordinator"), login_as("member")
    for payload in PAYLOADS:
        response = send(coordinator, title=payload[:120], body=payload + " text")
        if response.status_code == 200:  # refused (e.g. nothing left once cleaned): shown back, escaped
            assert executable_markup(response.get_data(as_text=True)) == [], payload
            continue
        notice = newest()
        assert notice.title == " ".join(payload[:120].split())
        pages = {"home": member.get("/"), "list": member.get("/notices"), "view": member.get(f"/notices/{notice.id}"),
                 "sender": coordinator.get(f"/notices/{notice.id}"), "past": member.get("/notices?show=past")}
        for name, page in pages.items():
            assert page.status_code == 200, (name, payload)
            assert executable_markup(page.get_data(as_text=True)) == [], (name, payload)
        assert str(escape(notice.title)) in pages["home"].get_data(as_text=True), payload
        acknowledge(member, notice)
