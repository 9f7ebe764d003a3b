"""Rules for the migration register: who keeps it (the vigilance committees, case workers and the
coordinator), what a departure must hold, follow-up calls and the return. The only writer of Departure and
DepartureCall; each change is audited in the same transaction.

A departure belongs to one vigilance committee: a committee's members see its departures, case workers and
the coordinator see every committee's.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hub import clock
from hub.audit.service import record
from hub.auth.models import User
from hub.cases.models import CHILD_MARRIAGE, UNSAFE_MIGRATION
from hub.db import database
from hub.groups.models import AccountGroup, Group
from hub.i18n import when
from hub.migration.models import EDUCATION, MARRIAGE, OTHER, PURPOSES, WORK, Departure, DepartureCall
from hub.people.models import Person
from hub.people.service import PHONE, may_see_person
from hub.validation import FieldError, Problems

EARLIEST = date(1900, 1, 1)
MAX_AGE = 120
MAX_NAME, MAX_PLACE, MAX_CONTACT, MAX_RESULT = 80, 120, 40, 500
LIST_LIMIT = 200

PURPOSE_LABELS = {WORK: _l("Work"), MARRIAGE: _l("Marriage"), EDUCATION: _l("Education"), OTHER: _l("Other")}
AWAY, OVERDUE, MINORS, RETURNED = "away", "overdue", "minors", "returned"
SHOWS = (AWAY, OVERDUE, MINORS, RETURNED)
SHOW_LABELS = {AWAY: _l("Away"), OVERDUE: _l("Overdue returns"), MINORS: _l("Minors away"),
               RETURNED: _l("Returned")}


class MigrationError(FieldError):
    """A register change the hub refuses; str() says why, field names the form field."""


@dataclass(frozen=True)
class Entry:
    """A departure as the form parsed it (age None: not typed; person_id None: not in the register)."""

    committee_id: int | None
    left_on: date | None
    destination: str
    purpose: str
    person_id: int | None = None
    name: str = ""
    age: int | None = None
    hamlet: str = ""
    agent: str = ""
    expected_return: date | None = None
    contact: str = ""


def purpose_label(purpose):
    """The words for a purpose of migration (a template global)."""
    return PURPOSE_LABELS.get(purpose, purpose)


def committees_of(user):
    """The active vigilance committees whose register this account keeps: all for case staff, else theirs."""
    query = Group.active().where(Group.kind == Group.VIGILANCE_COMMITTEE)
    if user.role in User.CASE_STAFF:
        return list(query)
    return list(query.join(AccountGroup).where(AccountGroup.user == user))


def may_keep_register(user):
    """True when this account may read and write the migration register."""
    return user is not None and (user.role in User.CASE_STAFF or bool(committees_of(user)))


def _scope(user):
    """The condition on Departure that keeps what this account may see."""
    if user.role in User.CASE_STAFF:
        return Departure.id.is_null(False)
    return Departure.committee.in_([group.id for group in committees_of(user)])


def get_departure(user, departure_id):
    """The departure, or None when there is none or it is another committee's."""
    return Departure.select().where((Departure.id == departure_id) & _scope(user)).first()


def _lists(today):
    return {AWAY: Departure.away().order_by(Departure.left_on.desc(), Departure.id.desc()),
            OVERDUE: Departure.overdue(today).order_by(Departure.expected_return, Departure.id),
            MINORS: Departure.minors_away().order_by(Departure.left_on.desc(), Departure.id.desc()),
            RETURNED: Departure.returned().order_by(Departure.returned_on.desc(), Departure.id.desc())}


def departures_for(user, show, today=None):
    """The departures this account sees in one list: away (latest departure first), overdue returns
    (longest overdue first), minors away, returned (latest return first)."""
    lists = _lists(today or clock.today())
    return list(lists.get(show, lists[AWAY]).where(_scope(user)).limit(LIST_LIMIT))


def list_counts(user, today=None):
    """{show: how many departures that list holds} for this account."""
    lists = _lists(today or clock.today())
    return {show: query.where(_scope(user)).order_by().count() for show, query in lists.items()}


def calls_of(departure):
    """The follow-up calls of a departure, latest first."""
    return list(departure.calls.order_by(DepartureCall.called_on.desc(), DepartureCall.id.desc()))


def _plain(text):
    return " ".join((text or "").split())


def _check_day(day, field):
    if day is None:
        raise MigrationError(_("Please fill this in."), field)
    today = clock.today()
    if day > today:
        raise MigrationError(_("This date is after today (%(today)s on the hub's clock).",
                               today=when(today)), field)
    if day < EARLIEST:
        raise MigrationError(_("This date is before %(earliest)s.", earliest=when(EARLIEST)), field)


def _person(entry, user, departure):
    """The person of the register who left (None: named by hand), or MigrationError."""
    if entry.person_id is None:
        return None
    person = Person.get_or_none(Person.id == entry.person_id)
    # Naming someone of the register needs need to know; keeping the person a departure names does not.
    kept = departure is not None and departure.person_id == entry.person_id
    if person is None or not kept and (person.archived or not may_see_person(user, person)):
        raise MigrationError(_("Choose a person from the list, or write a name and an age."), "person")
    query = Departure.away().where(Departure.person == person)
    if departure is not None:
        query = query.where(Departure.id != departure.id)
    other = query.first()
    if other is not None:
        raise MigrationError(_("%(name)s is already away since %(day)s: record that return first.",
                               name=person.name, day=when(other.left_on)), "person")
    return person


def _name(person, text):
    name = person.name if person is not None else _plain(text)
    if not name:
        raise MigrationError(_("Write the name of the person who left, or choose them from the register."), "name")
    if len(name) > MAX_NAME:
        raise MigrationError(_("Please use at most %(count)d characters.", count=MAX_NAME), "name")
    return name


def _age(age, person, left_on, name):
    """The age on the day they left (from the register's birth year when none is given), or MigrationError."""
    if person is not None and person.birth_year and left_on is not None:
        if left_on.year < person.birth_year:
            raise MigrationError(_("This is before the person was born."), "left_on")
        known = left_on.year - person.birth_year
        if age is None:
            age = known
        elif abs(age - known) > 1:
            raise MigrationError(_("The register says %(name)s was born in %(year)d: about %(age)d years old on "
                                   "this day.", name=name, year=person.birth_year, age=known), "age")
    if age is None:
        raise MigrationError(_("Give the age in years on the day they left."), "age")
    if not 0 <= age <= MAX_AGE:
        raise MigrationError(_("An age is between 0 and %(most)d years.", most=MAX_AGE), "age")
    return age


def _left_on(day, departure):
    _check_day(day, "left_on")
    if departure is not None and departure.returned_on is not None and departure.returned_on < day:
        raise MigrationError(_("They came back on %(day)s: the departure cannot be after that.",
                               day=when(departure.returned_on)), "left_on")
    return day


def _expected_return(day, left_on, departure):
    if day is None:
        return
    if left_on is not None and day < left_on:
        raise MigrationError(_("The expected return is before the departure (%(day)s).", day=when(left_on)),
                             "expected_return")
    changed = departure is None or departure.expected_return != day
    if changed and day < clock.today():
        raise MigrationError(_("This day has passed (today is %(today)s on the hub's clock): give the day "
                               "they are now expected back, or leave it empty.",
                               today=when(clock.today())), "expected_return")


def _short(problems, field, text, limit, needed=None):
    """text tidied; a refusal noted when it is longer than limit (or empty, when needed is a message)."""
    text = _plain(text)
    if needed and not text:
        problems.add(needed, field)
    if len(text) > limit:
        problems.add(_("Please use at most %(count)d characters.", count=limit), field)
    return text


def check_departure(entry, user, departure=None):
    """The departure's fields, tidied, or MigrationError naming every field that is wrong."""
    problems = Problems(MigrationError)
    committees = {group.id: group for group in committees_of(user)}
    if departure is not None and departure.committee_id not in committees and user.role in User.CASE_STAFF:
        committees[departure.committee_id] = departure.committee  # an archived committee's record stays
    if entry.committee_id not in committees:
        problems.add(_("Choose a vigilance committee from the list."), "committee")
    left_on = problems.check(_left_on, entry.left_on, departure)
    person = problems.check(_person, entry, user, departure)
    name = age = None
    if "person" not in problems.fields():
        name = problems.check(_name, person, entry.name)
        age = problems.check(_age, entry.age, person, left_on, name)
    destination = _short(problems, "destination", entry.destination, MAX_PLACE,
                         needed=_("Say where they went: a town, a district, a country."))
    if entry.purpose not in PURPOSES:
        problems.add(_("Choose a purpose from the list."), "purpose")
    problems.check(_expected_return, entry.expected_return, left_on, departure)
    contact = _short(problems, "contact", entry.contact, MAX_CONTACT)
    if contact and not PHONE.match(contact):
        problems.add(_("A phone number has digits, and may have spaces, dashes and a + in front."), "contact")
    hamlet = _short(problems, "hamlet", entry.hamlet, MAX_NAME)
    agent = _short(problems, "agent", entry.agent, MAX_PLACE)
    problems.done()
    return {"committee": committees[entry.committee_id], "person": person, "name": name, "age": age,
            "hamlet": hamlet or (person.hamlet if person is not None else ""),
            "left_on": entry.left_on, "destination": destination, "purpose": entry.purpose,
            "agent": agent, "expected_return": entry.expected_return, "contact": contact}


def create_departure(entry, user):
    """Record a departure in a committee's register; return the Departure."""
    with database.atomic():  # checked under the write lock: a double tap records one departure
        values = check_departure(entry, user)
        departure = Departure.create(**values, created_by=user, created_at=clock.now())
        record("departure.created", departure, detail="minor" if departure.is_minor else "", user=user)
    return departure


def update_departure(departure, entry, user):
    """Correct a departure's details (not its calls or return); return the Departure."""
    with database.atomic():
        values = check_departure(entry, user, departure)
        changed = sorted(name for name, value in values.items() if getattr(departure, name) != value)
        for name, value in values.items():
            setattr(departure, name, value)
        departure.save()
        record("departure.updated", departure, detail=", ".join(changed), user=user)
    return departure


def _after_leaving(departure, day, field, message):
    """day, or MigrationError when it is not a day after the person left (message: its words, given that day)."""
    _check_day(day, field)
    if day < departure.left_on:
        raise MigrationError(message(when(departure.left_on)), field)
    return day


def check_call(departure, called_on, result):
    """The call's result tidied, or MigrationError naming every field that is wrong."""
    problems = Problems(MigrationError)
    problems.check(_after_leaving, departure, called_on, "called_on",
                   lambda left_on: _("This is before they left, on %(day)s.", day=left_on))
    result = (result or "").strip()
    if not result:
        problems.add(_("Say what came of the call: who answered, how they are, when they come back."), "result")
    if len(result) > MAX_RESULT:
        problems.add(_("Please use at most %(count)d characters.", count=MAX_RESULT), "result")
    problems.done()
    return result


def add_call(departure, called_on, result, user):
    """Record a follow-up call and what came of it; return the DepartureCall."""
    result = check_call(departure, called_on, result)
    with database.atomic():
        call = DepartureCall.create(departure=departure, called_on=called_on, result=result, user=user)
        record("departure.call_added", departure, detail=f"call {call.id}", user=user)
    return call


def record_return(departure, returned_on, user):
    """Record the day the person came back (or correct it); return the Departure."""
    _after_leaving(departure, returned_on, "returned_on",
                   lambda left_on: _("The return is before the departure (%(day)s).", day=left_on))
    with database.atomic():
        corrected = departure.returned_on is not None
        departure.returned_on = returned_on
        departure.save()
        record("departure.returned", departure, detail="corrected" if corrected else "", user=user)
    return departure


def concern_prefill(departure):
    """The query of a link to "report a concern" about a minor's departure, its details filled in."""
    category = CHILD_MARRIAGE if departure.purpose == MARRIAGE else UNSAFE_MIGRATION
    lines = [_("A child aged %(age)d left the village on %(day)s for %(destination)s. Purpose: %(purpose)s.",
               age=departure.age, day=when(departure.left_on), destination=departure.destination,
               purpose=purpose_label(departure.purpose))]
    if departure.agent:
        lines.append(_("Agent or contractor: %(agent)s.", agent=departure.agent))
    if departure.expected_return:
        lines.append(_("Expected back on %(day)s.", day=when(departure.expected_return)))
    if departure.contact:
        lines.append(_("Phone at the destination: %(contact)s.", contact=departure.contact))
    lines.append(_("(From the migration register.)"))
    described = ", ".join(str(part) for part in (departure.name, _("%(age)d years", age=departure.age),
                                                  departure.hamlet) if part)
    query = {"category": category, "child_description": described, "place": departure.destination,
             "what_happened": " ".join(lines)}
    if departure.person_id:
        query["child"] = departure.person_id
    return query
