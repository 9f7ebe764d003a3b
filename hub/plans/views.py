"""Action plan pages: the plans with their progress, a plan with its actions, record or change a plan, add
or change an action. Every signed-in account reads; staff and facilitators write (hub/access.py)."""

from flask import abort, g, render_template, url_for
from flask_babel import gettext as _

from hub import clock
from hub.forms import saved
from hub.plans import bp
from hub.plans.forms import ActionForm, PlanForm
from hub.plans.models import Action, Plan
from hub.plans.service import (
    actions_of,
    add_action,
    check_action,
    check_plan,
    create_plan,
    owner_choices,
    plans_with_progress,
    progress_of,
    services_of,
    update_action,
    update_plan,
)
from hub.services.models import Service


def get_plan_or_404(plan_id):
    """The plan with this id."""
    return Plan.get_or_none(Plan.id == plan_id) or abort(404)


def get_action_or_404(plan, action_id):
    """The action with this id, if it belongs to the plan."""
    return Action.get_or_none((Action.id == action_id) & (Action.plan == plan)) or abort(404)


def _services_offered(plan=None):
    """Active services, and those the plan already involves (archived since), by name."""
    services = {service.id: service for service in Service.active()}
    if plan is not None:
        services.update({service.id: service for service in services_of(plan)})
    return sorted(services.values(), key=lambda service: (service.name.casefold(), service.id))


@bp.get("", endpoint="list")
def list_plans():
    return render_template("hub/plans/list.html", plans=plans_with_progress(clock.today()))


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = PlanForm().offer(_services_offered())
    if not form.is_submitted():
        form.agreed_on.data = clock.today()
    done = saved(
        form,
        lambda: create_plan(g.user, form.draft(), clock.today()),
        _("Plan saved. Now add its actions."),
        lambda plan: url_for("plans.view", plan_id=plan.id),
        check=lambda: check_plan(form.draft(), clock.today()),
    )
    if done:
        return done
    return render_template("hub/plans/form.html", form=form, plan=None)


@bp.get("/<int:plan_id>")
def view(plan_id):
    plan = get_plan_or_404(plan_id)
    today = clock.today()
    actions = actions_of(plan)
    return render_template("hub/plans/view.html", plan=plan, actions=actions, services=services_of(plan),
                           progress=progress_of(actions, today), today=today)


@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
def edit(plan_id):
    plan = get_plan_or_404(plan_id)
    form = PlanForm(obj=plan, services=[str(service.id) for service in services_of(plan)])
    form.offer(_services_offered(plan))
    done = saved(
        form,
        lambda: update_plan(plan, g.user, form.draft(), clock.today()),
        _("Plan saved."),
        url_for("plans.view", plan_id=plan.id),
        check=lambda: check_plan(form.draft(), clock.today(), plan),
    )
    if done:
        return done
    return render_template("hub/plans/form.html", form=form, plan=plan)


@bp.route("/<int:plan_id>/actions/new", methods=["GET", "POST"])
def action_new(plan_id):
    plan = get_plan_or_404(plan_id)
    form = ActionForm().offer(owner_choices())
    done = saved(form, lambda: add_action(plan, g.user, form.draft()), _("Action added."),
                 url_for("plans.view", plan_id=plan.id), check=lambda: check_action(plan, form.draft()))
    if done:
        return done
    return render_template("hub/plans/action.html", form=form, plan=plan, action=None)


@bp.route("/<int:plan_id>/actions/<int:action_id>", methods=["GET", "POST"])
def action_edit(plan_id, action_id):
    plan = get_plan_or_404(plan_id)
    action = get_action_or_404(plan, action_id)
    form = ActionForm(obj=action).offer(owner_choices())
    if not form.is_submitted():
        form.owner.data = str(action.owner_id or "")
    done = saved(
        form,
        lambda: update_action(action, g.user, form.draft()),
        _("Action saved."),
        url_for("plans.view", plan_id=plan.id),
        check=lambda: check_action(plan, form.draft()),
    )
    if done:
        return done
    return render_template("hub/plans/action.html", form=form, plan=plan, action=action)
