"""The case page's parts without a form are kept until the next write (issue 23): what is written shows at once,
an account sees only what its role may open however the kept part was first rendered, clock marks follow the
clock's files, and the audit log (written row by row without a template) escapes what users typed."""

import html
import json
from datetime import datetime
from pathlib import Path

from peewee import fn

from hub import access
from hub.audit.models import AuditEvent
from hub.audit.service import record
from hub.auth.models import User
from hub.cases.models import Case
from hub.db import database
from tests.conftest import csrf_token
from tests.factories import make_person


def make_case(app, **values):
    with app.app_context(), database.connection_context():
        return Case.create(category="child_labour", child_description="Girl, about 12", place="Brick kiln",
                           what_happened="Works there all day", reported_at=datetime(2026, 11, 10, 8, 15), **values)


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_kept__a_follow_up_and_an_action_show_at_once_to_every_account(app, login_as):
    case = make_case(app)
    worker, coordinator = login_as("case_worker"), login_as("coordinator")
    path = f"/cases/{case.id}"
    assert "No visits yet." in page(worker, path) and "No visits yet." in page(coordinator, path)
    response = worker.post(f"{path}/follow-ups", data={
        "csrf_token": csrf_token(worker, path), "visited_on": "2026-11-12", "progress": "Back at school, eating well"})
    assert response.status_code == 302
    for client in (worker, coordinator):
        shown = page(client, path)
        assert "Back at school, eating well" in shown and "No visits yet." not in shown
    response = coordinator.post(f"{path}/actions", data={"csrf_token": csrf_token(coordinator, path),
                                                         "note": "Called the kiln owner"})
    assert response.status_code == 302
    assert "Called the kiln owner" in page(worker, path)


def test_kept__a_form_is_written_each_time_with_this_accounts_token(app, login_as):
    case = make_case(app)
    path = f"/cases/{case.id}"
    worker, coordinator = login_as("case_worker"), login_as("coordinator")
    page(worker, path)  # the parts are kept now
    token = csrf_token(coordinator, path)
    assert token != csrf_token(worker, path)
    response = coordinator.post(f"{path}/actions", data={"csrf_token": token, "note": "Visited the family"})
    assert response.status_code == 302


def test_kept__an_account_sees_only_the_links_its_role_may_open(app, login_as, monkeypatch):
    with app.app_context(), database.connection_context():
        child = make_person(name="Asha Kumari")
    case = make_case(app, child=child)
    path = f"/cases/{case.id}"
    # Only the coordinator may open people's records here: the case worker's page must not offer the link,
    # whichever of the two saw the case first.
    monkeypatch.setitem(access.ACCESS, "people.view", (User.COORDINATOR,))
    worker, coordinator = login_as("case_worker"), login_as("coordinator")
    link = f'href="/people/{child.id}"'
    assert link in page(coordinator, path)
    assert link not in page(worker, path) and "Asha Kumari" in page(worker, path)
    assert link in page(coordinator, path)
    assert login_as("facilitator").get(path).status_code in (403, 404)  # need to know: unchanged


def test_kept__a_clock_mark_shows_once_the_clock_is_unsure(app, login_as):
    case = make_case(app)
    path = f"/cases/{case.id}"
    coordinator = login_as("coordinator")
    assert "clock unsure" not in page(coordinator, path)
    # The coordinator's clock page writes these files, not a row: the kept parts must notice.
    (Path(app.config["DATA_DIR"]) / "clock-suspect").write_text("2026-11-01T09:00:00\n")
    assert "clock unsure" in page(coordinator, path)


def test_audit_log__rows_escape_what_users_typed_and_show_each_case_view(app, login_as):
    case = make_case(app)
    with app.app_context(), database.connection_context():
        record("sign_in.failed", detail='<script>alert("x")</script>', username="<b>mallory</b>")
    coordinator = login_as("coordinator")
    raw = coordinator.get("/audit").get_data(as_text=True)
    assert "<script>" not in raw and "<b>mallory</b>" not in raw
    assert "&lt;script&gt;" in raw and "&lt;b&gt;mallory&lt;/b&gt;" in raw
    page(login_as("case_worker"), f"/cases/{case.id}")
    assert f"<td>case {case.id}</td>" in coordinator.get("/audit").get_data(as_text=True)


def test_audit_log__clock_marks_go_by_the_logs_order(app, login_as):
    coordinator = login_as("coordinator")
    with app.app_context(), database.connection_context():
        mark = AuditEvent.select(fn.MAX(AuditEvent.id)).scalar()
        for n in range(3):
            record("sign_in.failed", username=f"guess{n}")
    # The clock became unsure after event `mark` (by the log's order) though its time says years later: only the
    # events after the mark are marked, whatever their times.
    (Path(app.config["DATA_DIR"]) / "clock-suspect").write_text(
        f"2099-01-01T00:00:00\n2099-01-01T00:00:00\n{json.dumps({'audit_event': mark})}\n")
    shown = coordinator.get("/audit").get_data(as_text=True)
    with app.app_context(), database.connection_context():
        after = AuditEvent.select().where(AuditEvent.id > mark).count()
    assert after >= 3
    assert shown.count("clock unsure") == after


def test_audit_log__a_kept_row_is_in_the_pages_language(app, login_as):
    coordinator = login_as("coordinator")
    assert "Signed in" in page(coordinator, "/audit")
    coordinator.set_cookie("hub_lang", "es")
    shown = page(coordinator, "/audit")
    assert "Inició sesión" in shown and "Signed in" not in shown
