"""Browser fixtures: a demo village served by a real `communityhub run`, and Debian's chromium driving it.

Chromium is launched from /usr/bin/chromium (never `playwright install`) and only ever talks to the hub
on loopback: every request a page makes is recorded, and any that would leave the hub's origin is aborted.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.server import run_command, running_hub, stored_village

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DEMO_SEED = 3
LOGIN_LINE = re.compile(r"^(\S+)\s+(\S+)$")


@dataclass(frozen=True)
class DemoHub:
    """A data folder filled by `communityhub seed-demo`, and what a visitor should find in it."""

    data_dir: Path
    village: str
    numbers: tuple  # ((label, number), ...) in display order, labels as stored
    logins: dict  # {username: secret}


@dataclass
class Visit:
    """A page in its own browser context, with everything it did recorded."""

    page: object
    base_url: str
    requests: list = field(default_factory=list)
    failed_responses: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)

    def goto(self, path="/"):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        return response

    def assert_clean(self):
        """Nothing left the hub, nothing failed to load, no script or policy error was reported."""
        assert self.requests, "no request was recorded"
        outside = [url for url in self.requests if not url.startswith(self.base_url + "/")]
        assert outside == [], f"requests leaving the hub's origin {self.base_url}: {outside}"
        assert self.failed_responses == []
        assert self.console_errors == []
        assert self.page_errors == []


@pytest.fixture(scope="session")
def demo_hub(tmp_path_factory):
    """`communityhub init` then `communityhub seed-demo --seed 3` on a fresh data folder."""
    data_dir = tmp_path_factory.mktemp("browser-hub") / "instance"
    run_command(["init"], data_dir)
    output = run_command(["seed-demo", "--seed", str(DEMO_SEED)], data_dir)
    logins = dict(match.groups() for line in output.split("Demo logins", 1)[-1].splitlines()[1:]
                  if (match := LOGIN_LINE.match(line.strip())))
    village, numbers = stored_village(data_dir)
    assert numbers, "seed-demo stored no emergency numbers"
    return DemoHub(data_dir, village, numbers, logins)


@pytest.fixture(scope="session")
def hub_url(demo_hub):
    with running_hub(demo_hub.data_dir) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (`make test` does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    """A folder for screenshots a person can look at after the run."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def visit(browser, hub_url):
    """visit(width=360, height=640, javascript=True) -> a Visit on a fresh context (no cookies)."""
    contexts = []

    def open_visit(width=360, height=640, javascript=True):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US",
                                      java_script_enabled=javascript, service_workers="block")
        contexts.append(context)
        # Nothing may leave the hub: record the attempt (below) and refuse it here.
        context.route(lambda url: not url.startswith(hub_url + "/"), lambda route: route.abort())
        page = context.new_page()
        recorded = Visit(page, hub_url)
        page.on("request", lambda request: recorded.requests.append(request.url))
        page.on("response", lambda response: response.status >= 400
                and recorded.failed_responses.append((response.status, response.url)))
        page.on("console", lambda message: message.type == "error"
                and recorded.console_errors.append(f"{message.text} ({message.location})"))
        page.on("pageerror", lambda error: recorded.page_errors.append(str(error)))
        return recorded

    yield open_visit
    for context in contexts:
        context.close()
