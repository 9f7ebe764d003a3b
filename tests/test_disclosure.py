"""The privacy rule for summaries (DECISIONS, docs/privacy.md), on raw counts: what may be published."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from federation import disclosure, schema, signing
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
    """raw with table name's cells set from counts (the rest 0) and its true total (and its twins')."""
    table = raw["tables"][name]
    table["cells"].update(counts)
    if "total" in table:
        total = sum(table["cells"].values())
        for twin in disclosure.QUANTITIES.get(disclosure.QUANTITY_OF.get(name), (name,)):
            raw["tables"][twin]["total"] = total
    return raw


@st.composite
def raws(draw):
    """A consistent month of true counts: tables of one quantity split the same total."""
    raw = empty_raw()
    small = st.integers(0, 12) | st.integers(0, 200)
    for name, meta in schema.TABLES.items():
        if name in disclosure.QUANTITY_OF and disclosure.QUANTITIES[disclosure.QUANTITY_OF[name]][0] != name:
            continue  # a second breakdown: made from its first below
        counts = {cell: draw(small) for cell in meta["cells"]}
        with_counts(raw, name, counts)
        for twin in disclosure.QUANTITIES.get(disclosure.QUANTITY_OF.get(name), (name,))[1:]:
            twin_cells = schema.TABLES[twin]["cells"]
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
def test_every_published_count_is_0_less_than_five_or_a_multiple_of_5(raw):
    payload = disclosure.protect(PERIOD, raw, KEY)
    schema.validate(payload, 1)
    for name, cell, value in published_counts(payload):
        case_family = schema.TABLES[name]["case_family"]
        assert value == LESS_THAN_FIVE or (isinstance(value, int) and value % 5 == 0), (name, cell, value)
        if case_family:
            assert value != 0, (name, cell)
        true = raw["tables"][name]["total" if cell == "total" else "cells"]
        true = true if cell == "total" else true[cell]
        assert disclosure.covers(value, true, case_family), (name, cell, true, value)


@settings(max_examples=60, deadline=None)
@given(raws())
def test_rebuilding_gives_identical_bytes(raw):
    first = signing.canonical(disclosure.protect(PERIOD, raw, KEY))
    assert signing.canonical(disclosure.protect(PERIOD, raw, KEY)) == first


def reachable_sums(ranges):
    """Every sum of one value from each range: the true tables a release allows, enumerated by their sums."""
    sums = {0}
    for low, high in ranges:
        sums = {total + value for total in sums for value in range(low, high + 1)}
    return sums


def audit(payload):
    """Every "<5" cell that some value 0..4 (1..4 outside the case family) cannot take in any true table
    consistent with the release: its cells' ranges, its total's range and its twin tables' cells."""
    narrowed = []
    for name, table in payload["tables"].items():
        meta = schema.TABLES[name]
        if not meta["total"]:
            continue
        family = meta["case_family"]
        twins = [twin for twin in disclosure.QUANTITIES.get(disclosure.QUANTITY_OF.get(name), (name,))
                 if twin != name and twin in payload["tables"]]
        allowed = set(range(0, 10_000))
        if table.get("total") is not None:
            low, high = disclosure.bound(table["total"], family)
            allowed &= set(range(low, high + 1))
        for twin in twins:
            allowed &= reachable_sums([disclosure.bound(v, family) for v in payload["tables"][twin]["cells"].values()])
        for cell, value in table["cells"].items():
            if value != LESS_THAN_FIVE:
                continue
            others = reachable_sums([disclosure.bound(v, family) for c, v in table["cells"].items() if c != cell])
            low, high = disclosure.bound(value, family)
            for true in range(low, high + 1):
                if not any(true + rest in allowed for rest in others):
                    narrowed.append((name, cell, true))
    return narrowed


@settings(max_examples=120, deadline=None)
@given(raws())
def test_interval_audit__every_less_than_five_cell_can_still_be_anything_of_its_range(raw):
    assert audit(disclosure.protect(PERIOD, raw, KEY)) == []


def test_pinned__a_total_that_would_narrow_hidden_cells():
    # Two hidden session counts (1 to 4 each) and a published total of 10 (6 to 14): neither can be 1.
    assert disclosure.pinned({"t": {"a": LESS_THAN_FIVE, "b": LESS_THAN_FIVE}}, 10, False) == [("t", "a"), ("t", "b")]
    assert disclosure.pinned({"t": {"a": LESS_THAN_FIVE, "b": LESS_THAN_FIVE}}, 5, False) == []
    assert disclosure.pinned({"t": {"a": LESS_THAN_FIVE, "b": LESS_THAN_FIVE}}, None, False) == []
    # Case family: with a total of 10 and two hidden cells, neither could be 0.
    assert disclosure.pinned({"t": {"a": LESS_THAN_FIVE, "b": LESS_THAN_FIVE}}, 10, True) == [("t", "a"), ("t", "b")]


def test_pinned__a_second_breakdown_narrows_like_a_total():
    # By category a (0 to 4) + b (5 to 9); by risk x alone (11 to 19): a = 0 would leave at most 9.
    parts = {"by_category": {"a": LESS_THAN_FIVE, "b": 5}, "by_risk": {"x": 15}}
    assert disclosure.pinned(parts, None, True) == [("by_category", "a")]
    assert disclosure.pinned({"by_category": parts["by_category"]}, None, True) == []


def test_a_total_that_would_pin_hidden_cells_is_withheld():
    """Sessions (3 and 3 held): a total published as 10 would narrow both; it is then withheld."""
    totals = set()
    for month in range(1, 13):
        raw = with_counts(empty_raw(), "sessions_held", {"life_skills": 3, "parent_meeting": 3})
        payload = disclosure.protect(f"2026-{month:02d}", raw, KEY)
        cells = payload["tables"]["sessions_held"]["cells"]
        assert cells["life_skills"] == cells["parent_meeting"] == LESS_THAN_FIVE
        totals.add(payload["tables"]["sessions_held"]["total"])
        assert audit(payload) == []
    assert totals == {5, None}


def test_twin_tables_publish_one_total():
    raw = with_counts(empty_raw(), "attendance", {"female.10-14": 23, "male.10-14": 19})
    raw["tables"]["attendance_by_kind"]["cells"]["life_skills"] = 42
    payload = disclosure.protect(PERIOD, raw, KEY)
    assert payload["tables"]["attendance"]["total"] == payload["tables"]["attendance_by_kind"]["total"] in (40, 45)


def test_small_counts__case_family_hides_zero_others_show_it():
    raw = with_counts(empty_raw(), "sessions_held", {"life_skills": 3})
    payload = disclosure.protect(PERIOD, raw, KEY)
    assert payload["tables"]["sessions_held"]["cells"]["life_skills"] == LESS_THAN_FIVE
    assert payload["tables"]["sessions_held"]["cells"]["parent_meeting"] == 0
    assert set(payload["tables"]["migration"]["cells"].values()) == {LESS_THAN_FIVE}
    assert payload["tables"]["referrals_by_service"]["total"] == LESS_THAN_FIVE


def test_rounding_is_unbiased_and_keyed():
    """Over many draws 12 rounds to 10 about 3 times in 5 and to 15 about 2 times in 5: the mean is 12."""
    published = [disclosure.rounded(12, False, disclosure.draw(KEY, f"2026-{m:02d}", "t", str(c), 12))
                 for m in range(1, 13) for c in range(400)]
    assert set(published) == {10, 15}
    assert abs(sum(published) / len(published) - 12) < 0.2
    assert disclosure.draw(KEY, PERIOD, "t", "c", 12) != disclosure.draw(b"x" * 32, PERIOD, "t", "c", 12)


def test_one_late_record_changes_nothing_five_change_only_the_affected_cell():
    raw = with_counts(empty_raw(), "concerns_opened_by_category", {"child_labour": 12, "neglect": 21})
    raw["tables"]["concerns_opened_by_risk"]["cells"].update({"high": 20, "low": 13})
    first = disclosure.protect(PERIOD, raw, KEY)

    one_late = with_counts(empty_raw(), "concerns_opened_by_category", {"child_labour": 13, "neglect": 21})
    one_late["tables"]["concerns_opened_by_risk"]["cells"].update({"high": 20, "low": 14})
    assert disclosure.protect(PERIOD, one_late, KEY, previous=first) == first

    five_late = with_counts(empty_raw(), "concerns_opened_by_category", {"child_labour": 17, "neglect": 21})
    five_late["tables"]["concerns_opened_by_risk"]["cells"].update({"high": 20, "low": 18})
    second = disclosure.protect(PERIOD, five_late, KEY, previous=first)
    changed = {(name, cell) for name, cell, value in published_counts(second)
               if value != dict(((n, c), v) for n, c, v in published_counts(first)).get((name, cell))}
    assert changed <= {("concerns_opened_by_category", "child_labour"), ("concerns_opened_by_category", "total"),
                       ("concerns_opened_by_risk", "low"), ("concerns_opened_by_risk", "total")}
    assert disclosure.covers(second["tables"]["concerns_opened_by_category"]["cells"]["child_labour"], 17, True)


def test_a_stock_moving_by_one_changes_nothing_published():
    october = with_counts(empty_raw(), "school", {"out_of_school": 11})
    november = with_counts(empty_raw(), "school", {"out_of_school": 12})
    released = disclosure.protect("2026-10", october, KEY)
    follows = disclosure.protect("2026-11", november, KEY, last_month=released)
    school = "school"
    assert follows["tables"][school]["cells"]["out_of_school"] == released["tables"][school]["cells"]["out_of_school"]
    # Not a stock: the month's dropouts are rounded afresh each month.
    assert "dropped_out" not in disclosure.STOCKS


def test_a_sticky_value_never_stops_covering_the_truth():
    first = disclosure.protect(PERIOD, with_counts(empty_raw(), "volunteers", {"active": 14}), KEY)
    for true in range(0, 40):
        later = disclosure.protect(PERIOD, with_counts(empty_raw(), "volunteers", {"active": true}), KEY, first)
        assert disclosure.covers(later["tables"]["volunteers"]["cells"]["active"], true, False)


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
])
def test_savings_amounts_need_5_members_and_nobody_above_half(shares, expected):
    assert disclosure.savings_amount(shares) == expected


def test_months_are_sealed_on_the_15th_with_at_most_three_revisions():
    assert disclosure.seal_date("2026-12") == date(2027, 1, 15)
    assert disclosure.may_release("2026-11", date(2026, 11, 30), 1) == (False, disclosure.NOT_ENDED)
    assert disclosure.may_release("2026-11", date(2027, 6, 1), 1) == (True, "")  # a first release any time
    assert disclosure.may_release("2026-11", date(2026, 12, 15), 2) == (True, "")
    assert disclosure.may_release("2026-11", date(2026, 12, 16), 2) == (False, disclosure.SEALED)
    assert disclosure.may_release("2026-11", date(2026, 12, 10), 4) == (True, "")
    assert disclosure.may_release("2026-11", date(2026, 12, 10), 5) == (False, disclosure.TOO_MANY)


def test_the_rounding_key_is_the_hubs_own(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = signing.load_or_create(tmp_path / "a")
    other = signing.load_or_create(tmp_path / "b")
    assert disclosure.rounding_key(one) == disclosure.rounding_key(signing.load_or_create(tmp_path / "a"))
    assert disclosure.rounding_key(one) != disclosure.rounding_key(other)
