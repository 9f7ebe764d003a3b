"""One place that turns exceptions into responses: localised pages for people, JSON for machines."""

import logging
import sqlite3

import peewee
from flask import current_app, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from hub import storage
from hub.db import ReadOnlyError

log = logging.getLogger(__name__)

PAGE_CODES = (400, 403, 404, 405, 429, 500, 503)
TITLES = {
    400: _l("Something in that request was not right"),
    403: _l("You may not open this page"),
    404: _l("Page not found"),
    405: _l("That action is not possible here"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on the hub"),
    503: _l("The hub cannot save changes right now"),
}


def wants_json():
    return request.path.startswith("/api/") or request.path == "/healthz" or (
        request.accept_mimetypes.best == "application/json")


def render_error(code, description=None):
    code = code if code in PAGE_CODES else 500
    if wants_json():
        return jsonify(status="error", code=code, message=str(TITLES[code])), code
    return render_template(f"errors/{code}.html", code=code, title=TITLES[code],
                           description=description), code


def render_storage_problem(kind):
    """503 for a database that cannot be read (storage.DAMAGED), a full card (FULL) or a busy one (BUSY).

    Rendered straight from the template, without the app's context processors: they read the database
    (the village's name), which is what failed. The page is in the reader's language (cookie or browser).
    """
    retry = {"Retry-After": "60"} if kind == storage.BUSY else {}
    if wants_json():
        return jsonify(status="error", code=503, problem=kind), 503, retry
    page = current_app.jinja_env.get_template("errors/storage.html").render(
        kind=kind, data_dir=current_app.config.get("DATA_DIR", ""))
    return page, 503, {"Content-Type": "text/html; charset=utf-8", **retry}


def database_failed(app, error):
    """A database error while serving: say what it is; a damaged file also stops every write from now on."""
    kind = storage.classify(error, app.config["DATA_DIR"], app.config["WRITE_FLOOR_MB"])
    if kind == storage.DAMAGED and app.config.get("DATABASE_OK", True):
        from hub.jobs import switch_to_read_only

        log.error("database error, now serving read-only: %s", error)
        switch_to_read_only(app, str(error))
    else:
        log.warning("database error (%s): %s", kind, error)
    return render_storage_problem(kind)


def init_app(app):
    @app.errorhandler(HTTPException)
    def handle_http(error):
        if error.code not in PAGE_CODES:
            return error
        response = make_response(render_error(error.code))
        if getattr(error, "valid_methods", None):  # 405: say which methods the address takes (RFC 9110)
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return response

    @app.errorhandler(ReadOnlyError)
    def handle_read_only(error):
        return render_error(503)

    @app.errorhandler(peewee.DatabaseError)
    @app.errorhandler(sqlite3.DatabaseError)
    def handle_database_error(error):
        return database_failed(app, error)

    @app.errorhandler(OSError)
    def handle_os_error(error):
        if storage.classify(error, app.config["DATA_DIR"], app.config["WRITE_FLOOR_MB"]) == storage.FULL:
            return render_storage_problem(storage.FULL)
        log.exception("error while serving %s", request.path)
        return render_error(500)

    @app.errorhandler(InternalServerError)
    def handle_500(error):
        return render_error(500)
