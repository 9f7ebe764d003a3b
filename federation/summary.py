"""A month of the hub's data as true indicator counts: the first stage of the federation pipeline.

Data flow: hub database -> `build(period)` (this module, the only reader of hub models in federation) ->
`disclosure.protect()` -> bundle. Pure: the same database gives the same dict; nothing is written. The raw
form is the one of the helpers' contract: {"tables": {table: {"cells": {cell: int}, "total": int,
"records": {cell: [record, ...]}}}, "values": {"median_days_to_referral": {"days": [...]},
"savings_total_saved": {"shares": [...], "by_member": {member: amount}}, "savings_loans_outstanding": {...}}},
every table of `schema.TABLES` with every cell. A record is a string naming what a cell counts ("person:12",
"attendance:340"): disclosure keys its rounding on them (the same people, the same published value), and
they never leave the hub.

Which month a record counts in is one rule, `effective_day()`: the day of the event when the record was
entered before that month's cut-off, otherwise the day it was entered, so a late record is never lost in a
month that can no longer change. The cut-off is the month's release (a month is released once) or, until
then, the end of its seal date (the 15th of the next month). Stocks (minors away, children out of school,
savings) are counted at the month's last day by the same rule.

Consent (rule 8): no model records consent to reporting. Person.consent_by is consent to keep the record
and Case.consent_by consent to share a child's details with a service; neither is about counting, so every
record counts.

Every indicator is a few aggregate queries over date ranges (budget: under 1 s for five years of a village).
"""

from collections import defaultdict
from datetime import timedelta

import peewee
from peewee import JOIN, fn

from federation import schema
from federation.period import SEAL_DAY, month_bounds, span
from hub.audit.models import AuditEvent
from hub.cases.models import Case, Referral
from hub.curriculum.models import Topic
from hub.migration.models import ADULT_AGE, Departure
from hub.people.models import AGE_BANDS, CHILD_BANDS, Person, age_band_of
from hub.savings import ledger
from hub.savings.models import SHARE_OUT, SavingsApproval, SavingsCycle, SavingsEntry, SavingsMember
from hub.schools.models import Dropout
from hub.services.models import Service
from hub.sessions.models import Attendance, GuestCount, Meeting, MeetingFacilitator, MeetingTopic

SCHEMA_VERSION = 4  # other sex or no age band in attendance's total only; minors away summed over the quarter
UNKNOWN = "unknown"
OTHER_TOPIC = "other"


class Month:
    """The period being built: "YYYY-MM", its first and last day, the first day of the next month, and the
    cut-offs {period: "YYYY-MM-DD HH:MM:SS"} of the months already released (when each was released)."""

    def __init__(self, period, cutoffs=None):
        self.period = period
        self.first, self.next_first = month_bounds(period)
        self.last = self.next_first - timedelta(days=1)
        # Only this month's cut-off and last month's can move a record in or out of this month: a record
        # of an older month entered in this one is past that month's seal date whatever its cut-off.
        previous = (self.first - timedelta(days=1)).strftime("%Y-%m")
        self.cutoffs = {key: value for key, value in (cutoffs or {}).items() if key in (period, previous)}


def effective_day(event, entered, cutoffs=None):
    """SQL: the day a record counts on. event and entered are columns (dates or date-times).

    The event's day if the record was entered before the cut-off of the event's month (its release, when
    cutoffs has it, and never after the end of its seal date), else the day it was entered. It is never
    before the event's day, so `event < next month` is a safe, indexed pre-filter.
    """
    seal_end = fn.datetime(event, "start of month", "+1 month", f"+{SEAL_DAY} days")
    limit = seal_end
    if cutoffs:
        limit = peewee.Case(fn.strftime("%Y-%m", event), list(cutoffs.items()), None)
        limit = fn.MIN(fn.COALESCE(limit, seal_end), seal_end)
    return peewee.Case(None, [(fn.datetime(entered) < limit, fn.date(event))], fn.date(entered))


def in_month(month, event, entered):
    """SQL condition: the record counts in month."""
    day = effective_day(event, entered, month.cutoffs)
    return (event < month.next_first) & (day >= month.first.isoformat()) & (day <= month.last.isoformat())


def by_month_end(month, event, entered):
    """SQL condition: the record counts by the month's last day (for stocks)."""
    return (event < month.next_first) & (effective_day(event, entered, month.cutoffs) <= month.last.isoformat())


def band_at(birth_year, recorded_band, year):
    """A person's age band in a year: from the birth year, else the band recorded (people without a birth
    year have one band, as it was entered), else unknown."""
    if birth_year:
        age = int(year) - birth_year
        return age_band_of(age) if age >= 0 else UNKNOWN
    return recorded_band if recorded_band in AGE_BANDS else UNKNOWN


def _table(table, records):
    """A table from {cell: [record, ...]}: each cell counts its records (none where records has none). A cell
    the total includes but the schema never publishes (attendance's other_or_not_recorded) keeps its records,
    so the total counts and keys them."""
    meta = schema.TABLES[table]
    listed = {cell: sorted(records.get(cell, ())) for cell in meta["cells"] + meta["included"]}
    entry = {"cells": {cell: len(listed[cell]) for cell in meta["cells"]}, "records": listed}
    if meta["total"]:
        entry["total"] = sum(len(found) for found in listed.values())
    return entry


def _grouped(rows, prefix):
    """{cell: [prefix:id, ...]} from (cell, id) rows."""
    found = defaultdict(list)
    for cell, key in rows:
        found[cell].append(f"{prefix}:{key}")
    return found


# Sessions --------------------------------------------------------------------------------------------------

def _held(month):
    """Meetings actually held (not planned, not cancelled) that count in month."""
    return (Meeting.status == Meeting.HELD) & in_month(month, Meeting.starts_at, Meeting.created_at)


def sessions_held(month):
    """{"cells": {"life_skills": 9, "parent_meeting": 1, ...}, "total": 10}"""
    rows = Meeting.select(Meeting.kind, Meeting.id).where(_held(month)).tuples()
    return _table("sessions_held", _grouped(rows, "meeting"))


def life_skills_topics(month):
    """{"cells": {"child_rights": 4, ..., "other": 1}}: life-skills sessions held that covered each shipped
    topic; a session on topics the coordinator added counts once in "other"."""
    shipped = [cell for cell in schema.TABLES["life_skills_topics"]["cells"] if cell != OTHER_TOPIC]
    cell = peewee.Case(None, [(Topic.code.in_(shipped), Topic.code)], OTHER_TOPIC)
    rows = (MeetingTopic.select(cell, MeetingTopic.meeting).distinct()
            .join(Meeting).switch(MeetingTopic).join(Topic)
            .where(_held(month) & (Meeting.kind == Meeting.LIFE_SKILLS)).tuples())
    return _table("life_skills_topics", _grouped(rows, "meeting"))


SESSION_YEAR = fn.strftime("%Y", Meeting.starts_at)


def _present(month, *fields):
    """A query of fields over named people present at meetings held in month; callers group it."""
    # The meetings first, so SQLite reads attendance through its (meeting, person) index, not all of it.
    held = Meeting.select(Meeting.id).where(_held(month))
    return (Attendance.select(*fields).join(Meeting).switch(Attendance).join(Person)
            .where(Attendance.meeting.in_(held) & (Attendance.status == Attendance.PRESENT)))


def attendance(month):
    """({"cells": {"female.10-17": 31, ..., "male.18+": 2}, "total": 40}, the same by kind of meeting); the
    records of people of sex "other" or without an age band are kept under "other_or_not_recorded", counted
    in the total only (schema 4).

    Named people present, in their age band on the session's date (the year: bands are years apart), and
    unnamed guests in the sex and band they were counted in (the guest form asks for both); the bands and
    sexes merged as `schema.attendance_cell()` says."""
    by_band, by_kind = defaultdict(list), defaultdict(list)
    named = _present(month, Meeting.kind, Person.sex, Person.birth_year, Person.age_band, SESSION_YEAR,
                     Attendance.id).tuples()
    for kind, sex, birth_year, recorded, on_year, key in named:
        by_band[schema.attendance_cell(sex, band_at(birth_year, recorded, on_year))].append(f"attendance:{key}")
        by_kind[kind].append(f"attendance:{key}")
    guests = (GuestCount.select(Meeting.kind, GuestCount.sex, GuestCount.age_band, GuestCount.id, GuestCount.count)
              .join(Meeting).where(_held(month)).tuples())
    for kind, sex, band, key, count in guests:
        records = [f"guest:{key}:{index}" for index in range(count)]
        by_band[schema.attendance_cell(sex, band)] += records
        by_kind[kind] += records
    return _table("attendance", by_band), _table("attendance_by_kind", by_kind)


def children_reached(month):
    """{"cells": {"female": 12, "male": 9, "other": 0}, "total": 21}: distinct people under 18 on the day
    of a session held in month, present at least once (a child with no known age is not counted)."""
    rows = (_present(month, Person.id, Person.sex, Person.birth_year, Person.age_band, SESSION_YEAR)
            .group_by(Person.id, SESSION_YEAR).tuples())
    children = {person: sex for person, sex, birth_year, recorded, on_year in rows
                if band_at(birth_year, recorded, on_year) in CHILD_BANDS}
    return _table("children_reached", _grouped(((sex, person) for person, sex in children.items()), "person"))


def volunteers(month):
    """{"cells": {"active": 3}}: distinct facilitators of the sessions held in month."""
    users = (MeetingFacilitator.select(MeetingFacilitator.user).distinct().join(Meeting)
             .where(_held(month)).tuples())
    return _table("volunteers", {"active": [f"user:{user}" for (user,) in users]})


# Cases -----------------------------------------------------------------------------------------------------

def _concerns(month, prefix, condition):
    """({"cells": {category: n}, "total": n}, {"cells": {risk: n}, "total": n}) of the cases condition picks."""
    risk = peewee.Case(None, [(Case.risk.in_(Case.RISKS), Case.risk)], "not_assessed")
    rows = Case.select(Case.category, risk, Case.id).where(condition).tuples()
    by_category, by_risk = defaultdict(list), defaultdict(list)
    for category, level, key in rows:
        by_category[category].append(f"case:{key}")
        by_risk[level].append(f"case:{key}")
    return _table(f"{prefix}_by_category", by_category), _table(f"{prefix}_by_risk", by_risk)


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
    query = _referrals(month, Service.kind, Referral.id).switch(Referral).join(Service)
    return _table("referrals_by_service", _grouped(query.tuples(), "referral"))


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

    def records(condition):
        return [f"departure:{key}" for (key,) in Departure.select(Departure.id).where(condition).tuples()]

    return _table("migration", {"departures_adults": records(left & ~minor),
                                "departures_minors": records(left & minor), "returns_adults": records(back & ~minor),
                                "returns_minors": records(back & minor), "minors_away": records(away & minor)})


def school(month):
    """{"cells": {"out_of_school": 6, "dropped_out": 1, "reenrolled": 2}}: children out of school at the
    month's end, drop-outs and re-enrolments in month (the school register; like a return, a re-enrolment
    has no entry time of its own and counts in the month of reenrolled_on)."""
    out = (by_month_end(month, Dropout.left_on, Dropout.created_at)
           & (Dropout.reenrolled_on.is_null() | (Dropout.reenrolled_on > month.last)))

    def children(condition):
        return [f"person:{child}" for (child,) in Dropout.select(Dropout.child).distinct().where(condition).tuples()]

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
    table = _table("savings", {"members": [f"person:{person}" for person in saved],
                               "borrowers": [f"person:{person}" for person in borrowers]})
    return (table, {"shares": sorted(saved.values()), "by_member": {f"person:{p}": a for p, a in saved.items()}},
            {"shares": sorted(borrowers.values()), "by_member": {f"person:{p}": a for p, a in borrowers.items()}})


# Sums over a quarter or a year ---------------------------------------------------------------------------

# The table of each summed figure, from the functions above (only these are built again for the span).
_SPAN_TABLES = {
    "referrals_by_service": referrals_by_service,
    "concerns_closed_by_category": lambda month: concerns_closed(month)[0],
    "attendance_by_kind": lambda month: attendance(month)[1],
    "volunteers": volunteers,
    "sessions_held": sessions_held,
    "migration": migration,
}


def spans(period, cutoffs=None):
    """{"table:cell": [record, ...]} of the sums due with period (schema.COARSER: a quarter or a year
    ending with it), each month of the span counted as `build` counts it with the same cut-offs. A record
    is tagged with its month, so a volunteer active in three months counts three volunteer-months, and a
    minor away at the end of each month of a quarter three minor-months."""
    found = {}
    for figure, months in schema.COARSER.items():
        table, _colon, cell = figure.partition(":")
        if not span(period, months):
            continue
        found[figure] = []
        for month in span(period, months):
            built = _SPAN_TABLES[table](Month(month, cutoffs))["records"]
            chosen = [record for cell_records in built.values() for record in cell_records] if cell == "total" \
                else built[cell]
            found[figure] += [f"{record}@{month}" for record in chosen]
    return found


# The month -------------------------------------------------------------------------------------------------

def build(period, cutoffs=None):
    """The true counts of period ("YYYY-MM") in the raw form `disclosure.protect()` takes; cutoffs is
    {period: when it was released} of the months this hub has released (see `Month`)."""
    month = Month(period, cutoffs)
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
