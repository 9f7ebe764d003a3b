"""Every form reports every field's error in one pass: a submission with a mistake the form itself catches
(a missing or too long field) and another only the area's rules catch (a name already taken, a date out of
range) shows both messages beside their fields after one POST, and writes nothing."""

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest

from hub import clock
from hub.db import DATABASE_FILE
from tests.conftest import csrf_token
from tests.pages import field_errors

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 30)
LONG = "x" * 2001
# Tables a request writes whatever the form: the sign-in sessions and the throttles.
BUSY_TABLES = {"websession", "signin", "throttle"}


@dataclass
class Form:
    """One form, submitted with mistakes in several fields: errors maps each field to a message it shows."""

    name: str
    role: str
    path: str  # formatted with the world's ids
    data: dict
    errors: dict
    status: int = 200
    page: str = ""  # where the form's CSRF token comes from, when the path answers no GET
    extra: dict = field(default_factory=dict)


FORMS = [
    Form("group new", "coordinator", "/groups/new",
         {"name": "Youth forum", "kind": "local_club", "description": LONG},
         {"name": "There is already a group called Youth forum.",
          "description": "Please use at most 500 characters."}),
    Form("group edit", "coordinator", "/groups/{mothers}/edit",
         {"name": "Youth forum", "kind": "local_club", "description": LONG},
         {"name": "There is already a group called Youth forum.",
          "description": "Please use at most 500 characters."}),
]


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def world(app):
    """What the forms work on: two groups, ... (their ids by name)."""
    from hub.groups.models import Group
    from hub.groups.service import create_group

    with app.app_context():
        youth = create_group("Youth forum", Group.YOUTH_FORUM)
        mothers = create_group("Mothers' group", Group.MOTHERS_GROUP)
    return {"youth": youth.id, "mothers": mothers.id}


def rows(app):
    """Every row of every table the forms could write, as a comparable value."""
    with closing(sqlite3.connect(f"file:{app.config['DATA_DIR']}/{DATABASE_FILE}?mode=ro", uri=True)) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                  if name not in BUSY_TABLES and not name.startswith("sqlite_")]
        return {name: sorted(map(repr, db.execute(f'SELECT * FROM "{name}"'))) for name in tables}


@pytest.mark.parametrize("form", FORMS, ids=[form.name for form in FORMS])
def test_one_post_shows_every_fields_error_and_saves_nothing(app, world, login_as, form):
    client = login_as(form.role)
    path = form.path.format(**world)
    token = csrf_token(client, (form.page or path).format(**world))
    before = rows(app)
    response = client.post(path, data={**form.data, **form.extra, "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == form.status, page
    for name, message in form.errors.items():
        assert message in " ".join(field_errors(page, name)), (name, field_errors(page, name))
    assert rows(app) == before
