"""Schema versions 1 and 2 side by side: hubs are upgraded one by one, and the aggregator keeps, for each hub
and month, which version it holds (MonthlySummary.schema_version)."""

import pytest

from federation import schema
from federation.aggregator.models import MonthlySummary
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
