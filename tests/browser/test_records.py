"""Records people can trust, on a 360 px phone in a real browser: two children of one name told apart on
the roster, attendance refused before the session's day, a new account a member unless chosen otherwise,
dates with the month as a word, and pages that fit the screen or scroll in a focusable, labelled region."""

import re
import subprocess
import sys
import textwrap

import pytest
from playwright.sync_api import expect

from tests.server import add_user, hub_environment, run_command, running_hub

pytestmark = pytest.mark.browser

PHONE = (360, 640)
FACILITATOR, PIN = "asha", "246810"
COORDINATOR, PASSWORD = "coordinator", "village-lead-secret-1"
LONG_HELPLINE = "Defensoría Municipal del Niño, Niña y Adolescente de Lurigancho-Chosica"

SETUP = textwrap.dedent("""
    import sys
    from datetime import date, datetime, time, timedelta

    from hub.app import create_app
    from hub.auth.models import User
    from hub.db import database
    from hub.groups.service import create_group, set_groups_of
    from hub.people.models import GroupMember, Person
    from hub.savings.models import SavingsMember
    from hub.savings.cycles import create_cycle, link_account
    from hub.savings.entries import record_entry
    from hub.sessions.models import Meeting
    from hub.village.service import save_village

    data_dir, facilitator, helpline = sys.argv[1], sys.argv[2], sys.argv[3]
    app = create_app({"DATA_DIR": data_dir})
    with app.app_context(), database.connection_context(), database.atomic():
        save_village("Chosica", "PE", languages=("es", "en"),
                     numbers=[("other", helpline, "100"), ("police", "105")])
        group = create_group("Older children", "childrens_group")
        for name, year, hamlet in (("Ajay Das", 2012, "Char Para"), ("Ajay Das", 2015, "Ghat Para"),
                                   ("Babu", 2013, "Char Para")):
            person = Person.create(name=name, name_key=name.lower(), sex="male", birth_year=year, hamlet=hamlet,
                                   consent_by="mother", consent_on=date(2026, 1, 5), created_at=datetime.now())
            GroupMember.create(group=group, person=person, joined_on=date(2026, 1, 5))
        User.update(must_change_secret=False).execute()
        user = User.get(User.username == facilitator)
        set_groups_of(user, [group.id])
        for day, place in ((date.today(), "Today"), (date.today() + timedelta(days=7), "Next week")):
            Meeting.create(group=group, kind="life_skills", starts_at=datetime.combine(day, time(16)),
                           status="planned", place=place, created_at=datetime.now())
        mothers = create_group("Lotus mothers", "mothers_group")
        person = Person.create(name="Shabnam Das", name_key="shabnam das", sex="female", birth_year=1990,
                               consent_by="herself", consent_on=date(2026, 1, 5), created_at=datetime.now())
        GroupMember.create(group=mothers, person=person, joined_on=date(2026, 1, 5))
        start = date.today() - timedelta(days=60)
        cycle = create_cycle(mothers, "Lotus savings", start, start + timedelta(days=365), "50", "10", "2")
        member = SavingsMember.get()
        for amount in ("1250", "350", "100", "2000", "50", "12500"):
            record_entry(cycle, "deposit", amount, start + timedelta(days=3), member=member)
""")


@pytest.fixture(scope="module")
def village_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("records-hub") / "instance"
    run_command(["init"], data_dir)
    add_user(data_dir, COORDINATOR, "coordinator", PASSWORD)
    add_user(data_dir, FACILITATOR, "facilitator", PIN)
    subprocess.run([sys.executable, "-c", SETUP, str(data_dir), FACILITATOR, LONG_HELPLINE],
                   env=hub_environment(data_dir), capture_output=True, text=True, check=True, timeout=60)
    return data_dir


@pytest.fixture(scope="module")
def hub_url(village_dir):
    """Overrides the demo hub of tests/browser/conftest.py: `visit` opens pages of this village."""
    with running_hub(village_dir) as base_url:
        yield base_url


def signed_in(visit, username, secret, javascript=True):
    phone = visit(*PHONE, javascript=javascript)
    phone.goto("/login")
    phone.page.fill("input[name=username]", username)
    phone.page.fill("input[name=password]", secret)
    phone.page.locator("form button[type=submit]").last.click()
    expect(phone.page.locator("form[action='/logout']")).to_have_count(1)
    return phone


def session_link(page, place):
    return page.locator("li", has_text=place).locator("a").first


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_roster__namesakes_told_apart_and_a_session_next_week_refused(visit, javascript):
    phone = signed_in(visit, FACILITATOR, PIN, javascript)
    page = phone.page
    phone.goto("/sessions")
    session_link(page, "Today").click()
    page.locator("a[href$='/roster']").first.click()
    names = page.locator(".names label")
    expect(names.filter(has_text="Ajay Das")).to_have_count(2)
    expect(names.filter(has_text="b. 2012 · Char Para")).to_have_count(1)
    expect(names.filter(has_text="b. 2015 · Ghat Para")).to_have_count(1)
    expect(names.filter(has_text="Babu").locator("small")).to_have_count(0)  # no namesake: just the name
    phone.goto("/sessions")
    session_link(page, "Next week").click()
    page.locator("a[href$='/roster']").first.click()
    page.get_by_role("button", name="Everyone is here: save").click()
    expect(page.get_by_text("attendance can be recorded from the session's day")).to_be_visible()
    phone.goto("/sessions")
    expect(session_link(page, "Next week")).to_be_visible()
    assert "Held" not in page.locator("li", has_text="Next week").first.inner_text()
    phone.assert_clean()


def test_new_account__is_a_member_unless_a_higher_role_is_chosen(visit):
    phone = signed_in(visit, COORDINATOR, PASSWORD)
    phone.goto("/accounts/new")
    role = phone.page.get_by_label("Role")
    expect(role).to_have_value("member")
    assert role.locator("option").all_inner_texts()[0] == "Member"
    phone.assert_clean()


def overflowing(page):
    """Elements wider than the screen's width, or scrolled sideways without being a focusable labelled
    region (axe: scrollable-region-focusable): [(tag, class, text)]."""
    return page.evaluate("""() => {
        const found = [];
        const width = document.documentElement.clientWidth;
        const whole = document.documentElement.scrollWidth;
        if (whole > width) found.push(["document", "", String(whole)]);
        for (const el of document.querySelectorAll("body *")) {
            const style = getComputedStyle(el);
            const scrolls = el.scrollWidth > el.clientWidth + 1 && ["auto", "scroll"].includes(style.overflowX);
            if (scrolls && !(el.tabIndex >= 0 && (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby"))))
                found.push([el.tagName, el.className, el.textContent.slice(0, 40)]);
            const box = el.getBoundingClientRect();
            if (box.right > width + 1 && !el.closest(".scroll"))
                found.push([el.tagName, el.className, el.textContent.slice(0, 40)]);
        }
        return found;
    }""")


@pytest.mark.parametrize("path, language", [
    ("/concerns/new", "es"), ("/audit", "en"), ("/accounts", "en"), ("/savings", "en"), ("/people", "en")])
def test_narrow_screen__pages_fit_or_scroll_in_a_focusable_labelled_region(visit, path, language):
    phone = signed_in(visit, COORDINATOR, PASSWORD)
    page = phone.page
    page.context.add_cookies([{"name": "hub_lang", "value": language, "url": phone.base_url}])
    if path == "/savings":  # the passbook: running balances
        phone.goto("/savings")
        page.get_by_role("link", name="Lotus savings").click()
        page.locator("a[href*='/passbook/']").first.click()
    else:
        phone.goto(path)
    if path == "/concerns/new":
        expect(page.get_by_text(LONG_HELPLINE).first).to_be_visible()
    assert overflowing(page) == []
    for region in page.locator(".scroll").all():
        assert region.get_attribute("tabindex") == "0" and region.get_attribute("role") == "region"
        assert region.get_attribute("aria-label") or region.get_attribute("aria-labelledby")


def test_dates__the_month_as_a_word_everywhere(visit):
    phone = signed_in(visit, COORDINATOR, PASSWORD)
    for path in ("/audit", "/accounts"):
        phone.goto(path)
        body = phone.page.locator("main").inner_text()
        assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b", body), path
    phone.goto("/audit")
    assert re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}", phone.page.locator("main").inner_text())
