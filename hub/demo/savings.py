"""Demo savings: thirty weeks of the mothers' group's savings cycle, written through the savings services.

Weekly meetings with the roll call, shares and the social fund; four loans approved by two officers and
repaid month by month; a fine, a correction, a social fund grant, and the shared shop's stock and takings.
The demo accounts "member" and "officer" are the group's first two officers with consent recorded (the
treasurer first): each is renamed to her member's name, so "My passbook" is her own, and together they give
the two keys a loan needs, so a newcomer can walk the whole approval with the two demo logins.
"""

from datetime import timedelta

from hub import clock
from hub.auth.models import User
from hub.auth.service import update_user
from hub.groups.models import Group
from hub.savings import money
from hub.savings.cycles import create_cycle, link_account, members_of
from hub.savings.entries import record_entry, request_loan
from hub.savings.keys import approve, reverse
from hub.savings.ledger import schedule
from hub.savings.meetings import Line, record_meeting
from hub.savings.models import EXPENSE, FINE, INCOME, REPAYMENT, SOCIAL_GRANT
from hub.savings.standing import is_officer

WEEKS = 30
# share value and social fund per meeting, loan sizes: in the village's currency
AMOUNTS = {"PE": ("5", "1", ("300", "400", "250", "500"))}
DEFAULT_AMOUNTS = ("50", "10", ("3000", "4000", "2500", "5000"))
LOAN_WEEKS = (6, 10, 15, 21)


def add_savings(build):
    rng, today = build.rng, clock.today()
    group = next(group for group in build.groups if group.kind == Group.MOTHERS_GROUP)
    share, social, loan_sizes = AMOUNTS.get(build.country, DEFAULT_AMOUNTS)
    start = today - timedelta(weeks=WEEKS - 1)
    cycle = create_cycle(group, f"Savings {start.year}", start, start + timedelta(weeks=52), share, social, "2")
    members = members_of(cycle)
    officers = [member for member in members if is_officer(member)]
    if len(officers) < 2:
        return  # no two keys to give (a seed where the officers gave no consent): the cycle stays empty
    keys = [_link_demo_account(cycle, officers[0], "member"), _link_demo_account(cycle, officers[1], "officer")]
    borrowers = [member for member in members if member not in officers]
    rng.shuffle(borrowers)
    loans = []
    for week in range(WEEKS):
        day = start + timedelta(weeks=week)
        lines = []
        for member in members:
            present = rng.random() < 0.9
            lines.append(Line(member.id, present, str(rng.randint(1, 5)) if present else "", present))
        meeting = record_meeting(cycle, day, lines)
        if week == 3:
            late = rng.choice(borrowers)
            record_entry(cycle, FINE, social, day, member=late, note="Late to the meeting", meeting=meeting)
            twice = record_entry(cycle, FINE, social, day, member=late, note="Late to the meeting")
            reverse(twice, "Entered twice")
        if week in LOAN_WEEKS and borrowers:
            loans.append(_lend(cycle, borrowers.pop(), loan_sizes[len(loans)], day, keys, rng))
        for number, loan in enumerate(loans):  # each instalment paid at the first meeting on or after its day
            for index, (due, amount) in enumerate(schedule(loan.on_day, loan.amount + loan.interest, loan.months)):
                behind = number == 2 and index > 0  # the third borrower stopped paying: her loan is overdue
                if day - timedelta(days=6) <= due <= day and not behind:
                    record_entry(cycle, REPAYMENT, money.major(amount), day, loan=loan, meeting=meeting)
        if week == 12:
            record_entry(cycle, SOCIAL_GRANT, str(int(social) * 20), day, member=rng.choice(members),
                         note="Medicine for her child", meeting=meeting)
        if week % 4 == 1:
            record_entry(cycle, EXPENSE, str(int(share) * 20), day, note="Stock for the shop: rice, oil, soap")
        if week % 4 == 3:
            record_entry(cycle, INCOME, str(int(share) * 25), day, note="Takings of the shop")


def _link_demo_account(cycle, officer, username):
    """Make the demo account username this officer: linked to her, and named as she is in the register."""
    account = User.get(User.username == username)
    update_user(account, officer.person.name, account.role, account.language)
    link_account(cycle, officer, account)
    return account


def _lend(cycle, borrower, amount, day, keys, rng):
    """A loan to borrower, approved with the two demo officers' keys."""
    loan = request_loan(cycle, borrower, amount, 3, on_day=day,
                        note=rng.choice(("A goat", "Seeds and fertiliser", "School fees", "A sewing machine")))
    for account in keys:
        approve(loan, user=account)
    return loan
