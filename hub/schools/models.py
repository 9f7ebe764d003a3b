"""School status tables (made by migration 0009): a child out of school with the reason, the outreach visits
made to bring them back, and the day (and the school) they were re-enrolled."""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField

from hub.auth.models import User
from hub.db import BaseModel
from hub.people.models import Person

WORK, MARRIAGE, MIGRATION, COST, DISTANCE = "work", "marriage", "migration", "cost", "distance"
DISABILITY, ILLNESS, CARING, NOT_INTERESTED, OTHER = (
    "disability", "illness", "caring_for_siblings", "not_interested", "other")
REASONS = (WORK, MARRIAGE, MIGRATION, COST, DISTANCE, DISABILITY, ILLNESS, CARING, NOT_INTERESTED, OTHER)


class Dropout(BaseModel):
    """A child out of school from left_on, open until reenrolled_on (at most one open record per child)."""

    child = ForeignKeyField(Person, backref="dropouts", column_name="child_id")
    left_on = DateField()
    reason = CharField()
    details = CharField(default="")          # required when the reason is "other"
    school = CharField(default="")           # the school the child left
    reenrolled_on = DateField(null=True)
    reenrolled_school = CharField(default="")
    created_by = ForeignKeyField(User, null=True, column_name="created_by")
    created_at = DateTimeField()

    class Meta:
        table_name = "school_dropout"

    @property
    def is_open(self):
        return self.reenrolled_on is None

    @classmethod
    def open(cls):
        return cls.select().where(cls.reenrolled_on.is_null())

    @classmethod
    def reenrolled(cls):
        return cls.select().where(cls.reenrolled_on.is_null(False))


class OutreachVisit(BaseModel):
    """A visit to the child's family to bring them back to school: who went, what came of it, what next."""

    dropout = ForeignKeyField(Dropout, backref="visits", column_name="dropout_id")
    visited_on = DateField()
    visited_by = CharField()   # the names of those who went (committee members need no account)
    result = CharField()
    next_step = CharField(default="")
    user = ForeignKeyField(User, null=True, column_name="user_id")

    class Meta:
        table_name = "outreach_visit"
