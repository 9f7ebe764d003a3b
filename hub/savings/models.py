"""Savings tables (made by migration 0010): cycles, their members and meetings, and the ledger.

The ledger is one append-only table, SavingsEntry (the database refuses an UPDATE or DELETE on it), with the
officers' approvals beside it. Every balance is a sum over the entries that count (hub.savings.ledger).
"""

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
)

from hub.auth.models import User
from hub.db import BaseModel
from hub.groups.models import Group
from hub.people.models import Person

DEPOSIT, SOCIAL_FUND, SOCIAL_GRANT, FINE, LOAN, REPAYMENT = (
    "deposit", "social_fund", "social_grant", "fine", "loan", "repayment")
INCOME, EXPENSE, SHARE_OUT, PAYOUT, REVERSAL = "income", "expense", "share_out", "payout", "reversal"
KINDS = (DEPOSIT, SOCIAL_FUND, SOCIAL_GRANT, FINE, LOAN, REPAYMENT, INCOME, EXPENSE, SHARE_OUT, PAYOUT, REVERSAL)
MEMBER_KINDS = (DEPOSIT, SOCIAL_FUND, SOCIAL_GRANT, FINE, LOAN, REPAYMENT, PAYOUT)
TWO_KEY_KINDS = (LOAN, SHARE_OUT)  # count only once two different officers approved them


class SavingsCycle(BaseModel):
    """One savings cycle of a group, from its start to the share-out (usually about a year)."""

    group = ForeignKeyField(Group, backref="savings_cycles", column_name="group_id")
    name = CharField()
    starts_on = DateField()
    ends_on = DateField()           # the planned share-out
    share_value = IntegerField()    # minor units (paise, centavos) of one share
    social_amount = IntegerField()  # the social fund contribution at each meeting, minor units
    rate_bp = IntegerField()        # the usual loan interest, hundredths of a percent per month
    plausible_max = IntegerField(null=True)  # minor units: larger entries are confirmed and reviewed (0013)
    created_by = ForeignKeyField(User, null=True, column_name="created_by")
    created_at = DateTimeField()

    class Meta:
        table_name = "savings_cycle"


class SavingsMember(BaseModel):
    """A person saving in a cycle, and the account that is this person (to read her passbook, to approve)."""

    cycle = ForeignKeyField(SavingsCycle, backref="members", column_name="cycle_id")
    person = ForeignKeyField(Person, column_name="person_id")
    user = ForeignKeyField(User, null=True, column_name="user_id")
    joined_on = DateField()

    class Meta:
        table_name = "savings_member"


class SavingsMeeting(BaseModel):
    """A meeting of the cycle, with its roll call (SavingsPresence)."""

    cycle = ForeignKeyField(SavingsCycle, backref="meetings", column_name="cycle_id")
    held_on = DateField()
    recorded_by = ForeignKeyField(User, null=True, column_name="recorded_by")
    created_at = DateTimeField()

    class Meta:
        table_name = "savings_meeting"


class SavingsPresence(BaseModel):
    meeting = ForeignKeyField(SavingsMeeting, backref="roll", column_name="meeting_id")
    member = ForeignKeyField(SavingsMember, column_name="member_id")
    present = BooleanField()

    class Meta:
        table_name = "savings_presence"


class SavingsEntry(BaseModel):
    """One line of the ledger; never changed. A correction is a new entry of kind "reversal" (reverses)."""

    cycle = ForeignKeyField(SavingsCycle, backref="entries", column_name="cycle_id")
    kind = CharField()
    member = ForeignKeyField(SavingsMember, null=True, backref="entries", column_name="member_id")
    amount = IntegerField()         # minor units, always > 0: the kind says which way the money moved
    interest = IntegerField(default=0)  # a loan: the interest charged on it, owed with the principal
    profit = IntegerField(default=0)    # a payout: the member's part of the group fund (a loss if below 0)
    rate_bp = IntegerField(null=True)   # a loan: interest, hundredths of a percent per month
    months = IntegerField(null=True)    # a loan: repaid in this many monthly instalments
    ref = ForeignKeyField("self", null=True, column_name="ref_id")  # a repayment's loan, a payout's share-out
    reverses = ForeignKeyField("self", null=True, column_name="reverses_id")
    meeting = ForeignKeyField(SavingsMeeting, null=True, column_name="meeting_id")
    on_day = DateField()
    note = CharField(default="")
    needs_review = BooleanField(default=False)  # beyond the plausible range, confirmed (migration 0013)
    recorded_by = ForeignKeyField(User, null=True, column_name="recorded_by")
    created_at = DateTimeField()

    class Meta:
        table_name = "savings_entry"


class SavingsApproval(BaseModel):
    """One officer's key on a loan or a share-out; the database allows one per officer and per account."""

    entry = ForeignKeyField(SavingsEntry, backref="approvals", column_name="entry_id")
    officer = ForeignKeyField(SavingsMember, column_name="officer_id")
    user = ForeignKeyField(User, null=True, column_name="user_id")
    approved_at = DateTimeField()

    class Meta:
        table_name = "savings_approval"
