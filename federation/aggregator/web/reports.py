"""What the pages show, read from the aggregator's tables: one function per page, a few queries each.

The overview reads one narrow query (hub, period, on time) for every summary; the indicators page
reads the district's figures kept per month (federation.aggregator.figures, updated at ingest), so no
page adds up payloads. Reads only: ingest and enrol write.

Completeness and timeliness follow how district health information systems report them (DHIS2's
"reporting rate" and "reporting rate on time"): summaries expected = the months from the month of
enrolment to last month; completeness = received / expected; timeliness = received on time (by the
15th of the next month) / expected.
"""

import json
import re
from dataclasses import dataclass

from peewee import fn

from federation.aggregator import figures, indicators
from federation.aggregator.enrol import utcnow
from federation.aggregator.models import DistrictFigure, EnrolmentCode, Hub, MonthlySummary

SILENT_AFTER_DAYS = 45
CHART_MONTHS = 12
HUB_CHART_MONTHS = 24
PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# The key indicators of a village's trend page: (table, cell or None for the total).
KEY_INDICATORS = (("sessions_held", None), ("attendance", None), ("children_reached", None),
                  ("concerns_opened_by_category", None), ("referrals_by_service", None))


def tables():
    """The summary schema's tables: {table: {"cells", "total", "case_family"}}."""
    from federation import schema

    return schema.TABLES


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


def percent(part, whole):
    return None if not whole else round(100 * part / whole)


# --- the overview ---------------------------------------------------------------------------------------

@dataclass
class HubRow:
    """One hub on the overview."""

    hub: Hub
    last_period: str | None = None
    days_silent: int | None = None    # days since its last bundle (or since enrolment, when none came)
    expected: int = 0
    received: int = 0
    on_time: int = 0

    @property
    def silent(self):
        return not self.hub.revoked and self.days_silent is not None and self.days_silent > SILENT_AFTER_DAYS

    @property
    def completeness(self):
        return percent(self.received, self.expected)

    @property
    def timeliness(self):
        return percent(self.on_time, self.expected)


@dataclass
class District:
    hubs: int = 0
    silent: int = 0
    revoked: int = 0
    expected: int = 0
    received: int = 0
    on_time: int = 0
    last_month: str = ""

    @property
    def completeness(self):
        return percent(self.received, self.expected)

    @property
    def timeliness(self):
        return percent(self.on_time, self.expected)


def overview(now=None):
    """-> ([HubRow] silent hubs first, then by name; District) as of now (the aggregator's clock)."""
    now = now or utcnow()
    last = last_month(now)
    last_index = month_index(last)
    rows = {hub.id: HubRow(hub) for hub in Hub.select().order_by(Hub.name, Hub.id)}
    first_index = {hub_id: month_index(period_of(row.hub.enrolled_at)) for hub_id, row in rows.items()}
    query = MonthlySummary.select(MonthlySummary.hub, MonthlySummary.period, MonthlySummary.on_time).tuples()
    for hub_id, period, on_time in query:
        row = rows.get(hub_id)
        if row is None:
            continue
        if row.last_period is None or period > row.last_period:
            row.last_period = period
        if first_index[hub_id] <= month_index(period) <= last_index:
            row.received += 1
            row.on_time += bool(on_time)
    district = District(last_month=last)
    for hub_id, row in rows.items():
        row.expected = max(0, last_index - first_index[hub_id] + 1)
        since = row.hub.last_received_at or row.hub.enrolled_at
        row.days_silent = max(0, (now - since).days)
        if row.hub.revoked:
            district.revoked += 1
            continue
        district.hubs += 1
        district.silent += row.silent
        district.expected += row.expected
        district.received += row.received
        district.on_time += row.on_time
    ordered = sorted(rows.values(), key=lambda row: (not row.silent, row.hub.revoked))
    return ordered, district


# --- district figures per month, kept at ingest ---------------------------------------------------------

def figures_for(periods):
    """{period: indicators.district()-shaped figures} for each period, read from the kept district rows."""
    rows = {period: {} for period in periods}
    query = (DistrictFigure.select(DistrictFigure.period, DistrictFigure.figure, DistrictFigure.lower,
                                   DistrictFigure.upper, DistrictFigure.hubs)
             .where(DistrictFigure.period.in_(list(periods))).tuples())
    for period, figure, lower, upper, hubs in query:
        rows[period][figure] = (lower, upper, hubs)
    schema_tables = tables()
    return {period: figures.district_from_rows(found, schema_tables) for period, found in rows.items()}


# --- the indicators page --------------------------------------------------------------------------------

@dataclass
class HubMonth:
    """One hub's published summary of the month shown."""

    hub_id: str
    hub_name: str
    revision: int
    data: dict


def indicators_page(period, with_hubs=False):
    """-> (district figures of period, {period: figures} for the chart months, [HubMonth] when with_hubs)."""
    chart_months = months_up_to(period, CHART_MONTHS)
    by_month = figures_for(chart_months)
    if not with_hubs:
        return by_month[period], by_month, []
    rows = (MonthlySummary.select(MonthlySummary.hub, Hub.name, MonthlySummary.revision, MonthlySummary.payload)
            .join(Hub).where(MonthlySummary.period == period).order_by(Hub.name, Hub.id).tuples())
    hub_months = [HubMonth(hub_id, name, revision, json.loads(payload)) for hub_id, name, revision, payload in rows]
    return by_month[period], by_month, hub_months


def reported_count(period):
    """How many hubs sent a summary of period."""
    return MonthlySummary.select().where(MonthlySummary.period == period).count()


def periods_with_data():
    """Every month some hub sent a summary of, newest first."""
    query = (MonthlySummary.select(MonthlySummary.period).distinct()
             .order_by(MonthlySummary.period.desc()).tuples())
    return [period for (period,) in query]


def default_period(now=None):
    """Last month, or the newest month with data when last month has none yet."""
    last = last_month(now or utcnow())
    newest = (MonthlySummary.select(fn.MAX(MonthlySummary.period)).where(MonthlySummary.period <= last).scalar())
    return newest or last


def active_hub_count():
    return Hub.active().count()


# --- one hub --------------------------------------------------------------------------------------------

def hub_page(hub_id, now=None):
    """-> (Hub or None, its months newest first, {(table, cell): [(period, Bound or None)]} for the charts)."""
    hub = Hub.get_or_none(Hub.id == hub_id)
    if hub is None:
        return None, [], {}
    months = list(MonthlySummary.select(MonthlySummary.period, MonthlySummary.revision, MonthlySummary.received_at,
                                        MonthlySummary.on_time, MonthlySummary.payload)
                  .where(MonthlySummary.hub == hub_id).order_by(MonthlySummary.period.desc()))
    last = last_month(now or utcnow())
    newest = max([months[0].period, last] if months else [last])
    periods = months_up_to(newest, HUB_CHART_MONTHS)
    first = min([period_of(hub.enrolled_at)] + [month.period for month in months])
    periods = [period for period in periods if period >= first] or [newest]
    payloads = {month.period: json.loads(month.payload) for month in months if month.period in periods}
    schema_tables = tables()
    series = {}
    for table, cell in KEY_INDICATORS:
        meta = schema_tables.get(table, {"total": True, "case_family": True})
        points = []
        for period in periods:
            part = payloads.get(period, {}).get("tables", {}).get(table)
            bound = None
            if part is not None:
                bound = (indicators.table_total(part, meta) if cell is None
                         else indicators.published_bound(part.get("cells", {}).get(cell), meta))
            points.append((period, bound))
        series[(table, cell)] = points
    return hub, months, series


def open_codes(now=None):
    return list(EnrolmentCode.open_at(now or utcnow()))
