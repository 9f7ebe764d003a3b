"""People tables (made by migration 0005): the children and adults the groups work with."""

from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField

from hub.db import BaseModel
from hub.groups.models import Group

FEMALE, MALE, OTHER = "female", "male", "other"
SEXES = (FEMALE, MALE, OTHER)

# Age bands: the children's bands follow the life-skills age groups; adults are two bands.
AGE_BANDS = ("0-5", "6-9", "10-14", "15-17", "18-24", "25+")
CHILD_BANDS = AGE_BANDS[:4]
_BAND_FLOORS = ((25, "25+"), (18, "18-24"), (15, "15-17"), (10, "10-14"), (6, "6-9"), (0, "0-5"))

IN_SCHOOL, OUT_OF_SCHOOL, NOT_SCHOOL_AGE, UNKNOWN = "in_school", "out_of_school", "not_school_age", "unknown"
SCHOOL_STATUSES = (IN_SCHOOL, OUT_OF_SCHOOL, NOT_SCHOOL_AGE, UNKNOWN)


def age_band_of(age):
    """The band an age in years falls in."""
    return next(band for floor, band in _BAND_FLOORS if age >= floor)


class Person(BaseModel):
    """A child or adult in the register: the minimum an area needs, nothing more."""

    name = CharField()
    name_key = CharField()  # phonetic key of the name, for search across spellings (hub.people.names)
    sex = CharField()
    birth_year = IntegerField(null=True)
    age_band = CharField(default="")  # when the birth year is unknown
    school_status = CharField(default=UNKNOWN)
    guardian = CharField(default="")
    contact = CharField(default="")
    hamlet = CharField(default="")
    consent_by = CharField(default="")  # who gave consent to keep this record (a guardian, or the person)
    consent_on = DateField(null=True)
    archived = BooleanField(default=False)
    created_at = DateTimeField()

    @property
    def has_consent(self):
        return bool(self.consent_by)

    def band_on(self, year):
        """The person's age band in a given year."""
        return age_band_of(year - self.birth_year) if self.birth_year else self.age_band


class GroupMember(BaseModel):
    """A person in a group, with a role, from joined_on until left_on (open while None)."""

    CHAIR, SECRETARY, TREASURER, CAPTAIN, MENTOR, MEMBER = (
        "chair", "secretary", "treasurer", "captain", "mentor", "member")
    ROLES = (CHAIR, SECRETARY, TREASURER, CAPTAIN, MENTOR, MEMBER)

    group = ForeignKeyField(Group, backref="members", column_name="group_id")
    person = ForeignKeyField(Person, backref="memberships", column_name="person_id")
    role = CharField(default=MEMBER)
    joined_on = DateField()
    left_on = DateField(null=True)

    @classmethod
    def current(cls, group):
        """Memberships of a group that have not ended."""
        return cls.select().where((cls.group == group) & cls.left_on.is_null())
