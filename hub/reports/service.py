"""Questions people ask of the sessions they ran: one function per question, each returning plain data.

Rates count held sessions only, and only people on the roster (attendance rows); unnamed guests are not
in a rate, since nobody is expected to come back.
"""

from collections import defaultdict
from dataclasses import dataclass

from peewee import JOIN, fn

from hub.curriculum.models import Topic
from hub.people.models import GroupMember, Person
from hub.sessions.models import Attendance, GroupMonth, Meeting, MeetingFacilitator, MeetingTopic


@dataclass(frozen=True)
class MonthRate:
    month: str        # "YYYY-MM"
    present: int
    expected: int     # everyone on the rosters of the month's held sessions

    @property
    def rate(self):
        return self.present / self.expected if self.expected else None


def months_back(today, count):
    """["YYYY-MM", ...] for the count months ending with today's, oldest first."""
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def attendance_by_month(group, today, months=12):
    """The group's attendance rate per month over the last `months` months (kept per month: GroupMonth).

    >>> attendance_by_month(group, datetime.date(2026, 11, 21), 3)
    [MonthRate("2026-09", 41, 50), MonthRate("2026-10", 0, 0), MonthRate("2026-11", 18, 20)]
    """
    wanted = months_back(today, months)
    found = {month: (present, expected) for month, present, expected in
             GroupMonth.select(GroupMonth.month, GroupMonth.present, GroupMonth.expected)
             .where((GroupMonth.group == group) & GroupMonth.month.between(wanted[0], wanted[-1])).tuples()}
    return [MonthRate(month, *found.get(month, (0, 0))) for month in wanted]


def overall_rate(group):
    """(present, expected) over every held session of the group."""
    row = (GroupMonth.select(fn.SUM(GroupMonth.present), fn.SUM(GroupMonth.expected))
           .where(GroupMonth.group == group).scalar(as_tuple=True))
    return int(row[0] or 0), int(row[1] or 0)


@dataclass(frozen=True)
class Missed:
    topic: Topic
    people: list      # Person rows who were at none of the group's held sessions on this topic


def catch_up(group, viewer_is_coordinator=False):
    """For each topic the group has covered, the current members who missed every session on it.

    >>> catch_up(youth_forum)
    [Missed(topic=<trafficking>, people=[<Anita>, <Babu>]), ...]
    """
    members = (Person.select().join(GroupMember)
               .where((GroupMember.group == group) & GroupMember.left_on.is_null() & ~Person.archived))
    if not viewer_is_coordinator:
        members = members.where(Person.consent_by != "")
    members = list(members.order_by(Person.name))
    held = Meeting.select(Meeting.id).where((Meeting.group == group) & (Meeting.status == Meeting.HELD))
    covered = (MeetingTopic.select(MeetingTopic.topic, MeetingTopic.meeting)
               .where(MeetingTopic.meeting.in_(held)))
    meetings_by_topic = defaultdict(set)
    for link in covered:
        meetings_by_topic[link.topic_id].add(link.meeting_id)
    present = defaultdict(set)  # person id -> meeting ids attended
    for row in (Attendance.select(Attendance.person, Attendance.meeting)
                .where(Attendance.meeting.in_(held) & (Attendance.status == Attendance.PRESENT))):
        present[row.person_id].add(row.meeting_id)
    topics = {topic.id: topic for topic in Topic.select().where(Topic.id.in_(list(meetings_by_topic)))}
    result = []
    for topic_id in sorted(topics, key=lambda tid: (topics[tid].position, tid)):
        missed = [person for person in members if not present[person.id] & meetings_by_topic[topic_id]]
        if missed:
            result.append(Missed(topics[topic_id], missed))
    return result


@dataclass(frozen=True)
class PersonHistory:
    attended: list    # held Meetings the person was present at, newest first
    topics: list      # Topics of those sessions, in curriculum order
    present: int
    expected: int


def person_history(person):
    """The sessions a person attended and the topics they have covered."""
    rows = list(Attendance.select(Attendance, Meeting).join(Meeting)
                .where((Attendance.person == person) & (Meeting.status == Meeting.HELD))
                .order_by(Meeting.starts_at.desc()))
    attended = [row.meeting for row in rows if row.status == Attendance.PRESENT]
    topics = list(Topic.select().join(MeetingTopic).where(MeetingTopic.meeting.in_([m.id for m in attended]))
                  .distinct().order_by(Topic.position, Topic.id)) if attended else []
    return PersonHistory(attended, topics, len(attended), len(rows))


@dataclass(frozen=True)
class FacilitatorRecord:
    held: int
    planned: int
    present: int      # attendances at the sessions they facilitated
    expected: int
    by_kind: dict     # kind -> held sessions
    topics: list      # (Topic, times delivered), most delivered first


def facilitator_record(user, today):
    """What a facilitator has done: sessions held and planned, attendance at them, topics delivered."""
    mine = Meeting.select(Meeting.id).join(MeetingFacilitator).where(MeetingFacilitator.user == user)
    meetings = list(Meeting.select().where(Meeting.id.in_(mine)))
    held = [m for m in meetings if m.status == Meeting.HELD]
    planned = [m for m in meetings if m.status == Meeting.PLANNED and m.starts_at.date() >= today]
    by_kind = defaultdict(int)
    for meeting in held:
        by_kind[meeting.kind] += 1
    present, expected = 0, 0
    if held:
        row = (Attendance.select(fn.SUM(Attendance.status == Attendance.PRESENT), fn.COUNT(Attendance.id))
               .where(Attendance.meeting.in_([m.id for m in held])).scalar(as_tuple=True))
        present, expected = int(row[0] or 0), int(row[1] or 0)
    delivered = (Topic.select(Topic, fn.COUNT(MeetingTopic.id).alias("times"))
                 .join(MeetingTopic, JOIN.INNER)
                 .where(MeetingTopic.meeting.in_([m.id for m in held]))
                 .group_by(Topic.id).order_by(fn.COUNT(MeetingTopic.id).desc(), Topic.position)) if held else []
    return FacilitatorRecord(len(held), len(planned), present, expected, dict(by_kind),
                             [(topic, topic.times) for topic in delivered])
