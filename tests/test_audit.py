"""The audit log: written by sign-in and account changes, readable and filterable, never editable."""

import sqlite3

import pytest

from hub.audit.models import AuditEvent
from hub.instance import database_path
from tests.conftest import csrf_token


def test_log__records_sign_in_and_account_changes(login_as):
    coordinator = login_as("coordinator")
    coordinator.post("/accounts/new", data={"display_name": "Asha", "username": "asha", "role": "member",
                                            "language": "", "secret": "580261",
                                            "csrf_token": csrf_token(coordinator)})
    actions = [event.action for event in AuditEvent.select().order_by(AuditEvent.id)]
    assert actions[-2:] == ["sign_in", "account.created"]
    page = coordinator.get("/audit").get_data(as_text=True)
    assert "Created an account" in page and "Signed in" in page and "127.0.0.1" in page


def test_log__filter_by_user_and_action(login_as, client):
    client.post("/login", data={"username": "member", "password": "nope", "csrf_token": csrf_token(client, "/login")})
    coordinator = login_as("coordinator")
    page = coordinator.get("/audit?action=sign_in.failed").get_data(as_text=True)
    assert "Sign-in failed" in page and "member" in page
    assert "coordinator (Coordinator)" not in page
    assert "No entries match." in coordinator.get("/audit?username=nobody").get_data(as_text=True)


def test_log__pages_by_sequence(app, login_as):
    from hub.audit.service import PAGE_SIZE, record

    with app.app_context():
        for _ in range(PAGE_SIZE + 5):
            record("village.updated")
    coordinator = login_as("coordinator")
    first = coordinator.get("/audit").get_data(as_text=True)
    assert "Older entries" in first
    newest_id = AuditEvent.newest_first().get().id
    older = coordinator.get(f"/audit?before={newest_id - PAGE_SIZE + 1}").get_data(as_text=True)
    assert "Older entries" not in older


@pytest.mark.parametrize("sql", ["UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"])
def test_log__the_database_refuses_edits(app, data_dir, sql, login_as):
    login_as("coordinator")
    conn = sqlite3.connect(database_path(data_dir))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(sql)
    conn.close()


def test_log__no_route_edits_it(app):
    audit_rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("audit.")]
    assert audit_rules and all(rule.methods <= {"GET", "HEAD", "OPTIONS"} for rule in audit_rules)
