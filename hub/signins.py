"""Sign-in sessions, kept on the server and across restarts: one store for the hub and the aggregator.

The cookie holds only a random session id (inside Flask's signed cookie, with no expiry date: a phone
whose clock disagrees with the server's must not drop or keep it wrongly). The server ends a session after
`idle_seconds` without a request, or `absolute_hours` after sign-in, counted on the monotonic clock, whatever
the wall clock says (DECISIONS, "Time on a device without a clock").

Power cuts are frequent in a village, so a restart must not sign everyone out: the store is kept in a file of
the data folder (0600, written atomically), which also works while the database is read-only or damaged.
The file holds a hash of each id (a copy of the file signs nobody in), the account, and how long ago, in
monotonic seconds, the session started and was last used. The monotonic clock starts again at each boot,
so the time the device was off does not count. Starting and ending a session (sign-out, an account
deactivated or its secret reset: revocation) are written at once; use is written at most every SAVE_EVERY
seconds, so the card is not written on every request.

It lives outside hub's areas (STYLE rule 15) because the aggregator uses it too.
"""

import hashlib
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from hub import clock

ABSOLUTE_HOURS = 12
SAVE_EVERY = 60.0  # seconds: how stale the idle time kept on the card may be
SESSIONS_FILE = "sessions.json"

log = logging.getLogger(__name__)


@dataclass
class SignIn:
    account_id: int
    started: float
    last_seen: float


def _key(session_id):
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class SessionStore:
    """Session id -> SignIn, thread-safe, saved to `path` (None: in memory only)."""

    def __init__(self, idle_seconds, now=clock.monotonic, path=None, absolute_hours=ABSOLUTE_HOURS):
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_hours * 3600
        self.path = Path(path) if path else None
        self._now = now
        self._lock = threading.Lock()
        self._sessions = {}  # hash of the id -> SignIn
        self._saved_at = now()
        self._load()

    def start(self, account_id):
        """A new session id for account_id, kept at once."""
        session_id = secrets.token_urlsafe(32)
        now = self._now()
        with self._lock:
            self._sessions[_key(session_id)] = SignIn(account_id, now, now)
            self._save(now)
        return session_id

    def touch(self, session_id):
        """The account id of a live session (and mark it used now), or None if unknown or expired."""
        now = self._now()
        with self._lock:
            key = _key(session_id)
            sign_in = self._sessions.get(key)
            if sign_in is None:
                return None
            if self._expired(sign_in, now):
                del self._sessions[key]
                self._save(now)
                return None
            sign_in.last_seen = now
            if now - self._saved_at > SAVE_EVERY:
                self._save(now)
            return sign_in.account_id

    def owner(self, session_id):
        """The account a session belongs or belonged to (live or expired), or None if unknown."""
        with self._lock:
            sign_in = self._sessions.get(_key(session_id))
            return sign_in.account_id if sign_in else None

    def end(self, session_id):
        """End one session (sign-out)."""
        with self._lock:
            if self._sessions.pop(_key(session_id), None) is not None:
                self._save(self._now())

    def end_all_for(self, account_id):
        """End every session of an account (deactivated, or secret reset)."""
        with self._lock:
            ended = [key for key, sign_in in self._sessions.items() if sign_in.account_id == account_id]
            for key in ended:
                del self._sessions[key]
            if ended:
                self._save(self._now())

    def save(self):
        """Write the sessions now (at a clean stop)."""
        with self._lock:
            self._save(self._now())

    def _expired(self, sign_in, now):
        return now - sign_in.last_seen > self.idle_seconds or now - sign_in.started > self.absolute_seconds

    def _save(self, now):
        self._saved_at = now
        if self.path is None:
            return
        live = {key: {"account": s.account_id, "age": now - s.started, "idle": now - s.last_seen}
                for key, s in self._sessions.items() if not self._expired(s, now)}
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"version": 1, "sessions": live}, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except OSError as error:  # a full or read-only card: sessions still work until the next restart
            log.warning("sign-in sessions not saved to %s: %s", self.path, error)

    def _load(self):
        if self.path is None:
            return
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))["sessions"]
        except (OSError, ValueError, KeyError, TypeError):
            return  # no file yet, or a damaged one: everyone signs in again, nobody is let in wrongly
        now = self._now()
        for key, entry in stored.items():
            try:
                sign_in = SignIn(int(entry["account"]), now - float(entry["age"]), now - float(entry["idle"]))
            except (KeyError, TypeError, ValueError):
                continue
            if not self._expired(sign_in, now):
                self._sessions[key] = sign_in
