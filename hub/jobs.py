"""The table of the hub's scheduled jobs, where their arguments come from, and the jobs the hub itself owns.

`hub.scheduler` runs every row of `JOBS` on its interval, in the app's context with a database connection.
A row names its function as "module:function", imported only when the job runs, so an area can register
a job before its function exists (the job then records that it is missing). Arguments are computed at
each run from the app and the hub's clock, never frozen at start.
"""

import importlib
from dataclasses import dataclass, field
from datetime import timedelta

from hub import db, instance

DAY = timedelta(days=1)


class JobProblem(Exception):
    """A job failed in a way it expects (logged in one line, without a traceback)."""


class JobUnavailable(JobProblem):
    """A job's module or function does not exist (yet)."""


class UntrustedClock(JobProblem):
    """The hub's clock is outside the plausible range: a job that erases must not act on its date."""


class StorageFull(JobProblem):
    """Less than WRITE_FLOOR_MB free: jobs that may write wait until there is room."""


class DatabaseDamaged(JobProblem):
    """The nightly integrity check failed: the hub now serves read-only."""


# Where a job's arguments come from: each source is called as source(app, now) when the job runs.

def today(app, now):
    """Argument source: today's date by the hub's clock."""
    return now.date()


def trusted_today(app, now):
    """Argument source for jobs that erase: today's date, refused while the clock is not even plausible.

    An erasure done on a date years ahead cannot be undone. This catches a clock before this release or
    decades ahead (doctor's bounds); a clock a few months fast still passes until the hub learns to trust
    a time (network sync, the coordinator, the aggregator: DECISIONS).
    """
    from hub.doctor import check_clock  # the doctor's checks load when a job first needs one, not with the hub

    finding = check_clock(now)
    if not finding.ok:
        raise UntrustedClock(finding.detail)
    return now.date()


def wall_time(app, now):
    """Argument source: the hub's clock (delivery compares it with each bundle's next try)."""
    return now


def the_app(app, now):
    """Argument source: the running Flask app."""
    return app


def setting(name):
    """Argument source: the running app's setting `name` (read at each run, so a test can change it)."""
    return lambda app, now: app.config[name]


@dataclass(frozen=True)
class Job:
    """One row of the job table: what to call, how often, when first, and where its arguments come from."""

    id: str
    every: timedelta
    target: str                # "module:function", imported when the job runs: it may not exist yet
    args: tuple = ()           # argument sources, see above
    kwargs: dict = field(default_factory=dict)
    first: timedelta = timedelta(minutes=5)  # after start: a Pi cut off every night still runs daily jobs


JOBS = (
    Job("integrity", DAY, "hub.jobs:check_integrity", args=(the_app,), first=timedelta(minutes=10)),
    Job("cases.overdue", DAY, "hub.cases.jobs:overdue_follow_ups", args=(today,), first=timedelta(minutes=1)),
    Job("cases.retention", DAY, "hub.cases.jobs:erase_old_narratives", args=(trusted_today,),
        kwargs={"months": setting("CASE_RETENTION_MONTHS")}, first=timedelta(minutes=15)),
    Job("offline.receipts", DAY, "hub.offline.receipts:forget_old", args=(trusted_today,),
        first=timedelta(minutes=25)),
    # Federation: release last month (and its revisions) daily; deliver the outbox every few minutes.
    Job("federation.build", DAY, "federation.jobs:build_months", args=(trusted_today,),
        first=timedelta(minutes=20)),
    Job("federation.deliver", timedelta(minutes=5), "federation.jobs:deliver", args=(wall_time,),
        first=timedelta(minutes=2)),
    # HTTPS (hub.https): renew the server certificate a month before it ends, and serve the new one.
    Job("tls.renew", DAY, "hub.https:renew", args=(the_app, wall_time), first=timedelta(minutes=3)),
)


def resolve(target):
    """The function named by "module:function", imported now."""
    module_name, _, name = target.partition(":")
    try:
        return getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as exc:
        raise JobUnavailable(f"{target} is not available: {exc}") from exc


def call_arguments(job, app, now):
    """(args, kwargs) for one run of job, read from app and the clock."""
    return ([source(app, now) for source in job.args],
            {name: source(app, now) for name, source in job.kwargs.items()})


def check_integrity(app):
    """Job: PRAGMA integrity_check on the live database; on failure serve read-only with the banner."""
    ok, message = db.check(instance.database_path(app.config["DATA_DIR"]), "integrity_check")
    if not ok:
        switch_to_read_only(app, message)
        raise DatabaseDamaged(f"integrity_check failed, now serving read-only: {message}")
    return message


def switch_to_read_only(app, message):
    """Refuse writes from now on and show the banner; repairing or restoring is left to the coordinator."""
    with db.WRITE_LOCK:  # wait for a transaction under way to end, so none is cut in half
        db.database.read_only = True
        app.config.update(DATABASE_OK=False, DATABASE_MESSAGE=message, DATABASE_STATE=instance.READ_ONLY)
        db.database.generation += 1  # visitors' cached pages were rendered without the banner
