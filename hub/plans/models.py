"""Action plan tables (made by migration 0011): a plan, the services (formal actors) involved, its actions."""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, TextField

from hub.auth.models import User
from hub.db import BaseModel
from hub.services.models import Service

PLANNED, IN_PROGRESS, DONE, DROPPED = "planned", "in_progress", "done", "dropped"
STATUSES = (PLANNED, IN_PROGRESS, DONE, DROPPED)
OPEN = (PLANNED, IN_PROGRESS)


class Plan(BaseModel):
    """A goal the community chose, with the criteria it set for it."""

    goal = CharField()
    agreed_on = DateField()  # the day the community chose the goal
    criteria = TextField(default="")  # how the community will know the goal is met
    formal_link = TextField(default="")  # the link with a formal actor: who, and what they do
    sustainability = TextField(default="")  # how it lasts without outside help
    created_by = ForeignKeyField(User, null=True, column_name="created_by")
    created_at = DateTimeField()
    updated_at = DateTimeField(null=True)

    class Meta:
        table_name = "action_plan"


class PlanService(BaseModel):
    """A formal actor from the services directory is involved in a plan."""

    plan = ForeignKeyField(Plan, backref="service_links", column_name="plan_id")
    service = ForeignKeyField(Service, column_name="service_id")

    class Meta:
        table_name = "plan_service"


class Action(BaseModel):
    """A step of a plan: what, who (an account or a name), by when, and how it stands."""

    plan = ForeignKeyField(Plan, backref="actions", column_name="plan_id")
    description = CharField()
    owner = ForeignKeyField(User, null=True, column_name="owner_id")
    owner_name = CharField(default="")  # someone without an account
    due_on = DateField()
    status = CharField(default=PLANNED)
    created_at = DateTimeField()
    updated_at = DateTimeField(null=True)

    class Meta:
        table_name = "plan_action"

    def is_overdue(self, today):
        return self.status in OPEN and self.due_on < today
