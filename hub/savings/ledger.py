"""The ledger's arithmetic: which entries count, and every balance as a sum of their effects.

Each kind of entry moves the same amount on both sides of one identity, so the books balance by
construction:

    cash + loans outstanding == members' savings + social fund + group fund

(the group fund holds fines, interest and the business's result; a payout at the share-out hands members
their savings and their part of the fund). An entry counts unless it is a reversal or has been reversed;
a loan or a share-out counts only with two approvals. Everything here but `counted_totals` is pure.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from hub.db import database
from hub.savings.models import (
    DEPOSIT,
    EXPENSE,
    FINE,
    INCOME,
    LOAN,
    PAYOUT,
    REPAYMENT,
    SOCIAL_FUND,
    SOCIAL_GRANT,
)

KEYS_NEEDED = 2

# One row per (kind, member, loan): the sums of the entries that count. A loan's row is keyed by its own id,
# a repayment's by its loan's: so a loan's outstanding amount is a sum too.
COUNTED_TOTALS = """
SELECT e.kind, e.member_id,
       CASE e.kind WHEN 'loan' THEN e.id WHEN 'repayment' THEN e.ref_id END AS loan_id,
       SUM(e.amount), SUM(e.interest), SUM(e.profit)
FROM savings_entry e
WHERE e.cycle_id = :cycle AND e.kind NOT IN ('reversal', 'share_out')
  AND (:until IS NULL OR e.on_day <= :until)
  AND NOT EXISTS (SELECT 1 FROM savings_entry r WHERE r.reverses_id = e.id
                  AND (:until IS NULL OR r.on_day <= :until))
  AND (e.kind != 'loan'
       OR (SELECT COUNT(*) FROM savings_approval a WHERE a.entry_id = e.id) >= 2)
  AND (e.kind != 'payout'
       OR ((SELECT COUNT(*) FROM savings_approval a WHERE a.entry_id = e.ref_id) >= 2
           AND NOT EXISTS (SELECT 1 FROM savings_entry r WHERE r.reverses_id = e.ref_id
                           AND (:until IS NULL OR r.on_day <= :until))))
GROUP BY 1, 2, 3
"""


@dataclass
class Balances:
    """A cycle's balances: the group's pots and, per member id, her savings and what she owes."""

    cash: int = 0
    social: int = 0       # the social fund: contributions less grants
    fund: int = 0         # the group fund: fines, interest charged, business result, less profit paid out
    business: int = 0     # the group business (a shared shop): income less expenses, part of the fund
    interest: int = 0     # interest charged on loans that count
    savings: dict = field(default_factory=lambda: defaultdict(int))      # member id -> shares saved
    owed: dict = field(default_factory=lambda: defaultdict(int))         # member id -> loans outstanding
    loans: dict = field(default_factory=lambda: defaultdict(int))        # loan id -> outstanding
    fines: dict = field(default_factory=lambda: defaultdict(int))        # member id -> fines paid
    social_paid: dict = field(default_factory=lambda: defaultdict(int))  # member id -> social fund paid
    grants: dict = field(default_factory=lambda: defaultdict(int))       # member id -> social fund received
    paid_out: dict = field(default_factory=lambda: defaultdict(int))     # member id -> share-out received

    @property
    def total_savings(self):
        return sum(self.savings.values())

    @property
    def total_owed(self):
        return sum(self.owed.values())

    def reconciles(self):
        """True when the books balance: cash and loans out equal what the group holds for its members."""
        return self.cash + self.total_owed == self.total_savings + self.social + self.fund

    def summary(self):
        """The group totals, for comparing two moments of a cycle."""
        return (self.cash, self.social, self.fund, self.business, self.total_savings, self.total_owed)


def apply(balances, kind, member, loan, amount, interest=0, profit=0):
    """Add the effect of counted entries (of one kind, member and loan, summed) to balances."""
    b = balances
    if kind == DEPOSIT:
        b.cash += amount
        b.savings[member] += amount
    elif kind == SOCIAL_FUND:
        b.cash += amount
        b.social += amount
        b.social_paid[member] += amount
    elif kind == SOCIAL_GRANT:
        b.cash -= amount
        b.social -= amount
        b.grants[member] += amount
    elif kind == FINE:
        b.cash += amount
        b.fund += amount
        b.fines[member] += amount
    elif kind == LOAN:
        b.cash -= amount
        b.owed[member] += amount + interest
        b.loans[loan] += amount + interest
        b.fund += interest
        b.interest += interest
    elif kind == REPAYMENT:
        b.cash += amount
        b.owed[member] -= amount
        b.loans[loan] -= amount
    elif kind == INCOME:
        b.cash += amount
        b.fund += amount
        b.business += amount
    elif kind == EXPENSE:
        b.cash -= amount
        b.fund -= amount
        b.business -= amount
    elif kind == PAYOUT:
        b.cash -= amount + profit
        b.savings[member] -= amount
        b.fund -= profit
        b.paid_out[member] += amount + profit
    return b


def tally(rows):
    """Balances from (kind, member_id, loan_id, amount, interest, profit) rows of counted entries."""
    balances = Balances()
    for kind, member, loan, amount, interest, profit in rows:
        apply(balances, kind, member, loan, amount, interest or 0, profit or 0)
    return balances


def counted_totals(cycle_id, until=None):
    """The rows `tally` sums, for one cycle, read from the database; with until (a date), only the entries
    and reversals dated by the end of that day (an approval is a condition on its entry, not a dated event)."""
    day = until.isoformat() if until is not None else None
    return database.execute_sql(COUNTED_TOTALS, {"cycle": cycle_id, "until": day}).fetchall()


def balances_of(cycle_id, until=None):
    """The cycle's balances as the ledger stands (or as it stood at the end of the day until)."""
    return tally(counted_totals(cycle_id, until))


def shortfalls(balances):
    """What the rules forbid in balances: "cash", "social", "savings" or "loan" below zero (first found)."""
    if balances.cash < 0:
        return "cash"
    if balances.social < 0:
        return "social"
    if any(value < 0 for value in balances.savings.values()):
        return "savings"
    if any(value < 0 for value in balances.loans.values()):
        return "loan"
    return None


def interest_on(amount, rate_bp, months):
    """Flat interest on a loan: rate_bp hundredths of a percent of the amount each month, rounded half up."""
    return (amount * rate_bp * months + 5000) // 10000


def add_months(day, months):
    """The same day of the month, months later (the month's last day when it is shorter)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule(on_day, total, months):
    """[(due day, amount)]: equal monthly instalments from a month after on_day, the remainder in the last."""
    part = total // months
    return [(add_months(on_day, index), part if index < months else total - part * (months - 1))
            for index in range(1, months + 1)]


def overdue(on_day, total, months, repaid, today):
    """How much of a loan's instalments due by today is not repaid (0 when up to date)."""
    due = sum(amount for day, amount in schedule(on_day, total, months) if day <= today)
    return max(0, due - repaid)


def split(savings, fund):
    """The share-out: {member: (savings returned, part of the fund)}, the fund shared in proportion to savings.

    Largest remainder: each part is first rounded down, then the minor units that leaves over go one each to
    the members with the largest remainders (the first listed on a tie), so the parts add up to the fund
    exactly: nothing is left in a closed cycle and no total shows a stray paisa.

    >>> split({1: 100, 2: 100, 3: 100}, 1000)
    {1: (100, 334), 2: (100, 333), 3: (100, 333)}
    """
    holders = [(member, value) for member, value in sorted(savings.items()) if value > 0]
    total = sum(value for _member, value in holders)
    if total <= 0:
        return {}
    parts = {member: fund * value // total for member, value in holders}
    left = fund - sum(parts.values())  # from 0 to len(holders) - 1, a loss included (floor division)
    by_remainder = sorted(holders, key=lambda holder: (-(fund * holder[1] % total), holder[0]))
    for member, _value in by_remainder[:left]:
        parts[member] += 1
    return {member: (value, parts[member]) for member, value in holders}
