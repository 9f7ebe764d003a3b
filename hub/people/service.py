"""Rules for the people register: what a record must hold, likely duplicates, and group memberships.

The only writer of Person and GroupMember rows; every change is audited in its own transaction. Who may
see whom (need to know, consent) lives in hub.people.visibility and is re-exported here for other areas.
"""

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hub import clock
from hub.audit.service import record
from hub.db import database
from hub.i18n import when
from hub.people.models import (
    AGE_BANDS,
    FEMALE,
    IN_SCHOOL,
    MALE,
    NOT_SCHOOL_AGE,
    OTHER,
    OUT_OF_SCHOOL,
    SCHOOL_STATUSES,
    SEXES,
    UNKNOWN,
    GroupMember,
    Person,
    age_band_of,
)
from hub.people.names import name_key, same_name
from hub.people.visibility import (  # noqa: F401  (the area's read side, offered to other areas from here)
    current_members,
    may_see_person,
    members_on,
    people_page,
    people_visible_to,
)
from hub.validation import FieldError, Problems

EARLIEST = date(1900, 1, 1)
PHONE = re.compile(r"^\+?[0-9][0-9 ()/-]{2,38}$")
DUPLICATE_NAME = 0.85  # same_name() at or above this, with a close age, is worth a second look

SEX_LABELS = {FEMALE: _l("Female"), MALE: _l("Male"), OTHER: _l("Other")}
SCHOOL_LABELS = {IN_SCHOOL: _l("In school"), OUT_OF_SCHOOL: _l("Out of school"),
                 NOT_SCHOOL_AGE: _l("Not of school age"), UNKNOWN: _l("Not known")}
ROLE_LABELS = {
    GroupMember.CHAIR: _l("Chair"),
    GroupMember.SECRETARY: _l("Secretary"),
    GroupMember.TREASURER: _l("Treasurer"),
    GroupMember.CAPTAIN: _l("Captain"),
    GroupMember.MENTOR: _l("Mentor"),
    GroupMember.MEMBER: _l("Member"),
}


class PersonError(FieldError):
    """A change to the register the hub refuses; str() says why, field names the form field."""


class LikelyDuplicates(PersonError):
    """The new person looks like people already in the register; nothing was saved."""

    def __init__(self, matches):
        super().__init__(_("This may be someone already in the register."))
        self.matches = matches  # Person rows, most alike first


def check_day(day, field):
    """Refuse a date before 1900 or after today (the hub's today: the message shows it, as it may be wrong)."""
    today = clock.today()
    if day > today:
        raise PersonError(_("This date is after today (%(today)s on the hub's clock).",
                            today=when(today)), field)
    if day < EARLIEST:
        raise PersonError(_("This date is before %(earliest)s.", earliest=when(EARLIEST)), field)


def _plain(text):
    return " ".join((text or "").split())


def _clean_age(birth_year, age_band):
    """The age band to store ("" when the birth year says it), or PersonError."""
    age_band = age_band or ""
    this_year = clock.today().year
    if birth_year is None:
        if not age_band:
            raise PersonError(_("Give the birth year, or an age band when the year is not known."), "birth_year")
        if age_band not in AGE_BANDS:
            raise PersonError(_("Choose from the list."), "age_band")
        return age_band
    if not 1900 <= birth_year <= this_year:
        raise PersonError(_("A birth year is between 1900 and %(year)d.", year=this_year), "birth_year")
    if age_band and age_band != age_band_of(this_year - birth_year):
        raise PersonError(_("This age band does not fit the birth year. Leave it empty when you know "
                            "the year."), "age_band")
    return ""  # the year says it, and stays right as the child grows


def _check_consent(consent_by, consent_on, birth_year):
    if consent_by and consent_on is None:
        raise PersonError(_("Give the day consent was given."), "consent_on")
    if consent_on is None:
        return
    if not consent_by:
        raise PersonError(_("Say who gave consent, or leave the day empty."), "consent_by")
    check_day(consent_on, "consent_on")
    if birth_year and consent_on.year < birth_year:
        raise PersonError(_("This is before the person was born."), "consent_on")


def clean_person(name, sex, birth_year=None, age_band="", school_status=UNKNOWN, guardian="", contact="",
                 hamlet="", consent_by="", consent_on=None):
    """The person's fields, tidied, or PersonError naming every field that is wrong."""
    problems = Problems(PersonError)
    name, contact, consent_by = _plain(name), _plain(contact), _plain(consent_by)
    if not name_key(name):
        problems.add(_("A name needs letters."), "name")
    if sex not in SEXES:
        problems.add(_("Choose from the list."), "sex")
    age_band = problems.check(_clean_age, birth_year, age_band)
    if school_status not in SCHOOL_STATUSES:
        problems.add(_("Choose from the list."), "school_status")
    if contact and not PHONE.match(contact):
        problems.add(_("A phone number has digits, and may have spaces, dashes and a + in front."), "contact")
    problems.check(_check_consent, consent_by, consent_on, birth_year)
    problems.done()
    return {"name": name, "name_key": name_key(name), "sex": sex, "birth_year": birth_year,
            "age_band": age_band, "school_status": school_status, "guardian": _plain(guardian),
            "contact": contact, "hamlet": _plain(hamlet), "consent_by": consent_by, "consent_on": consent_on}


def _ages_close(person, birth_year, age_band, year):
    if person.birth_year and birth_year:
        return abs(person.birth_year - birth_year) <= 1
    theirs = person.band_on(year)
    return theirs == (age_band or age_band_of(year - birth_year))


def likely_duplicates(name, birth_year=None, age_band="", exclude=None):
    """People in the register with a similar name and a close age (birth year within 1, or the same band)."""
    key, year = name_key(name), clock.today().year
    query = Person.select().where(~Person.archived)
    if birth_year:  # a cheap cut before comparing names: only close years, or no year at all
        query = query.where(Person.birth_year.between(birth_year - 1, birth_year + 1) | Person.birth_year.is_null())
    if exclude is not None:
        query = query.where(Person.id != exclude.id)
    scored = []
    for person in query:
        score = same_name(name, person.name, key, person.name_key or None)
        if score >= DUPLICATE_NAME and _ages_close(person, birth_year, age_band, year):
            scored.append((-score, person.name, person))
    return [person for _, _, person in sorted(scored, key=lambda item: item[:2])]


def create_person(name, sex, birth_year=None, age_band="", school_status=UNKNOWN, guardian="", contact="",
                  hamlet="", consent_by="", consent_on=None, group=None, role=GroupMember.MEMBER,
                  joined_on=None, save_anyway=()):
    """Add a person to the register, and to group when given; return the Person.

    Raises LikelyDuplicates (saving nothing) when the register has people like them, except those whose
    ids are in save_anyway: the ones the person saw and set aside (True sets every one aside). A match
    that appeared since, such as the first save of a double tap, warns again.
    """
    values = check_new_person({"name": name, "sex": sex, "birth_year": birth_year, "age_band": age_band,
                               "school_status": school_status, "guardian": guardian, "contact": contact,
                               "hamlet": hamlet, "consent_by": consent_by, "consent_on": consent_on},
                              group, role, joined_on)
    with database.atomic():  # checked and written under the write lock: two taps cannot both pass
        if save_anyway is not True:
            matches = likely_duplicates(values["name"], values["birth_year"], values["age_band"])
            if any(match.id not in set(save_anyway) for match in matches):
                raise LikelyDuplicates(matches)
        person = Person.create(**values, created_at=clock.now())
        # The facilitator who adds a person is found again through this entry (hub.people.visibility).
        record("person.created", person)
        if group is not None:
            add_member(group, person, role, joined_on or clock.today())
    return person


def update_person(person, **fields):
    """Change a person's record (the fields of clean_person); return the Person."""
    values = clean_person(**fields)
    changed = sorted(name for name, value in values.items()
                     if name != "name_key" and getattr(person, name) != value)
    with database.atomic():
        for name, value in values.items():
            setattr(person, name, value)
        person.save()
        record("person.updated", person, detail=", ".join(changed))
    return person


def set_school_status(person_id, status, user=None):
    """Set one person's school status (the schools register keeps it in step with its records); the change
    is audited on the person, inside the caller's transaction."""
    if status not in SCHOOL_STATUSES:
        raise PersonError(_("Choose from the list."), "school_status")
    person = Person.get_by_id(person_id)
    if person.school_status != status:
        Person.update(school_status=status).where(Person.id == person_id).execute()
        record("person.updated", person, detail="school_status", user=user)


def _joined_on(joined_on, birth_year, person, group):
    if joined_on is None:
        raise PersonError(_("Please fill this in."), "joined_on")
    check_day(joined_on, "joined_on")
    if birth_year and joined_on.year < birth_year:
        raise PersonError(_("This is before the person was born."), "joined_on")
    last = None if person is None else (
        GroupMember.select().where((GroupMember.group == group) & (GroupMember.person == person))
        .order_by(GroupMember.left_on.desc()).first())
    if last is not None and last.left_on is not None and joined_on < last.left_on:
        raise PersonError(_("%(name)s left this group on %(day)s: they cannot have joined again before.",
                            name=person.name, day=when(last.left_on)), "joined_on")


def check_membership(group, person, role, joined_on, birth_year=None):
    """Raise PersonError naming every field of a membership that is wrong (person None: a new person, or
    none chosen, left to the form)."""
    problems = Problems(PersonError)
    if group.archived:
        problems.add(_("The group %(name)s is archived.", name=group.name))
    if role not in GroupMember.ROLES:
        problems.add(_("Choose from the list."), "role")
    if person is not None and GroupMember.current(group).where(GroupMember.person == person).exists():
        problems.add(_("%(name)s is already a member of this group.", name=person.name), "person")
    problems.check(_joined_on, joined_on, birth_year, person, group)
    problems.done()


def check_new_person(values, group=None, role=GroupMember.MEMBER, joined_on=None):
    """The person's fields tidied (see clean_person), or PersonError naming every field that is wrong, with
    those of the group they are put in."""
    problems = Problems(PersonError)
    cleaned = problems.check(clean_person, **values)
    if group is not None:
        problems.check(check_membership, group, None, role, joined_on or clock.today(), values.get("birth_year"))
    problems.done()
    return cleaned


def add_member(group, person, role, joined_on):
    """Make person a current member of group with a role from joined_on; return the GroupMember."""
    with database.atomic():  # checked under the write lock: a double tap makes one membership
        check_membership(group, person, role, joined_on, person.birth_year)
        member = GroupMember.create(group=group, person=person, role=role, joined_on=joined_on)
        record("person.joined", person, detail=f"group {group.id}, {role}")
    return member


def leave_group(member, left_on):
    """Record the day a member left their group (the membership is kept); return the GroupMember."""
    if left_on is None:
        raise PersonError(_("Please fill this in."), "left_on")
    check_day(left_on, "left_on")
    with database.atomic():
        member = GroupMember.get_by_id(member.id)  # as it is now, not as the page saw it
        if member.left_on is not None:
            raise PersonError(_("This person already left the group on %(day)s.",
                                day=when(member.left_on)), "left_on")
        if left_on < member.joined_on:
            raise PersonError(_("This is before they joined, on %(day)s.", day=when(member.joined_on)),
                              "left_on")
        member.left_on = left_on
        member.save()
        record("person.left", member.person, detail=f"group {member.group_id}")
    return member


def member_role_label(role):
    """The words for a role in a group (chair, captain...), in the reader's language."""
    return ROLE_LABELS.get(role, role)
