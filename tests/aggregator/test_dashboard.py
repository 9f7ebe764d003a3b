"""The district at scale: figures kept at ingest, the village table, data quality, CSV and JSON of each view.

Real aggregator (SQLite and PostgreSQL, conftest), real hub keys, summaries in through `ingest.ingest()`.
"""

import csv
import io
import json
import random

import pytest

from bench.aggregator import _fix_reasons, realistic_payload
from federation import schema
from federation.aggregator import indicators
from federation.aggregator.figures import district_rows
from federation.aggregator.models import DistrictFigure, HubFigure, QualityFlag
from federation.aggregator.web import dashboard, reports
from tests.aggregator.test_pages import NOW, payload, receive, table

PAGE_LIMIT = 150 * 1024


def test_figures__kept_at_ingest_equal_the_sum_of_the_latest_revisions(district, enrolled):
    rng = random.Random(3)
    latest = {}
    for number in range(4):
        hub = enrolled(f"Village {number}")
        for sequence, period in enumerate(("2026-09", "2026-10"), 1):
            data = _fix_reasons(realistic_payload(rng, schema.tables(1)))
            receive(hub, period, data, sequence)
            latest[(number, period)] = data
        if number == 2:  # a corrected October: the first version must leave no trace
            data = _fix_reasons(realistic_payload(rng, schema.tables(1)))
            receive(hub, "2026-10", data, 3, revision=2)
            latest[(number, "2026-10")] = data
    kept = reports.figures_for(["2026-09", "2026-10"])
    for period in ("2026-09", "2026-10"):
        expected = indicators.district([data for (_n, month), data in latest.items() if month == period],
                                       schema.TABLES)
        for name, figures in expected["tables"].items():
            got = kept[period]["tables"][name]
            assert (got.hubs, got.withheld, got.total) == (figures.hubs, figures.withheld, figures.total), name
            assert got.cells == pytest.approx(figures.cells) or got.cells == figures.cells, name
        assert kept[period]["values"].keys() == expected["values"].keys()
        for name, value in expected["values"].items():
            got = kept[period]["values"][name]
            assert (got.reported, got.withheld, got.bands) == (value.reported, value.withheld, value.bands), name
            if value.total is not None:
                assert got.total.lower == pytest.approx(value.total.lower), name
    assert HubFigure.select().where(HubFigure.period == "2026-10").count() > 0
    (_lower, _upper, hubs) = district_rows(["2026-10"], ["sessions_held:@hubs"])["2026-10"]["sessions_held:@hubs"]
    assert hubs == 4


def test_figures__schema_version_does_not_name_the_rows(district):
    from federation.aggregator.figures import contributions

    rows = contributions(payload(sessions_held=table("sessions_held", total=10, life_skills=10)), schema.TABLES)
    assert rows["sessions_held:total"] == indicators.Bound(6, 14)
    assert rows["value:savings_total_saved"] == indicators.Bound(11500.0, 12500.0)
    assert rows["value:median_days_to_referral!fewer_than_10_cases"] == indicators.Bound(1, 1)


def test_quality__an_unusual_month_and_a_correction_are_flagged_for_the_next_visit(officer, enrolled, monkeypatch):
    monkeypatch.setattr(dashboard, "utcnow", lambda: NOW)
    hub = enrolled("Rampur")
    usual = payload(sessions_held=table("sessions_held", total=10, life_skills=10))
    for sequence, period in enumerate(("2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08",
                                       "2026-09"), 1):
        receive(hub, period, usual, sequence)
    jump = payload(sessions_held=table("sessions_held", total=100, life_skills=100))
    receive(hub, "2026-10", jump, 8)
    receive(hub, "2026-09", payload(sessions_held=table("sessions_held", total=15, life_skills=15)), 9, revision=2)
    flags = {(flag.period, flag.kind, flag.figure) for flag in QualityFlag.select()}
    assert ("2026-10", "outlier", "sessions_held:total") in flags
    assert ("2026-09", "revised", "") in flags
    assert not any(period < "2026-09" for period, _kind, _figure in flags)
    page = officer.get("/quality").data.decode()
    assert "October 2026: Sessions held far from its usual figure" in page
    assert "September 2026 was corrected and sent again" in page
    assert "1 months missing" in page  # 2026-11 not received yet
    village = officer.get(f"/hubs/{hub.id}").data.decode()
    assert "October 2026: Sessions held far from its usual figure" in village
    assert "Months missing: November 2026" in village
    rows = list(csv.DictReader(io.StringIO(officer.get("/quality?format=csv").data.decode())))
    assert rows[0]["village"] == "Rampur" and rows[0]["unusual"] == "2026-10 sessions_held:total"


@pytest.fixture
def many_villages(enrolled):
    """55 villages, each with October's sessions held: 5, 10, ... 275 (village 1 to 55)."""
    for number in range(1, 56):
        hub = enrolled(f"Village {number:02d}")
        count = 5 * number
        receive(hub, "2026-10", payload(sessions_held=table("sessions_held", total=count, life_skills=count)), 1)


def test_warm_up__the_first_views_after_a_start_format_no_number_again(aggregator_app, officer, many_villages,
                                                                     monkeypatch):
    from federation.aggregator.app import WARM_PAGES, warm_up
    from federation.aggregator.web import numbers

    numbers._memo.clear()  # a start: nothing formatted yet in this process
    warm_up(aggregator_app)
    formatted, real = [], numbers._number
    monkeypatch.setattr(numbers, "_number", lambda value: formatted.append(value) or real(value))

    for path in WARM_PAGES:
        assert officer.get(path.format(period="2026-10")).status_code == 200
    assert formatted == []


def test_villages__sorted_searched_and_one_page_at_a_time(officer, many_villages):
    first = officer.get("/villages?period=2026-10").data.decode()
    assert first.count('<a href="/hubs/') == dashboard.PER_PAGE and "Page 1 of 2" in first
    assert ">Village 01</a>" in first and ">Village 55</a>" not in first
    second = officer.get("/villages?period=2026-10&page=2").data.decode()
    assert second.count('<a href="/hubs/') == 5 and ">Village 55</a>" in second
    high = officer.get("/villages?period=2026-10&sort=high").data.decode()
    assert high.index(">Village 55</a>") < high.index(">Village 54</a>") < high.index(">Village 10</a>")
    assert ">Village 01</a>" not in high  # the lowest are on the second page
    found = officer.get("/villages?period=2026-10&q=village 3").data.decode()
    assert found.count('<a href="/hubs/') == 10  # 30 to 39
    assert officer.get("/villages?sort=sideways").status_code == 400
    assert officer.get("/villages?figure=nonsense").status_code == 400
    assert officer.get("/villages?page=9").status_code == 404


def test_views__each_answers_csv_and_json_with_its_rows(officer, many_villages):
    rows = list(csv.DictReader(io.StringIO(officer.get("/villages?period=2026-10&format=csv").data.decode())))
    assert len(rows) == 55  # every village, not one page
    village_10 = next(row for row in rows if row["village"] == "Village 10")
    assert (village_10["published"], village_10["lower"], village_10["upper"]) == ("50", "46", "54")
    board = json.loads(officer.get("/?period=2026-10&format=json").data)
    sessions = next(row for row in board["rows"] if row["figure"] == "sessions_held:total")
    assert sessions["villages"] == 55 and sessions["label"] == "Sessions held"
    assert board["reporting"] == {"expected": 55, "received": 55, "on_time": 0}  # received after the 15th
    hub_id = village_10["village_id"]
    village = json.loads(officer.get(f"/hubs/{hub_id}?format=json").data)
    assert {"period": "2026-10", "figure": "sessions_held:total", "published": "50", "lower": 46.0,
            "upper": 54.0} in village["rows"]
    assert officer.get("/?format=xml").status_code == 400
    reply = officer.get("/villages?format=csv")
    assert reply.headers["Content-Disposition"].startswith('attachment; filename="villages-sessions_held-total-')


def test_pages__stay_small_and_show_months_as_words(officer, many_villages):
    hub_id = HubFigure.get().hub_id
    for path in ("/?period=2026-10", "/villages?period=2026-10", "/quality", "/indicators?period=2026-10",
                 f"/hubs/{hub_id}"):
        reply = officer.get(path)
        assert reply.status_code == 200, path
        assert len(reply.data) <= PAGE_LIMIT, (path, len(reply.data))
        assert b"<script" not in reply.data and b"style=" not in reply.data, path
    board = officer.get("/?period=2026-10").data.decode()
    assert "The district in October 2026" in board and ">Nov</text>" in board and ">Oct</text>" in board
    assert "Records typed into a village" in board  # the note on late-entered history
    assert "+1,430 on last month" not in board and "last month: no data" in board


def test_numbers__a_huge_or_odd_stored_value_is_written_not_a_crash(district):
    from federation.aggregator.web import numbers

    with district.test_request_context():
        assert numbers.number(10 ** 30) == "1e+30"
        assert numbers.number(float("inf")) == "—" and numbers.number(None) == "—"
        assert numbers.bound(indicators.Bound(1234567, 1234567)) == "1,234,567"
        assert numbers.change(indicators.Bound(10, 20), indicators.Bound(5, 5)) == "+10"
        assert numbers.published("<5") == "<5" and numbers.published(None) == "withheld"


def test_pages__read_the_figures_kept_at_ingest_not_the_payloads(officer, many_villages):
    from federation.aggregator.models import MonthlySummary

    before = officer.get("/?period=2026-10&format=json").data
    MonthlySummary.update(payload="{}").execute()  # nothing left for a page to add up
    assert officer.get("/?period=2026-10&format=json").data == before
    text = officer.get("/indicators?period=2026-10").data.decode()
    assert "District total: between 7,484 and 7,920" in text  # 5+10+...+275 = 7,700, each ±4 (5 at least 5)


def test_figures__rebuilt_from_the_summaries_held_give_the_same_pages(officer, many_villages):
    from federation.aggregator import kept
    from federation.aggregator.models import Hub

    before = [officer.get(path).data for path in ("/?period=2026-10&format=json", "/villages?format=csv",
                                                  "/quality?format=csv")]
    Hub.update(months_received=0, first_period=None).execute()
    DistrictFigure.delete().execute()  # as after migration 0002 on an aggregator holding summaries
    assert kept.rebuild(schema.TABLES) == 55
    after = [officer.get(path).data for path in ("/?period=2026-10&format=json", "/villages?format=csv",
                                                 "/quality?format=csv")]
    assert after == before


def test_quality__the_database_ranks_pages_and_searches_the_villages_to_follow_up(officer, enrolled, monkeypatch):
    from datetime import datetime

    from tests.aggregator.test_pages import enrolled_at

    monkeypatch.setattr(dashboard, "utcnow", lambda: NOW)
    usual = payload(sessions_held=table("sessions_held", total=10, life_skills=10))
    steady = enrolled("Alpha_1")
    enrolled_at(steady, datetime(2026, 6, 1))
    for sequence, period in enumerate(reports.months_up_to("2026-11", 6), 1):
        receive(steady, period, usual, sequence)
    for name, month in (("Beta%2", 9), ("Gamma 3", 10), ("Delta 4", 11)):
        enrolled_at(enrolled(name), datetime(2026, month, 1))
    rows = list(csv.DictReader(io.StringIO(officer.get("/quality?format=csv").data.decode())))
    assert [(row["village"], row["missing_months"], row["days_silent"]) for row in rows] == [
        ("Beta%2", "3", "96"), ("Gamma 3", "2", "66"), ("Delta 4", "1", "35")]  # weights 3+5, 2+5, 1
    items, total = dashboard.follow_ups(page=2, per_page=2)
    assert [item.name for item in items] == ["Delta 4"] and total == 3
    assert dashboard.follow_ups(page=3, per_page=2) == ([], 3)
    assert [item.name for item in dashboard.follow_ups("%")[0]] == ["Beta%2"]  # a wildcard is a character
    assert dashboard.follow_ups("_") == ([], 0)  # Alpha_1 has nothing to follow up
    page = officer.get("/quality?q=A+3").data.decode()
    assert ">Gamma 3</strong>" in page and "Beta%2" not in page
