"""HTTPS in real chromium: https://hub.local is a secure context (so service workers and WebCrypto can run),
the phone set-up page says the phone is set up, and signing in over https does not break plain http.

Chromium here trusts the hub's certificate through `--ignore-certificate-errors-spki-list`, the public-key
hash of the hub's server certificate: it stands in for the village CA installed in a phone's settings, which
a test cannot do to Debian's chromium without NSS tools. A page served with an error the flag overrides is
still a secure context, so this proves what the browser does once it trusts the certificate; that the
village CA's chain, its name constraint and the name hub.local validate for real is proved by OpenSSL and
`cryptography` in tests/test_tls.py and tests/test_https.py. `--host-resolver-rules` plays the hub's DNS,
answering hub.local with 127.0.0.1.
"""

import os
from pathlib import Path

import pytest
from cryptography import x509
from playwright.sync_api import expect

from hub import tls
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.hubprocess import PASSWORDS, HubProcess, seed
from tests.server import free_port, run_command

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def secure_hub(tmp_path_factory):
    """(http origin, https origin, data folder) of a set-up hub served on both, addressed as hub.local."""
    data_dir = seed(tmp_path_factory.mktemp("browser-https") / "instance")
    run_command(["tls", "init"], data_dir)
    https_port = free_port()
    hub = HubProcess(data_dir, env={**os.environ, "COMMUNITYHUB_HTTPS_PORT": str(https_port)})
    try:
        hub.start()
        yield f"http://hub.local:{hub.port}", f"https://hub.local:{https_port}", data_dir
    finally:
        hub.close()


@pytest.fixture(scope="module")
def trusting_browser(browser, secure_hub):
    """Chromium that trusts the hub's certificate and resolves hub.local to loopback: launched beside the
    session's browser, by its Playwright (one Playwright per process)."""
    certificate = tls.load(tls.files(secure_hub[2]).cert)
    args = [*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={tls.spki_hash(certificate)}",
            "--host-resolver-rules=MAP hub.local 127.0.0.1"]
    chromium = browser.browser_type.launch(executable_path=str(CHROMIUM), args=args)
    yield chromium
    chromium.close()


def sign_in(page, origin):
    page.goto(origin + "/login")
    page.fill("input[name=username]", "coordinator")
    page.fill("input[name=password]", PASSWORDS["coordinator"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_https__a_secure_context__the_phone_is_set_up__plain_http_unharmed(trusting_browser, secure_hub,
                                                                           screenshots):
    http_origin, https_origin, data_dir = secure_hub
    context = trusting_browser.new_context(viewport={"width": 360, "height": 640}, locale="en-US",
                                           accept_downloads=True)
    outside = []
    context.route(lambda url: not url.startswith((http_origin + "/", https_origin + "/")),
                  lambda route: (outside.append(route.request.url), route.abort()))
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        response = page.goto(https_origin + "/")
        assert response.status == 200
        assert page.evaluate("window.isSecureContext") is True
        assert page.evaluate("typeof crypto.subtle === 'object' && 'serviceWorker' in navigator") is True

        sign_in(page, https_origin)
        page.get_by_role("navigation").locator("summary").click()
        page.get_by_role("link", name="Use this phone away from the hub").click()
        expect(page.get_by_text("This phone is set up")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
        page.screenshot(path=screenshots / "phone-setup-https.png", full_page=True)
        cookies = {cookie["name"]: cookie for cookie in context.cookies()}
        assert cookies["__Host-hub_session"]["secure"] and "hub_session" not in cookies

        # Plain http on the same host: not signed in there, and signing in works beside the Secure cookie.
        page.goto(http_origin + "/phone-setup")
        assert page.url.startswith(http_origin + "/login")
        assert page.evaluate("window.isSecureContext") is False  # why phones need the village CA
        sign_in(page, http_origin)
        page.goto(http_origin + "/phone-setup")
        expect(page.get_by_text("This phone is set up")).to_have_count(0)
        fingerprint = tls.fingerprint(tls.load(tls.files(data_dir).ca_cert))
        expect(page.locator("code.fingerprint")).to_have_text(fingerprint)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=screenshots / "phone-setup-http.png", full_page=True)
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the village certificate").click()
        assert download.value.suggested_filename == "village-ca.crt"
        saved = Path(download.value.path()).read_bytes()
        assert x509.load_der_x509_certificate(saved) == tls.load(tls.files(data_dir).ca_cert)

        page.goto(https_origin + "/phone-setup")  # the https session is still there
        expect(page.get_by_text("This phone is set up")).to_be_visible()
        assert outside == [] and errors == []
    finally:
        context.close()
