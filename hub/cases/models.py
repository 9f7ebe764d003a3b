"""Case tables (made by migration 0007): a concern as reported, triaged into a case, its actions, follow-up
visits and referrals to services."""

from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField

from hub.auth.models import User
from hub.db import BaseModel
from hub.people.models import Person
from hub.services.models import Service

CHILD_LABOUR, TRAFFICKING, CHILD_MARRIAGE, SEXUAL_ABUSE, PHYSICAL_ABUSE, NEGLECT = (
    "child_labour", "trafficking", "child_marriage", "sexual_abuse", "physical_abuse", "neglect")
SCHOOL_DROPOUT, MISSING_CHILD, UNSAFE_MIGRATION, SUBSTANCE_ABUSE, OTHER = (
    "school_dropout", "missing_child", "unsafe_migration", "substance_abuse", "other")
CATEGORIES = (CHILD_LABOUR, TRAFFICKING, CHILD_MARRIAGE, SEXUAL_ABUSE, PHYSICAL_ABUSE, NEGLECT, SCHOOL_DROPOUT,
              MISSING_CHILD, UNSAFE_MIGRATION, SUBSTANCE_ABUSE, OTHER)


class Case(BaseModel):
    """A concern as anyone reported it (status "reported", unassigned) and, once triaged, the case."""

    REPORTED, ASSESSED, ACTION_TAKEN, REFERRED, FOLLOW_UP, CLOSED = (
        "reported", "assessed", "action_taken", "referred", "follow_up", "closed")
    STATUSES = (REPORTED, ASSESSED, ACTION_TAKEN, REFERRED, FOLLOW_UP, CLOSED)
    LOW, MEDIUM, HIGH, IMMEDIATE = "low", "medium", "high", "immediate"
    RISKS = (LOW, MEDIUM, HIGH, IMMEDIATE)
    GUARDIAN, CHILD = "guardian", "child"  # who consented to sharing the child's details

    category = CharField()
    child = ForeignKeyField(Person, null=True, column_name="child_id")
    child_description = CharField(default="")   # narrative: erased by retention
    place = CharField(default="")               # narrative
    what_happened = CharField(default="")       # narrative, cleaned by hub.text.clean
    in_danger = BooleanField(default=False)
    reported_by = ForeignKeyField(User, null=True, column_name="reported_by", backref="reported_cases")
    reported_at = DateTimeField()
    status = CharField(default=REPORTED)
    risk = CharField(default="")
    assigned_to = ForeignKeyField(User, null=True, column_name="assigned_to", backref="assigned_cases")
    next_follow_up = DateField(null=True)
    closed_on = DateField(null=True)
    closed_reason = CharField(default="")
    consent_by = CharField(default="")
    consent_on = DateField(null=True)
    narrative_erased_on = DateField(null=True)
    version = IntegerField(default=1)   # grows with every save: a stale form is refused, never merged
    reference_hash = CharField(null=True)  # SHA-256 of the reporter's reference (hub.cases.concerns)
    updated_by = ForeignKeyField(User, null=True, column_name="updated_by")
    updated_at = DateTimeField(null=True)

    class Meta:
        table_name = "case_file"


class CaseAction(BaseModel):
    """One entry of a case's log: an action taken, a status change, a note (narrative: erased by retention)."""

    case = ForeignKeyField(Case, backref="actions", column_name="case_id")
    done_at = DateTimeField()
    user = ForeignKeyField(User, null=True, column_name="user_id")
    kind = CharField()
    note = CharField(default="")


class FollowUp(BaseModel):
    """A follow-up visit with progress notes (narrative: erased by retention)."""

    case = ForeignKeyField(Case, backref="follow_ups", column_name="case_id")
    visited_on = DateField()
    user = ForeignKeyField(User, null=True, column_name="user_id")
    progress = CharField(default="")

    class Meta:
        table_name = "follow_up"


class Referral(BaseModel):
    """A case referred to a service: what was shared, on which basis, and what came of it."""

    SENT, ACKNOWLEDGED, SERVICE_GIVEN, CLOSED, WITHDRAWN = (
        "sent", "acknowledged", "service_given", "closed", "withdrawn")
    STATUSES = (SENT, ACKNOWLEDGED, SERVICE_GIVEN, CLOSED, WITHDRAWN)
    CONSENT, OVERRIDE, IMMEDIATE_DANGER = "consent", "override", "immediate_danger"

    case = ForeignKeyField(Case, backref="referrals", column_name="case_id")
    service = ForeignKeyField(Service, backref="referrals", column_name="service_id")
    referred_on = DateField()
    reason = CharField()
    information_shared = CharField(default="")  # narrative
    shares_child_details = BooleanField(default=False)
    basis = CharField(default="")
    override_reason = CharField(default="")
    risk_at_referral = CharField(default="")    # the case's risk as assessed when referred (migration 0013)
    status = CharField(default=SENT)
    outcome = CharField(default="")             # narrative
    days_from_report = IntegerField()
    created_by = ForeignKeyField(User, null=True, column_name="created_by")
    version = IntegerField(default=1)
