"""Recording in the ledger: a member's or the group's entry (savings, social fund, fines, repayments,
business income and expenses) and a loan request, each checked whole before anything is written."""

from flask_babel import gettext as _

from hub import clock
from hub.audit.service import record
from hub.db import database
from hub.savings import ledger, money, plausible
from hub.savings.cycles import check_still_in_group, get_member
from hub.savings.models import (
    DEPOSIT,
    EXPENSE,
    INCOME,
    LOAN,
    REPAYMENT,
    SOCIAL_GRANT,
    SavingsCycle,
    SavingsEntry,
    SavingsMember,
)
from hub.savings.service import (
    GROUP_KINDS,
    MAX_MONTHS,
    RECORDED_KINDS,
    SavingsError,
    balances,
    check_balances,
    check_day,
    check_open,
    clean_text,
    counts,
    loan_outstanding,
    parse_amount,
    parse_rate,
    write_entry,
)
from hub.validation import Problems


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
    amount = problems.check(parse_amount, amount, "amount")
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
    limit = parse_amount(amount, "plausible_max") if (amount or "").strip() else None
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
    amount = parse_amount(text, "amount")
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
        problems.check(check_still_in_group, member)
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
