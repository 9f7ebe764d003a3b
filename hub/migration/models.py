"""Migration register tables (made by migration 0008): who left the village, where to and why, the
follow-up calls the vigilance committee made, and the return."""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, IntegerField

from hub.auth.models import User
from hub.db import BaseModel
from hub.groups.models import Group
from hub.people.models import Person

WORK, MARRIAGE, EDUCATION, OTHER = "work", "marriage", "education", "other"
PURPOSES = (WORK, MARRIAGE, EDUCATION, OTHER)
ADULT_AGE = 18  # under this age at departure, the person who left is a child


class Departure(BaseModel):
    """Someone who left the village: from the people register (person) or by name and age alone."""

    committee = ForeignKeyField(Group, backref="departures", column_name="committee_id")
    person = ForeignKeyField(Person, null=True, backref="departures", column_name="person_id")
    name = CharField()              # as it was when recorded (the register's name when a person is linked)
    age = IntegerField()            # in years, at departure
    hamlet = CharField(default="")
    left_on = DateField()
    destination = CharField()
    purpose = CharField()
    agent = CharField(default="")   # the agent, broker or contractor who arranged it
    expected_return = DateField(null=True)
    contact = CharField(default="")  # a phone number at the destination
    returned_on = DateField(null=True)
    created_by = ForeignKeyField(User, null=True, column_name="created_by")
    created_at = DateTimeField()

    @property
    def is_minor(self):
        return self.age < ADULT_AGE

    def is_overdue(self, today):
        """Still away after the day they were expected back."""
        return self.returned_on is None and self.expected_return is not None and self.expected_return < today

    @classmethod
    def away(cls):
        return cls.select().where(cls.returned_on.is_null())

    @classmethod
    def overdue(cls, today):
        return cls.away().where(cls.expected_return.is_null(False) & (cls.expected_return < today))

    @classmethod
    def minors_away(cls):
        return cls.away().where(cls.age < ADULT_AGE)

    @classmethod
    def returned(cls):
        return cls.select().where(cls.returned_on.is_null(False))


class DepartureCall(BaseModel):
    """A follow-up call to the person who left (or to their family), and what came of it."""

    departure = ForeignKeyField(Departure, backref="calls", column_name="departure_id")
    called_on = DateField()
    result = CharField()
    user = ForeignKeyField(User, null=True, column_name="user_id")

    class Meta:
        table_name = "departure_call"
