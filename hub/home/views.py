"""Home page, language picker, health check."""

from flask import current_app, jsonify, redirect, render_template, request, url_for

from hub import __version__, clock, db, migrations
from hub.home import bp
from hub.home.service import home_page
from hub.i18n import COOKIE_MAX_AGE, LANGUAGE_COOKIE, LANGUAGES


@bp.get("/")
def index():
    return render_template("hub/home/index.html", **home_page(clock.today()))


@bp.post("/language")
def language():
    code = request.form.get("language", "")
    target = request.form.get("next", "")
    # Only a path on this hub: never an open redirect to somewhere else.
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("home.index")
    response = redirect(target)
    if code in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax")
    return response


@bp.get("/healthz")
def healthz():
    ok = current_app.config["DATABASE_OK"]
    body = {
        "status": "ok" if ok else "degraded",
        "version": __version__,
        "database": {
            "state": "ok" if ok else "read-only",
            "message": current_app.config["DATABASE_MESSAGE"],
            "schema": max(migrations.applied(db.database), default=0) if ok else None,
            "sqlite_version": db.sqlite_version(),
        },
    }
    return jsonify(body), 200 if ok else 503
