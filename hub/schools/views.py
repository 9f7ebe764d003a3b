"""School status pages: the lists (out of school, back in school), record a child out of school, a record with
its outreach visits and re-enrolment, the school protection committees' view of their pupils, and the
vulnerability map."""

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub import clock
from hub.access import allowed
from hub.forms import saved
from hub.people.picker import offered
from hub.people.service import SCHOOL_LABELS, may_see_person
from hub.schools import bp
from hub.schools.forms import DropoutForm, ReenrolForm, VisitForm
from hub.schools.service import (
    LIST_LIMIT,
    OUT,
    SHOW_LABELS,
    add_visit,
    check_dropout,
    check_reenrol,
    check_visit,
    committee_pupils,
    committees_of,
    get_committee,
    get_record,
    history_of,
    is_child,
    list_counts,
    record_dropout,
    records_for,
    reenrol,
    visits_of,
)
from hub.schools.vulnerability import (
    MEASURE_LABELS,
    MEASURES,
    OUT_OF_SCHOOL,
    hamlet_bars,
    hamlet_counts,
)


def get_record_or_404(record_id):
    """The record, if its child is one this account may see."""
    return get_record(g.user, record_id) or abort(404)


def get_committee_or_404(group_id):
    """The school protection committee, if this account is in it (case staff: any)."""
    return get_committee(g.user, group_id) or abort(404)


@bp.get("", endpoint="list")
def list_records():
    show = request.args.get("show", OUT)
    show = show if show in SHOW_LABELS else OUT
    return render_template("hub/schools/list.html", show=show, show_labels=SHOW_LABELS, counts=list_counts(g.user),
                           records=records_for(g.user, show), limit=LIST_LIMIT, committees=committees_of(g.user))


def _offer(form, query):
    """Offer the children found by the search, and the one chosen (kept when the form comes back)."""
    chosen = (form.child.data or request.args.get("child", "")).strip()
    children = offered(g.user, query, chosen, only=is_child)
    if any(str(child.id) == chosen for child in children):
        form.child.data = chosen
    return form.offer(children)


@bp.route("/new", methods=["GET", "POST"])
def new():
    query = request.args.get("q", "")[:80]
    form = _offer(DropoutForm(), query)
    if request.method == "GET":
        form.left_on.data = clock.today()
    done = saved(
        form,
        lambda: record_dropout(g.user, **form.values()),
        lambda dropout: _("%(name)s is recorded out of school.", name=dropout.child.name),
        lambda dropout: url_for("schools.view", record_id=dropout.id),
        check=lambda: check_dropout(g.user, **form.values()),
    )
    if done:
        return done
    return render_template("hub/schools/new.html", form=form, q=query)


def render_record(dropout, visit_form=None, reenrol_form=None):
    """The record's page with the visit and re-enrolment forms (those given come back with what was typed)."""
    return render_template(
        "hub/schools/view.html", dropout=dropout, visits=visits_of(dropout), history=history_of(dropout.child),
        visit_form=visit_form or VisitForm(formdata=None, visited_on=clock.today()),
        reenrol_form=reenrol_form or ReenrolForm(formdata=None, reenrolled_on=clock.today(),
                                                 reenrolled_school=dropout.school),
        person_link=allowed("people.view", g.user))


@bp.get("/<int:record_id>")
def view(record_id):
    return render_record(get_record_or_404(record_id))


@bp.post("/<int:record_id>/visits")
def visit(record_id):
    dropout = get_record_or_404(record_id)
    form = VisitForm()
    done = saved(
        form,
        lambda: add_visit(
            g.user, dropout, form.visited_on.data, form.visited_by.data, form.result.data, form.next_step.data
        ),
        _("The visit is recorded."),
        url_for("schools.view", record_id=dropout.id),
        check=lambda: check_visit(dropout, form.visited_on.data, form.visited_by.data, form.result.data,
                                  form.next_step.data),
    )
    if done:
        return done
    return render_record(dropout, visit_form=form)


@bp.post("/<int:record_id>/reenrol", endpoint="reenrol")
def reenrol_child(record_id):
    dropout = get_record_or_404(record_id)
    form = ReenrolForm()
    done = saved(
        form,
        lambda: reenrol(g.user, dropout, form.reenrolled_on.data, form.reenrolled_school.data),
        _("%(name)s is back in school.", name=dropout.child.name),
        url_for("schools.view", record_id=dropout.id),
        check=lambda: check_reenrol(dropout, form.reenrolled_on.data, form.reenrolled_school.data),
    )
    if done:
        return done
    return render_record(dropout, reenrol_form=form)


@bp.get("/committees")
def committees():
    found = committees_of(g.user)
    if len(found) == 1 and not allowed("schools.list", g.user):
        return redirect(url_for("schools.committee", group_id=found[0].id))
    return render_template("hub/schools/committees.html", committees=found)


@bp.get("/committees/<int:group_id>")
def committee(group_id):
    group = get_committee_or_404(group_id)
    pupils = committee_pupils(group, g.user)
    return render_template("hub/schools/committee.html", group=group, pupils=pupils, school_labels=SCHOOL_LABELS,
                           out_count=sum(1 for _member, record in pupils if record is not None),
                           may_open=lambda child: allowed("schools.view", g.user) and may_see_person(g.user, child))


@bp.get("/map", endpoint="map")
def vulnerability_map():
    measure = request.args.get("measure", OUT_OF_SCHOOL)
    measure = measure if measure in MEASURES else OUT_OF_SCHOOL
    hamlets, unplaced = hamlet_counts()
    bars, chart = hamlet_bars(hamlets, measure)
    return render_template("hub/schools/map.html", hamlets=hamlets, unplaced=unplaced, bars=bars, chart=chart,
                           measure=measure, measures=MEASURES, measure_labels=MEASURE_LABELS)
