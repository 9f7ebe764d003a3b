"""Away from the hub in a real browser (Debian chromium, its network cut with `context.set_offline`): a phone that
opened the hub once fills in a concern, a roster and a follow-up visit out of range; the browser is closed and
reopened; back in range each arrives exactly once and a resend is answered "already received"; a kept form
expires after a warning; signing out wipes what was kept after a warning; a roster changed on the hub meanwhile
shows the difference and the person chooses."""

import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from datetime import datetime, timedelta
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.server import add_user, hub_environment, run_command, running_hub

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 640}
FACILITATOR, PIN = "asha", "246810"
CASE_WORKER, PASSWORD = "ravi", "case-worker-visits-1"
CHILDREN = ("Anita", "Babu", "Chitra", "Deepa", "Esha")
PLACES = ("Banyan tree", "School yard")
KEPT = "Kept on this phone; it will be sent when you are back near the hub."

SETUP = textwrap.dedent("""
    import sys
    from datetime import date, datetime, time, timedelta

    from hub.app import create_app
    from hub.auth.models import User
    from hub.cases.models import Case
    from hub.db import database
    from hub.groups.service import create_group, set_groups_of
    from hub.people.models import GroupMember, Person
    from hub.sessions.service import MeetingPlan, create_meeting

    data_dir, children, places = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
    app = create_app({"DATA_DIR": data_dir})
    with app.app_context(), database.connection_context(), database.atomic():
        User.update(must_change_secret=False).execute()
        asha, ravi = User.get(User.username == "asha"), User.get(User.username == "ravi")
        group = create_group("Sunflower children's group", "childrens_group")
        set_groups_of(asha, [group.id])
        for name in children:
            person = Person.create(name=name, name_key=name.lower(), sex="female", birth_year=2015,
                                   consent_by="guardian", consent_on=date(2026, 1, 5), created_at=datetime.now())
            GroupMember.create(group=group, person=person, joined_on=date(2026, 1, 5))
        for hour, place in zip((10, 16), places):
            plan = MeetingPlan(kind="life_skills", starts_at=datetime.combine(date.today(), time(hour)),
                               place=place, facilitator_ids=(asha.id,))
            create_meeting(group, plan, asha, date.today())
        Case.create(category="school_dropout", child_description="Ravi's visit: girl of 12, blue door",
                    place="Upper hamlet", what_happened="<p>SECRET NARRATIVE</p>", reported_at=datetime.now(),
                    status="follow_up", risk="medium", assigned_to=ravi, next_follow_up=date.today())
""")


@pytest.fixture(scope="module")
def village_dir(tmp_path_factory):
    """A hub with a facilitator (a group of five, two sessions planned today) and a case worker holding one
    open case due for a visit today."""
    data_dir = tmp_path_factory.mktemp("offline-hub") / "instance"
    run_command(["init"], data_dir)
    add_user(data_dir, "coordinator", "coordinator", "village-lead-secret-1")
    add_user(data_dir, FACILITATOR, "facilitator", PIN)
    add_user(data_dir, CASE_WORKER, "case_worker", PASSWORD)
    subprocess.run([sys.executable, "-c", SETUP, str(data_dir), ",".join(CHILDREN), ",".join(PLACES)],
                   env=hub_environment(data_dir), capture_output=True, text=True, check=True, timeout=60)
    return data_dir


@pytest.fixture(scope="module")
def hub_url(village_dir):
    with running_hub(village_dir) as base_url:
        yield base_url


def rows(village_dir, sql, *args):
    with closing(sqlite3.connect(village_dir / "hub.sqlite3")) as connection:
        return connection.execute(sql, args).fetchall()


class Phone:
    """A phone's browser with a profile on disk: closing it and opening it again keeps what it stored."""

    def __init__(self, browser, base_url, profile):
        self.browser, self.base_url, self.profile = browser, base_url, profile
        self.context = self.page = None
        self.sent = []  # the outbox's deliveries seen from the page: (url, form body)

    def open(self):
        self.context = self.browser.browser_type.launch_persistent_context(
            str(self.profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, viewport=PHONE, locale="en-US",
            service_workers="allow")
        self.context.route(lambda url: not url.startswith(self.base_url + "/"), lambda route: route.abort())
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.page.on("request", lambda request: "/offline/send/" in request.url
                     and self.sent.append((request.url, request.post_data)))
        return self

    def close(self):
        self.context.close()

    def goto(self, path):
        return self.page.goto(self.base_url + path)

    def sign_in(self, username, secret):
        self.goto("/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", secret)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_role("button", name="Sign out")).to_be_visible()

    def ready(self, path):
        """Wait until the service worker looks after the page and the phone keeps path ready out of range."""
        self.until("navigator.serviceWorker.controller !== null && window.HubOutbox && HubOutbox.ready === true")
        assert self.page.evaluate("p => caches.open('hub-pages').then(c => c.match(p)).then(Boolean)", path)

    def settled(self, after=1):
        """Wait until the page has tried to send what was kept and shown the outcome (after `after` updates)."""
        self.until(f"window.HubOutbox && HubOutbox.shown > {int(after)}")

    def until(self, condition, tries=600):
        """Poll condition in the page (the page's policy forbids Playwright's wait_for_function)."""
        for _ in range(tries):
            if self.page.evaluate(condition):
                return
            self.page.wait_for_timeout(100)
        raise AssertionError(f"never true in the page: {condition}")

    def kept(self):
        return self.page.evaluate("HubOutbox.items().then(list => list.length)")


@pytest.fixture
def phone(browser, hub_url, tmp_path):
    phones = []

    def open_phone(name="phone"):
        made = Phone(browser, hub_url, tmp_path / name).open()
        phones.append(made)
        return made

    yield open_phone
    for made in phones:
        try:
            made.close()
        except Exception:  # closed by the test already
            pass


def resend(page, url, body):
    """Deliver a submission the outbox sent once more, with a fresh token, as a retry would."""
    return page.evaluate("""async ([url, body]) => {
        const token = await (await fetch('/offline/token')).json();
        const form = new URLSearchParams(body); form.set('csrf_token', token.token);
        return (await fetch(url, {method: 'POST', body: form})).json(); }""", [url, body])


def key_of(body):
    """The idempotency key of a form body the outbox sent."""
    return parse_qs(body)["idempotency_key"][0]


def roster_url(village_dir, place):
    (meeting_id,) = rows(village_dir, "SELECT id FROM meeting WHERE place = ?", place)[0]
    return f"/sessions/{meeting_id}/roster"


def test_out_of_range__concern_roster_and_visit_arrive_once_after_the_browser_reopens(phone, village_dir,
                                                                                        screenshots):
    roster = roster_url(village_dir, PLACES[0])
    facilitator = phone("asha")
    facilitator.sign_in(FACILITATOR, PIN)
    facilitator.goto("/")
    facilitator.ready(roster)
    facilitator.context.set_offline(True)

    facilitator.goto(roster)  # from the phone's copy
    page = facilitator.page
    page.locator(".names label", has_text="Babu").click()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text(KEPT)).to_be_visible()
    page.screenshot(path=screenshots / "offline-kept-360.png", full_page=True)

    facilitator.goto("/concerns/new")
    page.get_by_role("radio", name="No", exact=True).check()
    page.get_by_label("What is the concern about?").select_option("child_labour")
    page.get_by_label("Which child?").fill("Boy of 10 at the brick kiln, far hamlet")
    page.get_by_label("What happened?").fill("Carrying bricks at dawn")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text(KEPT)).to_be_visible()
    facilitator.goto("/")
    expect(page.locator("#outbox-note")).to_contain_text("Kept on this phone, not yet sent: 2.")
    page.screenshot(path=screenshots / "offline-count-360.png", full_page=True)
    facilitator.close()
    assert rows(village_dir, "SELECT count(*) FROM case_file WHERE child_description LIKE 'Boy of 10%'") == [(0,)]

    facilitator.open()  # the browser opened again, back in range: she signs in, and the outbox sends
    facilitator.sign_in(FACILITATOR, PIN)
    expect(facilitator.page.locator("#outbox-note")).to_have_count(0)
    facilitator.settled()
    assert facilitator.kept() == 0
    assert rows(village_dir, "SELECT count(*) FROM case_file WHERE child_description LIKE 'Boy of 10%'") == [(1,)]
    meeting_id = int(roster.split("/")[2])
    assert rows(village_dir, "SELECT p.name FROM attendance a JOIN person p ON p.id = a.person_id "
                "WHERE a.meeting_id = ? AND a.status = 'absent'", meeting_id) == [("Babu",)]
    # Two submissions, each under its own key (a request the browser reports twice is still one key), each
    # stored once by the hub.
    assert len({key_of(body) for _, body in facilitator.sent}) == 2
    assert rows(village_dir, "SELECT kind, count(*) FROM offline_receipt WHERE user_id = "
                "(SELECT id FROM user_account WHERE username = ?) GROUP BY kind ORDER BY kind", FACILITATOR) == [
        ("concern", 1), ("roster", 1)]

    # The same submission delivered again (a retry after a lost answer) is answered "already received".
    url, body = next(sent for sent in facilitator.sent if sent[0].endswith("/offline/send/concern"))
    assert resend(facilitator.page, url, body) == {"status": "already"}
    assert rows(village_dir, "SELECT count(*) FROM case_file WHERE child_description LIKE 'Boy of 10%'") == [(1,)]


def test_out_of_range__a_follow_up_visit_without_the_narrative(phone, village_dir, screenshots):
    (case_id,) = rows(village_dir, "SELECT id FROM case_file WHERE place = 'Upper hamlet'")[0]
    worker = phone("ravi")
    worker.sign_in(CASE_WORKER, PASSWORD)
    worker.goto("/")
    worker.ready(f"/cases/{case_id}/visit")
    cached = worker.page.evaluate("p => caches.open('hub-pages').then(c => c.match(p)).then(r => r.text())",
                                  f"/cases/{case_id}/visit")
    assert "blue door" in cached and "SECRET NARRATIVE" not in cached
    worker.context.set_offline(True)
    worker.goto(f"/cases/{case_id}/visit")
    page = worker.page
    page.get_by_label("Progress notes").fill("Back at school, mother agrees")
    page.screenshot(path=screenshots / "offline-visit-360.png", full_page=True)
    page.get_by_role("button", name="Save the visit").click()
    expect(page.get_by_text(KEPT)).to_be_visible()
    assert worker.kept() == 1
    assert rows(village_dir, "SELECT count(*) FROM follow_up WHERE case_id = ?", case_id) == [(0,)]
    worker.close()
    worker.open()  # the browser opened again, back in range
    worker.sign_in(CASE_WORKER, PASSWORD)
    worker.settled()
    assert worker.kept() == 0
    assert rows(village_dir, "SELECT progress FROM follow_up WHERE case_id = ?", case_id) == [
        ("Back at school, mother agrees",)]
    assert len({key_of(body) for _, body in worker.sent}) == 1
    url, body = worker.sent[0]
    assert resend(worker.page, url, body) == {"status": "already"}
    assert rows(village_dir, "SELECT count(*) FROM follow_up WHERE case_id = ?", case_id) == [(1,)]


def test_out_of_range__a_roster_changed_on_the_hub_shows_the_difference(phone, village_dir, screenshots):
    roster = roster_url(village_dir, PLACES[1])
    meeting_id = int(roster.split("/")[2])
    field = phone("field")
    field.sign_in(FACILITATOR, PIN)
    field.goto("/")
    field.ready(roster)
    field.context.set_offline(True)
    field.goto(roster)
    for name in ("Chitra", "Deepa"):
        field.page.locator(".names label", has_text=name).click()
    field.page.get_by_role("button", name="Save attendance").click()
    expect(field.page.get_by_text(KEPT)).to_be_visible()

    hub = phone("hub")  # meanwhile, on another phone near the hub: everyone present but Esha
    hub.sign_in(FACILITATOR, PIN)
    hub.goto(roster)
    hub.page.locator(".names label", has_text="Esha").click()
    hub.page.get_by_role("button", name="Save attendance").click()
    expect(hub.page.get_by_text("4 present of 5 on the roster")).to_be_visible()

    field.context.set_offline(False)
    field.goto("/offline/")
    field.settled()
    conflict = field.page.locator(".outbox-conflict")
    expect(conflict).to_contain_text("Changed on the hub since this was filled in")
    for name, theirs, mine in (("Chitra", "Present", "Absent"), ("Deepa", "Present", "Absent"),
                               ("Esha", "Absent", "Present")):
        expect(conflict.locator("tr", has_text=name)).to_have_text(f"{name}{theirs}{mine}")
    field.page.screenshot(path=screenshots / "offline-conflict-360.png", full_page=True)
    assert rows(village_dir, "SELECT count(*) FROM attendance WHERE meeting_id = ? AND status = 'absent'",
                meeting_id) == [(1,)]  # nothing was overwritten
    shown = field.page.evaluate("HubOutbox.shown")
    field.page.get_by_role("button", name="Send mine").click()
    field.settled(shown)
    assert field.kept() == 0
    assert sorted(rows(village_dir, "SELECT p.name FROM attendance a JOIN person p ON p.id = a.person_id "
                       "WHERE a.meeting_id = ? AND a.status = 'absent'", meeting_id)) == [("Chitra",), ("Deepa",)]


def fill_concern(page, child):
    page.get_by_role("radio", name="No", exact=True).check()
    page.get_by_label("What is the concern about?").select_option("child_marriage")
    page.get_by_label("Which child?").fill(child)
    page.get_by_label("What happened?").fill("Wedding planned next month")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text(KEPT)).to_be_visible()


def test_out_of_range__a_kept_form_expires_after_a_warning(phone, village_dir):
    anyone = phone("anyone")  # no account: the concern form is for everyone
    anyone.goto("/concerns/new")
    anyone.ready("/concerns/new")
    anyone.context.set_offline(True)
    anyone.goto("/concerns/new")
    fill_concern(anyone.page, "Girl of 14, expiring")
    now = datetime.now()
    anyone.context.clock.set_system_time(now + timedelta(days=13))
    anyone.goto("/offline/")
    expect(anyone.page.locator("#outbox-note")).to_contain_text("Not sent by")  # the warning, two days before
    anyone.context.clock.set_system_time(now + timedelta(days=15))
    anyone.goto("/offline/")
    expect(anyone.page.get_by_text("Nothing is waiting on this phone.")).to_be_visible()
    expect(anyone.page.locator("#outbox-note")).to_have_count(0)
    anyone.context.set_offline(False)
    anyone.goto("/")
    assert rows(village_dir, "SELECT count(*) FROM case_file WHERE child_description = ?",
                "Girl of 14, expiring") == [(0,)]


def test_signing_out__wipes_what_was_kept_after_a_warning(phone, village_dir):
    shared = phone("shared")
    shared.sign_in(FACILITATOR, PIN)
    shared.goto("/")
    shared.ready("/concerns/new")
    shared.context.set_offline(True)
    shared.goto("/concerns/new")
    fill_concern(shared.page, "Girl of 15, wiped")
    messages = []

    def answer(dialog):
        messages.append(dialog.message)
        dialog.dismiss() if len(messages) == 1 else dialog.accept()

    shared.page.on("dialog", answer)
    shared.page.get_by_role("button", name="Sign out").click()
    expect(shared.page.locator("#outbox-note")).to_contain_text("not yet sent: 1")  # dismissed: nothing lost
    assert shared.kept() == 1
    shared.page.get_by_role("button", name="Sign out").click()  # accepted: wiped before anything else
    try:
        shared.page.wait_for_url(lambda url: "/offline/" not in url)
    except PlaywrightError as error:  # the sign-out itself cannot reach the hub out of range
        assert "ERR_INTERNET_DISCONNECTED" in str(error)
    assert messages[0].startswith("Forms kept on this phone and not yet sent: 1. Signing out deletes them.")
    shared.context.set_offline(False)
    shared.goto("/")
    assert shared.kept() == 0  # wiped before the sign-out was even sent
    sign_out = shared.page.get_by_role("button", name="Sign out")
    if sign_out.count():  # the sign-out itself was lost out of range: signing out again asks nothing
        sign_out.click()
    expect(shared.page.get_by_role("link", name="Sign in")).to_be_visible()
    assert len(messages) == 2
    shared.settled()
    pages = shared.page.evaluate("""caches.open('hub-pages').then(c => c.keys()).then(keys => Promise.all(
        keys.map(key => caches.match(key).then(r => r.text()).then(text => [new URL(key.url).pathname, text]))))""")
    assert sorted(path for path, _ in pages) == ["/concerns/new", "/offline/"]  # what anyone may have, no more
    assert not any("Signed in as" in text for _, text in pages)
    assert rows(village_dir, "SELECT count(*) FROM case_file WHERE child_description = 'Girl of 15, wiped'") == [(0,)]
