"""Who may see and keep a savings cycle.

A cycle's ledger is read by the accounts linked to its members (SavingsMember.user) that still belong to
the group (AccountGroup); officers (a member whose role in the group is chair, treasurer or secretary) see
every member's passbook, record entries and give their key; other members read the group totals and their
own passbook. The coordinator sees and records everything but holds no key.
"""

from dataclasses import dataclass

from hub.auth.models import User
from hub.groups.models import AccountGroup
from hub.people.models import GroupMember, Person
from hub.prepared import Prepared
from hub.savings.models import SavingsCycle, SavingsMember

OFFICER_ROLES = (GroupMember.CHAIR, GroupMember.TREASURER, GroupMember.SECRETARY)


@dataclass(frozen=True)
class Standing:
    """What an account may do in one cycle."""

    member: SavingsMember | None  # the member this account is, if any
    sees_all: bool                # every passbook and the whole ledger
    records: bool                 # record meetings and entries, request loans, reverse, propose a share-out
    holds_key: bool               # approve loans and share-outs (an officer)


# Asked on every savings page (the passbook, the ledger): their SQL is built once.
_OFFICER = Prepared(lambda group_id, person_id: GroupMember.current(group_id).select(GroupMember.id).where(
    (GroupMember.person == person_id) & GroupMember.role.in_(OFFICER_ROLES)).limit(1), int, int)
_MEMBER_IN = Prepared(lambda user_id, cycle_id: _linked(user_id).where(SavingsMember.cycle == cycle_id).limit(1),
                      int, int)


def is_officer(member, group_id=None):
    """True when the member is now the chair, treasurer or secretary of the cycle's group (group_id: the
    cycle's, when the caller has it at hand)."""
    return _OFFICER.tuple(group_id or member.cycle.group_id, member.person_id) is not None


def _linked(user):
    return (SavingsMember.select(SavingsMember, SavingsCycle, Person).join(SavingsCycle)
            .join(AccountGroup, on=((AccountGroup.group == SavingsCycle.group) & (AccountGroup.user == user)))
            .switch(SavingsMember).join(Person).where(SavingsMember.user == user))


def standing_in(user, cycle):
    """The account's Standing in the cycle, or None when it may not see the cycle at all."""
    if user is None:
        return None
    if user.role == User.COORDINATOR:
        return Standing(None, True, True, False)
    member = _MEMBER_IN.first(user.id, cycle.id)
    if member is None:
        return None
    officer = is_officer(member, cycle.group_id)
    return Standing(member, officer, officer, officer)


def visible_cycles(user):
    """The cycles this account may open, newest first: all for the coordinator, else those it saves in."""
    query = SavingsCycle.select(SavingsCycle).order_by(SavingsCycle.starts_on.desc(), SavingsCycle.id.desc())
    if user.role != User.COORDINATOR:
        query = query.where(SavingsCycle.id.in_(_linked(user).select(SavingsMember.cycle)))
    return list(query)


def sees_savings(user):
    """True when the account has a savings ledger to open (for the menu)."""
    return user is not None and (user.role == User.COORDINATOR or _linked(user).exists())
