"""The scheduled jobs: the trigger and the watchdog against a clock that jumps, jobs in the app's context,
failures recorded, the integrity job, missing job functions, a real scheduler, and `run` / `demo`."""

import platform
import re
import signal
import subprocess
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import apscheduler.schedulers.base
import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app

from hub import db, instance, jobs, scheduler
from hub.jobs import DAY, JOBS, Job, call_arguments, today, trusted_today
from hub.scheduler import RestartingIntervalTrigger, create_scheduler
from hub.village.models import EmergencyNumber
from hub.village.service import get_village
from tests.server import LOOPBACK, default_executable, fetch, free_port, hub_environment

MINUTE = timedelta(minutes=1)
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
FIFTY_YEARS = datetime(2077, 3, 1) - datetime(2027, 3, 1)
WAIT = 30.0  # seconds: a generous bound for a real thread, never a measure of speed
HERE = __name__  # jobs below are named "<this module>:<function>", as the real table names its functions


class Clocks:
    """A wall clock and a monotonic clock that move only when the test moves them."""

    def __init__(self, wall=datetime(2027, 3, 1, 9, 0)):
        self.wall, self.mono = wall, 1000.0

    def now(self):
        return self.wall

    def monotonic(self):
        return self.mono

    def move(self, wall, mono=MINUTE):
        self.wall += wall
        self.mono += mono.total_seconds()


def hub_scheduler(app, *jobs, clocks=None):
    clocks = clocks or Clocks()
    return create_scheduler(app, clock=clocks.now, monotonic=clocks.monotonic, jobs=jobs or JOBS)


def next_run_times(hub):
    return {job.id: job.next_run_time for job in hub.scheduler.get_jobs()}


# Jobs of the fake tables.

def write_row(day):
    """Writes through the app's database and reads its config: both need what run_job provides."""
    EmergencyNumber.create(kind="other", label=f"job {day.isoformat()}", number="1", position=99)
    return current_app.config["DATA_DIR"]


def broken():
    raise ZeroDivisionError("the job broke")


FIRED = {"boom": threading.Event(), "probe": threading.Event()}


def fire_boom():
    FIRED["boom"].set()
    raise RuntimeError("the job broke")


def fire_probe():
    FIRED["probe"].set()
    return get_village().name  # read on the scheduler's worker thread


KEPT = []


def fragment_the_heap():
    """32 MB from the heap, each block held in place by a small one kept after it, then freed."""
    freed = []
    for _ in range(2000):
        freed.append(bytearray(16384))
        KEPT.append(bytearray(600))
    return resident_kb()


def resident_kb():
    return int(re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text(encoding="ascii")).group(1))


@pytest.fixture(autouse=True)
def _no_scheduler_left_running():
    for event in FIRED.values():
        event.clear()
    yield
    scheduler.shutdown()


# The trigger.

def test_trigger__fifty_years_behind_restarts_its_series_from_now():
    trigger = RestartingIntervalTrigger(minutes=1, start_date=NOW - FIFTY_YEARS, timezone=UTC)
    assert NOW < trigger.get_next_fire_time(NOW - FIFTY_YEARS, NOW) <= NOW + MINUTE


def test_trigger__apscheduler_lists_at_most_two_missed_runs_after_fifty_years():
    # Job._get_run_times is the loop APScheduler runs over a job's missed fire times, keeping them all
    # in a list; a scheduler that is never started runs no thread.
    never_started = BackgroundScheduler(timezone=UTC)
    ours = never_started.add_job(print, RestartingIntervalTrigger(minutes=1, timezone=UTC),
                                 next_run_time=NOW - FIFTY_YEARS)
    assert len(ours._get_run_times(NOW)) <= 2
    # The stock trigger lists one run per missed interval (a daily job here: a minute would be 26 million).
    stock = never_started.add_job(print, IntervalTrigger(days=1, timezone=UTC), next_run_time=NOW - FIFTY_YEARS)
    assert len(stock._get_run_times(NOW)) > 18000


@pytest.mark.parametrize("previous", [None, NOW - timedelta(seconds=10), NOW - MINUTE, NOW - 2 * MINUTE,
                                      NOW + timedelta(seconds=5)],
                         ids=["first", "on time", "one interval", "two intervals", "ahead"])
def test_trigger__a_normal_schedule_is_the_stock_one(previous):
    start = NOW - timedelta(hours=1, seconds=17)
    ours = RestartingIntervalTrigger(minutes=1, start_date=start, timezone=UTC)
    stock = IntervalTrigger(minutes=1, start_date=start, timezone=UTC)
    assert ours.get_next_fire_time(previous, NOW) == stock.get_next_fire_time(previous, NOW)


# The watchdog.

def test_watchdog__clocks_agree__nothing_moves(fresh_app):
    clocks = Clocks()
    hub = hub_scheduler(fresh_app, clocks=clocks)
    before = next_run_times(hub)
    clocks.move(wall=MINUTE + timedelta(seconds=20), mono=MINUTE)  # an NTP slew, a slow thread
    assert hub.check_clock() == 0.0
    assert next_run_times(hub) == before


def test_watchdog__fifty_years_forward__every_job_due_once(fresh_app):
    clocks = Clocks()
    hub = hub_scheduler(fresh_app, clocks=clocks)
    assert set(next_run_times(hub)) == {job.id for job in JOBS}

    clocks.move(wall=FIFTY_YEARS + MINUTE, mono=MINUTE)
    assert hub.check_clock() == pytest.approx(FIFTY_YEARS.total_seconds())
    now = clocks.wall.astimezone(UTC)
    assert all(when <= now for when in next_run_times(hub).values())  # due: APScheduler runs each once


def test_watchdog__a_day_back__every_job_runs_now(fresh_app):
    clocks = Clocks()
    hub = hub_scheduler(fresh_app, clocks=clocks)
    clocks.move(wall=-DAY, mono=MINUTE)
    assert hub.check_clock() == pytest.approx(-(DAY + MINUTE).total_seconds())
    assert set(next_run_times(hub).values()) == {clocks.wall.astimezone(UTC)}
    assert hub.snapshot()["watchdog"]["result"]["jump_seconds"] == pytest.approx(-(DAY + MINUTE).total_seconds())


def test_watchdog__a_job_run_since_a_forward_jump_is_not_run_again(app, monkeypatch):
    # The scheduler's own catch-up ran the job after the jump; the watchdog's look a moment later must not
    # make it run a second time (it used to reschedule every job to now).
    class JumpingDatetime(datetime):
        offset = timedelta(0)

        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + cls.offset

    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", JumpingDatetime)
    hub = create_scheduler(app, clock=lambda: datetime.now() + JumpingDatetime.offset, watch_every=3600,
                           jobs=(Job("probe", timedelta(hours=1), f"{HERE}:fire_probe", first=timedelta(hours=1)),))
    hub.start()
    try:
        JumpingDatetime.offset = FIFTY_YEARS
        hub.scheduler.wakeup()  # APScheduler's own wake-up comes first
        assert FIRED["probe"].wait(WAIT)
        FIRED["probe"].clear()
        assert hub.check_clock() == pytest.approx(FIFTY_YEARS.total_seconds(), abs=60)
        (job,) = hub.scheduler.get_jobs()
        assert job.next_run_time > hub.now() + timedelta(minutes=50)  # its next run is an interval away
        assert not FIRED["probe"].is_set()
    finally:
        hub.shutdown()


# Running one job.

def test_run_job__in_the_app_context_with_the_database(app):
    hub = hub_scheduler(app, Job("write", DAY, f"{HERE}:write_row", args=(today,)))
    hub.run_job("write")

    status = hub.snapshot()["write"]
    assert status["ok"] is True and status["last_error"] is None
    assert status["last_run"] == status["last_success"] == datetime(2027, 3, 1, 9, 0)
    assert status["result"] == app.config["DATA_DIR"]
    assert db.database.is_closed()  # the job's connection went back to the pool
    with db.database.connection_context():
        assert EmergencyNumber.select().where(EmergencyNumber.label == "job 2027-03-01").count() == 1


def test_run_job__a_failure_is_recorded_and_the_next_job_runs(app):
    hub = hub_scheduler(app, Job("write", DAY, f"{HERE}:write_row", args=(today,)),
                        Job("broken", DAY, f"{HERE}:broken"))
    hub.run_job("write")
    hub.run_job("broken")  # does not raise
    hub.run_job("write")

    status = hub.snapshot()
    assert status["broken"]["ok"] is False and status["broken"]["last_success"] is None
    assert status["broken"]["last_error"] == "ZeroDivisionError: the job broke"
    assert status["write"]["ok"] is True


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_run_job__what_a_job_freed_goes_back_to_the_system(app):
    hub = hub_scheduler(app, Job("fragment", DAY, f"{HERE}:fragment_the_heap"))
    hub.run_job("fragment")
    status = hub.snapshot()["fragment"]
    assert status["ok"] is True
    assert status["result"] - resident_kb() > 16 * 1024  # most of the 32 MB freed left resident memory
    KEPT.clear()


def test_run_job__below_the_write_floor_a_job_waits_for_room(app):
    hub = hub_scheduler(app, Job("write", DAY, f"{HERE}:write_row", args=(today,)))
    app.config["WRITE_FLOOR_MB"] = 10**9  # more than any disk has free: the card counts as full
    hub.run_job("write")
    status = hub.snapshot()["write"]
    assert status["ok"] is False and status["last_error"].startswith("StorageFull: not run: less than")
    app.config["WRITE_FLOOR_MB"] = 0  # room again: the next run writes
    hub.run_job("write")
    assert hub.snapshot()["write"]["ok"] is True


def test_run_job__a_missing_module_or_function_is_an_error_in_the_status(fresh_app):
    hub = hub_scheduler(fresh_app, Job("no.module", DAY, "hub.cases.no_such_module:overdue_follow_ups"),
                        Job("no.function", DAY, "hub.cases.models:no_such_function"))
    hub.run_job("no.module")
    hub.run_job("no.function")

    status = hub.snapshot()
    assert status["no.module"]["last_error"].startswith(
        "JobUnavailable: hub.cases.no_such_module:overdue_follow_ups is not available")
    assert status["no.function"]["last_error"].startswith(
        "JobUnavailable: hub.cases.models:no_such_function is not available")
    assert status["no.module"]["ok"] is status["no.function"]["ok"] is False


@pytest.mark.parametrize("job_id", ["cases.overdue", "cases.retention"])
def test_run_job__cases_jobs_leave_a_status_whatever_state_they_are_in(app, job_id):
    # Whatever state the database is in, a case job records its outcome and raises nothing (the fake
    # tables above pin down the "missing" message).
    hub = hub_scheduler(app)
    hub.run_job(job_id)
    status = hub.snapshot()[job_id]
    assert status["last_run"] == datetime(2027, 3, 1, 9, 0)
    assert (status["ok"], bool(status["last_error"])) in ((True, False), (False, True)), status


def test_run_job__an_erasing_job_never_runs_on_an_implausible_date(app):
    clocks = Clocks(wall=datetime(2077, 3, 1, 9, 0))  # the clock jumped decades ahead
    hub = hub_scheduler(app, Job("erase", DAY, f"{HERE}:write_row", args=(trusted_today,)), clocks=clocks)
    hub.run_job("erase")
    assert hub.snapshot()["erase"]["last_error"] == "UntrustedClock: the hub believes it is 2077-03-01 09:00"
    with db.database.connection_context():
        assert not EmergencyNumber.select().where(EmergencyNumber.label.startswith("job ")).exists()


# The job table.

def test_job_table__fixed_ids_daily_restarting_triggers_safe_defaults(fresh_app):
    assert [(job.id, job.every, job.target) for job in JOBS] == [
        ("integrity", DAY, "hub.jobs:check_integrity"),
        ("cases.overdue", DAY, "hub.cases.jobs:overdue_follow_ups"),
        ("cases.retention", DAY, "hub.cases.jobs:erase_old_narratives"),
        ("offline.receipts", DAY, "hub.offline.receipts:forget_old"),
        ("federation.build", DAY, "federation.jobs:build_months"),
        ("federation.deliver", timedelta(minutes=5), "federation.jobs:deliver"),
        ("tls.renew", DAY, "hub.https:renew"),
    ]
    hub = create_scheduler(fresh_app)  # the real clocks: the first runs are minutes away, nothing runs here
    hub.start()
    try:
        jobs = hub.scheduler.get_jobs()
        assert sorted(job.id for job in jobs) == sorted(job.id for job in JOBS)
        for job in jobs:
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, None)
            every = next(row.every for row in JOBS if row.id == job.id)
            assert isinstance(job.trigger, RestartingIntervalTrigger) and job.trigger.interval == every
    finally:
        hub.shutdown()
    assert not hub.running


def test_job_table__arguments_come_from_the_clock_and_the_settings(fresh_app):
    fresh_app.config["CASE_RETENTION_MONTHS"] = 7
    by_id = {job.id: job for job in JOBS}
    late = datetime(2027, 3, 1, 23, 59)
    assert call_arguments(by_id["cases.retention"], fresh_app, late) == ([date(2027, 3, 1)], {"months": 7})
    assert call_arguments(by_id["cases.overdue"], fresh_app, late) == ([date(2027, 3, 1)], {})
    assert call_arguments(by_id["integrity"], fresh_app, late) == ([fresh_app], {})
    with pytest.raises(jobs.UntrustedClock):
        call_arguments(by_id["cases.retention"], fresh_app, datetime(2077, 3, 1))


# The integrity job.

def integrity_only(app):
    return hub_scheduler(app, *(job for job in JOBS if job.id == "integrity"))


def test_integrity__good_database_stays_writable(app):
    hub = integrity_only(app)
    hub.run_job("integrity")
    assert hub.snapshot()["integrity"]["result"] == "ok"
    assert app.config["DATABASE_OK"] is True and not db.database.read_only
    with app.app_context(), db.database.connection_context():
        EmergencyNumber.create(kind="other", number="112", position=50)


def corrupt_live_database(app):
    """Fill the running hub's database, then overwrite the middle of its file as a failing SD card might."""
    with app.app_context(), db.database.connection_context():
        with db.database.atomic():
            for index in range(2000):  # enough pages that the middle of the file is table data
                EmergencyNumber.create(kind="other", label="y" * 100, number=str(index), position=index)
        db.database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path = instance.database_path(app.config["DATA_DIR"])
    with open(path, "r+b") as handle:
        handle.seek(path.stat().st_size // 2)
        handle.write(b"\xff" * 4096)


def test_integrity__corrupted_database_switches_the_running_hub_read_only(app):
    corrupt_live_database(app)
    hub = integrity_only(app)
    hub.run_job("integrity")

    status = hub.snapshot()["integrity"]
    assert status["ok"] is False and status["last_error"].startswith("DatabaseDamaged: integrity_check failed")
    assert app.config["DATABASE_OK"] is False and db.database.read_only
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["database"]["state"] == "read-only"
    assert "failed its check" in client.get("/no-such-page").get_data(as_text=True)
    assert client.post("/language/es").status_code == 503
    with pytest.raises(db.ReadOnlyError), app.app_context(), db.database.connection_context():
        db.database.execute_sql("DELETE FROM emergency_number")


def test_read_only_switch__visitors_cached_home_page_shows_the_banner(app):
    client = app.test_client()
    assert "failed its check" not in client.get("/").get_data(as_text=True)
    assert "failed its check" not in client.get("/").get_data(as_text=True)  # now served from memory
    jobs.switch_to_read_only(app, "row 12 missing from index")
    assert "failed its check" in client.get("/").get_data(as_text=True)
    assert client.get("/healthz").get_json()["database"]["message"] == "row 12 missing from index"


# A real BackgroundScheduler.

def test_real_scheduler__runs_jobs_survives_a_failure_and_shuts_down(app):
    every = timedelta(seconds=0.05)
    hub = create_scheduler(app, jobs=(Job("boom", every, f"{HERE}:fire_boom", first=timedelta(0)),
                                      Job("probe", every, f"{HERE}:fire_probe", first=timedelta(0))))
    hub.start()
    try:
        assert FIRED["boom"].wait(WAIT)
        FIRED["probe"].clear()
        assert FIRED["probe"].wait(WAIT)  # still running after the failure
    finally:
        hub.shutdown()

    status = hub.snapshot()
    assert status["boom"]["last_error"] == "RuntimeError: the job broke"
    assert status["probe"]["ok"] is True and status["probe"]["result"] == "Rampur"
    assert not hub.running
    assert not {"APScheduler", "hub-clock-watchdog"} & {thread.name for thread in threading.enumerate()}


@pytest.mark.parametrize("jump", [FIFTY_YEARS, -DAY], ids=["50 years forward", "a day back"])
def test_real_scheduler__after_a_jump_the_watchdog_runs_jobs_now(app, monkeypatch, jump):
    # The machine's clock cannot be moved here, so APScheduler's view of it is: its scheduler module reads
    # the wall clock as datetime.now(). The job's first run is an hour away: only the watchdog runs it now.
    class JumpingDatetime(datetime):
        offset = timedelta(0)

        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + cls.offset

    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", JumpingDatetime)
    hub = create_scheduler(app, clock=lambda: datetime.now() + JumpingDatetime.offset, watch_every=0.02,
                           jobs=(Job("probe", timedelta(hours=1), f"{HERE}:fire_probe", first=timedelta(hours=1)),))
    hub.start()
    try:
        JumpingDatetime.offset = jump
        assert FIRED["probe"].wait(WAIT)
    finally:
        hub.shutdown()
    assert hub.snapshot()["watchdog"]["result"]["jump_seconds"] == pytest.approx(jump.total_seconds(), abs=60)


def test_start__one_scheduler_per_process(fresh_app):
    started = scheduler.start(fresh_app)
    assert scheduler.current() is started and fresh_app.extensions["hub_scheduler"] is started
    with pytest.raises(RuntimeError, match="already running"):
        scheduler.start(fresh_app)
    scheduler.shutdown()
    assert scheduler.current() is None and not started.running


# `communityhub run` and `demo`.

def serve_until_sigterm(args, data_dir):
    """Run `communityhub ARGS` on a free port until /healthz answers, then SIGTERM it as systemd would;
    return (exit status, standard output, standard error)."""
    port = free_port()
    process = subprocess.Popen([default_executable(), *args, "--host", LOOPBACK, "--port", str(port)],
                               env=hub_environment(data_dir), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if fetch(f"http://{LOOPBACK}:{port}/healthz", timeout=2.0)[0] == 200:
                    break
            except OSError:  # not listening yet
                time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        output, errors = process.communicate(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, output, errors


@pytest.mark.parametrize("command", ["run", "demo"])
def test_serving__starts_the_jobs_first_and_stops_them_on_sigterm(app, data_dir, command):
    # The app fixture's hub has a village, so `demo` serves it without building one.
    status, output, errors = serve_until_sigterm([command], data_dir)
    assert status == 0, errors
    assert "Scheduled jobs: integrity, cases.overdue, cases.retention" in output
    assert output.index("Scheduled jobs") < output.index("Serving") < output.index("Stopped the scheduled jobs")
