"""`python -m bench.savings_group`: add a savings group of 30 with three years of weekly meetings to the seeded hub.

Issue 6 budgets a member's passbook and the group ledger "for 3 years of weekly meetings of 30 members". The
demo's mothers' group has another size and half a year, so the bench brings its own: 30 members with consent
recorded, 156 weekly meetings (roll call, 1 to 5 shares and the social fund each), a loan every four weeks
approved by two officers and repaid in three monthly instalments, a fine now and then, and the shop's stock
and takings. The demo account `member` joins the group and is its treasurer, so it reads every page.
It goes through the hub's own services and prints `cycle_id=N member_id=M` last (M: the member's own).

Run with the virtualenv's python and COMMUNITYHUB_DATA_DIR set, before any server starts. Exit status 3
means the hub lacks what this needs (the bench then reports the savings figures as not available).
"""

import os
import random
import sys
from datetime import date, timedelta

MEMBERS = 30
WEEKS = 3 * 52
GROUP_NAME = "Mothers' savings group of 30 (bench)"
USERNAME = "member"
MISSING = 3  # exit status: the hub has no such service yet


def build(data_dir, seed=30):
    """Make the group, its members, the cycle and its three years; return (cycle id, the member's own id)."""
    try:
        from hub.app import create_app
        from hub.auth.models import User
        from hub.db import database
        from hub.groups.models import Group
        from hub.groups.service import create_group, groups_of, set_groups_of
        from hub.people.service import create_person
        from hub.savings import money
        from hub.savings.cycles import create_cycle, link_account, members_of
        from hub.savings.entries import record_entry, request_loan
        from hub.savings.keys import approve
        from hub.savings.ledger import schedule
        from hub.savings.meetings import Line, record_meeting
    except ImportError as error:
        print(f"the hub lacks {error.name}: {error}", file=sys.stderr)
        sys.exit(MISSING)

    rng = random.Random(seed)
    app = create_app({"DATA_DIR": data_dir})
    with app.app_context(), database.connection_context():
        today = date.today()
        start = today - timedelta(weeks=WEEKS - 1)
        account = User.get(User.username == USERNAME)
        with database.atomic():
            group = create_group(GROUP_NAME, Group.MOTHERS_GROUP, "30 members, for the savings benchmarks.")
            set_groups_of(account, [known.id for known in groups_of(account)] + [group.id])
            roles = ("treasurer", "chair", "secretary")
            for index in range(MEMBERS):
                create_person(f"Saver {index + 1:02d} Benchmark", "female", birth_year=today.year - rng.randint(22, 55),
                              consent_by="herself", consent_on=start, group=group, joined_on=start,
                              role=roles[index] if index < len(roles) else "member", save_anyway=True)
            cycle = create_cycle(group, "Three years of savings", start, today + timedelta(weeks=4), "50", "10",
                                 "2")
        members = members_of(cycle)
        by_name = {member.person.name: member for member in members}
        treasurer, chair = by_name["Saver 01 Benchmark"], by_name["Saver 02 Benchmark"]
        link_account(cycle, treasurer, account)
        borrowers = [member for member in members if member not in (treasurer, chair)]
        loans = []
        for week in range(WEEKS):
            day = start + timedelta(weeks=week)
            with database.atomic():
                lines = [Line(member.id, present, str(rng.randint(1, 5)) if present else "", present)
                         for member in members for present in (rng.random() < 0.92,)]
                meeting = record_meeting(cycle, day, lines)
                if week % 4 == 2:
                    loan = request_loan(cycle, rng.choice(borrowers), str(rng.randrange(1000, 4000, 100)), 3,
                                        on_day=day)
                    approve(loan, officer=chair)
                    approve(loan, user=account)
                    loans.append(loan)
                for loan in loans[-4:]:
                    for due, amount in schedule(loan.on_day, loan.amount + loan.interest, loan.months):
                        if day - timedelta(days=6) <= due <= day:
                            record_entry(cycle, "repayment", money.major(amount), day, loan=loan, meeting=meeting)
                if week % 9 == 4:
                    record_entry(cycle, "fine", "10", day, member=rng.choice(members), note="Late")
                if week % 4 == 1:
                    record_entry(cycle, "expense", "1000", day, note="Stock for the shop")
                if week % 4 == 3:
                    record_entry(cycle, "income", "1250", day, note="Takings of the shop")
        return cycle.id, treasurer.id


def main():
    data_dir = os.environ.get("COMMUNITYHUB_DATA_DIR")
    if not data_dir:
        raise SystemExit("set COMMUNITYHUB_DATA_DIR to the seeded hub's data folder")
    cycle_id, member_id = build(data_dir)
    print(f"cycle_id={cycle_id} member_id={member_id}", flush=True)


if __name__ == "__main__":
    main()
