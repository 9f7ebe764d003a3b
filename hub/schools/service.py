"""Rules for school status: who may keep it, a child recorded out of school (with the reason), outreach visits,
the re-enrolment, a school protection committee's view of its pupils, and the counts the monthly summary reads.

The only writer of Dropout and OutreachVisit. Recording a child out of school sets the person's school_status to
out_of_school and re-enrolment sets it back to in_school, in the same transaction as the record and its audit
entry, so the people register and this register never disagree.

Need to know follows the people register: a facilitator keeps the records of the children they may see
(hub.people.visibility), case workers and the coordinator all of them. A school protection committee's members
(accounts linked to the group) see their committee's pupils; case staff see every committee.
"""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hub import clock
from hub.audit.service import record
from hub.auth.models import User
from hub.db import database
from hub.groups.models import AccountGroup, Group
from hub.i18n import when
from hub.people.models import (
    AGE_BANDS,
    CHILD_BANDS,
    IN_SCHOOL,
    OUT_OF_SCHOOL,
    SEXES,
    Person,
)
from hub.people.service import current_members, may_see_person, set_school_status
from hub.people.visibility import listed_for
from hub.schools.models import (
    CARING,
    COST,
    DISABILITY,
    DISTANCE,
    ILLNESS,
    MARRIAGE,
    MIGRATION,
    NOT_INTERESTED,
    OTHER,
    REASONS,
    WORK,
    Dropout,
    OutreachVisit,
)
from hub.validation import FieldError, Problems

EARLIEST = date(1900, 1, 1)
ADULT_AGE = 18
MAX_DETAILS, MAX_SCHOOL, MAX_NAMES, MAX_RESULT = 500, 120, 120, 500
LIST_LIMIT = 200

REASON_LABELS = {
    WORK: _l("Work"),
    MARRIAGE: _l("Marriage"),
    MIGRATION: _l("Migration"),
    COST: _l("Cost"),
    DISTANCE: _l("Distance to school"),
    DISABILITY: _l("Disability"),
    ILLNESS: _l("Illness"),
    CARING: _l("Caring for brothers and sisters"),
    NOT_INTERESTED: _l("Not interested"),
    OTHER: _l("Other"),
}
OUT, BACK = "out", "back"
SHOW_LABELS = {OUT: _l("Out of school"), BACK: _l("Back in school")}


class SchoolError(FieldError):
    """A school status change the hub refuses; str() says why, field names the form field."""


def reason_label(reason):
    """The words for a reason a child left school (a template global)."""
    return REASON_LABELS.get(reason, reason)


# Who sees what.

def _visible_children(user):
    return listed_for(user).select(Person.id)


def records_for(user, show=OUT):
    """The records this account may see: children out of school now (longest out first), or back in school
    (latest re-enrolment first)."""
    query = (Dropout.select(Dropout, Person).join(Person)
             .where(Dropout.child.in_(_visible_children(user)) & ~Person.archived))
    if show == BACK:
        query = query.where(Dropout.reenrolled_on.is_null(False)).order_by(Dropout.reenrolled_on.desc(), Dropout.id)
    else:
        query = query.where(Dropout.reenrolled_on.is_null()).order_by(Dropout.left_on, Dropout.id)
    return list(query.limit(LIST_LIMIT))


def list_counts(user):
    """{show: how many records that list holds} for this account."""
    base = (Dropout.select().join(Person)
            .where(Dropout.child.in_(_visible_children(user)) & ~Person.archived))
    return {OUT: base.where(Dropout.reenrolled_on.is_null()).count(),
            BACK: base.where(Dropout.reenrolled_on.is_null(False)).count()}


def get_record(user, record_id):
    """The record, or None when there is none or its child is not one this account may see."""
    found = Dropout.get_or_none(Dropout.id == record_id)
    if found is None or found.child.archived or not may_see_person(user, found.child):
        return None
    return found


def visits_of(dropout):
    """The outreach visits of a record, latest first."""
    return list(dropout.visits.order_by(OutreachVisit.visited_on.desc(), OutreachVisit.id.desc()))


def history_of(child):
    """Every record of a child, latest first."""
    return list(child.dropouts.order_by(Dropout.left_on.desc(), Dropout.id.desc()))


def is_child(person, on=None):
    """True when the person is under 18 on the given day (today by default), by birth year or age band."""
    on = on or clock.today()
    if person.birth_year:
        return on.year - person.birth_year < ADULT_AGE
    return person.age_band in CHILD_BANDS


def committees_of(user):
    """The active school protection committees whose pupils this account sees: all for case staff, else the
    committees the account belongs to."""
    query = Group.active().where(Group.kind == Group.SCHOOL_COMMITTEE)
    if user is None:
        return []
    if user.role in User.CASE_STAFF:
        return list(query)
    return list(query.join(AccountGroup).where(AccountGroup.user == user))


def get_committee(user, group_id):
    """The school protection committee, or None when there is none or the account is not in it."""
    return next((group for group in committees_of(user) if group.id == group_id), None)


def committee_pupils(group, viewer):
    """The committee's pupils: its current members who are children (consenting ones unless the viewer is the
    coordinator), by name, each as (member, open record or None)."""
    children = [member for member in current_members(group, viewer) if is_child(member.person)]
    open_records = {row.child_id: row for row in
                    Dropout.open().where(Dropout.child.in_([member.person_id for member in children]))}
    return [(member, open_records.get(member.person_id)) for member in children]


# Checks.

def _plain(text):
    return " ".join((text or "").split())


def _check_day(day, field):
    if day is None:
        raise SchoolError(_("Please fill this in."), field)
    today = clock.today()
    if day > today:
        raise SchoolError(_("This date is after today (%(today)s on the hub's clock).", today=when(today)),
                          field)
    if day < EARLIEST:
        raise SchoolError(_("This date is before %(earliest)s.", earliest=when(EARLIEST)), field)
    return day


def _text(value, field, most, needed=True):
    value = _plain(value)
    if needed and not value:
        raise SchoolError(_("Please fill this in."), field)
    if len(value) > most:
        raise SchoolError(_("Please use at most %(count)d characters.", count=most), field)
    return value


def _child(user, child_id, left_on):
    """The child chosen, when they may be recorded out of school from left_on (None: the day is not known)."""
    child = Person.get_or_none((Person.id == child_id) & ~Person.archived) if child_id is not None else None
    if child is None or not may_see_person(user, child):
        raise SchoolError(_("Choose a child from the list."), "child")
    if not is_child(child, left_on):
        raise SchoolError(_("%(name)s was not a child on that day: this register is for children under 18.",
                            name=child.name), "child")
    still_out = Dropout.open().where(Dropout.child == child).first()
    if still_out is not None:
        raise SchoolError(_("%(name)s is already recorded out of school since %(day)s.", name=child.name,
                            day=when(still_out.left_on)), "child")
    return child


def _left_on(child, left_on):
    if child.birth_year and left_on.year < child.birth_year:
        raise SchoolError(_("This is before the child was born."), "left_on")
    last = Dropout.reenrolled().where(Dropout.child == child).order_by(Dropout.reenrolled_on.desc()).first()
    if last is not None and left_on < last.reenrolled_on:
        raise SchoolError(_("%(name)s went back to school on %(day)s: they cannot have left again before.",
                            name=child.name, day=when(last.reenrolled_on)), "left_on")


# Writes.


def check_dropout(user, child_id, left_on, reason, details="", school=""):
    """(child, details, school) of a record of a child out of school, or SchoolError naming every field that
    is wrong."""
    problems = Problems(SchoolError)
    day_known = problems.check(_check_day, left_on, "left_on") is not None
    if reason not in REASONS:
        problems.add(_("Choose a reason from the list."), "reason")
    details = problems.check(_text, details, "details", MAX_DETAILS, needed=reason == OTHER)
    school = problems.check(_text, school, "school", MAX_SCHOOL, needed=False)
    child = problems.check(_child, user, child_id, left_on if day_known else None)
    if child is not None and day_known:
        problems.check(_left_on, child, left_on)
    problems.done()
    return child, details, school


def record_dropout(user, child_id, left_on, reason, details="", school=""):
    """Record a child out of school from left_on, for a reason; set their school status; return the Dropout."""
    with database.atomic():  # checked under the write lock: a double tap records the child once
        child, details, school = check_dropout(user, child_id, left_on, reason, details, school)
        dropout = Dropout.create(child=child, left_on=left_on, reason=reason, details=details, school=school,
                                 created_by=user, created_at=clock.now())
        set_school_status(child.id, OUT_OF_SCHOOL, user)  # the register decides it
        record("school.dropout_recorded", dropout, detail=f"person {child.id}, {reason}", user=user)
    return dropout


def _after_leaving(dropout, day, field):
    _check_day(day, field)
    if day < dropout.left_on:
        raise SchoolError(_("This is before the child left school, on %(day)s.", day=when(dropout.left_on)), field)


def check_visit(dropout, visited_on, visited_by, result, next_step=""):
    """(visited_by, result, next_step) tidied, or SchoolError naming every field that is wrong."""
    problems = Problems(SchoolError)
    problems.check(_after_leaving, dropout, visited_on, "visited_on")
    texts = (problems.check(_text, visited_by, "visited_by", MAX_NAMES),
             problems.check(_text, result, "result", MAX_RESULT),
             problems.check(_text, next_step, "next_step", MAX_RESULT, needed=False))
    problems.done()
    return texts


def add_visit(user, dropout, visited_on, visited_by, result, next_step=""):
    """Record an outreach visit to the family of a child out of school; return the OutreachVisit."""
    visited_by, result, next_step = check_visit(dropout, visited_on, visited_by, result, next_step)
    with database.atomic():
        visit = OutreachVisit.create(dropout=dropout, visited_on=visited_on, visited_by=visited_by, result=result,
                                     next_step=next_step, user=user)
        record("school.visit_added", dropout, detail=f"visit {visit.id}", user=user)
    return visit


def check_reenrol(dropout, reenrolled_on, school):
    """The school tidied, or SchoolError naming every field of a return to school that is wrong."""
    problems = Problems(SchoolError)
    if dropout.reenrolled_on is not None:
        problems.add(_("%(name)s already went back to school on %(day)s.", name=dropout.child.name,
                       day=when(dropout.reenrolled_on)), "reenrolled_on")
    problems.check(_after_leaving, dropout, reenrolled_on, "reenrolled_on")
    school = problems.check(_text, school, "reenrolled_school", MAX_SCHOOL)
    problems.done()
    return school


def reenrol(user, dropout, reenrolled_on, school):
    """Record that the child went back to school on a day, at a school; set their school status back to
    in_school; return the Dropout."""
    with database.atomic():
        dropout = Dropout.get_by_id(dropout.id)  # as it is now, not as the page saw it
        school = check_reenrol(dropout, reenrolled_on, school)
        dropout.reenrolled_on, dropout.reenrolled_school = reenrolled_on, school
        dropout.save()
        set_school_status(dropout.child_id, IN_SCHOOL, user)
        record("school.reenrolled", dropout, detail=f"person {dropout.child_id}", user=user)
    return dropout


# Counts.

def _tally(records, year):
    counts = {"total": 0, "by_sex": dict.fromkeys(SEXES, 0), "by_age_band": dict.fromkeys(AGE_BANDS, 0)}
    for row in records:
        counts["total"] += 1
        counts["by_sex"][row.child.sex] = counts["by_sex"].get(row.child.sex, 0) + 1
        band = row.child.band_on(year)
        counts["by_age_band"][band] = counts["by_age_band"].get(band, 0) + 1
    return counts


def school_counts(period_start, period_end):
    """Children out of school at the end of the period, newly out and re-enrolled during it (both days
    included), each by sex and by age band (the band in the year the period ends); archived people left out.
    Reads only.

    >>> school_counts(date(2026, 11, 1), date(2026, 11, 30))
    {'out_of_school': {'total': 3, 'by_sex': {'female': 2, 'male': 1, 'other': 0},
                       'by_age_band': {'0-5': 0, '6-9': 0, '10-14': 2, '15-17': 1, '18-24': 0, '25+': 0}},
     'newly_out': {'total': 1, ...}, 'reenrolled': {'total': 2, ...}}
    """
    if period_end < period_start:
        raise ValueError("the period ends before it starts")
    rows = (Dropout.select(Dropout, Person).join(Person)
            .where(~Person.archived & (Dropout.left_on <= period_end)))
    out = rows.where(Dropout.reenrolled_on.is_null() | (Dropout.reenrolled_on > period_end))
    new = rows.where(Dropout.left_on >= period_start)
    back = rows.where(Dropout.reenrolled_on.between(period_start, period_end))
    year = period_end.year
    return {"out_of_school": _tally(out, year), "newly_out": _tally(new, year), "reenrolled": _tally(back, year)}
