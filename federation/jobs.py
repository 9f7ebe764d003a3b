"""The hub's scheduled federation jobs (rows in hub.jobs.JOBS): build the monthly summary, deliver the outbox.

- `build_months(today)` runs daily. It releases last month once the month is over (once: records entered
  after the release count in the month they are entered, federation.publish); if the hub was off over a
  month end, it also releases the months missed since its latest release. `today`
  comes from hub.jobs.trusted_today: a clock outside the plausible range (before this release, decades
  ahead) builds nothing, so a Pi that boots in 2057 does not release thirty empty years.
- `deliver(now)` runs every few minutes: `transport.deliver_due`. After the hub was off, the scheduler runs
  a missed job once, not once per missed interval (coalesce, and RestartingIntervalTrigger in
  hub.scheduler), and the rows' own next_try_at say what is due: nothing is lost or sent twice.
"""

from federation import outbox, transport

MAX_CATCH_UP = 12  # months missed while the hub was off that one run may still release


def period_of(day):
    """'YYYY-MM' of a date."""
    return f"{day.year:04d}-{day.month:02d}"


def previous_period(period):
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def next_period(period):
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + 1:04d}-01" if month == 12 else f"{year:04d}-{month + 1:02d}"


def last_month(today):
    """The month before today's: the one a build early in a month releases."""
    return previous_period(period_of(today))


def periods_to_build(today):
    """Last month, and the months after this hub's latest release that it missed (at most MAX_CATCH_UP)."""
    target = last_month(today)
    released = outbox.built_periods()
    if not released or released[0] >= target:
        return [target]
    periods, period = [], next_period(released[0])
    while period <= target:
        periods.append(period)
        period = next_period(period)
    return periods[-MAX_CATCH_UP:]


def build_months(today):
    """Job: release what is due (see the module docstring); -> one line per month, for the job's status."""
    from federation import publish  # the summary code is loaded by the job that uses it, not by the pages

    identity = publish.hub_identity()
    results = [publish.publish(period, today, identity) for period in periods_to_build(today)]
    return [f"{result.period}: {result.outcome} (revision {result.revision}): {result.reason}"
            for result in results]


def deliver(now):
    """Job: send the due bundles to the pinned aggregator; -> the run's report as a dict."""
    return transport.deliver_due(now).as_dict()
