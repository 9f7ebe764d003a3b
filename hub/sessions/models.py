"""Session and meeting tables (made by migration 0005): what was planned or held, by whom, on what
topics, and who attended."""

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from hub.auth.models import User
from hub.curriculum.models import Topic
from hub.db import BaseModel
from hub.groups.models import Group
from hub.people.models import Person


class Meeting(BaseModel):
    """A life-skills session or any other meeting of a group ("session" in the pages)."""

    LIFE_SKILLS = "life_skills"
    VOLUNTEER_TRAINING = "volunteer_training"
    PARENT_MEETING = "parent_meeting"
    PARENTING_WORKSHOP = "parenting_workshop"
    GROUP_MEETING = "group_meeting"
    AWARENESS_EVENT = "awareness_event"
    COMMITTEE_MEETING = "committee_meeting"
    DUTY_BEARER_MEETING = "duty_bearer_meeting"
    KINDS = (LIFE_SKILLS, VOLUNTEER_TRAINING, PARENT_MEETING, PARENTING_WORKSHOP, GROUP_MEETING, AWARENESS_EVENT,
             COMMITTEE_MEETING, DUTY_BEARER_MEETING)

    PLANNED, HELD, CANCELLED = "planned", "held", "cancelled"
    STATUSES = (PLANNED, HELD, CANCELLED)

    group = ForeignKeyField(Group, backref="meetings", column_name="group_id")
    kind = CharField()
    starts_at = DateTimeField()
    place = CharField(default="")
    notes = CharField(default="")  # cleaned by hub.text.clean before it is saved
    status = CharField(default=PLANNED)
    created_by = ForeignKeyField(User, null=True, column_name="created_by")
    created_at = DateTimeField()
    version = IntegerField(default=1)  # grows with every save: a stale form is refused, never merged


class MeetingTopic(BaseModel):
    meeting = ForeignKeyField(Meeting, backref="topic_links", column_name="meeting_id")
    topic = ForeignKeyField(Topic, column_name="topic_id")


class MeetingFacilitator(BaseModel):
    meeting = ForeignKeyField(Meeting, backref="facilitator_links", column_name="meeting_id")
    user = ForeignKeyField(User, backref="facilitated", column_name="user_id")


class Attendance(BaseModel):
    PRESENT, ABSENT, EXCUSED = "present", "absent", "excused"
    STATUSES = (PRESENT, ABSENT, EXCUSED)

    meeting = ForeignKeyField(Meeting, backref="attendance", column_name="meeting_id")
    person = ForeignKeyField(Person, backref="attendance", column_name="person_id")
    status = CharField()


class GuestCount(BaseModel):
    """Unnamed guests at a meeting, counted by sex and age band."""

    meeting = ForeignKeyField(Meeting, backref="guests", column_name="meeting_id")
    sex = CharField()
    age_band = CharField()
    count = IntegerField()


class GroupMonth(BaseModel):
    """Attendance at a group's held sessions in one month (made by migration 0013): everyone on their rosters
    (expected) and those present. Derived from Attendance and kept by hub.sessions.attendance on every save."""

    group = ForeignKeyField(Group, column_name="group_id")
    month = CharField()  # "YYYY-MM"
    present = IntegerField(default=0)
    expected = IntegerField(default=0)

    class Meta:
        table_name = "group_month"
