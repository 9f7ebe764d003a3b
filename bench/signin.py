"""Signing in over HTTP as a browser does, and checking that a signed-in page is there.

Sign-in GETs the form and POSTs it back with its CSRF token. When the hub lacks the page or the
sign-in, these raise NotAvailable, which the report shows as "not available" instead of failing.
"""

from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

from bench import loopback

LOGIN_PATH = "/login"
SESSION_COOKIE = "hub_session"


class NotAvailable(Exception):
    """The hub does not (yet) have what a measure needs: a page, a sign-in, a demo login."""


class HiddenFields(HTMLParser):
    """Collects the value of every <input name=... value=...> of a page."""

    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.values.setdefault(attrs["name"], attrs.get("value") or "")


def form_values(html):
    """{name: value} of the inputs of an HTML page."""
    parser = HiddenFields()
    parser.feed(html.decode("utf-8", errors="replace"))
    return parser.values


def sign_in(port, username, secret):
    """The Cookie header of a signed-in session of username; NotAvailable when the hub cannot sign in yet."""
    if secret is None:
        raise NotAvailable(f"no demo login for {username!r}")
    connection = loopback.connect(port)
    try:
        page = loopback.request(connection, "GET", LOGIN_PATH)
        if page.status != 200:
            raise NotAvailable(f"GET {LOGIN_PATH} answers {page.status}")
        cookies = page.cookies()
        form = {"username": username, "password": secret}
        token = form_values(page.body).get("csrf_token")
        if token is not None:
            form["csrf_token"] = token
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": loopback.cookie_header(cookies)}
        reply = loopback.request(connection, "POST", LOGIN_PATH, headers, urlencode(form))
    finally:
        connection.close()
    cookies.update(reply.cookies())
    if reply.status not in (302, 303) or urlsplit(reply.header("Location")).path == LOGIN_PATH:
        raise NotAvailable(f"signing in as {username} answers {reply.status}")
    if SESSION_COOKIE not in cookies:
        raise NotAvailable(f"signing in as {username} sets no {SESSION_COOKIE} cookie")
    return loopback.cookie_header(cookies)


def require_page(port, path, headers):
    """Check that path answers 200 with these headers; NotAvailable (with the reason) when it does not."""
    reply = loopback.get(port, path, headers)
    if reply.status in (301, 302, 303) and urlsplit(reply.header("Location")).path == LOGIN_PATH:
        raise NotAvailable(f"{path} sends the signed-in user back to {LOGIN_PATH}")
    if reply.status != 200:
        raise NotAvailable(f"{path} answers {reply.status}")
