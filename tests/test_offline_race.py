"""The phone's outbox never replaces the session of the page being filled in, through a real hub on loopback.

The session, and the CSRF secret the page's tokens are made from, live in a cookie: of two answers that set it
the one that arrives last wins. A phone back in range opens the sign-in page while its outbox (a page's
script, or the service worker woken by Background Sync) asks for a token at the same moment. Before the fix
each request made its own CSRF secret and set the cookie, and when the outbox's answer came last the sign-in
failed its CSRF check. Here both requests start together from a fresh session, and the browser's cookie is
taken from each answer in turn, the outbox's last: the page's token must still be accepted.
"""

import http.client
import re
import sqlite3
import subprocess
import threading
from contextlib import closing
from urllib.parse import urlencode, urlsplit

import pytest

from hub.security import BACKGROUND_HEADER
from tests.server import default_executable, hub_environment, run_command, running_hub

COORDINATOR, SECRET = "coordinator", "village-lead-secret-1"
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
COOKIE = "hub_session"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("race-hub") / "instance"
    run_command(["init"], data_dir)
    subprocess.run([default_executable(), "user", "add", COORDINATOR, "--role", "coordinator"],
                   input=SECRET + "\n", env=hub_environment(data_dir), capture_output=True, text=True, check=True,
                   timeout=60)
    with closing(sqlite3.connect(data_dir / "hub.sqlite3")) as connection, connection:
        connection.execute("UPDATE user_account SET must_change_secret = 0")  # chosen already: straight home
    with running_hub(data_dir) as base_url:
        yield urlsplit(base_url)


def call(hub, method, path, cookie=None, form=None, background=False):
    """One request on its own connection -> (status, the session cookie it set or None, body text)."""
    headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
    if background:
        headers[BACKGROUND_HEADER] = "1"
    body = urlencode(form) if form is not None else None
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection(hub.hostname, hub.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8")
        set_cookies = [value for name, value in response.getheaders() if name.lower() == "set-cookie"]
    finally:
        connection.close()
    session = next((value.split(";", 1)[0].split("=", 1)[1] for value in set_cookies
                    if value.startswith(COOKIE + "=")), None)
    return response.status, session, text


def together(*requests):
    """Run each (hub, method, path, kwargs) at the same moment, on its own connection; their answers in order."""
    answers = [None] * len(requests)
    start = threading.Barrier(len(requests))

    def run(index, hub, method, path, kwargs):
        start.wait()
        answers[index] = call(hub, method, path, **kwargs)

    threads = [threading.Thread(target=run, args=(index, *request)) for index, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def kept_cookie(cookie, *answers):
    """The cookie a browser holds after these answers arrived in this order (the last one that set it wins)."""
    for _, session, _ in answers:
        cookie = session or cookie
    return cookie


def test_sign_in__back_in_range_while_the_outbox_asks_for_a_token(hub):
    page, outbox = together((hub, "GET", "/login", {}), (hub, "GET", "/offline/token", {"background": True}))
    assert page[0] == 200 and outbox[0] == 200
    cookie = kept_cookie(None, page, outbox)
    status, _, text = call(hub, "POST", "/login", cookie, {"username": COORDINATOR, "password": SECRET,
                                                           "csrf_token": TOKEN.search(page[2]).group(1)})
    assert status == 302, text  # signed in, not "Something in that request was not right"
    assert outbox[1] is None  # the outbox's answer never sets the cookie
    assert '"token":null' in outbox[2].replace(" ", "")  # nothing to send with before a page made the secret


def test_first_page_after_sign_in__while_the_outbox_sends(hub):
    login = call(hub, "GET", "/login")
    status, cookie, _ = call(hub, "POST", "/login", login[1], {"username": COORDINATOR, "password": SECRET,
                                                                "csrf_token": TOKEN.search(login[2]).group(1)})
    assert status == 302
    # The home page the sign-in leads to, and the outbox, at the same moment.
    page, outbox = together((hub, "GET", "/", {"cookie": cookie}),
                            (hub, "GET", "/offline/token", {"cookie": cookie, "background": True}))
    assert page[0] == 200 and outbox[0] == 200
    cookie = kept_cookie(cookie, page, outbox)
    # The page's token and the outbox's both belong to the session that signing in started.
    page_token, outbox_token = TOKEN.search(page[2]).group(1), re.search(r'"token":\s*"([^"]+)"', outbox[2]).group(1)
    status, _, text = call(hub, "POST", "/language/en", cookie, {"csrf_token": outbox_token, "next": "/"})
    assert status == 302, text
    status, signed_out, text = call(hub, "POST", "/logout", cookie, {"csrf_token": page_token})
    assert status == 302, text  # signed out, not "Something in that request was not right"
    assert "Sign out" not in call(hub, "GET", "/", signed_out)[2]
