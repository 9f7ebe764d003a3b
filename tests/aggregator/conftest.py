"""Fixtures for the aggregator: every test runs twice, on a fresh SQLite file and on a fresh PostgreSQL
database in a throwaway cluster (tests/postgres.py).

`aggregator_app` is the app, `district` its app context with the database connected, `api` its test
client; `hub_identity(name)` makes a hub's keys and `enrolled(name)` enrols them the way a hub would.
"""

import re

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient

from federation import bundle, schema, signing
from federation.aggregator import db
from federation.aggregator.app import create_app
from tests.postgres import migrated_postgres, postgres_cluster, postgres_url  # noqa: F401  (fixtures)

ENGINES = ("sqlite", "postgresql")
EPOCH = "e" * 32
PERIOD = "2026-10"
PASSWORD = "district-password-1"


@pytest.fixture(autouse=True)
def _no_database_url(monkeypatch):
    monkeypatch.delenv("COMMUNITYHUB_DATABASE_URL", raising=False)
    monkeypatch.delenv("COMMUNITYHUB_AGGREGATOR_URL", raising=False)


@pytest.fixture(params=ENGINES)
def database_url(request):
    """"" (the default SQLite file in the data folder) or the URL of a fresh PostgreSQL database."""
    return "" if request.param == "sqlite" else request.getfixturevalue("postgres_url")


@pytest.fixture
def aggregator_dir(tmp_path):
    return tmp_path / "aggregator"


@pytest.fixture
def aggregator_app(aggregator_dir, database_url):
    app = create_app({"DATA_DIR": str(aggregator_dir), "DATABASE_URL": database_url, "TESTING": True,
                      "AGGREGATOR_URL": "http://127.0.0.1:8090"})
    yield app
    db.close_all()  # before the PostgreSQL database is dropped


@pytest.fixture
def district(aggregator_app):
    """The aggregator's app context with its database connected."""
    with aggregator_app.app_context(), db.database.connection_context():
        yield aggregator_app


class Browser(FlaskClient):
    """A test client whose requests do not share `g` with the test's app context, as real requests never do
    (Flask reuses an app context pushed by the test, such as `district`'s, and Flask-WTF keeps the page's
    CSRF token in g)."""

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(g):
                g.pop(name)
        return super().open(*args, **kwargs)


@pytest.fixture
def api(aggregator_app):
    aggregator_app.test_client_class = Browser
    return aggregator_app.test_client()


@pytest.fixture
def hub_identity(tmp_path):
    """hub_identity(name) -> a new hub's Identity, with its key in a folder of its own."""
    def make(name="Rampur"):
        folder = tmp_path / "hubs" / name
        folder.mkdir(parents=True)
        return signing.load_or_create(folder, signing.HUB)
    return make


@pytest.fixture
def enrolled(district, hub_identity):
    """enrolled(name) -> the Identity of a hub enrolled with the aggregator (as POST /enrolments does)."""
    from federation.aggregator import enrol

    def make(name="Rampur"):
        identity = hub_identity(name)
        enrol.enrol(bundle.seal_enrolment(identity, enrol.issue_code(name)))
        return identity
    return make


def valid_payload(count=10):
    """A payload valid against the published summary schema v1 (federation/schema/summary-v1.json): every
    cell of each table's vocabulary, `count` life-skills sessions and active volunteers."""
    sessions = {cell: 0 for cell in schema.TABLES["sessions_held"]["cells"]}
    sessions["life_skills"] = count
    return {"tables": {"sessions_held": {"cells": sessions, "total": count},
                       "volunteers": {"cells": {"active": count}}},
            "values": {"median_days_to_referral": {"value": None, "reason": "fewer_than_10_cases"}}}


def seal(identity, sequence=1, period=PERIOD, revision=1, payload=None, epoch=EPOCH, schema_version=1):
    """A bundle's bytes, as the hub's outbox seals them."""
    return bundle.seal(identity, epoch, sequence, period, revision, schema_version,
                       valid_payload() if payload is None else payload)


# --- a district admin signed in ----------------------------------------------------------------------

@pytest.fixture
def admin(district):
    from federation.aggregator import auth

    return auth.add_admin("district", PASSWORD, display_name="District Officer")


def csrf_of(page):
    return re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()


def sign_in(client, username="district", password=PASSWORD, follow=False):
    token = csrf_of(client.get("/login").data)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=follow)


@pytest.fixture
def officer(api, admin):
    """The test client, signed in as the district admin."""
    assert sign_in(api).status_code == 302
    return api
