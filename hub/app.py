"""create_app(): settings, database, languages, security, error pages and the blueprints of every area."""

import functools
import logging
from pathlib import Path

from flask import Flask, abort, request, url_for
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup

from hub import (
    __version__,
    access,
    compression,
    db,
    errors,
    forms,
    i18n,
    instance,
    memo,
    security,
    settings,
    shell,
    storage,
)
from hub.audit.routes import bp as audit_bp
from hub.auth import current
from hub.auth.routes import bp as auth_bp
from hub.cases.routes import bp as cases_bp
from hub.cases.routes import concerns_bp
from hub.clockcheck.routes import bp as clockcheck_bp
from hub.curriculum.routes import bp as curriculum_bp
from hub.groups.routes import bp as groups_bp
from hub.home.routes import bp as home_bp
from hub.migration.routes import bp as migration_bp
from hub.notices.routes import bp as notices_bp
from hub.offline.routes import bp as offline_bp
from hub.paths import asset_dir
from hub.people.routes import bp as people_bp
from hub.phone.routes import bp as phone_bp
from hub.plans.routes import bp as plans_bp
from hub.poster.routes import bp as poster_bp
from hub.protocols.routes import bp as protocols_bp
from hub.reports.routes import bp as reports_bp
from hub.savings.routes import bp as savings_bp
from hub.schools.routes import bp as schools_bp
from hub.services.routes import bp as services_bp
from hub.sessions.routes import bp as sessions_bp
from hub.sharing.routes import bp as sharing_bp
from hub.throttle import UNLOCK_FOLDER, Throttle
from hub.village.routes import bp as village_bp

# Every area's blueprint, in one visible list.
BLUEPRINTS = (home_bp, village_bp, auth_bp, groups_bp, people_bp, curriculum_bp, sessions_bp, reports_bp,
              concerns_bp, cases_bp, services_bp, protocols_bp, audit_bp, migration_bp,
              notices_bp, plans_bp, schools_bp, savings_bp, sharing_bp, poster_bp, clockcheck_bp, phone_bp,
              offline_bp)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Posts that still work while the hub cannot save: signing in and out, to read a read-only hub.
POSTS_WITHOUT_SAVING = {"auth.login", "auth.logout"}
# What a hub whose database cannot be read still serves.
SERVED_WHEN_UNREADABLE = {"static", "home.healthz"}

csrf = CSRFProtect()
app_log = logging.getLogger("hub")


def create_app(config=None):
    """Build the hub app for the data folder in config["DATA_DIR"] or COMMUNITYHUB_DATA_DIR."""
    config = dict(config or {})
    data_dir = config.pop("DATA_DIR", None) or settings.data_dir_from_env()
    values = settings.load(data_dir)
    prepared = instance.prepare(data_dir)

    app = Flask("hub", template_folder=str(asset_dir("templates")), static_folder=str(asset_dir("static")))
    app.jinja_environment = shell.PageEnvironment  # before anything reads app.jinja_env
    app.config.update(values)
    app.config.update(
        SECRET_KEY=instance.secret_key(data_dir),
        DATABASE_OK=prepared.database_ok,
        DATABASE_MESSAGE=prepared.database_message,
        DATABASE_STATE=prepared.database_state,
        WAL_LOST=storage.wal_lost(data_dir),
        SEND_FILE_MAX_AGE_DEFAULT=86400,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session; the hub's clock may jump
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.config.update(config)
    if prepared.database_ok:
        _import_audit_fallback(data_dir)
    memo.clear()  # answers kept for another app (another data folder, a restored file) are not this one's

    _connect_per_request(app)  # first: a read-only hub refuses a POST before anything else looks at it
    i18n.init_app(app)
    csrf.init_app(app)
    shell.init_app(app)     # the session's CSRF token signed once, and the kept menu
    security.init_app(app)
    compression.init_app(app)  # registered early, so it runs last: after every hook that changes the body
    errors.init_app(app)
    forms.init_app(app)     # a POST with nothing but its token is malformed: 400 with the form
    current.init_app(app)   # who is signed in, then where they must go (set-up, new secret)
    access.init_app(app)    # then whether they may open this page
    app.extensions["hub_throttle"] = Throttle(unlock_folder=Path(app.config["DATA_DIR"]) / UNLOCK_FOLDER)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.jinja_env.globals.update(HUB_VERSION=__version__, icon=icon, asset=asset)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True  # smaller pages on slow Wi-Fi
    return app


def icon(name):
    """An icon from the SVG sprite, hidden from screen readers (a text label always sits beside it)."""
    return _icon(request.script_root, name)


def asset(filename):
    """The URL of a static file (url_for("static", filename=filename)), built once per file."""
    return _asset(request.script_root, filename)


# Every page shows a dozen icons and links its stylesheet and scripts: their markup and URLs are the same on
# every page served under one script root, so they are built once each (url_for costs ~10 µs a call).
@functools.lru_cache(maxsize=256)
def _icon(script_root, name):
    return Markup('<svg class="icon" aria-hidden="true" focusable="false"><use href="%s#%s"></use></svg>') % (
        _asset(script_root, "icons.svg"), name)


@functools.lru_cache(maxsize=64)
def _asset(script_root, filename):
    return url_for("static", filename=filename)


def _connect_per_request(app):
    @app.before_request
    def notice_other_writers():
        # First, before anything kept is read: a command run beside the server (adding an account, a
        # transfer from a USB stick) writes through a connection of its own.
        db.database.notice_other_writers()

    @app.before_request
    def refuse_what_cannot_be_done():
        state = app.config["DATABASE_STATE"]
        if state == storage.FULL and not _below_floor(app):
            state = _reopen(app)  # space came back: serve again without a restart
        if state in (storage.FULL, storage.DAMAGED):
            if request.endpoint not in SERVED_WHEN_UNREADABLE:
                return errors.render_storage_problem(state)
            return None
        if request.method in SAFE_METHODS or request.endpoint in POSTS_WITHOUT_SAVING:
            return None
        if not app.config["DATABASE_OK"]:
            abort(503)
        if _below_floor(app):
            return errors.render_storage_problem(storage.FULL)
        # No connect here: peewee borrows a pooled connection at the first query, so a page served
        # from memory (hub.pagecache) touches no connection at all.
        return None

    @app.teardown_request
    def close_database(exc):
        if not db.database.is_closed():
            db.database.close()

    @app.context_processor
    def database_state():
        return {"read_only": not app.config["DATABASE_OK"], "wal_lost": app.config["WAL_LOST"]}


def _import_audit_fallback(data_dir):
    from hub.audit.service import import_fallback

    try:
        with db.database.connection_context():
            import_fallback(data_dir)
    except Exception:  # noqa: BLE001  (the events stay in the file for the next start)
        app_log.exception("could not move the fallback audit log into the database")


def _below_floor(app):
    return storage.below_floor(app.config["DATA_DIR"], app.config["WRITE_FLOOR_MB"])


def _reopen(app):
    """Open the database again after the card was full at start; -> the new state."""
    with db.WRITE_LOCK:
        if app.config["DATABASE_STATE"] == storage.FULL:
            prepared = instance.prepare(app.config["DATA_DIR"])
            app.config.update(DATABASE_OK=prepared.database_ok, DATABASE_MESSAGE=prepared.database_message,
                              DATABASE_STATE=prepared.database_state)
            db.database.generation += 1
    return app.config["DATABASE_STATE"]
