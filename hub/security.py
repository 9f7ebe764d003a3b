"""Security headers on every response, and cookie settings: nothing is loaded from outside the hub."""

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


def init_app(app):
    app.config.update(COOKIE_CONFIG)

    @app.after_request
    def add_security_headers(response):
        # Those a view set itself stay (setdefault), in one pass over the headers: every response pays for it.
        present = {name.lower() for name, _ in response.headers.items()}
        response.headers.extend([(name, value) for name, value in HEADERS.items() if name.lower() not in present])
        return response
