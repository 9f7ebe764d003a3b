"""Curriculum tables (made by migration 0005): life-skills topics and who is trained to teach them."""

from peewee import BooleanField, CharField, DateField, ForeignKeyField, IntegerField

from hub.auth.models import User
from hub.db import BaseModel


class Topic(BaseModel):
    """A life-skills topic. Shipped topics have a code and translated default texts; the coordinator
    may add topics and write a topic's name and description per language (TopicText)."""

    code = CharField(null=True, unique=True)
    position = IntegerField(default=0)
    archived = BooleanField(default=False)

    @classmethod
    def active(cls):
        return cls.select().where(~cls.archived).order_by(cls.position, cls.id)


class TopicText(BaseModel):
    topic = ForeignKeyField(Topic, backref="texts", column_name="topic_id")
    language = CharField()
    name = CharField()
    description = CharField(default="")


class VolunteerSkill(BaseModel):
    """A volunteer (an account) was trained on a topic on a day, at a training meeting if recorded there."""

    user = ForeignKeyField(User, backref="skills", column_name="user_id")
    topic = ForeignKeyField(Topic, backref="trained", column_name="topic_id")
    trained_on = DateField()
    meeting_id = IntegerField(null=True)  # the volunteer_training meeting, when there was one
