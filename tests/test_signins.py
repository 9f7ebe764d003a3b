"""Sign-ins survive a restart (issue 22, item 7), stay revocable, and a form posted after a sign-in ended is
kept through signing in again and then saved."""

import html
import json
import re
from pathlib import Path

from hub.app import create_app
from hub.db import database
from hub.people.models import Person
from hub.signins import SESSIONS_FILE, SessionStore
from tests.conftest import csrf_token
from tests.test_people import person_form


def restarted(app, client):
    """The same data folder served by a new app (a restart), and a phone with the same cookie."""
    database.close_all()
    again = create_app({"DATA_DIR": app.config["DATA_DIR"], "TESTING": True})
    phone = again.test_client()
    phone.set_cookie("hub_session", client.get_cookie("hub_session").value)
    return again, phone


def test_sign_in__survives_a_restart(app, login_as):
    client = login_as("coordinator")
    assert client.get("/accounts").status_code == 200
    _, phone = restarted(app, client)
    assert phone.get("/accounts").status_code == 200


def test_sign_in__the_file_holds_no_session_id(app, login_as):
    client = login_as("coordinator")
    text = (Path(app.config["DATA_DIR"]) / SESSIONS_FILE).read_text(encoding="utf-8")
    assert len(json.loads(text)["sessions"]) == 1
    cookie = app.session_interface.get_signing_serializer(app).loads(client.get_cookie("hub_session").value)
    assert cookie["sid"] not in text


def test_sign_out__stays_signed_out_after_a_restart(app, login_as):
    client = login_as("coordinator")
    cookie = client.get_cookie("hub_session").value
    client.post("/logout", data={"csrf_token": csrf_token(client, "/accounts")})
    client.set_cookie("hub_session", cookie)  # someone kept a copy of the old cookie
    _, phone = restarted(app, client)
    assert phone.get("/accounts").status_code == 302


def test_deactivated_account__revoked_across_a_restart(app, login_as):
    facilitator = login_as("facilitator")
    with app.app_context(), database.connection_context():
        from hub.auth.models import User

        user_id = User.get(User.username == "facilitator").id
    app.extensions["hub_sessions"].end_all_for(user_id)
    _, phone = restarted(app, facilitator)
    assert phone.get("/sessions").status_code == 302


def test_store__idle_and_absolute_limits_counted_across_a_restart(tmp_path):
    now = [1000.0]
    store = SessionStore(60, now=lambda: now[0], path=tmp_path / SESSIONS_FILE)
    session_id = store.start(7)
    now[0] += 50
    store.save()
    after_reboot = [5.0]  # the monotonic clock starts again at boot
    again = SessionStore(60, now=lambda: after_reboot[0], path=tmp_path / SESSIONS_FILE)
    assert again.touch(session_id) == 7  # used 50 s ago by its own count: alive
    after_reboot[0] += 61
    assert again.touch(session_id) is None


def test_form_posted_after_the_sign_in_ended__kept_and_saved_after_signing_in(app, login_as):
    now = [1000.0]
    app.extensions["hub_sessions"] = SessionStore(30 * 60, now=lambda: now[0])
    client = login_as("coordinator")
    token = csrf_token(client, "/people/new")
    now[0] += 31 * 60  # the phone lay idle: the sign-in ended while the form was being filled in
    posted = client.post("/people/new", data={**person_form(), "csrf_token": token})
    assert posted.status_code == 302 and posted.headers["Location"].startswith("/login?next=/kept/")
    kept_path = re.search(r"next=(/kept/[\w-]+)", posted.headers["Location"]).group(1)

    signed_in = client.post("/login", data={"username": "coordinator", "password": "secret-rotanidrooc-1",
                                            "next": kept_path, "csrf_token": csrf_token(client, "/login")})
    assert signed_in.headers["Location"] == kept_path
    page = html.unescape(client.get(kept_path).get_data(as_text=True))
    assert 'value="Rina Khatun"' in page and "press Save" in page
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    saved = client.post(re.search(r'<form method="post" action="([^"]+)"', page).group(1), data=fields)
    assert saved.status_code == 302
    with app.app_context(), database.connection_context():
        assert Person.select().where(Person.name == "Rina Khatun").count() == 1
    assert client.get(kept_path).status_code == 302  # shown once


def test_kept_form__not_shown_to_another_account(app, login_as):
    now = [1000.0]
    app.extensions["hub_sessions"] = SessionStore(30 * 60, now=lambda: now[0])
    client = login_as("coordinator")
    token = csrf_token(client, "/people/new")
    now[0] += 31 * 60
    posted = client.post("/people/new", data={"csrf_token": token, "name": "Secret Child"})
    kept_path = re.search(r"next=(/kept/[\w-]+)", posted.headers["Location"]).group(1)
    other = login_as("case_worker", client)
    page = other.get(kept_path, follow_redirects=True).get_data(as_text=True)
    assert "Secret Child" not in page
