"""What the savings pages read: a member's passbook with running balances, the loans with their schedule
and arrears, and the ledger a page at a time. Reads only; hub.savings.service writes."""

from dataclasses import dataclass

from peewee import JOIN, fn

from hub import clock
from hub.people.models import Person
from hub.savings import ledger
from hub.savings.models import (
    LOAN,
    PAYOUT,
    REVERSAL,
    TWO_KEY_KINDS,
    SavingsApproval,
    SavingsEntry,
    SavingsMember,
)

PAGE_SIZE = 50
COUNTS, PENDING, REVERSED, CORRECTION = "counts", "pending", "reversed", "correction"


@dataclass
class Line:
    """An entry as a page shows it: whether it counts, and the member's balances after it."""

    entry: SavingsEntry
    state: str
    savings: int = 0
    owed: int = 0


def _states(entries):
    """{entry id: state} for entries of one cycle."""
    ids = [entry.id for entry in entries]
    heads = {entry.ref_id for entry in entries if entry.kind == PAYOUT}
    keyed = [entry.id for entry in entries if entry.kind in TWO_KEY_KINDS] + list(heads)
    reversed_ids = {row.reverses_id for row in SavingsEntry.select(SavingsEntry.reverses).where(
        SavingsEntry.reverses.in_(ids + list(heads)))}
    keys = dict(SavingsApproval.select(SavingsApproval.entry, fn.COUNT(SavingsApproval.id))
                .where(SavingsApproval.entry.in_(keyed)).group_by(SavingsApproval.entry).tuples())

    def state(entry):
        if entry.kind == REVERSAL:
            return CORRECTION
        if entry.id in reversed_ids:
            return REVERSED
        key_id = entry.ref_id if entry.kind == PAYOUT else entry.id
        if entry.kind in TWO_KEY_KINDS or entry.kind == PAYOUT:
            if entry.kind == PAYOUT and key_id in reversed_ids:
                return REVERSED
            if keys.get(key_id, 0) < ledger.KEYS_NEEDED:
                return PENDING
        return COUNTS

    return {entry.id: state(entry) for entry in entries}


def passbook(member):
    """(Lines, Balances): the member's entries, oldest first, with her savings and loans owed after each;
    and her balances (her loans' included) at the end."""
    entries = list(SavingsEntry.select().where(SavingsEntry.member == member).order_by(SavingsEntry.id))
    states = _states(entries)
    running = ledger.Balances()
    lines = []
    for entry in entries:
        if states[entry.id] == COUNTS:
            loan = entry.id if entry.kind == LOAN else entry.ref_id
            ledger.apply(running, entry.kind, member.id, loan, entry.amount, entry.interest, entry.profit)
        lines.append(Line(entry, states[entry.id], running.savings[member.id], running.owed[member.id]))
    return lines, running


def ledger_page(cycle, before_id=None):
    """(Lines, next before_id): one page of the cycle's ledger, newest first."""
    query = (SavingsEntry.select(SavingsEntry, SavingsMember, Person).join(SavingsMember, JOIN.LEFT_OUTER)
             .join(Person, JOIN.LEFT_OUTER).where(SavingsEntry.cycle == cycle).order_by(SavingsEntry.id.desc()))
    if before_id:
        query = query.where(SavingsEntry.id < before_id)
    entries = list(query.limit(PAGE_SIZE + 1))
    more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    states = _states(entries)
    return [Line(entry, states[entry.id]) for entry in entries], (entries[-1].id if more else None)


@dataclass
class Loan:
    """A loan that counts, with what is left to repay, its instalments and its arrears."""

    entry: SavingsEntry
    outstanding: int
    repaid: int
    overdue: int
    schedule: list


def loans(cycle, balances, member=None, today=None):
    """The cycle's loans that count (a member's when given), newest first, as Loans."""
    today = today or clock.today()
    found = []
    query = (SavingsEntry.select(SavingsEntry, SavingsMember, Person).join(SavingsMember).join(Person)
             .where((SavingsEntry.cycle == cycle) & (SavingsEntry.kind == LOAN)
                    & SavingsEntry.id.in_(list(balances.loans))).order_by(SavingsEntry.id.desc()))
    if member is not None:
        query = query.where(SavingsEntry.member == member)
    for entry in query:
        total = entry.amount + entry.interest
        outstanding = balances.loans[entry.id]
        repaid = total - outstanding
        found.append(Loan(entry, outstanding, repaid,
                          ledger.overdue(entry.on_day, total, entry.months, repaid, today),
                          ledger.schedule(entry.on_day, total, entry.months)))
    return found


def repayable(cycle, balances):
    """Loans with something left to repay, for the repayment form's list."""
    return [loan for loan in loans(cycle, balances) if loan.outstanding > 0]
