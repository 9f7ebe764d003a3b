"""CSRF: every POST route refuses a request without a valid token, and changes nothing."""

import sqlite3

import pytest

from hub.instance import database_path


def snapshot(data_dir):
    conn = sqlite3.connect(database_path(data_dir))
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def post_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]


def test_every_post_route__refused_without_a_token(app, login_as, data_dir):
    coordinator = login_as("coordinator")
    before = snapshot(data_dir)
    rules = post_rules(app)
    assert len(rules) >= 8
    for rule in rules:
        url = rule.build({arg: 1 for arg in rule.arguments})[1]
        for token in (None, "forged-token"):
            data = {"username": "x", "password": "y", "display_name": "Changed", "role": "member",
                    "secret": "274915", "language": "es"}
            if token:
                data["csrf_token"] = token
            response = coordinator.post(url, data=data)
            assert response.status_code == 400, (url, response.status_code)
            assert "page may have been open for too long" in response.get_data(as_text=True)
    assert snapshot(data_dir) == before


@pytest.mark.parametrize("path", ["/login", "/setup"])
def test_anonymous_forms__refused_without_a_token(fresh_app, path):
    client = fresh_app.test_client()
    response = client.post(path, data={"username": "a", "password": "b"})
    assert response.status_code == 400
