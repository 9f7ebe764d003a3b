"""At the hub's plain http address (not a secure origin: not https, not the phone itself) browsers give pages no
service worker and no WebCrypto. There the outbox does nothing at all: no worker, no request of its own, no
error in the console, and the pages and their forms work as they do without JavaScript."""

import sqlite3
from contextlib import closing
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

HOST = "hub.test"  # a name, not loopback: chromium treats http://127.0.0.1 and http://localhost as secure


@pytest.fixture
def plain_http(browser, hub_url):
    """The demo hub at http://hub.test:PORT (resolved to loopback by this chromium only), and a fresh context."""
    port = urlsplit(hub_url).port
    chromium = browser.browser_type.launch(executable_path=str(CHROMIUM),
                                           args=CHROMIUM_ARGS + [f"--host-resolver-rules=MAP {HOST} 127.0.0.1"])
    base_url = f"http://{HOST}:{port}"
    context = chromium.new_context(viewport={"width": 360, "height": 640}, locale="en-US", service_workers="allow")
    context.route(lambda url: not url.startswith(base_url + "/"), lambda route: route.abort())
    try:
        yield base_url, context
    finally:
        context.close()
        chromium.close()


def test_plain_http__no_worker_no_outbox_and_the_concern_form_as_today(plain_http, demo_hub):
    base_url, context = plain_http
    page = context.new_page()
    paths, problems = [], []
    page.on("request", lambda request: paths.append(urlsplit(request.url).path))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(base_url + "/concerns/new")
    assert page.evaluate("window.isSecureContext") is False
    page.get_by_role("radio", name="No", exact=True).check()
    page.get_by_label("What is the concern about?").select_option("child_labour")
    page.get_by_label("Which child?").fill("Girl of 9 at the tea stall, plain http")
    page.get_by_label("What happened?").fill("Washing cups late at night")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(base_url + "/")

    with closing(sqlite3.connect(demo_hub.data_dir / "hub.sqlite3")) as connection:
        (saved,) = connection.execute("SELECT count(*) FROM case_file WHERE child_description = ?",
                                      ("Girl of 9 at the tea stall, plain http",)).fetchone()
    assert saved == 1  # posted as a plain form, saved at once
    assert page.evaluate("navigator.serviceWorker === undefined && !window.HubOutbox.ready")
    assert [path for path in paths if path == "/sw.js" or path.startswith("/offline/")] == []
    assert page.locator("#outbox-note").count() == 0
    # The one message left is chromium's about the hub's own Cross-Origin-Opener-Policy header, which it ignores at
    # an untrustworthy origin: the same on every page, with or without any script.
    assert [text for text in problems if "Cross-Origin-Opener-Policy" not in text] == []
