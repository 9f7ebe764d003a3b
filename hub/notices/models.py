"""Notice tables (made by migration 0011): announcements to one group or the whole hub, urgent alerts, and
each account's receipt of a notice (first seen, acknowledged)."""

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    TextField,
)

from hub.auth.models import User
from hub.db import BaseModel
from hub.groups.models import Group


class Notice(BaseModel):
    """An announcement; group None means the whole hub. Shown until ends_on (inclusive) or until ended."""

    group = ForeignKeyField(Group, null=True, column_name="group_id")
    title = CharField()
    body = TextField()  # cleaned by hub.text.clean: simple formatting only
    urgent = BooleanField(default=False)
    created_by = ForeignKeyField(User, column_name="created_by")
    created_at = DateTimeField()
    ends_on = DateField(null=True)
    ended_at = DateTimeField(null=True)
    ended_by = ForeignKeyField(User, null=True, column_name="ended_by")

    def is_current(self, today):
        """True while the notice is shown: not ended, and not past its last day."""
        return self.ended_at is None and (self.ends_on is None or self.ends_on >= today)

    @classmethod
    def current(cls, today):
        """Notices still shown today, newest first."""
        return (cls.select().where(cls.ended_at.is_null() & (cls.ends_on.is_null() | (cls.ends_on >= today)))
                .order_by(cls.created_at.desc(), cls.id.desc()))


class Receipt(BaseModel):
    """An account saw a notice (the first time it was shown to them) and, for an alert, acknowledged it."""

    notice = ForeignKeyField(Notice, backref="receipts", column_name="notice_id")
    user = ForeignKeyField(User, column_name="user_id")
    seen_at = DateTimeField()
    acknowledged_at = DateTimeField(null=True)

    class Meta:
        table_name = "notice_receipt"
