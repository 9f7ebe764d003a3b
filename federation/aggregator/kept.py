"""Writing the figures kept at ingest, inside ingest's transaction: a few statements per bundle.

`record()` is called by `ingest` for a village's new or replaced month; `rebuild()` makes every kept row
again from the summaries held. What the rows hold is decided in `figures` (pure functions); this module
only writes them. Plain SQL, each statement written once per placeholder style: peewee building a
130-row upsert and the hub's update costs more CPU than the database running them, and ingest's budget
is 200 bundles a second (docs/benchmarks.md).
"""

import json
from functools import cache

from federation import schema
from federation.aggregator import db, figures

_ADD = ("ON CONFLICT (period, figure) DO UPDATE SET lower = district_figure.lower + excluded.lower, "
        "upper = district_figure.upper + excluded.upper, hubs = district_figure.hubs + excluded.hubs")
_UPSERT = "INSERT INTO district_figure (period, figure, lower, upper, hubs) VALUES {values} " + _ADD
_COLUMNS = {"district_figure": ("period", "figure", "lower", "upper", "hubs"),
            "hub_figure": ("hub_id", "period", "figure", "lower", "upper", "published"),
            "quality_flag": ("hub_id", "period", "kind", "figure", "detail")}


@cache
def _insert(param, table, count, upsert=False):
    """The INSERT of count rows into table, with param as its placeholder."""
    columns = _COLUMNS[table]
    one = "(" + ", ".join([param] * len(columns)) + ")"
    values = ", ".join([one] * count)
    if upsert:
        return _UPSERT.format(values=values)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values}"


def insert(table, rows, upsert=False):
    """(SQL, arguments) writing rows (tuples in _COLUMNS[table] order) in one statement, the district's rows
    as an upsert; None for no rows."""
    if not rows:
        return None
    return _insert(db.database.param, table, len(rows), upsert), [value for row in rows for value in row]


@cache
def _sql(param, text):
    return text.replace("?", param)


def statement(text, arguments=()):
    """(SQL, arguments) of text written with ? placeholders, in the aggregator's database's style."""
    return _sql(db.database.param, text), arguments


def execute(text, arguments=()):
    """Run text, written with ? placeholders; -> its cursor."""
    return db.database.execute_sql(*statement(text, arguments))


def batch(statements):
    """Run the statements (SQL, arguments), None skipped, in order; -> the cursor of the last.

    On PostgreSQL they go in one round trip (one simple query, its results those of the last statement):
    under load each round trip waits for the server to be scheduled, and ingest makes a few per bundle.
    SQLite runs in this process, so there each runs on its own.
    """
    statements = [item for item in statements if item is not None]
    if db.engine() == db.POSTGRESQL:
        return db.database.execute_sql("; ".join(sql for sql, _arguments in statements),
                                       [value for _sql, arguments in statements for value in arguments])
    cursor = None
    for sql, arguments in statements:
        cursor = db.database.execute_sql(sql, arguments)
    return cursor


def record(hub_id, period, old_payload, new_payload, tables, *, revision, on_time_now, was_on_time,
           received_at=None):
    """Bring every kept figure up to date for one village's month: new (old_payload None) or replaced.

    Two round trips: the district's sums, the village's key figures, its counters and the read of its history
    in one batch; then its flags, when it has any."""
    new = figures.contributions(new_payload, tables)
    old = figures.contributions(old_payload, tables) if old_payload is not None else {}
    keys = figures.key_rows(hub_id, period, new_payload, new)
    replaced = old_payload is not None
    history = history_of(batch((
            statement("DELETE FROM hub_figure WHERE hub_id = ? AND period = ?", (hub_id, period)) if replaced else None,
            statement("DELETE FROM quality_flag WHERE hub_id = ? AND period = ?", (hub_id, period)) if replaced
            else None,
            insert("district_figure", figures.deltas(period, old, new), upsert=True),
            insert("hub_figure", keys),
            counters(hub_id, received_at, period=period, new_month=not replaced,
                     on_time_gained=on_time_now and not was_on_time),
            history_statement(hub_id, period))).fetchall())
    flags = insert("quality_flag", figures.flag_rows(hub_id, period, keys, revision, history))
    if flags is not None:
        db.database.execute_sql(*flags)


# --- PostgreSQL: a village's new month in one statement (ingest._store_at_once) ----------------------------
# Each table's rows go as one JSON array of arrays, unpacked by the server: one fixed statement whatever the
# number of rows, prepared once per connection, and psycopg2 quotes one string rather than 650 values.
_TYPES = {"district_figure": ("text", "text", "float8", "float8", "bigint"),
          "hub_figure": ("text", "text", "text", "float8", "float8", "text"),
          "quality_flag": ("text", "text", "text", "text", "text")}


def _from_json(table, upsert=False):
    """An INSERT of table's rows from a JSON array of arrays, written only when the CTE `month` has a row."""
    values = ", ".join(f"(element->>{index})::{kind}" for index, kind in enumerate(_TYPES[table]))
    sql = (f"INSERT INTO {table} ({', '.join(_COLUMNS[table])}) SELECT {values} "
           "FROM month, jsonb_array_elements(%s::jsonb) AS element")
    return f"{sql} {_ADD}" if upsert else sql


NEW_MONTH_CLAUSES = (f"district AS ({_from_json('district_figure', upsert=True)}), "
                     f"keys AS ({_from_json('hub_figure')}), flags AS ({_from_json('quality_flag')})")


def _json(rows):
    return json.dumps(rows, separators=(",", ":"))


def history_statement(hub_id, period):
    """(SQL, arguments) reading the key figures of the village's months a month is compared with."""
    return statement("SELECT figure, lower, upper FROM hub_figure WHERE hub_id = ? AND period >= ? AND period < ?",
                     (hub_id, figures.history_start(period), period))


def history_of(rows):
    """{figure: [middle of each earlier month's bound]} from rows (figure, lower, upper), None rows skipped."""
    history = {}
    for figure, lower, upper in rows:
        if figure is not None:
            history.setdefault(figure, []).append((lower + upper) / 2)
    return history


def new_month(hub_id, period, payload, tables, *, revision, on_time, received_at, history):
    """(CTE clauses, arguments, counters (SQL, arguments)) writing every kept figure of a village's new month
    on PostgreSQL, in the statement that inserts the month as the CTE `month`: the same rows `record()` writes
    for a month that was not held, from the history read beforehand (`history_of`). The counters' UPDATE is
    to be made conditional on `month` by the caller."""
    new = figures.contributions(payload, tables)
    keys = figures.key_rows(hub_id, period, payload, new)
    arguments = [_json(figures.deltas(period, {}, new)), _json(keys),
                 _json(figures.flag_rows(hub_id, period, keys, revision, history))]
    return NEW_MONTH_CLAUSES, arguments, counters(hub_id, received_at, period=period, new_month=True,
                                                  on_time_gained=on_time)


def counters(hub_id, received_at=None, *, period=None, new_month=False, on_time_gained=False):
    """(SQL, arguments) of one UPDATE of the hub: the day it last sent, and its counters (in SQL, so two
    months of one village taken in at once both count); None when nothing changes."""
    sets, arguments = [], []
    if received_at is not None:
        sets.append("last_received_at = ?")
        arguments.append(received_at)
    if new_month:
        sets += ["months_received = months_received + 1",
                 "first_period = CASE WHEN first_period IS NULL OR first_period > ? THEN ? ELSE first_period END",
                 "last_period = CASE WHEN last_period IS NULL OR last_period < ? THEN ? ELSE last_period END"]
        arguments += [period] * 4
    if on_time_gained:
        sets.append("months_on_time = months_on_time + 1")
    if not sets:
        return None
    return statement(f"UPDATE hub SET {', '.join(sets)} WHERE id = ?", (*arguments, hub_id))


def rebuild(tables):
    """Make every kept figure again from the summaries held (after migration 0002 on an aggregator that
    already held summaries); -> how many months were taken in. One transaction."""
    from federation.aggregator.models import MonthlySummary

    with db.database.atomic():
        for table in ("district_figure", "hub_figure", "quality_flag"):
            execute(f"DELETE FROM {table}")
        execute("UPDATE hub SET first_period = NULL, last_period = NULL, months_received = 0, months_on_time = 0")
        count = 0
        query = (MonthlySummary.select(MonthlySummary.hub, MonthlySummary.period, MonthlySummary.revision,
                                       MonthlySummary.on_time, MonthlySummary.payload, MonthlySummary.schema_version)
                 .order_by(MonthlySummary.hub, MonthlySummary.period).tuples())
        for hub_id, period, revision, on_time, payload, version in query.iterator():
            # Each month read by its own version's bounds ("<5" is 0 to 4 everywhere from schema 2).
            known = figures.tables_for(version) if version in schema.SCHEMA_VERSIONS else tables
            record(hub_id, period, None, json.loads(payload), known, revision=revision,
                   on_time_now=bool(on_time), was_on_time=False)
            count += 1
    return count
