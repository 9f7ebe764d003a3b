"""One child, one record: a case linked to the child in the people register, found with the same person
picker (and the same details that tell namesakes apart) as everywhere else; the child's cases, sessions
attended, school records and departures shown together to case staff; and a possible duplicate flagged when
a case is opened (another open case about the same child, or a concern of the same kind from the same place
reported within DUPLICATE_DAYS).
"""

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from peewee import fn

from hub import clock
from hub.audit.service import record
from hub.cases.models import Case, CaseAction
from hub.cases.service import CHILD_LINKED, CaseError, refuse_if_closed
from hub.db import database
from hub.people.picker import chosen_one
from hub.prepared import Prepared

DUPLICATE_DAYS = 30


@dataclass(frozen=True)
class ChildRecord:
    """What the hub knows of a child across its areas, for case staff."""

    cases: list        # Case rows, newest first
    attended: int      # sessions attended
    recorded: int      # sessions with the child's attendance recorded
    school: list       # Dropout rows (out of school), latest first
    departures: list   # Departure rows (the migration register), latest first


def link_child(case, person_id, user):
    """Link the case to this child of the register (one this account may see, not archived); audited.
    Return the Case as saved."""
    with database.atomic():
        current = Case.get_by_id(case.id)
        refuse_if_closed(current)
        person = chosen_one(user, person_id)
        if person is None:
            raise CaseError(_("Choose the child from the list."), "child")
        if current.child_id == person.id:
            return current
        Case.update(child=person, version=Case.version + 1, updated_by=user,
                    updated_at=clock.now()).where(Case.id == current.id).execute()
        CaseAction.create(case=current, done_at=clock.now(), user=user, kind=CHILD_LINKED)
        record("case.child_linked", current, detail=f"person {person.id}", user=user)
    return Case.get_by_id(case.id)


_LINKED_DUPLICATES = Prepared(lambda case_id, child_id: Case.select().where(
    (Case.id != case_id) & (Case.status != Case.CLOSED) & (Case.child == child_id)).order_by(Case.id), int, int)


def possible_duplicates(case):
    """Other open cases that may be about the same child: linked to the same person, or (when this case
    names nobody in the register) of the same kind, from the same place, reported within DUPLICATE_DAYS."""
    if case.child_id is not None:
        return _LINKED_DUPLICATES.rows(case.id, case.child_id)
    others = Case.select().where((Case.id != case.id) & (Case.status != Case.CLOSED))
    place = " ".join((case.place or "").lower().split())
    if not place:
        return []
    window = timedelta(days=DUPLICATE_DAYS)
    near = others.where((Case.category == case.category) & Case.child.is_null()
                        & Case.reported_at.between(case.reported_at - window, case.reported_at + window))
    return [other for other in near.order_by(Case.id) if " ".join(other.place.lower().split()) == place]


def _sessions(person_id):
    # Two numbers, counted by SQLite: the sessions themselves (and their topics) are the person page's.
    from hub.sessions.models import Attendance, Meeting  # here: the areas' models import this one's

    return (Attendance.select(fn.COUNT(Attendance.id).filter(Attendance.status == Attendance.PRESENT),
                              fn.COUNT(Attendance.id))
            .join(Meeting).where((Attendance.person == person_id) & (Meeting.status == Meeting.HELD)))


def _departures(person_id):
    from hub.migration.models import Departure

    return Departure.select().where(Departure.person == person_id).order_by(Departure.left_on.desc())


_SESSIONS = Prepared(_sessions, int)
_CASES_OF = Prepared(lambda person_id: Case.select().where(Case.child == person_id).order_by(Case.id.desc()), int)
_DEPARTURES = Prepared(_departures, int)


def child_record(person):
    """The child's cases, attendance, school records and departures (read from each area)."""
    from hub.schools.service import history_of

    attended, recorded = _SESSIONS.tuple(person.id)
    return ChildRecord(cases=_CASES_OF.rows(person.id), attended=attended, recorded=recorded,
                       school=history_of(person), departures=_DEPARTURES.rows(person.id))
