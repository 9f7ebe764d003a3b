"""Rules of the savings ledger: cycles and their members, meetings, and what an entry must hold. With
hub.savings.keys (the two keys, corrections, the share-out), the only writer of the savings tables; each
change is audited in the same transaction, and checked against the balances before it is committed: a
change that would leave a balance below zero where the rules forbid it is refused and nothing is saved.
Who may see and keep a cycle: hub.savings.standing.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from hub import clock
from hub.audit.service import record
from hub.auth.models import User
from hub.db import database
from hub.groups.models import AccountGroup
from hub.i18n import when
from hub.people.models import GroupMember, Person
from hub.people.service import current_members
from hub.savings import ledger, money, plausible
from hub.savings.models import (
    DEPOSIT,
    EXPENSE,
    FINE,
    INCOME,
    LOAN,
    PAYOUT,
    REPAYMENT,
    REVERSAL,
    SHARE_OUT,
    SOCIAL_FUND,
    SOCIAL_GRANT,
    TWO_KEY_KINDS,
    SavingsApproval,
    SavingsCycle,
    SavingsEntry,
    SavingsMeeting,
    SavingsMember,
    SavingsPresence,
)
from hub.savings.plausible import MAX_SHARES
from hub.validation import FieldError, Problems

MAX_NOTE = 200
MAX_MONTHS = 36

KIND_LABELS = {
    DEPOSIT: _l("Savings (shares)"),
    SOCIAL_FUND: _l("Social fund"),
    SOCIAL_GRANT: _l("Social fund grant"),
    FINE: _l("Fine"),
    LOAN: _l("Loan"),
    REPAYMENT: _l("Loan repayment"),
    INCOME: _l("Business income"),
    EXPENSE: _l("Business expense"),
    SHARE_OUT: _l("Share-out"),
    PAYOUT: _l("Share-out payment"),
    REVERSAL: _l("Correction"),
}
# What an officer records with the entry form (loans and the share-out have their own pages).
RECORDED_KINDS = (DEPOSIT, SOCIAL_FUND, FINE, REPAYMENT, SOCIAL_GRANT, INCOME, EXPENSE)
GROUP_KINDS = (INCOME, EXPENSE)


class SavingsError(FieldError):
    """A ledger change the hub refuses; str() says why, field names the form field."""


def kind_label(kind):
    """The words for a kind of entry (a template global)."""
    return KIND_LABELS.get(kind, kind)


# --- cycles and their members ----------------------------------------------------------------------------


def clean_text(value, field, limit=MAX_NOTE, required=False):
    """Typed text with its spaces tidied, or SavingsError when missing (if required) or too long."""
    value = " ".join((value or "").split())
    if required and not value:
        raise SavingsError(_("Please fill this in."), field)
    if len(value) > limit:
        raise SavingsError(_("Please use at most %(count)d characters.", count=limit), field)
    return value


def _amount(text, field):
    try:
        return money.parse(text)
    except money.AmountError as error:
        raise SavingsError(str(error), field) from None


def parse_rate(text, field="rate"):
    """Hundredths of a percent from a typed percentage per month ("2", "1.5"), or SavingsError."""
    typed = (text or "").strip().replace(",", ".").rstrip("%").strip()
    whole, _dot, part = typed.partition(".")
    if not whole.isdigit() or (part and not (part.isdigit() and len(part) <= 2)) or (_dot and not part):
        raise SavingsError(_("Give the interest as a percentage a month, such as 2 or 1.5."), field)
    rate = int(whole) * 100 + int((part or "0").ljust(2, "0"))
    if rate > 10000:
        raise SavingsError(_("The interest cannot be more than 100% a month."), field)
    return rate


def check_day(day, field, cycle=None):
    """Refuse a missing day, a day after today, or one before the cycle started."""
    if day is None:
        raise SavingsError(_("Please fill this in."), field)
    today = clock.today()
    if day > today:
        raise SavingsError(_("This date is after today (%(today)s on the hub's clock).",
                             today=when(today)), field)
    if cycle is not None and day < cycle.starts_on:
        raise SavingsError(_("This is before the cycle started, on %(day)s.", day=when(cycle.starts_on)),
                           field)
    return day


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
    share = problems.check(_amount, share_value, "share_value")
    social = problems.check(_amount, social_amount, "social_amount") if (social_amount or "").strip() not in (
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


def _still_in_group(member, field="member"):
    if not GroupMember.current(member.cycle.group_id).where(GroupMember.person == member.person_id).exists():
        raise SavingsError(_("%(name)s is no longer a member of the group.", name=member.person.name), field)


# --- the ledger's state ----------------------------------------------------------------------------------


def balances(cycle):
    """The cycle's balances as the ledger stands (hub.savings.ledger.Balances)."""
    return ledger.balances_of(cycle.id)


def shared_out(cycle):
    """The share-out entry that counts (the cycle is then closed), or None."""
    return (SavingsEntry.select().where((SavingsEntry.cycle == cycle) & (SavingsEntry.kind == SHARE_OUT))
            .where(SavingsEntry.id.in_(approved_ids()) & SavingsEntry.id.not_in(reversed_ids(cycle))).first())


def approved_ids():
    """A query of the ids of entries with two keys."""
    return (SavingsApproval.select(SavingsApproval.entry).group_by(SavingsApproval.entry)
            .having(fn.COUNT(SavingsApproval.id) >= ledger.KEYS_NEEDED))


def reversed_ids(cycle):
    """A query of the ids of the cycle's entries that were reversed."""
    return SavingsEntry.select(SavingsEntry.reverses).where(
        (SavingsEntry.cycle == cycle) & SavingsEntry.reverses.is_null(False))


def check_open(cycle):
    """Refuse any change to a cycle that was shared out."""
    done = shared_out(cycle)
    if done is not None:
        raise SavingsError(_("This cycle was shared out on %(day)s: it is closed.", day=when(done.on_day)))


def check_balances(cycle, field=None):
    """Refuse (rolling the transaction back) when the change just written leaves a forbidden balance."""
    problem = ledger.shortfalls(balances(cycle))
    if problem == "cash":
        raise SavingsError(_("The group does not have enough cash for this."), field)
    if problem == "social":
        raise SavingsError(_("The social fund does not have enough for this."), field)
    if problem == "savings":
        raise SavingsError(_("This would leave a member's savings below zero."), field)
    if problem == "loan":
        raise SavingsError(_("This would leave a loan below zero."), field)


def write_entry(cycle, kind, member, amount, on_day, note, user, **extra):
    """Append one entry to the ledger (checked by the caller)."""
    return SavingsEntry.create(cycle=cycle, kind=kind, member=member, amount=amount, on_day=on_day, note=note,
                               recorded_by=user, created_at=clock.now(), **extra)


def counts(entry):
    """True when the entry counts in the balances: not a correction, not reversed, approved if it needs it."""
    if entry.kind == REVERSAL or SavingsEntry.select().where(SavingsEntry.reverses == entry).exists():
        return False
    return entry.kind not in TWO_KEY_KINDS or entry.approvals.count() >= ledger.KEYS_NEEDED


def loan_outstanding(loan):
    """What is still owed on a loan that counts (0 when it does not count)."""
    return ledger.balances_of(loan.cycle_id).loans.get(loan.id, 0) if counts(loan) else 0


# --- recording ---------------------------------------------------------------------------------------------


def _member_of(cycle, member):
    member = member if isinstance(member, SavingsMember) else get_member(cycle, member)
    if member.cycle_id != cycle.id:
        raise SavingsError(_("Choose a member of this group from the list."), "member")
    return member


def check_entry(cycle, kind, amount, on_day, member=None, loan=None, note="", confirmed=False):
    """(member, loan, amount, note, needs review) of an entry (see record_entry), or SavingsError naming every
    field that is wrong."""
    problems = Problems(SavingsError)
    if kind not in RECORDED_KINDS:
        problems.add(_("Choose from the list."), "kind")
    note = problems.check(clean_text, note, "note", required=kind in (SOCIAL_GRANT, INCOME, EXPENSE))
    amount = problems.check(_amount, amount, "amount")
    problems.check(check_day, on_day, "on_day", cycle)
    if kind == REPAYMENT:
        loan = problems.check(_loan_of, cycle, loan)
        member = loan.member if loan is not None else None
        outstanding = loan_outstanding(loan) if loan is not None else None
        if amount is not None and outstanding is not None and amount > outstanding:
            problems.add(_("This is more than the %(owed)s still owed on this loan.", owed=money.show(outstanding)),
                         "amount")
    elif kind in GROUP_KINDS or kind not in RECORDED_KINDS:
        member = None
    else:
        member = problems.check(_member_of, cycle, member)
    if kind == DEPOSIT and amount is not None and amount % cycle.share_value:
        problems.add(_("Savings are bought in shares of %(value)s: give a multiple of it.",
                       value=money.show(cycle.share_value)), "amount")
    review = False
    if amount is not None and kind in RECORDED_KINDS:
        review = problems.check(_plausible, cycle, kind, amount, confirmed)
    problems.done()
    return member, loan, amount, note, review


def record_entry(cycle, kind, amount, on_day, member=None, loan=None, note="", user=None, meeting=None,
                 confirmed=False):
    """Record a deposit, social fund payment or grant, fine, repayment, or business income or expense.

    amount is typed text; member (a SavingsMember id or row) for a member's entry; loan (an entry id or row)
    for a repayment; confirmed: an amount beyond the plausible range is right (it is marked for review).
    Returns the entry."""
    member, loan, amount, note, review = check_entry(cycle, kind, amount, on_day, member, loan, note, confirmed)
    with database.atomic():
        check_open(cycle)
        entry = write_entry(cycle, kind, member, amount, on_day, note, user, ref=loan if kind == REPAYMENT else None,
                            meeting=meeting, needs_review=review)
        check_balances(cycle, "amount")
        record("savings.recorded", entry, detail=f"{kind} {amount}", user=user)
        if review:
            record("savings.outside_range", entry, detail=f"{kind} {amount}", user=user)
    return entry


def _plausible(cycle, kind, amount, confirmed):
    try:
        return plausible.check(cycle, kind, amount, confirmed)
    except plausible.OutsideRange as error:
        raise SavingsError(str(error), "confirm") from None  # shown beside the box that confirms it


def set_plausible_max(cycle, amount, user=None):
    """The coordinator's largest plausible amount for the cycle's entries (typed text; empty: the default
    from the group's history)."""
    limit = _amount(amount, "plausible_max") if (amount or "").strip() else None
    with database.atomic():
        SavingsCycle.update(plausible_max=limit).where(SavingsCycle.id == cycle.id).execute()
        record("savings.range_set", cycle, detail=str(limit or "default"), user=user)


def _loan_of(cycle, loan):
    if not isinstance(loan, SavingsEntry):
        try:
            loan = SavingsEntry.get_or_none((SavingsEntry.id == int(loan)) & (SavingsEntry.cycle == cycle)
                                            & (SavingsEntry.kind == LOAN))
        except (TypeError, ValueError):
            loan = None
    if loan is None or loan.cycle_id != cycle.id or loan.kind != LOAN or not counts(loan):
        raise SavingsError(_("Choose a loan from the list."), "loan")
    return loan


def _months(text):
    try:
        months = int(text)
    except (TypeError, ValueError):
        months = 0
    if not 1 <= months <= MAX_MONTHS:
        raise SavingsError(_("A loan is repaid in 1 to %(count)d months.", count=MAX_MONTHS), "months")
    return months


def _lent(cycle, text):
    amount = _amount(text, "amount")
    cash = balances(cycle).cash
    if amount > cash:
        raise SavingsError(_("The group has %(cash)s in cash: a loan cannot be more.", cash=money.show(cash)),
                           "amount")
    return amount


def check_loan(cycle, member, amount, months, rate=None, on_day=None, note="", confirmed=False):
    """(member, amount, months, rate, day, note, needs review) of a loan request (see request_loan), or
    SavingsError naming every field that is wrong."""
    problems = Problems(SavingsError)
    member = problems.check(_member_of, cycle, member)
    if member is not None:
        problems.check(_still_in_group, member)
    amount = problems.check(_lent, cycle, amount)
    months = problems.check(_months, months)
    rate_bp = cycle.rate_bp if rate is None else problems.check(parse_rate, rate)
    on_day = on_day or clock.today()
    problems.check(check_day, on_day, "on_day", cycle)
    note = problems.check(clean_text, note, "note")
    review = problems.check(_plausible, cycle, LOAN, amount, confirmed) if amount is not None else None
    problems.done()
    return member, amount, months, rate_bp, on_day, note, review


def request_loan(cycle, member, amount, months, rate=None, on_day=None, note="", user=None, confirmed=False):
    """Record a loan request; it counts once two officers approved it. rate is a typed percentage a month
    (the cycle's usual rate when None); confirmed as for record_entry. Returns the loan entry."""
    with database.atomic():
        check_open(cycle)
        member, amount, months, rate_bp, on_day, note, review = check_loan(cycle, member, amount, months, rate,
                                                                           on_day, note, confirmed)
        loan = write_entry(cycle, LOAN, member, amount, on_day, note, user, rate_bp=rate_bp, months=months,
                           interest=ledger.interest_on(amount, rate_bp, months), needs_review=review)
        if review:
            record("savings.outside_range", loan, detail=f"loan {amount}", user=user)
        record("savings.loan_requested", loan, detail=f"{amount}, {rate_bp} bp, {months} months", user=user)
    return loan


@dataclass(frozen=True)
class Line:
    """One member's line of a meeting sheet, as typed (shares as text)."""

    member_id: int
    present: bool
    shares: str = ""
    social: bool = False


def check_meeting(cycle, held_on, lines):
    """[(member, present, shares, social)] of a meeting's sheet, or SavingsError naming every field that is
    wrong (a wrong line: field "shares-<member id>")."""
    problems = Problems(SavingsError)
    if problems.check(check_day, held_on, "held_on", cycle) is not None and (
            SavingsMeeting.select().where((SavingsMeeting.cycle == cycle) & (SavingsMeeting.held_on == held_on))
            .exists()):
        problems.add(_("A meeting on this day is already recorded."), "held_on")
    members = {member.id: member for member in SavingsMember.select().where(SavingsMember.cycle == cycle)}
    parsed = []
    for line in lines:
        typed = (line.shares or "").strip()
        if line.member_id not in members:
            problems.add(_("Choose a member of this group from the list."))
        elif typed and not (typed.isdigit() and int(typed) <= MAX_SHARES):
            problems.add(_("Give a number of shares from 0 to %(count)d.", count=MAX_SHARES),
                         f"shares-{line.member_id}")
        else:
            parsed.append((members[line.member_id], line.present, int(typed or 0), line.social))
    problems.done()
    return parsed


def record_meeting(cycle, held_on, lines, user=None):
    """Record a meeting: its roll call and, per member, the shares bought and the social fund paid.

    Returns the meeting. A wrong line raises SavingsError with field "shares-<member id>"."""
    with database.atomic():
        check_open(cycle)
        parsed = check_meeting(cycle, held_on, lines)
        meeting = SavingsMeeting.create(cycle=cycle, held_on=held_on, recorded_by=user, created_at=clock.now())
        for member, present, shares, social in parsed:
            SavingsPresence.create(meeting=meeting, member=member, present=present)
            if shares:
                write_entry(cycle, DEPOSIT, member, shares * cycle.share_value, held_on, "", user, meeting=meeting)
            if social and cycle.social_amount:
                write_entry(cycle, SOCIAL_FUND, member, cycle.social_amount, held_on, "", user, meeting=meeting)
        record("savings.meeting_recorded", meeting, detail=f"cycle {cycle.id}", user=user)
    return meeting


def meetings_of(cycle):
    """The cycle's meetings, newest first, each with .present and .absent counts."""
    present = fn.SUM(SavingsPresence.present.cast("INTEGER"))
    return list(SavingsMeeting.select(SavingsMeeting, present.alias("present"),
                                      fn.COUNT(SavingsPresence.id).alias("marked"))
                .join(SavingsPresence, JOIN.LEFT_OUTER).where(SavingsMeeting.cycle == cycle)
                .group_by(SavingsMeeting.id).order_by(SavingsMeeting.held_on.desc()))


