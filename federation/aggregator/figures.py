"""Figures kept per month and updated at ingest, so no page adds up payloads when it is opened.

Data flow: `ingest._store` -> `kept.record(hub, period, old payload, new payload)` in the ingest transaction
writes the rows this module makes -> `hub_figure` (each village's KEY_FIGURES), `district_figure` (running
sums of every figure), the hub's counters and `quality_flag` -> the pages (`web.reports`) read a few rows each.

Figures are keyed on names, not on a schema version's columns, so payloads of schema 1 to 4 feed the
same rows (a finer cell of an earlier version is added into the current cell it is part of; a cell schema 4
counts in the total only, attendance's other_or_not_recorded, has a row filled by the hubs of schema 3 or
before alone, and each month is read by its own version, `tables_for`):

    "sessions_held:total"        a table's total (the intersection of the published total and its cells)
    "attendance:female.10-14"    one cell of a table
    "sessions_held:@hubs"        1 per village whose payload has the table
    "sessions_held:@withheld"    1 per village whose total was withheld
    "value:savings_total_saved"  an amount (savings), as its bound
    "value:median_days_to_referral=2-7"      1 per village that published that band
    "value:savings_total_saved!fewer_than_5_members"   1 per village that withheld it, by reason
    "coarser:referrals_by_service:total"     a sum over the quarter or year ending with the month

Each district row holds the sums of lower and upper bounds and `hubs`, the villages adding to it. A new
revision of a village's month subtracts the old payload's contributions and adds the new one's, so the
district shows the latest revision's values only.
"""

import functools
import statistics

from federation import schema
from federation.aggregator import indicators
from federation.aggregator.indicators import Bound, SumFigures, TableFigures, ValueFigures

# The figures of each village kept month by month: the headline of each indicator family (web.reports).
KEY_FIGURES = (
    "sessions_held:total", "attendance:total", "children_reached:total",
    "concerns_opened_by_category:total", "referrals_by_service:total",
    "migration:departures_minors", "migration:returns_minors", "migration:minors_away",
    "school:reenrolled", "school:dropped_out", "school:out_of_school",
    "savings:members", "value:savings_total_saved",
)
HISTORY_MONTHS = 12     # a month is compared with up to this many months before it
HISTORY_AT_LEAST = 6    # ... and only when the village has this many
OUTLIER, REVISED = "outlier", "revised"


def split(figure):
    """"attendance:female.10-14" -> ("attendance", "female.10-14")."""
    table, _colon, cell = figure.partition(":")
    return table, cell


@functools.cache
def tables_for(version):
    """schema.tables(version) as the bounds read it: from version 2 a "<5" is 0 to 4 in every table, so
    every table is read as the case family is (count_bound's case_family: a "<5" may be a true 0)."""
    found = schema.tables(version)
    if schema.zero_hidden(version):
        found = {name: {**meta, "case_family": True} for name, meta in found.items()}
    return found


def contributions(payload, tables):
    """{figure: Bound} that one village's month adds to the district (every figure counts it once in `hubs`).

    >>> sorted(contributions({"tables": {"volunteers": {"cells": {"active": 5}}}},
    ...                      {"volunteers": {"cells": ("active",), "total": False, "case_family": False}}).items())
    [('volunteers:@hubs', Bound(lower=1, upper=1)), ('volunteers:active', Bound(lower=5, upper=9))]
    """
    found = {}
    one = Bound(1, 1)
    for name, table in payload.get("tables", {}).items():
        meta = tables.get(name)
        if meta is None:
            continue
        case_family = meta.get("case_family", True)
        found[f"{name}:@hubs"] = one
        for cell, published in table.get("cells", {}).items():
            # An earlier schema's finer cell is added into the current cell it is part of (schema 3 merged
            # attendance's sparse cells), so villages of every version fill the same rows.
            figure, bound = f"{name}:{schema.current_cell(name, cell)}", indicators.count_bound(published, case_family)
            found[figure] = found[figure] + bound if figure in found else bound
        if meta.get("total"):
            twin = payload["tables"].get(meta.get("same_people_as") or "")  # schema 4: the same people's table
            found[f"{name}:total"] = indicators.table_total(table, meta, twin)
            if table.get("total") is None:
                found[f"{name}:@withheld"] = one
    for name, published in payload.get("coarser", {}).items():  # sums over a quarter or a year (schema 3)
        found[f"coarser:{name}"] = indicators.count_bound(published)
    for name, entry in payload.get("values", {}).items():
        value = entry.get("value")
        if value is None:
            found[f"value:{name}!{entry.get('reason') or ''}"] = one
        elif isinstance(value, str):
            found[f"value:{name}={value}"] = one
        else:
            found[f"value:{name}"] = indicators.amount_bound(value)
    return found


def published(payload, figure):
    """A figure of one village exactly as published: an int, "<5", None (withheld) or ... when absent."""
    table, cell = split(figure)
    if table == "value":
        entry = payload.get("values", {}).get(cell)
        return ... if entry is None else entry.get("value")
    part = payload.get("tables", {}).get(table)
    if part is None:
        return ...
    if cell == "total":
        return part.get("total") if "total" in part else ...
    return part.get("cells", {}).get(cell, ...)


def district_from_rows(rows, tables):
    """indicators.district()'s result rebuilt from one month's district rows {figure: (lower, upper, hubs)}.

    The same dict the payloads would give: {"tables": {table: TableFigures}, "values": {name: ValueFigures}}.
    """
    figures = {name: TableFigures() for name in tables}
    values, sums = {}, {}
    for figure, (lower, upper, hubs) in rows.items():
        if not hubs:
            continue
        table, cell = split(figure)
        if table == "coarser":
            sums[cell] = SumFigures(Bound(lower, upper), hubs)
            continue
        if table == "value":
            _value_row(values, cell, Bound(lower, upper), hubs)
            continue
        into = figures.get(table)
        if into is None:
            continue
        if cell == "@hubs":
            into.hubs = hubs
        elif cell == "@withheld":
            into.withheld = hubs
        elif cell == "total":
            into.total = Bound(lower, upper)
        else:
            into.cells[cell] = Bound(lower, upper)
    for name, meta in tables.items():
        order = meta.get("cells", ())
        figures[name].cells = dict(sorted(figures[name].cells.items(),
                                          key=lambda item: order.index(item[0]) if item[0] in order else len(order)))
        if not meta.get("total") or not figures[name].hubs:
            figures[name].total = None
    return {"tables": figures, "values": values, "coarser": sums}


def _value_row(values, cell, bound, hubs):
    if "!" in cell:
        name, reason = cell.split("!", 1)
        into = values.setdefault(name, ValueFigures())
        into.withheld[reason] = hubs
    elif "=" in cell:
        name, band = cell.split("=", 1)
        into = values.setdefault(name, ValueFigures())
        into.bands[band] = hubs
        into.reported += hubs
    else:
        into = values.setdefault(cell, ValueFigures())
        into.total = bound
        into.reported += hubs


def outlier(value, history):
    """True when a month's figure (the middle of its range) is far outside the village's own history.

    Far: more than 3 times the median of the earlier months plus 10, or under a quarter of a median of 20
    or more. Needs HISTORY_AT_LEAST earlier months: a new village has no history to be unusual against.

    >>> outlier(60, [10, 12, 8, 11, 9, 10]), outlier(30, [10, 12, 8, 11, 9, 10]), outlier(60, [10, 12])
    (True, False, False)
    """
    if len(history) < HISTORY_AT_LEAST:
        return False
    median = statistics.median(history)
    return value > 3 * median + 10 or (median >= 20 and value < median / 4)


def middle(bound):
    return (bound.lower + bound.upper) / 2


def district_rows(periods, names=None):
    """{period: {figure: (lower, upper, hubs)}} of the kept district figures (only names, when given), with
    the changes of bundles taken in and not yet folded into them (`kept.fold`, PostgreSQL) added.

    Plain SQL: a page reads a year of every figure, 2,000 rows, and peewee's row objects would cost more
    than the query. One statement, so a fold committing meanwhile is seen whole or not at all."""
    from federation.aggregator import db, kept

    periods = list(periods)
    found = {period: {} for period in periods}
    if not periods:
        return found
    param = db.database.param
    where = f"AND period IN ({', '.join([param] * len(periods))})"
    arguments = list(periods)
    if names is not None:
        names = list(names)
        where += f" AND figure IN ({', '.join([param] * len(names))})"
        arguments += names
    sql = f"SELECT period, figure, lower, upper, hubs FROM district_figure WHERE true {where}"
    if db.engine() == db.POSTGRESQL:
        pending = kept.PENDING_ROWS.format(source="district_pending")
        sql += f" UNION ALL SELECT * FROM ({pending}) AS d WHERE true {where}"
        arguments *= 2
    for period, figure, lower, upper, hubs in db.database.execute_sql(sql, arguments).fetchall():
        held = found[period].get(figure)
        found[period][figure] = ((lower, upper, hubs) if held is None
                                 else (held[0] + lower, held[1] + upper, held[2] + hubs))
    return found


# --- the rows one village's month keeps (written by `kept`, and in bulk by the bench's seeder) -------------

def deltas(period, old, new):
    """[(period, figure, lower, upper, hubs)] to add to the district rows when a village's month goes from
    the contributions old ({} for a new month) to new; sorted, so concurrent upserts lock rows alike."""
    rows = []
    for figure in sorted(set(new) | set(old)):
        after, before = new.get(figure), old.get(figure)
        lower = (after.lower if after else 0) - (before.lower if before else 0)
        upper = (after.upper if after else 0) - (before.upper if before else 0)
        hubs = (after is not None) - (before is not None)
        if lower or upper or hubs:
            rows.append((period, figure, lower, upper, hubs))
    return rows


def key_rows(hub_id, period, payload, found):
    """[(hub_id, period, figure, lower, upper, published)]: the village's KEY_FIGURES of the month."""
    rows = []
    for figure in KEY_FIGURES:
        bound = found.get(figure)
        if bound is not None:
            shown = published(payload, figure)
            rows.append((hub_id, period, figure, bound.lower, bound.upper,
                         None if shown in (None, ...) else str(shown)))
    return rows


def history_start(period):
    """The first month whose key figures a month is compared with (HISTORY_MONTHS before it)."""
    year, month = (int(part) for part in period.split("-"))
    index = year * 12 + month - 1 - HISTORY_MONTHS
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def flag_rows(hub_id, period, keys, revision, history):
    """[(hub_id, period, kind, figure, detail)]: a revision, and each key figure far outside the village's
    history ({figure: [middle of each earlier month's bound]}, the HISTORY_MONTHS before period)."""
    flags = []
    if revision > 1:
        flags.append((hub_id, period, REVISED, "", str(revision)))
    for _hub, _period, figure, lower, upper, _shown in keys:
        value = (lower + upper) / 2
        past = history.get(figure, [])
        if outlier(value, past):
            flags.append((hub_id, period, OUTLIER, figure, f"{value:g} / {statistics.median(past):g}"))
    return flags
