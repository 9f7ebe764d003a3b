"""The district officer's pages: the dashboard, the village table and the data quality page.

Thin views over web.dashboard; each also answers `?format=csv` or `?format=json` with the same rows.
"""

from flask import abort, render_template, request

from federation import labels
from federation.aggregator import charts, figures
from federation.aggregator.web import bp, dashboard, reports, tabular

MAX_SEARCH = 100


def _period():
    period = request.args.get("period") or reports.default_period()
    if not reports.valid_period(period):
        abort(400)
    return period


def _page():
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        abort(400)
    if page < 1:
        abort(400)
    return page


def _search():
    return (request.args.get("q") or "").strip()[:MAX_SEARCH]


def _range(bound, prefix=""):
    return {f"{prefix}lower": None if bound is None else bound.lower,
            f"{prefix}upper": None if bound is None else bound.upper}


@bp.get("/")
def overview():
    """The dashboard: a headline per indicator family for one month, with its changes and reporting."""
    period = _period()
    found = dashboard.dashboard(period)
    chosen = tabular.wanted()
    if chosen:
        rows = [{"family": family.code, "figure": item.figure, "label": labels.figure(item.figure),
                 "period": period, **_range(item.now), **_range(item.last_month, "last_month_"),
                 **_range(item.year_ago, "year_ago_"), "villages": item.hubs}
                for family, headlines, _breakdown in found.families for item in headlines]
        columns = ("family", "figure", "label", "period", "lower", "upper", "last_month_lower", "last_month_upper",
                   "year_ago_lower", "year_ago_upper", "villages")
        reporting = vars(found.reporting)
        return tabular.respond(chosen, f"dashboard-{period}", columns, rows, {"period": period,
                                                                               "reporting": reporting})
    return render_template("aggregator/dashboard.html", board=found, period=period,
                           periods=reports.periods_with_data(), charts_for=_charts(found))


def _charts(found):
    return {item.figure: charts.chart(item.points) for _family, headlines, _b in found.families for item in headlines}


@bp.get("/villages")
def villages():
    """One row per village for the chosen figure and month: sortable, searchable, one page at a time."""
    period = _period()
    figure = request.args.get("figure") or figures.KEY_FIGURES[0]
    sort = request.args.get("sort") or "name"
    if figure not in figures.KEY_FIGURES or sort not in dashboard.SORTS:
        abort(400)
    search, page = _search(), _page()
    chosen = tabular.wanted()
    if chosen:
        rows, _total = dashboard.villages(period, figure, search, sort, 1, per_page=10 ** 9)
        columns = ("village_id", "village", "period", "figure", "published", "lower", "upper", "last_month_lower",
                   "last_month_upper", "months_expected", "months_received", "last_month_received")
        records = [{"village_id": row.hub_id, "village": row.name, "period": period, "figure": figure,
                    "published": None if row.published is ... else row.published, **_range(row.now),
                    **_range(row.before, "last_month_"), "months_expected": row.expected,
                    "months_received": min(row.received, row.expected), "last_month_received": row.last_period}
                   for row in rows]
        return tabular.respond(chosen, f"villages-{figure.replace(':', '-')}-{period}", columns, records)
    rows, total = dashboard.villages(period, figure, search, sort, page)
    pages = max(1, -(-total // dashboard.PER_PAGE))
    if page > pages:
        abort(404)
    return render_template("aggregator/villages.html", rows=rows, total=total, page=page, pages=pages,
                           period=period, figure=figure, sort=sort, q=search, key_figures=figures.KEY_FIGURES,
                           periods=reports.periods_with_data())


@bp.get("/quality")
def quality():
    """The villages to follow up on the next visit: unusual months, revisions, missing months, silence."""
    search, page = _search(), _page()
    chosen = tabular.wanted()
    if chosen:
        items, _total = dashboard.follow_ups(search, 1, per_page=10 ** 9)
        columns = ("village_id", "village", "missing_months", "days_silent", "unusual", "revised")
        records = [{"village_id": item.hub_id, "village": item.name, "missing_months": item.missing,
                    "days_silent": item.days_silent,
                    "unusual": "; ".join(f"{period} {figure}" for period, figure, _detail in item.outliers),
                    "revised": "; ".join(item.revised)} for item in items]
        return tabular.respond(chosen, "follow-up", columns, records)
    items, total = dashboard.follow_ups(search, page)
    pages = max(1, -(-total // dashboard.PER_PAGE))
    return render_template("aggregator/quality.html", items=items, total=total, page=page, pages=pages, q=search,
                           months=dashboard.FOLLOW_UP_MONTHS)
