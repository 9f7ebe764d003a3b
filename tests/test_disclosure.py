"""The privacy rule for summaries (DECISIONS, docs/privacy.md), on raw counts: what may be published."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federation import chains, disclosure, linked, period, schema, signing
from federation.disclosure import LESS_THAN_FIVE

KEY = b"k" * 32
PERIOD = "2026-11"


def empty_raw():
    """Every table of the schema with every cell 0 (and its total), no values."""
    tables = {}
    for name, meta in schema.TABLES.items():
        tables[name] = {"cells": dict.fromkeys(meta["cells"], 0)}
        if meta["total"]:
            tables[name]["total"] = 0
    return {"tables": tables, "values": {}}


def with_counts(raw, name, counts):
    """raw with table name's cells set from counts (the rest 0) and its true total (and its group's)."""
    table = raw["tables"][name]
    table["cells"].update(counts)
    if "total" in table:
        total = sum(table["cells"].values())
        for twin in linked.groups().get(disclosure.linked_unit(name), (name,)):
            if "total" in raw["tables"][twin]:
                raw["tables"][twin]["total"] = total
    return raw


def secondary(name):
    """A table whose cells split (or, for topics, are bounded by) those of an earlier table of its group."""
    unit = next((unit for unit, names in linked.GROUPS.items() if name in names), None)
    return unit is not None and linked.GROUPS[unit][0] != name


@st.composite
def raws(draw):
    """A consistent month of true counts: tables of one group split the same total."""
    raw = empty_raw()
    small = st.integers(0, 12) | st.integers(0, 200)
    for name, meta in schema.TABLES.items():
        if secondary(name):
            continue  # made from its first below
        counts = {cell: draw(small) for cell in meta["cells"]}
        with_counts(raw, name, counts)
        for twin in linked.GROUPS.get(name, (name,))[1:]:
            twin_cells = schema.TABLES[twin]["cells"]
            if twin in linked.BOUNDED:  # topics: each at most the life-skills sessions held
                most = counts["life_skills"]
                raw["tables"][twin]["cells"] = {cell: draw(st.integers(0, most)) for cell in twin_cells}
                continue
            split = {}
            remaining = sum(counts.values())
            for cell in twin_cells[:-1]:
                split[cell] = draw(st.integers(0, remaining))
                remaining -= split[cell]
            split[twin_cells[-1]] = remaining
            raw["tables"][twin]["cells"] = split
    return raw


def published_counts(payload):
    for name, table in payload["tables"].items():
        for cell, value in table["cells"].items():
            yield name, cell, value
        if table.get("total") is not None:
            yield name, "total", table["total"]


@settings(max_examples=150, deadline=None)
@given(raws())
def test_every_published_count_is_less_than_five_or_a_multiple_of_5_that_covers_the_truth(raw):
    payload = disclosure.protect(PERIOD, raw, KEY)
    schema.validate(payload, schema.CURRENT)
    for name, cell, value in published_counts(payload):
        assert value == LESS_THAN_FIVE or (isinstance(value, int) and value % 5 == 0 and value >= 5), (name, value)
        true = raw["tables"][name]["total" if cell == "total" else "cells"]
        true = true if cell == "total" else true[cell]
        assert disclosure.covers(value, true), (name, cell, true, value)


@settings(max_examples=60, deadline=None)
@given(raws())
def test_rebuilding_gives_identical_bytes(raw):
    first = signing.canonical(disclosure.protect(PERIOD, raw, KEY))
    assert signing.canonical(disclosure.protect(PERIOD, raw, KEY)) == first


def reachable_sums(ranges):
    """Every sum of one value from each range: the true tables a release allows, enumerated by their sums."""
    sums = {0}
    for low, high in ranges:
        sums = {total + value for total in sums for value in range(low, min(high, 2_000) + 1)}
    return sums


def audit(payload):
    """Every "<5" cell that some value 0..4 cannot take in any true table consistent with the release (its
    cells' ranges, its total's range and its twin tables' cells), found by enumeration: an oracle for
    federation.linked, which computes the same ranges by interval arithmetic."""
    narrowed = []
    for name, table in payload["tables"].items():
        meta = schema.TABLES[name]
        if not meta["total"]:
            continue
        twins = [twin for twin in linked.groups()[disclosure.linked_unit(name)]
                 if twin != name and twin in payload["tables"] and schema.TABLES[twin]["total"]]
        allowed = set(range(0, 10_000))
        if table.get("total") is not None:
            low, high = disclosure.bound(table["total"])
            allowed &= set(range(low, high + 1))
        for twin in twins:
            allowed &= reachable_sums([disclosure.bound(v) for v in payload["tables"][twin]["cells"].values()])
        for cell, value in table["cells"].items():
            if value != LESS_THAN_FIVE:
                continue
            others = reachable_sums([disclosure.bound(v) for c, v in table["cells"].items() if c != cell])
            for true in range(0, 5):
                if not any(true + rest in allowed for rest in others):
                    narrowed.append((name, cell, true))
    return narrowed


@settings(max_examples=120, deadline=None)
@given(raws())
def test_interval_audit__every_less_than_five_cell_can_still_be_anything_of_its_range(raw):
    payload = disclosure.protect(PERIOD, raw, KEY)
    assert audit(payload) == []
    assert linked.audit(PERIOD, payload) == []


def test_pinned__a_total_that_would_narrow_hidden_cells():
    # Two hidden counts (0 to 4 each) and a published total of 10 (6 to 14): neither can be 0 or 1; with a
    # total of 5 (5 to 9) neither can be 0. A third hidden cell leaves room for every value.
    two, three = {"a": LESS_THAN_FIVE, "b": LESS_THAN_FIVE}, {"a": LESS_THAN_FIVE, "b": LESS_THAN_FIVE, "c": "<5"}
    assert disclosure.pinned({"t": two}, 10) == [("t", "a"), ("t", "b")]
    assert disclosure.pinned({"t": two}, 5) == [("t", "a"), ("t", "b")]
    assert disclosure.pinned({"t": three}, 5) == disclosure.pinned({"t": two}, None) == []


def test_pinned__a_second_breakdown_narrows_like_a_total():
    # By category a (0 to 4) + b (5 to 9); by risk x alone (11 to 19): a = 0 would leave at most 9.
    parts = {"by_category": {"a": LESS_THAN_FIVE, "b": 5}, "by_risk": {"x": 15}}
    assert ("by_category", "a") in disclosure.pinned(parts, None)
    assert disclosure.pinned({"by_category": parts["by_category"]}, None) == []


def test_pinned__two_roundings_of_the_same_people_that_leave_fewer_than_5_values():
    # Attendance by band published 10 and 15 (6 to 14, 11 to 19) and by kind 25 (21 to 29): nothing
    # narrows; one band published 10 (6 to 14) and one kind 15 (11 to 19) leave 11 to 14 (4 values).
    assert disclosure.pinned({"band": {"a": 10, "b": 15}, "kind": {"x": 25}}, 25) == []
    assert ("kind", "x") in disclosure.pinned({"band": {"a": 10}, "kind": {"x": 15}}, None)


def test_a_total_that_would_pin_hidden_cells_is_withheld():
    """Children reached (4 girls, 4 boys, 4 other): a total published as 15 (11 to 19) would say that no
    cell is 0 (three hidden cells hold at most 12); it is then withheld. Published as 10, it stays."""
    raw = with_counts(empty_raw(), "children_reached", {"female": 4, "male": 4, "other": 4})
    raw["tables"]["children_reached"]["records"] = {sex: [f"person:{sex}{i}" for i in range(4)]
                                                    for sex in ("female", "male", "other")}
    totals = set()
    for key in range(40):
        payload = disclosure.protect(PERIOD, raw, bytes([key]) * 32)
        assert set(payload["tables"]["children_reached"]["cells"].values()) == {LESS_THAN_FIVE}
        totals.add(payload["tables"]["children_reached"]["total"])
        assert audit(payload) == []
    assert totals == {10, None}


def test_twin_tables_publish_one_total():
    raw = with_counts(empty_raw(), "attendance", {"female.10-17": 23, "male.10-17": 19})
    raw["tables"]["attendance_by_kind"]["cells"]["life_skills"] = 42
    records = [f"attendance:{index}" for index in range(42)]
    raw["tables"]["attendance"]["records"] = {"female.10-17": records[:23], "male.10-17": records[23:]}
    raw["tables"]["attendance_by_kind"]["records"] = {"life_skills": records}
    payload = disclosure.protect(PERIOD, raw, KEY)
    # The same 42 attendances: the kind's one cell and both totals are one figure.
    assert payload["tables"]["attendance_by_kind"]["cells"]["life_skills"] == payload["tables"]["attendance"]["total"]
    assert payload["tables"]["attendance"]["total"] == payload["tables"]["attendance_by_kind"]["total"] in (40, 45)


def test_small_counts__every_count_from_0_to_4_is_less_than_five():
    raw = with_counts(empty_raw(), "sessions_held", {"life_skills": 3})
    payload = disclosure.protect(PERIOD, raw, KEY)
    assert payload["tables"]["sessions_held"]["cells"]["life_skills"] == LESS_THAN_FIVE
    assert payload["tables"]["sessions_held"]["cells"]["parent_meeting"] == LESS_THAN_FIVE  # a true 0
    assert set(payload["tables"]["attendance"]["cells"].values()) == {LESS_THAN_FIVE}
    assert set(payload["tables"]["migration"]["cells"].values()) == {LESS_THAN_FIVE}
    assert payload["tables"]["referrals_by_service"]["total"] == LESS_THAN_FIVE


def test_rounding_is_unbiased_over_record_sets_and_keyed():
    """12 records round to 10 about 3 times in 5 and to 15 about 2 times in 5: the mean over many sets is 12."""
    published = [disclosure.rounded(12, disclosure.cell_key(KEY, [f"r:{s}:{i}" for i in range(12)]))
                 for s in range(2000)]
    assert set(published) == {10, 15}
    assert abs(sum(published) / len(published) - 12) < 0.2
    records = [f"r:{i}" for i in range(12)]
    assert disclosure.cell_key(KEY, records) != disclosure.cell_key(b"x" * 32, records)


def test_the_same_records_give_the_same_figure_in_any_month_and_table():
    """The cell key is a function of the records counted only: a stable group of children is published
    the same every month, so averaging months learns nothing."""
    children = {"female": [f"person:{i}" for i in range(12)]}
    figures = set()
    for month in range(1, 25):
        raw = with_counts(empty_raw(), "children_reached", {"female": 12})
        raw["tables"]["children_reached"]["records"] = children
        raw["tables"]["savings"]["cells"]["members"] = 12
        raw["tables"]["savings"]["records"] = {"members": children["female"]}
        payload = disclosure.protect(f"{2025 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}", raw, KEY)
        figures.add(payload["tables"]["children_reached"]["cells"]["female"])
        figures.add(payload["tables"]["savings"]["cells"]["members"])
    assert len(figures) == 1


@pytest.mark.parametrize("days, expected", [
    ([3] * 9, {"value": None, "reason": "fewer_than_10_cases"}),
    ([0, 1, 1, 1, 1, 1, 9, 9, 9, 9], {"value": "0-1", "reason": ""}),
    ([2, 3, 4, 5, 6, 7, 8, 9, 10, 11], {"value": "2-7", "reason": ""}),
    ([40] * 6 + [1] * 4, {"value": "31+", "reason": ""}),
])
def test_median_days_to_referral_is_a_band_from_10_cases(days, expected):
    assert disclosure.median_band(days) == expected


@pytest.mark.parametrize("shares, expected", [
    ([1000, 1000, 1000, 1000], {"value": None, "reason": "fewer_than_5_members"}),
    ([1000, 1000, 1000, 1000, 0, 0], {"value": None, "reason": "fewer_than_5_members"}),
    ([100, 100, 100, 100, 500], {"value": None, "reason": "one_member_above_half"}),
    ([12345, 2000, 3000, 4000, 5000], {"value": 26000, "reason": ""}),
    ([99, 99, 99, 99, 99], {"value": 500, "reason": ""}),
    # Nobody above half, but the second largest knows the largest within 20 % (5 000 and the rounding's 500 hide less
    # than a fifth of 30 000).
    ([30000, 29000, 2000, 2000, 1000], {"value": None, "reason": "p_percent_rule"}),
])
def test_savings_amounts_need_5_members_nobody_above_half_and_the_p_percent_rule(shares, expected):
    assert disclosure.savings_amount(shares) == expected


def test_savings__a_joiners_first_deposit_is_not_told_by_the_difference_of_two_months():
    before = {f"person:{i}": 10_000 for i in range(6)}
    after = dict(before, **{"person:9": 20_000})  # she joins with 20 000; nobody else moves
    assert disclosure.savings_amount(sorted(after.values()))["value"] == 80_000  # fine on its own
    assert disclosure.savings_amount(sorted(after.values()), after, before) == {"value": None,
                                                                                 "reason": "p_percent_rule"}
    # The month everybody saves 2 000 too, her deposit is hidden among theirs.
    busy = {member: amount + 2_000 for member, amount in after.items() if member != "person:9"}
    busy["person:9"] = 20_000
    assert disclosure.savings_amount(sorted(busy.values()), busy, before)["reason"] == ""


def test_a_month_is_released_once():
    assert period.seal_date("2026-12") == date(2027, 1, 15)
    assert disclosure.may_release("2026-11", date(2026, 11, 30), 1) == (False, disclosure.NOT_ENDED)
    assert disclosure.may_release("2026-11", date(2027, 6, 1), 1) == (True, "")  # a first release any time
    assert disclosure.may_release("2026-11", date(2026, 12, 2), 2) == (False, disclosure.RELEASED)


def test_the_rounding_key_is_the_hubs_own(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = signing.load_or_create(tmp_path / "a")
    other = signing.load_or_create(tmp_path / "b")
    assert disclosure.rounding_key(one) == disclosure.rounding_key(signing.load_or_create(tmp_path / "a"))
    assert disclosure.rounding_key(one) != disclosure.rounding_key(other)


def quarter_of(values):
    """{period: (version, payload)} of January and February, and March's tables: referrals' total as given."""
    def tables(total):
        cells = dict.fromkeys(schema.TABLES["referrals_by_service"]["cells"], LESS_THAN_FIVE)
        return {"referrals_by_service": {"cells": cells, "total": total}}

    history = {period: (3, {"tables": tables(total), "values": {}})
               for period, total in zip(("2026-01", "2026-02"), values[:2], strict=True)}
    return history, tables(values[2])


def test_a_quarters_sum_is_published_only_when_it_narrows_no_month():
    history, march = quarter_of([LESS_THAN_FIVE] * 3)
    # 10 (6 to 14) over three totals of 0 to 4 each: every month can still be 0 and 4.
    assert disclosure.summed("2026-03", march, history, {"referrals_by_service:total": 10}) == {
        "referrals_by_service:total": 10}
    # 15 (11 to 19) leaves each month 3 or 4: left out.
    assert disclosure.summed("2026-03", march, history, {"referrals_by_service:total": 15}) == {}
    # A month of the quarter never released: the sum would say something about it, so it is left out.
    del history["2026-01"]
    assert disclosure.summed("2026-03", march, history, {"referrals_by_service:total": 10}) == {}


def test_a_quarters_sum_is_keyed_on_its_records_and_due_only_at_the_quarters_end():
    raw = empty_raw()
    records = [f"referral:{index}@2026-0{1 + index % 3}" for index in range(9)]
    spans = {"referrals_by_service:total": records}
    history, _ = quarter_of([LESS_THAN_FIVE] * 3)
    one = disclosure.protect("2026-03", raw, KEY, history, spans=spans)
    assert one == disclosure.protect("2026-03", raw, KEY, history, spans=spans)
    assert one.get("coarser", {}).get("referrals_by_service:total") in (None, 5, 10)
    schema.validate(one, schema.CURRENT)
    assert period.span("2026-05", 3) == [] and period.span("2026-12", 12)[0] == "2026-01"


# Schema 4 -------------------------------------------------------------------------------------------------

def attendance_release(cells, total, kinds):
    """Attendance's tables of one month: cells as given (the others "<5"), total, and by kind."""
    shown = dict.fromkeys(schema.TABLES["attendance"]["cells"], LESS_THAN_FIVE) | cells
    by_kind = dict.fromkeys(schema.TABLES["attendance_by_kind"]["cells"], LESS_THAN_FIVE) | kinds
    return {"attendance": {"cells": shown, "total": total}, "attendance_by_kind": {"cells": by_kind, "total": total}}


def test_schema_4_counts_other_sex_and_no_age_band_in_the_total_only():
    assert schema.OTHER_OR_NOT_RECORDED not in schema.TABLES["attendance"]["cells"]
    assert schema.TABLES["attendance"]["included"] == (schema.OTHER_OR_NOT_RECORDED,)
    assert schema.OTHER_OR_NOT_RECORDED in schema.tables(3)["attendance"]["cells"] and schema.CURRENT == 4
    raw = with_counts(empty_raw(), "attendance", {"female.10-17": 20, "male.10-17": 20})
    records = [f"attendance:{index}" for index in range(46)]
    raw["tables"]["attendance"]["records"] = {"female.10-17": records[:20], "male.10-17": records[20:40],
                                              schema.OTHER_OR_NOT_RECORDED: records[40:]}
    raw["tables"]["attendance"]["total"] = 46
    payload = disclosure.protect(PERIOD, raw, KEY)
    assert schema.OTHER_OR_NOT_RECORDED not in payload["tables"]["attendance"]["cells"]
    assert payload["tables"]["attendance"]["total"] in (45, 50)                 # the 6 of them are in it


def test_the_hidden_count_must_keep_0_to_4_possible():
    # 25 and 25 in the cells (21 to 29 each), the four others "<5", a total of 50 (46 to 54): the hidden
    # count is from 0 (46 - 58 - 16 < 0) to 12 (54 - 42).
    fine = attendance_release({"female.10-17": 25, "male.10-17": 25}, 50, {"life_skills": 50})
    assert linked.audit(PERIOD, {"tables": fine}) == []
    # 20 and 20 in the cells (16 to 24), the others "<5", a total of 70 (66 to 74): at least 66 - 48 - 16 = 2.
    narrow = attendance_release({"female.10-17": 20, "male.10-17": 20}, 70, {"life_skills": 70})
    found = linked.audit(PERIOD, {"tables": narrow})
    assert ("attendance", "attendance", schema.OTHER_OR_NOT_RECORDED) in found
    # The hub withholds the total (and so nothing bounds the hidden count from below).
    coarse = disclosure.coarsen(PERIOD, narrow, {})
    assert coarse["attendance"]["total"] is None and linked.audit(PERIOD, {"tables": coarse}) == []


def chain_lp(months, spans):
    """The attacker's linear program over a stock chain with sums over spans: {variable: (least, most)}."""
    from scipy import optimize

    count = len(months)
    size = 1 + 3 * count  # the stock before, then (stock, arrivals, departures) of each month
    bounds = [(0, None)] + [(low, None if high >= chains.INF else high) for month in months for low, high in month]
    equal, right = [], []
    for index in range(count):
        row = [0] * size
        previous = 0 if index == 0 else 1 + 3 * (index - 1)
        row[1 + 3 * index], row[previous], row[2 + 3 * index], row[3 + 3 * index] = 1, -1, -1, 1
        equal.append(row)
        right.append(0)
    below, limits = [], []
    for (first, last), (low, high) in spans.items():
        row = [0] * size
        for index in range(first, last + 1):
            row[1 + 3 * index] = 1
        below += [row, [-weight for weight in row]]
        limits += [high, -low]
    found = {}
    for column in range(1, size):
        ends = []
        for sign in (1, -1):
            cost = [0] * size
            cost[column] = sign
            result = optimize.linprog(cost, A_ub=below or None, b_ub=limits or None, A_eq=equal, b_eq=right,
                                      bounds=bounds, method="highs")
            ends.append(sign * result.fun if result.status == 0 else chains.INF)
        found[(column - 1) // 3, (column - 1) % 3] = (round(ends[0]), ends[1])
    return found


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.booleans()), min_size=6, max_size=9),
       st.integers(0, 2**32), st.booleans())
def test_a_stock_chain_with_sums_over_quarters__the_audit_is_never_wider_than_the_attackers_program(
        moves, seed, withhold):
    """chain_ranges with the quarters' sums of the stock against scipy's linear program (the attacker's):
    every range the audit gives holds the truth and is within the program's, so nothing the attacker can
    narrow passes the audit."""
    import random

    rng = random.Random(seed)
    stock, months, truth = rng.randint(0, 6), [], []
    for arrivals, departures, _keep in moves:
        departures = min(departures, stock + arrivals)
        stock += arrivals - departures
        truth.append((stock, arrivals, departures))
    for index, (values, (_a, _d, keep)) in enumerate(zip(truth, moves, strict=True)):
        shown = tuple(linked.interval(disclosure.rounded(value, rng.random())) for value in values)
        months.append(shown if keep or not withhold or index < 3 else (chains.FREE,) * 3)
    spans = {}
    for first in range(0, len(months) - 2, 3):
        total = sum(values[0] for values in truth[first:first + 3])
        spans[first, first + 2] = linked.interval(disclosure.rounded(total, rng.random()))
    ranges, sums = chains.chain_ranges(months, spans)
    program = chain_lp(months, spans)
    for index, (month, values) in enumerate(zip(ranges, truth, strict=True)):
        for which, ((low, high), value) in enumerate(zip(month, values, strict=True)):
            assert low <= value <= high
            least, most = program[index, which]
            assert least <= low and (most >= chains.INF or high <= most + 1e-6)
    for where, (low, high) in sums.items():
        assert low <= sum(values[0] for values in truth[where[0]:where[1] + 1]) <= high


def test_a_sum_of_a_stock_over_a_quarter_binds_its_months_and_those_around_it():
    hidden = ((0, 4), (0, 4), (0, 4))
    ranges, sums = chains.chain_ranges([hidden] * 4)
    assert sums == {} and [month[0] for month in ranges] == [(0, 4)] * 4
    # 11 to 19 minor-months over three stocks of 0 to 4: each at least 3; and April's at least 3 - 4 + 0.
    ranges, sums = chains.chain_ranges([hidden] * 4, {(0, 2): (11, 19)})
    assert [month[0] for month in ranges[:3]] == [(3, 4)] * 3 and sums == {(0, 2): (11, 12)}
    assert ranges[3][0] == (0, 4)
    # Two quarters, the second's sum 0 to 4 with a first of 11 to 19: April's departures are at least 3 - 4... 0.
    ranges, sums = chains.chain_ranges([hidden] * 6, {(0, 2): (11, 19), (3, 5): (0, 4)})
    assert ranges[3][0] == (0, 4) and ranges[3][2][0] == 0 and sums[3, 5] == (0, 4)


def test_a_quarters_sum_of_minors_away_is_published_only_when_it_narrows_nothing():
    def migration(away):
        cells = dict.fromkeys(schema.TABLES["migration"]["cells"], LESS_THAN_FIVE) | {"minors_away": away}
        return {"migration": {"cells": cells}}

    history = {month: (4, {"tables": migration(LESS_THAN_FIVE), "values": {}}) for month in ("2026-01", "2026-02")}
    march = migration(LESS_THAN_FIVE)
    # 10 (6 to 14 minor-months) over three stocks of 0 to 4: each can still be 0 and 4.
    assert disclosure.summed("2026-03", march, history, {"migration:minors_away": 10}) == {"migration:minors_away": 10}
    # 15 (11 to 19): no month can be 0 any more (the other two give at most 8).
    assert disclosure.summed("2026-03", march, history, {"migration:minors_away": 15}) == {}
    # Once published, the sum is one more link of the chain when later months are audited.
    history["2026-03"] = (4, {"tables": march, "values": {}, "coarser": {"migration:minors_away": 10}})
    assert linked._stock_spans("migration", "minors_away", history) == {("2026-01", "2026-03"): 10}
    assert linked.audit("2026-04", {"tables": migration(LESS_THAN_FIVE)}, history) == []


def test_a_quarters_sum_of_minors_away_with_a_month_left_out_is_sent_only_when_small():
    cells = dict.fromkeys(schema.TABLES["migration"]["cells"], LESS_THAN_FIVE)
    shown = {"migration": {"cells": cells}}
    history = {"2026-01": (4, {"tables": shown, "values": {}}), "2026-02": (4, {"tables": {}, "values": {}})}
    # February's table was left out: its stock is anything from 0, bounded only by the sum.
    assert disclosure.summed("2026-03", shown, history, {"migration:minors_away": 10}) == {"migration:minors_away": 10}
    assert disclosure.summed("2026-03", shown, history, {"migration:minors_away": 45}) == {}
