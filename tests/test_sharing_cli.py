"""The sharing commands: `summary build|show`, `sync`, `enroll`, against a real aggregator on loopback."""

import json
from datetime import date, datetime

import pytest

from federation import bundle, outbox, signing
from hub import clock
from hub.db import database
from tests.loopback import closed_port_url, serving
from tests.test_publish import hold_sessions

TODAY = date(2026, 12, 2)


@pytest.fixture(autouse=True)
def hub_clock(monkeypatch):
    """The hub believes it is 2 December 2026 (hub.clock is the one place the time comes from)."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 2, 9, 0))


@pytest.fixture
def village(app):
    with app.app_context(), database.connection_context():
        hold_sessions(12)
    return app


@pytest.fixture
def aggregator(tmp_path):
    from federation.aggregator.app import create_app

    return create_app({"DATA_DIR": str(tmp_path / "aggregator"), "TESTING": True})


def issue_code(aggregator, name="Rampur"):
    from federation.aggregator import enrol

    with aggregator.app_context():
        return enrol.issue_code(name)


def rows(app):
    with app.app_context(), database.connection_context():
        return [(row.period, row.revision, row.sequence, row.state) for row in
                outbox.OutboxBundle.select().order_by(outbox.OutboxBundle.id)]


def test_summary_build__defaults_to_last_month_and_a_rebuild_makes_nothing(village, runner):
    made = runner.invoke(["summary", "build"])
    assert made.exit_code == 0 and "Built 2026-11 revision 1 (sequence 1)" in made.output
    again = runner.invoke(["summary", "build", "--period", "2026-11", "--json"])
    result = json.loads(again.output)
    assert (result["outcome"], result["made"], result["revision"], result["period"]) == ("same", False, 1, "2026-11")
    assert result["bundle"]["sequence"] == 1 and result["bundle"]["state"] == "pending"
    assert rows(village) == [("2026-11", 1, 1, "pending")]


def test_summary_build__a_month_not_over_yet_is_not_built(village, runner):
    result = runner.invoke(["summary", "build", "--period", "2026-12", "--json"])
    assert json.loads(result.output)["outcome"] == "not_allowed"
    assert rows(village) == []


def test_summary_build__a_bad_period_is_a_usage_error(village, runner):
    result = runner.invoke(["summary", "build", "--period", "November"])
    assert result.exit_code == 2 and "YYYY-MM" in result.output
    assert rows(village) == []


def test_summary_show__prints_the_stored_bytes_exactly(village, runner, data_dir):
    runner.invoke(["summary", "build", "--period", "2026-11"])
    shown = runner.invoke(["summary", "show", "--period", "2026-11"])
    with village.app_context(), database.connection_context():
        stored = bytes(outbox.latest("2026-11").content)
    assert shown.stdout_bytes == stored
    identity = signing.load_or_create(data_dir, signing.HUB)
    assert bundle.open_bundle(shown.stdout_bytes, identity.public_key)["period"] == "2026-11"


def test_summary_show__an_unbuilt_month_says_so_and_queues_nothing(village, runner):
    shown = runner.invoke(["summary", "show", "--period", "2026-10"])
    assert "has not been built" in shown.stderr
    assert bundle.read_bundle(shown.stdout_bytes)["revision"] == 1
    assert rows(village) == []


def test_enroll_build_show_sync__over_http_to_the_real_aggregator(village, runner, aggregator, data_dir):
    with serving(aggregator) as url:
        enrolled = runner.invoke(["enroll", "--aggregator", url, "--code", issue_code(aggregator)])
        district = aggregator.extensions["aggregator_identity"]
        assert enrolled.exit_code == 0 and f"key {district.key_id}" in enrolled.output
        runner.invoke(["summary", "build"])
        shown = runner.invoke(["summary", "show", "--period", "2026-11"]).stdout_bytes
        synced = runner.invoke(["sync", "--json"])
        report = json.loads(synced.output)
        assert synced.exit_code == 0
        assert (report["delivered"], report["pending"], report["error"]) == (1, 0, "")
        # What `summary show` printed is exactly what the aggregator holds.
        from federation.aggregator.models import Bundle

        with aggregator.app_context():
            held = [bytes(row.content) for row in Bundle.select()]
        assert held == [shown]
        again = runner.invoke(["sync"])
        assert again.exit_code == 0 and "0 delivered" in again.output
    assert rows(village) == [("2026-11", 1, 1, "delivered")]


def test_enroll__a_refused_code_changes_nothing(village, runner, aggregator):
    with serving(aggregator) as url:
        result = runner.invoke(["enroll", "--aggregator", url, "--code", "not-a-code"])
    assert result.exit_code == 1 and "refused this code" in result.output
    with village.app_context(), database.connection_context():
        assert not outbox.state().enrolled


def test_enroll__an_unreachable_aggregator_is_said_plainly(village, runner):
    result = runner.invoke(["enroll", "--aggregator", closed_port_url(), "--code", "abc"])
    assert result.exit_code == 1 and "could not be reached" in result.output


def test_sync__not_enrolled_exits_1(village, runner):
    runner.invoke(["summary", "build"])
    result = runner.invoke(["sync", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["outcome"] == "not_enrolled"
    assert rows(village) == [("2026-11", 1, 1, "pending")]


def test_summary_build__a_clock_decades_ahead_releases_nothing(village, runner, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2057, 3, 2))
    monkeypatch.setattr(clock, "now", lambda: datetime(2057, 3, 2, 9, 0))
    result = runner.invoke(["summary", "build", "--period", "2057-02"])
    assert result.exit_code == 1
    assert "The hub's clock says Mar 2, 2057" in result.output.replace("\u202f", " ")  # the month as a word
    assert "cannot be right" in result.output and "Nothing was released" in result.output
    default = runner.invoke(["summary", "build"])
    assert default.exit_code == 1 and "cannot be right" in default.output
    assert rows(village) == []


def test_summary_build__a_clock_a_phone_called_wrong_releases_nothing(village, runner, data_dir):
    (data_dir / "clock-suspect").write_text("2026-12-02T09:00:00\n2026-12-09T09:00:00\n")
    result = runner.invoke(["summary", "build", "--period", "2026-11"])
    assert result.exit_code == 1 and "A phone said the hub's clock is wrong" in result.output
    assert rows(village) == []
    (data_dir / "clock-suspect").unlink()
    assert runner.invoke(["summary", "build", "--period", "2026-11"]).exit_code == 0
    assert rows(village) == [("2026-11", 1, 1, "pending")]
