"""Rules for action plans: a goal the community chose and the criteria it set, the formal actors involved
(services of the directory), the actions with an owner, a due date and a status, and each plan's progress.
The only writer of Plan, PlanService and Action; each change is audited in the same transaction.
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import JOIN, prefetch

from hub import clock
from hub.audit.service import record
from hub.auth.models import User
from hub.db import database
from hub.i18n import when
from hub.plans.models import (
    DONE,
    DROPPED,
    IN_PROGRESS,
    PLANNED,
    STATUSES,
    Action,
    Plan,
    PlanService,
)
from hub.services.models import Service
from hub.validation import FieldError, Problems

MAX_GOAL, MAX_TEXT, MAX_ACTION, MAX_NAME = 200, 1000, 200, 80
YEARS_AHEAD = 10  # a due date further than this after the plan was agreed is a typing mistake
EARLIEST = date(2000, 1, 1)
STATUS_LABELS = {PLANNED: _l("Planned"), IN_PROGRESS: _l("In progress"), DONE: _l("Done"), DROPPED: _l("Dropped")}


class PlanError(FieldError):
    """A plan change the hub refuses; str() says why, field names the form field."""


@dataclass(frozen=True)
class PlanDraft:
    """A plan as the form parsed it (services: ids as text, as the form sent them)."""

    goal: str
    agreed_on: date | None
    criteria: str = ""
    formal_link: str = ""
    sustainability: str = ""
    services: tuple = ()


@dataclass(frozen=True)
class ActionDraft:
    """An action as the form parsed it (owner: an account id as text, or "" for a name)."""

    description: str
    due_on: date | None
    owner: str = ""
    owner_name: str = ""
    status: str = PLANNED


@dataclass(frozen=True)
class Progress:
    """How far a plan has come: actions done of those not dropped, and the open ones past their due date."""

    done: int
    total: int
    dropped: int
    overdue: list = field(default_factory=list)

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else 0


def status_label(status):
    """The words for an action's status (a template global)."""
    return STATUS_LABELS.get(status, status)


def _plain(text):
    return " ".join((text or "").split())


def _text(value, name):
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise PlanError(_("Please use at most %(count)d characters.", count=MAX_TEXT), name)
    return value


def _as_id(text):
    """The id typed or sent as text, or None when it cannot be one."""
    text = str(text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 9 else None


def _services(ids, plan=None):
    """The services named by ids: active ones, or ones the plan already involves (archived since)."""
    wanted = {_as_id(value) for value in ids}
    allowed = {service.id for service in Service.active()}
    if plan is not None:
        allowed |= {link.service_id for link in PlanService.select().where(PlanService.plan == plan)}
    if None in wanted or not wanted <= allowed:
        raise PlanError(_("Choose services from the directory."), "services")
    return wanted


def _goal(text):
    goal = _plain(text)
    if not goal:
        raise PlanError(_("Please say what the community wants to achieve."), "goal")
    if len(goal) > MAX_GOAL:
        raise PlanError(_("Please use at most %(count)d characters.", count=MAX_GOAL), "goal")
    return goal


def _agreed_on(day, today, plan):
    if day is None:
        raise PlanError(_("Please fill this in."), "agreed_on")
    if day > today:
        raise PlanError(_("The day the community chose it cannot be in the future."), "agreed_on")
    if day < EARLIEST:
        raise PlanError(_("Please check the year."), "agreed_on")
    if plan is not None:
        first_due = min((action.due_on for action in plan.actions), default=None)
        if first_due is not None and day > first_due:
            raise PlanError(_("An action is due on %(day)s, before this day.", day=when(first_due)), "agreed_on")
    return day


def check_plan(draft, today, plan=None):
    """The plan's tidy values and its services, or PlanError naming every field that is wrong."""
    problems = Problems(PlanError)
    values = {"goal": problems.check(_goal, draft.goal),
              "agreed_on": problems.check(_agreed_on, draft.agreed_on, today, plan)}
    for name in ("criteria", "formal_link", "sustainability"):
        values[name] = problems.check(_text, getattr(draft, name), name)
    service_ids = problems.check(_services, draft.services, plan)
    problems.done()
    return values, service_ids


def _link(plan, service_ids):
    PlanService.delete().where((PlanService.plan == plan) & PlanService.service.not_in(service_ids)).execute()
    have = {link.service_id for link in PlanService.select().where(PlanService.plan == plan)}
    for service_id in sorted(service_ids - have):
        PlanService.create(plan=plan, service=service_id)


def create_plan(user, draft, today):
    """Record a plan the community chose, with the services involved; return the Plan."""
    with database.atomic():
        values, service_ids = check_plan(draft, today)
        plan = Plan.create(**values, created_by=user, created_at=clock.now())
        _link(plan, service_ids)
        record("plan.created", plan, user=user)
    return plan


def update_plan(plan, user, draft, today):
    """Change a plan's goal, criteria and the services involved; return the Plan."""
    with database.atomic():
        current = Plan.get_by_id(plan.id)
        values, service_ids = check_plan(draft, today, current)
        for name, value in values.items():
            setattr(current, name, value)
        current.updated_at = clock.now()
        current.save()
        _link(current, service_ids)
        record("plan.updated", current, user=user)
    return current


def _description(text):
    description = _plain(text)
    if not description:
        raise PlanError(_("Please say what is to be done."), "description")
    if len(description) > MAX_ACTION:
        raise PlanError(_("Please use at most %(count)d characters.", count=MAX_ACTION), "description")
    return description


def _owner(owner_id, owner_name):
    """(the owning account or None, the owner's name when it is not an account)."""
    owner_id, owner_name = (owner_id or "").strip(), _plain(owner_name)
    if owner_id:
        owner = User.get_or_none((User.id == _as_id(owner_id)) & User.active) if _as_id(owner_id) else None
        if owner is None:
            raise PlanError(_("Choose an account from the list."), "owner")
        return owner, ""  # an account chosen: the name box is not needed
    if not owner_name:
        raise PlanError(_("Say who does it: choose an account or write a name."), "owner_name")
    if len(owner_name) > MAX_NAME:
        raise PlanError(_("Please use at most %(count)d characters.", count=MAX_NAME), "owner_name")
    return None, owner_name


def _due_on(day, plan):
    if day is None:
        raise PlanError(_("Please fill this in."), "due_on")
    if day < plan.agreed_on:
        raise PlanError(_("An action cannot be due before the plan was agreed, on %(day)s.",
                          day=when(plan.agreed_on)), "due_on")
    if day.year > plan.agreed_on.year + YEARS_AHEAD:
        raise PlanError(_("An action is due at most %(years)d years after the plan was agreed: please check "
                          "the year.", years=YEARS_AHEAD), "due_on")
    return day


def check_action(plan, draft):
    """The action's values, or PlanError naming every field that is wrong."""
    problems = Problems(PlanError)
    description = problems.check(_description, draft.description)
    owner, owner_name = problems.check(_owner, draft.owner, draft.owner_name) or (None, "")
    due_on = problems.check(_due_on, draft.due_on, plan)
    if draft.status not in STATUSES:
        problems.add(_("Choose a status from the list."), "status")
    problems.done()
    return {"description": description, "owner": owner, "owner_name": owner_name, "due_on": due_on,
            "status": draft.status}


def add_action(plan, user, draft):
    """Add an action to a plan; return the Action."""
    with database.atomic():
        current = Plan.get_by_id(plan.id)
        action = Action.create(plan=current, **check_action(current, draft), created_at=clock.now())
        record("plan.action_added", current, detail=f"action {action.id}: {action.status}", user=user)
    return action


def update_action(action, user, draft):
    """Change an action: what, who, by when, and how it stands; return the Action."""
    with database.atomic():
        current = Action.get_by_id(action.id)
        for name, value in check_action(current.plan, draft).items():
            setattr(current, name, value)
        current.updated_at = clock.now()
        current.save()
        record("plan.action_updated", current.plan, detail=f"action {current.id}: {current.status}", user=user)
    return current


def actions_of(plan):
    """A plan's actions by due date, with their owners."""
    return list(Action.select(Action, User).join(User, on=(Action.owner == User.id), join_type=JOIN.LEFT_OUTER)
                .where(Action.plan == plan).order_by(Action.due_on, Action.id))


def services_of(plan):
    """The services involved in a plan, by name."""
    return list(Service.select().join(PlanService).where(PlanService.plan == plan).order_by(Service.name))


def progress_of(actions, today):
    """The Progress of a plan with these actions."""
    actions = list(actions)
    dropped = sum(1 for action in actions if action.status == DROPPED)
    return Progress(done=sum(1 for action in actions if action.status == DONE), total=len(actions) - dropped,
                    dropped=dropped, overdue=[action for action in actions if action.is_overdue(today)])


def plans_with_progress(today):
    """Every plan, newest agreed first, each as (plan, Progress) (actions read in one query)."""
    plans = prefetch(Plan.select().order_by(Plan.agreed_on.desc(), Plan.id.desc()), Action)
    return [(plan, progress_of(plan.actions, today)) for plan in plans]


def owner_choices():
    """The active accounts an action may be given to, by name."""
    return list(User.select().where(User.active).order_by(User.display_name))
