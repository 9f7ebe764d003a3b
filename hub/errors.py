"""One place that turns exceptions into responses: localised pages for people, JSON for machines."""

from flask import jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from hub.db import ReadOnlyError

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

    @app.errorhandler(InternalServerError)
    def handle_500(error):
        return render_error(500)
