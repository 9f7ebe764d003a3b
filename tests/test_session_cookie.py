"""The session cookie (hub.security.HubSessions): a cookie verified once is not verified again, yet a changed
cookie, an expired one or one signed with another key is refused however often its original was accepted."""

import time
from datetime import timedelta


def signed_in_cookie(login_as):
    client = login_as("case_worker")
    assert client.get("/cases").status_code == 200  # verified, and kept as verified
    return client, client.get_cookie("hub_session").value


def test_cookie__accepted_again_and_a_changed_byte_refused(login_as):
    client, cookie = signed_in_cookie(login_as)
    assert client.get("/cases").status_code == 200
    last = cookie[-1]
    client.set_cookie("hub_session", cookie[:-1] + ("A" if last != "A" else "B"))
    response = client.get("/cases")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    client.set_cookie("hub_session", cookie)
    assert client.get("/cases").status_code == 200


def test_cookie__refused_once_older_than_a_session_lives(login_as, monkeypatch):
    client, _ = signed_in_cookie(login_as)
    later = time.time() + timedelta(days=32).total_seconds()  # PERMANENT_SESSION_LIFETIME is 31 days
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/cases")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_cookie__refused_after_the_hubs_key_changed(app, login_as):
    client, _ = signed_in_cookie(login_as)
    app.secret_key = "another key, as after a restore from another hub"
    response = client.get("/cases")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_cookie__each_request_reads_its_own_session(app, login_as):
    _, cookie = signed_in_cookie(login_as)
    with app.test_request_context("/cases", headers={"Cookie": f"hub_session={cookie}"}) as first:
        first.session["note"] = ["changed in one request"]
    with app.test_request_context("/cases", headers={"Cookie": f"hub_session={cookie}"}) as second:
        assert "note" not in second.session and second.session["csrf_token"] == first.session["csrf_token"]
