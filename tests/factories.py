"""Factories: plain functions with valid defaults; pass overrides for what a test cares about."""

import itertools

from hub.auth.models import User
from hub.auth.service import create_user
from hub.village.service import save_village

ROLES = User.ROLES
_counter = itertools.count(1)


def make_village(**overrides):
    values = {"name": "Rampur", "country": "IN", "district": "Murshidabad", "languages": ("hi", "en")}
    values.update(overrides)
    save_village(**values)
    return values


def make_user(**overrides):
    values = {"username": f"user{next(_counter)}", "role": User.FACILITATOR, "secret": "274915"}
    values.update(overrides)
    return create_user(**values)


def make_group(**overrides):
    from hub.groups.service import create_group

    values = {"name": f"Group {next(_counter)}", "kind": "childrens_group"}
    values.update(overrides)
    return create_group(**values)


def make_person(group=None, **overrides):
    """A consenting child, a current member of group when one is given (rows written directly)."""
    from datetime import date, datetime

    from hub.people.models import GroupMember, Person

    values = {"name": f"Child {next(_counter)}", "name_key": "", "sex": "female", "birth_year": 2014,
              "consent_by": "mother", "consent_on": date(2026, 1, 5), "created_at": datetime(2026, 1, 5)}
    values.update(overrides)
    person = Person.create(**values)
    if group is not None:
        GroupMember.create(group=group, person=person, joined_on=date(2026, 1, 5))
    return person


def make_meeting(group, when, status="held", kind="life_skills", topics=(), facilitators=(), attendance=None):
    """A meeting with its topics, facilitators and {person: status} attendance (rows written directly)."""
    from datetime import datetime

    from hub.sessions.models import Attendance, Meeting, MeetingFacilitator, MeetingTopic

    meeting = Meeting.create(group=group, kind=kind, starts_at=when, status=status, created_at=datetime(2026, 1, 5))
    for topic in topics:
        MeetingTopic.create(meeting=meeting, topic=topic)
    for user in facilitators:
        MeetingFacilitator.create(meeting=meeting, user=user)
    for person, state in (attendance or {}).items():
        Attendance.create(meeting=meeting, person=person, status=state)
    if attendance:  # the group's monthly figures are kept on every save, as the hub's own save does
        from hub.sessions.attendance import refresh_month

        refresh_month(group, when)
    return meeting


def account(role):
    """The fixture account of role (its username is the role without underscores: case_worker -> caseworker)."""
    return User.get(User.username == role.replace("_", ""))


def fixture_secret(role):
    """The password of the fixture account of role: "secret-" and the role backwards (a secret may not
    contain its username, which is the role)."""
    return f"secret-{role[::-1]}-1"
