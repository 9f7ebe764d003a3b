"""Releasing a month: nothing new on a rebuild, a revision after a real change, none once the month is sealed
or before it ends; the jobs that build and deliver."""

from datetime import date, datetime, timedelta

import pytest

from federation import bundle, jobs, outbox, publish, schema, signing, summary
from hub.jobs import JOBS, UntrustedClock, call_arguments
from tests.factories import make_group, make_meeting, make_person


@pytest.fixture
def hub(app_context, data_dir):
    return signing.load_or_create(data_dir, signing.HUB)


def hold_sessions(count, day=date(2026, 11, 10), entered=None):
    """count life-skills sessions held on day, each attended by three children (typed in at entered)."""
    from hub.sessions.models import Meeting

    group = make_group()
    children = [make_person(group) for _ in range(3)]
    for index in range(count):
        meeting = make_meeting(group, datetime.combine(day, datetime.min.time()) + timedelta(hours=9, minutes=index),
                               attendance={child: "present" for child in children})
        if entered is not None:
            Meeting.update(created_at=entered).where(Meeting.id == meeting.id).execute()


def test_publish__first_release_is_sealed_signed_and_valid(hub):
    hold_sessions(12)
    result = publish.publish("2026-11", date(2026, 12, 2), hub)
    assert (result.outcome, result.revision, result.made) == ("made", 1, True)
    document = bundle.open_bundle(bytes(result.bundle.content), hub.public_key)
    assert (document["period"], document["revision"], document["schema_version"]) == (
        "2026-11", 1, summary.SCHEMA_VERSION)
    schema.validate(document["payload"], summary.SCHEMA_VERSION)
    assert document["payload"] == result.payload
    assert outbox.latest("2026-11").id == result.bundle.id


def test_publish__rebuilding_unchanged_data_makes_nothing_new(hub):
    hold_sessions(12)
    first = publish.publish("2026-11", date(2026, 12, 2), hub)
    again = publish.publish("2026-11", date(2026, 12, 3), hub)
    assert (again.outcome, again.revision, again.bundle.id) == ("same", 1, first.bundle.id)
    assert again.payload == first.payload
    assert outbox.OutboxBundle.select().count() == 1 and outbox.state().next_sequence == 2


def test_publish__a_month_is_released_once_and_a_late_record_counts_in_the_month_it_is_entered(hub):
    # Schema 2: a revision would show the district which cells a late record changed, so there is none
    # (this test replaces "a real change before the seal date makes revision two" and "a sealed month is not
    # revised"): sessions typed in after November's release count in December, the month they were typed.
    hold_sessions(12)
    first = publish.publish("2026-11", date(2026, 12, 2), hub)
    hold_sessions(20, date(2026, 11, 20), entered=first.bundle.created_at + timedelta(hours=1))
    again = publish.publish("2026-11", date(2026, 12, 10), hub)
    assert (again.outcome, again.revision, again.code, again.made) == ("same", 1, "released_once", False)
    assert again.reason and again.payload == first.payload
    assert outbox.OutboxBundle.select().count() == 1
    cutoffs = {"2026-11": first.bundle.created_at.strftime("%Y-%m-%d %H:%M:%S")}
    assert summary.build("2026-11", cutoffs)["tables"]["sessions_held"]["total"] == 12
    assert summary.build("2026-12", cutoffs)["tables"]["sessions_held"]["total"] == 20
    # Without the release, they would still have counted in November (typed before its seal date).
    assert summary.build("2026-11")["tables"]["sessions_held"]["total"] == 32


def test_publish__a_month_that_has_not_ended_is_not_released(hub):
    result = publish.publish("2026-12", date(2026, 12, 20), hub)
    assert (result.outcome, result.bundle) == ("not_allowed", None)
    assert outbox.OutboxBundle.select().count() == 0


def test_preview__an_unbuilt_month_takes_no_sequence(hub):
    data, stored = publish.preview("2026-11", hub)
    assert stored is False and outbox.OutboxBundle.select().count() == 0
    assert bundle.open_bundle(data, hub.public_key)["sequence"] == outbox.state().next_sequence
    made = publish.publish("2026-11", date(2026, 12, 2), hub)
    assert publish.preview("2026-11", hub) == (bytes(made.bundle.content), True)
    assert data == bytes(made.bundle.content)  # what `summary show` printed is what left


# The jobs.

def test_periods_to_build__last_month_and_the_months_missed_while_off(hub):
    assert jobs.periods_to_build(date(2026, 12, 2)) == ["2026-11"]
    assert jobs.periods_to_build(date(2027, 1, 2)) == ["2026-12"]
    outbox.enqueue(hub, "2026-09", 1, {"tables": {}, "values": {}})
    assert jobs.periods_to_build(date(2027, 1, 5)) == ["2026-10", "2026-11", "2026-12"]


def test_build_job__builds_last_month_once(hub):
    hold_sessions(12)
    first = jobs.build_months(date(2026, 12, 1))
    second = jobs.build_months(date(2026, 12, 2))
    assert first[0].startswith("2026-11: made (revision 1)")
    assert second[0].startswith("2026-11: same (revision 1)")
    assert outbox.OutboxBundle.select().count() == 1


def test_build_job__a_clock_decades_ahead_builds_nothing(app):
    build = next(job for job in JOBS if job.id == "federation.build")
    with pytest.raises(UntrustedClock):
        call_arguments(build, app, datetime(2077, 3, 1, 9, 0))
    assert call_arguments(build, app, datetime(2026, 12, 1, 6, 0)) == ([date(2026, 12, 1)], {})


def test_job_table__delivery_every_five_minutes_with_the_wall_clock(app):
    deliver = next(job for job in JOBS if job.id == "federation.deliver")
    assert deliver.every == timedelta(minutes=5) and deliver.target == "federation.jobs:deliver"
    when = datetime(2026, 12, 1, 6, 0)
    assert call_arguments(deliver, app, when) == ([when], {})


def test_scheduler__runs_both_jobs_in_the_apps_context(app):
    from hub.scheduler import create_scheduler

    with app.app_context():
        from hub.db import database
        with database.connection_context():
            hold_sessions(12)
    clocks = iter([datetime(2026, 12, 1, 6, 0)] * 100)
    hub_scheduler = create_scheduler(app, clock=lambda: next(clocks), monotonic=lambda: 0.0,
                                     jobs=[job for job in JOBS if job.id.startswith("federation.")])
    hub_scheduler.run_job("federation.build")
    hub_scheduler.run_job("federation.deliver")
    status = hub_scheduler.snapshot()
    assert status["federation.build"]["ok"] is True, status["federation.build"]["last_error"]
    assert status["federation.build"]["result"][0].startswith("2026-11: made")
    assert status["federation.deliver"]["ok"] is True
    assert status["federation.deliver"]["result"]["outcome"] == "not_enrolled"


def test_scheduler__a_week_off_means_one_delivery_run_not_two_thousand(app):
    # After the Pi was off for a week, APScheduler lists the delivery job's missed runs: the restarting
    # trigger keeps that to at most two, and coalesce runs them once. The outbox rows say what is due.
    from datetime import UTC

    from hub.scheduler import JOB_DEFAULTS, create_scheduler

    now = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    hub_scheduler = create_scheduler(app, clock=lambda: datetime(2026, 12, 1, 9, 0), monotonic=lambda: 0.0,
                                     jobs=[job for job in JOBS if job.id == "federation.deliver"])
    job = hub_scheduler.scheduler.get_job("federation.deliver")
    assert len(job._get_run_times(now)) <= 2
    assert JOB_DEFAULTS["coalesce"] is True and JOB_DEFAULTS["max_instances"] == 1
