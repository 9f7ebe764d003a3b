"""A hub served by `communityhub run` as a separate process that tests may kill, restart or starve of disk,
and a phone-like HTTP client with cookies (the fault-injection tests: tests/test_kill.py, test_full_disk.py).
"""

import re
import subprocess
import tempfile
import time

import requests

from tests.server import LOOPBACK, default_executable, free_port, hub_environment

START_TIMEOUT = 60.0


class HubProcess:
    """One `communityhub run` on data_dir; start() and kill() as often as a test likes (same port)."""

    def __init__(self, data_dir, prefix=(), env=None):
        self.data_dir, self.prefix, self.env = data_dir, list(prefix), env or {}
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.process = None
        self.log = tempfile.TemporaryFile()

    def start(self, timeout=START_TIMEOUT):
        """Start the server and wait until /healthz answers (any status: a damaged hub answers 503)."""
        command = [*self.prefix, default_executable(), "run", "--host", LOOPBACK, "--port", str(self.port)]
        self.process = subprocess.Popen(command, env=hub_environment(self.data_dir, self.env),
                                        stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited with {self.process.returncode}:\n{self.output()}")
            try:
                requests.get(self.url + "/healthz", timeout=2)
                return time.monotonic() - started
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"the hub did not answer within {timeout} s:\n{self.output()}")

    def kill(self, signal_number=9):
        """Send the signal (SIGKILL: a power cut, as far as the database can tell) and wait for the end."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal_number)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self):
        """SIGTERM: a clean stop (systemctl stop)."""
        self.kill(15)

    def output(self):
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def close(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.log.close()


class Phone:
    """A browser: cookies, CSRF tokens read from the page, no proxy, never following redirects."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.http = requests.Session()
        self.http.trust_env = False
        self.csrf = None

    def get(self, path, **options):
        return self.http.get(self.base_url + path, allow_redirects=False, timeout=30, **options)

    def token(self, path):
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', self.get(path).text)
        return match.group(1) if match else ""

    def post(self, path, data, token_from=None, **options):
        """POST with the session's CSRF token (read once from a page: it lasts as long as the session)."""
        if self.csrf is None:
            self.csrf = self.token(token_from or path)
        data = {**data, "csrf_token": self.csrf}
        return self.http.post(self.base_url + path, data=data, allow_redirects=False, timeout=30, **options)

    def sign_in(self, username, password):
        self.csrf = None
        response = self.post("/login", {"username": username, "password": password})
        self.csrf = None  # signing in starts a new session, with a new token
        return response

    def close(self):
        self.http.close()


PASSWORDS = {role: f"secret-{role[::-1]}-1" for role in ("coordinator", "case_worker", "facilitator", "member")}


def seed(folder):
    """Make folder a set-up hub's data folder: a village, one account per role (password "secret-<role>-1",
    username the role without "_"), five people in the register, and one backup in folder/backups."""
    from hub.app import create_app
    from hub.backup import make_backup
    from hub.clock import now
    from hub.db import DATABASE_FILE, database
    from tests.factories import make_person, make_user, make_village

    app = create_app({"DATA_DIR": str(folder), "TESTING": True})
    with app.app_context(), database.connection_context():
        make_village()
        for role, password in PASSWORDS.items():
            make_user(username=role.replace("_", ""), role=role, secret=password, must_change_secret=False)
        for number in range(5):
            make_person(name=f"Child {number}")
    make_backup(folder / DATABASE_FILE, folder / "backups", now())
    database.close_all()
    return folder


def report_concern(phone, text):
    """Report a concern through the form, as a signed-in phone would; -> the response."""
    return phone.post("/concerns/new", {"in_danger": "no", "category": "child_labour", "child": "",
                                        "child_description": "A boy", "place": "Market",
                                        "what_happened": text})
