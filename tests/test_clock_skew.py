"""Clock skew: a phone says its time, the hub notices a difference of more than a few minutes, the
coordinator sets the hub's clock from the phone (through a command a test points at a fake), and records
made while the clock was suspect can be told apart."""

import html
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hub import clock
from hub.clockcheck import service
from tests.conftest import csrf_token

HUB_NOW = datetime(2026, 11, 20, 9, 0, 0)  # the hub woke from a power cut believing this


@pytest.fixture
def fake_timedatectl(app, tmp_path, monkeypatch):
    """A stand-in for `timedatectl set-time`: writes its argument to a file, as the Pi's clock would change."""
    called = tmp_path / "set-time.args"
    script = tmp_path / "fake-set-time"
    script.write_text(f'#!/bin/sh\nprintf "%s" "$*" > "{called}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    app.config["CLOCK_SET_COMMAND"] = [str(script)]
    monkeypatch.setattr(clock, "now", lambda: HUB_NOW)
    return called


def _report(client, phone_time):
    return client.post("/clock/report", data={"csrf_token": csrf_token(client, "/"), "phone_time": phone_time})


def test_a_phone_within_a_few_minutes_leaves_the_clock_trusted(app, login_as, fake_timedatectl):
    client = login_as("facilitator")
    response = _report(client, (HUB_NOW + timedelta(minutes=3)).isoformat())
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"
    assert not (Path(app.config["DATA_DIR"]) / service.SUSPECT_FILE).exists()


def test_a_phone_far_off_marks_the_clock_suspect_and_the_coordinator_sets_it(app, login_as, fake_timedatectl):
    phone = datetime(2026, 12, 6, 13, 10)
    assert _report(login_as("facilitator"), phone.isoformat()).get_data(as_text=True) == "skewed"
    with app.test_request_context():
        assert service.suspect_since() == HUB_NOW
        assert service.was_suspect(HUB_NOW + timedelta(minutes=1))
        assert not service.was_suspect(HUB_NOW - timedelta(minutes=1))

    coordinator = login_as("coordinator")
    page = coordinator.get("/clock").get_data(as_text=True).replace("\u202f", " ")  # CLDR's narrow space
    assert "Nov 20, 2026, 9:00 AM" in page and 'type="datetime-local"' in page and 'name="csrf_token"' in page
    assert "A phone said the hub&#39;s clock is wrong" in page or "A phone said the hub's clock is wrong" in page
    response = coordinator.post("/clock/set", data={"csrf_token": csrf_token(coordinator, "/clock"),
                                                    "phone_time": "2026-12-06T13:10"})
    assert response.status_code == 302
    assert fake_timedatectl.read_text() == "2026-12-06 13:10:00"
    with app.test_request_context():
        assert service.suspect_since() is None
        (entry,) = service.history()
        assert entry["by"] == "coordinator" and entry["set_to"] == "2026-12-06T13:10:00"
        assert service.suspect_periods() == [(HUB_NOW, HUB_NOW)]
        assert service.was_suspect(HUB_NOW) and not service.was_suspect(HUB_NOW + timedelta(seconds=1))


def test_without_a_csrf_token_nothing_is_set(login_as, fake_timedatectl):
    response = login_as("coordinator").post("/clock/set", data={"phone_time": "2026-12-06T13:10"})
    assert response.status_code == 400 and not fake_timedatectl.exists()


def test_a_failing_command_says_why_and_keeps_the_clock_suspect(app, login_as, fake_timedatectl, tmp_path):
    _report(login_as("member"), "2026-12-06T13:10")
    app.config["CLOCK_SET_COMMAND"] = ["/bin/false"]
    coordinator = login_as("coordinator")
    response = coordinator.post("/clock/set", data={"csrf_token": csrf_token(coordinator, "/clock"),
                                                    "phone_time": "2026-12-06T13:10"})
    assert response.status_code == 400 and "was not set" in response.get_data(as_text=True)
    with app.test_request_context():
        assert service.suspect_since() == HUB_NOW and service.history() == []


def test_a_time_before_this_release_is_refused(login_as, fake_timedatectl):
    coordinator = login_as("coordinator")
    response = coordinator.post("/clock/set", data={"csrf_token": csrf_token(coordinator, "/clock"),
                                                    "phone_time": "2001-01-01T00:00"})
    assert response.status_code == 400 and not fake_timedatectl.exists()


def test_epoch_milliseconds_from_clock_js_are_understood():
    assert service.parse_phone_time("0") == datetime.fromtimestamp(0)
    with pytest.raises(service.ClockError):
        service.parse_phone_time("tomorrow")


@pytest.mark.parametrize("role", ["facilitator", "member"])
def test_only_the_coordinator_sets_the_clock(login_as, fake_timedatectl, role):
    client = login_as(role)
    assert client.get("/clock").status_code in (302, 403, 404)
    response = client.post("/clock/set", data={"csrf_token": csrf_token(client, "/"),
                                               "phone_time": "2026-12-06T13:10"})
    assert response.status_code in (302, 403, 404) and not fake_timedatectl.exists()


def test_the_script_is_optional_and_local(login_as):
    page = login_as("coordinator").get("/clock").get_data(as_text=True)
    assert '<script src="/static/clock.js"' in page and "http" not in page.split("clock.js")[0][-40:]
    assert Path(__file__).parents[1].joinpath("static/clock.js").stat().st_size < 3000


def test_the_script_reports_from_every_signed_in_page_only(app, login_as):
    assert '<script src="/static/clock.js"' in login_as("facilitator").get("/").get_data(as_text=True)
    assert "clock.js" not in app.test_client().get("/login").get_data(as_text=True)


def test_a_suspect_clock_is_offered_to_the_coordinator_on_every_page(login_as, fake_timedatectl):
    coordinator = login_as("coordinator")
    assert "clock is wrong" not in coordinator.get("/").get_data(as_text=True)
    _report(login_as("facilitator"), "2026-12-06T13:10")
    page = html.unescape(coordinator.get("/").get_data(as_text=True))
    assert "A phone says the hub's clock is wrong." in page and 'href="/clock"' in page
    assert "clock is wrong" not in login_as("facilitator").get("/").get_data(as_text=True)


def test_records_made_while_the_clock_was_suspect_are_marked_and_the_setting_is_audited(app, login_as,
                                                                                           fake_timedatectl):
    coordinator = login_as("coordinator")
    assert "clock unsure" not in coordinator.get("/audit").get_data(as_text=True)
    _report(login_as("facilitator"), "2026-12-06T13:10")
    login_as("facilitator")  # a sign-in at HUB_NOW, while the clock is suspect
    page = coordinator.get("/audit").get_data(as_text=True)
    assert "clock unsure" in page
    coordinator.post("/clock/set", data={"csrf_token": csrf_token(coordinator, "/clock"),
                                         "phone_time": "2026-12-06T13:10"})
    from hub.audit.models import AuditEvent
    from hub.db import database

    with app.app_context(), database.connection_context():
        (event,) = AuditEvent.select().where(AuditEvent.action == "clock.set")
        assert (event.username, event.detail) == ("coordinator", "2026-11-20 09:00:00 -> 2026-12-06 13:10:00")
