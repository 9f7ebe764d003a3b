"""The coordinator's account pages: create, edit, reset, deactivate; refusals save nothing."""

import re

import pytest

from hub.audit.models import AuditEvent
from hub.auth.models import User
from tests.conftest import csrf_token
from tests.pages import field_errors


def new_account(client, **overrides):
    data = {"display_name": "Sita Rai", "username": "sita", "role": "facilitator", "language": "hi",
            "secret": "390417", "csrf_token": csrf_token(client, "/accounts/new")}
    data.update(overrides)
    return client.post("/accounts/new", data=data)


def test_create__a_facilitator_with_a_pin(app, login_as):
    coordinator = login_as("coordinator")
    response = new_account(coordinator)
    assert response.headers["Location"] == "/accounts"
    assert "Account sita created" in coordinator.get("/accounts").get_data(as_text=True)
    with app.app_context():
        user = User.get(User.username == "sita")
        assert (user.display_name, user.role, user.language, user.secret_kind, user.must_change_secret) == (
            "Sita Rai", "facilitator", "hi", "pin", True)
        event = AuditEvent.newest_first().get()
        assert (event.action, event.username, event.object_id) == ("account.created", "coordinator", str(user.id))


@pytest.mark.parametrize("overrides, message", [
    ({"role": "case_worker", "secret": "390417"}, "need a password of at least 10 characters"),
    ({"role": "member", "secret": "1234"}, "exactly 6 digits"),
    ({"username": "coordinator"}, "already taken"),
    ({"username": "no spaces"}, "A username has"),
    ({"role": "chief"}, "Not a valid choice"),
    ({"display_name": ""}, "Please fill this in."),
    ({"display_name": "x" * 81}, "at most 80 characters"),
])
def test_create__bad_input_is_explained_and_nothing_saved(app, login_as, overrides, message):
    coordinator = login_as("coordinator")
    with app.app_context():
        before = User.select().count()
    response = new_account(coordinator, **overrides)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert 'value="Sita Rai"' in page or overrides.get("display_name") is not None  # what was typed is kept
    with app.app_context():
        assert User.select().count() == before


def test_edit__role_and_language(app, login_as):
    coordinator = login_as("coordinator")
    member_id = User.get(User.username == "member").id
    response = coordinator.post(f"/accounts/{member_id}", data={
        "display_name": "Meena B", "role": "facilitator", "language": "bn",
        "csrf_token": csrf_token(coordinator)})
    assert response.headers["Location"] == "/accounts"
    member = User.get_by_id(member_id)
    assert (member.display_name, member.role, member.language) == ("Meena B", "facilitator", "bn")
    assert AuditEvent.newest_first().get().detail == "name, role, language"


def test_edit__a_pin_account_cannot_become_a_case_worker(app, login_as):
    with app.app_context():
        from tests.factories import make_user
        pin_user = make_user(username="pinny", secret="481930", role="member")
    coordinator = login_as("coordinator")
    response = coordinator.post(f"/accounts/{pin_user.id}", data={
        "display_name": "Pinny", "role": "case_worker", "language": "", "csrf_token": csrf_token(coordinator)})
    assert "signs in with a PIN" in response.get_data(as_text=True)
    assert User.get_by_id(pin_user.id).role == "member"


def test_edit__the_last_coordinator_keeps_the_role(app, login_as):
    coordinator = login_as("coordinator")
    me = User.get(User.username == "coordinator")
    response = coordinator.post(f"/accounts/{me.id}", data={
        "display_name": "Boss", "role": "member", "language": "", "csrf_token": csrf_token(coordinator)})
    assert "at least one active coordinator" in response.get_data(as_text=True)
    coordinator.post(f"/accounts/{me.id}/active", data={"csrf_token": csrf_token(coordinator)})
    assert User.get_by_id(me.id).active is True


def test_reset__temporary_secret_forces_a_change(app, login_as, client):
    coordinator = login_as("coordinator")
    member = User.get(User.username == "member")
    response = coordinator.post(f"/accounts/{member.id}/reset", data={
        "secret": "730562", "csrf_token": csrf_token(coordinator)})
    assert response.status_code == 302
    client.post("/login", data={"username": "member", "password": "730562",
                                "csrf_token": csrf_token(client, "/login")})
    assert client.get("/").headers["Location"] == "/account/secret"


def test_reset__bad_secret_is_explained(login_as):
    coordinator = login_as("coordinator")
    case_worker = User.get(User.username == "caseworker")
    response = coordinator.post(f"/accounts/{case_worker.id}/reset", data={
        "secret": "274915", "csrf_token": csrf_token(coordinator)})
    assert response.status_code == 400
    assert "need a password of at least 10 characters" in response.get_data(as_text=True)


def test_deactivate_and_reactivate__never_deleted(app, login_as):
    coordinator = login_as("coordinator")
    member = User.get(User.username == "member")
    coordinator.post(f"/accounts/{member.id}/active", data={"csrf_token": csrf_token(coordinator)})
    assert User.get_by_id(member.id).active is False
    assert "Deactivated" in coordinator.get("/accounts").get_data(as_text=True)
    coordinator.post(f"/accounts/{member.id}/active", data={"csrf_token": csrf_token(coordinator)})
    assert User.get_by_id(member.id).active is True
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.object_id == str(member.id))]
    assert actions[-2:] == ["account.deactivated", "account.reactivated"]


def test_unknown_account__404(login_as):
    assert login_as("coordinator").get("/accounts/9999").status_code == 404


def test_create__a_new_account_is_a_member_unless_a_higher_role_is_chosen(app, login_as):
    coordinator = login_as("coordinator")
    page = coordinator.get("/accounts/new").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="role"[^>]*>(.*?)</select>', page, re.DOTALL).group(1)
    assert re.findall(r'<option (?:selected )?value="(\w+)"', select) == [
        "member", "facilitator", "case_worker", "coordinator"]  # least privilege first
    assert re.findall(r'<option selected value="(\w+)"', select) == ["member"]
    assert "A new account is a member." in page
    data = {"display_name": "Sita Rai", "username": "sita", "secret": "390417", "language": "",
            "csrf_token": csrf_token(coordinator, "/accounts/new")}
    assert coordinator.post("/accounts/new", data=data).status_code == 302  # no role sent: a member
    with app.app_context():
        assert User.get(User.username == "sita").role == "member"


def test_create__every_field_error_shows_in_one_pass(app, login_as):
    response = new_account(login_as("coordinator"), display_name="", username="coordinator", role="member",
                           secret="1234")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_errors(page, "display_name") == ["Please fill this in."]
    assert field_errors(page, "username") == ["The username coordinator is already taken."]
    assert field_errors(page, "secret") == ["A PIN has exactly 6 digits."]
