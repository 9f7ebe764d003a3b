"""Sign-in: credentials, throttling, session rotation, idle timeout, forced change, no-store, sign-out."""

import pytest

from hub import throttle as throttle_module
from hub.audit.models import AuditEvent
from hub.auth.models import User
from hub.signins import SessionStore
from tests.conftest import csrf_token


def post_login(client, username, password):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client, "/login")})


def test_sign_in__with_password_then_home_shows_who(client):
    response = post_login(client, "coordinator", "secret-rotanidrooc-1")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Signed in as Coordinator" in page


def test_sign_in__with_pin_and_any_case_username(app, client):
    with app.app_context():
        from tests.factories import make_user
        make_user(username="pooja", role=User.MEMBER, secret="246810", must_change_secret=False)
    assert post_login(client, "  Pooja ", "246810").status_code == 302


def test_sign_in__goes_back_to_the_page_asked_for(client):
    assert client.get("/accounts").headers["Location"] == "/login?next=/accounts"
    response = client.post("/login?next=/accounts", data={
        "username": "coordinator", "password": "secret-rotanidrooc-1", "next": "/accounts",
        "csrf_token": csrf_token(client, "/login")})
    assert response.headers["Location"] == "/accounts"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_sign_in__never_redirects_off_the_hub(client, target):
    response = client.post("/login", data={"username": "coordinator", "password": "secret-rotanidrooc-1",
                                           "next": target, "csrf_token": csrf_token(client, "/login")})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("username, password", [
    ("coordinator", "wrong password"), ("nobody", "secret-rotanidrooc-1"), ("", ""), ("coordinator", ""),
])
def test_sign_in__wrong_or_missing_credentials(app, client, username, password):
    response = post_login(client, username, password)
    assert response.status_code in (200, 401)
    page = response.get_data(as_text=True)
    assert "do not match an active account" in page or "Please fill this in." in page
    assert "Signed in as" not in client.get("/").get_data(as_text=True)


def test_sign_in__deactivated_account_refused(app, client):
    with app.app_context():
        user = User.get(User.username == "member")
        user.active = False
        user.save()
    assert post_login(client, "member", "secret-rebmem-1").status_code == 401


def test_sign_in__failure_is_audited_without_the_secret(app, client):
    post_login(client, "coordinator", "my wrong guess")
    with app.app_context():
        event = AuditEvent.newest_first().get()
        assert (event.action, event.username, event.client_address) == ("sign_in.failed", "coordinator",
                                                                         "127.0.0.1")
        assert "my wrong guess" not in event.detail


def test_throttle__locks_after_five_failures_with_a_clear_wait(client):
    for _ in range(5):
        assert post_login(client, "coordinator", "wrong").status_code == 401
    locked = post_login(client, "coordinator", "secret-rotanidrooc-1")
    assert locked.status_code == 429
    assert "Try again in 1 minute(s)" in locked.get_data(as_text=True)


def test_throttle__per_address_too(client):
    for index in range(throttle_module.ADDRESS_FREE_FAILURES):
        post_login(client, f"guess{index}", "wrong")
    assert post_login(client, "coordinator", "secret-rotanidrooc-1").status_code == 429


def test_throttle__lockout_grows_and_ends_on_the_monotonic_clock():
    now = [1000.0]
    throttle = throttle_module.Throttle(now=lambda: now[0])
    for _ in range(5):
        throttle.fail("a", "10.0.0.1")
    assert throttle.wait_seconds("a", "10.0.0.1") == 60
    throttle.fail("a", "10.0.0.1")
    assert throttle.wait_seconds("a", "10.0.0.1") == 120
    now[0] += 121
    assert throttle.wait_seconds("a", "10.0.0.1") == 0
    throttle.succeed("a", "10.0.0.1")
    throttle.fail("a", "10.0.0.1")
    assert throttle.wait_seconds("a", "10.0.0.1") == 0
    assert throttle_module.lockout_seconds(40) == throttle_module.LONGEST_LOCKOUT_SECONDS


def test_session__id_rotates_at_sign_in(app, client):
    client.get("/login")
    before = client.get_cookie("hub_session").value
    post_login(client, "coordinator", "secret-rotanidrooc-1")
    after = client.get_cookie("hub_session").value
    assert before != after
    assert len(app.extensions["hub_sessions"]._sessions) == 1


def test_session__idle_timeout_on_the_monotonic_clock(app, client):
    now = [5000.0]
    app.extensions["hub_sessions"] = SessionStore(30 * 60, now=lambda: now[0])
    post_login(client, "coordinator", "secret-rotanidrooc-1")
    now[0] += 29 * 60
    assert client.get("/accounts").status_code == 200
    now[0] += 29 * 60  # used a minute ago: still signed in
    assert client.get("/accounts").status_code == 200
    now[0] += 31 * 60
    response = client.get("/accounts")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "signed out because the hub was not used" in client.get("/login").get_data(as_text=True)


def test_session__ends_when_the_account_is_deactivated(app, login_as):
    member = login_as("member")
    coordinator = login_as("coordinator")
    member_id = User.get(User.username == "member").id
    coordinator.post(f"/accounts/{member_id}/active", data={"csrf_token": csrf_token(coordinator)})
    assert member.get("/account/secret").status_code == 302


def test_signed_in_pages__not_stored_by_the_browser(client, login_as):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    assert login_as("member").get("/").headers["Cache-Control"] == "no-store"


def test_sign_out__one_tap_from_every_page_and_ends_the_session(login_as):
    member = login_as("member")
    page = member.get("/account/secret").get_data(as_text=True)
    assert 'action="/logout"' in page
    response = member.post("/logout", data={"csrf_token": csrf_token(member)})
    assert response.headers["Location"] == "/"
    assert member.get("/account/secret").status_code == 302


def test_first_sign_in__forces_a_new_secret(app, client):
    with app.app_context():
        from tests.factories import make_user
        make_user(username="newbie", role=User.FACILITATOR, secret="135790")
    post_login(client, "newbie", "135790")
    assert client.get("/").headers["Location"] == "/account/secret"
    token = csrf_token(client, "/account/secret")
    same = client.post("/account/secret", data={"current": "135790", "new": "135790", "confirm": "135790",
                                                "csrf_token": token})
    assert "not the one you have now" in same.get_data(as_text=True)
    short = client.post("/account/secret", data={"current": "135790", "new": "12345", "confirm": "12345",
                                                 "csrf_token": token})
    assert "exactly 6 digits" in short.get_data(as_text=True)
    done = client.post("/account/secret", data={"current": "135790", "new": "864209", "confirm": "864209",
                                                "csrf_token": token})
    assert done.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    with app.app_context():
        assert User.get(User.username == "newbie").must_change_secret is False


def test_hashing__real_accounts_get_the_production_scrypt_parameters(app_context, monkeypatch):
    from werkzeug.security import generate_password_hash

    from hub.auth.service import HASH_METHOD, TEST_HASH_METHOD_ENV
    from tests.factories import make_user

    production = generate_password_hash("x", HASH_METHOD).split("$")[0]  # "scrypt:32768:8:1"
    cheap = make_user(username="cheap", secret="long enough secret", role=User.COORDINATOR)
    assert cheap.secret_hash.split("$")[0] != production  # the suite's setting is in force...
    monkeypatch.delenv(TEST_HASH_METHOD_ENV)  # ...and a real hub has no such setting
    real = make_user(username="real", secret="long enough secret", role=User.COORDINATOR)
    assert real.secret_hash.split("$")[0] == production
    assert production.startswith("scrypt:")
