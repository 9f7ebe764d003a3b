"""Attacks on the published summaries, judged from the district's side (issue 19, docs/privacy.md).

Each scenario builds a village with the factories, releases months as the hub's job would, and hands
everything the hub ever released (every month, every revision in the outbox) to an attacker: a linear
program (scipy's HiGHS) over all those releases and the identities that bind them (a total is the sum of
its cells, tables of the same people share one total, topics are parts of the life-skills sessions, a
month-end stock is last month's plus arrivals minus departures, counts are >= 0). For every published
count it finds the least and the most the truth can be. A scenario passes only when nothing is narrowed:
every "<5" can still be 0 and 4, and every rounded count keeps at least 5 possible values. The attacker
is written apart from federation/linked.py (the hub's own audit), so each checks the other.
"""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import optimize

from federation import bundle, linked, outbox, publish, schema, signing, summary
from federation.period import span
from hub import clock
from hub.db import database
from hub.groups.models import Group
from hub.migration.models import Departure
from hub.savings.models import DEPOSIT, SavingsCycle, SavingsEntry, SavingsMember
from hub.schools.models import Dropout
from tests.factories import make_group, make_meeting, make_person, make_user

LESS_THAN_FIVE = "<5"


# The attacker ---------------------------------------------------------------------------------------------

def interval(value):
    if value is None:
        return 0, None
    if value == LESS_THAN_FIVE:
        return 0, 4
    if value == 0:
        return 0, 0  # schema 1 published exact zeros outside the case family
    return max(5, value - 4), value + 4


def periods_between(first, last):
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        yield f"{year:04d}-{month:02d}"
        year, month = year + month // 12, month % 12 + 1


class Attack:
    """Everything the district holds about one hub as one linear program."""

    def __init__(self, releases):
        self.bounds, self.published, self.equal, self.below, self.hidden = [], {}, [], [], {}
        self.index = {}
        for period, payloads in releases.items():
            for revision, payload in enumerate(payloads):
                self._release((period, revision), payload)
        latest = {period: payloads[-1] for period, payloads in releases.items()}
        self._stocks(latest)
        self._sums({period: len(payloads) - 1 for period, payloads in releases.items()}, latest)

    def _sums(self, revisions, latest):
        """A sum over a quarter or a year ("coarser") is the sum of one cell, or one total, of its months."""
        for period, payload in latest.items():
            for figure, value in payload.get("coarser", {}).items():
                table, _colon, cell = figure.partition(":")
                unit = next((unit for unit, names in linked.groups().items() if table in names), table)
                what = (unit, cell) if cell == "total" else (table, cell)
                parts = [self.var(((month, revisions.get(month, 0)), *what))
                         for month in span(period, schema.COARSER[figure])]
                whole = self.var(((period, revisions[period]), "coarser", figure), value, published=True)
                self.equal.append({**dict.fromkeys(parts, 1), whole: -1})

    @staticmethod
    def included(name, table):
        """Counts a schema 4 total includes without a cell (attendance of other sex or no age band)."""
        meta = schema.tables(4)[name]
        return meta["included"] if set(table["cells"]) == set(meta["cells"]) else ()

    def hidden_var(self, name):
        """A count the release never shows: it must keep every value from 0 to 4 possible."""
        column = self.var(name)
        self.hidden[name] = column
        return column

    def var(self, name, value=None, published=False):
        if name not in self.index:
            self.index[name] = len(self.bounds)
            self.bounds.append(interval(value))
            if published and value is not None:
                self.published[name] = value
        return self.index[name]

    def _release(self, key, payload):
        tables = payload["tables"]
        for unit, names in linked.groups().items():
            total = None
            for name in names:
                if name not in tables or name in linked.BOUNDED:
                    continue
                if total is None:
                    total = self.var((key, unit, "total"), tables[name].get("total"), published=True)
                cells = [self.var((key, name, cell), value, published=True)
                         for cell, value in tables[name]["cells"].items()]
                cells += [self.hidden_var((key, name, cell)) for cell in self.included(name, tables[name])]
                self.equal.append({**dict.fromkeys(cells, 1), total: -1})
        for name, table in tables.items():
            for cell, value in table["cells"].items():
                self.var((key, name, cell), value, published=True)
            if name in linked.BOUNDED and linked.BOUNDED[name][0] in tables:
                whole = self.var((key, *linked.BOUNDED[name]))
                for cell in table["cells"]:
                    self.below.append({self.var((key, name, cell)): 1, whole: -1})

    def _stocks(self, latest):
        months = list(periods_between(min(latest), max(latest)))
        for table, (stock, arrivals, departures) in linked.STOCKS.items():
            previous = self.var((table, "before"))
            for period in months:
                key = (period, 0)
                cells = latest.get(period, {"tables": {}})["tables"].get(table, {"cells": {}})["cells"]
                now = self.var((key, table, stock), cells.get(stock), published=stock in cells)
                come = self.var((key, table, arrivals), cells.get(arrivals), published=arrivals in cells)
                gone = self.var((key, table, departures), cells.get(departures), published=departures in cells)
                self.equal.append({now: 1, previous: -1, come: -1, gone: 1})
                previous = now

    def components(self):
        """[(columns, equal rows, below rows)]: the variables split into the groups constraints join."""
        parent = list(range(len(self.bounds)))

        def root(column):
            while parent[column] != column:
                parent[column] = parent[parent[column]]
                column = parent[column]
            return column

        for row in self.equal + self.below:
            first, *rest = row
            for column in rest:
                parent[root(column)] = root(first)
        found = {}
        for column in range(len(self.bounds)):
            found.setdefault(root(column), ([], [], []))[0].append(column)
        for rows, slot in ((self.equal, 1), (self.below, 2)):
            for row in rows:
                found[root(next(iter(row)))][slot].append(row)
        return list(found.values())

    def ranges(self):
        """{variable name: (least, most)} of every published count, or None when the releases contradict."""
        names = {column: name for name, column in self.index.items() if name in self.published or name in self.hidden}
        found = {}
        for columns, equal, below in self.components():
            local = {column: position for position, column in enumerate(columns)}

            def matrix(rows, local=local):
                lines = [[0] * len(local) for _ in rows]
                for line, row in zip(lines, rows, strict=True):
                    for column, weight in row.items():
                        line[local[column]] += weight
                return lines or None

            a_eq, a_ub = matrix(equal), matrix(below)
            bounds = [self.bounds[column] for column in columns]
            for column in columns:
                if column not in names:
                    continue
                if not equal and not below:
                    found[names[column]] = self.bounds[column]
                    continue
                ends = []
                for sign in (1, -1):
                    cost = [0] * len(columns)
                    cost[local[column]] = sign
                    result = optimize.linprog(cost, A_ub=a_ub, b_ub=[0] * len(below) if below else None,
                                              A_eq=a_eq, b_eq=[0] * len(equal) if equal else None,
                                              bounds=bounds, method="highs")
                    if result.status == 2:
                        return None
                    ends.append(sign * result.fun if result.status == 0 else None)  # 3: unbounded above
                found[names[column]] = (round(ends[0]), None if ends[1] is None else round(ends[1]))
        return found


def narrowed(releases):
    """[(variable, published, feasible range)] of every count the releases narrow, as the attacker sees it."""
    attack = Attack(releases)
    ranges = attack.ranges()
    assert ranges is not None, "the releases contradict each other"
    found = []
    for name in attack.hidden:  # a count shown nowhere must still be any of 0 to 4
        low, high = ranges[name]
        if low > 0 or (high is not None and high < 4):
            found.append((name, "hidden", (low, high)))
    for name, value in attack.published.items():
        low, high = ranges[name]
        if value == LESS_THAN_FIVE and (low > 0 or high is None or high < 4):
            found.append((name, value, (low, high)))
        elif value != LESS_THAN_FIVE and high is not None and high - low + 1 < 5:
            found.append((name, value, (low, high)))
    return found


def blank(period_tables):
    """A schema 2 payload: every table of the schema all "<5" (totals too), then period_tables' cells."""
    tables = {}
    for name, meta in schema.TABLES.items():
        tables[name] = {"cells": dict.fromkeys(meta["cells"], LESS_THAN_FIVE)}
        if meta["total"]:
            tables[name]["total"] = LESS_THAN_FIVE
    for name, cells in period_tables.items():
        tables[name]["cells"].update(cells)
    return {"tables": tables, "values": {}}


def test_the_attacker_sees_what_the_issue_saw():
    """Without the protection, the attacks of issue 19 narrow counts: the solver is not blind."""
    # Stock and flow: minors away "<5" then 5 with departures "<5": at least one minor left.
    found = narrowed({"2026-01": [blank({})], "2026-02": [blank({"migration": {"minors_away": 5}})]})
    assert (("2026-02", 0), "migration", "departures_minors") in [name for name, _, _ in found]
    # Double rounding, with schema 1's exact zeros: attendance by band 10 alone, by kind 15 alone, each
    # rounded on its own: 11 to 14 is all that is left of the total.
    tables = blank({"attendance": {cell: 0 for cell in schema.TABLES["attendance"]["cells"]},
                    "attendance_by_kind": {cell: 0 for cell in schema.TABLES["attendance_by_kind"]["cells"]}})
    tables["tables"]["attendance"]["cells"]["female.10-17"] = 10
    tables["tables"]["attendance_by_kind"]["cells"]["life_skills"] = 15
    tables["tables"]["attendance"]["total"] = tables["tables"]["attendance_by_kind"]["total"] = None
    assert narrowed({"2026-01": [tables]})
    # A quarter's sum of 15 volunteer-months over three months of "<5": each month was 3 or 4.
    quarter = {period: [blank({})] for period in ("2026-01", "2026-02", "2026-03")}
    quarter["2026-03"][0]["coarser"] = {"volunteers:active": 15}
    assert (("2026-01", 0), "volunteers", "active") in [name for name, _, _ in narrowed(quarter)]
    # A sticky stock of 10 that moves to 5 with "<5" flows in between narrows nothing; 15 to 5 does.
    assert narrowed({"2026-01": [blank({"school": {"out_of_school": 15}})],
                     "2026-02": [blank({"school": {"out_of_school": 5}})]})


# The village ----------------------------------------------------------------------------------------------

@pytest.fixture
def hub(app_context, data_dir):
    return signing.load_or_create(data_dir, signing.HUB)


def release(period, identity, monkeypatch, on=None):
    """Release period as the hub's job does, on the day (and at 09:00) given, by default the 2nd of the
    next month; -> the publish Result."""
    first_next = date(int(period[:4]) + int(period[5:]) // 12, int(period[5:]) % 12 + 1, 2)
    on = on or first_next
    monkeypatch.setattr(clock, "now", lambda: datetime.combine(on, datetime.min.time()) + timedelta(hours=9))
    return publish.publish(period, on, identity)


def everything_released():
    """{period: [payload of each revision, oldest first]}: all the district can hold from this hub."""
    found = {}
    for row in outbox.OutboxBundle.select().order_by(outbox.OutboxBundle.period, outbox.OutboxBundle.revision):
        document = bundle.read_bundle(bytes(row.content))
        schema.validate(document["payload"], document["schema_version"])
        found.setdefault(row.period, []).append(document["payload"])
    return found


def at(day, hour=16):
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)


def depart(committee, age, left_on, returned_on=None, entered=None):
    return Departure.create(committee=committee, name="X", age=age, left_on=left_on, destination="Surat",
                            purpose="work", returned_on=returned_on, created_at=entered or at(left_on))


def meet(group, when, kind="life_skills", people=()):
    """A session held at when, typed in the same day, attended by people."""
    from hub.sessions.models import Meeting

    meeting = make_meeting(group, when, kind=kind, attendance={person: "present" for person in people})
    Meeting.update(created_at=when).where(Meeting.id == meeting.id).execute()
    return meeting


def months(first, count):
    return list(periods_between(first, "9999-12"))[:count]


# The attacks ----------------------------------------------------------------------------------------------

def test_stock_and_flow__a_stock_crossing_5_while_its_flow_is_hidden_tells_nothing(hub, monkeypatch):
    committee = make_group(kind=Group.VIGILANCE_COMMITTEE)
    for day in (3, 5, 7, 9):
        depart(committee, 15, date(2026, 1, day))             # four minors away from January
    depart(committee, 16, date(2026, 2, 12))                  # a fifth leaves in February
    for period in months("2026-01", 3):
        assert release(period, hub, monkeypatch).made
    released = everything_released()
    assert narrowed(released) == []
    january = released["2026-01"][0]["tables"]["migration"]["cells"]
    assert january["minors_away"] == january["departures_minors"] == LESS_THAN_FIVE
    # February cannot say both "5 or more away" and "<5 left" beside January's "<5": the table is left out.
    february = released["2026-02"][0]["tables"].get("migration")
    assert february is None or february["cells"]["minors_away"] == LESS_THAN_FIVE


def test_stock_and_flow__minors_away_summed_over_quarters_narrow_no_month(hub, monkeypatch):
    """Schema 4 also publishes the minor-months away of each quarter (the sum of its three month-end stocks).
    The attacker adds each sum to the chain stock = previous stock + departures - returns: no month's
    stock, departures or returns, and no sum, may be narrowed by it, in the quarter or across quarters."""
    committee = make_group(kind=Group.VIGILANCE_COMMITTEE)
    for day in (3, 5, 7):
        depart(committee, 15, date(2026, 1, day))                                  # three away from January
    depart(committee, 16, date(2026, 2, 12), returned_on=date(2026, 5, 20))       # one more, back in May
    for day in (4, 8, 12, 16, 20, 24):
        depart(committee, 14, date(2026, 4, day))                                  # six leave in April
    for period in months("2026-01", 9):
        assert release(period, hub, monkeypatch).made
    released = everything_released()
    sums = {period: released[period][0].get("coarser", {}).get("migration:minors_away")
            for period in ("2026-03", "2026-06", "2026-09")}
    assert sums["2026-03"] in (None, 10)                       # 3 + 4 + 4 = 11 minor-months
    assert sums["2026-06"] in (None, 25, 30) and sums["2026-09"] in (None, 25, 30)   # 28 and 27
    assert any(value is not None for value in sums.values())
    assert narrowed(released) == []
    # The attacker does see what an unaudited sum would tell: 15 (11 to 19) over three "<5" stocks.
    unaudited = {"2026-01": [blank({})], "2026-02": [blank({})],
                 "2026-03": [{**blank({}), "coarser": {"migration:minors_away": 15}}]}
    assert (("2026-01", 0), "migration", "minors_away") in [name for name, _, _ in narrowed(unaudited)]


def test_the_attacker_sees_a_hidden_count_pinned_by_the_total():
    """Schema 4: a total of 70 (66 to 74) beside 20 and 20 (16 to 24 each) and four "<5" cells says that
    at least 2 attendances were of people of other sex or without an age band."""
    pinned = blank({"attendance": {"female.10-17": 20, "male.10-17": 20}, "attendance_by_kind": {"life_skills": 70}})
    pinned["tables"]["attendance"]["total"] = pinned["tables"]["attendance_by_kind"]["total"] = 70
    found = narrowed({"2026-05": [pinned]})
    assert ((("2026-05", 0), "attendance", schema.OTHER_OR_NOT_RECORDED), "hidden", (2, 42)) in found


def test_a_late_record_never_revises_a_released_month(hub, monkeypatch):
    committee = make_group(kind=Group.VIGILANCE_COMMITTEE)
    for day in (3, 5, 7, 9):
        depart(committee, 15, date(2026, 1, day))
    assert release("2026-01", hub, monkeypatch).made
    # A January departure typed in on 6 February, after January's release (2 February).
    depart(committee, 14, date(2026, 1, 20), entered=at(date(2026, 2, 6)))
    again = release("2026-01", hub, monkeypatch, on=date(2026, 2, 10))
    assert (again.made, again.revision) == (False, 1)
    assert release("2026-02", hub, monkeypatch).made
    released = everything_released()
    assert [len(revisions) for revisions in released.values()] == [1, 1]   # no revision to compare
    assert narrowed(released) == []
    cutoffs = {"2026-01": "2026-02-02 09:00:00"}
    assert summary.build("2026-02", cutoffs)["tables"]["migration"]["cells"]["departures_minors"] == 1


def test_no_sticky_value__the_same_children_give_the_same_figure_and_a_change_is_a_fresh_draw(hub, monkeypatch):
    children = [make_person(birth_year=2014) for _ in range(12)]
    for child in children:
        Dropout.create(child=child, left_on=date(2026, 1, 4), reason="work", created_at=at(date(2026, 1, 4)))
    for child in children[:7]:   # seven re-enrolled in April
        Dropout.update(reenrolled_on=date(2026, 4, 10), reenrolled_school="Primary school").where(
            Dropout.child == child).execute()
    for period in months("2026-01", 5):
        assert release(period, hub, monkeypatch).made
    released = everything_released()
    stock = [released[period][0]["tables"].get("school", {}).get("cells", {}).get("out_of_school")
             for period in months("2026-01", 5)]
    assert stock[0] == stock[1] == stock[2] in (10, 15)       # the same 12 children: one figure, no average
    assert narrowed(released) == []


def test_no_revision_to_compare_with_the_interval_audit(hub, monkeypatch):
    group = make_group()
    children = [make_person(group) for _ in range(3)]
    for index in range(3):
        make_meeting(group, at(date(2026, 3, 3 + index)), kind="life_skills",
                     attendance={child: "present" for child in children})
    first = release("2026-03", hub, monkeypatch)
    meeting = make_meeting(group, at(date(2026, 3, 20)), kind="parent_meeting", attendance={children[0]: "present"})
    from hub.sessions.models import Meeting
    Meeting.update(created_at=at(date(2026, 4, 5))).where(Meeting.id == meeting.id).execute()
    second = release("2026-03", hub, monkeypatch, on=date(2026, 4, 6))
    assert second.made is False and second.payload == first.payload
    assert release("2026-04", hub, monkeypatch).made
    assert narrowed(everything_released()) == []


def test_people_counts__one_girl_who_stops_coming_is_not_followed_from_month_to_month(hub, monkeypatch):
    group = make_group()
    girl = make_person(group, sex="female", birth_year=2010)     # the only girl aged 15-17
    other = make_person(group, sex="other", birth_year=2014)     # the only child recorded as "other"
    boys = [make_person(group, sex="male", birth_year=2014) for _ in range(8)]
    make_meeting(group, at(date(2026, 5, 6)), attendance={person: "present" for person in [girl, other, *boys]})
    make_meeting(group, at(date(2026, 6, 6)), attendance={person: "present" for person in boys})
    for period in ("2026-05", "2026-06"):
        assert release(period, hub, monkeypatch).made
    released = everything_released()
    for period in ("2026-05", "2026-06"):
        tables = released[period][0]["tables"]
        for name in ("attendance", "children_reached"):
            assert 0 not in tables[name]["cells"].values()         # never an exact zero beside "<5"
        assert tables["attendance"]["cells"]["female.10-17"] == LESS_THAN_FIVE
        assert tables["children_reached"]["cells"]["other"] == LESS_THAN_FIVE
    assert narrowed(released) == []


def weekly(group, first, count, people):
    for week in range(count):
        make_meeting(group, at(first + timedelta(weeks=week)), attendance={person: "present" for person in people})


def test_people_counts__the_only_girl_aged_15_17_who_comes_every_week_then_stops_has_no_cell_of_her_own(
        hub, monkeypatch):
    """Schema 2 gave her band a cell: five sessions in May made "female.15-17" 5, and June's "<5" told the
    district she had stopped. Schema 3 counts her with the girls aged 10 to 14 (band 10-17)."""
    group = make_group()
    girl = make_person(group, sex="female", birth_year=2010)                # 16 in 2026: the only one
    younger = [make_person(group, sex="female", birth_year=2014) for _ in range(6)]
    boys = [make_person(group, sex="male", birth_year=2014) for _ in range(8)]
    weekly(group, date(2026, 5, 3), 5, [girl, *younger, *boys])             # five Sundays in May
    weekly(group, date(2026, 6, 7), 4, [*younger, *boys])                   # she stops coming in June
    for period in ("2026-05", "2026-06", "2026-07"):
        assert release(period, hub, monkeypatch).made
    released = everything_released()
    for period, girls in (("2026-05", (35,)), ("2026-06", (20, 25))):      # 7 girls x 5, then 6 x 4
        cells = released[period][0]["tables"]["attendance"]["cells"]
        assert set(cells) == set(schema.TABLES["attendance"]["cells"])      # no cell of the band 15-17
        assert not any("15-17" in cell for cell in cells)
        assert cells["female.10-17"] in girls                               # her 5 among the younger girls'
    assert narrowed(released) == []


def test_people_counts__the_only_child_recorded_as_other_is_not_followed_and_has_no_cell_by_band(hub, monkeypatch):
    """Schema 2 published "other.10-14": a cell about the one child recorded as "other", aged 10 to 14.
    Schema 3 had one cell for sex "other" and for people without an age band, whatever their age; schema 4
    counts them in attendance's total only."""
    group = make_group()
    child = make_person(group, sex="other", birth_year=2013)
    others = [make_person(group, sex=sex, birth_year=2013) for sex in ("female", "male") * 4]
    weekly(group, date(2026, 5, 4), 4, [child, *others])                  # weekly, four times in May
    weekly(group, date(2026, 6, 1), 4, others)                             # then she stops coming
    for period in ("2026-05", "2026-06", "2026-07"):
        assert release(period, hub, monkeypatch).made
    released = everything_released()
    months_seen = set()
    for period in ("2026-05", "2026-06", "2026-07"):
        tables = released[period][0]["tables"]
        assert not any(cell.startswith("other") for cell in tables["attendance"]["cells"])
        months_seen.add(tables["children_reached"]["cells"]["other"])
    assert months_seen == {LESS_THAN_FIVE}                                # the same in every month
    assert narrowed(released) == []


def test_people_counts__the_only_child_recorded_as_other_who_comes_often_is_in_the_total_only(hub, monkeypatch):
    """Schema 3 published her 5 attendances of May as other_or_not_recorded = 5: whoever knew she was the
    only child recorded as "other" learnt that she came every week. Schema 4 has no such cell, and the total
    with every other cell must leave her count anything from 0 to 4 (the attacker's hidden count)."""
    group = make_group()
    child = make_person(group, sex="other", birth_year=2013)
    others = [make_person(group, sex=sex, birth_year=2013) for sex in ("female", "male") * 6]
    weekly(group, date(2026, 5, 3), 5, [child, *others])                  # five Sundays in May
    weekly(group, date(2026, 6, 7), 4, others)                             # she stops coming in June
    for period in ("2026-05", "2026-06"):
        assert release(period, hub, monkeypatch).made
    released = everything_released()
    for period in ("2026-05", "2026-06"):
        assert schema.OTHER_OR_NOT_RECORDED not in released[period][0]["tables"]["attendance"]["cells"]
    hidden = [(name, value) for name, value, _range in narrowed(released) if value == "hidden"]
    assert hidden == [] and narrowed(released) == []
    # The month she came 5 times: the total counts her (65 attendances) unless it had to be withheld.
    assert released["2026-05"][0]["tables"]["attendance"]["total"] in (60, 65, 70, None)


def test_sums_over_a_quarter__four_volunteers_a_month_never_pin_a_month(hub, monkeypatch):
    """12 volunteer-months in the quarter: a published 15 would leave each month 3 or 4, so the hub
    publishes the sum only when it rounds to 10 (6 to 14, each month still 0 to 4)."""
    group = make_group()
    volunteers = [make_user() for _ in range(4)]
    child = make_person(group)
    for month in (1, 2, 3):
        make_meeting(group, at(date(2026, month, 10)), facilitators=volunteers, attendance={child: "present"})
    for period in months("2026-01", 3):
        assert release(period, hub, monkeypatch).made
    released = everything_released()
    for period in ("2026-01", "2026-02", "2026-03"):
        assert released[period][0]["tables"]["volunteers"]["cells"]["active"] == LESS_THAN_FIVE
    assert released["2026-03"][0].get("coarser", {}).get("volunteers:active") in (None, 10)
    assert "coarser" not in released["2026-01"][0] and "coarser" not in released["2026-02"][0]
    assert narrowed(released) == []


def test_sums_over_a_quarter__seven_volunteers_a_month_are_published_summed(hub, monkeypatch):
    group = make_group()
    volunteers = [make_user() for _ in range(7)]
    child = make_person(group)
    for month in (4, 5, 6):
        make_meeting(group, at(date(2026, month, 10)), facilitators=volunteers, attendance={child: "present"})
    for period in months("2026-04", 3):
        assert release(period, hub, monkeypatch).made
    released = everything_released()
    assert released["2026-06"][0]["coarser"]["volunteers:active"] in (20, 25)   # 21 volunteer-months
    assert narrowed(released) == []


def test_averaging_and_double_rounding__24_months_of_the_same_children(hub, monkeypatch):
    group = make_group()
    children = [make_person(group, sex="female", birth_year=2014) for _ in range(12)]
    periods = months("2025-01", 24)
    for period in periods:
        day = date(int(period[:4]), int(period[5:]), 10)
        meet(group, at(day), "life_skills", children)
        meet(group, at(day + timedelta(days=7)), "parent_meeting", children)
    for period in periods:
        assert release(period, hub, monkeypatch).made
    released = everything_released()
    reached = {released[period][0]["tables"]["children_reached"]["cells"]["female"] for period in periods}
    assert len(reached) == 1                                   # one figure, 24 times: nothing to average
    for period in periods:
        tables = released[period][0]["tables"]
        if "attendance_by_kind" in tables:                    # one total for the two tables of the same people
            assert tables["attendance"]["total"] == tables["attendance_by_kind"]["total"]
    assert narrowed({period: released[period] for period in periods[:6]}) == []


def test_savings__a_joiners_deposit_is_not_the_difference_of_two_months(hub, monkeypatch):
    group = make_group(kind=Group.MOTHERS_GROUP)
    cycle = SavingsCycle.create(group=group, name="2026", starts_on=date(2026, 1, 5), ends_on=date(2026, 12, 20),
                                share_value=1000, social_amount=0, rate_bp=0, created_at=at(date(2026, 1, 5)))

    def member(joined):
        return SavingsMember.create(cycle=cycle, person=make_person(birth_year=1990), joined_on=joined)

    for saver in [member(date(2026, 1, 5)) for _ in range(6)]:
        SavingsEntry.create(cycle=cycle, kind=DEPOSIT, member=saver, amount=10_000, on_day=date(2026, 1, 6),
                            created_at=at(date(2026, 1, 6)))
    joiner = member(date(2026, 2, 3))
    SavingsEntry.create(cycle=cycle, kind=DEPOSIT, member=joiner, amount=20_000, on_day=date(2026, 2, 4),
                        created_at=at(date(2026, 2, 4)))
    for period in months("2026-01", 3):
        assert release(period, hub, monkeypatch).made
    released = everything_released()
    saved = [released[period][0]["values"]["savings_total_saved"] for period in months("2026-01", 3)]
    assert saved[0] == {"value": 60_000, "reason": ""}
    # February alone would be fine (7 members, nobody above half), but 80 000 - 60 000 is her deposit;
    # March differs from January (the last month published) by the same deposit.
    assert saved[1] == saved[2] == {"value": None, "reason": "p_percent_rule"}


def test_enrolment_sends_no_village_name(hub):
    request = bundle.open_enrolment(bundle.seal_enrolment(hub, "CODE-1234"))
    assert "name" not in request
    assert b"Rampur" not in bundle.seal_enrolment(hub, "CODE-1234")


# Random villages ------------------------------------------------------------------------------------------

EVENTS = st.lists(st.tuples(st.sampled_from(["minor_leaves", "minor_returns", "drops_out", "reenrols", "session"]),
                            st.integers(0, 2), st.integers(1, 27), st.integers(0, 40)), max_size=24)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=EVENTS, release_day=st.integers(1, 20))
def test_property__random_villages_with_late_records_never_yield_a_narrowed_count(hub, monkeypatch, events,
                                                                                  release_day):
    with database.atomic() as transaction:
        committee = make_group(kind=Group.VIGILANCE_COMMITTEE)
        group = make_group()
        other = make_person(group, sex="other", birth_year=2013)                 # the only child of sex "other"
        regulars = [make_person(group, sex=("female", "male")[index % 2], birth_year=2012) for index in range(14)]
        away, out = [], []
        for kind, month, day, delay in events:
            when = date(2026, 1 + month, day)
            entered = at(when + timedelta(days=delay))         # some typed in late, after the release
            if kind == "session":                              # she comes with some of the regulars
                meet(group, at(when), "life_skills", [other, *regulars[:delay % 15]])
            elif kind == "minor_leaves":
                away.append(depart(committee, 15, when, entered=entered))
            elif kind == "minor_returns" and away:
                Departure.update(returned_on=when).where(Departure.id == away.pop(0).id,
                                                         Departure.left_on <= when).execute()
            elif kind == "drops_out":
                out.append(Dropout.create(child=make_person(), left_on=when, reason="work", created_at=entered))
            elif kind == "reenrols" and out:
                Dropout.update(reenrolled_on=when, reenrolled_school="Primary school").where(
                    Dropout.id == out.pop(0).id, Dropout.left_on <= when).execute()
        for period in months("2026-01", 3):
            release(period, hub, monkeypatch, on=date(int(period[:4]), int(period[5:]) + 1, release_day))
            release(period, hub, monkeypatch, on=date(int(period[:4]), int(period[5:]) + 1, 28))  # no revision
        released = everything_released()
        assert all(len(revisions) == 1 for revisions in released.values())
        assert narrowed(released) == []
        transaction.rollback()


def month_raw(period, referrals, volunteers):
    """A month's raw counts with referrals by service and active volunteers as given, the rest 0."""
    tables = {}
    for name, meta in schema.TABLES.items():
        tables[name] = {"cells": dict.fromkeys(meta["cells"], 0), "records": {cell: [] for cell in meta["cells"]}}
        if meta["total"]:
            tables[name]["total"] = 0
    for cell, count in referrals.items():
        records = [f"referral:{period}:{cell}:{index}" for index in range(count)]
        tables["referrals_by_service"]["records"][cell] = records
        tables["referrals_by_service"]["cells"][cell] = count
    tables["referrals_by_service"]["total"] = sum(referrals.values())
    tables["volunteers"]["records"]["active"] = [f"user:{index}" for index in range(volunteers)]
    tables["volunteers"]["cells"]["active"] = volunteers
    return {"tables": tables, "values": {}}


@settings(max_examples=8, deadline=None)
@given(months_drawn=st.lists(st.tuples(st.dictionaries(st.sampled_from(schema.TABLES["referrals_by_service"]["cells"]),
                                                       st.integers(0, 6), max_size=4),
                                       st.integers(0, 9)), min_size=3, max_size=3),
       key=st.binary(min_size=32, max_size=32))
def test_property__sums_over_a_quarter_never_narrow_a_month(months_drawn, key):
    from federation import disclosure

    releases, history, spans = {}, {}, {}
    for period, (referrals, volunteers) in zip(months("2026-01", 3), months_drawn, strict=True):
        raw = month_raw(period, referrals, volunteers)
        for figure in ("referrals_by_service:total", "volunteers:active"):
            table, _colon, cell = figure.partition(":")
            found = raw["tables"][table]["records"]
            chosen = [record for listed in found.values() for record in listed] if cell == "total" else found[cell]
            spans.setdefault(figure, []).extend(f"{record}@{period}" for record in chosen)
        due = {figure: records for figure, records in spans.items() if period == "2026-03"}
        payload = disclosure.protect(period, raw, key, history, spans=due)
        history[period] = (schema.CURRENT, payload)
        releases[period] = [payload]
    assert narrowed(releases) == []
