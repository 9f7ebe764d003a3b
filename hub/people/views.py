"""People pages: the register (search, new, view, edit) and a group's members (add, record leaving)."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub import clock
from hub.forms import apply_error, check_too, saved
from hub.groups.service import may_see, visible_groups
from hub.groups.views import get_group_or_404
from hub.people import bp
from hub.people.forms import AddMemberForm, LeaveForm, NewPersonForm, PersonForm, offer_groups
from hub.people.models import GroupMember, Person
from hub.people.picker import label, offered
from hub.people.service import (
    SCHOOL_LABELS,
    SEX_LABELS,
    LikelyDuplicates,
    PersonError,
    add_member,
    check_membership,
    check_new_person,
    clean_person,
    create_person,
    current_members,
    leave_group,
    may_see_person,
    people_page,
    people_visible_to,
    update_person,
)

PAGE_SIZE = 50


def get_person_or_404(person_id):
    """The person, if they exist and this account may see them (need to know and consent: 404 either way)."""
    person = Person.get_or_none(Person.id == person_id)
    if person is None or not may_see_person(g.user, person):
        abort(404)
    return person


@bp.get("/people", endpoint="list")
def list_people():
    query = request.args.get("q", "")[:80]
    page = max(request.args.get("page", 1, type=int), 1)
    if query.strip():
        people, more = people_visible_to(g.user, query), False
    else:
        people = people_page(g.user, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        more, people = len(people) > PAGE_SIZE, people[:PAGE_SIZE]
    return render_template("hub/people/list.html", people=people, q=query, page=page, more=more)


@bp.route("/people/new", methods=["GET", "POST"])
def new():
    groups = {str(group.id): group for group in visible_groups(g.user) if not group.archived}
    form = offer_groups(NewPersonForm(), groups.values())
    if request.method == "GET":
        form.joined_on.data = clock.today()
    duplicates = []
    if form.validate_on_submit():
        try:
            person = create_person(**form.values(), group=groups.get(form.group.data), role=form.role.data,
                                   joined_on=form.joined_on.data, save_anyway=form.seen_ids())
        except LikelyDuplicates as found:
            duplicates = found.matches
            form.seen.data = ",".join(str(match.id) for match in duplicates)
        except PersonError as error:
            apply_error(form, error)
        else:
            flash(_("%(name)s is in the register.", name=person.name), "success")
            return redirect(url_for("people.view", person_id=person.id))
    elif form.is_submitted():
        check_too(form, lambda: check_new_person(form.values(), groups.get(form.group.data), form.role.data,
                                                 form.joined_on.data))
    # Say that a match exists even when this account may not see it, without saying who it is.
    shown = [person for person in duplicates if may_see_person(g.user, person)]
    return render_template("hub/people/new.html", form=form, duplicates=shown,
                           hidden_duplicates=len(duplicates) - len(shown))


@bp.get("/people/<int:person_id>")
def view(person_id):
    person = get_person_or_404(person_id)
    memberships = [member for member in person.memberships.order_by(GroupMember.left_on.is_null(False),
                                                                    GroupMember.joined_on.desc())
                   if may_see(g.user, member.group)]
    return render_template("hub/people/view.html", person=person, memberships=memberships,
                           sex_labels=SEX_LABELS, school_labels=SCHOOL_LABELS)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
def edit(person_id):
    person = get_person_or_404(person_id)
    form = PersonForm(obj=person)
    done = saved(
        form,
        lambda: update_person(person, **form.values()),
        _("%(name)s's record is saved.", name=person.name),
        url_for("people.view", person_id=person.id),
        check=lambda: clean_person(**form.values()),
    )
    if done:
        return done
    return render_template("hub/people/edit.html", form=form, person=person)


def _members_page(group, form, candidates, leaving=None, leave_form=None, status=200):
    return render_template("hub/people/members.html", group=group, form=form, candidates=candidates,
                           members=current_members(group, viewer=g.user), leaving=leaving,
                           leave_form=leave_form), status


def _member_or_404(group, member_id):
    member = GroupMember.get_or_none((GroupMember.id == member_id) & (GroupMember.group == group))
    if member is None or not may_see_person(g.user, member.person):
        abort(404)
    return member


@bp.route("/groups/<int:group_id>/members", methods=["GET", "POST"])
def members(group_id):
    group = get_group_or_404(group_id)
    form = AddMemberForm()
    query = ((form.q.data if request.method == "POST" else request.args.get("q")) or "")[:80]
    form.q.data = query
    # The one person picker (never an archived person), less those already members.
    members = {row.person_id for row in GroupMember.current(group)}
    candidates = offered(g.user, query, only=lambda person: person.id not in members)
    form.person.choices = [(person.id, label(person)) for person in candidates]
    leaving, leave_form = None, None
    if request.method == "GET":
        form.joined_on.data = clock.today()
        if request.args.get("leave", type=int):
            leaving = _member_or_404(group, request.args.get("leave", type=int))
            leave_form = LeaveForm(left_on=clock.today())
    if not form.is_submitted():
        return _members_page(group, form, candidates, leaving, leave_form)
    if form.validate():
        person = next(person for person in candidates if person.id == form.person.data)
        try:
            add_member(group, person, form.role.data, form.joined_on.data)
        except PersonError as error:
            apply_error(form, error)
        else:
            flash(_("%(name)s joined %(group)s.", name=person.name, group=group.name), "success")
            return redirect(url_for("people.members", group_id=group.id))
    else:
        person = next((person for person in candidates if person.id == form.person.data), None)
        check_too(form, lambda: check_membership(group, person, form.role.data, form.joined_on.data,
                                                 person.birth_year if person else None))
    return _members_page(group, form, candidates, leaving, leave_form, status=400)


@bp.post("/groups/<int:group_id>/members/<int:member_id>/leave")
def leave(group_id, member_id):
    group = get_group_or_404(group_id)
    member = _member_or_404(group, member_id)
    form = LeaveForm()
    done = saved(
        form,
        lambda: leave_group(member, form.left_on.data),
        _("%(name)s left %(group)s.", name=member.person.name, group=group.name),
        url_for("people.members", group_id=group.id),
    )
    if done:
        return done
    add_form = AddMemberForm(formdata=None, joined_on=clock.today())
    return _members_page(group, add_form, [], member, form, status=400)
