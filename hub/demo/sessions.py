"""Demo sessions: a weekly life-skills session per children's group, the adult groups' meetings, volunteer
trainings and awareness events, over the years asked for, with realistic attendance; and the next ones."""

from datetime import datetime, time, timedelta

from hub import clock
from hub.auth.models import User
from hub.curriculum.models import Topic
from hub.curriculum.service import record_training
from hub.groups.models import Group
from hub.people.models import AGE_BANDS
from hub.sessions.attendance import roster_of, save_roster
from hub.sessions.models import Meeting
from hub.sessions.service import MeetingPlan, create_meeting

# (group kind, meeting kind, every how many days)
SCHEDULE = (
    (Group.CHILDRENS_GROUP, Meeting.LIFE_SKILLS, 7),
    (Group.MOTHERS_GROUP, Meeting.PARENT_MEETING, 28),
    (Group.CARE_GROUP, Meeting.GROUP_MEETING, 28),
    (Group.VIGILANCE_COMMITTEE, Meeting.COMMITTEE_MEETING, 56),
    (Group.SCHOOL_COMMITTEE, Meeting.COMMITTEE_MEETING, 56),
    (Group.YOUTH_FORUM, Meeting.VOLUNTEER_TRAINING, 91),
    (Group.CARE_GROUP, Meeting.AWARENESS_EVENT, 182),
)
PLACES = ("School verandah", "Community hall", "Temple yard", "Anganwadi centre", "Panchayat office")
UNTRAINED = "substance_abuse"  # the demo facilitator is not trained on it yet: the page warns


def _start(day):
    return datetime.combine(day, time(16, 0))


def add_sessions(build):
    rng, today = build.rng, clock.today()
    facilitator = User.get(User.username == "facilitator")
    coordinator = User.get(User.username == "coordinator")
    topics = list(Topic.select().where(~Topic.archived & Topic.code.is_null(False)).order_by(Topic.position))
    first_day = today - timedelta(days=365 * build.years)
    record_training(facilitator, [topic for topic in topics if topic.code != UNTRAINED], first_day)
    propensity = {}
    for group_kind, kind, every in SCHEDULE:
        for group in (g for g in build.groups if g.kind == group_kind):
            runner = facilitator if group_kind == Group.CHILDRENS_GROUP else coordinator
            roster = None
            day, turn = first_day + timedelta(days=rng.randrange(every)), 0
            while day < today:
                taught = kind in (Meeting.LIFE_SKILLS, Meeting.VOLUNTEER_TRAINING)
                topic = [topics[turn % len(topics)]] if taught else []
                meeting = create_meeting(group, MeetingPlan(kind, _start(day), Meeting.PLANNED, rng.choice(PLACES),
                                                            topic_ids=tuple(t.id for t in topic),
                                                            facilitator_ids=(runner.id,)), runner, today)
                roster = roster if roster is not None else roster_of(meeting)
                present = [person.id for person in roster if rng.random() < propensity.setdefault(
                    person.id, rng.uniform(0.55, 0.97)) * (0.8 if day.month in (6, 7) else 1.0)]
                guests = {}
                if kind == Meeting.AWARENESS_EVENT:
                    guests = {(rng.choice(("female", "male")), rng.choice(AGE_BANDS)): rng.randint(3, 20)
                              for _ in range(4)}
                save_roster(meeting, present, guests, today)
                day += timedelta(days=every)
                turn += 1
            if group_kind == Group.CHILDRENS_GROUP:  # the next two sessions, the first of them today
                for ahead in (0, 7):
                    create_meeting(group, MeetingPlan(Meeting.LIFE_SKILLS, _start(today + timedelta(days=ahead)),
                                                      Meeting.PLANNED, rng.choice(PLACES),
                                                      topic_ids=(topics[(turn + ahead // 7) % len(topics)].id,),
                                                      facilitator_ids=(facilitator.id,)), facilitator, today)
