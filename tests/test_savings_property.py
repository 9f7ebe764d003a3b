"""The ledger reconciles by construction: a property test over random sequences of entries.

Hypothesis draws sequences of deposits, social fund payments and grants, fines, business income and expenses,
loan requests, officers' keys, repayments, reversals and share-outs, and plays them through
hub.savings.service on a fresh cycle. After every step:

- the books balance: cash + loans outstanding == members' savings + social fund + group fund;
- no balance the rules forbid is below zero (cash, social fund, a member's savings, a loan);
- the database's balances equal those of a model the test keeps of what was accepted (a loan or share-out
  counts only with two keys, a reversed entry nowhere), so an unapproved loan counts nowhere;
- a refused step saved nothing, and a step the model knows to be wrong (a repayment above what is owed,
  a key from the borrower or from an officer who gave one already) is refused;
- a reversal restores the totals to what they were without the entry; each member's passbook ends on her
  balances.
"""

import itertools
from collections import Counter
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hub.groups.models import Group
from hub.people.models import GroupMember
from hub.savings import books, ledger, money
from hub.savings.cycles import create_cycle
from hub.savings.entries import record_entry, request_loan
from hub.savings.keys import approve, propose_share_out, reverse
from hub.savings.models import (
    DEPOSIT,
    EXPENSE,
    FINE,
    INCOME,
    LOAN,
    PAYOUT,
    REPAYMENT,
    SHARE_OUT,
    SOCIAL_FUND,
    SOCIAL_GRANT,
    SavingsApproval,
    SavingsEntry,
    SavingsMember,
)
from hub.savings.service import SavingsError, balances
from tests.factories import make_group, make_person

TODAY = date(2026, 11, 22)
ROLES = ("chair", "treasurer", "secretary", "member", "member")
_groups = itertools.count(1)

member = st.integers(0, len(ROLES) - 1)
officer = st.integers(0, 2)
pick = st.integers(0, 10**6)  # an index into what exists, taken modulo its length
cents = st.integers(1, 30_000)
STEPS = st.one_of(
    st.tuples(st.just("deposit"), member, st.integers(1, 5)),
    st.tuples(st.just("deposit"), member, st.integers(1, 5)),
    st.tuples(st.just("social"), member),
    st.tuples(st.just("grant"), member, cents),
    st.tuples(st.just("fine"), member, st.integers(1, 5_000)),
    st.tuples(st.just("income"), cents),
    st.tuples(st.just("expense"), cents),
    st.tuples(st.just("loan"), member, cents, st.integers(1, 6), st.lists(officer, max_size=3)),
    st.tuples(st.just("approve"), officer, pick, st.booleans()),
    st.tuples(st.just("approve"), officer, pick, st.booleans()),
    st.tuples(st.just("repay"), pick, cents),
    st.tuples(st.just("repay"), pick, st.none()),  # all that is owed
    st.tuples(st.just("reverse"), pick),
    st.tuples(st.just("share_out"), st.lists(officer, max_size=3)),
)


NOW = datetime(2026, 11, 22, 9, 30)
pytestmark = pytest.mark.usefixtures("fixed_clock")  # hub.clock pinned to TODAY and NOW


class Model:
    """What the test knows was accepted: entries, keys and reversals, and the balances they make."""

    def __init__(self):
        self.entries = {}  # id -> SavingsEntry (as written)
        self.keys = Counter()
        self.key_holders = {}  # entry id -> officer member ids
        self.reversed = set()

    def add(self, entry):
        self.entries[entry.id] = entry

    def counts(self, entry):
        if entry.kind == PAYOUT:
            return entry.ref_id not in self.reversed and self.keys[entry.ref_id] >= 2
        if entry.id in self.reversed or entry.kind in ("reversal", SHARE_OUT):
            return False
        return entry.kind != LOAN or self.keys[entry.id] >= 2

    def balances(self):
        b = ledger.Balances()
        for entry in self.entries.values():
            if self.counts(entry):
                loan = entry.id if entry.kind == LOAN else entry.ref_id if entry.kind == REPAYMENT else None
                ledger.apply(b, entry.kind, entry.member_id, loan, entry.amount, entry.interest, entry.profit)
        return b

    def without(self, entry_id):
        """The balances as they would be had entry_id never been recorded."""
        kept = self.reversed
        self.reversed = kept | {entry_id}
        try:
            return self.balances()
        finally:
            self.reversed = kept

    def live(self, *kinds):
        return [e for i, e in sorted(self.entries.items())
                if e.kind in kinds and i not in self.reversed
                and e.kind != PAYOUT]

    def closed(self):
        return any(e.kind == SHARE_OUT and self.counts_head(e) for e in self.entries.values())

    def counts_head(self, head):
        return head.id not in self.reversed and self.keys[head.id] >= 2


def new_cycle():
    group = make_group(name=f"Savings group {next(_groups)}", kind=Group.MOTHERS_GROUP)
    for index, role in enumerate(ROLES):
        person = make_person(name=f"Mother {index}", birth_year=1990)
        GroupMember.create(group=group, person=person, role=role, joined_on=date(2026, 1, 5))
    cycle = create_cycle(group, "Cycle", date(2026, 1, 1), date(2026, 12, 31), "10", "5", "3")
    members = list(SavingsMember.select().where(SavingsMember.cycle == cycle).order_by(SavingsMember.id))
    return cycle, members


def row_counts(cycle):
    return (SavingsEntry.select().where(SavingsEntry.cycle == cycle).count(),
            SavingsApproval.select().join(SavingsEntry).where(SavingsEntry.cycle == cycle).count())


def give_key(cycle, model, entry, key_holder):
    """One officer's key, checked: refused exactly when the model says so, and then nothing saved."""
    refuse = (key_holder.id in model.key_holders.get(entry.id, ()) or model.keys[entry.id] >= 2
              or (entry.kind == LOAN and entry.member_id == key_holder.id) or model.closed())
    before_rows, before = row_counts(cycle), balances(cycle).summary()
    try:
        approve(entry, officer=key_holder)
    except SavingsError:
        event("key refused")
        assert row_counts(cycle) == before_rows and balances(cycle).summary() == before
        return
    assert not refuse, f"the key of {key_holder.id} on {entry.kind} {entry.id} should have been refused"
    event("key accepted")
    model.keys[entry.id] += 1
    model.key_holders.setdefault(entry.id, set()).add(key_holder.id)


def _plain_entry(kind, cycle, members, model, *args):
    """A deposit, social fund payment, grant, fine, income or expense: never refused."""
    show = money.major
    if kind == "deposit":
        return [record_entry(cycle, DEPOSIT, show(args[1] * cycle.share_value), TODAY, member=members[args[0]])], False
    if kind == "social":
        return [record_entry(cycle, SOCIAL_FUND, show(cycle.social_amount), TODAY, member=members[args[0]])], False
    if kind == "grant":
        return [record_entry(cycle, SOCIAL_GRANT, show(args[1]), TODAY, member=members[args[0]], note="help")], False
    if kind == "fine":
        return [record_entry(cycle, FINE, show(args[1]), TODAY, member=members[args[0]])], False
    return [record_entry(cycle, INCOME if kind == "income" else EXPENSE, show(args[0]), TODAY, note="shop")], False


def _loan(kind, cycle, members, model, *args):
    before = balances(cycle).summary()
    loan = request_loan(cycle, members[args[0]], money.major(args[1]), args[2], on_day=TODAY)
    assert balances(cycle).summary() == before  # an unapproved loan counts nowhere
    model.add(loan)
    for key_holder in args[3]:
        give_key(cycle, model, loan, members[key_holder])
    return [], False


def _approve(kind, cycle, members, model, *args):
    waiting = [e for e in model.live(LOAN, SHARE_OUT) if args[2] or model.keys[e.id] < 2]
    if waiting:
        give_key(cycle, model, waiting[args[1] % len(waiting)], members[args[0]])
    return None  # give_key checked it


def _repay(kind, cycle, members, model, *args):
    now = model.balances()
    open_loans = [loan_id for loan_id, owed in sorted(now.loans.items()) if owed > 0]
    if not open_loans:
        return None
    loan = model.entries[open_loans[args[0] % len(open_loans)]]
    amount = now.loans[loan.id] if args[1] is None else args[1]
    refuse = amount > now.loans[loan.id]
    return [record_entry(cycle, REPAYMENT, money.major(amount), TODAY, loan=loan)], refuse


def _reverse(kind, cycle, members, model, *args):
    candidates = model.live(DEPOSIT, SOCIAL_FUND, SOCIAL_GRANT, FINE, INCOME, EXPENSE, LOAN, REPAYMENT, SHARE_OUT)
    if not candidates:
        return None
    entry = candidates[args[0] % len(candidates)]
    expected = model.without(entry.id)
    reversal = reverse(entry, "mistake")
    model.reversed.add(entry.id)
    assert balances(cycle).summary() == expected.summary()  # restored exactly
    return [reversal], False


def _share_out(kind, cycle, members, model, *args):
    head = propose_share_out(cycle)
    payouts = list(SavingsEntry.select().where(SavingsEntry.ref == head))
    assert head.amount == sum(p.amount + p.profit for p in payouts)
    for entry in (head, *payouts):
        model.add(entry)
    for key_holder in args[0]:
        give_key(cycle, model, head, members[key_holder])
    return [], False


PLAYS = {"deposit": _plain_entry, "social": _plain_entry, "grant": _plain_entry, "fine": _plain_entry,
         "income": _plain_entry, "expense": _plain_entry, "loan": _loan, "approve": _approve, "repay": _repay,
         "reverse": _reverse, "share_out": _share_out}


def play(step, cycle, members, model):
    """Run one step through the service; return (entries written, must_refuse), or None when the step has
    nothing to act on (no loan to repay, say)."""
    kind, *args = step
    assert kind in PLAYS, step
    return PLAYS[kind](kind, cycle, members, model, *args)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(steps=st.lists(STEPS, min_size=5, max_size=60))
def test_ledger__reconciles_after_any_sequence_of_entries(app_context, steps):
    cycle, members = new_cycle()
    model = Model()
    for step in steps:
        before_rows, before = row_counts(cycle), balances(cycle).summary()
        was_closed = model.closed()
        try:
            played = play(step, cycle, members, model)
        except SavingsError:
            event(f"{step[0]} refused")
            assert row_counts(cycle) == before_rows, step  # nothing saved
            assert balances(cycle).summary() == before, step
            continue
        if played is not None:  # None: nothing to act on, or the keys were checked one by one
            written, must_refuse = played
            event(f"{step[0]} accepted")
            assert not must_refuse, f"{step} should have been refused"
            assert not was_closed, f"{step} was accepted in a closed cycle"
            for entry in written:
                model.add(entry)
        now = balances(cycle)
        assert now.reconciles(), step
        assert ledger.shortfalls(now) is None, step
        expected = model.balances()
        assert now.summary() == expected.summary(), step
        assert {k: v for k, v in now.savings.items() if v} == {k: v for k, v in expected.savings.items() if v}
        assert {k: v for k, v in now.loans.items()} == {k: v for k, v in expected.loans.items()}
    now = balances(cycle)
    for member in members:
        lines, mine = books.passbook(member)
        assert (mine.savings[member.id], mine.owed[member.id]) == (now.savings[member.id], now.owed[member.id])
        if lines:
            assert (lines[-1].savings, lines[-1].owed) == (now.savings[member.id], now.owed[member.id])


def test_ledger__unapproved_and_reversed_entries_count_nowhere(app_context):
    cycle, members = new_cycle()
    record_entry(cycle, DEPOSIT, "100", TODAY, member=members[3])
    start = balances(cycle).summary()
    loan = request_loan(cycle, members[3], "50", 2, on_day=TODAY)
    approve(loan, officer=members[0])
    assert balances(cycle).summary() == start
    approve(loan, officer=members[1])
    assert balances(cycle).summary() != start
    reverse(loan, "withdrawn")
    assert balances(cycle).summary() == start
