"""The case list and the audit log are kept until the next write (issue 23): what is written shows at once, each
account keeps its own list, and the audit log shows a case's opening at once, though that write keeps the
database's generation."""

import html
from datetime import datetime

from hub.auth.models import User
from hub.cases.models import Case
from hub.db import database


def make_case(app, **values):
    with app.app_context(), database.connection_context():
        return Case.create(**{"category": "child_labour", "child_description": "Girl, about 12", "place": "Brick kiln",
                              "what_happened": "Works there all day", "reported_at": datetime(2026, 11, 10, 8, 15),
                              "status": Case.ASSESSED, **values})


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return html.unescape(response.get_data(as_text=True))


def test_case_list__a_new_case_shows_at_once(app, login_as):
    worker = login_as("case_worker")
    first = make_case(app)
    assert f"Case {first.id} ·" in page(worker, "/cases?show=open")
    second = make_case(app, category="trafficking")
    shown = page(worker, "/cases?show=open")
    assert f"Case {first.id} ·" in shown and f"Case {second.id} · Trafficking" in shown


def test_case_list__my_cases_are_each_accounts_own(app, login_as):
    worker, coordinator = login_as("case_worker"), login_as("coordinator")
    for client in (worker, coordinator):
        assert "No cases in this list." in page(client, "/cases?show=mine")
    with app.app_context(), database.connection_context():
        worker_id = User.get(User.username == "caseworker").id
    case = make_case(app, assigned_to=worker_id)
    assert f"Case {case.id} ·" in page(worker, "/cases?show=mine")
    mine = page(coordinator, "/cases?show=mine")
    assert f"Case {case.id} ·" not in mine and "My cases (0)" in mine


def test_audit_log__shows_a_case_opened_after_it_was_kept(app, login_as):
    case = make_case(app)
    worker, coordinator = login_as("case_worker"), login_as("coordinator")
    before = page(coordinator, "/audit")
    row = f"<td>Opened a case</td><td>case {case.id}</td>"
    assert row not in before
    page(worker, f"/cases/{case.id}")
    assert row in page(coordinator, "/audit")
