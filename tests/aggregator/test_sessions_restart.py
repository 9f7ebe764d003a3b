"""The aggregator's sign-ins use the hub's session store (hub.signins) and survive a restart too."""

import re

from federation.aggregator import auth, db
from federation.aggregator.app import create_app

PASSWORD = "district password 1"


def make_app(folder):
    return create_app({"DATA_DIR": str(folder), "DATABASE_URL": "", "TESTING": True})


def test_aggregator_sign_in__survives_a_restart(tmp_path):
    app = make_app(tmp_path / "aggregator")
    with app.app_context(), db.database.connection_context():
        auth.add_admin("district", PASSWORD)
    client = app.test_client()
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").data).group(1).decode()
    assert client.post("/login", data={"username": "district", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 200

    db.close_all()
    again = make_app(tmp_path / "aggregator").test_client()
    again.set_cookie("aggregator_session", client.get_cookie("aggregator_session").value)
    assert again.get("/").status_code == 200
    db.close_all()
