"""Concern pages: report a concern (anyone, signed in or not) and, for a reporter, the status of theirs."""

from flask import current_app, g, redirect, render_template, request, session, url_for

from hub.access import allowed
from hub.cases import concerns_bp
from hub.cases.concerns import ReportLimit, report_concern, reports_by
from hub.cases.forms import ConcernForm
from hub.cases.service import CaseError, protocol_of
from hub.forms import apply_error
from hub.offline.models import Receipt
from hub.offline.receipts import once, posted_key
from hub.people.models import Person
from hub.people.service import may_see_person, people_visible_to
from hub.village.service import emergency_numbers

SENT = "concern_sent"  # session key: what the confirmation page needs, never in the URL (shared phones)
LIMIT = "hub_concern_limit"


def concern_limit():
    """The app's limit on anonymous reports (made on first use; it lives as long as the process)."""
    return current_app.extensions.setdefault(LIMIT, ReportLimit())


@concerns_bp.after_request
def no_store(response):
    # A report's words must not stay in the browser cache of a shared phone, signed in or not.
    response.headers["Cache-Control"] = "no-store"
    return response


def _children(form, query):
    """Offer the people of the register this account may see: those found by the search, and the one
    chosen (kept when the form comes back with an error)."""
    people = people_visible_to(g.user, query) if query.strip() else []
    chosen = (form.child.data or "").strip()
    if chosen.isdigit() and all(str(person.id) != chosen for person in people):
        person = Person.get_or_none(Person.id == int(chosen))
        if person is not None and may_see_person(g.user, person):
            people.append(person)
    return form.offer_children(people)


def _sent_page():
    sent = session.pop(SENT, None) or {}
    danger = bool(sent.get("danger"))
    protocol = protocol_of(sent["category"]) if danger and sent.get("category") else None
    return render_template("hub/cases/concern_sent.html", danger=danger, protocol=protocol,
                           numbers=emergency_numbers())


def _prefill(form, departure_id):
    """Fill the form from a minor's departure in the migration register, for an account that may see it.

    The link carries the departure's number only: a child's name in a URL would stay in a shared phone's
    history.
    """
    if g.user is None or not departure_id.isdigit():
        return
    from hub.migration.service import concern_prefill, get_departure, may_keep_register

    departure = get_departure(g.user, int(departure_id)) if may_keep_register(g.user) else None
    if departure is not None and departure.is_minor:
        form.prefill(concern_prefill(departure))


@concerns_bp.route("/new", methods=["GET", "POST"])
def new():
    if request.method == "GET" and request.args.get("sent"):
        return _sent_page()
    may_name = g.user is not None and allowed("people.list", g.user)
    query = request.args.get("q", "")[:80] if may_name else ""
    form = ConcernForm()
    if request.method == "GET":
        _prefill(form, request.args.get("departure", ""))
    if may_name:
        _children(form, query)
    else:
        form.child.data = ""  # only someone who may see the register names a child from it
    status, wait = 200, 0
    if form.validate_on_submit():
        # People with an account answer for their reports; anonymous ones are limited per address.
        key = None if g.user is not None else f"addr:{request.remote_addr}"
        wait = concern_limit().take(key) if key else 0
        if wait:
            status = 429
        else:
            try:
                report = form.report()
                once(posted_key(), Receipt.CONCERN, g.user, lambda: report_concern(report, g.user))
            except CaseError as error:
                if key:
                    concern_limit().give_back(key)
                apply_error(form, error)
            else:
                session[SENT] = {"category": report.category, "danger": report.in_danger}
                return redirect(url_for("concerns.new", sent=1))
    return render_template("hub/cases/concern_new.html", form=form, may_name=may_name, q=query,
                           numbers=emergency_numbers(), wait_minutes=(wait + 59) // 60), status


@concerns_bp.get("/mine")
def mine():
    return render_template("hub/cases/concerns_mine.html", reports=reports_by(g.user))
