"""Rules of the savings ledger every change shares: the kinds of entry, what typed amounts, rates, days and
notes must be, and the ledger's state (balances, the share-out, approvals, corrections), which every change
is checked against before it is committed: a change that would leave a balance below zero where the rules
forbid it is refused and nothing is saved.

The writers of the savings tables, each change audited in the same transaction: hub.savings.cycles (cycles
and their members), hub.savings.entries (entries and loan requests), hub.savings.meetings (meeting sheets)
and hub.savings.keys (the two keys, corrections, the share-out). Who may see and keep a cycle:
hub.savings.standing.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import fn

from hub import clock
from hub.i18n import when
from hub.savings import ledger, money
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
    SavingsEntry,
)
from hub.validation import FieldError

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


# --- what is typed -----------------------------------------------------------------------------------------


def clean_text(value, field, limit=MAX_NOTE, required=False):
    """Typed text with its spaces tidied, or SavingsError when missing (if required) or too long."""
    value = " ".join((value or "").split())
    if required and not value:
        raise SavingsError(_("Please fill this in."), field)
    if len(value) > limit:
        raise SavingsError(_("Please use at most %(count)d characters.", count=limit), field)
    return value


def parse_amount(text, field):
    """An amount in the smallest unit from typed text, or SavingsError naming field."""
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
