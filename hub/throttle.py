"""Sign-in throttling, shared by the hub (hub/auth, the set-up page) and the district aggregator.

Failures are counted per account and device address, so five wrong passwords typed for `coordinator` on one
phone hold back that phone only: the coordinator still signs in from any other. Two wider counts stop the
guessing that per-pair counting alone would allow, without ever holding back a device that has not failed:

- per address, all accounts (one phone trying many usernames): ADDRESS_FREE_FAILURES, then a lockout;
- per account, all addresses (a guesser changing address): past ACCOUNT_FREE_FAILURES, a device that has
  already failed for that account waits after its first failure instead of its fifth. A device with no
  failure for it is never held back, so the owner signs in from their own phone through any attack.

A lockout grows 1, 2, 4... minutes up to an hour; attempts while locked are refused without counting. Counts
live in memory on the monotonic clock (a wall-clock jump neither ends nor extends one) and are forgotten a
day after the last failure. `communityhub user unlock NAME` (and `aggregator admin unlock NAME`) clears an
account from the console: the command, another process, drops a request file in the data folder, which the
running server reads at the account's next attempt.
"""

import hashlib
import threading
from pathlib import Path

from hub import clock

FREE_FAILURES = 5
ADDRESS_FREE_FAILURES = 20
ACCOUNT_FREE_FAILURES = 20
FIRST_LOCKOUT_SECONDS = 60
LONGEST_LOCKOUT_SECONDS = 3600
FORGET_AFTER_SECONDS = 24 * 3600
UNLOCK_FOLDER = "signin-unlock"  # the hub's, in its data folder (the aggregator names its own)
MAX_ENTRIES = 20000  # counts kept at most (an attacker inventing names and addresses cannot fill memory)


def lockout_seconds(failures, free=FREE_FAILURES):
    """How long after its last failure a count is locked: 0 below `free` failures, then 1, 2, 4... minutes."""
    if failures < free:
        return 0
    return min(FIRST_LOCKOUT_SECONDS * 2 ** min(failures - free, 12), LONGEST_LOCKOUT_SECONDS)


def unlock_request(folder, account):
    """Ask the running server (whose unlock folder is folder) to clear account's failures; -> the file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / _file_name(account)
    path.write_text(account + "\n", encoding="utf-8")
    return path


def _file_name(account):
    return hashlib.sha256(account.encode("utf-8")).hexdigest()[:32]


class Throttle:
    """Failure counts per (account, address), per address and per account; thread-safe.

    `account` is a normalised username, or None for an attempt with no account (a set-up code).
    """

    def __init__(self, now=clock.monotonic, unlock_folder=None):
        self._now = now
        self._unlock_folder = Path(unlock_folder) if unlock_folder else None
        self._lock = threading.Lock()
        self._counts = {}  # ("pair", account, address) | ("address", address) | ("account", account) -> (n, t)

    def wait_seconds(self, account, address):
        """Seconds until this device may try this account again (0 when it may now)."""
        self._read_unlock_request(account)
        now = self._now()
        with self._lock:
            pair, pair_at = self._count(("pair", account, address), now)
            waits = [pair_at + lockout_seconds(pair) - now]
            seen, seen_at = self._count(("address", address), now)
            waits.append(seen_at + lockout_seconds(seen, ADDRESS_FREE_FAILURES) - now)
            if account is not None and pair:
                wide, _ = self._count(("account", account), now)
                if wide >= ACCOUNT_FREE_FAILURES:
                    waits.append(pair_at + lockout_seconds(pair + FREE_FAILURES - 1) - now)
        return max(0, int(max(waits) + 0.999))

    def fail(self, account, address):
        """Count one failure of this device for this account."""
        now = self._now()
        keys = [("pair", account, address), ("address", address)]
        if account is not None:
            keys.append(("account", account))
        with self._lock:
            for key in keys:
                count, _ = self._count(key, now)
                self._counts[key] = (count + 1, now)
            if len(self._counts) > MAX_ENTRIES:
                self._forget_oldest()

    def succeed(self, account, address):
        """This device signed in: forget its failures (the account-wide count stays until it ages out)."""
        with self._lock:
            self._counts.pop(("pair", account, address), None)
            self._counts.pop(("address", address), None)

    def unlock(self, account):
        """Forget every failure counted for account, on every device."""
        with self._lock:
            for key in [key for key in self._counts if key[0] in ("pair", "account") and key[1] == account]:
                del self._counts[key]

    def _count(self, key, now):
        count, last = self._counts.get(key, (0, now))
        return (0, now) if now - last > FORGET_AFTER_SECONDS else (count, last)

    def _forget_oldest(self):
        by_age = sorted(self._counts, key=lambda key: self._counts[key][1])
        for key in by_age[:len(by_age) // 2]:
            del self._counts[key]

    def _read_unlock_request(self, account):
        if self._unlock_folder is None or account is None:
            return
        path = self._unlock_folder / _file_name(account)
        try:
            path.unlink()
        except OSError:
            return  # no request (the usual case: one failed stat)
        self.unlock(account)
