"""The bench's bulk seeder (bench/aggregator_seed.py) writes exactly the rows ingest writes for the same bundles.

The district of a state (50,000 villages) is measured on rows written in bulk; these figures stand for the
real thing only if the rows are the ones `ingest.ingest()` makes: bundles, months, the hub's counters, the
kept figures and the quality flags. Same signed bundles, on SQLite and PostgreSQL (conftest).
"""

from datetime import date

from bench.aggregator import villages
from bench.aggregator_seed import COLUMNS, seed
from federation import bundle
from federation.aggregator import db, enrol, ingest, kept
from federation.aggregator.models import Hub
from federation.aggregator.web.reports import months_up_to

ORDER = {"hub": "id", "bundle": "id", "monthly_summary": "id", "hub_figure": "hub_id, period, figure",
         "quality_flag": "id", "district_figure": "period, figure"}


def _tables():
    found = {}
    for table, columns in COLUMNS.items():
        rows = db.database.execute_sql(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {ORDER[table]}")
        found[table] = [tuple(bytes(value) if isinstance(value, memoryview) else value for value in row)
                        for row in rows.fetchall()]
    return found


def test_bench_seed__writes_the_rows_ingest_writes_for_the_same_bundles(district):
    sample = list(villages(6, months_up_to("2026-11", 14), date(2026, 12, 6), seed=5))
    for village in sample:
        enrol.enrol(bundle.seal_enrolment(village.identity, enrol.issue_code(village.name)))
        Hub.update(enrolled_at=village.enrolled_at).where(Hub.id == village.identity.id).execute()
        for month in village.months:
            assert ingest.ingest(month.data, now=month.received_at)[0] == bundle.STORED
    kept.fold()  # the district's sums as the seeder writes them: every change folded in
    assert db.database.execute_sql("SELECT count(*) FROM district_pending").fetchone() == (0,)
    ingested = _tables()
    assert ingested["quality_flag"], "the sample should have an unusual month, so flags are compared too"
    assert {bool(row[-1]) for row in ingested["monthly_summary"]} == {True, False}  # months on time and late
    for table in ("district_figure", "quality_flag", "hub_figure", "monthly_summary", "bundle", "hub"):
        if table == "hub":  # the enrolment codes point at the hubs
            db.database.execute_sql("UPDATE enrolment_code SET hub_id = NULL")
        db.database.execute_sql(f"DELETE FROM {table}")

    seed(sample)

    seeded = _tables()
    for table in COLUMNS:
        assert seeded[table] == ingested[table], table
