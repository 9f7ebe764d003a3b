"""Every form of the hub, posted with fields missing (only its CSRF token, as a broken phone or a hand-made
request sends it), answers with a page, never a 500; a refused form comes back with its errors."""

import pytest

from hub.app import create_app
from hub.auth.models import User
from hub.auth.service import create_user
from hub.db import database
from tests.conftest import csrf_token
from tests.pages import field_errors
from tests.server import run_command

# Answers that say "not like this" or "done"; a 500, or the form again as if it were a mere mistake (200),
# is a defect.
FINE = {302, 303, 400, 403, 404, 405, 409}
# No fields to miss, or a button that reaches out of the hub (sending to the district).
NOT_FORMS = {"static", "auth.logout", "home.language", "sharing.send"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A demo village (`communityhub seed-demo`, small) with a coordinator whose password is known."""
    data_dir = tmp_path_factory.mktemp("demo") / "instance"
    run_command(["seed-demo", "--seed", "1", "--children", "30"], data_dir)
    app = create_app({"DATA_DIR": str(data_dir), "TESTING": True})
    with app.app_context(), database.connection_context():
        create_user("checker", User.COORDINATOR, "form-walker-secret-1", must_change_secret=False)
    return app


def _post_routes(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint not in NOT_FORMS and not rule.rule.startswith("/api/"):
            yield rule


def test_every_form_posted_with_only_its_csrf_token_never_answers_500(demo):
    client = demo.test_client()
    client.post("/login", data={"username": "checker", "password": "form-walker-secret-1",
                                "csrf_token": csrf_token(client, "/login")})
    token = csrf_token(client, "/")
    failures = []
    for rule in _post_routes(demo):
        path = rule.build({name: 1 for name in rule.arguments}, append_unknown=False)[1]
        response = client.post(path, data={"csrf_token": token})
        if response.status_code not in FINE and response.mimetype != "application/json":
            failures.append((rule.endpoint, path, response.status_code))
    assert failures == []


def test_adding_a_member_with_only_a_csrf_token_answers_400_with_the_form(demo):
    client = demo.test_client()
    client.post("/login", data={"username": "checker", "password": "form-walker-secret-1",
                                "csrf_token": csrf_token(client, "/login")})
    response = client.post("/groups/1/members", data={"csrf_token": csrf_token(client, "/")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a person from the list." in page
    assert field_errors(page, "joined_on") == ["Please fill this in."]
