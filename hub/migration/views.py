"""Migration register pages: the lists (away, overdue returns, minors away, returned), record a departure,
a departure with its calls and return, and the edit form. Only the vigilance committees' members, case
workers and the coordinator get past the blueprint's check; a committee member sees their committee's."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from hub import clock
from hub.access import allowed
from hub.forms import apply_error, check_too, saved
from hub.migration import bp
from hub.migration.forms import CallForm, DepartureForm, ReturnForm
from hub.migration.service import (
    AWAY,
    LIST_LIMIT,
    SHOW_LABELS,
    SHOWS,
    MigrationError,
    add_call,
    calls_of,
    check_call,
    check_departure,
    committees_of,
    create_departure,
    departures_for,
    get_departure,
    list_counts,
    may_keep_register,
    record_return,
    update_departure,
)
from hub.people.picker import offered
from hub.people.service import may_see_person

EDITABLE = ("name", "age", "hamlet", "left_on", "destination", "purpose", "agent", "expected_return", "contact")


@bp.before_request
def committee_only():
    # The access table lets every signed-in account this far; the register is the committees' and case
    # staff's. Like a group one is not in, it is answered as not found.
    if not may_keep_register(g.user):
        abort(404)


def get_departure_or_404(departure_id):
    """The departure, if it is in a register this account keeps."""
    return get_departure(g.user, departure_id) or abort(404)


@bp.get("", endpoint="list")
def list_departures():
    show = request.args.get("show", AWAY)
    show = show if show in SHOWS else AWAY
    return render_template("hub/migration/list.html", show=show, shows=SHOWS, show_labels=SHOW_LABELS,
                           counts=list_counts(g.user), departures=departures_for(g.user, show),
                           today=clock.today(), limit=LIST_LIMIT, committees=committees_of(g.user))


def _offer(form, query, may_name, departure=None):
    """Offer the committees, and the people of the register this account may see: those found by the
    search, and the one chosen (kept when the form comes back with an error). Someone who may not search the
    register keeps the person a departure already names, and names nobody new."""
    chosen = (form.person.data or "").strip()
    kept = departure.person if departure is not None and str(departure.person_id) == chosen else None
    # The person a departure already names stays offered, even archived since (the service keeps them too).
    people = offered(g.user, query, "" if kept else chosen) if may_name else []
    if may_name and kept is not None and kept not in people:
        people.append(kept)
    if not may_name:
        form.person.data = str(departure.person_id) if departure is not None and departure.person_id else ""
    return form.offer(committees_of(g.user), people)


@bp.route("/new", methods=["GET", "POST"])
def new():
    may_name = allowed("people.list", g.user)
    query = request.args.get("q", "")[:80] if may_name else ""
    form = _offer(DepartureForm(), query, may_name)
    if request.method == "GET":
        form.left_on.data = clock.today()
    if form.validate_on_submit():
        try:
            departure = create_departure(form.entry(), g.user)
        except MigrationError as error:
            apply_error(form, error)
        else:
            if departure.is_minor:
                flash(_("%(name)s is a child: report a concern now.", name=departure.name), "danger")
            else:
                flash(_("The departure of %(name)s is recorded.", name=departure.name), "success")
            return redirect(url_for("migration.view", departure_id=departure.id))
    elif form.is_submitted():
        check_too(form, lambda: check_departure(form.entry(), g.user))
    return render_template("hub/migration/form.html", form=form, departure=None, may_name=may_name, q=query)


def render_departure(departure, call_form=None, return_form=None, status=200):
    """The departure's page, with the call and return forms (those given come back with what was typed)."""
    return render_template(
        "hub/migration/view.html", departure=departure, calls=calls_of(departure), today=clock.today(),
        call_form=call_form or CallForm(formdata=None, called_on=clock.today()),
        return_form=return_form or ReturnForm(formdata=None, returned_on=departure.returned_on or clock.today()),
        concern=departure.is_minor,
        person_link=departure.person_id is not None and allowed("people.view", g.user)
        and may_see_person(g.user, departure.person)), status


@bp.get("/<int:departure_id>")
def view(departure_id):
    return render_departure(get_departure_or_404(departure_id))


@bp.route("/<int:departure_id>/edit", methods=["GET", "POST"])
def edit(departure_id):
    departure = get_departure_or_404(departure_id)
    may_name = allowed("people.list", g.user)
    query = request.args.get("q", "")[:80] if may_name else ""
    form = DepartureForm(data={name: getattr(departure, name) for name in EDITABLE},
                         committee=str(departure.committee_id), person=str(departure.person_id or ""))
    _offer(form, query, may_name, departure)
    if str(departure.committee_id) not in {choice.value for choice in form.committee.choices}:
        # A case worker corrects the record of a committee since archived.
        form.committee.choices.append(SelectChoice(str(departure.committee_id), departure.committee.name))
    done = saved(
        form,
        lambda: update_departure(departure, form.entry(), g.user),
        _("The departure of %(name)s is saved.", name=departure.name),
        url_for("migration.view", departure_id=departure.id),
        check=lambda: check_departure(form.entry(), g.user, departure),
    )
    if done:
        return done
    return render_template("hub/migration/form.html", form=form, departure=departure, may_name=may_name, q=query)


@bp.post("/<int:departure_id>/calls")
def call(departure_id):
    departure = get_departure_or_404(departure_id)
    form = CallForm()
    done = saved(
        form,
        lambda: add_call(departure, form.called_on.data, form.result.data, g.user),
        _("The call is recorded."),
        url_for("migration.view", departure_id=departure.id),
        check=lambda: check_call(departure, form.called_on.data, form.result.data),
    )
    if done:
        return done
    return render_departure(departure, call_form=form)


@bp.post("/<int:departure_id>/return")
def returned(departure_id):
    departure = get_departure_or_404(departure_id)
    form = ReturnForm()
    done = saved(
        form,
        lambda: record_return(departure, form.returned_on.data, g.user),
        _("%(name)s is back.", name=departure.name),
        url_for("migration.view", departure_id=departure.id),
    )
    if done:
        return done
    return render_departure(departure, return_form=form)
