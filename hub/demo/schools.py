"""Demo school status: the children the people step left out of school (about eight in a village of 120), each
with a reason and outreach visits, three of them back in school; and the school management committee's pupils.
Each record, visit and return is made through hub.schools.service with the hub's clock set to its day."""

from datetime import date, datetime, time, timedelta

from hub import clock
from hub.auth.models import User
from hub.demo.cases import _clock_at
from hub.demo.people import _name
from hub.groups.models import Group
from hub.people.models import OUT_OF_SCHOOL, GroupMember
from hub.people.service import add_member
from hub.schools.models import (
    CARING,
    COST,
    DISTANCE,
    ILLNESS,
    MARRIAGE,
    MIGRATION,
    NOT_INTERESTED,
    OTHER,
    WORK,
)
from hub.schools.service import add_visit, record_dropout, reenrol

MINIMUM, REENROLLED, OTHER_PUPILS = 8, 3, 30
REASONS = (WORK, WORK, WORK, CARING, CARING, COST, MIGRATION, MARRIAGE, DISTANCE, ILLNESS, NOT_INTERESTED, OTHER)
DETAILS = "Helps at the family's tea stall in the mornings."
SCHOOLS = ("Government primary school", "Government high school")
RESULTS = (
    ("Met the mother: the child works with the father in the fields.", "Talk to the father on market day."),
    ("The family needs the money; told them about the scholarship.", "Help the family apply for the scholarship."),
    ("The child was at home and said school is boring.", "Ask the teacher to visit with the child captain."),
    ("Nobody at home.", "Go again in the evening."),
    ("The grandmother agreed the child should go back after the harvest.", "Visit again after the harvest."),
)


def _at(today, days_ago):
    return datetime.combine(today - timedelta(days=days_ago), time(11, 0))


def add_school_status(build):
    """Records of the children out of school, visits and re-enrolments; the committee's pupils."""
    rng, today = build.rng, clock.today()
    users = {user.username: user for user in User.select().where(User.username.in_(("coordinator", "facilitator")))}
    children = sorted((child for group in build.children_by_group.values() for child in group),
                      key=lambda child: child.id)
    out = [child for child in children if child.school_status == OUT_OF_SCHOOL]
    others = [child for child in children if child.school_status != OUT_OF_SCHOOL]
    while len(out) < MINIMUM and others:
        out.append(others.pop(rng.randrange(len(others))))
    records = []
    for child in out:
        # The facilitator records the children of her groups; a child without consent only the coordinator sees.
        user = users["facilitator"] if child.has_consent else users["coordinator"]
        days_ago, reason = rng.randint(40, 300), rng.choice(REASONS)
        with _clock_at(_at(today, days_ago - 5)):
            dropout = record_dropout(user, child.id, today - timedelta(days=days_ago), reason,
                                     details=DETAILS if reason == OTHER or rng.random() < 0.3 else "",
                                     school=rng.choice(SCHOOLS))
        visit_day = days_ago - 5
        for _ in range(rng.randint(1, 3)):
            visit_day -= rng.randint(7, 30)
            if visit_day < 1:
                break
            result, next_step = rng.choice(RESULTS)
            with _clock_at(_at(today, visit_day)):
                add_visit(user, dropout, clock.today(), f"{_name(rng, build.country, 'female')}, "
                          f"{_name(rng, build.country, 'male')}", result, next_step)
        records.append((dropout, user, visit_day))
    for dropout, user, visit_day in rng.sample(records, min(REENROLLED, len(records))):
        back_day = max(visit_day - rng.randint(3, 20), 0)
        with _clock_at(_at(today, back_day)):
            reenrol(user, dropout, clock.today(), dropout.school or SCHOOLS[0])
    committee = next(group for group in build.groups if group.kind == Group.SCHOOL_COMMITTEE)
    pupils = out + rng.sample(others, min(OTHER_PUPILS, len(others)))
    for child in sorted(pupils, key=lambda child: child.id):
        add_member(committee, child, GroupMember.MEMBER, date(today.year - 1, 1, 15))
