"""Taking attendance on a phone in a real browser: a facilitator signs in at 360 px, finds the session under
"my next sessions", taps the children who are away, and saves; with JavaScript the taps survive a reload."""

import subprocess
import sys
import textwrap

import pytest
from playwright.sync_api import expect

from tests.server import add_user, hub_environment, run_command, running_hub

pytestmark = pytest.mark.browser

PHONE = (360, 640)
FACILITATOR, PIN = "asha", "246810"
CHILDREN = ("Anita", "Babu", "Chitra", "Deepa", "Esha", "Farhan", "Gita", "Hari", "Imran", "Jaya", "Kiran",
            "Lata")
# One session for each test: the one with JavaScript, the one without.
PLACES = ("Banyan tree", "School yard")

SETUP = textwrap.dedent("""
    import sys
    from datetime import date, datetime, time

    from hub.app import create_app
    from hub.auth.models import User
    from hub.db import database
    from hub.groups.service import create_group, set_groups_of
    from hub.people.models import GroupMember, Person
    from hub.sessions.service import MeetingPlan, create_meeting

    data_dir, children, places = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
    app = create_app({"DATA_DIR": data_dir})
    with app.app_context(), database.connection_context(), database.atomic():
        asha = User.get(User.username == "asha")
        User.update(must_change_secret=False).where(User.id == asha.id).execute()
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
""")


@pytest.fixture(scope="module")
def village_dir(tmp_path_factory):
    """A hub with a coordinator, a children's group of 12 with consent, its facilitator (PIN known, no
    change needed) and two sessions planned for today with her as facilitator."""
    data_dir = tmp_path_factory.mktemp("attendance-hub") / "instance"
    run_command(["init"], data_dir)
    add_user(data_dir, "coordinator", "coordinator", "village-lead-secret-1")
    add_user(data_dir, FACILITATOR, "facilitator", PIN)
    subprocess.run([sys.executable, "-c", SETUP, str(data_dir), ",".join(CHILDREN), ",".join(PLACES)],
                   env=hub_environment(data_dir), capture_output=True, text=True, check=True, timeout=60)
    return data_dir


@pytest.fixture(scope="module")
def hub_url(village_dir):
    """Overrides the demo hub of tests/browser/conftest.py: `visit` opens pages of this village."""
    with running_hub(village_dir) as base_url:
        yield base_url


def sign_in(visit):
    visit.goto("/login")
    visit.page.fill("input[name=username]", FACILITATOR)
    visit.page.fill("input[name=password]", PIN)
    visit.page.get_by_role("button", name="Sign in").click()
    expect(visit.page.get_by_role("button", name="Sign out")).to_be_visible()


def open_roster(visit, place):
    """From the home page, the session at place under "my next sessions"."""
    visit.goto("/")
    mine = visit.page.locator("section", has=visit.page.get_by_role("heading", name="My next sessions"))
    expect(mine).to_be_visible()
    mine.get_by_role("link", name=place).click()
    expect(visit.page.get_by_role("heading", level=1)).to_contain_text("Attendance")
    return visit.page.url


def tap(page, name):
    page.locator(".names label", has_text=name).click()


def ticked(page):
    return [page.locator(".names label", has_text=name).locator("input").is_checked() for name in CHILDREN]


def group_rate(visit):
    """The attendance line of the group's page, reached through the menu."""
    visit.goto("/groups")
    visit.page.get_by_role("link", name="Sunflower children's group").click()
    section = visit.page.locator("section", has=visit.page.get_by_role("heading", name="Attendance"))
    return section.locator("p").first.inner_text()


def test_roster__taps_survive_a_reload_then_save(visit, screenshots):
    phone = visit(*PHONE)
    sign_in(phone)
    assert group_rate(phone) == "No attendance recorded yet."
    roster_url = open_roster(phone, PLACES[0])
    page = phone.page
    expect(page.locator(".count")).to_have_text("Present: 12 of 12")
    for name in ("Babu", "Gita", "Lata"):
        tap(page, name)
    expect(page.locator(".count")).to_have_text("Present: 9 of 12")

    page.reload()
    away = [name not in ("Babu", "Gita", "Lata") for name in CHILDREN]
    assert ticked(page) == away  # kept in the phone while not saved
    expect(page.locator(".count")).to_have_text("Present: 9 of 12")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    page.screenshot(path=screenshots / "roster-360.png", full_page=True)

    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("9 present of 12 on the roster")).to_be_visible()
    expect(page.get_by_text("Absent: 3")).to_be_visible()
    meeting_id = roster_url.rstrip("/").split("/")[-2]
    assert page.evaluate(f"localStorage.getItem('hub-roster-{meeting_id}')") is not None  # until next opened
    page.goto(roster_url)
    assert ticked(page) == away  # from the server now
    assert page.evaluate(f"localStorage.getItem('hub-roster-{meeting_id}')") is None  # the old draft is gone
    assert group_rate(phone).startswith("75% of the children on the roster came")  # the group's rate moved
    phone.page.screenshot(path=screenshots / "group-after-attendance-360.png", full_page=True)
    phone.assert_clean()


def test_roster__works_without_javascript(visit, screenshots):
    phone = visit(*PHONE, javascript=False)
    sign_in(phone)
    open_roster(phone, PLACES[1])
    page = phone.page
    expect(page.locator(".count")).to_be_hidden()
    for name in ("Chitra", "Imran"):
        tap(page, name)
    assert ticked(page) == [name not in ("Chitra", "Imran") for name in CHILDREN]
    page.get_by_text("Guests not on the list").click()
    page.get_by_label("Female 10-14").fill("2")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    page.screenshot(path=screenshots / "roster-360-no-js.png", full_page=True)
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("10 present of 12 on the roster")).to_be_visible()
    expect(page.get_by_text("Guests not on the list: 2")).to_be_visible()
    phone.assert_clean()
