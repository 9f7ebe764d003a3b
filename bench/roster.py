"""The roster of the group of 80: its page, and saving it as a phone does (GET the page, POST its form).

The form is read from the page's HTML, so the bench sends what a browser would: the roster form's hidden
fields (CSRF token, a version if the page carries one), its text fields as they stand, and one checkbox
per person, a different random ~85% of them ticked each time so every save really changes rows.
"""

import random
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

from bench import loopback, signin
from bench.load import LoadResult

USERNAME = "facilitator"  # the demo account that takes attendance; the group of 80 is one of its groups
PRESENT_SHARE = 0.85
SAVES = 100
WARM_UP_SAVES = 5  # untimed: the first requests compile templates and fill caches
SEED = 7


def roster_path(meeting_id):
    return f"/sessions/{meeting_id}/roster"


@dataclass
class Form:
    """One <form>: where it posts, its fields (name, value) and its checkboxes (name, value, checked)."""

    action: str = ""
    method: str = "get"
    fields: list = field(default_factory=list)
    checkboxes: list = field(default_factory=list)


class Forms(HTMLParser):
    """Every form of a page with the inputs inside it (inputs outside any form are ignored)."""

    def __init__(self):
        super().__init__()
        self.forms, self._open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open = Form(attrs.get("action") or "", (attrs.get("method") or "get").lower())
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind == "checkbox":
                self._open.checkboxes.append((attrs["name"], attrs.get("value") or "on", "checked" in attrs))
            elif kind not in ("submit", "button", "image", "reset", "file", "radio"):
                self._open.fields.append((attrs["name"], attrs.get("value") or ""))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def roster_form(html, path):
    """The form that posts the roster to path: the one with the checkboxes; NotAvailable when there is none."""
    parser = Forms()
    parser.feed(html.decode("utf-8", errors="replace"))
    forms = [form for form in parser.forms if form.method == "post" and urlsplit(form.action).path == path
             and form.checkboxes]
    if not forms:
        raise signin.NotAvailable(f"{path} has no form of checkboxes that posts to it")
    return max(forms, key=lambda form: len(form.checkboxes))


@dataclass
class Saves:
    """Timed saves (latencies in `result`), what went wrong, and how much each save changed."""

    result: LoadResult = field(default_factory=LoadResult)
    people: int = 0
    ticked: list = field(default_factory=list)   # people ticked present in each timed save
    changed: list = field(default_factory=list)  # people whose tick differs from the save before
    not_read_back: int = 0  # saves whose ticks the next page did not show
    problems: list = field(default_factory=list)


class Browser:
    """One keep-alive connection with a cookie jar, as one phone; reconnects when the server closes it."""

    def __init__(self, port, cookies):
        self.port, self.cookies, self.connection = port, dict(cookies), None

    def request(self, method, path, body=None):
        headers = {"Cookie": loopback.cookie_header(self.cookies)}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.connection = self.connection or loopback.connect(self.port)
                began = time.perf_counter()
                reply = loopback.request(self.connection, method, path, headers, body)
                took = time.perf_counter() - began
                break
            except loopback.ERRORS:
                self.close()
                if attempt == 2 or method != "GET":  # a POST that may have arrived is not sent twice
                    raise
        self.cookies.update(reply.cookies())
        return reply, took

    def close(self):
        if self.connection:
            self.connection.close()
        self.connection = None


def cookies_of(header):
    """{name: value} from a Cookie header."""
    return dict(part.split("=", 1) for part in header.split("; ") if "=" in part)


def save_once(browser, path, rng, last):
    """GET the roster page, POST it with a new random ~85% ticked, follow the redirect.

    Returns (seconds the POST took, people, ticks sent, whether the page showed the last ticks sent).
    Raises signin.NotAvailable when the page or the save does not work as it should.
    """
    page, _ = browser.request("GET", path)
    if page.status != 200:
        raise signin.NotAvailable(f"GET {path} answers {page.status}")
    form = roster_form(page.body, path)
    shown = {value for _, value, checked in form.checkboxes if checked}
    values = [value for _, value, _ in form.checkboxes]
    want = max(1, round(PRESENT_SHARE * len(values)))
    for _ in range(20):  # a different subset from the last save, so the save changes rows
        ticks = set(rng.sample(values, want))
        if ticks != last:
            break
    body = urlencode(form.fields + [(name, value) for name, value, _ in form.checkboxes if value in ticks])
    reply, took = browser.request("POST", path, body)
    target = urlsplit(reply.header("Location")).path
    if reply.status not in (302, 303) or not target or target == path:
        raise signin.NotAvailable(f"POST {path} answers {reply.status}"
                                  + (f" to {target}" if target else " (the form was refused)"))
    after, _ = browser.request("GET", target)  # as a browser does; it also shows (and clears) the message
    if after.status != 200:
        raise signin.NotAvailable(f"GET {target} after a save answers {after.status}")
    return took, len(values), ticks, last is None or shown == last


def save_repeatedly(port, cookie_header, meeting_id, saves, time_cap_s, seed=SEED):
    """WARM_UP_SAVES untimed saves, then up to `saves` timed ones, one at a time, under a time cap."""
    path, rng, outcome = roster_path(meeting_id), random.Random(seed), Saves()
    browser, last = Browser(port, cookies_of(cookie_header)), None
    try:
        for _ in range(WARM_UP_SAVES):
            _, _, last, _ = save_once(browser, path, rng, last)
        began = time.perf_counter()
        deadline = began + time_cap_s
        for _ in range(saves):
            if time.perf_counter() > deadline:
                outcome.result.capped = True
                break
            try:
                took, people, ticks, read_back = save_once(browser, path, rng, last)
            except loopback.ERRORS as error:
                outcome.result.failures += 1
                outcome.problems.append(type(error).__name__)
                browser.close()
                last = None  # unknown whether it was saved
                continue
            outcome.result.latencies.append(took)
            outcome.people = people
            outcome.ticked.append(len(ticks))
            outcome.changed.append(len(ticks ^ last) if last is not None else len(ticks))
            outcome.not_read_back += not read_back
            last = ticks
        outcome.result.elapsed_s = time.perf_counter() - began
        # The last save's ticks, read back from the page.
        page, _ = browser.request("GET", path)
        shown = {value for _, value, checked in roster_form(page.body, path).checkboxes if checked}
        outcome.not_read_back += last is not None and shown != last
    finally:
        browser.close()
    return outcome
