"""Months, and what the indicators page, a village's months and the enrolment codes read.

The indicators page reads the district's figures kept per month (federation.aggregator.figures, updated
at ingest), so no page adds up payloads. The dashboard, the village table and the data quality page read
through web.dashboard. Reads only: ingest and enrol write.

Completeness follows how district health information systems report it (DHIS2's "reporting rate" and
"reporting rate on time"): a village is expected to send one summary a month from its first month (the
month it enrolled, or an earlier month it sent history of) to last month.
"""

import re

from peewee import SQL, fn

from federation.aggregator import figures
from federation.aggregator.enrol import utcnow
from federation.aggregator.models import (
    DistrictFigure,
    DistrictPending,
    EnrolmentCode,
    Hub,
    MonthlySummary,
)

SILENT_AFTER_DAYS = 45
CHART_MONTHS = 12
PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def tables():
    """The summary schema's tables: {table: {"cells", "total", "case_family"}}."""
    from federation import schema

    return schema.TABLES


def span_months():
    """{"table:cell": 3 or 12}: the months each sum over a quarter or a year adds up (schema.COARSER)."""
    from federation import schema

    return schema.COARSER


# --- months ---------------------------------------------------------------------------------------------

def period_of(moment):
    return f"{moment.year:04d}-{moment.month:02d}"


def month_index(period):
    year, month = period.split("-")
    return int(year) * 12 + int(month) - 1


def period_at(index):
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def last_month(now):
    """The most recent month that has ended."""
    return period_at(month_index(period_of(now)) - 1)


def months_up_to(last, count):
    """The count months ending with last, oldest first."""
    end = month_index(last)
    return [period_at(index) for index in range(end - count + 1, end + 1)]


def valid_period(text):
    return bool(text) and PERIOD.match(text) is not None


# --- district figures per month, kept at ingest ---------------------------------------------------------

def figures_for(periods, names=None):
    """{period: indicators.district()-shaped figures} for each period, read from the kept district rows."""
    rows = figures.district_rows(periods, names)
    schema_tables = tables()
    return {period: figures.district_from_rows(found, schema_tables) for period, found in rows.items()}


def indicators_page(period):
    """-> (district figures of period, {period: figures} for the chart months: only the tables' totals)."""
    months = months_up_to(period, CHART_MONTHS)
    totals = [f"{table}:{part}" for table, meta in tables().items() if meta.get("total")
              for part in ("total", "@hubs")]
    by_month = figures_for(months[:-1], totals)
    by_month.update(figures_for([period]))
    return by_month[period], by_month


def reported_count(period):
    """How many hubs sent a summary of period."""
    return MonthlySummary.select().where(MonthlySummary.period == period).count()


def periods_with_data():
    """Every month some hub sent a summary of, newest first (from the kept district figures, folded or not:
    a few thousand rows, where the summaries are one row per village and month)."""
    query = DistrictFigure.select(DistrictFigure.period) | DistrictPending.select(DistrictPending.period)
    return [period for (period,) in query.order_by(SQL("1").desc()).tuples()]


def default_period(now=None):
    """Last month, or the newest month with data when last month has none yet."""
    last = last_month(now or utcnow())
    newest = (MonthlySummary.select(fn.MAX(MonthlySummary.period)).where(MonthlySummary.period <= last).scalar())
    return newest or last


def active_hub_count():
    return Hub.active().count()


# --- one hub --------------------------------------------------------------------------------------------

def hub_months(hub_id):
    """A village's months received, newest first: period, revision, received day, on time and the summary
    schema version each is held in (versions are read side by side, each month by its own)."""
    return list(MonthlySummary.select(MonthlySummary.period, MonthlySummary.revision, MonthlySummary.received_at,
                                      MonthlySummary.on_time, MonthlySummary.schema_version)
                .where(MonthlySummary.hub == hub_id).order_by(MonthlySummary.period.desc()))


def open_codes(now=None):
    return list(EnrolmentCode.open_at(now or utcnow()))
