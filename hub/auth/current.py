"""Who is signed in on this request: loads g.user from the session, and sends people where they must go.

Until the hub has a coordinator every page leads to set-up; a user whose secret is temporary must
change it before anything else.
"""

from pathlib import Path

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from hub.auth.models import User
from hub.auth.service import ROLE_LABELS, coordinator_exists
from hub.memo import fields_of, instance, until_written
from hub.signins import SESSIONS_FILE, SessionStore

SESSION_KEY = "sid"
# Pages that work before set-up and before a forced secret change.
ALWAYS_OPEN = {"static", "home.healthz", "home.language", "village.setup", "auth.logout"}


def store():
    return current_app.extensions["hub_sessions"]


def sign_in(user):
    """Start a fresh session for user: a new id, and a new CSRF token with it."""
    old = session.get(SESSION_KEY)
    if old:
        store().end(old)
    session.clear()
    session[SESSION_KEY] = store().start(user.id)
    # The new session's CSRF secret is made now, in the one answer that starts the session. Left to the next
    # requests, the first page and the phone's outbox could each make one at the same moment, and the cookie
    # that arrived last would make the other's forms fail their check; and a client that kept the sign-in's
    # cookie would get a new token (and a new cookie to sign) on every page.
    # The token kept for this request (flask-wtf's, which hub.shell reuses) was signed from the old session's.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    generate_csrf()


def sign_out():
    session_id = session.pop(SESSION_KEY, None)
    if session_id:
        store().end(session_id)
    session.clear()
    g.pop("csrf_token", None)


def is_set_up():
    """True once a coordinator exists; remembered, since accounts are never deleted."""
    if not current_app.extensions.get("hub_set_up"):
        current_app.extensions["hub_set_up"] = coordinator_exists()
    return current_app.extensions["hub_set_up"]


@until_written
def _active_user_fields(user_id):
    # Every page asks, so kept until a write.
    return fields_of(User.select().where((User.id == user_id) & User.active))


def active_user(user_id):
    """The active User user_id, a fresh instance for this request (None when unknown or deactivated)."""
    return instance(User, _active_user_fields(user_id))


def role_label(role):
    """The words for a role, in the page's language."""
    return ROLE_LABELS.get(role, role)


def init_app(app):
    app.extensions["hub_sessions"] = SessionStore(app.config["SESSION_IDLE_MINUTES"] * 60,
                                                  path=Path(app.config["DATA_DIR"]) / SESSIONS_FILE)

    @app.before_request
    def load_user():
        g.user = None
        session_id = session.get(SESSION_KEY)
        if session_id:
            g.signed_out_account = store().owner(session_id)  # whose typing to keep if it has ended
            user_id = store().touch(session_id)
            user = active_user(user_id) if user_id else None
            if user is None:
                session.clear()
                if request.endpoint not in ALWAYS_OPEN:
                    flash(_("You were signed out because the hub was not used for a while. "
                            "Please sign in again."), "info")
            g.user = user

    @app.before_request
    def send_where_needed():
        if request.endpoint in ALWAYS_OPEN or request.endpoint is None:
            return None
        if not is_set_up():
            return redirect(url_for("village.setup"))
        if g.user is not None and g.user.must_change_secret and request.endpoint != "auth.change_secret":
            return redirect(url_for("auth.change_secret"))
        return None

    app.jinja_env.globals["role_label"] = role_label

    @app.after_request
    def no_store_when_signed_in(response):
        # Shared phones: a signed-in page must never come back from the browser's cache.
        if g.get("user") is not None:
            response.headers["Cache-Control"] = "no-store"
        return response
