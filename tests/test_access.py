"""Need to know: every route the app registers, for every role and for no account, against the table."""

import pytest

from hub import access
from hub.auth.models import User
from tests.conftest import csrf_token

ROLES = (None,) + User.ROLES


def rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def url_for_rule(rule):
    """A concrete URL for rule: integer arguments become 1 (the first account exists in the fixture)."""
    return rule.build({arg: 1 for arg in rule.arguments})[1]


def test_every_route_has_a_row(app):
    missing = sorted({rule.endpoint for rule in rules(app)} - set(access.ACCESS))
    assert missing == [], "add these endpoints to hub/access.py ACCESS"


def test_no_row_without_a_route(app):
    stale = sorted(set(access.ACCESS) - {rule.endpoint for rule in app.url_map.iter_rules()})
    assert stale == []


def test_a_route_missing_from_the_table_is_refused(app, login_as, monkeypatch):
    monkeypatch.delitem(access.ACCESS, "auth.accounts")
    assert login_as("coordinator").get("/accounts").status_code == 403


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "no-account")
def test_every_route_for_every_role(app, login_as, role):
    client = login_as(role) if role else app.test_client()
    user = User.get(User.username == role.replace("_", "")) if role else None
    outcomes = {}
    # Sign-out last: it ends the session the other requests need.
    for rule in sorted(rules(app), key=lambda rule: rule.endpoint == "auth.logout"):
        url = url_for_rule(rule)
        if "GET" in rule.methods:
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": csrf_token(client, "/login")})
        location = response.headers.get("Location", "")
        # A server error is a defect, never a way of being "allowed" or "refused".
        assert response.status_code < 500, (rule.endpoint, role, response.status_code)
        if access.allowed(rule.endpoint, user):
            refused = response.status_code == 403 or location.startswith("/login")
            outcomes[rule.endpoint] = "refused" if refused else "allowed"
        elif role is None:  # sent to sign in, or (the phone's outbox, which keeps the form itself) refused
            refused = location.startswith("/login") or response.status_code == 403
            outcomes[rule.endpoint] = "refused" if refused else "allowed"
        else:
            outcomes[rule.endpoint] = "allowed" if response.status_code != 403 else "refused"
        expected = "allowed" if access.allowed(rule.endpoint, user) else "refused"
        assert outcomes[rule.endpoint] == expected, (rule.endpoint, response.status_code, location)


def test_refused_page_is_localised(app, login_as):
    from flask_babel import force_locale

    from hub.errors import TITLES

    with app.test_request_context(), force_locale("es"):
        spanish = str(TITLES[403])
    assert spanish != "You may not open this page"
    response = login_as("member").get("/accounts", headers={"Accept-Language": "es"})
    assert response.status_code == 403
    assert spanish in response.get_data(as_text=True)


def test_anonymous__sent_to_sign_in_and_back(client):
    response = client.get("/accounts")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/accounts"


def test_nav__shows_only_what_the_role_may_open(login_as):
    coordinator = login_as("coordinator").get("/").get_data(as_text=True)
    member = login_as("member").get("/").get_data(as_text=True)
    assert 'href="/accounts"' in coordinator and 'href="/audit"' in coordinator
    assert 'href="/accounts"' not in member and 'href="/audit"' not in member
    assert "Sign out" in member
