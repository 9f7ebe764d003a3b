"""Each view of the district's pages as CSV or JSON (`?format=csv` or `?format=json`), for spreadsheets.

Values are written as the page means them: a count as published ("<5" stays "<5"), bounds as numbers.
A cell a spreadsheet would run as a formula (a village named "=...") is quoted with a leading '.
"""

import csv
import io
import json

from flask import Response, abort, request

FORMATS = ("csv", "json")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def wanted():
    """"csv", "json" or None (the page itself) from ?format=; 400 for anything else."""
    chosen = request.args.get("format") or None
    if chosen is not None and chosen not in FORMATS:
        abort(400)
    return chosen


def csv_cell(value):
    """One CSV cell: None empty, booleans true/false, whole floats without ".0", formulas quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) and text != "<5" else text


def respond(chosen, name, columns, rows, extra=None):
    """The rows (dicts of columns) as a CSV or JSON attachment named name.csv / name.json."""
    if chosen == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_cell(row.get(column)) for column in columns])
        body, mimetype = out.getvalue(), "text/csv"
    else:
        body = json.dumps({**(extra or {}), "columns": list(columns), "rows": list(rows)}, ensure_ascii=False,
                          separators=(",", ":"))
        mimetype = "application/json"
    response = Response(body.encode("utf-8"), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{chosen}"'
    return response
