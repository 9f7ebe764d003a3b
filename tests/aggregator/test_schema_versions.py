"""Schema versions 1, 2, 3 and 4 side by side: hubs are upgraded one by one, and the aggregator keeps, for each
hub and month, which version it holds (MonthlySummary.schema_version)."""

import json

import pytest

from federation import schema
from federation.aggregator.indicators import Bound
from federation.aggregator.models import MonthlySummary
from federation.aggregator.web import reports
from tests.aggregator.conftest import seal, valid_payload

JSON = "application/json"


def v2_payload(count=10):
    """A schema 2 payload: every count "<5" (0 to 4, zero included) or a multiple of 5 from 5."""
    sessions = dict.fromkeys(schema.TABLES["sessions_held"]["cells"], "<5")
    sessions["life_skills"] = count
    return {"tables": {"sessions_held": {"cells": sessions, "total": count},
                       "volunteers": {"cells": {"active": "<5"}}},
            "values": {"savings_total_saved": {"value": None, "reason": "p_percent_rule"}}}


def post(api, data):
    return api.post("/api/v1/bundles", data=data, content_type=JSON)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_versions_1_and_2_are_held_side_by_side_and_the_aggregator_says_which(api, enrolled):
    old, new = enrolled("Rampur"), enrolled("Lalpur")
    assert post(api, seal(old, 1, "2026-10", payload=valid_payload(), schema_version=1)).status_code == 201
    assert post(api, seal(new, 1, "2026-10", payload=v2_payload(), schema_version=2)).status_code == 201
    assert post(api, seal(new, 2, "2026-11", payload=v2_payload(15), schema_version=2)).status_code == 201
    held = {(row.hub_id, row.period): row.schema_version for row in MonthlySummary.select()}
    assert held == {(old.id, "2026-10"): 1, (new.id, "2026-10"): 2, (new.id, "2026-11"): 2}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("payload, why", [
    (valid_payload(), "an exact 0 is not a schema 2 count"),
    (v2_payload(100_005), "above the largest count a village can hold in a month"),
])
def test_schema_2_refuses_what_it_does_not_allow(api, enrolled, payload, why):
    hub = enrolled()
    answer = post(api, seal(hub, 1, "2026-10", payload=payload, schema_version=2))
    assert (answer.status_code, answer.get_json()["error"]) == (422, "invalid_payload"), why
    assert MonthlySummary.select().count() == 0


def test_the_schema_says_what_a_less_than_five_stands_for():
    # Version 2: "<5" is 0 to 4 in every table; version 1: only in the case family (elsewhere 1 to 4).
    assert schema.zero_hidden(2) is True and schema.zero_hidden(1) is False
    assert schema.document(2)["$defs"]["count"]["oneOf"][1]["minimum"] == 5


def attendance(version, cells):
    """A payload of schema version with only attendance: the version's every cell "<5" but those given."""
    found = dict.fromkeys(schema.tables(version)["attendance"]["cells"], "<5")
    found.update(cells)
    return {"tables": {"attendance": {"cells": found, "total": None}}, "values": {}}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_version_3_merged_cells_and_version_2_fine_cells_add_into_one_district_row(api, enrolled):
    old, new = enrolled("Rampur"), enrolled("Lalpur")
    v2 = attendance(2, {"female.10-14": 20, "female.15-17": 5, "other.10-14": 5})
    assert post(api, seal(old, 1, "2026-10", payload=v2, schema_version=2)).status_code == 201
    v3 = attendance(3, {"female.10-17": 30})
    assert post(api, seal(new, 1, "2026-10", payload=v3, schema_version=3)).status_code == 201
    assert {row.schema_version for row in MonthlySummary.select()} == {2, 3}
    cells = reports.figures_for(["2026-10"])["2026-10"]["tables"]["attendance"].cells
    assert cells["female.10-17"] == Bound(16 + 5 + 26, 24 + 9 + 34)    # 20 and 5 of Rampur, 30 of Lalpur
    # Rampur's other.* and *.unknown (one 5, eight "<5"), Lalpur's cell "<5": from schema 2 a "<5" may be 0.
    assert cells["other_or_not_recorded"] == Bound(5, 9 + 4 * 8 + 4)
    # No row of a cell no hub sends any more; schema 3's other_or_not_recorded is still sent by hubs of 3.
    assert set(cells) == set(schema.TABLES["attendance"]["cells"]) | {schema.OTHER_OR_NOT_RECORDED}


def test_version_3_merges_sparse_attendance_cells():
    assert schema.tables(3)["attendance"]["cells"] == (
        "female.0-9", "female.10-17", "female.18+", "male.0-9", "male.10-17", "male.18+", "other_or_not_recorded")
    assert schema.zero_hidden(3) is True and schema.zero_hidden(4) is True and schema.CURRENT == 4


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sums_over_a_quarter_are_kept_and_shown_with_their_range(api, officer, enrolled):
    rampur, lalpur = enrolled("Rampur"), enrolled("Lalpur")
    for hub, referrals in ((rampur, 10), (lalpur, "<5")):
        quarter = {"tables": {}, "values": {}, "coarser": {"referrals_by_service:total": referrals}}
        assert post(api, seal(hub, 1, "2026-09", payload=quarter, schema_version=3)).status_code == 201
    sums = reports.figures_for(["2026-09"])["2026-09"]["coarser"]
    assert (sums["referrals_by_service:total"].total, sums["referrals_by_service:total"].hubs) == (Bound(6, 18), 2)
    text = officer.get("/indicators?period=2026-09").data.decode()
    assert "Summed over a quarter or a year" in text
    assert "Referrals to services, the 3 months to 2026-09: between 6 and 18, from 2 hubs" in text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_exports_give_each_month_the_bounds_of_its_own_version_and_the_sums(api, officer, enrolled):
    old, new = enrolled("Rampur"), enrolled("Lalpur")
    assert post(api, seal(old, 1, "2026-09", payload=valid_payload(), schema_version=1)).status_code == 201
    quarter = {"tables": {"volunteers": {"cells": {"active": "<5"}}}, "values": {},
               "coarser": {"volunteers:active": 10}}
    assert post(api, seal(new, 1, "2026-09", payload=quarter, schema_version=3)).status_code == 201
    rows = json.loads(officer.get("/exports/summaries.json?period=2026-09").data)["rows"]
    found = {(row["hub_name"], row["table"], row["cell"]): (row["published"], row["lower"], row["upper"])
             for row in rows}
    assert found["Lalpur", "volunteers", "active"] == ("<5", 0, 4)                 # schema 3: 0 to 4
    assert found["Lalpur", "coarser", "volunteers:active"] == (10, 6, 14)
    assert found["Rampur", "sessions_held", "parent_meeting"] == (0, 0, 0)          # schema 1: a true 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_version_4_counts_other_sex_in_the_total_only_and_is_read_beside_version_3(api, officer, enrolled):
    old, new = enrolled("Rampur"), enrolled("Lalpur")
    v3 = attendance(3, {"female.10-17": 30, schema.OTHER_OR_NOT_RECORDED: 10})
    v3["tables"]["attendance"]["total"] = 45
    assert post(api, seal(old, 1, "2026-10", payload=v3, schema_version=3)).status_code == 201
    # Lalpur's total of 40 counts people of other sex or no age band that no cell shows: 30 + 4 x "<5" + ...
    v4 = attendance(4, {"female.10-17": 30})
    v4["tables"]["attendance"]["total"] = 40
    assert schema.OTHER_OR_NOT_RECORDED not in v4["tables"]["attendance"]["cells"]
    assert post(api, seal(new, 1, "2026-10", payload=v4, schema_version=4)).status_code == 201
    # The same cell sent by a hub of schema 4 is refused: its schema has no such cell.
    v4["tables"]["attendance"]["cells"][schema.OTHER_OR_NOT_RECORDED] = "<5"
    assert post(api, seal(new, 2, "2026-11", payload=v4, schema_version=4)).status_code == 422
    assert {row.schema_version for row in MonthlySummary.select()} == {3, 4}
    attendance_figures = reports.figures_for(["2026-10"])["2026-10"]["tables"]["attendance"]
    # Rampur: 45 (41 to 49), within its cells' 32 to 68; Lalpur: 40 (36 to 44), at least its cells' 26.
    assert attendance_figures.total == Bound(41 + 36, 49 + 44)
    assert attendance_figures.cells[schema.OTHER_OR_NOT_RECORDED] == Bound(6, 14)   # Rampur's alone
    page = officer.get("/indicators?period=2026-10").data.decode()
    assert "(only from hubs of schema 3 or earlier)" in page
    assert "From schema 4 hubs count them in the total only" in page
    village = officer.get(f"/hubs/{new.id}").data.decode()
    assert "Summary schema" in village and "<td>4</td>" in village


def test_version_4_total_includes_what_no_cell_shows():
    from federation.aggregator import figures, indicators

    meta = figures.tables_for(4)["attendance"]
    part = {"cells": dict.fromkeys(meta["cells"], "<5") | {"female.10-17": 30}, "total": 60}
    # Read by version 3's rule the total would be cut to the cells' most (34 + 5 x 4 = 54).
    assert indicators.table_total(part, meta) == Bound(56, 64)
    withheld = {**part, "total": None}
    by_kind = {"cells": {"life_skills": 60}}
    assert indicators.table_total(withheld, meta, by_kind) == Bound(56, 64)
    # A payload of schema 3 (its own cell for them) read with schema 4's rule: its cells counted everyone.
    old = {"cells": dict.fromkeys(figures.tables_for(3)["attendance"]["cells"], "<5") | {"female.10-17": 30},
           "total": 60}
    assert indicators.table_total(old, meta) == Bound(56, 58)
