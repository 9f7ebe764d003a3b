"""An urgent alert in a real browser: on a 360 px phone without JavaScript, the demo coordinator finds the
missing-child alert at the top of the home page, taps "I have read it", and the alert is gone; the case worker
who sent it sees who has read it. This acknowledges the shared demo hub's alert for the coordinator; no other
browser test depends on that alert."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_home import sign_in

pytestmark = pytest.mark.browser


def test_alert__acknowledged_with_one_tap_on_a_phone_without_javascript(visit, demo_hub, screenshots):
    coordinator = visit(360, 640, javascript=False)
    sign_in(coordinator, demo_hub, "coordinator")
    page = coordinator.page
    coordinator.goto("/")
    alert = page.locator("section.alert").first
    expect(alert.get_by_role("heading", level=2)).to_contain_text("Missing child")
    box = alert.bounding_box()
    assert box is not None and box["y"] < 640  # on the first screen, above the emergency numbers
    title = alert.get_by_role("heading", level=2).inner_text().strip()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=screenshots / "alert-360-coordinator.png", full_page=True)

    alert.get_by_role("button", name="I have read it").click()
    expect(page.get_by_text("The sender can see that you have read it.")).to_be_visible()
    expect(page.get_by_role("heading", name=title)).to_have_count(0)
    coordinator.goto("/")
    expect(page.get_by_role("heading", name=title)).to_have_count(0)
    coordinator.assert_clean()

    sender = visit(360, 640, javascript=False)
    sign_in(sender, demo_hub, "caseworker")
    sender.goto("/notices")
    sender.page.get_by_role("link", name=title).click()
    expect(sender.page.get_by_text("3 of 4 have seen it; 3 have tapped")).to_be_visible()
    assert sender.page.evaluate("document.documentElement.scrollWidth") <= 360
    sender.page.screenshot(path=screenshots / "alert-receipts-360.png", full_page=True)
    sender.assert_clean()
