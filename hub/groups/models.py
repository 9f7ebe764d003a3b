"""Group tables (made by migration 0004)."""

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField

from hub.auth.models import User
from hub.db import BaseModel


class Group(BaseModel):
    """A community group the hub serves."""

    CARE_GROUP = "care_group"
    MOTHERS_GROUP = "mothers_group"
    YOUTH_FORUM = "youth_forum"
    CHILDRENS_GROUP = "childrens_group"
    VIGILANCE_COMMITTEE = "vigilance_committee"
    SCHOOL_COMMITTEE = "school_committee"
    LOCAL_CLUB = "local_club"
    KINDS = (CARE_GROUP, MOTHERS_GROUP, YOUTH_FORUM, CHILDRENS_GROUP, VIGILANCE_COMMITTEE, SCHOOL_COMMITTEE,
             LOCAL_CLUB)

    name = CharField()
    kind = CharField()
    description = CharField(default="")
    archived = BooleanField(default=False)
    created_at = DateTimeField()

    class Meta:
        table_name = "community_group"

    @classmethod
    def active(cls):
        return cls.select().where(~cls.archived).order_by(cls.name)


class AccountGroup(BaseModel):
    """An account belongs to a group: a facilitator runs its sessions, a member keeps its records."""

    user = ForeignKeyField(User, backref="group_links", column_name="user_id")
    group = ForeignKeyField(Group, backref="account_links", column_name="group_id")

    class Meta:
        table_name = "account_group"
