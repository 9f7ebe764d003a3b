"""Group pages: list, create, view, edit, archive."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub import clock
from hub.forms import saved
from hub.groups import bp
from hub.groups.forms import GroupForm
from hub.groups.page import group_page
from hub.groups.service import (
    KIND_LABELS,
    check_group,
    create_group,
    find_group,
    may_see,
    set_archived,
    update_group,
    visible_groups,
)

# A children's group may have a thousand members: the group page lists them a page at a time.
MEMBERS_PER_PAGE = 100


def get_group_or_404(group_id):
    """The group, if it exists and this account may see it (need to know: 404 either way)."""
    group = find_group(group_id)
    if group is None or not may_see(g.user, group):
        abort(404)
    return group


@bp.get("", endpoint="list")
def list_groups():
    return render_template("hub/groups/list.html", groups=visible_groups(g.user), kind_labels=KIND_LABELS)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = GroupForm()
    done = saved(
        form,
        lambda: create_group(form.name.data, form.kind.data, form.description.data),
        lambda group: _("Group %(name)s created.", name=group.name),
        lambda group: url_for("groups.view", group_id=group.id),
        check=lambda: check_group(form.name.data, form.kind.data),
    )
    if done:
        return done
    return render_template("hub/groups/form.html", form=form, group=None)


@bp.get("/<int:group_id>")
def view(group_id):
    group = get_group_or_404(group_id)
    page = max(request.args.get("page", 1, type=int), 1)
    from hub.access import allowed  # here: hub.access imports the areas' blueprints

    people_url = url_for("people.list") if allowed("people.view", g.user) else None  # people.view: /people/<id>
    return render_template("hub/groups/view.html", group=group, kind_labels=KIND_LABELS, page=page,
                           **group_page(group, g.user, clock.today(), page, MEMBERS_PER_PAGE, people_url))


@bp.route("/<int:group_id>/edit", methods=["GET", "POST"])
def edit(group_id):
    group = get_group_or_404(group_id)
    form = GroupForm(obj=group)
    done = saved(
        form,
        lambda: update_group(group, form.name.data, form.kind.data, form.description.data),
        _("Group %(name)s saved.", name=group.name),
        url_for("groups.view", group_id=group.id),
        check=lambda: check_group(form.name.data, form.kind.data, group.id),
    )
    if done:
        return done
    return render_template("hub/groups/form.html", form=form, group=group)


@bp.post("/<int:group_id>/archive")
def archive(group_id):
    group = get_group_or_404(group_id)
    set_archived(group, not group.archived)
    flash(_("Group %(name)s archived.", name=group.name) if group.archived else
          _("Group %(name)s is active again.", name=group.name), "success")
    return redirect(url_for("groups.view", group_id=group.id))
