"""Attendance taken away from the hub and sent later by a phone's outbox (hub.offline): it keeps the day the
session was held as entered on the phone (not the day it was sent), so the session counts in its own month,
and it never silently overwrites attendance someone saved on the hub meanwhile."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hub.audit.service import record
from hub.db import database
from hub.offline.conflicts import Conflict
from hub.sessions.attendance import AttendanceError, guests_of, roster_of, save_roster, statuses_of
from hub.sessions.models import Attendance, Meeting

STATUS_LABELS = {Attendance.PRESENT: _l("Present"), Attendance.ABSENT: _l("Absent"),
                 Attendance.EXCUSED: _l("Excused")}
DAYS_BACK = 31  # a roster kept on a phone longer than this is not a session from the field


@dataclass(frozen=True)
class FieldRoster:
    """A roster as the phone kept it: the ids ticked present (or everyone), the guests (None: unchanged), the
    day it was held, and the session's version when the roster was opened (None: not known)."""

    present: tuple
    guests: dict | None
    held_on: date
    version: int | None = None
    everyone: bool = False


def _mine(roster, sent, hub):
    ticked = set(roster) if sent.everyone else {int(value) for value in sent.present if str(value).isdecimal()}
    return {person_id: Attendance.PRESENT if person_id in ticked else
            Attendance.EXCUSED if hub.get(person_id) == Attendance.EXCUSED else Attendance.ABSENT
            for person_id in roster}


def roster_differences(meeting, sent):
    """[(label, on the hub, sent)]: the people whose status and the guests whose count saving `sent` would
    change in what is recorded for meeting (empty when nothing recorded would change)."""
    hub, hub_guests = statuses_of(meeting), guests_of(meeting)
    if not hub and not hub_guests:
        return []
    people = roster_of(meeting)
    mine = _mine([person.id for person in people], sent, hub)
    differences = [(person.name, str(STATUS_LABELS.get(hub.get(person.id), "–")), str(STATUS_LABELS[mine[person.id]]))
                   for person in people if hub.get(person.id) != mine[person.id]]
    if sent.guests is not None and {k: v for k, v in sent.guests.items() if v} != hub_guests:
        differences.append((str(_("Guests not on the list")), str(sum(hub_guests.values())),
                            str(sum(sent.guests.values()))))
    return differences


def save_field_roster(meeting, sent, today):
    """Save a roster sent late from a phone: refused with Conflict when the session changed on the hub since
    the roster was opened and what was sent differs from what is recorded; the session takes the day it was
    held. Return the Counts as saved_roster does."""
    if sent.held_on > today + timedelta(days=1) or sent.held_on < today - timedelta(days=DAYS_BACK):
        raise AttendanceError(_("The day the session was held must be in the last %(days)d days.", days=DAYS_BACK),
                              "held_on")
    with database.atomic():
        current = Meeting.get_by_id(meeting.id)
        if sent.version is not None and sent.version != current.version:
            differences = roster_differences(current, sent)
            if differences:
                raise Conflict(current.version, differences)
        if sent.held_on != current.starts_at.date():
            moved = datetime.combine(sent.held_on, current.starts_at.time())
            Meeting.update(starts_at=moved).where(Meeting.id == current.id).execute()
            record("meeting.held_in_field", current,
                   detail=f"{current.starts_at.date().isoformat()} -> {sent.held_on.isoformat()}")
            current = Meeting.get_by_id(current.id)
        return save_roster(current, sent.present, sent.guests, sent.held_on, everyone=sent.everyone)
