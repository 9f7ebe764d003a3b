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
    # Never readable by script; no cross-site posts. Secure only over https (SchemeSessions).
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "hub_session",
}
# The https side's session cookie. Browsers share cookies between http and https of one host, and a
# Secure cookie blocks a plain one of the same name from being set over http, so each scheme has its own
# name: this prefix and the plain name. "__Host-": the browser takes it only when Secure, set over https,
# for "/" and no Domain.
SECURE_PREFIX = "__Host-"


class SchemeSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with one cookie per scheme: `hub_session` over plain http (phones not
    set up, docs/https.md), `__Host-hub_session`, Secure, over https. Signing in on one does not sign in
    on the other."""

    def get_cookie_name(self, app):
        name = app.config["SESSION_COOKIE_NAME"]
        return SECURE_PREFIX + name if request.is_secure else name

    def get_cookie_secure(self, app):
        return request.is_secure


def init_app(app):
    app.config.update(COOKIE_CONFIG)
    app.session_interface = SchemeSessions()

    @app.after_request
    def add_security_headers(response):
        # Those a view set itself stay (setdefault), in one pass over the headers: every response pays for it.
        present = {name.lower() for name, _ in response.headers.items()}
        response.headers.extend([(name, value) for name, value in HEADERS.items() if name.lower() not in present])
        return response
