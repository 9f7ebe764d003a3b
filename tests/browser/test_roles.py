"""Need to know in a real browser: each role signs in and sees only what it may open."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_home import sign_in

pytestmark = pytest.mark.browser

# username in the demo -> the pages its "More" menu lists (every signed-in role reads the directory and
# the protocols; only case staff reach cases; only the coordinator the accounts, village and audit log)
EVERYONE = ("Services directory", "Protocols", "Notices", "Action plans")
MENUS = {
    "coordinator": ("Cases", "Migration register", "School status", *EVERYONE, "Topics", "My record", "Accounts",
                    "Village", "Audit log", "Savings"),
    "caseworker": ("Cases", "Migration register", "School status", *EVERYONE, "Topics", "My record"),
    "facilitator": ("School status", *EVERYONE, "Topics", "My record"),
    "member": (*EVERYONE, "Migration register",  # the demo member sits on the vigilance committee
               "Savings"),  # and is the mothers' group's treasurer
}
ALL_PAGES = sorted({label for labels in MENUS.values() for label in labels})


@pytest.mark.parametrize("username", sorted(MENUS))
def test_each_role__menu_and_pages_follow_need_to_know(visit, demo_hub, screenshots, username):
    page = visit(360, 640)
    sign_in(page, demo_hub, username)
    menu = page.page.get_by_role("navigation")
    menu.locator("summary").click()  # a <details> menu: opens without JavaScript
    for label in ALL_PAGES:
        links = menu.get_by_role("link", name=label, exact=True)
        expect(links).to_have_count(1 if label in MENUS[username] else 0)
        if label in MENUS[username]:
            expect(links).to_be_visible()
    expect(menu.get_by_role("button", name="Sign out")).to_be_visible()

    response = page.page.goto(page.base_url + "/accounts")
    if "Accounts" in MENUS[username]:
        assert response.status == 200
        expect(page.page.get_by_role("heading", level=1)).to_contain_text("Accounts")
    else:
        assert response.status == 403
        expect(page.page.get_by_role("heading", level=1)).to_contain_text("You may not open this page")
        page.failed_responses.clear()  # the 403 was the point, and chromium logs it as an error
        page.console_errors.clear()
    assert page.page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    page.page.screenshot(path=screenshots / f"roles-{username}.png", full_page=True)

    page.page.goto(page.base_url + "/")
    page.page.get_by_role("button", name="Sign out").click()
    expect(page.page.get_by_role("link", name="Sign in")).to_be_visible()
    assert page.page.goto(page.base_url + "/account/secret").url.startswith(page.base_url + "/login")
    page.assert_clean()


def test_visitor__sees_no_menu_behind_sign_in(visit, demo_hub):
    page = visit(360, 640)
    page.goto("/")
    expect(page.page.get_by_role("navigation").get_by_role("link", name="Accounts")).to_have_count(0)
    assert page.page.goto(page.base_url + "/audit").url.startswith(page.base_url + "/login?next=/audit")
    page.assert_clean()
