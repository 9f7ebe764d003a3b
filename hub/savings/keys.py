"""The two-key rule, corrections and the share-out: a loan or a share-out counts once two different officers
approved it; a correction is a reversing entry, never an edit; the share-out hands each member her savings
and her part of the group fund, and closes the cycle. Each change is checked against the balances before it
is committed, and audited in the same transaction.
"""

from flask_babel import gettext as _

from hub import clock
from hub.audit.service import record
from hub.db import database
from hub.people.models import Person
from hub.savings import ledger, money
from hub.savings.models import (
    LOAN,
    PAYOUT,
    REVERSAL,
    SHARE_OUT,
    TWO_KEY_KINDS,
    SavingsApproval,
    SavingsEntry,
    SavingsMember,
)
from hub.savings.service import (
    SavingsError,
    approved_ids,
    balances,
    check_balances,
    check_day,
    check_open,
    clean_text,
    reversed_ids,
    write_entry,
)
from hub.savings.standing import is_officer


def approve(entry, user=None, officer=None):
    """An officer's key on a loan or a share-out; the second key makes it count. Returns the approval.

    From a page, officer is the member the signed-in account is. The demo, which has no account for
    every officer, passes the officer without a user."""
    if entry.kind not in TWO_KEY_KINDS:
        raise SavingsError(_("Only loans and share-outs are approved."))
    cycle = entry.cycle
    if user is not None:
        officer = SavingsMember.get_or_none((SavingsMember.cycle == cycle) & (SavingsMember.user == user))
    if officer is None or officer.cycle_id != cycle.id or not is_officer(officer):
        raise SavingsError(_("Only the group's chair, treasurer or secretary can approve."))
    with database.atomic():
        check_open(cycle)
        if SavingsEntry.select().where(SavingsEntry.reverses == entry).exists():
            raise SavingsError(_("This was withdrawn: it cannot be approved."))
        keys = list(entry.approvals)
        if len(keys) >= ledger.KEYS_NEEDED:
            raise SavingsError(_("Two officers have already approved this."))
        if any(key.officer_id == officer.id or (user is not None and key.user_id == user.id) for key in keys):
            raise SavingsError(_("You have already given your key: another officer must give the second."))
        if entry.kind == LOAN and entry.member_id == officer.id:
            raise SavingsError(_("You cannot approve your own loan: two other officers must."))
        second = len(keys) + 1 >= ledger.KEYS_NEEDED
        if second and entry.kind == SHARE_OUT:
            _check_share_out_still_right(entry)
        approval = SavingsApproval.create(entry=entry, officer=officer, user=user, approved_at=clock.now())
        if second:
            check_balances(cycle)
        record("savings.approved", entry, detail=f"{entry.kind}, officer {officer.id}", user=user)
    return approval


def reverse(entry, reason, user=None):
    """Take an entry out of every balance with a reversing entry (an unapproved loan or share-out: withdraw
    it). Returns the reversal."""
    reason = clean_text(reason, "reason", required=True)
    if entry.kind == REVERSAL:
        raise SavingsError(_("A correction cannot be reversed: record the entry again."))
    if entry.kind == PAYOUT:
        raise SavingsError(_("A share-out payment goes with its share-out: withdraw the share-out."))
    cycle = entry.cycle
    with database.atomic():
        check_open(cycle)
        if SavingsEntry.select().where(SavingsEntry.reverses == entry).exists():
            raise SavingsError(_("This entry was already reversed."))
        if entry.kind == LOAN and SavingsEntry.select().where(
                (SavingsEntry.ref == entry) & SavingsEntry.id.not_in(reversed_ids(cycle))).exists():
            raise SavingsError(_("This loan has repayments: reverse them first."))
        reversal = write_entry(cycle, REVERSAL, entry.member, entry.amount, clock.today(), reason, user, reverses=entry)
        check_balances(cycle)
        record("savings.reversed", entry, detail=reason, user=user)
    return reversal


def share_out_plan(cycle):
    """{member id: (savings returned, part of the fund)} if the cycle were shared out now."""
    now = balances(cycle)
    return ledger.split(now.savings, now.fund)


def _check_share_out_possible(cycle, now):
    if now.total_owed:
        raise SavingsError(_("Loans of %(owed)s are still outstanding: the share-out waits until they are "
                             "repaid.", owed=money.show(now.total_owed)))
    if now.total_savings <= 0:
        raise SavingsError(_("Nobody has savings to share out."))


def propose_share_out(cycle, on_day=None, user=None):
    """Work out the share-out and record it, waiting for two officers' approval; return its entry."""
    on_day = on_day or clock.today()
    check_day(on_day, "on_day", cycle)
    with database.atomic():
        check_open(cycle)
        pending = pending_two_key(cycle, SHARE_OUT)
        if pending:
            raise SavingsError(_("A share-out is already waiting for approval."))
        now = balances(cycle)
        _check_share_out_possible(cycle, now)
        plan = ledger.split(now.savings, now.fund)
        head = write_entry(cycle, SHARE_OUT, None, sum(a + p for a, p in plan.values()), on_day, "", user)
        for member_id, (amount, profit) in plan.items():
            write_entry(cycle, PAYOUT, member_id, amount, on_day, "", user, profit=profit, ref=head)
        record("savings.share_out_proposed", head, detail=str(head.amount), user=user)
    return head


def _check_share_out_still_right(head):
    """Before the second key: the payouts must still be what the ledger, as it stands, would share out."""
    now = balances(head.cycle)
    _check_share_out_possible(head.cycle, now)
    payouts = SavingsEntry.select().where(SavingsEntry.ref == head)
    if ledger.split(now.savings, now.fund) != {p.member_id: (p.amount, p.profit) for p in payouts}:
        raise SavingsError(_("The ledger changed since this share-out was worked out: withdraw it and work it "
                             "out again."))


def pending_two_key(cycle, kind=None):
    """Loans and share-outs waiting for their keys (not withdrawn), oldest first, with .keys loaded."""
    query = (SavingsEntry.select().where((SavingsEntry.cycle == cycle) & SavingsEntry.kind.in_(TWO_KEY_KINDS)
                                         & SavingsEntry.id.not_in(reversed_ids(cycle))
                                         & SavingsEntry.id.not_in(approved_ids()))
             .order_by(SavingsEntry.id))
    if kind is not None:
        query = query.where(SavingsEntry.kind == kind)
    entries = list(query)
    keys = {}
    for approval in (SavingsApproval.select(SavingsApproval, SavingsMember, Person).join(SavingsMember)
                     .join(Person).where(SavingsApproval.entry.in_([e.id for e in entries]))):
        keys.setdefault(approval.entry_id, []).append(approval)
    for entry in entries:
        entry.keys = keys.get(entry.id, [])
    return entries
