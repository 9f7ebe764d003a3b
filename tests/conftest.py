"""Fixtures: a fresh hub on a temporary data folder per test, its client, its CLI runner, factories."""

import os
import re
import shutil
import sqlite3
from contextlib import closing

import pytest
from click.testing import CliRunner
from jinja2 import BytecodeCache

from hub import instance
from hub.app import create_app
from hub.cli import main
from hub.db import DATABASE_FILE, database
from tests.factories import ROLES, make_user, make_village

# Scrypt at n=128 (the least OpenSSL takes with r=8) instead of 32768: the suite makes thousands of
# accounts, and the hash's cost is not what it tests. Set for the whole session, so hub commands run as
# subprocesses use it too; tests/test_auth.py proves that without it accounts get the production parameters.
CHEAP_HASH_METHOD = "scrypt:128:8:1"


def pytest_configure(config):
    os.environ["COMMUNITYHUB_TEST_HASH_METHOD"] = CHEAP_HASH_METHOD


class SharedTemplates(BytecodeCache):
    """Compiled hub templates kept for the session: each test's app has its own Jinja environment, and
    compiling every template again for each of them cost more than most tests. Jinja checks each entry
    against the template's source, so an edited template is compiled afresh."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


HUB_TEMPLATES = SharedTemplates()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A hub database file with every migration applied, made once per session (per xdist worker)."""
    folder = tmp_path_factory.mktemp("template") / "instance"
    instance.prepare(folder)
    database.close_all()
    copy = folder.parent / DATABASE_FILE
    with closing(sqlite3.connect(folder / DATABASE_FILE)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)  # one self-contained file, whatever was still in the WAL
    return copy


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "instance"


@pytest.fixture
def fresh_app(data_dir, migrated_database):
    """A hub straight after `communityhub init`: no village, no coordinator."""
    # The same database `init` makes, copied instead of migrated again for every test.
    data_dir.mkdir(parents=True, exist_ok=True)
    if not (data_dir / DATABASE_FILE).exists():
        shutil.copyfile(migrated_database, data_dir / DATABASE_FILE)
    app = create_app({"DATA_DIR": str(data_dir), "TESTING": True})
    app.jinja_env.bytecode_cache = HUB_TEMPLATES
    return app


@pytest.fixture
def app(fresh_app):
    """A hub that has been set up: a village and one account of each role (password "secret-<role>-1")."""
    with fresh_app.app_context(), database.connection_context():
        make_village()
        for role in ROLES:
            make_user(username=role.replace("_", ""), role=role, secret=f"secret-{role}-1",
                      must_change_secret=False, display_name=role.replace("_", " ").title())
    return fresh_app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login_as(app):
    """login_as(role) -> a test client signed in as the fixture account of that role."""
    def sign_in(role, client=None):
        client = client or app.test_client()
        username = role.replace("_", "")
        response = client.post("/login", data={"username": username, "password": f"secret-{role}-1",
                                               "csrf_token": csrf_token(client, "/login")})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    return sign_in


@pytest.fixture
def runner(data_dir, monkeypatch):
    """Invoke `communityhub` against this test's data folder: runner.invoke(["init"])."""
    monkeypatch.setenv("COMMUNITYHUB_DATA_DIR", str(data_dir))

    class HubRunner(CliRunner):
        def invoke(self, args, **kwargs):
            return super().invoke(main, args, catch_exceptions=False, **kwargs)

    return HubRunner()


@pytest.fixture
def app_context(app):
    with app.app_context(), database.connection_context():
        yield app


def csrf_token(client, path="/"):
    """The CSRF token a page served to this client carries."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


@pytest.fixture(autouse=True)
def _hub_environment(monkeypatch):
    # Tests only ever talk to loopback, and never to a data folder from the environment.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "COMMUNITYHUB_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
