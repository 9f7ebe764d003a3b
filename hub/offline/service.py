"""Work away from the hub: what a signed-in person's phone keeps ready for use out of range, and the
coordinator's choice of how many days a phone keeps what it could not send (idempotency: hub.offline.receipts).
"""

from datetime import timedelta

from flask_babel import gettext as _

from hub.audit.service import record
from hub.auth.models import User
from hub.cases.models import Case
from hub.db import database
from hub.groups.models import AccountGroup, Group
from hub.offline.models import Policy
from hub.sessions.models import Meeting

MAX_KEEP_DAYS = 90
WARN_DAYS = 2           # the phone warns this many days before it deletes what it could not send
ROSTER_DAYS_BEFORE = 7  # a session held last week is still recorded from the field
ROSTER_DAYS_AFTER = 14
MAX_ROSTERS = 20
MAX_VISITS = 30


class PolicyError(ValueError):
    """A setting the hub refuses; str() says why, field names the form field."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def keep_days():
    """How many days a phone keeps a submission it could not send (the coordinator's choice, default 14)."""
    policy = Policy.get_or_none(Policy.id == 1)
    return policy.keep_days if policy else Policy.DEFAULT_KEEP_DAYS


def set_keep_days(days, user):
    """Save how many days phones keep what they could not send (1 to MAX_KEEP_DAYS)."""
    if not isinstance(days, int) or not 1 <= days <= MAX_KEEP_DAYS:
        raise PolicyError(_("Choose a number of days from 1 to %(max)d.", max=MAX_KEEP_DAYS), "keep_days")
    with database.atomic():
        (Policy.insert(id=1, keep_days=days)
         .on_conflict(conflict_target=[Policy.id], preserve=[Policy.keep_days]).execute())
        record("offline.keep_days", None, detail=str(days), user=user)


def rosters_for(user, today):
    """Ids of the planned sessions of this account's own groups from a week ago to two weeks ahead, soonest
    first: the rosters a facilitator may take out of range."""
    if user is None or user.role not in User.FACILITATORS:
        return []
    mine = AccountGroup.select(AccountGroup.group).where(AccountGroup.user == user)
    start, end = today - timedelta(days=ROSTER_DAYS_BEFORE), today + timedelta(days=ROSTER_DAYS_AFTER + 1)
    query = (Meeting.select(Meeting.id).join(Group)
             .where(Meeting.group.in_(mine) & ~Group.archived & (Meeting.status == Meeting.PLANNED)
                    & (Meeting.starts_at >= start) & (Meeting.starts_at < end))
             .order_by(Meeting.starts_at, Meeting.id).limit(MAX_ROSTERS))
    return [meeting.id for meeting in query]


def visits_for(user):
    """Ids of the open cases this account holds: the follow-up visit forms a case worker takes out of range."""
    if user is None or user.role not in User.CASE_STAFF:
        return []
    query = (Case.select(Case.id).where((Case.assigned_to == user) & (Case.status != Case.CLOSED)
                                        & (Case.status != Case.REPORTED))
             .order_by(Case.next_follow_up.is_null(), Case.next_follow_up, Case.id).limit(MAX_VISITS))
    return [case.id for case in query]
