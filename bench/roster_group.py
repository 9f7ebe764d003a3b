"""`python -m bench.roster_group`: add a children's group of exactly 80 to the seeded hub, with a session today.

The demo village's children's groups have other sizes, so the roster measures bring their own group:
80 children with consent recorded and realistic names (two words, 12 to 20 characters), and a life-skills
session planned for today at 16:00, facilitated by the demo `facilitator`, whose account joins the group.
It goes through the hub's own services, as a person would, and prints `meeting_id=N` last.

Run with the virtualenv's python and COMMUNITYHUB_DATA_DIR set, before any server starts. Exit status 3
means the hub lacks what this needs (the bench then reports the roster figures as not available).
"""

import os
import random
import sys
from datetime import date, datetime, time, timedelta

CHILDREN = 80
GROUP_NAME = "Children's group of 80 (bench)"
FACILITATOR = "facilitator"
MISSING = 3  # exit status: the hub has no such service yet
FIRST_NAMES = {
    "female": ("Anjali", "Babita", "Chandni", "Farzana", "Jyotsna", "Kavita", "Lakshmi", "Madhuri", "Nasreen",
               "Parvati", "Priyanka", "Rehana", "Sangita", "Shabnam", "Sushmita", "Tahmina", "Usha", "Yasmin"),
    "male": ("Abdul", "Anirban", "Biplab", "Dinesh", "Ganesh", "Himanshu", "Jahangir", "Kamal", "Mahesh",
             "Mohammad", "Nirmal", "Pradeep", "Rajesh", "Sandeep", "Shahidul", "Subhash", "Tapan", "Vikram"),
}
SURNAMES = ("Adhikari", "Ansari", "Banerjee", "Biswas", "Chakraborty", "Choudhury", "Hossain", "Karmakar",
            "Khatun", "Mandal", "Mukherjee", "Paswan", "Rahman", "Sarkar", "Shrestha", "Yadav")
SHORTEST, LONGEST = 12, 20


def names(rng, count):
    """count (sex, name) pairs: a first name and a surname, 12 to 20 characters in all."""
    chosen = []
    while len(chosen) < count:  # about half of the pairs fit, so this ends quickly
        sex = rng.choice(sorted(FIRST_NAMES))
        name = f"{rng.choice(FIRST_NAMES[sex])} {rng.choice(SURNAMES)}"
        if SHORTEST <= len(name) <= LONGEST:
            chosen.append((sex, name))
    return chosen


def build(data_dir, seed=80):
    """Make the group, its 80 children and today's session; return the meeting id."""
    try:
        from hub.app import create_app
        from hub.auth.models import User
        from hub.db import database
        from hub.groups.models import Group
        from hub.groups.service import create_group, groups_of, set_groups_of
        from hub.people.service import create_person
        from hub.sessions.attendance import roster_of
        from hub.sessions.service import MeetingPlan, create_meeting
    except ImportError as error:
        print(f"the hub lacks {error.name}: {error}", file=sys.stderr)
        sys.exit(MISSING)

    rng = random.Random(seed)
    app = create_app({"DATA_DIR": data_dir})
    with app.app_context(), database.connection_context():
        today = date.today()
        facilitator = User.get(User.username == FACILITATOR)
        group = create_group(GROUP_NAME, Group.CHILDRENS_GROUP, "80 children, for the roster benchmarks.")
        set_groups_of(facilitator, [known.id for known in groups_of(facilitator)] + [group.id])
        since = today - timedelta(days=60)
        for sex, name in names(rng, CHILDREN):
            create_person(name, sex, birth_year=today.year - rng.randint(9, 15), consent_by="mother",
                          consent_on=since, group=group, joined_on=since, save_anyway=True)
        plan = MeetingPlan(kind="life_skills", starts_at=datetime.combine(today, time(16, 0)),
                           facilitator_ids=(facilitator.id,))
        meeting = create_meeting(group, plan, facilitator, today)
        on_roster = len(roster_of(meeting))
        if on_roster != CHILDREN:
            raise SystemExit(f"the session's roster has {on_roster} people, not {CHILDREN}")
        return meeting.id


def main():
    data_dir = os.environ.get("COMMUNITYHUB_DATA_DIR")
    if not data_dir:
        raise SystemExit("set COMMUNITYHUB_DATA_DIR to the seeded hub's data folder")
    print(f"meeting_id={build(data_dir)}", flush=True)


if __name__ == "__main__":
    main()
