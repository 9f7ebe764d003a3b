"""Audit table (made by migration 0003, append-only by trigger)."""

from peewee import CharField, DateTimeField, ForeignKeyField

from hub.auth.models import User
from hub.db import BaseModel


class AuditEvent(BaseModel):
    """One thing someone did; ordered by id (a sequence), never by the clock, which may jump."""

    at = DateTimeField()
    user = ForeignKeyField(User, null=True, backref="audit_events", column_name="user_id")
    username = CharField(default="")
    role = CharField(default="")
    action = CharField()
    object_type = CharField(default="")
    object_id = CharField(default="")
    client_address = CharField(default="")
    detail = CharField(default="")

    @classmethod
    def newest_first(cls):
        return cls.select().order_by(cls.id.desc())
