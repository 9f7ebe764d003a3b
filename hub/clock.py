"""The hub's idea of the time, in one place so tests can move it and the clock rules can grow here."""

import time
from datetime import date, datetime

# A clock outside these bounds cannot be right: before this release was made, or decades ahead (a Pi that
# lost its saved time, or a jump from a bad time source). Nothing that dates a release or an erasure may
# trust it.
EARLIEST_PLAUSIBLE = datetime(2026, 11, 1)
LATEST_PLAUSIBLE = datetime(2056, 11, 1)


def now():
    """The wall-clock time as this device believes it (it may be wrong: a Pi has no real-time clock)."""
    return datetime.now()


def today():
    """Today's date as this device believes it."""
    return date.today()


def monotonic():
    """Seconds on a clock that never jumps, for timeouts and throttling."""
    return time.monotonic()


def is_plausible(when):
    """Whether a wall-clock time could be right (see EARLIEST_PLAUSIBLE and LATEST_PLAUSIBLE)."""
    return EARLIEST_PLAUSIBLE <= when <= LATEST_PLAUSIBLE
