"""Demo migration register: ten departures kept by the demo vigilance committee over the last year, some of
children, some overdue, some back. Each entry, call and return is made through hub.migration.service with the
hub's clock set to its day, as the committee would have made it."""

from datetime import datetime, time, timedelta

from hub import clock
from hub.auth.models import User
from hub.demo.cases import _clock_at
from hub.demo.people import HAMLETS, _name
from hub.groups.models import AccountGroup, Group
from hub.migration.models import EDUCATION, MARRIAGE, OTHER, WORK
from hub.migration.service import Entry, add_call, create_departure, record_return

DESTINATIONS = {
    "IN": ("Delhi", "Surat", "Mumbai", "Kolkata", "Bengaluru", "Ludhiana", "Tiruppur"),
    "BD": ("Dhaka", "Chattogram", "Narayanganj", "Gazipur", "Kolkata", "Dubai"),
    "NP": ("Kathmandu", "Pokhara", "Delhi", "Doha", "Kuala Lumpur"),
    "PE": ("Lima", "Ica", "Arequipa", "Madre de Dios", "Cusco"),
}
AGENTS = ("A labour contractor from the district town", "A cousin already working there", "The brick kiln's agent",
          "A garment factory broker", "")
# (days ago they left, age or None for a child of the register, purpose, days until the expected return or None,
#  days after leaving they came back or None, days after leaving of each follow-up call)
DEPARTURES = (
    (365, 45, WORK, 300, 310, (30, 150)),
    (300, 22, EDUCATION, 240, 250, (60,)),
    (200, 34, WORK, 180, None, (20, 100, 185)),          # overdue
    (150, 40, WORK, 90, None, (30, 95, 120)),            # overdue
    (120, None, WORK, 60, 100, (14, 62)),                # a child: overdue, then back
    (90, 28, WORK, 150, None, (40,)),
    (60, None, WORK, 120, None, (10, 45)),               # a child at a brick kiln
    (45, 19, WORK, 200, None, ()),
    (30, 16, MARRIAGE, None, None, (7,)),                # a girl married away
    (20, 31, OTHER, 30, None, ()),
)
RESULTS = ("Spoke with them: they are well and sending money home.",
           "No answer; the family says the phone is often off at the work site.",
           "Spoke with the employer's supervisor: wages are paid late. Asked the family to stay in touch.",
           "Their mother called them: they plan to come back after the harvest.")


def _at(today, days_ago):
    return datetime.combine(today - timedelta(days=days_ago), time(10, 0))


def add_departures(build):
    """Departures, calls and returns in the demo vigilance committee's register."""
    rng, today = build.rng, clock.today()
    committee = next(group for group in build.groups if group.kind == Group.VIGILANCE_COMMITTEE)
    caseworker = User.get(User.username == "caseworker")  # she may name a child of the register
    keeper = User.select().join(AccountGroup).where(AccountGroup.group == committee).first() or caseworker
    children = sorted((child for group in build.children_by_group.values() for child in group
                       if child.has_consent and 14 <= today.year - child.birth_year <= 16), key=lambda c: c.id)
    destinations = DESTINATIONS.get(build.country, DESTINATIONS["IN"])
    for days_ago, age, purpose, expected, back, calls in DEPARTURES:
        left_on = today - timedelta(days=days_ago)
        person = children.pop(rng.randrange(len(children))) if age is None and children else None
        if age is None and person is None:
            age = 15  # the register has no child of that age: the committee writes the age
        sex = "female" if purpose == MARRIAGE else rng.choice(("female", "male"))
        entry = Entry(committee_id=committee.id, left_on=left_on, destination=rng.choice(destinations),
                      purpose=purpose, person_id=person.id if person else None,
                      name="" if person else _name(rng, build.country, sex), age=None if person else age,
                      hamlet="" if person else rng.choice(HAMLETS), agent=rng.choice(AGENTS),
                      expected_return=left_on + timedelta(days=expected) if expected else None,
                      contact=f"9{rng.randrange(10**8, 10**9)}" if rng.random() < 0.7 else "")
        with _clock_at(_at(today, days_ago)):
            departure = create_departure(entry, caseworker if person else keeper)
        for after in calls:
            with _clock_at(_at(today, days_ago - after)):
                add_call(departure, clock.today(), rng.choice(RESULTS), keeper)
        if back is not None:
            with _clock_at(_at(today, days_ago - back)):
                record_return(departure, clock.today(), keeper)
