"""The hub's background jobs: APScheduler 3 in the one server process, safe on a clock that jumps.

A Raspberry Pi has no real-time clock (DECISIONS, "Time on a device without a clock"): it boots with the
last saved time and jumps, by weeks or years, when a network appears. Left alone, APScheduler 3 would then
enumerate every missed run (a forward jump) or run nothing until the clock catches up (a backward jump).
So, in this module:

- the jobs live in memory and are added afresh, with fixed ids, from one table (`hub.jobs.JOBS`) at
  every start; what remains to be done lives in the hub's own tables, never in the scheduler;
- `RestartingIntervalTrigger` starts its series again from now once it has fallen two intervals behind;
- a watchdog compares the wall clock with the monotonic clock every minute and, after a jump, reschedules
  to now every job the jump left waiting (a backward jump), and wakes APScheduler for the jobs it made
  overdue (a forward jump): each runs once, never a catch-up run and then a second run from the watchdog;
- each job runs in the app's context with a database connection, catches its own errors and leaves its
  last run, success and error in `HubScheduler.status`; what it freed is handed back to the system after.

`communityhub run` and `demo` call `start(app)` before serving and `shutdown()` after. Nothing here starts
a thread at import or in create_app: tests build many apps.
"""

import logging
import threading
from datetime import UTC, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from hub import clock as hub_clock
from hub import db, launch, storage
from hub.jobs import JOBS, JobProblem, StorageFull, call_arguments, resolve

log = logging.getLogger(__name__)

WATCH_EVERY = 60.0                     # seconds between two looks at the clocks
JUMP_TOLERANCE = timedelta(minutes=3)  # less than this is a slow thread or an NTP slew, not a jump
# A missed run is run once (coalesce), never twice at a time, and never skipped for being late: after a
# jump every run is "late" by the wall clock.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
WORKERS = 2  # a Pi's spare capacity; a job that waits for a worker still runs


class RestartingIntervalTrigger(IntervalTrigger):
    """An interval trigger that starts its series again from now once it is two intervals behind.

    IntervalTrigger answers previous + interval, and APScheduler asks again until the answer passes now:
    after a 50-year jump that is 26 million runs of a one-minute job, built as a list in memory.
    """

    __slots__ = ()

    def get_next_fire_time(self, previous_fire_time, now):
        if previous_fire_time is not None and now - previous_fire_time > 2 * self.interval:
            previous_fire_time = now
        return super().get_next_fire_time(previous_fire_time, now)


class Watchdog:
    """Tells how far the wall clock jumped: how much more (or less) it moved than the monotonic clock."""

    def __init__(self, clock, monotonic, tolerance=JUMP_TOLERANCE):
        self.clock, self.monotonic, self.tolerance = clock, monotonic, tolerance
        self.reset()

    def reset(self):
        """Take the current readings as the new reference."""
        self._wall, self._mono = self.clock(), self.monotonic()

    def jump(self):
        """Seconds the wall clock moved beyond the monotonic one since the last look; 0.0 if within tolerance."""
        wall, mono = self.clock(), self.monotonic()
        moved = (wall - self._wall).total_seconds() - (mono - self._mono)
        self._wall, self._mono = wall, mono
        return moved if abs(moved) > self.tolerance.total_seconds() else 0.0


class HubScheduler:
    """The job table on a BackgroundScheduler, with the clock watchdog and each job's last outcome.

    Used once: start(), then shutdown() (APScheduler's thread pool cannot be restarted).
    """

    def __init__(self, app, jobs, clock, monotonic, watch_every):
        self.app = app
        self.jobs = {job.id: job for job in jobs}
        self.clock = clock
        self.watchdog = Watchdog(clock, monotonic)
        self.watch_every = watch_every
        self.status = {job_id: _empty_status() for job_id in (*self.jobs, "watchdog")}
        self._status_lock = threading.Lock()
        self._stop = threading.Event()
        self._watch_thread = None
        # UTC: interval triggers count seconds, so no local time zone is needed, and none is looked up.
        self.scheduler = BackgroundScheduler(
            timezone=UTC, job_defaults=dict(JOB_DEFAULTS),
            jobstores={"default": MemoryJobStore()}, executors={"default": ThreadPoolExecutor(WORKERS)})
        started = self.now()
        for job in jobs:
            first = started + job.first
            trigger = RestartingIntervalTrigger(seconds=job.every.total_seconds(), start_date=first,
                                                timezone=UTC)
            self.scheduler.add_job(self.run_job, trigger, args=(job.id,), id=job.id, name=job.id,
                                   next_run_time=first, replace_existing=True)

    @property
    def running(self):
        """True between start() and shutdown()."""
        return self.scheduler.running

    def now(self):
        """The hub's clock as an aware UTC datetime, the form APScheduler compares."""
        return self.clock().astimezone(UTC)

    def start(self):
        """Start running jobs and watching the clock: the threads begin here."""
        self.watchdog.reset()
        self.scheduler.start()
        self._watch_thread = threading.Thread(target=self._watch, name="hub-clock-watchdog", daemon=True)
        self._watch_thread.start()

    def shutdown(self):
        """Stop watching and scheduling; a job that is running is left to finish."""
        self._stop.set()
        if self._watch_thread is not None:
            self._watch_thread.join()
            self._watch_thread = None
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)

    def run_job(self, job_id):
        """Run one job now, in the app's context with a database connection; record the outcome, never raise."""
        job = self.jobs[job_id]
        wall = self.clock()
        self._record(job_id, last_run=wall)
        try:
            _enough_room(self.app, job_id)
            function = resolve(job.target)
            with self.app.app_context(), db.database.connection_context():
                args, kwargs = call_arguments(job, self.app, wall)
                result = _materialise(function(*args, **kwargs))
        except Exception as exc:  # a failing job must never take the scheduler down with it
            if isinstance(exc, (JobProblem, db.ReadOnlyError)):  # expected: one line, no traceback
                log.error("job %s: %s", job_id, exc)
            else:
                log.exception("job %s failed", job_id)
            self._record(job_id, ok=False, last_error=f"{type(exc).__name__}: {exc}", last_error_at=wall)
        else:
            self._record(job_id, ok=True, last_success=wall, result=result)
        finally:
            # What the job freed goes back to the system: glibc keeps a heap's free middle otherwise, and a
            # month's build leaves about 20 MB there (hub.launch.trim, nothing on another C library).
            launch.trim()

    def check_clock(self):
        """Look at both clocks; after a jump, make every job that the jump stranded run now. Return the jump.

        Stranded: due later than one interval from now, which only a backward jump makes. A job the
        jump made overdue is left to APScheduler, woken now, which runs it once; one it has already run
        since the jump is not due, and is not run a second time.
        """
        moved = self.watchdog.jump()
        wall = self.clock()
        self._record("watchdog", last_run=wall, last_success=wall, ok=True)
        if moved:
            now = wall.astimezone(UTC)
            stranded = [job for job in self.scheduler.get_jobs()
                        if job.next_run_time is not None and job.next_run_time > now + self._interval(job)]
            log.warning("the clock jumped by %+.0f s: %d job(s) rescheduled to run now", moved, len(stranded))
            for job in stranded:
                job.modify(next_run_time=now)
            if self.scheduler.running:
                self.scheduler.wakeup()
            self._record("watchdog", result={"jump_seconds": moved, "at": wall})
        return moved

    def _interval(self, job):
        return self.jobs[job.id].every if job.id in self.jobs else timedelta(0)

    def snapshot(self):
        """A copy of every job's status: last_run, last_success, ok, last_error, last_error_at, result."""
        with self._status_lock:
            return {job_id: dict(entry) for job_id, entry in self.status.items()}

    def _watch(self):
        # Its own thread, not a job: after a backward jump a job would wait for the clock like the others.
        # Event.wait counts on the monotonic clock, so this wakes every minute whatever the wall clock says.
        while not self._stop.wait(self.watch_every):
            try:
                self.check_clock()
            except Exception as exc:  # the watchdog must outlive one bad look
                log.exception("clock watchdog failed")
                self._record("watchdog", ok=False, last_error=f"{type(exc).__name__}: {exc}",
                             last_error_at=self.clock())

    def _record(self, job_id, **changes):
        with self._status_lock:
            self.status[job_id].update(changes)


def _enough_room(app, job_id):
    """Below the write floor a job that may write does not run: the card must never fill completely."""
    floor = app.config.get("WRITE_FLOOR_MB", 0)
    if job_id != "integrity" and storage.below_floor(app.config["DATA_DIR"], floor):
        raise StorageFull(f"not run: less than {floor} MB free on the data folder's disk")


def _empty_status():
    return {"last_run": None, "last_success": None, "ok": None, "last_error": None, "last_error_at": None,
            "result": None}


def _materialise(result):
    # A query or generator would be read later, on another thread and with no connection: read it now.
    if hasattr(result, "__iter__") and not isinstance(result, (str, bytes, dict, list, tuple, set, frozenset)):
        return list(result)
    return result


_current = None
_current_lock = threading.Lock()


def create_scheduler(app, clock=None, monotonic=None, jobs=JOBS, watch_every=WATCH_EVERY):
    """A HubScheduler for app with the job table, not started; tests inject both clocks and a table."""
    return HubScheduler(app, jobs, clock or hub_clock.now, monotonic or hub_clock.monotonic, watch_every)


def start(app, **options):
    """Create and start this process's one scheduler for app (two would run every job twice)."""
    global _current
    with _current_lock:
        if _current is not None:
            raise RuntimeError("the scheduler is already running in this process")
        scheduler = create_scheduler(app, **options)
        scheduler.start()
        app.extensions["hub_scheduler"] = scheduler  # for a page or /healthz to show its status
        _current = scheduler
    return scheduler


def current():
    """This process's running scheduler, or None."""
    return _current


def shutdown():
    """Stop this process's scheduler, if one runs; a job that is running is left to finish."""
    global _current
    with _current_lock:
        scheduler, _current = _current, None
    if scheduler is not None:
        scheduler.shutdown()
