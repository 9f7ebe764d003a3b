"""Tables of work done away from the hub (made by migration 0013)."""

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from hub.auth.models import User
from hub.db import BaseModel


class Receipt(BaseModel):
    """A submission's idempotency key, stored once, in the transaction that saved the submission."""

    CONCERN, ROSTER, VISIT = "concern", "roster", "visit"
    KINDS = (CONCERN, ROSTER, VISIT)

    key = CharField(primary_key=True)
    kind = CharField()
    user = ForeignKeyField(User, null=True, column_name="user_id", on_delete="SET NULL")
    object_id = IntegerField(null=True)
    received_at = DateTimeField()

    class Meta:
        table_name = "offline_receipt"


class Policy(BaseModel):
    """The one row of the coordinator's choices (absent until first saved: the defaults apply)."""

    DEFAULT_KEEP_DAYS = 14
    keep_days = IntegerField(default=DEFAULT_KEEP_DAYS)

    class Meta:
        table_name = "offline_policy"
