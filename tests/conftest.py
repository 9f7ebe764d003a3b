"""Fixtures: a fresh hub on a temporary data folder per test, its client, its CLI runner, factories."""

import os
import re
import shutil
import sqlite3
from contextlib import closing

import pytest
from click.testing import CliRunner
from jinja2 import BytecodeCache

from hub import clock, instance
from hub.app import create_app
from hub.cli import main
from hub.db import DATABASE_FILE, database
from tests.factories import ROLES, fixture_secret, make_user, make_village
from tests.server import run_command

# Scrypt at n=128 (the least OpenSSL takes with r=8) instead of 32768: the suite makes thousands of
# accounts, and the hash's cost is not what it tests. Set for the whole session, so hub commands run as
# subprocesses use it too; tests/test_auth.py proves that without it accounts get the production parameters.
CHEAP_HASH_METHOD = "scrypt:128:8:1"


def pytest_configure(config):
    os.environ["COMMUNITYHUB_TEST_HASH_METHOD"] = CHEAP_HASH_METHOD


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks
def pytest_collection_modifyitems(config, items):
    """`make test` runs the suite on every core (pytest-xdist, --dist loadgroup): tests that share one
    costly resource are marked to run on the same worker, so it is made once and nothing collides."""
    for item in items:
        group = shared_resource(item)
        if group and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.hookimpl(optionalhook=True)  # an xdist hook: without xdist there is nothing to check
def pytest_xdist_node_collection_finished(node, ids):
    """Stop the run when xdist lost the groups (it did on pytest 9.2): tests sharing a resource would
    collide or repeat its cost. Seen from the controller, where a grouped test's id ends in @<group>."""
    if node.config.getvalue("dist") == "loadgroup":
        lost = [nodeid for nodeid in ids if "@" not in nodeid
                and (nodeid.startswith("tests/browser/") or "[postgresql" in nodeid)]
        if lost:
            pytest.exit(f"pytest-xdist did not group {lost[0]} and {len(lost) - 1} more tests "
                        "(see the pytest pin in pyproject.toml)", returncode=pytest.ExitCode.USAGE_ERROR)


def shared_resource(item):
    """The name of the one costly thing this test shares with others, or None.

    The browser tests share one seeded hub, its server and chromium; the aggregator's PostgreSQL cases
    share one throwaway cluster; a module's module-scoped fixture (the wheel build, a seeded demo
    village, a live hub) is made once for all its tests. Everything else (temporary folders, free ports,
    network and mount namespaces) is private to each test or worker.
    """
    if "browser" in item.path.relative_to(item.config.rootpath).parts:
        return "browser"
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.params.get("database_url") == "postgresql":
        return "postgresql"
    definitions = item._fixtureinfo.name2fixturedefs.values()  # pytest keeps no public view of this
    if any(fixture[-1].scope == "module" for fixture in definitions):
        return item.module.__name__
    return None


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


@pytest.fixture(scope="session")
def demo_village(tmp_path_factory):
    """demo_village(seed, target) -> target, a copy of a data folder filled by `communityhub seed-demo
    --seed <seed>`; each seed is seeded once per session (per xdist worker)."""
    seeded = {}

    def copy(seed, target):
        if seed not in seeded:
            seeded[seed] = tmp_path_factory.mktemp(f"demo-{seed}") / "instance"
            run_command(["seed-demo", "--seed", str(seed)], seeded[seed])
        shutil.copytree(seeded[seed], target)
        return target
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
    """A hub that has been set up: a village and one account of each role (password
    fixture_secret(role))."""
    with fresh_app.app_context(), database.connection_context():
        make_village()
        for role in ROLES:
            make_user(username=role.replace("_", ""), role=role, secret=fixture_secret(role),
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
        response = client.post("/login", data={"username": username, "password": fixture_secret(role),
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


@pytest.fixture
def fixed_clock(request, monkeypatch):
    """hub.clock pinned to the test module's TODAY and NOW (a module asks for it with
    `pytestmark = pytest.mark.usefixtures("fixed_clock")`)."""
    module = request.module
    monkeypatch.setattr(clock, "today", lambda: module.TODAY)
    monkeypatch.setattr(clock, "now", lambda: module.NOW)


@pytest.fixture(autouse=True)
def _hub_environment(monkeypatch):
    # Tests only ever talk to loopback, and never to a data folder from the environment.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "COMMUNITYHUB_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
