"""Security headers on every response, and cookie settings: nothing is loaded from outside the hub."""

import threading
import time

from flask import request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
COOKIE_CONFIG = {
    # Never readable by script; no cross-site posts. Secure only over https (HubSessions).
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "hub_session",
}
# The https side's session cookie. Browsers share cookies between http and https of one host, and a
# Secure cookie blocks a plain one of the same name from being set over http, so each scheme has its own
# name: this prefix and the plain name. "__Host-": the browser takes it only when Secure, set over https,
# for "/" and no Domain.
SECURE_PREFIX = "__Host-"
# Sent by the phone's outbox (static/outbox.js) on every request it makes in the background.
BACKGROUND_HEADER = "Hub-Background"
MAX_VERIFIED = 512  # the session cookies of a village's phones; cleared whole when full


class HubSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with one cookie per scheme, saved only by what the person opens or sends.

    One cookie per scheme: `hub_session` over plain http (phones not set up, docs/https.md),
    `__Host-hub_session`, Secure, over https. Signing in on one does not sign in on the other.

    The session (and its CSRF secret) lives in the cookie, so of two requests that change it at the same time
    the answer that arrives last wins. A request the outbox makes in the background (its token, its plan, the
    pages it keeps ready, a kept form sent later) therefore never sets the cookie: it could otherwise replace
    the session of the page being filled in (a sign-in form whose token then no longer matches) or bring back
    a session signed out meanwhile. Such a request only ever loses its own changes, so a forged header harms
    no one else.
    """

    def __init__(self, max_verified=MAX_VERIFIED):
        self.max_verified = max_verified
        self._lock = threading.Lock()
        self._verified = {}  # cookie text -> (the keys that verified it, its signing time, its JSON)

    def open_session(self, app, request):
        """Flask's, but a cookie whose signature was checked before is not checked again: its text is the key,
        so only the very bytes that were verified match (about 0.1 ms a request on every page: the HMAC, the
        serializer made anew, the base64). Its age is checked each time, as itsdangerous does; the session is
        read anew from the kept JSON, so no request shares another's objects."""
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        with self._lock:
            found = self._verified.get(value)
        if found is None or found[0] != keys:
            try:
                data, signed_at = self.get_signing_serializer(app).loads(
                    value, max_age=self._max_age(app), return_timestamp=True)
            except BadSignature:  # SignatureExpired too
                return self.session_class()
            found = (keys, int(signed_at.timestamp()), self.serializer.dumps(data))
            with self._lock:
                if len(self._verified) >= self.max_verified:
                    self._verified.clear()
                self._verified[value] = found
        age = int(time.time()) - found[1]
        if age > self._max_age(app) or age < 0:  # itsdangerous's rule: expired, or signed in the future
            return self.session_class()
        return self.session_class(self.serializer.loads(found[2]))

    @staticmethod
    def _max_age(app):
        return int(app.permanent_session_lifetime.total_seconds())

    def get_cookie_name(self, app):
        name = app.config["SESSION_COOKIE_NAME"]
        return SECURE_PREFIX + name if request.is_secure else name

    def get_cookie_secure(self, app):
        return request.is_secure

    def save_session(self, app, session, response):
        if request.headers.get(BACKGROUND_HEADER):
            return None
        return super().save_session(app, session, response)


def init_app(app):
    app.config.update(COOKIE_CONFIG)
    app.session_interface = HubSessions()

    @app.after_request
    def add_security_headers(response):
        # Those a view set itself stay (setdefault), in one pass over the headers: every response pays for it.
        present = {name.lower() for name, _ in response.headers.items()}
        response.headers.extend([(name, value) for name, value in HEADERS.items() if name.lower() not in present])
        return response
