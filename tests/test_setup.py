"""First-run set-up: every page leads to /setup until a coordinator exists; the code is required."""

import pytest

from hub import instance
from hub.auth.models import User
from hub.village.models import EmergencyNumber, Village
from tests.conftest import csrf_token


def setup_data(client, data_dir, **overrides):
    data = {"setup_code": instance.setup_code(data_dir), "name": "Kashipur", "district": "Satkhira",
            "country": "BD", "languages": ["bn", "en"], "numbers": "", "display_name": "Rahima Khatun",
            "username": "rahima", "password": "a long password", "confirm": "a long password",
            "csrf_token": csrf_token(client, "/setup")}
    data.update(overrides)
    return data


def test_every_page__leads_to_setup_first(fresh_app):
    client = fresh_app.test_client()
    for path in ("/", "/login", "/accounts", "/audit"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/setup", path
    assert client.get("/healthz").status_code == 200


def test_setup__creates_village_numbers_and_coordinator(fresh_app, data_dir):
    client = fresh_app.test_client()
    response = client.post("/setup", data=setup_data(client, data_dir))
    assert response.headers["Location"] == "/accounts"
    with fresh_app.app_context():
        village = Village.get()
        assert (village.name, village.country, village.language_codes) == ("Kashipur", "BD", ["bn", "en"])
        numbers = [(n.kind, n.number) for n in EmergencyNumber.ordered()]
        assert numbers[0] == ("child_helpline", "1098") and ("emergency", "999") in numbers
        coordinator = User.get(User.username == "rahima")
        assert coordinator.role == "coordinator" and not coordinator.must_change_secret
    assert client.get("/accounts").status_code == 200  # signed in straight away
    assert not (data_dir / instance.SETUP_CODE_FILE).exists()
    assert client.get("/setup").status_code == 404  # set-up happens once


def test_setup__own_numbers_in_order(fresh_app, data_dir):
    client = fresh_app.test_client()
    client.post("/setup", data=setup_data(client, data_dir, country="PE",
                                          numbers="Línea 100 = 100\nPolice = 105\nPosta de salud = 064 123 456"))
    with fresh_app.app_context():
        rows = [(n.kind, n.label, n.number) for n in EmergencyNumber.ordered()]
    assert rows == [("other", "Línea 100", "100"), ("police", "", "105"), ("other", "Posta de salud", "064 123 456")]


@pytest.mark.parametrize("overrides, message", [
    ({"setup_code": "0000-0000-0000"}, "set-up code is not right"),
    ({"setup_code": ""}, "Please fill this in."),
    ({"password": "short", "confirm": "short"}, "at least 10 characters"),
    ({"confirm": "something else"}, "The two entries differ."),
    ({"numbers": "call the police"}, "This line is not right: call the police"),
    ({"username": "bad user!"}, "A username has"),
    ({"country": "XX"}, "Not a valid choice"),
    ({"languages": []}, "Please fill this in."),
])
def test_setup__bad_input_explained_and_nothing_saved(fresh_app, data_dir, overrides, message):
    client = fresh_app.test_client()
    response = client.post("/setup", data=setup_data(client, data_dir, **overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with fresh_app.app_context():
        assert Village.select().count() == 0 and User.select().count() == 0


def test_setup__wrong_codes_are_throttled(fresh_app, data_dir):
    client = fresh_app.test_client()
    for _ in range(5):
        client.post("/setup", data=setup_data(client, data_dir, setup_code="1111-1111-1111"))
    response = client.post("/setup", data=setup_data(client, data_dir))
    assert response.status_code == 429
    with fresh_app.app_context():
        assert User.select().count() == 0


def test_village_profile__coordinator_edits_numbers(app, login_as):
    coordinator = login_as("coordinator")
    form = coordinator.get("/village").get_data(as_text=True)
    assert "Child helpline = 1098" in form
    response = coordinator.post("/village", data={
        "name": "Rampur Kalan", "district": "Murshidabad", "country": "IN", "languages": ["hi"],
        "numbers": "Child helpline = 1098\nPanchayat office = 98765 43210", "csrf_token": csrf_token(coordinator)})
    assert response.headers["Location"] == "/"
    home = coordinator.get("/").get_data(as_text=True)
    assert "Rampur Kalan" in home and "Panchayat office" in home and "112" not in home
