"""District admins: accounts, password hashing, sign-in and sign-out, throttling, server-side sessions.

The same standards as the hub's sign-in (hub/auth): scrypt hashes, a wrong username costs as long as a
wrong password, the same throttle (hub/throttle.py: per account and device, never locking out a device that
has not failed), a session cookie with no expiry date holding only a random id, and idle and absolute
timeouts counted on the server's monotonic clock. The hub's own classes live in `hub.auth`, an area the
aggregator does not import (STYLE rule 15), so the few lines are kept here; the session store is shared
(hub.signins), kept across restarts.

Every page needs a signed-in admin except OPEN_ENDPOINTS and the signed machine API (`api.*`).
"""

import functools
import os
import re
import threading
from pathlib import Path

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import HiddenField, PasswordField, StringField

from federation.aggregator import db
from federation.aggregator.models import Admin
from hub import clock
from hub.forms import EmptyForm, at_most, required
from hub.signins import SESSIONS_FILE, SessionStore
from hub.throttle import Throttle

bp = Blueprint("auth", __name__)

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD_LENGTH = 10
HASH_METHOD = "scrypt"
TEST_HASH_METHOD_ENV = "COMMUNITYHUB_TEST_HASH_METHOD"  # cheaper scrypt, set by the test suite only
SESSION_KEY = "sid"
UNLOCK_FOLDER = "aggregator-signin-unlock"  # in the data folder: `aggregator admin unlock` requests (hub.throttle)
# Endpoints anyone may open; everything else but the signed API (`api.*`) needs a signed-in admin.
OPEN_ENDPOINTS = {"auth.login", "healthz", "static"}
_HASHING = threading.BoundedSemaphore(2)  # scrypt takes 32 MB a hash: at most two at once


class AdminError(ValueError):
    """An admin account the aggregator refuses; str() says why."""


# --- accounts ------------------------------------------------------------------------------------------

def normalise_username(username):
    return (username or "").strip().lower()


def hash_password(password):
    """The scrypt hash of a password."""
    with _HASHING:
        return generate_password_hash(password, os.environ.get(TEST_HASH_METHOD_ENV) or HASH_METHOD)


def _check(password_hash, password):
    with _HASHING:
        return check_password_hash(password_hash, password)


@functools.cache
def _dummy_hash():
    """Checked against when the username is unknown, so a wrong username takes as long as a wrong password."""
    return hash_password("not a real password")


def add_admin(username, password, display_name=None, language="", now=None):
    """Create a district admin after checking the username and password; -> the Admin."""
    from federation.aggregator.enrol import utcnow

    username = normalise_username(username)
    if not USERNAME.match(username):
        raise AdminError(_("A username has 2 to 32 letters, digits, dots, dashes or underscores, "
                           "starting with a letter or digit."))
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AdminError(_("A password needs at least %(count)d characters.", count=MIN_PASSWORD_LENGTH))
    password_hash = hash_password(password)  # slow on purpose: outside the transaction
    with db.database.atomic():
        if Admin.select().where(Admin.username == username).exists():
            raise AdminError(_("The username %(username)s is already taken.", username=username))
        return Admin.create(username=username, password_hash=password_hash,
                            display_name=(display_name or username).strip(), language=language or "",
                            active=True, created_at=now or utcnow())


def request_unlock(username, data_dir):
    """Clear an admin's sign-in failures on every device (`aggregator admin unlock`); -> the Admin. The
    running aggregator reads the request at the admin's next attempt (hub/throttle.py)."""
    from hub import throttle

    admin = Admin.get_or_none(Admin.username == normalise_username(username))
    if admin is None:
        raise AdminError(_("There is no admin named %(username)s.", username=normalise_username(username)))
    throttle.unlock_request(Path(data_dir) / UNLOCK_FOLDER, admin.username)
    return admin


def authenticate(username, password):
    """The active Admin with this username and password, or None (in the same time either way)."""
    admin = Admin.get_or_none(Admin.username == normalise_username(username))
    if admin is None:
        _check(_dummy_hash(), password)
        return None
    if not _check(admin.password_hash, password) or not admin.active:
        return None
    return admin


# --- throttling and sessions, on the monotonic clock ----------------------------------------------------

def sessions():
    return current_app.extensions["aggregator_sessions"]


def throttle():
    return current_app.extensions["aggregator_throttle"]


def init_app(app, now=clock.monotonic):
    """Sessions, throttling, the sign-in requirement and `Cache-Control: no-store` on signed-in pages."""
    app.extensions["aggregator_sessions"] = SessionStore(app.config["SESSION_IDLE_MINUTES"] * 60, now,
                                                         path=Path(app.config["DATA_DIR"]) / SESSIONS_FILE)
    app.extensions["aggregator_throttle"] = Throttle(now, Path(app.config["DATA_DIR"]) / UNLOCK_FOLDER)
    app.register_blueprint(bp)

    @app.before_request
    def load_admin():
        g.user = None  # hub.i18n reads g.user.language
        session_id = session.get(SESSION_KEY)
        if session_id:
            admin_id = sessions().touch(session_id)
            admin = Admin.get_or_none((Admin.id == admin_id) & Admin.active) if admin_id else None
            if admin is None:
                session.clear()
                flash(_("You were signed out because the aggregator was not used for a while. "
                        "Please sign in again."), "info")
            g.user = admin

    @app.before_request
    def require_admin():
        endpoint = request.endpoint
        if g.user is not None or endpoint is None or endpoint in OPEN_ENDPOINTS or endpoint.startswith("api."):
            return None  # endpoint None: no route matched, the 404 handler answers
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))

    @app.after_request
    def no_store_when_signed_in(response):
        if g.get("user") is not None:  # a district laptop may be shared too
            response.headers["Cache-Control"] = "no-store"
        return response


# --- pages ---------------------------------------------------------------------------------------------

class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[required(), at_most(32)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[required(), at_most(200)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


def safe_next(target):
    """target if it is a path on this aggregator, else the overview."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("pages.overview")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in: the form, throttled failures, then a fresh server-side session."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        username = normalise_username(form.username.data)
        keys = (username, request.remote_addr)
        wait = throttle().wait_seconds(*keys)
        if wait:
            form.form_errors.append(_("Too many failed attempts. Try again in %(minutes)d minute(s).",
                                      minutes=max(1, (wait + 59) // 60)))
            return render_template("aggregator/login.html", form=form), 429
        admin = authenticate(username, form.password.data)
        if admin is None:
            throttle().fail(*keys)
            form.form_errors.append(_("That username and password do not match an active admin."))
            return render_template("aggregator/login.html", form=form), 401
        throttle().succeed(*keys)
        old = session.get(SESSION_KEY)
        if old:
            sessions().end(old)
        session.clear()  # a fresh session id and a fresh CSRF token
        session[SESSION_KEY] = sessions().start(admin.id)
        g.user = admin
        return redirect(safe_next(form.next.data))
    return render_template("aggregator/login.html", form=form)


@bp.post("/logout")
def logout():
    """Sign out (POST with CSRF): the session ends on the server too."""
    if EmptyForm().validate_on_submit():
        session_id = session.pop(SESSION_KEY, None)
        if session_id:
            sessions().end(session_id)
        session.clear()
        g.user = None
        flash(_("You are signed out."), "success")
        return redirect(url_for("auth.login"))
    return redirect(url_for("pages.overview"))
