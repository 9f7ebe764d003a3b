"""Fixtures: a fresh hub on a temporary data folder per test, its client, its CLI runner, factories."""

import os

import pytest
from click.testing import CliRunner

from hub.app import create_app
from hub.cli import main


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "instance"


@pytest.fixture
def app(data_dir):
    app = create_app({"DATA_DIR": str(data_dir), "TESTING": True})
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_client(data_dir):
    """A client of an app that checks CSRF tokens as production does (TESTING leaves them on too)."""
    return create_app({"DATA_DIR": str(data_dir)}).test_client()


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
    with app.app_context():
        from hub.db import database

        with database.connection_context():
            yield app


def csrf_token(client, path="/"):
    """The CSRF token a page served to this client carries."""
    import re

    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch):
    # Tests only ever talk to loopback; a proxy from the environment must never be used.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
    os.environ.pop("COMMUNITYHUB_DATA_DIR", None)
