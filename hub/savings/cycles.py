"""A savings cycle and its members: starting a cycle with the group's members, adding newcomers, and
linking a member to the account she signs in with."""

from flask_babel import gettext as _
from peewee import JOIN, fn

from hub import clock
from hub.audit.service import record
from hub.auth.models import User
from hub.db import database
from hub.groups.models import AccountGroup
from hub.people.models import GroupMember, Person
from hub.people.service import current_members
from hub.savings.models import SavingsCycle, SavingsMember
from hub.savings.service import SavingsError, clean_text, parse_amount, parse_rate
from hub.validation import Problems


def check_cycle(group, name, starts_on, ends_on, share_value, social_amount, rate):
    """(name, share value, social amount, rate in hundredths of a percent) of a new cycle, or SavingsError
    naming every field that is wrong."""
    problems = Problems(SavingsError)
    name = problems.check(clean_text, name, "name", 80, required=True)
    if group is None or group.archived:
        problems.add(_("Choose a group from the list."), "group")
    if starts_on is None:
        problems.add(_("Please fill this in."), "starts_on")
    if ends_on is None:
        problems.add(_("Please fill this in."), "ends_on")
    elif starts_on is not None and ends_on <= starts_on:
        problems.add(_("The share-out comes after the start."), "ends_on")
    share = problems.check(parse_amount, share_value, "share_value")
    social = problems.check(parse_amount, social_amount, "social_amount") if (social_amount or "").strip() not in (
        "", "0") else 0
    rate_bp = problems.check(parse_rate, rate)
    problems.done()
    return name, share, social, rate_bp


def create_cycle(group, name, starts_on, ends_on, share_value, social_amount, rate, user=None):
    """Start a savings cycle for a group, with its current members (consent recorded); return the cycle.

    share_value, social_amount and rate are typed text (amounts, a percentage a month)."""
    name, share, social, rate_bp = check_cycle(group, name, starts_on, ends_on, share_value, social_amount, rate)
    with database.atomic():
        cycle = SavingsCycle.create(group=group, name=name, starts_on=starts_on, ends_on=ends_on,
                                    share_value=share, social_amount=social, rate_bp=rate_bp, created_by=user,
                                    created_at=clock.now())
        record("savings.cycle_created", cycle, detail=f"group {group.id}", user=user)
        add_new_members(cycle, user)
    return cycle


def add_new_members(cycle, user=None):
    """Add the group's current members (with consent recorded) who are not yet in the cycle; return how many."""
    with database.atomic():
        have = {row.person_id for row in SavingsMember.select(SavingsMember.person).where(
            SavingsMember.cycle == cycle)}
        added = 0
        for membership in current_members(cycle.group):
            if membership.person_id not in have:
                SavingsMember.create(cycle=cycle, person=membership.person_id,
                                     joined_on=max(cycle.starts_on, membership.joined_on))
                added += 1
        if added:
            record("savings.members_added", cycle, detail=str(added), user=user)
    return added


def members_of(cycle):
    """The cycle's members (SavingsMember with .person and .user loaded), by name."""
    return list(SavingsMember.select(SavingsMember, Person, User).join(Person)
                .switch(SavingsMember).join(User, JOIN.LEFT_OUTER)
                .where(SavingsMember.cycle == cycle).order_by(fn.LOWER(Person.name), Person.id))


def accounts_for(cycle):
    """The active accounts that belong to the cycle's group: those a member may be linked to."""
    return list(User.select().join(AccountGroup).where((AccountGroup.group == cycle.group) & User.active)
                .order_by(User.display_name))


def check_link(cycle, member, account):
    """Raise SavingsError naming every field of a member's link to an account that is wrong."""
    problems = Problems(SavingsError)
    if member is None or member.cycle_id != cycle.id:
        problems.add(_("Choose a member of this group from the list."), "member")
    if account is not None:
        if account.id not in {row.id for row in accounts_for(cycle)}:
            problems.add(_("Choose an account that belongs to this group."), "account")
        other = SavingsMember.get_or_none((SavingsMember.cycle == cycle) & (SavingsMember.user == account)
                                          & (SavingsMember.id != getattr(member, "id", None)))
        if other is not None:
            problems.add(_("This account is already %(name)s's in this cycle.", name=other.person.name), "account")
    problems.done()


def link_account(cycle, member, account, user=None):
    """Say which account is this member (None: no account): she then reads her passbook, and as an officer
    approves; the account must belong to the group."""
    check_link(cycle, member, account)
    with database.atomic():
        SavingsMember.update(user=account).where(SavingsMember.id == member.id).execute()
        record("savings.account_linked", member.person, user=user,
               detail=f"cycle {cycle.id}, account {account.username if account else '-'}")


def get_member(cycle, member_id, field="member"):
    """The cycle's member with this id, or SavingsError (a loan to someone not in the group)."""
    try:
        member_id = int(member_id)
    except (TypeError, ValueError):
        member_id = None
    member = (SavingsMember.select(SavingsMember, Person).join(Person)
              .where((SavingsMember.id == member_id) & (SavingsMember.cycle == cycle)).first())
    if member is None:
        raise SavingsError(_("Choose a member of this group from the list."), field)
    return member


def check_still_in_group(member, field="member"):
    if not GroupMember.current(member.cycle.group_id).where(GroupMember.person == member.person_id).exists():
        raise SavingsError(_("%(name)s is no longer a member of the group.", name=member.person.name), field)
