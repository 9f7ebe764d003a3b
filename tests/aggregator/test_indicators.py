"""The bound arithmetic of federation.aggregator.indicators: published counts -> ranges that hold the truth.

The property tested everywhere: publish true counts the way a hub does (DECISIONS "Privacy rule"), and
the district's range always contains the true sum, is never wider than it must be, and is exact when
nothing was blurred.
"""

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from federation.aggregator import indicators
from federation.aggregator.indicators import Bound, count_bound, district, table_total

TABLES = {
    "cases": {"cells": ("a", "b", "c"), "total": True, "case_family": True},
    "sessions": {"cells": ("x", "y"), "total": True, "case_family": False},
    "stocks": {"cells": ("p", "q"), "total": False, "case_family": True},
}


def publish(true, case_family, up):
    """A true count as a hub publishes it: "<5" for 1..4 (0..4 in the case family), else rounded to 5."""
    if true == 0 and not case_family:
        return 0
    if true < 5:
        return "<5"
    low = true - true % 5
    return low if true % 5 == 0 else (low + 5 if up else low)


def test_doctests():
    assert doctest.testmod(indicators).failed == 0


@pytest.mark.parametrize("case_family", (True, False))
def test_count_bound__holds_every_true_count_up_to_200(case_family):
    for true in range(201):
        for up in (False, True):
            bound = count_bound(publish(true, case_family, up), case_family)
            assert bound.lower <= true <= bound.upper, (true, up)
            assert bound.upper - bound.lower <= 8


def test_count_bound__is_as_narrow_as_the_rule_allows():
    assert count_bound("<5", True) == Bound(0, 4)
    assert count_bound("<5", False) == Bound(1, 4)
    assert count_bound(0) == Bound(0, 0) and count_bound(0).exact
    assert count_bound(5) == Bound(5, 9)  # a rounded count was at least 5
    assert count_bound(10) == Bound(6, 14)
    for refused in (3, -5, "5", None, True, 2.5):
        with pytest.raises(ValueError):
            count_bound(refused)


def test_table_total__intersects_the_published_total_with_its_cells():
    meta = TABLES["cases"]
    assert table_total({"cells": {"a": "<5", "b": "<5", "c": "<5"}, "total": 5}, meta) == Bound(5, 9)
    assert table_total({"cells": {"a": 20, "b": "<5", "c": "<5"}, "total": None}, meta) == Bound(16, 32)
    assert table_total({"cells": {"a": 20, "b": "<5", "c": "<5"}}, meta) == Bound(16, 32)  # absent: cells
    assert table_total({"cells": {"p": 5}}, TABLES["stocks"]) is None  # no meaningful total
    assert table_total({"cells": {"x": 0, "y": 0}, "total": 0}, TABLES["sessions"]) == Bound(0, 0)


def test_district__adds_bounds_across_hubs_and_counts_withheld_totals():
    payloads = [
        {"tables": {"sessions": {"cells": {"x": 10, "y": 0}, "total": 10}}},
        {"tables": {"sessions": {"cells": {"x": "<5", "y": 5}, "total": None},
                    "stocks": {"cells": {"p": "<5", "q": 15}}}},
        {"tables": {}},
    ]
    figures = district(payloads, TABLES)
    sessions = figures["tables"]["sessions"]
    assert sessions.hubs == 2 and sessions.withheld == 1
    assert sessions.total == Bound(12, 27)
    assert sessions.cells == {"x": Bound(7, 18), "y": Bound(5, 9)}
    stocks = figures["tables"]["stocks"]
    assert stocks.total is None and stocks.cells == {"p": Bound(0, 4), "q": Bound(11, 19)}
    assert figures["tables"]["cases"].hubs == 0 and figures["tables"]["cases"].total is None


def test_district__ignores_tables_the_schema_does_not_know():
    figures = district([{"tables": {"unknown": {"cells": {"z": 5}}}}], TABLES)
    assert "unknown" not in figures["tables"]


def test_district__values_count_bands_and_add_amounts():
    payloads = [{"values": {"median": {"value": "2-7", "reason": ""}, "saved": {"value": 12000, "reason": ""}}},
                {"values": {"median": {"value": None, "reason": "fewer_than_10_cases"},
                            "saved": {"value": 10000, "reason": ""}}},
                {"values": {"median": {"value": "2-7", "reason": ""},
                            "saved": {"value": None, "reason": "fewer_than_5_members"}}}]
    values = district(payloads, TABLES)["values"]
    assert values["median"].bands == {"2-7": 2} and values["median"].withheld == {"fewer_than_10_cases": 1}
    assert values["saved"].reported == 2 and values["saved"].total == Bound(21450, 23000)
    assert values["saved"].withheld == {"fewer_than_5_members": 1}


def round_2sf(value):
    from decimal import ROUND_HALF_UP, Decimal

    if value == 0:
        return 0
    exponent = len(str(value)) - 2
    return int(Decimal(value).scaleb(-exponent).quantize(Decimal(1), ROUND_HALF_UP).scaleb(exponent))


@given(st.integers(min_value=1, max_value=10**9))
def test_amount_bound__holds_the_amount_rounded_to_two_significant_figures(true):
    bound = indicators.amount_bound(round_2sf(true))
    assert bound.lower <= true <= bound.upper


hub_tables = st.fixed_dictionaries({
    "cases": st.tuples(st.lists(st.integers(0, 30), min_size=3, max_size=3), st.booleans(), st.booleans()),
    "sessions": st.tuples(st.lists(st.integers(0, 30), min_size=2, max_size=2), st.booleans(), st.booleans()),
})


@given(st.lists(hub_tables, min_size=1, max_size=8))
def test_district__the_true_total_and_cells_are_always_inside_the_range(hubs):
    payloads, true_totals, true_cells = [], {"cases": 0, "sessions": 0}, {}
    for hub in hubs:
        tables = {}
        for name, (counts, withheld, up) in hub.items():
            meta = TABLES[name]
            cells = dict(zip(meta["cells"], counts, strict=True))
            tables[name] = {"cells": {cell: publish(true, meta["case_family"], up) for cell, true in cells.items()},
                            "total": None if withheld else publish(sum(counts), meta["case_family"], not up)}
            true_totals[name] += sum(counts)
            for cell, true in cells.items():
                true_cells[(name, cell)] = true_cells.get((name, cell), 0) + true
        payloads.append({"tables": tables})
    figures = district(payloads, TABLES)
    for name, true in true_totals.items():
        total = figures["tables"][name].total
        assert total.lower <= true <= total.upper
    for (name, cell), true in true_cells.items():
        bound = figures["tables"][name].cells[cell]
        assert bound.lower <= true <= bound.upper


def test_district__is_exact_only_when_nothing_was_blurred():
    zeros = {"tables": {"sessions": {"cells": {"x": 0, "y": 0}, "total": 0}}}
    assert district([zeros] * 3, TABLES)["tables"]["sessions"].total == Bound(0, 0)
    rounded = {"tables": {"sessions": {"cells": {"x": 5, "y": 0}, "total": 5}}}
    total = district([zeros, rounded], TABLES)["tables"]["sessions"].total
    assert not total.exact and total == Bound(5, 9)


def test_district__adds_the_sums_over_a_quarter_like_the_kept_figures():
    from federation import schema

    payloads = [{"tables": {}, "values": {}, "coarser": {"referrals_by_service:total": value}} for value in (10, "<5")]
    found = indicators.district(payloads, schema.TABLES)["coarser"]["referrals_by_service:total"]
    assert (found.total, found.hubs) == (indicators.Bound(6, 18), 2)
