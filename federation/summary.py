"""A month of the hub's data as true indicator counts: the first stage of the federation pipeline.

Data flow: hub database -> `build(period)` (this module, the only reader of hub models in federation) ->
`disclosure.protect()` -> bundle. Pure: the same database gives the same dict; nothing is written. The raw
form is the one of the helpers' contract: {"tables": {table: {"cells": {cell: int}, "total": int}},
"values": {"median_days_to_referral": {"days": [...]}, "savings_total_saved": {"shares": [...]},
"savings_loans_outstanding": {"shares": [...]}}}, every table of `schema.TABLES` with every cell.

Which month a record counts in is one rule, `effective_day()` (DECISIONS privacy rule 6): the day of the
event when the record was entered on or before that month's seal date (the 15th of the next month),
otherwise the day it was entered, so a late record is never lost in a month that can no longer be revised.
Stocks (minors away, children out of school, savings) are counted at the month's last day by the same rule.

Consent (rule 8): no model records consent to reporting. Person.consent_by is consent to keep the record
and Case.consent_by consent to share a child's details with a service; neither is about counting, so every
record counts.

Every indicator is a few aggregate queries over date ranges (budget: under 1 s for five years of a village).
"""

from collections import Counter, defaultdict
from datetime import timedelta

import peewee
from peewee import JOIN, fn

from federation import schema
from federation.period import SEAL_DAY, month_bounds
from hub.audit.models import AuditEvent
from hub.cases.models import Case, Referral
from hub.curriculum.models import Topic
from hub.migration.models import ADULT_AGE, Departure
from hub.people.models import AGE_BANDS, CHILD_BANDS, SEXES, Person, age_band_of
from hub.savings import ledger
from hub.savings.models import SHARE_OUT, SavingsApproval, SavingsCycle, SavingsEntry, SavingsMember
from hub.schools.models import Dropout
from hub.services.models import Service
from hub.sessions.models import Attendance, GuestCount, Meeting, MeetingFacilitator, MeetingTopic

SCHEMA_VERSION = 1
UNKNOWN = "unknown"
OTHER_TOPIC = "other"


class Month:
    """The period being built: "YYYY-MM", its first and last day, and the first day of the next month."""

    def __init__(self, period):
        self.period = period
        self.first, self.next_first = month_bounds(period)
        self.last = self.next_first - timedelta(days=1)


def effective_day(event, entered):
    """SQL: the day a record counts on (rule 6). event and entered are columns (dates or date-times).

    The event's day if the record was entered by the seal date of the event's month, else the day it was
    entered. It is never before the event's day, so `event < next month` is a safe, indexed pre-filter.
    """
    seal = fn.date(event, "start of month", "+1 month", f"+{SEAL_DAY - 1} days")
    return peewee.Case(None, [(fn.date(entered) <= seal, fn.date(event))], fn.date(entered))


def in_month(month, event, entered):
    """SQL condition: the record counts in month."""
    day = effective_day(event, entered)
    return (event < month.next_first) & (day >= month.first.isoformat()) & (day <= month.last.isoformat())


def by_month_end(month, event, entered):
    """SQL condition: the record counts by the month's last day (for stocks)."""
    return (event < month.next_first) & (effective_day(event, entered) <= month.last.isoformat())


def band_at(birth_year, recorded_band, year):
    """A person's age band in a year: from the birth year, else the band recorded (people without a birth
    year have one band, as it was entered), else unknown."""
    if birth_year:
        age = int(year) - birth_year
        return age_band_of(age) if age >= 0 else UNKNOWN
    return recorded_band if recorded_band in AGE_BANDS else UNKNOWN


def _cells(table, counts=None):
    """{cell: count} over a table's whole vocabulary, 0 where counts has none."""
    counts = counts or {}
    return {cell: int(counts.get(cell, 0)) for cell in schema.TABLES[table]["cells"]}


def _table(table, counts, total=None):
    cells = _cells(table, counts)
    entry = {"cells": cells}
    if schema.TABLES[table]["total"]:
        entry["total"] = int(sum(cells.values()) if total is None else total)
    return entry


# Sessions --------------------------------------------------------------------------------------------------

def _held(month):
    """Meetings actually held (not planned, not cancelled) that count in month."""
    return (Meeting.status == Meeting.HELD) & in_month(month, Meeting.starts_at, Meeting.created_at)


def sessions_held(month):
    """{"cells": {"life_skills": 9, "parent_meeting": 1, ...}, "total": 10}"""
    rows = Meeting.select(Meeting.kind, fn.COUNT(Meeting.id)).where(_held(month)).group_by(Meeting.kind).tuples()
    return _table("sessions_held", dict(rows))


def life_skills_topics(month):
    """{"cells": {"child_rights": 4, ..., "other": 1}}: life-skills sessions held that covered each shipped
    topic; a session on topics the coordinator added counts once in "other"."""
    shipped = [cell for cell in schema.TABLES["life_skills_topics"]["cells"] if cell != OTHER_TOPIC]
    cell = peewee.Case(None, [(Topic.code.in_(shipped), Topic.code)], OTHER_TOPIC)
    rows = (MeetingTopic.select(cell, fn.COUNT(MeetingTopic.meeting.distinct()))
            .join(Meeting).switch(MeetingTopic).join(Topic)
            .where(_held(month) & (Meeting.kind == Meeting.LIFE_SKILLS)).group_by(cell).tuples())
    return _table("life_skills_topics", dict(rows))


SESSION_YEAR = fn.strftime("%Y", Meeting.starts_at)


def _present(month, *fields):
    """A query of fields over named people present at meetings held in month; callers group it."""
    # The meetings first, so SQLite reads attendance through its (meeting, person) index, not all of it.
    held = Meeting.select(Meeting.id).where(_held(month))
    return (Attendance.select(*fields).join(Meeting).switch(Attendance).join(Person)
            .where(Attendance.meeting.in_(held) & (Attendance.status == Attendance.PRESENT)))


def attendance(month):
    """({"cells": {"female.10-14": 31, ..., "other.unknown": 0}, "total": 40}, the same by kind of meeting).

    Named people present, in their age band on the session's date (the year: bands are years apart), and
    unnamed guests in the sex and band they were counted in (the guest form asks for both)."""
    by_band, by_kind = Counter(), Counter()
    named = (_present(month, Meeting.kind, Person.sex, Person.birth_year, Person.age_band, SESSION_YEAR,
                      fn.COUNT(Attendance.id))
             .group_by(Meeting.kind, Person.sex, Person.birth_year, Person.age_band, SESSION_YEAR).tuples())
    for kind, sex, birth_year, recorded, on_year, count in named:
        by_band[f"{sex}.{band_at(birth_year, recorded, on_year)}"] += count
        by_kind[kind] += count
    guests = (GuestCount.select(Meeting.kind, GuestCount.sex, GuestCount.age_band, fn.SUM(GuestCount.count))
              .join(Meeting).where(_held(month))
              .group_by(Meeting.kind, GuestCount.sex, GuestCount.age_band).tuples())
    for kind, sex, band, count in guests:
        sex = sex if sex in SEXES else "other"
        by_band[f"{sex}.{band if band in AGE_BANDS else UNKNOWN}"] += count
        by_kind[kind] += count
    total = sum(by_kind.values())
    return _table("attendance", by_band, total), _table("attendance_by_kind", by_kind, total)


def children_reached(month):
    """{"cells": {"female": 12, "male": 9, "other": 0}, "total": 21}: distinct people under 18 on the day
    of a session held in month, present at least once (a child with no known age is not counted)."""
    rows = (_present(month, Person.id, Person.sex, Person.birth_year, Person.age_band, SESSION_YEAR)
            .group_by(Person.id, SESSION_YEAR).tuples())
    children = {person: sex for person, sex, birth_year, recorded, on_year in rows
                if band_at(birth_year, recorded, on_year) in CHILD_BANDS}
    return _table("children_reached", Counter(children.values()))


def volunteers(month):
    """{"cells": {"active": 3}}: distinct facilitators of the sessions held in month."""
    count = (MeetingFacilitator.select(fn.COUNT(MeetingFacilitator.user.distinct())).join(Meeting)
             .where(_held(month)).scalar())
    return _table("volunteers", {"active": count or 0})


# Cases -----------------------------------------------------------------------------------------------------

def _concerns(month, prefix, condition):
    """({"cells": {category: n}, "total": n}, {"cells": {risk: n}, "total": n}) of the cases condition picks."""
    risk = peewee.Case(None, [(Case.risk.in_(Case.RISKS), Case.risk)], "not_assessed")
    rows = (Case.select(Case.category, risk, fn.COUNT(Case.id)).where(condition)
            .group_by(Case.category, risk).tuples())
    by_category, by_risk = Counter(), Counter()
    for category, level, count in rows:
        by_category[category] += count
        by_risk[level] += count
    total = sum(by_category.values())
    return (_table(f"{prefix}_by_category", by_category, total), _table(f"{prefix}_by_risk", by_risk, total))


def concerns_opened(month):
    """Concerns reported in month by category and by risk (risk "not_assessed" until triaged).

    A case has no separate entry time: it is written when reported (reported_at is the hub's clock then)."""
    return _concerns(month, "concerns_opened", in_month(month, Case.reported_at, Case.reported_at))


def concerns_closed(month):
    """Cases closed in month (still closed now) by category and by risk. closed_on is set to the day the
    case worker closes it, so it is its entry day too."""
    return _concerns(month, "concerns_closed",
                     (Case.status == Case.CLOSED) & in_month(month, Case.closed_on, Case.closed_on))


def _referral_entered():
    """A subquery of (referral id as text, when it was entered): a Referral row has no created_at, but the
    audit log (append-only) records "referral.created" when it is written. Referrals without that event
    (imported, or written directly) fall back to their referral day."""
    return (AuditEvent.select(AuditEvent.object_id, fn.MIN(AuditEvent.at).alias("at"))
            .where((AuditEvent.action == "referral.created") & (AuditEvent.object_type == "referral"))
            .group_by(AuditEvent.object_id).alias("entered"))


def _referrals(month, *fields, first_only=False):
    entered = _referral_entered()
    when = fn.COALESCE(entered.c.at, Referral.referred_on)
    query = (Referral.select(*fields)
             .join(entered, JOIN.LEFT_OUTER, on=(entered.c.object_id == Referral.id.cast("TEXT")))
             .where(in_month(month, Referral.referred_on, when)))
    if first_only:
        first = Referral.alias("first")
        query = query.where(Referral.id == first.select(first.id).where(first.case == Referral.case)
                            .order_by(first.referred_on, first.id).limit(1))
    return query


def referrals_by_service(month):
    """{"cells": {"police": 2, "child_helpline": 1, ...}, "total": 3}: referrals made in month by the kind
    of service (every referral made counts, whatever came of it later)."""
    query = _referrals(month, Service.kind, fn.COUNT(Referral.id)).switch(Referral).join(Service)
    return _table("referrals_by_service", dict(query.group_by(Service.kind).tuples()))


def days_to_referral(month):
    """{"days": [0, 3, 12]}: days from report to the first referral, for concerns first referred in month."""
    return {"days": sorted(days for (days,) in _referrals(month, Referral.days_from_report, first_only=True)
                           .tuples())}


# Registers -------------------------------------------------------------------------------------------------

def migration(month):
    """{"cells": {"departures_adults": 3, "departures_minors": 1, "returns_adults": 2, "returns_minors": 0,
    "minors_away": 4}}: by age at departure. A return has no entry time of its own (returned_on is set when
    it is recorded and may not be in the future), so it counts in the month of returned_on."""
    minor = Departure.age < ADULT_AGE
    left = in_month(month, Departure.left_on, Departure.created_at)
    back = in_month(month, Departure.returned_on, Departure.returned_on)
    away = (by_month_end(month, Departure.left_on, Departure.created_at)
            & (Departure.returned_on.is_null() | (Departure.returned_on > month.last)))

    def count(condition):
        return Departure.select().where(condition).count()

    return _table("migration", {"departures_adults": count(left & ~minor), "departures_minors": count(left & minor),
                                "returns_adults": count(back & ~minor), "returns_minors": count(back & minor),
                                "minors_away": count(away & minor)})


def school(month):
    """{"cells": {"out_of_school": 6, "dropped_out": 1, "reenrolled": 2}}: children out of school at the
    month's end, drop-outs and re-enrolments in month (the school register; like a return, a re-enrolment
    has no entry time of its own and counts in the month of reenrolled_on)."""
    out = (by_month_end(month, Dropout.left_on, Dropout.created_at)
           & (Dropout.reenrolled_on.is_null() | (Dropout.reenrolled_on > month.last)))

    def children(condition):
        return Dropout.select(fn.COUNT(Dropout.child.distinct())).where(condition).scalar() or 0

    return _table("school", {
        "out_of_school": children(out),
        "dropped_out": children(in_month(month, Dropout.left_on, Dropout.created_at)),
        "reenrolled": children(in_month(month, Dropout.reenrolled_on, Dropout.reenrolled_on))})


# Savings ---------------------------------------------------------------------------------------------------

def _shared_out_by(day):
    """A query of the ids of cycles whose share-out counted by day (two keys, not reversed by then)."""
    approved = (SavingsApproval.select(SavingsApproval.entry).group_by(SavingsApproval.entry)
                .having(fn.COUNT(SavingsApproval.id) >= ledger.KEYS_NEEDED))
    reversal = SavingsEntry.alias("reversal")
    reversed_ids = reversal.select(reversal.reverses).where(reversal.reverses.is_null(False)
                                                            & (reversal.on_day <= day))
    return SavingsEntry.select(SavingsEntry.cycle).where(
        (SavingsEntry.kind == SHARE_OUT) & (SavingsEntry.on_day <= day) & SavingsEntry.id.in_(approved)
        & SavingsEntry.id.not_in(reversed_ids))


def savings(month):
    """({"cells": {"members": 24, "borrowers": 7}}, {"shares": [each member's savings]}, {"shares": [each
    borrower's outstanding]}) at the month's last day, over cycles started and not yet shared out by then.

    A person saving in two cycles is one member (her amounts added). The balances are the ledger's own
    (hub.savings.ledger) as they stood at the month's end by the entries' days: a ledger entry's day is
    when the money moved, and a stock counted at a month's end takes in every entry up to it."""
    cycles = [cycle for (cycle,) in SavingsCycle.select(SavingsCycle.id).where(
        (SavingsCycle.starts_on <= month.last) & SavingsCycle.id.not_in(_shared_out_by(month.last))).tuples()]
    person_of = dict(SavingsMember.select(SavingsMember.id, SavingsMember.person)
                     .where(SavingsMember.cycle.in_(cycles) & (SavingsMember.joined_on <= month.last)).tuples())
    saved, owed = defaultdict(int), defaultdict(int)
    for cycle in cycles:
        balances = ledger.balances_of(cycle, until=month.last)
        for member, amount in balances.savings.items():
            if member in person_of:
                saved[person_of[member]] += amount
        for member, amount in balances.owed.items():
            if member in person_of:
                owed[person_of[member]] += amount
    for person in person_of.values():
        saved[person] += 0
    borrowers = {person: amount for person, amount in owed.items() if amount > 0}
    table = _table("savings", {"members": len(saved), "borrowers": len(borrowers)})
    return table, {"shares": sorted(saved.values())}, {"shares": sorted(borrowers.values())}


# The month -------------------------------------------------------------------------------------------------

def build(period):
    """The true counts of period ("YYYY-MM") in the raw form `disclosure.protect()` takes."""
    month = Month(period)
    tables = {"sessions_held": sessions_held(month), "life_skills_topics": life_skills_topics(month)}
    tables["attendance"], tables["attendance_by_kind"] = attendance(month)
    tables["children_reached"] = children_reached(month)
    tables["concerns_opened_by_category"], tables["concerns_opened_by_risk"] = concerns_opened(month)
    tables["concerns_closed_by_category"], tables["concerns_closed_by_risk"] = concerns_closed(month)
    tables["referrals_by_service"] = referrals_by_service(month)
    tables["migration"] = migration(month)
    tables["school"] = school(month)
    tables["savings"], saved, owed = savings(month)
    tables["volunteers"] = volunteers(month)
    return {"tables": {name: tables[name] for name in schema.TABLES},
            "values": {"median_days_to_referral": days_to_referral(month), "savings_total_saved": saved,
                       "savings_loans_outstanding": owed}}
