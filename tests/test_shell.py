"""The kept app shell and page answers (hub.shell, hub.memo): what a page shows never outlives a write, follows
the reader's language, and a session's cookie and CSRF token are settled at sign-in."""

import re
from datetime import datetime, timedelta

from hub.auth.models import User
from hub.db import database
from hub.groups.models import AccountGroup
from hub.village.models import Village
from tests.factories import fixture_secret, make_group, make_meeting, make_person


def _token(page):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def test_sign_in__its_cookie_carries_the_csrf_token(app, client):
    login = client.get("/login").get_data(as_text=True)
    signed_in = client.post("/login", data={"username": "facilitator", "password": fixture_secret("facilitator"),
                                            "csrf_token": _token(login)})
    assert signed_in.status_code == 302
    # A client that keeps only the sign-in's cookie gets no new cookie, and the same token, on every page.
    first, second = client.get("/"), client.get("/groups")
    assert "Set-Cookie" not in first.headers and "Set-Cookie" not in second.headers
    token = _token(first.get_data(as_text=True))
    assert token == _token(second.get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302  # and it is accepted


def test_header__names_the_village_as_renamed_since_the_last_page(app, login_as):
    facilitator = login_as("facilitator")
    assert "Rampur" in facilitator.get("/").get_data(as_text=True)
    with app.app_context(), database.connection_context():
        Village.update(name="Nayagram").where(Village.id == 1).execute()
    page = facilitator.get("/").get_data(as_text=True)
    assert "Nayagram" in page and "Rampur" not in page


def test_menu__follows_the_language_chosen(app, login_as):
    facilitator = login_as("facilitator")
    page = facilitator.get("/").get_data(as_text=True)
    assert ">Sessions</span>" in page
    facilitator.post("/language/bn", data={"csrf_token": _token(page), "next": "/"})
    page = facilitator.get("/").get_data(as_text=True)
    assert ">Sessions</span>" not in page and 'lang="bn"' in page


def test_group_page__a_new_member_and_session_show_at_once(app, login_as):
    with app.app_context(), database.connection_context():
        group = make_group(name="Sunflowers")
        AccountGroup.create(user=User.get(User.username == "facilitator"), group=group)
        make_person(group, name="Anita Das")
    facilitator = login_as("facilitator")
    page = facilitator.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "Anita Das" in page and "Babita Roy" not in page
    with app.app_context(), database.connection_context():
        make_person(group, name="Babita Roy")
        make_meeting(group, datetime.now() - timedelta(days=1))
    page = facilitator.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "Anita Das" in page and "Babita Roy" in page and "No sessions yet." not in page


def test_roster__shows_a_child_added_since_it_was_last_opened(app, login_as):
    with app.app_context(), database.connection_context():
        group = make_group(name="Sunflowers")
        AccountGroup.create(user=User.get(User.username == "facilitator"), group=group)
        make_person(group, name="Anita Das")
        meeting = make_meeting(group, datetime.now(), status="planned")
    facilitator = login_as("facilitator")
    page = facilitator.get(f"/sessions/{meeting.id}/roster").get_data(as_text=True)
    assert "Anita Das" in page and "Babita Roy" not in page
    with app.app_context(), database.connection_context():
        babita = make_person(group, name="Babita Roy")
    page = facilitator.get(f"/sessions/{meeting.id}/roster").get_data(as_text=True)
    assert f"value={babita.id} checked><b>Babita Roy</b>" in page
