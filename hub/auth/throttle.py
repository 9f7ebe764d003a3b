"""Sign-in throttling: after 5 failures for a username or an address, an increasing lockout.

Counted on the monotonic clock, in memory: a wall-clock jump never unlocks or extends a lockout, and
a restart (which needs someone with the Pi in hand) starts afresh.
"""

import threading

from hub import clock

FREE_FAILURES = 5
FIRST_LOCKOUT_SECONDS = 60
LONGEST_LOCKOUT_SECONDS = 3600
FORGET_AFTER_SECONDS = 24 * 3600


def lockout_seconds(failures):
    """How long a key is locked after this many consecutive failures: 0, then 1, 2, 4... minutes."""
    if failures < FREE_FAILURES:
        return 0
    return min(FIRST_LOCKOUT_SECONDS * 2 ** (failures - FREE_FAILURES), LONGEST_LOCKOUT_SECONDS)


class Throttle:
    """Failure counts per key ("user:NAME", "addr:IP"), thread-safe."""

    def __init__(self, now=clock.monotonic):
        self._now = now
        self._lock = threading.Lock()
        self._failures = {}  # key -> (count, monotonic time of the last failure)

    def wait_seconds(self, *keys):
        """Seconds until every key may try again (0 when none is locked)."""
        now = self._now()
        with self._lock:
            waits = []
            for key in keys:
                count, last = self._failures.get(key, (0, now))
                waits.append(last + lockout_seconds(count) - now)
        return max(0, int(max(waits, default=0) + 0.999))

    def fail(self, *keys):
        """Count one failure against every key."""
        now = self._now()
        with self._lock:
            for key in keys:
                count, last = self._failures.get(key, (0, now))
                if now - last > FORGET_AFTER_SECONDS:
                    count = 0
                self._failures[key] = (count + 1, now)

    def succeed(self, *keys):
        """Forget the failures of every key."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
