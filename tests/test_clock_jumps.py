"""Records made while the hub's clock is unsure are marked by their order, not their time (issue 22, item 9).

Moved through the hub's own clock hook (hub.clock.now): the hub believes it is 20 December, a phone says
1 December, then the clock jumps back (a network time, a battery) before the coordinator sets it. A record
made after the jump carries a time before the moment the clock became unsure, yet it was made while
the clock was unsure and must say so; a record made before the phone's report must not.
"""

from datetime import datetime

from hub import clock
from hub.cases.models import Case
from hub.db import database
from tests.conftest import csrf_token
from tests.hubprocess import report_concern


class Phone:
    """tests.hubprocess.report_concern on a Flask test client."""

    def __init__(self, client):
        self.client = client

    def post(self, path, data):
        return self.client.post(path, data={**data, "csrf_token": csrf_token(self.client, path)})


def test_records_after_a_backward_jump_are_marked_clock_unsure(app, login_as, monkeypatch):
    hub_time = {"now": datetime(2026, 12, 20, 9, 0)}
    monkeypatch.setattr(clock, "now", lambda: hub_time["now"])
    facilitator = login_as("facilitator")
    assert report_concern(Phone(facilitator), "before the phone said anything").status_code == 302
    said = facilitator.post("/clock/report", data={"csrf_token": csrf_token(facilitator, "/"),
                                                   "phone_time": "2026-12-01T09:00"})
    assert said.get_data(as_text=True) == "skewed"
    hub_time["now"] = datetime(2026, 12, 1, 9, 5)  # the clock jumps back, still unsure
    assert report_concern(Phone(facilitator), "after the jump back").status_code == 302

    with app.app_context(), database.connection_context():
        before = Case.get(Case.what_happened == "before the phone said anything")
        after = Case.get(Case.what_happened == "after the jump back")
    assert after.reported_at < before.reported_at  # the times alone would not tell
    coordinator = login_as("coordinator")
    assert "clock unsure" in coordinator.get(f"/cases/{after.id}").get_data(as_text=True)
    assert "clock unsure" not in coordinator.get(f"/cases/{before.id}").get_data(as_text=True)
