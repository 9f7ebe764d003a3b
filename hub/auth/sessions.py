"""Server-side sign-in sessions, timed on the monotonic clock.

The cookie holds only a random session id (inside Flask's signed cookie, with no expiry date: a phone
whose clock disagrees with the hub's must not drop or keep it wrongly). The hub ends a session after
SESSION_IDLE_MINUTES without a request, or ABSOLUTE_HOURS after sign-in, whatever the wall clock says.
Sessions live in memory: a restart signs everyone out, which on a shared phone is a feature.
"""

import secrets
import threading
from dataclasses import dataclass

from hub import clock

ABSOLUTE_HOURS = 12


@dataclass
class SignIn:
    user_id: int
    started: float
    last_seen: float


class SessionStore:
    """Session id -> SignIn, thread-safe."""

    def __init__(self, idle_seconds, now=clock.monotonic):
        self.idle_seconds = idle_seconds
        self._now = now
        self._lock = threading.Lock()
        self._sessions = {}

    def start(self, user_id):
        """A new session id for user_id."""
        session_id = secrets.token_urlsafe(32)
        now = self._now()
        with self._lock:
            self._sessions[session_id] = SignIn(user_id, now, now)
        return session_id

    def touch(self, session_id):
        """The user id of a live session (and mark it used now), or None if unknown or expired."""
        now = self._now()
        with self._lock:
            sign_in = self._sessions.get(session_id)
            if sign_in is None:
                return None
            if now - sign_in.last_seen > self.idle_seconds or now - sign_in.started > ABSOLUTE_HOURS * 3600:
                del self._sessions[session_id]
                return None
            sign_in.last_seen = now
            return sign_in.user_id

    def end(self, session_id):
        with self._lock:
            self._sessions.pop(session_id, None)

    def end_all_for(self, user_id):
        """End every session of a user (deactivated, or secret reset)."""
        with self._lock:
            for session_id in [s for s, sign_in in self._sessions.items() if sign_in.user_id == user_id]:
                del self._sessions[session_id]
