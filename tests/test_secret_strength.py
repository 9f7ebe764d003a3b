"""Secrets that are easy to guess are refused everywhere one is chosen: the account pages, changing one's
own, the first coordinator at set-up and `communityhub user add` (tests/test_cli.py)."""

import pytest

from hub.auth import strength
from hub.auth.models import User
from tests.conftest import csrf_token
from tests.test_accounts import new_account


@pytest.mark.parametrize("pin", ["000000", "999999", "123456", "654321", "012345", "121212", "123123",
                                 "112233", "696969", "147258", "100100", "110011"])
def test_problem__pins_anyone_would_try_first(pin):
    assert strength.problem(pin) is not None


@pytest.mark.parametrize("password", ["password12", "Password123!", "PASSWORD2026", "qwertyuiop", "1234567890",
                                      "abcdefghij", "iloveyou2024", "aaaaaaaaaaaa", "abababababab",
                                      "Welcome2026!", "0987654321", "zxcvbnm123"])
def test_problem__common_passwords_runs_and_repeats(password):
    assert strength.problem(password) is not None


@pytest.mark.parametrize("secret", ["sita.rai.2026", "SITA-is-here", "my sita"])
def test_problem__a_secret_that_contains_the_username(secret):
    assert "username" in str(strength.problem(secret, "sita"))


@pytest.mark.parametrize("secret", ["274915", "390417", "river stone mango", "Tara walks 4 km", "k7#pQ2!mZx"])
def test_problem__a_secret_of_ones_own_passes(secret):
    assert strength.problem(secret, "sita") is None


def test_temporary_secrets_are_never_weak(app):
    from hub.auth.service import temporary_secret

    with app.app_context():
        pins = {temporary_secret(User.MEMBER) for _ in range(300)}
    assert all(len(pin) == 6 and strength.problem(pin) is None for pin in pins)


@pytest.mark.parametrize("overrides, message", [
    ({"role": "member", "secret": "000000"}, "one of the first anyone would try"),
    ({"role": "coordinator", "secret": "password12"}, "common password"),
    ({"role": "coordinator", "username": "sitarai", "secret": "sitarai-2026"}, "must not contain the username"),
])
def test_new_account__a_weak_secret_is_refused_beside_its_field_and_nothing_saved(app, login_as, overrides,
                                                                                   message):
    coordinator = login_as("coordinator")
    response = new_account(coordinator, **overrides)
    page = response.get_data(as_text=True)
    assert response.status_code != 302 and message in page
    with app.app_context():
        assert not User.select().where(User.username == overrides.get("username", "sita")).exists()


def test_account_pages_say_the_rule_before_anyone_types(login_as):
    coordinator = login_as("coordinator")
    assert "no common password" in coordinator.get("/accounts/new").get_data(as_text=True)
    assert "no common password" in coordinator.get("/account/secret").get_data(as_text=True)


def test_change_own_secret__a_weak_new_one_is_refused_and_the_old_one_still_works(app, client):
    from tests.factories import make_user

    with app.app_context():
        make_user(username="newbie", role=User.FACILITATOR, secret="274915")
    client.post("/login", data={"username": "newbie", "password": "274915", "csrf_token": csrf_token(client, "/login")})
    response = client.post("/account/secret", data={"current": "274915", "new": "111111", "confirm": "111111",
                                                     "csrf_token": csrf_token(client, "/account/secret")})
    assert "one of the first anyone would try" in response.get_data(as_text=True)
    with app.app_context():
        from hub.auth.service import check_secret

        assert check_secret(User.get(User.username == "newbie"), "274915")
