"""The home page in a real browser: what a phone on the village Wi-Fi shows, with and without JavaScript."""

import gettext
import re

import pytest
from playwright.sync_api import expect

from hub.i18n import LANGUAGES
from hub.paths import TRANSLATIONS_DIR
from tests.server import fetch

pytestmark = pytest.mark.browser

PHONE = (360, 640)
LAPTOP = (1280, 800)


def translation(language, message):
    """The compiled catalog's translation of message (what the server shows), or None while untranslated."""
    catalog = gettext.translation("messages", TRANSLATIONS_DIR, [language], fallback=True)
    translated = catalog.gettext(message)
    return translated if translated != message else None


def scroll_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def number_link(page, number):
    return page.get_by_role("link", name=re.compile(rf"(^|\D){re.escape(number)}($|\D)"))


def assert_village_and_numbers(page, demo_hub):
    name = page.get_by_text(demo_hub.village, exact=True).first
    expect(name).to_be_visible()
    assert name.inner_text().strip() == demo_hub.village
    for _, number in demo_hub.numbers:
        link = number_link(page, number)
        expect(link).to_be_visible()
        assert number in link.inner_text()
        assert link.get_attribute("href") == f"tel:{number}"  # one tap calls


def sign_in(visit, demo_hub, username):
    visit.goto("/login")
    visit.page.fill("input[name=username]", username)
    visit.page.fill("input[name=password]", demo_hub.logins[username])
    visit.page.get_by_role("button", name="Sign in").click()
    expect(visit.page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["360x640", "1280x800"])
def test_home__shows_village_and_emergency_numbers(visit, demo_hub, screenshots, size):
    width, height = size
    home = visit(width, height)
    home.goto("/")

    expect(home.page.locator("html")).to_have_attribute("lang", "en")
    assert_village_and_numbers(home.page, demo_hub)
    assert scroll_width(home.page) <= width
    home.page.screenshot(path=screenshots / f"home-{width}x{height}.png", full_page=True)
    home.assert_clean()


def test_home__child_helpline_is_on_the_first_screen_of_a_phone(visit, demo_hub):
    home = visit(*PHONE)
    home.goto("/")

    _, first_number = demo_hub.numbers[0]
    box = number_link(home.page, first_number).bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE[1], box


@pytest.mark.parametrize("username", [None, "coordinator"], ids=["visitor", "coordinator"])
def test_home__every_navigation_link_has_an_icon_beside_its_label(visit, demo_hub, hub_url, screenshots,
                                                                  username):
    home = visit(*PHONE)
    if username:
        sign_in(home, demo_hub, username)
    home.goto("/")
    if home.page.locator("nav summary").count():
        home.page.locator("nav summary").click()  # open the "More" menu so its links are laid out

    entries = home.page.eval_on_selector_all("header a, header button, header summary", """items => items.map(item => {
        const icon = item.querySelector("svg");
        const walker = document.createTreeWalker(item, NodeFilter.SHOW_TEXT,
            {acceptNode: node => node.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT});
        const text = walker.nextNode();
        const range = document.createRange();
        if (text) range.selectNodeContents(text);
        const rect = r => r && {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                                width: r.width, height: r.height};
        return {label: item.innerText.trim(), icon: icon && rect(icon.getBoundingClientRect()),
                text: text && rect(range.getBoundingClientRect())};
    })""")
    assert len(entries) >= 2, entries
    for entry in entries:
        assert entry["label"], entry
        icon, text = entry["icon"], entry["text"]
        assert icon and icon["width"] >= 16 and icon["height"] >= 16, f"no visible icon: {entry}"
        assert text["top"] < icon["bottom"] and icon["top"] < text["bottom"], f"icon not on the label's line: {entry}"
        assert 0 <= text["left"] - icon["right"] <= 16, f"icon not just before the label: {entry}"

    # Every icon the page uses exists in the sprite it points at.
    status, _, sprite = fetch(hub_url + "/static/icons.svg")
    assert status == 200
    symbols = set(re.findall(r'<symbol[^>]*\sid="([^"]+)"', sprite.decode()))
    used = home.page.eval_on_selector_all("svg use", "uses => uses.map(use => use.getAttribute('href'))")
    assert used
    for href in used:
        path, _, symbol = href.partition("#")
        assert path == "/static/icons.svg" and symbol in symbols, href

    assert scroll_width(home.page) <= PHONE[0]
    home.page.screenshot(path=screenshots / f"home-360x640-{username or 'visitor'}.png", full_page=True)
    home.assert_clean()


def test_home__works_without_javascript(visit, demo_hub, screenshots):
    home = visit(*PHONE, javascript=False)
    home.goto("/")

    assert_village_and_numbers(home.page, demo_hub)
    assert scroll_width(home.page) <= PHONE[0]
    home.page.screenshot(path=screenshots / "home-360x640-no-javascript.png", full_page=True)
    home.assert_clean()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_language_picker__reloads_the_page_in_spanish(visit, demo_hub, screenshots, javascript):
    home = visit(*PHONE, javascript=javascript)
    home.goto("/")

    home.page.get_by_role("link", name="Español").click()

    expect(home.page.locator("html")).to_have_attribute("lang", "es")
    assert home.page.url == home.base_url + "/"
    expect(home.page.get_by_role("link", name="Español")).to_have_attribute("aria-current", "true")
    heading = translation("es", "Emergency numbers")
    assert heading, "the Spanish catalog must translate the home page"
    expect(home.page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert_village_and_numbers(home.page, demo_hub)
    home.page.reload()  # the choice is remembered
    expect(home.page.locator("html")).to_have_attribute("lang", "es")
    home.page.screenshot(path=screenshots / f"home-360x640-es-{'js' if javascript else 'nojs'}.png",
                         full_page=True)
    home.assert_clean()


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_home__fits_a_360_px_screen_in_every_language(visit, demo_hub, screenshots, code):
    home = visit(*PHONE)
    home.goto("/")

    home.page.get_by_role("link", name=LANGUAGES[code]).click()

    expect(home.page.locator("html")).to_have_attribute("lang", code)
    assert scroll_width(home.page) <= PHONE[0]
    home.page.screenshot(path=screenshots / f"home-360x640-lang-{code}.png", full_page=True)
    home.assert_clean()
