"""The demo village lets a newcomer walk the savings flows: two officers' logins finish a loan's approval,
and each demo member's "My passbook" is her own."""

import re

import pytest

from hub.app import create_app
from tests.conftest import csrf_token
from tests.test_demo_cases import INDIA, rows


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_village):
    """A copy of the demo village of India (`communityhub seed-demo --seed 1`): this module writes to it."""
    return demo_village(INDIA, tmp_path_factory.mktemp("demo-savings") / "instance")


def sign_in(data_dir, username):
    logins = dict(line.split() for line in (data_dir / "demo-logins.txt").read_text().splitlines())
    client = create_app({"DATA_DIR": str(data_dir), "TESTING": True}).test_client()
    client.get("/language/en")
    response = client.post("/login", data={"username": username, "password": logins[username],
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302
    return client


def test_demo__two_officer_logins_are_printed_and_each_is_her_own_member(demo):
    logins = dict(line.split() for line in (demo / "demo-logins.txt").read_text().splitlines())
    assert {"member", "officer"} <= set(logins)
    linked = rows(demo, "SELECT user_account.username, user_account.display_name, person.name "
                        "FROM savings_member JOIN user_account ON user_account.id = savings_member.user_id "
                        "JOIN person ON person.id = savings_member.person_id ORDER BY user_account.username")
    assert [username for username, *_ in linked] == ["member", "officer"]
    assert all(display_name == person_name for _, display_name, person_name in linked)


def test_demo__my_passbook_opens_her_own(demo):
    member = sign_in(demo, "member")
    [(cycle_id, name)] = rows(demo, "SELECT savings_member.cycle_id, display_name FROM savings_member "
                                    "JOIN user_account ON user_account.id = savings_member.user_id "
                                    "WHERE username = 'member'")
    cycle = member.get(f"/savings/{cycle_id}").get_data(as_text=True)
    passbook = re.search(r'href="(/savings/\d+/passbook/\d+)">My passbook', cycle).group(1)
    heading = member.get(passbook).get_data(as_text=True).split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert heading == f"Passbook: {name}"  # the signed-in account's own name, not another woman's


def test_demo__a_new_loan_is_approved_with_the_two_demo_officer_logins(demo):
    member, officer = sign_in(demo, "member"), sign_in(demo, "officer")
    [(cycle_id,)] = rows(demo, "SELECT cycle_id FROM savings_member JOIN user_account "
                               "ON user_account.id = savings_member.user_id WHERE username = 'member'")
    [(borrower,)] = rows(demo, "SELECT id FROM savings_member WHERE cycle_id = ? AND user_id IS NULL "
                               "ORDER BY id LIMIT 1", cycle_id)
    before = rows(demo, "SELECT max(id) FROM savings_entry")[0][0]
    form = {"member": str(borrower), "amount": "500", "rate": "2", "months": "3", "note": "Seeds",
            "on_day": rows(demo, "SELECT max(held_on) FROM savings_meeting WHERE cycle_id = ?", cycle_id)[0][0],
            "csrf_token": csrf_token(member, f"/savings/{cycle_id}/loans/new")}
    assert member.post(f"/savings/{cycle_id}/loans/new", data=form).status_code == 302
    [(loan,)] = rows(demo, "SELECT id FROM savings_entry WHERE id > ? AND kind = 'loan'", before)
    for client in (member, officer):
        client.post(f"/savings/entries/{loan}/approve",
                    data={"csrf_token": csrf_token(client, f"/savings/{cycle_id}")})
    assert rows(demo, "SELECT count(*) FROM savings_approval WHERE entry_id = ?", loan) == [(2,)]
