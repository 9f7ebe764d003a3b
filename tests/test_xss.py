"""Untrusted text: a corpus of XSS payloads through every text field, then every page that shows them."""

from pathlib import Path

import pytest
from markupsafe import escape

from hub.text import clean
from tests.conftest import csrf_token
from tests.markup import executable_markup

PAYLOADS = [line for line in (Path(__file__).parent / "data" / "xss.txt").read_text().splitlines() if line]


def test_corpus__is_big_enough():
    assert len(PAYLOADS) >= 40


def test_checker__finds_what_a_payload_needs():
    assert executable_markup("<p onclick=x>a</p>") == ["<p onclick>"]
    assert executable_markup('<a href=" javascript:x">a</a>')
    assert executable_markup("<script>x</script>") == ["<script>"]
    assert executable_markup('<a href="/accounts">ok</a><a href="tel:1098">1098</a>') == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_clean__keeps_no_executable_markup(payload):
    assert executable_markup(clean(payload)) == []


def test_clean__keeps_the_allowed_formatting():
    text = "<p>Met <strong>Ravi</strong> and <em>Sita</em><br>at school</p><ul><li>one</li></ul>"
    assert clean(text) == text
    assert clean('<p class="x" id="y">hi</p><a href="/x">link</a>') == "<p>hi</p>link"


def pages(client):
    for path in ("/", "/accounts", "/village", "/audit", "/account/secret"):
        yield path, client.get(path).get_data(as_text=True)
    for user_id in range(1, 12):
        response = client.get(f"/accounts/{user_id}")
        if response.status_code == 200:
            yield f"/accounts/{user_id}", response.get_data(as_text=True)


def test_payloads__through_every_field_and_every_page(login_as):
    coordinator = login_as("coordinator")
    for index, payload in enumerate(PAYLOADS):
        token = csrf_token(coordinator, "/village")
        coordinator.post("/village", data={
            "name": payload[:80], "district": payload[:80], "country": "IN", "languages": ["en"],
            "numbers": f"{payload.replace('=', '')[:60] or 'x'} = 1098", "csrf_token": token})
        shown = dict(pages(coordinator))
        assert str(escape(payload[:80].strip())) in shown["/"], payload  # saved, and shown escaped
        for path, page in shown.items():
            assert executable_markup(page) == [], (payload, path)
        # Fields that refuse the payload render it back, kept as typed: escaped, never executed.
        refused = coordinator.post("/accounts/new", data={
            "display_name": payload[:80], "username": payload[:32], "role": "member", "language": "",
            "secret": "274915", "csrf_token": token})
        assert executable_markup(refused.get_data(as_text=True)) == [], payload
        if index % 10 == 0:  # accounts with a payload as display name (a valid username), shown in lists
            coordinator.post("/accounts/new", data={
                "display_name": payload[:80], "username": f"xss{index}", "role": "member", "language": "",
                "secret": "274915", "csrf_token": token})
    for path, page in pages(coordinator):
        assert executable_markup(page) == [], path


def test_payloads__in_the_sign_in_form(client):
    for payload in PAYLOADS:
        page = client.post("/login", data={"username": payload[:32], "password": payload,
                                           "csrf_token": csrf_token(client, "/login")}).get_data(as_text=True)
        assert executable_markup(page) == [], payload
