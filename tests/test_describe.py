"""A protected payload in plain words: every table, cell and value of the schema has words, small and
withheld counts are said as such, values carry their reasons, and the words follow the reader's language."""

import pytest
from flask_babel import force_locale

from federation import schema
from hub.cases.service import CATEGORY_LABELS
from hub.sessions.service import KIND_LABELS
from hub.sharing import describe


def full_payload(count=5, total=10):
    """A payload with every table and cell of the schema, each cell `count`."""
    tables = {}
    for name, meta in schema.TABLES.items():
        tables[name] = {"cells": {cell: count for cell in meta["cells"]}}
        if meta["total"]:
            tables[name]["total"] = total
    values = {"median_days_to_referral": {"value": "2-7", "reason": ""},
              "savings_total_saved": {"value": 120000, "reason": ""},
              "savings_loans_outstanding": {"value": None, "reason": "one_member_above_half"}}
    return {"tables": tables, "values": values}


def rows_of(sections):
    return {(section.title, row.label): row for section in sections for row in section.rows}


def test_every_table_cell_and_value_of_the_schema_has_words(app_context):
    payload = full_payload()
    schema.validate(payload, schema.CURRENT)
    sections = describe.describe(payload)
    titles = [section.title for section in sections]
    assert len(titles) == len(schema.TABLES) + 1 and len(set(titles)) == len(titles)
    for name, meta in schema.TABLES.items():
        assert name in describe.TABLE_TITLES
        for cell in meta["cells"]:
            label = describe.cell_label(name, cell)
            assert label and label != cell, (name, cell)
    for name, meta in schema.VALUES.items():
        assert name in describe.VALUE_LABELS
        for reason in meta["reasons"]:
            assert reason == "" or reason in describe.REASON_LABELS
        for band in meta["values"] or ():
            assert band in describe.MEDIAN_BAND_LABELS
    for section in sections:  # no code of the payload is shown as it is
        for row in section.rows:
            assert "_" not in row.label and "_" not in row.value


def test_the_hubs_own_labels_are_reused(app_context):
    sections = describe.describe(full_payload())
    labels = {row.label for section in sections for row in section.rows}
    assert {str(label) for label in KIND_LABELS.values()} <= labels
    assert {str(label) for label in CATEGORY_LABELS.values()} <= labels
    # Schema 4: people of other sex or no age band are in attendance's total only, and the page says so.
    assert "Female, 10-17 years" in labels and "Other sex, or age not recorded" not in labels
    attendance = next(section for section in sections if any(row.label == "Female, 10-17 years"
                                                              for row in section.rows))
    assert "also counts people of other sex or without an age band" in attendance.rows[-1].note


def test_small_withheld_and_absent_totals(app_context):
    payload = {"tables": {
        "concerns_opened_by_category": {"cells": {"trafficking": "<5", "neglect": 10}, "total": None},
        "sessions_held": {"cells": {"life_skills": 0}, "total": 1250},
        "migration": {"cells": {"minors_away": "<5"}},
    }, "values": {}}
    sections = describe.describe(payload)
    assert [section.title for section in sections] == [
        "Sessions held", "Concerns reported, by what they are about", "Migration"]  # the report's order
    rows = rows_of(sections)
    assert rows["Concerns reported, by what they are about", "Trafficking"].value == "fewer than 5"
    assert rows["Concerns reported, by what they are about", "Neglect"].value == "10"
    total = rows["Concerns reported, by what they are about", "Total"]
    assert total.value == "withheld to protect children" and total.note
    assert rows["Sessions held", "Life-skills session"].value == "0"
    assert rows["Sessions held", "Total"].value == "1,250"
    assert [row.label for row in sections[2].rows] == ["Minors away at the end of the month"]  # no total row


def test_values_in_words_with_their_reasons(app_context):
    payload = {"tables": {}, "values": {
        "median_days_to_referral": {"value": None, "reason": "fewer_than_10_cases"},
        "savings_total_saved": {"value": 120000, "reason": ""},
        "savings_loans_outstanding": {"value": None, "reason": "fewer_than_5_members"}}}
    (section,) = describe.describe(payload)
    values = {row.label: (row.value, row.note) for row in section.rows}
    assert values["Usual time from a concern to its referral (median)"] == (
        "not shown", "fewer than 10 referred cases this month")
    assert values["Total saved by the savings groups"][0] == "₹1,200.00"  # minor units, the village's currency
    assert values["Loans still to be repaid"] == ("not shown", "fewer than 5 members saved")
    banded = describe.describe({"tables": {}, "values": {
        "median_days_to_referral": {"value": "31+", "reason": ""}}})
    assert banded[0].rows[0].value == "more than 30 days"


def test_an_empty_payload_says_nothing():
    assert describe.describe({"tables": {}, "values": {}}) == []


@pytest.mark.parametrize("language", ["hi", "es"])
def test_words_follow_the_readers_language(app_context, language):
    payload = {"tables": {"sessions_held": {"cells": {"parent_meeting": "<5"}, "total": 5}}, "values": {}}
    english = describe.describe(payload)
    with force_locale(language):
        translated = describe.describe(payload)
        meeting = str(KIND_LABELS["parent_meeting"])
    assert translated[0].rows[0].label == meeting != english[0].rows[0].label


def test_the_sums_over_a_quarter_are_said_in_words(app_context):
    payload = {"tables": {}, "values": {}, "coarser": {"referrals_by_service:total": 10, "volunteers:active": "<5"}}
    schema.validate(payload, schema.CURRENT)
    (section,) = describe.describe(payload)
    assert section.title == "Summed over a quarter or a year"
    assert [(row.label, row.value, row.note) for row in section.rows] == [
        ("Referrals to services", "10", "the 3 months up to this one"),
        ("Volunteers who facilitated a session", "fewer than 5", "the 3 months up to this one")]
