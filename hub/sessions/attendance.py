"""Attendance rules: who is on a session's roster, saving the whole roster at once, guests counted by sex and
age band, the numbers typed from a paper sheet, and the audit of changes made after the day.

The only writer of Attendance and GuestCount. A save is one transaction and one upsert, so a double tap
or a second save never makes a second row for a person (UNIQUE(meeting_id, person_id)); anything wrong in
what was sent refuses the whole save.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import fn

from hub import memo
from hub.audit.service import record
from hub.clockcheck.service import suspect_since
from hub.db import database
from hub.i18n import when
from hub.people.models import AGE_BANDS, FEMALE, MALE, OTHER, SEXES, GroupMember, Person
from hub.people.picker import detail, namesakes
from hub.sessions.models import Attendance, GroupMonth, GuestCount, Meeting
from hub.validation import FieldError, Problems

MAX_GUESTS = 10000
# Plausible headcount of guests at one session: ten times the most the group's sessions have had, or its
# roster, or FLOOR_GUESTS, whichever is largest; beyond it the form asks to confirm (then audited for review).
GUEST_FACTOR, FLOOR_GUESTS = 10, 10
SEX_LABELS = {FEMALE: _l("Female"), MALE: _l("Male"), OTHER: _l("Other")}
_UPSERT = ('INSERT INTO "attendance" ("meeting_id", "person_id", "status") VALUES {} '
           'ON CONFLICT ("meeting_id", "person_id") DO UPDATE SET "status" = excluded."status"')
UPSERT_ROWS = 10000  # 3 values a row: within SQLite's 32,766 variables a statement
_NUMBERS = re.compile(r"^(\d+)(?:[-–](\d+))?$")


class AttendanceError(FieldError):
    """Attendance the hub refuses; str() says why, field names the form field."""


@dataclass(frozen=True)
class Counts:
    present: int = 0
    absent: int = 0
    excused: int = 0
    guests: int = 0
    ahead: bool = False  # saved before the session's day while the hub's clock is marked unsure

    @property
    def named(self):
        """Everyone on the roster who has a status."""
        return self.present + self.absent + self.excused


def roster_of(meeting):
    """The people expected at a meeting, by name: current members of its group with consent recorded."""
    # Rows, not models (a roster of 1,000), kept until a write: the roster is reopened all through a session.
    return list(memo.kept(("roster", meeting.group_id), lambda: tuple(
        Person.select(Person.id, Person.name, Person.birth_year, Person.age_band, Person.hamlet, Person.guardian)
        .join(GroupMember)
        .where((GroupMember.group == meeting.group_id) & GroupMember.left_on.is_null()
               & (Person.consent_by != "") & ~Person.archived)
        .distinct().order_by(Person.name, Person.id).namedtuples())))


def roster_namesakes(meeting, language):
    """{person id: detail} of the people on the roster who share their name with another (namesakes), in
    language (the page's), kept until a write."""
    def find():
        people = roster_of(meeting)
        twins = namesakes(people)
        return tuple((person.id, detail(person)) for person in people if person.id in twins)

    return dict(memo.kept(("roster namesakes", meeting.group_id, language), find))


def roster_ids(meeting):
    """The ids of the people on a meeting's roster (roster_of without loading each person)."""
    return [person_id for person_id, in
            _rows(Person.select(Person.id).join(GroupMember)
                  .where((GroupMember.group == meeting.group_id) & GroupMember.left_on.is_null()
                         & (Person.consent_by != "") & ~Person.archived)
                  .distinct())]


def statuses_of(meeting):
    """{person id: status} recorded for a meeting."""
    meeting_id = getattr(meeting, "id", meeting)
    return dict(memo.kept(("statuses", meeting_id), lambda: tuple(_rows(
        Attendance.select(Attendance.person, Attendance.status).where(Attendance.meeting == meeting_id)))))


def _rows(query):
    """The rows of a query of plain columns as SQLite gives them: a thousand rows through peewee's row
    machinery cost more than the query."""
    return database.execute_sql(*query.sql()).fetchall()


def guests_of(meeting):
    """{(sex, age band): count} of unnamed guests recorded for a meeting (only counts above 0)."""
    meeting_id = getattr(meeting, "id", meeting)
    return {(sex, band): count for sex, band, count in memo.kept(("guests", meeting_id), lambda: tuple(
        GuestCount.select(GuestCount.sex, GuestCount.age_band, GuestCount.count)
        .where(GuestCount.meeting == meeting_id).tuples()))}


def counts_of(meeting):
    """How many were present, absent and excused, and how many guests came."""
    tally = {status: 0 for status in Attendance.STATUSES}
    for status in statuses_of(meeting).values():
        tally[status] += 1
    return Counts(tally[Attendance.PRESENT], tally[Attendance.ABSENT], tally[Attendance.EXCUSED],
                  sum(guests_of(meeting).values()))


def names_by_status(meeting):
    """{status: [names]} of the people recorded at a meeting, each list by name; a name two of them share
    carries what tells them apart ("Ajay Das (b. 2014 · No. 42)")."""
    names = {status: [] for status in Attendance.STATUSES}
    people = list(Person.select(Person, Attendance.status.alias("status")).join(Attendance)
                  .where(Attendance.meeting == meeting).order_by(Person.name, Person.id).objects())
    twins = namesakes(people)
    for person in people:
        names[person.status].append(f"{person.name} ({detail(person)})" if person.id in twins else person.name)
    return names


def _roster_ids(values, roster, field):
    """The person ids in values, each checked to be on the roster."""
    ids = []
    for value in values:
        value = str(value).strip()
        if not value.isdecimal():
            raise AttendanceError(_("“%(value)s” is not a person on this list.", value=value[:20]), field)
        ids.append(int(value))
    strangers = sorted(set(ids) - set(roster))
    if strangers:
        known = {person.id for person in Person.select(Person.id).where(Person.id.in_(strangers))}
        unknown = [person_id for person_id in strangers if person_id not in known]
        if unknown:
            raise AttendanceError(_("There is no person number %(id)d in the register.", id=unknown[0]), field)
        # Not named: the person may belong to a group this account may not see.
        raise AttendanceError(_("Person number %(id)d is not on the roster of this group.", id=strangers[0]),
                              field)
    return ids


def _check_guests(guests):
    for (sex, band), count in guests.items():
        if sex not in SEXES or band not in AGE_BANDS:
            raise AttendanceError(_("Count guests by the sexes and age bands on the form."))
        if not isinstance(count, int) or not 0 <= count <= MAX_GUESTS:
            raise AttendanceError(_("Type a number of guests from 0 to %(max)d.", max=MAX_GUESTS),
                                  guest_field(sex, band))


def guest_field(sex, band):
    """The form field name of one headcount cell: short, since the roster page has a size budget."""
    return f"g_{sex[0]}{AGE_BANDS.index(band)}"


def save_roster(meeting, present, guests, today, everyone=False, confirmed=False):
    """Save the roster page: the people ticked present, everyone else on the roster absent (or excused,
    if they were excused already); everyone present when `everyone`; guests None keeps them as they are;
    confirmed: a headcount beyond the plausible one is right. Marks the meeting held."""
    with database.atomic():
        roster = roster_ids(meeting)
        ticked = set(roster) if everyone else check_present(meeting, present)
        old = statuses_of(meeting)
        statuses = {person_id: Attendance.PRESENT if person_id in ticked else
                    Attendance.EXCUSED if old.get(person_id) == Attendance.EXCUSED else Attendance.ABSENT
                    for person_id in roster}
        return _save(meeting, statuses, guests, today, old, confirmed)


def save_paper(meeting, order, absent, excused, guests, today, confirmed=False):
    """Save a filled-in paper sheet: `order` is the numbered list as the entry page showed it (person ids),
    `absent` and `excused` the numbers typed from the sheet; everyone else on the list was present."""
    with database.atomic():
        statuses = check_paper(meeting, order, absent, excused)
        return _save(meeting, statuses, guests, today, statuses_of(meeting), confirmed)


def check_present(meeting, present):
    """The ids of the people ticked present on the roster page, or AttendanceError."""
    return set(_roster_ids(present, roster_ids(meeting), "p"))


def check_paper(meeting, order, absent, excused):
    """{person id: status} from a filled-in paper sheet (see save_paper), or AttendanceError naming every field
    that is wrong."""
    listed = _roster_ids([value for value in (order or "").split(",") if value.strip()], roster_ids(meeting),
                         "absent")
    problems = Problems(AttendanceError)
    away = problems.check(parse_numbers, absent, len(listed), "absent")
    excused = problems.check(parse_numbers, excused, len(listed), "excused")
    both = sorted(away & excused) if away is not None and excused is not None else []
    if both:
        problems.add(_("Number %(number)d is both absent and excused: choose one.", number=both[0]), "excused")
    problems.done()
    return {person_id: Attendance.ABSENT if number in away else Attendance.EXCUSED if number in excused else
            Attendance.PRESENT for number, person_id in enumerate(listed, start=1)}


def parse_numbers(text, count, field):
    """{numbers} typed as "3, 7 12-14" from a list numbered 1 to count."""
    numbers = set()
    for token in re.split(r"[\s,;.]+", (text or "").strip()):
        if not token:
            continue
        match = _NUMBERS.match(token)
        if not match:
            raise AttendanceError(_("“%(text)s” is not a number from the list. Type numbers like 3, 7, 12-14.",
                                    text=token[:20]), field)
        first, last = sorted((int(match[1]), int(match[2] or match[1])))
        if first < 1 or last > count:
            raise AttendanceError(_("The list has numbers 1 to %(count)d only: %(text)s is not on it.",
                                    count=count, text=token[:20]), field)
        numbers.update(range(first, last + 1))
    return numbers


def still_ahead(day, today):
    """None when day has come; "unsure" when it is still ahead by a clock marked unsure (a warning, not a
    refusal: the clock may be the thing that is wrong); "ahead" when it is still ahead by a trusted clock."""
    if day <= today:
        return None
    return "unsure" if suspect_since() is not None else "ahead"


def check_day(meeting, today):
    """Refuse attendance before the session's day (its counts would reach the district as a session held).
    Return True when the day is still ahead but the hub's clock is marked unsure: saved, with a warning."""
    ahead = still_ahead(meeting.starts_at.date(), today)
    if ahead != "ahead":
        return ahead == "unsure"
    raise AttendanceError(_("This session is on %(day)s, after today (%(today)s on the hub's clock): attendance "
                            "can be recorded from the session's day.",
                            day=when(meeting.starts_at.date()), today=when(today)))


def plausible_guests(meeting):
    """The largest plausible number of guests at this session (see GUEST_FACTOR)."""
    most = (GuestCount.select(fn.SUM(GuestCount.count)).join(Meeting)
            .where((Meeting.group == meeting.group_id) & (Meeting.id != meeting.id))
            .group_by(GuestCount.meeting).order_by(fn.SUM(GuestCount.count).desc()).limit(1).scalar())
    return GUEST_FACTOR * max(most or 0, len(roster_of(meeting)), FLOOR_GUESTS)


def _check_plausible(meeting, guests, confirmed):
    """True when the headcount is beyond the plausible one and confirmed; AttendanceError when not confirmed."""
    total, limit = sum(guests.values()), plausible_guests(meeting)
    if total <= limit:
        return False
    if not confirmed:
        raise AttendanceError(_("%(count)d guests is more than %(limit)d, the most that seems likely for this "
                                "group. Check the numbers; if they are right, tick “Yes, this many guests came” "
                                "and save again: the session will be marked for review.", count=total,
                                limit=limit), "confirm_guests")
    return True


def _save(meeting, statuses, guests, today, old, confirmed=False):
    """Write statuses {person id: status} and guests in the caller's transaction; audit; mark held."""
    ahead = check_day(meeting, today)
    review = False
    if guests is not None:
        _check_guests(guests)  # before any write, though the transaction would undo them anyway
        review = _check_plausible(meeting, guests, confirmed)
    old_guests = guests_of(meeting)
    rows = list(statuses.items())
    for start in range(0, len(rows), UPSERT_ROWS):
        # The SQL text written out here: peewee would build it value by value, a thousand rows on a big roster.
        chunk = rows[start:start + UPSERT_ROWS]
        database.execute_sql(_UPSERT.format(", ".join(["(?, ?, ?)"] * len(chunk))),
                             [value for person_id, status in chunk for value in (meeting.id, person_id, status)])
    if guests is not None:
        GuestCount.delete().where(GuestCount.meeting == meeting).execute()
        rows = [{"meeting": meeting.id, "sex": sex, "age_band": band, "count": count}
                for (sex, band), count in sorted(guests.items()) if count]
        if rows:
            GuestCount.insert_many(rows).execute()
    Meeting.update(status=Meeting.HELD, version=Meeting.version + 1).where(Meeting.id == meeting.id).execute()
    refresh_month(meeting.group_id, meeting.starts_at)
    # As written above, without reading them back: a roster of a thousand is a thousand rows.
    new = {**old, **statuses}
    new_guests = old_guests if guests is None else {cell: count for cell, count in guests.items() if count}
    changed = sum(1 for person_id, status in new.items() if old.get(person_id) != status)
    guests_changed = new_guests != old_guests
    if today > meeting.starts_at.date() and (old or old_guests) and (changed or guests_changed):
        record("attendance.changed_later", meeting, detail=f"{changed} changed; before: {_tally(old, old_guests)}; "
                                                           f"after: {_tally(new, new_guests)}")
    else:
        record("attendance.saved", meeting, detail=_tally(new, new_guests))
    if review:
        record("attendance.outside_range", meeting, detail=f"guests {sum(new_guests.values())}")
    return Counts(*(sum(1 for status in new.values() if status == wanted) for wanted in Attendance.STATUSES),
                  sum(new_guests.values()), ahead)


def month_bounds(day):
    """(first moment of day's month, first moment of the next): an indexed range on Meeting.starts_at."""
    first = datetime(day.year, day.month, 1)
    return first, datetime(day.year + day.month // 12, day.month % 12 + 1, 1)


def refresh_month(group_id, day):
    """Recount the group's attendance in the month of day (GroupMonth), in the caller's transaction."""
    first, following = month_bounds(day)
    present, expected = (Attendance
                         .select(fn.SUM(Attendance.status == Attendance.PRESENT), fn.COUNT(Attendance.id))
                         .join(Meeting)
                         .where((Meeting.group == group_id) & (Meeting.status == Meeting.HELD)
                                & (Meeting.starts_at >= first) & (Meeting.starts_at < following))
                         .scalar(as_tuple=True))
    (GroupMonth.insert(group=group_id, month=f"{first:%Y-%m}", present=int(present or 0),
                       expected=int(expected or 0))
     .on_conflict(conflict_target=[GroupMonth.group, GroupMonth.month],
                  preserve=[GroupMonth.present, GroupMonth.expected])
     .execute())


def _tally(statuses, guests):
    """"present 9, absent 2, excused 1, guests 4": counts for the audit log (no names)."""
    counts = [f"{status} {sum(1 for value in statuses.values() if value == status)}"
              for status in Attendance.STATUSES]
    return ", ".join(counts + [f"guests {sum(guests.values())}"])
