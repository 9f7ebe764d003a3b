"""A month's true counts (federation.summary.build): every table and cell of the schema, each indicator on a
small seeded month, the rule of the month a record counts in (entered late, before and after the seal date),
stocks at the month's end, savings balances as they stood then, and a property test of the session counts."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federation import disclosure, schema, summary
from federation.period import SEAL_DAY
from hub.audit.models import AuditEvent
from hub.cases.models import Case, Referral
from hub.curriculum.models import Topic
from hub.db import database
from hub.groups.models import Group
from hub.migration.models import Departure
from hub.savings.models import (
    DEPOSIT,
    LOAN,
    REPAYMENT,
    REVERSAL,
    SavingsApproval,
    SavingsCycle,
    SavingsEntry,
    SavingsMember,
)
from hub.schools.models import Dropout
from hub.services.models import Service
from hub.sessions.models import GuestCount, Meeting
from tests.factories import make_group, make_meeting, make_person, make_user

PERIOD = "2026-10"


def at(day, hour=16):
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)


def cells(raw, table):
    return raw["tables"][table]["cells"]


def nonzero(raw, table):
    return {cell: count for cell, count in cells(raw, table).items() if count}


def entered(meeting, when):
    """Say when a meeting was typed into the hub (factories enter everything on 5 January 2026)."""
    Meeting.update(created_at=when).where(Meeting.id == meeting.id).execute()


def topic(code):
    return Topic.get(Topic.code == code)


def test_build__an_empty_month_has_every_table_and_cell_of_the_schema_at_zero(app_context):
    raw = summary.build(PERIOD)
    assert list(raw["tables"]) == list(schema.TABLES)
    for name, meta in schema.TABLES.items():
        table = raw["tables"][name]
        assert list(table["cells"]) == list(meta["cells"]) and set(table["cells"].values()) == {0}
        assert ("total" in table) == meta["total"] and table.get("total", 0) == 0
    assert raw["values"] == {"median_days_to_referral": {"days": []},
                             "savings_total_saved": {"shares": [], "by_member": {}},
                             "savings_loans_outstanding": {"shares": [], "by_member": {}}}
    assert summary.SCHEMA_VERSION in schema.SCHEMA_VERSIONS


def test_build__a_built_month_passes_disclosure_and_the_schema(app_context):
    group = make_group()
    child = make_person(group)
    make_meeting(group, at(date(2026, 10, 3)), attendance={child: "present"})
    payload = disclosure.protect(PERIOD, summary.build(PERIOD), b"k" * 32)
    schema.validate(payload, summary.SCHEMA_VERSION)


def test_sessions__only_those_held_by_kind_with_topics_and_facilitators(app_context):
    group = make_group()
    ana, ben = make_user(), make_user()
    custom = Topic.create(code=None, position=99)
    day = at(date(2026, 10, 6))
    make_meeting(group, day, topics=[topic("child_rights"), topic("trafficking")], facilitators=[ana])
    make_meeting(group, day + timedelta(days=7), topics=[topic("child_rights"), custom], facilitators=[ana, ben])
    make_meeting(group, day + timedelta(days=8), kind="parent_meeting", topics=[topic("parenting")],
                 facilitators=[ben])
    make_meeting(group, day + timedelta(days=9), status="planned", facilitators=[make_user()])
    make_meeting(group, day + timedelta(days=10), status="cancelled", topics=[topic("leadership")])
    make_meeting(group, at(date(2026, 11, 2)), topics=[topic("leadership")])  # another month
    raw = summary.build(PERIOD)
    assert nonzero(raw, "sessions_held") == {"life_skills": 2, "parent_meeting": 1}
    assert raw["tables"]["sessions_held"]["total"] == 3
    # Only life-skills sessions count by topic; a session on two custom topics would still be one "other".
    assert nonzero(raw, "life_skills_topics") == {"child_rights": 2, "trafficking": 1, "other": 1}
    assert cells(raw, "volunteers") == {"active": 2}


def test_attendance__by_sex_and_band_on_the_session_date_with_guests(app_context):
    group = make_group()
    girl = make_person(group, sex="female", birth_year=2016)      # 10 in 2026
    boy = make_person(group, sex="male", birth_year=2011)         # 15
    young_man = make_person(group, sex="male", birth_year=2008)   # 18: an adult
    other = make_person(group, sex="other", birth_year=None, age_band="6-9")
    future = make_person(group, sex="female", birth_year=2030)    # a typing error: band unknown
    absent = make_person(group, sex="female", birth_year=2015)
    first = make_meeting(group, at(date(2026, 10, 5)), attendance={
        girl: "present", boy: "present", young_man: "present", other: "present", future: "present",
        absent: "absent"})
    make_meeting(group, at(date(2026, 10, 12)), kind="awareness_event", attendance={girl: "present",
                                                                                   absent: "excused"})
    GuestCount.create(meeting=first, sex="male", age_band="25+", count=7)
    make_meeting(group, at(date(2026, 10, 19)), status="cancelled", attendance={boy: "present"})
    raw = summary.build(PERIOD)
    # Schema 3 merged sparse cells: bands 0-9, 10-17, 18+; schema 4 counts sex "other" and no age band (the
    # child recorded as "other" and the one whose birth year is a typing error) in the total only.
    assert nonzero(raw, "attendance") == {"female.10-17": 2, "male.10-17": 1, "male.18+": 8}
    assert len(raw["tables"]["attendance"]["records"][schema.OTHER_OR_NOT_RECORDED]) == 2
    assert nonzero(raw, "attendance_by_kind") == {"life_skills": 12, "awareness_event": 1}
    assert raw["tables"]["attendance"]["total"] == raw["tables"]["attendance_by_kind"]["total"] == 13
    assert sum(cells(raw, "attendance").values()) == 11


def test_children_reached__distinct_children_under_18_present_at_least_once(app_context):
    group = make_group()
    girl = make_person(group, sex="female", birth_year=2014)
    boy = make_person(group, sex="male", birth_year=2010)
    adult = make_person(group, sex="female", birth_year=2007)      # 19 in 2026
    band_only = make_person(group, sex="other", birth_year=None, age_band="10-14")
    absent = make_person(group, sex="male", birth_year=2012)
    for week in range(3):
        meeting = make_meeting(group, at(date(2026, 10, 1) + timedelta(weeks=week)),
                               attendance={girl: "present", boy: "present", adult: "present",
                                           band_only: "present", absent: "absent"})
    GuestCount.create(meeting=meeting, sex="male", age_band="10-14", count=5)  # guests are not people we know
    raw = summary.build(PERIOD)
    assert cells(raw, "children_reached") == {"female": 1, "male": 1, "other": 1}
    assert raw["tables"]["children_reached"]["total"] == 3


@pytest.mark.parametrize(("typed_on", "month"), [
    (datetime(2026, 10, 31, 23, 0), "2026-10"),   # the same month
    (datetime(2026, 11, 15, 22, 0), "2026-10"),   # the seal day itself: still October
    (datetime(2026, 11, 16, 8, 0), "2026-11"),    # after the seal: the month it was entered
    (datetime(2027, 2, 3, 8, 0), "2027-02"),      # months later
    (datetime(2026, 9, 20, 8, 0), "2026-10"),     # planned ahead: the month it was held
])
def test_effective_month__a_late_record_counts_in_the_month_it_was_entered_after_the_seal(app_context, typed_on,
                                                                                          month):
    group = make_group()
    child = make_person(group)
    entered(make_meeting(group, at(date(2026, 10, 20)), attendance={child: "present"}), typed_on)
    for period in ("2026-10", "2026-11", "2027-02"):
        raw = summary.build(period)
        expected = 1 if period == month else 0
        assert raw["tables"]["sessions_held"]["total"] == expected, period
        assert raw["tables"]["attendance"]["total"] == expected, period
        assert raw["tables"]["children_reached"]["total"] == expected, period


def test_effective_month__a_late_departure_and_drop_out_count_when_entered(app_context):
    committee = make_group(kind=Group.VIGILANCE_COMMITTEE)
    Departure.create(committee=committee, name="A", age=15, left_on=date(2026, 9, 28), destination="Delhi",
                     purpose="work", created_at=datetime(2026, 10, 20, 9))      # after September's seal
    Dropout.create(child=make_person(), left_on=date(2026, 9, 1), reason="work",
                   created_at=datetime(2026, 10, 16, 9))
    september, october = summary.build("2026-09"), summary.build("2026-10")
    assert nonzero(september, "migration") == {} and nonzero(september, "school") == {}
    assert nonzero(october, "migration") == {"departures_minors": 1, "minors_away": 1}
    assert nonzero(october, "school") == {"out_of_school": 1, "dropped_out": 1}


def make_case(category="child_labour", risk="", reported=datetime(2026, 10, 3, 10), **overrides):
    return Case.create(category=category, risk=risk, reported_at=reported, **overrides)


def test_concerns__opened_and_closed_by_category_and_by_risk(app_context):
    make_case("child_labour", "high")
    make_case("child_labour")                                     # not triaged yet
    make_case("trafficking", "immediate", reported=datetime(2026, 10, 31, 23, 50))
    make_case("neglect", "low", reported=datetime(2026, 9, 30, 23, 50))   # September
    make_case("neglect", "low", reported=datetime(2026, 8, 2), status=Case.CLOSED, closed_on=date(2026, 10, 9),
              closed_reason="safe")
    make_case("child_marriage", "medium", status=Case.CLOSED, closed_on=date(2026, 10, 30), closed_reason="x")
    make_case("other", "medium", reported=datetime(2026, 7, 1), status=Case.FOLLOW_UP)  # reopened: not closed
    raw = summary.build(PERIOD)
    assert nonzero(raw, "concerns_opened_by_category") == {"child_labour": 2, "trafficking": 1,
                                                           "child_marriage": 1}
    assert nonzero(raw, "concerns_opened_by_risk") == {"high": 1, "not_assessed": 1, "immediate": 1,
                                                       "medium": 1}
    assert raw["tables"]["concerns_opened_by_category"]["total"] == 4
    assert raw["tables"]["concerns_opened_by_risk"]["total"] == 4
    assert nonzero(raw, "concerns_closed_by_category") == {"neglect": 1, "child_marriage": 1}
    assert nonzero(raw, "concerns_closed_by_risk") == {"low": 1, "medium": 1}
    assert raw["tables"]["concerns_closed_by_risk"]["total"] == 2


def refer(case, service, day, typed_at=None):
    referral = Referral.create(case=case, service=service, referred_on=day, reason="help",
                               days_from_report=(day - case.reported_at.date()).days)
    if typed_at is not None:
        AuditEvent.create(at=typed_at, action="referral.created", object_type="referral",
                          object_id=str(referral.id))
    return referral


def test_referrals__by_service_kind_and_days_to_the_first_referral(app_context):
    police = Service.create(name="Thana", kind="police")
    helpline = Service.create(name="1098", kind="child_helpline")
    first = make_case(reported=datetime(2026, 10, 1, 9))
    refer(first, police, date(2026, 10, 1), datetime(2026, 10, 1, 12))
    refer(first, helpline, date(2026, 10, 20), datetime(2026, 10, 20, 12))   # not the first: no days
    second = make_case(reported=datetime(2026, 9, 1, 9))
    refer(second, helpline, date(2026, 10, 11))                             # no audit event: its own day
    third = make_case(reported=datetime(2026, 9, 1, 9))
    refer(third, police, date(2026, 9, 20), datetime(2026, 9, 20, 12))      # first referred in September
    refer(third, police, date(2026, 10, 2), datetime(2026, 10, 2, 12))
    raw = summary.build(PERIOD)
    assert nonzero(raw, "referrals_by_service") == {"police": 2, "child_helpline": 2}
    assert raw["tables"]["referrals_by_service"]["total"] == 4
    assert raw["values"]["median_days_to_referral"] == {"days": [0, 40]}


def test_referrals__one_typed_after_the_seal_counts_in_the_month_it_was_typed(app_context):
    police = Service.create(name="Thana", kind="police")
    case = make_case(reported=datetime(2026, 9, 25, 9))
    refer(case, police, date(2026, 9, 28), datetime(2026, 10, 18, 12))
    september, october = summary.build("2026-09"), summary.build("2026-10")
    assert september["tables"]["referrals_by_service"]["total"] == 0
    assert september["values"]["median_days_to_referral"] == {"days": []}
    assert nonzero(october, "referrals_by_service") == {"police": 1}
    assert october["values"]["median_days_to_referral"] == {"days": [3]}


def test_migration__departures_and_returns_in_the_month_and_minors_away_at_its_end(app_context):
    committee = make_group(kind=Group.VIGILANCE_COMMITTEE)

    def left(age, on, back=None):
        Departure.create(committee=committee, name="X", age=age, left_on=on, destination="Surat", purpose="work",
                         returned_on=back, created_at=at(on))

    left(30, date(2026, 10, 2))
    left(16, date(2026, 10, 5))
    left(17, date(2026, 10, 6), back=date(2026, 10, 25))          # left and came back within the month
    left(14, date(2026, 6, 1))                                     # away since June
    left(15, date(2026, 7, 1), back=date(2026, 11, 3))             # still away on 31 October
    left(13, date(2026, 8, 1), back=date(2026, 10, 31))            # back on the last day
    left(40, date(2026, 5, 1), back=date(2026, 10, 10))
    left(16, date(2026, 11, 1))                                    # after the month
    assert cells(summary.build(PERIOD), "migration") == {
        "departures_adults": 1, "departures_minors": 2, "returns_adults": 1, "returns_minors": 2, "minors_away": 3}


def test_school__out_of_school_at_the_month_end_dropped_out_and_reenrolled_in_it(app_context):
    def dropout(on, back=None):
        Dropout.create(child=make_person(), left_on=on, reason="work", reenrolled_on=back,
                       reenrolled_school="Primary school" if back else "", created_at=at(on))

    dropout(date(2026, 3, 1))                                 # out all year
    dropout(date(2026, 10, 4))                                # dropped out in October
    dropout(date(2026, 5, 4), back=date(2026, 10, 20))        # back in October
    dropout(date(2026, 5, 4), back=date(2026, 11, 2))         # still out on 31 October
    dropout(date(2026, 11, 4))                                # later
    assert cells(summary.build(PERIOD), "school") == {"out_of_school": 3, "dropped_out": 1, "reenrolled": 1}


class Savings:
    """A cycle of five savers (two officers) written row by row, so every entry's day is the test's."""

    def __init__(self, starts_on=date(2026, 1, 10)):
        group = make_group(kind=Group.MOTHERS_GROUP)
        self.cycle = SavingsCycle.create(group=group, name="2026", starts_on=starts_on, ends_on=date(2026, 12, 20),
                                         share_value=5000, social_amount=1000, rate_bp=200,
                                         created_at=at(starts_on))
        self.members = [SavingsMember.create(cycle=self.cycle, person=make_person(birth_year=1990),
                                             joined_on=starts_on) for _ in range(5)]

    def entry(self, kind, member, amount, day, **extra):
        return SavingsEntry.create(cycle=self.cycle, kind=kind, member=member, amount=amount, on_day=day,
                                   created_at=at(day), **extra)

    def loan(self, member, amount, day):
        loan = self.entry(LOAN, member, amount, day, interest=0, rate_bp=0, months=1)
        for officer in self.members[:2]:
            SavingsApproval.create(entry=loan, officer=officer, approved_at=at(day))
        return loan


def test_savings__members_borrowers_and_balances_at_the_month_end_not_today(app_context):
    book = Savings()
    for index, member in enumerate(book.members):
        book.entry(DEPOSIT, member, 1000 * (index + 1), date(2026, 9, 5))
        book.entry(DEPOSIT, member, 500, date(2026, 11, 5))             # after October: not in its balance
    loan = book.loan(book.members[3], 2000, date(2026, 10, 7))
    book.entry(REPAYMENT, book.members[3], 500, date(2026, 10, 28), ref=loan)
    book.entry(REPAYMENT, book.members[3], 1500, date(2026, 11, 28), ref=loan)  # repaid in full later
    # A loan without its two keys counts nowhere.
    book.entry(LOAN, book.members[4], 900, date(2026, 10, 8), interest=0, rate_bp=0, months=1)
    october = summary.build(PERIOD)
    assert cells(october, "savings") == {"members": 5, "borrowers": 1}
    assert october["values"]["savings_total_saved"]["shares"] == [1000, 2000, 3000, 4000, 5000]
    assert october["values"]["savings_loans_outstanding"]["shares"] == [1500]
    november = summary.build("2026-11")
    assert cells(november, "savings") == {"members": 5, "borrowers": 0}
    assert november["values"]["savings_total_saved"]["shares"] == [1500, 2500, 3500, 4500, 5500]
    assert november["values"]["savings_loans_outstanding"]["shares"] == []


def test_savings__a_reversal_counts_from_its_own_day(app_context):
    book = Savings()
    for member in book.members:
        book.entry(DEPOSIT, member, 1000, date(2026, 10, 5))
    mistaken = book.entry(DEPOSIT, book.members[0], 9000, date(2026, 10, 6))
    book.entry(REVERSAL, None, 9000, date(2026, 11, 2), reverses=mistaken)
    assert summary.build(PERIOD)["values"]["savings_total_saved"]["shares"] == [1000, 1000, 1000, 1000, 10000]
    assert summary.build("2026-11")["values"]["savings_total_saved"]["shares"] == [1000] * 5


def test_savings__a_cycle_not_started_by_the_month_end_counts_nowhere(app_context):
    Savings(starts_on=date(2026, 11, 2))
    assert cells(summary.build(PERIOD), "savings") == {"members": 0, "borrowers": 0}
    assert cells(summary.build("2026-11"), "savings") == {"members": 5, "borrowers": 0}


def test_build__refuses_a_period_that_is_not_a_month(app_context):
    with pytest.raises(ValueError):
        summary.build("2026-13")


# A property: whatever sessions exist, held ones count once, in the month the rule gives, and attendance
# totals agree with their cells. The oracle below restates rule 6 in plain Python.

def oracle_month(held_on, typed_on):
    first_next = date(held_on.year + held_on.month // 12, held_on.month % 12 + 1, 1)
    seal = first_next.replace(day=SEAL_DAY)
    day = held_on if typed_on <= seal else typed_on
    return f"{day.year:04d}-{day.month:02d}"


SESSIONS = st.lists(st.tuples(st.sampled_from(Meeting.KINDS), st.sampled_from(Meeting.STATUSES),
                              st.dates(date(2026, 8, 1), date(2026, 12, 31)), st.integers(-20, 90),
                              st.integers(0, 3)), max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sessions=SESSIONS)
def test_property__sessions_count_once_in_the_month_of_the_rule(app_context, sessions):
    with database.atomic() as transaction:
        group = make_group()
        children = [make_person(group, birth_year=2015) for _ in range(3)]
        expected = {}
        for kind, status, held_on, delay, present in sessions:
            meeting = make_meeting(group, at(held_on), status=status, kind=kind,
                                   attendance={child: "present" for child in children[:present]})
            typed = at(held_on + timedelta(days=delay), hour=9)
            entered(meeting, typed)
            if status == Meeting.HELD:
                month = oracle_month(held_on, typed.date())
                held, attended, reached = expected.get(month, (0, 0, 0))
                # children[:present] are nested, so the children reached are the largest of them.
                expected[month] = (held + 1, attended + present, max(reached, present))
        for period in ("2026-08", "2026-09", "2026-10", "2026-11", "2026-12", "2027-01", "2027-02", "2027-03"):
            raw = summary.build(period)
            held, attended, reached = expected.get(period, (0, 0, 0))
            tables = raw["tables"]
            assert tables["sessions_held"]["total"] == sum(tables["sessions_held"]["cells"].values()) == held
            assert tables["attendance"]["total"] == tables["attendance_by_kind"]["total"] == attended
            assert sum(tables["attendance"]["cells"].values()) == attended
            assert tables["children_reached"]["cells"] == {"female": reached, "male": 0, "other": 0}
        transaction.rollback()
