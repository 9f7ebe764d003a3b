"""Home page, language picker, health check."""

from flask import abort, current_app, g, jsonify, redirect, render_template, request

from hub import __version__, clock, db, migrations, storage
from hub.auth.service import set_language
from hub.home import bp
from hub.home.service import home_page
from hub.i18n import COOKIE_MAX_AGE, LANGUAGE_COOKIE, LANGUAGES
from hub.pagecache import cached_for_visitors
from hub.redirects import safe_next


@bp.get("/")
@cached_for_visitors
def index():
    return render_template("hub/home/index.html", **home_page(clock.today(), g.user))


@bp.route("/language/<code>", methods=["GET", "POST"])
def language(code):
    """The language picker: a plain link for visitors (it only sets a browser cookie); a form for a
    signed-in person, whose account remembers the choice."""
    if code not in LANGUAGES:
        abort(404)
    if request.method == "POST" and g.user is not None:
        set_language(g.user, code)
    response = redirect(safe_next(request.values.get("next")))
    response.set_cookie(LANGUAGE_COOKIE, code, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax")
    return response


@bp.get("/healthz")
def healthz():
    config = current_app.config
    ok, state = config["DATABASE_OK"], config["DATABASE_STATE"]
    below_floor = storage.below_floor(config["DATA_DIR"], config["WRITE_FLOOR_MB"])
    if ok and below_floor:
        state = storage.FULL
    body = {
        "status": "ok" if ok and not below_floor else "degraded",
        "version": __version__,
        "database": {
            "state": state,
            "message": config["DATABASE_MESSAGE"] if not below_floor else
            f"less than {config['WRITE_FLOOR_MB']} MB free: saving is refused",
            "schema": max(migrations.applied(db.database), default=0) if ok else None,
            "sqlite_version": db.sqlite_version(),
            "wal_lost": bool(config["WAL_LOST"]),
        },
    }
    ok = ok and not below_floor
    return jsonify(body), 200 if ok else 503


# Phones test a new Wi-Fi by fetching a known page from the internet. The hub's DNS answers every name with
# the hub's address (`provision render`), so those requests arrive here. A redirect to the hub, instead of
# the answer the phone expects, makes it say "sign in to the network" and open the hub by itself.
CONNECTIVITY_CHECKS = (
    "/generate_204", "/gen_204",                          # Android, ChromeOS
    "/hotspot-detect.html", "/library/test/success.html",  # Apple
    "/connecttest.txt", "/ncsi.txt",                       # Windows
    "/success.txt", "/canonical.html",                     # Firefox
)


def connectivity_check():
    here = request.host.split(":")[0]
    hub_names = {current_app.config["HUB_ADDRESS"], current_app.config["HOSTNAME"] + ".local",
                 "localhost", "127.0.0.1", "[::1]"}
    # On another name (the phone asked for its vendor's server), send it to the hub by address: the
    # sign-in cookies must belong to the hub's own origin.
    target = "/" if here in hub_names else f"http://{current_app.config['HUB_ADDRESS']}/"
    response = redirect(target, code=302)
    response.headers["Cache-Control"] = "no-store"  # a phone must ask again on the next network
    return response


for _path in CONNECTIVITY_CHECKS:
    bp.add_url_rule(_path, "connectivity_check", connectivity_check, methods=["GET"])
