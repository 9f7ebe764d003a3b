"""Case pages for case workers and the coordinator: the lists, a case (every opening audited), triage, the
edit form (status through the state machine, versioned), and the action, follow-up and consent forms that
live on the case's page. Referrals: hub.cases.referral_views."""

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from markupsafe import Markup

from hub import clock, memo
from hub.access import can
from hub.cases import bp
from hub.cases.casework import add_action, add_follow_up, check_consent, check_follow_up, record_consent
from hub.cases.children import child_record, link_child, possible_duplicates
from hub.cases.forms import (
    ActionForm,
    CaseForm,
    ChildForm,
    ConsentForm,
    FollowUpForm,
    TriageForm,
    offer_staff,
)
from hub.cases.models import CATEGORIES, Case
from hub.cases.referrals import referrals_of
from hub.cases.service import (
    LIST_LIMIT,
    NEW,
    SHOW_LABELS,
    SHOWS,
    CaseError,
    StaleRecord,
    actions_of,
    case_staff,
    cases_for,
    follow_ups_of,
    get_case,
    kept_case,
    list_counts,
    open_case,
    protocol_of,
)
from hub.cases.transitions import change_case, check_change, check_triage, pending_work, statuses_after, triage
from hub.clockcheck.service import marks_version, suspect_among
from hub.forms import apply_error, check_too
from hub.offline.models import Receipt
from hub.offline.receipts import once, posted_key
from hub.people.picker import offered
from hub.shell import CSRF_KEY
from hub.text import formatted


def get_case_or_404(case_id):
    """The case, or 404 (need to know is the access table's: only case workers and the coordinator get here)."""
    case = get_case(case_id)
    if case is None:
        abort(404)
    return case


@bp.get("/cases", endpoint="list")
def list_cases():
    show = request.args.get("show", NEW)
    show = show if show in SHOWS else NEW
    filters = {"category": request.args.get("category", ""), "risk": request.args.get("risk", ""),
               "assigned": request.args.get("assigned", "")}
    # Unknown filter values are dropped, not guessed at.
    filters["category"] = filters["category"] if filters["category"] in CATEGORIES else ""
    filters["risk"] = filters["risk"] if filters["risk"] in Case.RISKS + ("none",) else ""
    filters["assigned"] = filters["assigned"] if filters["assigned"] == "none" or filters["assigned"].isdigit() else ""
    today = clock.today()
    # The list with its tabs' numbers and filters is the same until the next write (opening a case appends to
    # the audit trail only): kept per account (its own cases' tab), list, filters, language, zone and day.
    key = ("case list", g.user.id, show, *filters.values(), str(get_locale()), str(get_timezone()), today)
    body = memo.kept(key, lambda: Markup(render_template(
        "hub/cases/_list_body.html", show=show, shows=SHOWS, show_labels=SHOW_LABELS, counts=list_counts(g.user),
        cases=cases_for(g.user, show, **filters), filters=filters, staff=case_staff(), today=today,
        categories=CATEGORIES, risks=Case.RISKS, limit=LIST_LIMIT)))
    return render_template("hub/cases/list.html", body=body)


# The parts of a case's page without a form (kept_parts), cut apart where the template writes CUT: every value
# in them is escaped, so no text typed into a case can write it.
CUT = "<!--cut-->"
KEPT_PARTS = ("head", "record", "protocol", "referrals", "consent", "follow_ups", "actions")


def _kept_key(case):
    # What a case's page shows besides the case: language, zone and day (dates, "overdue"), what the account may
    # open (the links differ) and the hub's clock marks (set in files, not rows).
    return ("case page", case.id, str(get_locale()), str(get_timezone()), clock.today(), can("people.view"),
            can("protocols.view"), marks_version())


def kept_parts(case):
    """{part: Markup} of the case's page without its forms, rendered once and kept until the next write, per
    _kept_key. Only call it once the account may see the case; a POST's page is rendered afresh."""
    today = clock.today()

    def render():
        actions = actions_of(case)
        html = render_template("hub/cases/_view_kept.html", case=case, what_happened=formatted(case.what_happened),
                               actions=actions, suspect=suspect_among(actions, lambda action: action.done_at),
                               follow_ups=follow_ups_of(case), referrals=referrals_of(case),
                               protocol=protocol_of(case.category), formatted=formatted, today=today,
                               duplicates=possible_duplicates(case),
                               record=child_record(case.child) if case.child_id else None)
        return tuple(zip(KEPT_PARTS, (Markup(part.strip()) for part in html.split(CUT)), strict=True))

    if request.method != "GET":  # shown again with a form's errors: the case may hold what a refused save set
        return dict(render())
    return dict(memo.kept(_kept_key(case), render))


# A GET's page: its forms are empty but for today's dates and the session's CSRF token, so the page is kept per
# session (its own cache: sessions times cases would crowd the shared one).
_pages = memo.GenerationCache(max_entries=64)  # ~10 KB a page


def render_case(case, **forms):
    """The case's page, with the forms that live on it (those given, by name: action_form, follow_up_form,
    consent_form, child_form, come back with what was typed); the opening is audited."""
    open_case(case)
    child_q = request.args.get("child_q", "")[:80]
    raw_token = session.get(CSRF_KEY)
    if forms or request.method != "GET" or raw_token is None:
        body = _case_body(case, child_q, **forms)
    else:
        body = _pages.get((*_kept_key(case), g.user.id, raw_token, child_q), lambda: _case_body(case, child_q))
    return render_template("hub/cases/view.html", case=case, body=body)


def _case_body(case, child_q, action_form=None, follow_up_form=None, consent_form=None, child_form=None):
    if child_form is None and case.child_id is None:  # the picker shows only while no child is linked
        child_form = ChildForm(formdata=None)
    if child_form is not None:
        child_form.offer(offered(g.user, child_q, child_form.child.data))
    if follow_up_form is None:
        follow_up_form = FollowUpForm(formdata=None, visited_on=clock.today())
    if consent_form is None:
        consent_form = ConsentForm(formdata=None, given_on=clock.today(), given_by=case.consent_by or None)
    return Markup(render_template("hub/cases/_view_body.html", case=case, kept=kept_parts(case),
                                  action_form=action_form or ActionForm(formdata=None),
                                  follow_up_form=follow_up_form, consent_form=consent_form, child_form=child_form,
                                  child_q=child_q))


@bp.get("/cases/<int:case_id>")
def view(case_id):
    case = kept_case(case_id)
    if case is None:
        abort(404)
    return render_case(case)


@bp.route("/cases/<int:case_id>/triage", methods=["GET", "POST"], endpoint="triage")
def triage_page(case_id):
    case = get_case_or_404(case_id)
    if request.method == "GET" and case.status != Case.REPORTED:
        flash(_("This concern has already been triaged."), "info")
        return redirect(url_for("cases.view", case_id=case.id))
    staff = case_staff()
    initial = {"category": case.category, "version": case.version,
               "assigned_to": str(g.user.id) if g.user in staff else ""}
    form = TriageForm(data=None if request.method == "POST" else initial)
    offer_staff(form.assigned_to, staff)
    theirs = None
    if form.validate_on_submit():
        try:
            case = triage(case, form.version.data, form.triage(), g.user)
        except StaleRecord as error:
            apply_error(form, error)
            theirs, case = error.current, error.current
            form.version.data = error.current.version
        except CaseError as error:
            apply_error(form, error)
        else:
            flash(_("Concern triaged: it is now a case."), "success")
            return redirect(url_for("cases.view", case_id=case.id))
    elif form.is_submitted():
        check_too(form, lambda: check_triage(form.triage()))
    open_case(case, "triage")  # the page shows what was reported
    return render_template("hub/cases/triage.html", case=case, form=form, theirs=theirs,
                           what_happened=formatted(case.what_happened), duplicates=possible_duplicates(case))



def _initial(case):
    return {"status": case.status, "category": case.category, "risk": case.risk,
            "assigned_to": str(case.assigned_to_id or ""), "next_follow_up": case.next_follow_up,
            "closed_reason": case.closed_reason, "version": case.version}


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"], endpoint="update")
def update(case_id):
    case = get_case_or_404(case_id)
    form = CaseForm(data=None if request.method == "POST" else _initial(case))
    form.offer(statuses_after(case.status), case_staff(), case)
    theirs = None
    if form.validate_on_submit():
        try:
            saved = change_case(case, form.version.data, form.change(), g.user, clock.today())
        except StaleRecord as error:
            apply_error(form, error)
            theirs = error.current
            form.version.data = theirs.version  # saving again, having seen both, is a choice
        except CaseError as error:
            apply_error(form, error)
        else:
            flash(_("Case saved.") if saved.version != case.version else _("Nothing was changed."), "success")
            return redirect(url_for("cases.view", case_id=case.id))
    elif form.is_submitted():
        check_too(form, lambda: check_change(case, form.change(), clock.today()))
    return render_template("hub/cases/edit.html", case=case, form=form, theirs=theirs, pending=pending_work(case))


def _posted(case, form, save, message, check=None):
    """Save a form posted from the case's page, or show the page again with the form's errors (and those
    check() finds, when the form itself refused a field)."""
    if form.is_submitted() and not form.validate():
        check_too(form, check)
    elif form.is_submitted():
        try:
            save()
        except CaseError as error:
            if error.field is None:  # about the case, not a field (it is closed): the page hides the forms
                flash(str(error), "error")
                return redirect(url_for("cases.view", case_id=case.id))
            apply_error(form, error)
        else:
            flash(message, "success")
            return redirect(url_for("cases.view", case_id=case.id))
    name = {ActionForm: "action_form", FollowUpForm: "follow_up_form", ConsentForm: "consent_form",
            ChildForm: "child_form"}[type(form)]
    return render_case(case, **{name: form})


@bp.post("/cases/<int:case_id>/actions", endpoint="action")
def action(case_id):
    case = get_case_or_404(case_id)
    form = ActionForm()
    return _posted(case, form, lambda: add_action(case, form.note.data, g.user), _("Action logged."))


@bp.post("/cases/<int:case_id>/follow-ups", endpoint="follow_up")
def follow_up(case_id):
    case = get_case_or_404(case_id)
    form = FollowUpForm()
    return _posted(case, form, lambda: once(posted_key(), Receipt.VISIT, g.user, lambda: add_follow_up(
        case, form.visited_on.data, form.progress.data, form.next_visit.data, g.user, clock.today())),
                   _("Follow-up visit recorded."),
                   check=lambda: check_follow_up(case, form.visited_on.data, form.progress.data, form.next_visit.data,
                                                 clock.today()))


@bp.post("/cases/<int:case_id>/child", endpoint="child")
def child(case_id):
    case = get_case_or_404(case_id)
    form = ChildForm()
    form.offer(offered(g.user, "", form.child.data))
    return _posted(case, form, lambda: link_child(case, form.person_id(), g.user),
                   _("The case is linked to the child's record."))


@bp.post("/cases/<int:case_id>/consent", endpoint="consent")
def consent(case_id):
    case = get_case_or_404(case_id)
    form = ConsentForm()
    return _posted(case, form, lambda: record_consent(case, form.given_by.data, form.given_on.data, g.user,
                                                      clock.today()), _("Consent recorded."),
                   check=lambda: check_consent(case, form.given_by.data, form.given_on.data, clock.today()))
