"""The hub's idea of the time, in one place so tests can move it and the clock rules can grow here."""

import time
from datetime import date, datetime


def now():
    """The wall-clock time as this device believes it (it may be wrong: a Pi has no real-time clock)."""
    return datetime.now()


def today():
    """Today's date as this device believes it."""
    return date.today()


def monotonic():
    """Seconds on a clock that never jumps, for timeouts and throttling."""
    return time.monotonic()
