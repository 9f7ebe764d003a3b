"""Fixtures: a fresh hub on a temporary data folder per test, its client, its CLI runner, factories."""

import re

import pytest
from click.testing import CliRunner

from hub.app import create_app
from hub.cli import main
from hub.db import database
from tests.factories import ROLES, make_user, make_village


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "instance"


@pytest.fixture
def fresh_app(data_dir):
    """A hub straight after `communityhub init`: no village, no coordinator."""
    return create_app({"DATA_DIR": str(data_dir), "TESTING": True})


def fixture_secret(role):
    """The password of the fixture account of role: "secret-" and the role backwards (a secret may not
    contain its username, which is the role)."""
    return f"secret-{role[::-1]}-1"


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


@pytest.fixture(autouse=True)
def _hub_environment(monkeypatch):
    # Tests only ever talk to loopback, and never to a data folder from the environment.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "COMMUNITYHUB_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
