"""Account tables (made by migration 0002)."""

from peewee import BooleanField, CharField, DateTimeField

from hub.db import BaseModel


class User(BaseModel):
    """Someone who may sign in to the hub."""

    COORDINATOR = "coordinator"
    CASE_WORKER = "case_worker"
    FACILITATOR = "facilitator"
    MEMBER = "member"
    ROLES = (COORDINATOR, CASE_WORKER, FACILITATOR, MEMBER)
    # The role groups, defined here only. Case staff see case data; case workers may do everything a
    # facilitator may.
    CASE_STAFF = (COORDINATOR, CASE_WORKER)
    FACILITATORS = (COORDINATOR, CASE_WORKER, FACILITATOR)
    # Roles that see case data sign in with a password; the others may use a 6-digit PIN.
    PASSWORD_ROLES = CASE_STAFF

    PIN = "pin"
    PASSWORD = "password"

    username = CharField(unique=True)
    display_name = CharField()
    role = CharField()
    secret_kind = CharField()
    secret_hash = CharField()
    language = CharField(default="")
    active = BooleanField(default=True)
    must_change_secret = BooleanField(default=True)
    created_at = DateTimeField()

    class Meta:
        table_name = "user_account"
