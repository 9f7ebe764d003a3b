"""create_app(): the aggregator's settings, identity, database, languages, security, errors and blueprints.

The district runs it on a laptop or a small server (`communityhub aggregator run`). It shares the hub's
pragmas, security headers and translations, but has its own database, key and session cookie, so one
data folder may hold a hub and an aggregator side by side.
"""

import os

from flask import Flask, jsonify, make_response, render_template_string, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException, InternalServerError

from federation import signing
from federation.aggregator import auth, db, migrations
from hub import __version__, i18n, security
from hub.instance import write_private
from hub.paths import asset_dir
from hub.settings import Setting, SettingsError

SECRET_KEY_FILE = "aggregator_secret_key"
# The aggregator's settings, from the environment (COMMUNITYHUB_<NAME>) or create_app's config.
SETTINGS = (
    Setting("DATA_DIR", "./instance", "Folder holding the aggregator's key, database and secret key."),
    Setting("DATABASE_URL", "",
            "The aggregator's database: empty for aggregator.sqlite3 in the data folder, or "
            "postgresql://user:password@host:5432/name."),
    Setting("AGGREGATOR_URL", "",
            "The address hubs use to reach this aggregator, e.g. http://192.168.1.20:8090: shown with "
            "enrolment codes and sent to hubs in the enrolment reply."),
    Setting("THREADS", 4, "Worker threads of `communityhub aggregator run`."),
    Setting("DEFAULT_LANGUAGE", "en", "Language of the admin pages when nothing else chooses one."),
)

csrf = CSRFProtect()


def _blueprints():
    """Every blueprint, in one visible list (the admin's sign-in, `auth`, is registered by auth.init_app)."""
    from federation.aggregator.api import bp as api_bp
    from federation.aggregator.exports import bp as exports_bp
    from federation.aggregator.web import bp as pages_bp

    return (api_bp, pages_bp, exports_bp)


def load_settings(config, environ=None):
    """{NAME: value}: defaults, then COMMUNITYHUB_<NAME> from the environment, then config."""
    environ = os.environ if environ is None else environ
    values = {}
    for setting in SETTINGS:
        values[setting.name] = setting.default
        if setting.env_var in environ:
            values[setting.name] = setting.parse(environ[setting.env_var], setting.env_var)
        if setting.name in config:
            values[setting.name] = setting.parse(config.pop(setting.name), "config")
    if values["DEFAULT_LANGUAGE"] not in i18n.LANGUAGES:
        raise SettingsError(f"DEFAULT_LANGUAGE must be one of {', '.join(i18n.LANGUAGES)}")
    return values


def prepare(data_dir, database_url):
    """What `aggregator init` does and every start repeats: data folder, identity, database, migrations.

    -> (identity, real database, (ok, message), migrations applied). Safe to repeat: nothing is overwritten.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    identity = signing.load_or_create(data_dir, signing.AGGREGATOR)
    ok, message = db.quick_check(database_url, data_dir)
    real = db.init(database_url, data_dir)
    ran = ()
    if ok:
        with real.connection_context():
            ran = tuple(migrations.migrate(real))
            if any(migration.number == FIGURES_MIGRATION for migration in ran):
                _keep_figures_of_summaries_held()
    return identity, real, (ok, message), ran


FIGURES_MIGRATION = 2  # 0002_figures: the figures kept at ingest start empty; summaries held fill them


def _keep_figures_of_summaries_held():
    from federation import schema
    from federation.aggregator import kept
    from federation.aggregator.models import MonthlySummary

    if MonthlySummary.select().exists():
        kept.rebuild(schema.TABLES)


def secret_key(data_dir):
    """The key that signs the admin pages' cookies, made once and kept 0600 in the data folder."""
    import secrets

    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        write_private(path, secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()


def create_app(config=None):
    """Build the aggregator app for config["DATA_DIR"] or COMMUNITYHUB_DATA_DIR, and its database."""
    from pathlib import Path

    config = dict(config or {})
    values = load_settings(config)
    data_dir = Path(values["DATA_DIR"]).resolve()
    identity, real, (ok, message), _ran = prepare(data_dir, values["DATABASE_URL"])

    app = Flask("federation.aggregator", template_folder=str(asset_dir("templates")),
                static_folder=str(asset_dir("static")))
    app.config.update(values)
    app.config.update(
        DATA_DIR=str(data_dir),
        SECRET_KEY=secret_key(data_dir),
        DATABASE_OK=ok,
        DATABASE_MESSAGE=message,
        DATABASE_ENGINE=db.engine(real),
        SEND_FILE_MAX_AGE_DEFAULT=86400,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=1024 * 1024,
        SESSION_IDLE_MINUTES=30,
    )
    app.config.update(config)
    app.extensions["aggregator_identity"] = identity
    db.database.obj.read_only = not ok if db.engine(real) == db.SQLITE else False

    _connect_per_request(app)
    i18n.init_app(app)  # the admin's language (g.user), the hub_lang cookie, Accept-Language, the default
    csrf.init_app(app)
    security.init_app(app)
    app.config["SESSION_COOKIE_NAME"] = "aggregator_session"
    auth.init_app(app)  # sign-in required on every page but /login, /healthz and the signed API
    _errors(app)
    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
        if blueprint.name == "api":  # signed documents, not forms: the signature is the proof of origin
            csrf.exempt(blueprint)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.jinja_env.globals.update(HUB_VERSION=__version__)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    return app


WARM_TEMPLATES = ("aggregator/dashboard.html", "aggregator/villages.html", "aggregator/quality.html",
                  "aggregator/hub.html", "aggregator/indicators.html", "aggregator/enrol_codes.html",
                  "aggregator/login.html", "aggregator/base.html", "aggregator/_charts.html",
                  "aggregator/_district.html", "_macros.html")  # the pages and what they import


def warm_up(app):
    """What `aggregator run` does before it serves: compile the pages' templates and the summary schema's
    validators, load each language's Babel data and draw the district's pages once in each language, so
    neither the first officer nor the first bundle after a start waits for them (a second or two)."""
    from datetime import date

    from flask_babel import force_locale, format_date, format_decimal, get_translations

    from federation import schema

    schema.prepare()
    for name in WARM_TEMPLATES:
        app.jinja_env.get_template(name)
    with app.test_request_context():
        for language in i18n.LANGUAGES:  # each language's catalogue and Babel data, read once per process
            with force_locale(language):
                get_translations()
                format_decimal(1234.5)
                format_date(date(2026, 1, 1), "MMMM y")
    if app.config["DATABASE_OK"]:
        _draw_the_pages(app)


WARM_PAGES = ("/?period={period}", "/indicators?period={period}", "/villages?period={period}&sort=high",
              "/quality")


def _draw_the_pages(app):
    """Open the first pooled connection and draw once, in every language, the dashboard, the indicators, the
    village table and the data quality page of the month they open on. A new PostgreSQL connection fills its
    catalogue caches table by table on first use, the rows come into the server's buffers, and the pages'
    numbers and months are formatted once per language (`web.numbers` keeps them): the first view after a
    start cost 2 to 4 times a warm one (docs/aggregator.md)."""
    from flask import request
    from flask_babel import force_locale

    from federation.aggregator.web import reports

    with app.app_context(), db.database.connection_context():
        period = reports.default_period()
        for path in WARM_PAGES:
            with app.test_request_context(path.format(period=period)):
                view = app.view_functions[request.url_rule.endpoint]  # not dispatched: no one is signed in
                for language in i18n.LANGUAGES:
                    with force_locale(language):
                        view(**request.view_args)


def healthz():
    """{status, version, database}: 200 when the database answers, 503 otherwise."""
    from flask import current_app

    state = {"engine": current_app.config["DATABASE_ENGINE"], "state": "ok",
             "message": current_app.config["DATABASE_MESSAGE"]}
    ok = current_app.config["DATABASE_OK"]
    try:
        engine, version = db.describe()
        state["version"] = version
        if engine == db.SQLITE:
            state["sqlite_version"] = version
        state["schema"] = max(migrations.applied(db.database.obj), default=0)
    except Exception as exc:  # noqa: BLE001  (any failure to answer is what /healthz reports)
        ok, state["message"] = False, f"{type(exc).__name__}: {exc}"
    if not ok:
        state["state"] = "unavailable"
    body = {"status": "ok" if ok else "degraded", "version": __version__, "database": state}
    return jsonify(body), 200 if ok else 503


_OPENED_HERE = "communityhub.aggregator.database_opened"


def _connect_per_request(app):
    """A request connects only when its thread has no connection yet, and closes only what it opened.

    A connection already open (a CLI command's or a test's `connection_context`, a job) belongs to whoever
    opened it: closing it after the request would pull it out from under them. The mark lives in the WSGI
    environ, which is the request's own (`g` is shared with an app context pushed outside the request).
    """
    @app.before_request
    def note_database():
        # Closed now: the request's first query opens it (peewee's autoconnect), so a database that is
        # down fails only the requests that need it (/healthz then answers 503 with the reason).
        request.environ[_OPENED_HERE] = db.database.is_closed()

    @app.teardown_request
    def close_database(exc):
        if request.environ.pop(_OPENED_HERE, False) and not db.database.is_closed():
            db.database.close()


ERROR_TITLES = {
    400: _l("Something in that request was not right"),
    403: _l("You may not open this page"),
    404: _l("Page not found"),
    405: _l("That action is not possible here"),
    413: _l("That upload is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on the aggregator"),
    503: _l("The aggregator cannot answer right now"),
}
ERROR_PAGE = """<!doctype html>
<html lang="{{ get_locale() }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><p>{{ _("Error %(code)s.", code=code) }}</p>
<p><a href="/">{{ _("Back to the start page") }}</a></p></main></body></html>"""


def wants_json():
    return request.path.startswith("/api/") or request.path == "/healthz" or (
        request.accept_mimetypes.best == "application/json")


def render_error(code):
    """The error as a small page for people or JSON {"error", "message"} for machines."""
    code = code if code in ERROR_TITLES else 500
    title = str(ERROR_TITLES[code])
    if wants_json():
        return jsonify(error=f"http_{code}", message=title), code
    return render_template_string(ERROR_PAGE, code=code, title=title), code


def _errors(app):
    @app.errorhandler(HTTPException)
    def handle_http(error):
        if error.code not in ERROR_TITLES:
            return error
        response = make_response(render_error(error.code))
        if getattr(error, "valid_methods", None):  # 405: say which methods the address takes (RFC 9110)
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return response

    @app.errorhandler(InternalServerError)
    def handle_500(error):
        return render_error(500)
