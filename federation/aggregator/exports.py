"""Exports for the district's own analysis: every hub's published figures, as CSV or JSON (admin only).

One row per hub, period, table and cell (and one per table total, cell "total"), with the value exactly as
published ("<5" stays "<5", a withheld total is empty with reason "withheld"), and the bounds of the true
count (indicators.count_bound, by the month's own schema version); a sum over a quarter or a year is a row of
table "coarser"; then one row per value (median days, savings), table "values". The figures
are never "corrected": a spreadsheet that adds the lower or upper column gets the district's bounds.
"""

import csv
import io
import json

from flask import Blueprint, Response, abort, request

from federation import schema
from federation.aggregator import figures, indicators
from federation.aggregator.models import Hub, MonthlySummary, load_payload
from federation.aggregator.web import reports
from federation.aggregator.web.tabular import csv_cell

bp = Blueprint("exports", __name__, url_prefix="/exports")

# No revision number and no on-time flag (issue 19): the district exports the latest revision's values only.
COLUMNS = ("hub_id", "hub_name", "period", "table", "cell", "published", "lower", "upper", "reason")
TOTAL = "total"
VALUES = "values"
COARSER = "coarser"


def records(period=None):
    """Every exported row as a dict of COLUMNS (published as in the payload: int, "<5" or None)."""
    query = (MonthlySummary.select(MonthlySummary.hub, Hub.name, MonthlySummary.period, MonthlySummary.payload,
                                   MonthlySummary.schema_version)
             .join(Hub).order_by(MonthlySummary.period, Hub.name, Hub.id))
    if period:
        query = query.where(MonthlySummary.period == period)
    for hub_id, hub_name, month, payload, version in query.tuples().iterator():
        data = load_payload(payload)
        base = {"hub_id": hub_id, "hub_name": hub_name, "period": month}
        # Each month's bounds by its own version: from schema 2 a "<5" is 0 to 4 in every table.
        schema_tables = figures.tables_for(version) if version in schema.SCHEMA_VERSIONS else reports.tables()
        for name, value in data.get("coarser", {}).items():  # sums over the quarter or year ending this month
            yield _row(base, COARSER, name, value, indicators.published_bound(value, {"case_family": True}))
        for table, part in data.get("tables", {}).items():
            meta = schema_tables.get(table, {"total": "total" in part, "case_family": True})
            for cell, value in part.get("cells", {}).items():
                yield _row(base, table, cell, value, indicators.published_bound(value, meta))
            if "total" in part:
                value = part["total"]
                yield _row(base, table, TOTAL, value, indicators.published_bound(value, meta),
                           "" if value is not None else "withheld")
        for name, entry in data.get("values", {}).items():
            value = entry.get("value")
            bound = indicators.amount_bound(value) if isinstance(value, (int, float)) else None
            yield _row(base, VALUES, name, value, bound, entry.get("reason", ""))


def _row(base, table, cell, value, bound, reason=""):
    return {**base, "table": table, "cell": cell, "published": value,
            "lower": None if bound is None else bound.lower, "upper": None if bound is None else bound.upper,
            "reason": reason}


def _period():
    period = request.args.get("period") or None
    if period is not None and not reports.valid_period(period):
        abort(400)
    return period


def _attachment(extension, period):
    return f'attachment; filename="summaries-{period or "all"}.{extension}"'


@bp.get("/summaries.csv")
def summaries_csv():
    period = _period()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in records(period):
        writer.writerow([csv_cell(record[column]) for column in COLUMNS])
    response = Response(out.getvalue().encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = _attachment("csv", period)
    return response


@bp.get("/summaries.json")
def summaries_json():
    period = _period()
    body = json.dumps({"period": period, "columns": COLUMNS, "rows": list(records(period))},
                      ensure_ascii=False, separators=(",", ":"))
    response = Response(body.encode("utf-8"), mimetype="application/json")
    response.headers["Content-Disposition"] = _attachment("json", period)
    return response
