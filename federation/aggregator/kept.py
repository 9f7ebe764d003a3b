"""Writing the figures kept at ingest, inside ingest's transaction: a few statements per bundle.

`record()` is called by `ingest` for a village's new or replaced month; `rebuild()` makes every kept row
again from the summaries held. What the rows hold is decided in `figures` (pure functions); this module
only writes them. Plain SQL, each statement written once per placeholder style: peewee building a
130-row upsert and the hub's update costs more CPU than the database running them, and ingest's budget
is 200 bundles a second (docs/benchmarks.md).

On PostgreSQL the district's sums are not updated in the bundle's transaction: it appends what it changes as
one row of `district_pending`, and once FOLD_EVERY rows are pending, `fold()` adds them to
`district_figure` and deletes them, in one statement of its own. Updating a month's hundred sums in every
bundle's transaction cost the server half its work per bundle, and made the bundles of one month (which the
villages all send in the same days) wait for each other's commit. Readers add the rows not yet folded
(`figures.district_rows`), so a page shows every bundle taken in either way. SQLite takes one writer at a
time, so there the sums are updated in place.
"""

import json
from functools import cache

from federation import schema
from federation.aggregator import db, figures

_ADD = ("ON CONFLICT (period, figure) DO UPDATE SET lower = district_figure.lower + excluded.lower, "
        "upper = district_figure.upper + excluded.upper, hubs = district_figure.hubs + excluded.hubs")
_COLUMNS = {"district_figure": ("period", "figure", "lower", "upper", "hubs"),
            "hub_figure": ("hub_id", "period", "figure", "lower", "upper", "published"),
            "quality_flag": ("hub_id", "period", "kind", "figure", "detail")}


@cache
def _insert(param, table, count, upsert=False):
    """The INSERT of count rows into table, with param as its placeholder; the district's adds to its sums."""
    columns = _COLUMNS[table]
    one = "(" + ", ".join([param] * len(columns)) + ")"
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * count)}"
    return f"{sql} {_ADD}" if upsert else sql


def insert(table, rows, upsert=False):
    """(SQL, arguments) writing rows (tuples in _COLUMNS[table] order) in one statement, the district's rows
    as an upsert that adds them to its sums; None for no rows."""
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
            district_change(period, figures.deltas(period, old, new)),
            insert("hub_figure", keys),
            counters(hub_id, received_at, period=period, new_month=not replaced,
                     on_time_gained=on_time_now and not was_on_time),
            history_statement(hub_id, period))).fetchall())
    flags = insert("quality_flag", figures.flag_rows(hub_id, period, keys, revision, history))
    if flags is not None:
        db.database.execute_sql(*flags)


# --- the district's sums ------------------------------------------------------------------------------------
FOLD_EVERY = 64            # rows pending that call for a fold (PostgreSQL), whichever process wrote them
FOLD_LOCK = 0x636864667a   # PostgreSQL advisory lock: one fold at a time, the others skip theirs


def _json(rows):
    return json.dumps(rows, separators=(",", ":"))


def _pending_json(deltas):
    """deltas (figures.deltas) as a row of `district_pending` holds them: [[figure, lower, upper, hubs], ...]."""
    return _json([row[1:] for row in deltas])


def district_change(period, deltas):
    """(SQL, arguments) adding deltas (figures.deltas) to the district's sums of period; None for none.

    SQLite takes one writer at a time, so nothing waits on the rows: they are added to in place, which costs
    less than folding later. PostgreSQL appends them to `district_pending`, for `fold()`."""
    if not deltas:
        return None
    if db.engine() == db.POSTGRESQL:
        return statement("INSERT INTO district_pending (period, deltas) VALUES (?, ?)",
                         (period, _pending_json(deltas)))
    return insert("district_figure", deltas, upsert=True)


# PostgreSQL: the rows (period, figure, lower, upper, hubs) still to fold, one per figure of each row `p` of
# `{source}` (the table, or the rows a fold deleted).
PENDING_ROWS = ("SELECT p.period AS period, e->>0 AS figure, (e->>1)::float8 AS lower, (e->>2)::float8 AS upper, "
                "(e->>3)::bigint AS hubs FROM {source} AS p, jsonb_array_elements(p.deltas) AS e")
# One statement, which deletes exactly the rows it adds (those committed when it starts), and does nothing
# while another fold holds FOLD_LOCK.
_FOLD = ("WITH gone AS (DELETE FROM district_pending WHERE (SELECT pg_try_advisory_xact_lock(%s)) "
         "RETURNING period, deltas) "
         "INSERT INTO district_figure (period, figure, lower, upper, hubs) SELECT period, figure, sum(lower), "
         f"sum(upper), sum(hubs) FROM ({PENDING_ROWS.format(source='gone')}) AS d "
         f"GROUP BY period, figure ORDER BY period, figure {_ADD}")


def fold():
    """PostgreSQL: add every change still pending to the district's sums, and delete it, in one transaction
    (nothing is ever pending on SQLite)."""
    if db.engine() == db.POSTGRESQL:
        db.database.execute_sql(_FOLD, (FOLD_LOCK,))


# --- PostgreSQL: a village's new month in one statement (ingest._store_at_once) ----------------------------
# Each table's rows go as one JSON array of arrays, unpacked by the server: one fixed statement whatever the
# number of rows, prepared once per connection, and psycopg2 quotes one string rather than 650 values.
_TYPES = {"hub_figure": ("text", "text", "text", "float8", "float8", "text"),
          "quality_flag": ("text", "text", "text", "text", "text")}


def _from_json(table):
    """An INSERT of table's rows from a JSON array of arrays, written only when the CTE `month` has a row."""
    values = ", ".join(f"(element->>{index})::{kind}" for index, kind in enumerate(_TYPES[table]))
    return (f"INSERT INTO {table} ({', '.join(_COLUMNS[table])}) SELECT {values} "
            "FROM month, jsonb_array_elements(%s::jsonb) AS element")


NEW_MONTH_CLAUSES = ("district AS (INSERT INTO district_pending (period, deltas) SELECT %s, %s::jsonb FROM month), "
                     f"keys AS ({_from_json('hub_figure')}), flags AS ({_from_json('quality_flag')})")


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
    arguments = [period, _pending_json(figures.deltas(period, {}, new)), _json(keys),
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
        for table in ("district_pending", "district_figure", "hub_figure", "quality_flag"):
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
        fold()
    return count
