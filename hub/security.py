"""Security headers on every response, and cookie settings: nothing is loaded from outside the hub."""

from flask import request
from flask.sessions import SecureCookieSessionInterface

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
    # Plain http on the village Wi-Fi, so not Secure; never readable by script; no cross-site posts.
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "hub_session",
}
# Sent by the phone's outbox (static/outbox.js) on every request it makes in the background.
BACKGROUND_HEADER = "Hub-Background"


class PageSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, saved only by what the person opens or sends themselves.

    The session (and its CSRF secret) lives in the cookie, so of two requests that change it at the same time
    the answer that arrives last wins. A request the outbox makes in the background (its token, its plan, the
    pages it keeps ready, a kept form sent later) therefore never sets the cookie: it could otherwise replace
    the session of the page being filled in (a sign-in form whose token then no longer matches) or bring back
    a session signed out meanwhile. Such a request only ever loses its own changes, so a forged header harms
    no one else.
    """

    def save_session(self, app, session, response):
        if request.headers.get(BACKGROUND_HEADER):
            return None
        return super().save_session(app, session, response)


def init_app(app):
    app.config.update(COOKIE_CONFIG)
    app.session_interface = PageSessions()

    @app.after_request
    def add_security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
