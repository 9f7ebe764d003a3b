"""Concern pages: report a concern (anyone, signed in or not) and, for a reporter, the status of theirs."""

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from hub.access import allowed
from hub.cases import concerns_bp
from hub.cases.concerns import (
    STATUS_LOOKUPS,
    ReportLimit,
    check_concern,
    report_concern,
    report_with_reference,
    reports_by,
)
from hub.cases.forms import ConcernForm, ReferenceForm
from hub.cases.service import CaseError, protocol_of
from hub.forms import apply_error, check_too
from hub.offline.models import Receipt
from hub.offline.receipts import once, posted_key
from hub.people.picker import offered
from hub.village.service import emergency_numbers

SENT = "concern_sent"  # session key: what the confirmation page needs, never in the URL (shared phones)
LIMIT = "hub_concern_limit"
LOOKUP_LIMIT = "hub_reference_limit"


def concern_limit():
    """The app's limit on anonymous reports (made on first use; it lives as long as the process)."""
    return current_app.extensions.setdefault(LIMIT, ReportLimit())


def lookup_limit():
    """The app's limit on wrong references per address (guessing one must stay impractical)."""
    return current_app.extensions.setdefault(LOOKUP_LIMIT, ReportLimit(limit=STATUS_LOOKUPS))


@concerns_bp.after_request
def no_store(response):
    # A report's words must not stay in the browser cache of a shared phone, signed in or not.
    response.headers["Cache-Control"] = "no-store"
    return response


def _children(form, query):
    """Offer the people of the register this account may see: those found by the search, and the one
    chosen (kept when the form comes back with an error)."""
    return form.offer_children(offered(g.user, query, form.child.data))


def _sent_page():
    sent = session.pop(SENT, None) or {}
    danger = bool(sent.get("danger"))
    protocol = protocol_of(sent["category"]) if danger and sent.get("category") else None
    return render_template("hub/cases/concern_sent.html", danger=danger, protocol=protocol,
                           numbers=emergency_numbers(), reference=sent.get("reference"))


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
                case = once(posted_key(), Receipt.CONCERN, g.user, lambda: report_concern(report, g.user))
            except CaseError as error:
                if key:
                    concern_limit().give_back(key)
                apply_error(form, error)
            else:
                session[SENT] = {"category": report.category, "danger": report.in_danger,
                                 "reference": case.reference}
                return redirect(url_for("concerns.new", sent=1))
    elif form.is_submitted():
        check_too(form, lambda: check_concern(form.report(), g.user))
    return render_template("hub/cases/concern_new.html", form=form, may_name=may_name, q=query,
                           numbers=emergency_numbers(), wait_minutes=(wait + 59) // 60,
                           lookup=ReferenceForm(formdata=None)), status


@concerns_bp.get("/mine")
def mine():
    return render_template("hub/cases/concerns_mine.html", reports=reports_by(g.user))


@concerns_bp.route("/status", methods=["GET", "POST"])
def status():
    """What became of a report, for whoever holds its reference: its status, never its details. A POST, so
    the reference stays out of the address bar and the history of a shared phone."""
    form, found, code, wait = ReferenceForm(), None, 200, 0
    if form.validate_on_submit():
        key = f"addr:{request.remote_addr}"
        wait = lookup_limit().take(key)
        if wait:
            code = 429
        else:
            found = report_with_reference(form.reference.data)
            if found is not None:
                lookup_limit().give_back(key)  # only wrong references count towards the limit
            else:
                form.reference.errors.append(_("No report has this reference. Check each letter and number."))
                code = 404
    return render_template("hub/cases/concern_status.html", form=form, found=found,
                           wait_minutes=(wait + 59) // 60), code
