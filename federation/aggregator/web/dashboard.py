"""What the dashboard, the village table, a village's page and the data quality page show: a few reads each.

Everything here reads the figures kept at ingest (federation.aggregator.figures): `district_figure` for
the district, `hub_figure` for the villages, the hub's counters for completeness and `quality_flag` for
the mentors, so a page costs the same for 50 villages as for 5,000.

The families follow DHIS2's scorecards: a headline per family with the district figure, its change from
last month and from a year ago, and the reporting rate of the month.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from peewee import JOIN, fn

from federation.aggregator import db, figures
from federation.aggregator.enrol import utcnow
from federation.aggregator.indicators import Bound
from federation.aggregator.models import Hub, HubFigure, MonthlySummary, QualityFlag
from federation.aggregator.web.reports import (
    SILENT_AFTER_DAYS,
    last_month,
    month_index,
    months_up_to,
    period_at,
    period_of,
)

PER_PAGE = 50
CHART_MONTHS = 12
VILLAGE_MONTHS = 24
FOLLOW_UP_MONTHS = 3  # the data quality page looks at flags of the last 3 months


@dataclass(frozen=True)
class Family:
    code: str
    title: object
    figures: tuple
    breakdown: str = ""  # a table whose cells are listed under the headline (concerns by category)


FAMILIES = (
    Family("sessions", _l("Sessions and children reached"),
           ("sessions_held:total", "attendance:total", "children_reached:total")),
    Family("concerns", _l("Concerns and how fast they reach a referral"),
           ("concerns_opened_by_category:total", "referrals_by_service:total"), "concerns_opened_by_category"),
    Family("migration", _l("Minors migrating"),
           ("migration:departures_minors", "migration:returns_minors", "migration:minors_away")),
    Family("school", _l("Children returning to school"),
           ("school:reenrolled", "school:dropped_out", "school:out_of_school")),
    Family("savings", _l("Savings"), ("savings:members", "value:savings_total_saved")),
)
SORTS = ("name", "high", "low", "silent")


def _bound(row):
    return None if row is None or not row[2] else Bound(row[0], row[1])


# --- reporting ------------------------------------------------------------------------------------------

@dataclass
class Reporting:
    """How many villages sent the month, of those expected to (DHIS2's reporting rate and its on-time rate)."""

    expected: int = 0
    received: int = 0
    on_time: int = 0


def reporting(period):
    """Reporting of one month: expected = villages with an active key that had started by then."""
    started = (Hub.select(fn.COUNT(Hub.id)).where(Hub.revoked_at.is_null())
               .where((Hub.first_period <= period) | (Hub.enrolled_at < _month_after(period))).scalar())
    received, on_time = (MonthlySummary.select(fn.COUNT(MonthlySummary.id),
                                               fn.SUM(MonthlySummary.on_time.cast("integer")))
                         .join(Hub).where(MonthlySummary.period == period, Hub.revoked_at.is_null())
                         .tuples().get())
    return Reporting(max(started or 0, received or 0), received or 0, int(on_time or 0))


def _month_after(period):
    index = month_index(period) + 1
    return datetime(index // 12, index % 12 + 1, 1)


# --- the dashboard --------------------------------------------------------------------------------------

@dataclass
class Headline:
    figure: str
    now: Bound | None
    last_month: Bound | None
    year_ago: Bound | None
    hubs: int
    points: list  # [(period, Bound or None)] for the small chart


@dataclass
class Dashboard:
    period: str
    reporting: Reporting
    families: list = field(default_factory=list)    # [(Family, [Headline], [(cell, Bound)] breakdown)]
    median_bands: dict = field(default_factory=dict)  # band -> villages, for the month


def dashboard(period):
    """The headline of every family for period, with 12 months of each and the comparisons."""
    months = months_up_to(period, CHART_MONTHS)
    year_ago = period_at(month_index(period) - 12)
    names = [name for family in FAMILIES for name in family.figures]
    rows = figures.district_rows(months + [year_ago], names)
    previous = months[-2]
    result = Dashboard(period, reporting(period))
    extra = figures.district_rows([period])[period]
    for family in FAMILIES:
        headlines = []
        for name in family.figures:
            now = rows[period].get(name)
            headlines.append(Headline(name, _bound(now), _bound(rows[previous].get(name)),
                                      _bound(rows[year_ago].get(name)), now[2] if now else 0,
                                      [(month, _bound(rows[month].get(name))) for month in months]))
        breakdown = []
        if family.breakdown:
            prefix = family.breakdown + ":"
            breakdown = [(figure.split(":", 1)[1], _bound(row)) for figure, row in sorted(extra.items())
                         if figure.startswith(prefix) and not figure.startswith(prefix + "@")
                         and figure != prefix + "total" and row[2]]
        result.families.append((family, headlines, breakdown))
    prefix = "value:median_days_to_referral="
    result.median_bands = {figure[len(prefix):]: row[2] for figure, row in extra.items()
                           if figure.startswith(prefix) and row[2]}
    return result


# --- the village table ----------------------------------------------------------------------------------

@dataclass
class VillageRow:
    hub_id: str
    name: str
    published: object     # as published: int, "<5", None (withheld) or ... (no summary of the month)
    now: Bound | None
    before: Bound | None
    expected: int
    received: int
    last_period: str | None
    days_silent: int | None
    revoked: bool

    @property
    def silent(self):
        return not self.revoked and self.days_silent is not None and self.days_silent > SILENT_AFTER_DAYS


def expected_months(hub, last):
    """Months expected from a village: from its first month (enrolment or earliest summary) to last month."""
    return _expected(hub.enrolled_at, hub.first_period, last)


def _expected(enrolled_at, first_period, last):
    first = period_of(enrolled_at)
    if first_period and first_period < first:
        first = first_period
    return max(0, month_index(last) - month_index(first) + 1)


def villages(period, figure, search="", sort="name", page=1, per_page=PER_PAGE, now=None):
    """-> ([VillageRow] of one page, number of villages matching): one row per village for one figure."""
    now = now or utcnow()
    last = last_month(now)
    current, before = HubFigure.alias(), HubFigure.alias()
    query = (Hub.select(Hub, current.published, current.lower, current.upper, before.lower.alias("before_lower"),
                        before.upper.alias("before_upper"))
             .join(current, JOIN.LEFT_OUTER, on=((current.hub == Hub.id) & (current.period == period)
                                                 & (current.figure == figure)))
             .join_from(Hub, before, JOIN.LEFT_OUTER,
                        on=((before.hub == Hub.id) & (before.period == period_at(month_index(period) - 1))
                            & (before.figure == figure))))
    matching = Hub.select()
    if search:
        query = query.where(fn.LOWER(Hub.name).contains(search.lower()))
        matching = matching.where(fn.LOWER(Hub.name).contains(search.lower()))
    total = matching.count()  # without the joins: every village is a row, with its figure or without
    middle = current.lower + current.upper
    order = {"name": (Hub.name, Hub.id), "high": (middle.desc(nulls="LAST"), Hub.name),
             "low": (middle.asc(nulls="LAST"), Hub.name),
             "silent": (Hub.last_received_at.asc(nulls="FIRST"), Hub.name)}[sort]
    rows = []
    for hub in query.order_by(*order).paginate(page, per_page).objects():
        since = hub.last_received_at or hub.enrolled_at
        rows.append(VillageRow(
            hub.id, hub.name, hub.published if hub.lower is not None else ...,
            None if hub.lower is None else Bound(hub.lower, hub.upper),
            None if hub.before_lower is None else Bound(hub.before_lower, hub.before_upper),
            expected_months(hub, last), hub.months_received, hub.last_period,
            max(0, (now - since).days), hub.revoked_at is not None))
    return rows, total


# --- one village ----------------------------------------------------------------------------------------

def village_series(hub_id, newest):
    """{figure: [(period, Bound or None, published)]} of a village's key figures over VILLAGE_MONTHS."""
    months = months_up_to(newest, VILLAGE_MONTHS)
    kept = {}
    for period, figure, shown, lower, upper in (
            HubFigure.select(HubFigure.period, HubFigure.figure, HubFigure.published, HubFigure.lower,
                             HubFigure.upper)
            .where(HubFigure.hub == hub_id, HubFigure.period >= months[0], HubFigure.period <= months[-1])
            .tuples()):
        kept[(figure, period)] = (Bound(lower, upper), shown)
    return months, {figure: [(month, *kept.get((figure, month), (None, None))) for month in months]
                    for figure in figures.KEY_FIGURES}


def missing_months(hub, months_held, last):
    """The months from the village's first to last month with no summary."""
    first = period_of(hub.enrolled_at)
    if hub.first_period and hub.first_period < first:
        first = hub.first_period
    held = set(months_held)
    return [period_at(index) for index in range(month_index(first), month_index(last) + 1)
            if period_at(index) not in held]


def flags_of(hub_id):
    """A village's quality flags, newest month first."""
    return list(QualityFlag.select().where(QualityFlag.hub == hub_id).order_by(QualityFlag.period.desc(),
                                                                                 QualityFlag.kind))


# --- data quality ---------------------------------------------------------------------------------------

@dataclass
class FollowUp:
    hub_id: str
    name: str
    missing: int = 0
    days_silent: int = 0
    silent: bool = False
    outliers: list = field(default_factory=list)   # [(period, figure, detail)]
    revised: list = field(default_factory=list)    # [period]

    @property
    def weight(self):
        return len(self.outliers) * 3 + len(self.revised) + self.missing + (5 if self.silent else 0)


def follow_ups(search="", page=1, per_page=PER_PAGE, now=None):
    """-> ([FollowUp] of one page, how many villages to follow up): outliers and revisions of the last
    FOLLOW_UP_MONTHS months, missing months and silence, the villages with most to look at first.

    The database ranks the villages from the rows kept at ingest (each hub's counters, the flags of the last
    months) and returns one page: with 5,000 villages, reading every village into Python to sort them cost
    most of the page (FollowUp.weight is the same sum, written in SQL)."""
    from federation.aggregator import kept

    now = now or utcnow()
    last = last_month(now)
    since = period_at(month_index(last) - FOLLOW_UP_MONTHS + 1)
    silent_before = now - timedelta(days=SILENT_AFTER_DAYS + 1)  # (now - day).days > SILENT_AFTER_DAYS
    arguments = [month_index(last), silent_before, figures.OUTLIER, since]
    if search:
        escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        arguments.append(f"%{escaped}%")
    rows = kept.execute(_follow_up_sql(db.engine(), bool(search)),
                        [*arguments, per_page, (page - 1) * per_page]).fetchall()
    if not rows:  # the count comes with the rows: past the last page, ask for the first
        return [], (follow_ups(search, 1, per_page=1, now=now)[1] if page > 1 else 0)
    items = []
    for hub_id, name, received_at, missing, _total in rows:
        days = max(0, (now - _datetime(received_at)).days)
        items.append(FollowUp(hub_id, name, missing, days, days > SILENT_AFTER_DAYS))
    found = {item.hub_id: item for item in items}
    query = (QualityFlag.select(QualityFlag.hub, QualityFlag.period, QualityFlag.kind, QualityFlag.figure,
                                QualityFlag.detail).where(QualityFlag.period >= since)
             .order_by(QualityFlag.period, QualityFlag.id).tuples())
    if len(found) <= PER_PAGE:
        query = query.where(QualityFlag.hub.in_(list(found)))
    for hub_id, period, kind, figure, detail in query:
        item = found.get(hub_id)
        if item is None:
            continue
        if kind == figures.OUTLIER:
            item.outliers.append((period, figure, detail))
        else:
            item.revised.append(period)
    return items, rows[0][-1]


def _datetime(value):
    """A stored time as a datetime (SQLite hands plain SQL its text)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


# The month a village enrolled, as "YYYY-MM", in each database's words.
_ENROLLED_MONTH = {db.SQLITE: "SUBSTR(h.enrolled_at, 1, 7)", db.POSTGRESQL: "TO_CHAR(h.enrolled_at, 'YYYY-MM')"}
_FIRST = ("(CASE WHEN h.first_period IS NOT NULL AND h.first_period < {enrolled} THEN h.first_period "
          "ELSE {enrolled} END)")
_MONTH_INDEX = "(CAST(SUBSTR({month}, 1, 4) AS INTEGER) * 12 + CAST(SUBSTR({month}, 6, 2) AS INTEGER) - 1)"
# Arguments: last month's index, the silence cut-off, OUTLIER, the first month of flags looked at, [the search],
# the page's size and offset. The weight is FollowUp.weight: 3 an outlier, 1 a revision or a missing month,
# 5 for silence.
_FOLLOW_UP = """
SELECT id, name, received_at, missing, COUNT(*) OVER () FROM (
    SELECT id, name, received_at, points, silent, CASE WHEN short > 0 THEN short ELSE 0 END AS missing FROM (
        SELECT h.id, h.name, COALESCE(h.last_received_at, h.enrolled_at) AS received_at,
               ? - {first_index} + 1 - h.months_received AS short,
               CASE WHEN COALESCE(h.last_received_at, h.enrolled_at) <= ? THEN 5 ELSE 0 END AS silent,
               COALESCE(f.points, 0) AS points
        FROM hub h LEFT JOIN (SELECT hub_id, SUM(CASE WHEN kind = ? THEN 3 ELSE 1 END) AS points
                              FROM quality_flag WHERE period >= ? GROUP BY hub_id) f ON f.hub_id = h.id
        WHERE h.revoked_at IS NULL{where}
    ) village
) weighed
WHERE missing + points + silent > 0
ORDER BY missing + points + silent DESC, name, id
LIMIT ? OFFSET ?
"""


def _follow_up_sql(engine, searched):
    first = _FIRST.format(enrolled=_ENROLLED_MONTH[engine])
    return _FOLLOW_UP.format(first_index=_MONTH_INDEX.format(month=first),
                             where=" AND LOWER(h.name) LIKE ? ESCAPE '\\'" if searched else "")
