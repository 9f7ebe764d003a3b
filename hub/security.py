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
