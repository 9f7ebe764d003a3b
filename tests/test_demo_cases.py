"""The demo village's cases area (`communityhub seed-demo`): a services directory for its country, cases in
every state with their referrals and visits, and the demo case worker's overdue follow-up on the home page."""

import sqlite3
from datetime import date, timedelta

import pytest

from hub.app import create_app
from hub.cases.models import Case, Referral
from hub.services.models import KINDS, MUNICIPAL_DEFENCE
from tests.conftest import csrf_token

INDIA, PERU = 1, 9  # seeds whose demo village is in India and in Peru
CASE_TABLES = ("service", "service_category", "case_file", "case_action", "follow_up", "referral")


def rows(data_dir, sql, *params):
    conn = sqlite3.connect(data_dir / "hub.sqlite3")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_village):
    """A hub filled by `communityhub seed-demo --seed 1` (a village in India)."""
    return demo_village(INDIA, tmp_path_factory.mktemp("demo-india") / "instance")


@pytest.fixture(scope="module")
def demo_peru(tmp_path_factory, demo_village):
    return demo_village(PERU, tmp_path_factory.mktemp("demo-peru") / "instance")


@pytest.mark.parametrize("hub, country, kinds", [
    ("demo", "IN", set(KINDS) - {MUNICIPAL_DEFENCE}),
    ("demo_peru", "PE", set(KINDS)),  # the municipal child defence office (DEMUNA) is Peru's
])
def test_seed_demo__services_of_every_kind_the_country_has(request, hub, country, kinds):
    data_dir = request.getfixturevalue(hub)
    assert rows(data_dir, "SELECT country FROM village") == [(country,)]
    services = rows(data_dir, "SELECT kind, name, phone, hours, languages, archived FROM service")
    assert {kind for kind, *_ in services} == kinds
    for kind, name, phone, hours, languages, archived in services:
        assert name and phone and hours and languages and not archived, kind
    handled = rows(data_dir, "SELECT service.kind, count(*) FROM service_category "
                             "JOIN service ON service.id = service_id GROUP BY service.id")
    assert len(handled) == len(services) and all(count for _, count in handled)
    # The directory's child helpline is the one on the home page's emergency numbers.
    helpline = rows(data_dir, "SELECT number FROM emergency_number WHERE kind = 'child_helpline'")
    assert helpline[0][0] in {phone for kind, _, phone, *_ in services if kind == "child_helpline"}
    assert rows(data_dir, "SELECT count(*) FROM audit_event WHERE action = 'service.created'") == [(len(services),)]


def test_seed_demo__cases_in_every_status(demo):
    cases = rows(demo, "SELECT id, status, risk, assigned_to, in_danger, reported_by, child_id, child_description, "
                       "what_happened, closed_on, closed_reason FROM case_file ORDER BY id")
    assert 8 <= len(cases) <= 12
    assert {case[1] for case in cases} == set(Case.STATUSES)
    new = [case for case in cases if case[1] == Case.REPORTED]
    assert all(case[2] == "" and case[3] is None for case in new)
    assert [case[4] for case in new].count(1) == 1, "one new concern says the child is in danger now"
    working = [case for case in cases if case[1] not in (Case.REPORTED, Case.CLOSED)]
    assert all(case[2] in Case.RISKS and case[3] is not None for case in working)
    closed = [case for case in cases if case[1] == Case.CLOSED]
    assert closed and all(case[9] and case[10] for case in closed)
    facilitator = rows(demo, "SELECT id FROM user_account WHERE username = 'facilitator'")[0][0]
    reporters = {case[5] for case in cases}
    assert None in reporters and facilitator in reporters
    # A child is named only by an account that may see them; anyone else describes the child.
    assert all(case[6] is not None or case[7] for case in cases)
    assert all(case[6] is None for case in cases if case[5] is None)
    assert any(case[6] is not None for case in cases)
    assert all(case[8] for case in cases)
    # Made through the cases area: every case's log opens with its report, and the audit log has it.
    assert rows(demo, "SELECT count(*) FROM case_file WHERE (SELECT kind FROM case_action WHERE case_id = "
                      "case_file.id ORDER BY id LIMIT 1) = 'reported'") == [(len(cases),)]
    assert rows(demo, "SELECT count(*) FROM audit_event WHERE action = 'concern.reported'") == [(len(cases),)]
    assert rows(demo, "SELECT count(*) FROM case_file WHERE status != 'reported' AND id NOT IN "
                      "(SELECT case_id FROM case_action WHERE kind = 'triaged')") == [(1,)]  # closed as no concern


def test_seed_demo__dates_are_recent_and_in_order(demo):
    today = date.today()
    reported = [date.fromisoformat(at[:10]) for (at,) in rows(demo, "SELECT reported_at FROM case_file ORDER BY id")]
    assert reported == sorted(reported) and reported[-1] == today - timedelta(days=1)
    assert reported[0] >= today - timedelta(days=120)
    log = [at for (at,) in rows(demo, "SELECT at FROM audit_event WHERE action LIKE 'case.%' OR action LIKE "
                                      "'concern.%' OR action LIKE 'referral.%' ORDER BY id")]
    assert log == sorted(log) and log[-1] < today.isoformat()
    assert rows(demo, "SELECT count(*) FROM case_action JOIN case_file ON case_file.id = case_id "
                      "WHERE done_at < reported_at") == [(0,)]
    assert rows(demo, "SELECT count(*) FROM follow_up WHERE visited_on >= ?", today.isoformat()) == [(0,)]


def test_seed_demo__referrals_have_a_basis_when_they_share_details(demo):
    referrals = rows(demo, "SELECT referral.status, basis, shares_child_details, consent_by, risk, in_danger, "
                           "days_from_report, service.kind FROM referral JOIN case_file ON case_file.id = case_id "
                           "JOIN service ON service.id = service_id")
    assert {basis for _, basis, *_ in referrals} == {"", Referral.CONSENT, Referral.IMMEDIATE_DANGER,
                                                     Referral.OVERRIDE}
    assert {status for status, *_ in referrals} == set(Referral.STATUSES)
    for _status, basis, shares, consent_by, risk, in_danger, days, _kind in referrals:
        assert bool(shares) == bool(basis)
        assert basis != Referral.CONSENT or consent_by
        assert basis != Referral.IMMEDIATE_DANGER or risk == Case.IMMEDIATE or in_danger
        assert days >= 0
    overrides = rows(demo, "SELECT username, role FROM audit_event WHERE action = 'referral.override'")
    assert overrides == [("coordinator", "coordinator")]  # the audit names who overrode, even from the CLI
    assert rows(demo, "SELECT count(*) FROM audit_event WHERE username = '' AND (action LIKE 'case.%' "
                      "OR action LIKE 'referral.%') AND action NOT IN ('case.viewed', 'referral.slip_printed')"
                ) == [(0,)]
    assert rows(demo, "SELECT count(*) FROM case_file WHERE status = 'referred' AND id NOT IN "
                      "(SELECT case_id FROM referral)") == [(0,)]


def test_seed_demo__overdue_follow_up_on_the_case_workers_home_page(demo):
    overdue = rows(demo, "SELECT case_file.id, next_follow_up FROM case_file JOIN user_account "
                         "ON user_account.id = assigned_to WHERE username = 'caseworker' AND status != 'closed' "
                         "AND next_follow_up < ?", date.today().isoformat())
    [(case_id, due)] = overdue
    assert date.fromisoformat(due) < date.today()
    assert rows(demo, "SELECT count(*) FROM follow_up WHERE case_id = ?", case_id) == [(1,)]
    logins = dict(line.split() for line in (demo / "demo-logins.txt").read_text().splitlines())

    client = create_app({"DATA_DIR": str(demo), "TESTING": True}).test_client()
    client.get("/language/en")
    response = client.post("/login", data={"username": "caseworker", "password": logins["caseworker"],
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    overdue_part, waiting_part = page.split("Overdue follow-ups", 1)[1].split("New concerns waiting", 1)
    assert f'href="/cases/{case_id}"' in overdue_part and f"Case {case_id}" in overdue_part
    assert "No follow-up visit is overdue." not in overdue_part
    assert "In danger now" in waiting_part


def test_seed_demo__same_seed_same_cases(runner, data_dir, tmp_path, monkeypatch):
    assert runner.invoke(["seed-demo", "--seed", "5", "--children", "40"]).exit_code == 0
    first = {table: rows(data_dir, f"SELECT * FROM {table} ORDER BY id") for table in CASE_TABLES}
    audit = "SELECT at, username, action, object_type, object_id, detail FROM audit_event WHERE action " \
            "LIKE 'case.%' OR action LIKE 'concern.%' OR action LIKE 'referral.%' ORDER BY id"
    first_audit = rows(data_dir, audit)

    other = tmp_path / "other"
    monkeypatch.setenv("COMMUNITYHUB_DATA_DIR", str(other))
    assert runner.invoke(["seed-demo", "--seed", "5", "--children", "40"]).exit_code == 0
    assert all(first[table] for table in CASE_TABLES)
    assert {table: rows(other, f"SELECT * FROM {table} ORDER BY id") for table in CASE_TABLES} == first
    assert rows(other, audit) == first_audit
