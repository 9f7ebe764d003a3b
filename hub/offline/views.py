"""Pages and files of the installable web app: the manifest, the service worker (served from the root so it
may look after every page), the plan of what a phone keeps ready out of range, a fresh CSRF token for the
outbox, the outbox page, the follow-up visit form taken out of range, and the coordinator's setting."""

from pathlib import Path

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from hub import __version__, clock
from hub.cases.forms import FollowUpForm
from hub.cases.models import Case
from hub.cases.service import category_label, get_case, open_case
from hub.forms import apply_error
from hub.offline import bp
from hub.offline.forms import PolicyForm
from hub.offline.receipts import AlreadyReceived
from hub.offline.service import WARN_DAYS, PolicyError, keep_days, rosters_for, set_keep_days, visits_for
from hub.offline.texts import outbox_texts
from hub.sessions.models import Meeting
from hub.sessions.service import meeting_kind_label
from hub.village.models import Village

THEME = "#0b3d2e"  # the brand colour of static/style.css and favicon.svg
ICONS = (("icon-192.png", "192x192", "image/png"), ("icon-512.png", "512x512", "image/png"),
         ("favicon.svg", "any", "image/svg+xml"))


@bp.app_errorhandler(AlreadyReceived)
def already_received(error):
    """A page's form posted again with the same key (a double tap, a retry): saved the first time, so say so
    and go back to where the form was, as after a save."""
    flash(_("Already received by the hub: nothing was changed."), "info")
    back = request.referrer or ""
    same_site = back.startswith(request.host_url)
    return redirect(back if same_site else url_for("home.index"), code=303)


def _private(response):
    # What a person may take out of range changes with who is signed in: never from a shared cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    village = Village.get_or_none(Village.id == 1)
    codes = village.language_codes if village else []
    language = codes[0] if codes else current_app.config["DEFAULT_LANGUAGE"]
    with force_locale(language):  # the village's language, whoever asks first
        name = village.name if village else _("Community Hub")
        description = _("The village's child protection hub")
    body = {"name": name, "short_name": name[:12], "description": description, "lang": language,
            "start_url": url_for("home.index"), "scope": "/", "display": "standalone",
            "background_color": "#ffffff", "theme_color": THEME,
            "icons": [{"src": url_for("static", filename=file), "sizes": sizes, "type": kind}
                      for file, sizes, kind in ICONS]}
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def worker():
    path = Path(current_app.static_folder) / "sw.js"
    # The hub's version in the script: a new hub is a new worker, which refreshes the app's shell on phones.
    response = current_app.response_class(path.read_text(encoding="utf-8").replace("__VERSION__", __version__),
                                          mimetype="text/javascript")
    # Checked on every visit, so a new hub version reaches the phones; the root path gives it every page.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


def _roster_entries(user, today):
    meetings = (Meeting.select(Meeting).where(Meeting.id.in_(rosters_for(user, today)))
                .order_by(Meeting.starts_at, Meeting.id))
    return [{"url": url_for("sessions.roster", meeting_id=meeting.id),
             "label": _("Attendance: %(kind)s, %(day)s", kind=meeting_kind_label(meeting.kind),
                        day=" · ".join(filter(None, (format_datetime(meeting.starts_at, "d MMMM, HH:mm"),
                                                     meeting.place))))} for meeting in meetings]


def _visit_entries(user):
    cases = Case.select(Case.id, Case.category).where(Case.id.in_(visits_for(user))).order_by(Case.id)
    return [{"url": url_for("offline.visit", case_id=case.id),
             "label": _("Follow-up visit: case %(number)d, %(category)s", number=case.id,
                        category=category_label(case.category))} for case in cases]


@bp.get("/offline/plan")
def plan():
    """What this phone keeps ready for the person signed in (JSON for static/outbox.js)."""
    user = g.user
    pages = [{"url": url_for("concerns.new"), "label": _("Report a concern about a child")}]
    pages += _roster_entries(user, clock.today()) + _visit_entries(user)
    return _private(jsonify(user=user.id if user else "", keep_days=keep_days(), warn_days=WARN_DAYS, pages=pages,
                            text=outbox_texts()))


@bp.get("/offline/token")
def token():
    """A CSRF token for this session, readable only by the hub's own pages (same origin, no CORS), or null
    while the session has no CSRF secret yet: this request never makes one (see hub.security.HubSessions)."""
    ready = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in session
    return _private(jsonify(token=generate_csrf() if ready else None, user=g.user.id if g.user else ""))


@bp.get("/offline/")
def outbox():
    # Opened by the person (not fetched in the background), this page gives the session its CSRF secret, so a
    # concern kept by someone without an account can be sent from here (signing in makes one too).
    generate_csrf()
    return _private(current_app.make_response(render_template("hub/offline/outbox.html")))


@bp.get("/cases/<int:case_id>/visit")
def visit(case_id):
    """The follow-up visit form alone: what the visit needs (which child, where, when due), never the
    narrative, so it is all a phone keeps of a case out of range."""
    case = get_case(case_id)
    if case is None or case.status in (Case.CLOSED, Case.REPORTED):
        abort(404)
    open_case(case, "visit form")
    form = FollowUpForm(formdata=None, visited_on=clock.today())
    return _private(current_app.make_response(render_template("hub/offline/visit.html", case=case, form=form)))


@bp.route("/offline/settings", methods=["GET", "POST"])
def settings():
    form = PolicyForm(data=None if request.method == "POST" else {"keep_days": keep_days()})
    if form.validate_on_submit():
        try:
            set_keep_days(form.keep_days.data, g.user)
        except PolicyError as error:
            apply_error(form, error)
        else:
            flash(_("Saved: phones keep forms they could not send for %(days)d days.", days=form.keep_days.data),
                  "success")
            return redirect(url_for("offline.settings"))
    return render_template("hub/offline/settings.html", form=form)
