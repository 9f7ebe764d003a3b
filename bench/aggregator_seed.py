"""A district written in bulk for the bench: the very rows ingest would write, without ingest's cost per bundle.

Seeding 50,000 villages (the size of a state) through `ingest.ingest()` would take hours here; this writes the
same rows straight to the tables, many at a time (COPY on PostgreSQL, executemany on SQLite). Each village
has real keys and each month a real signed bundle; the kept rows come from the functions ingest uses
(`figures.contributions`, `deltas`, `key_rows`, `flag_rows`), fed as ingest feeds them when a village's months
arrive oldest first, each once (revision 1). tests/aggregator/test_bench_seed.py checks the result against
ingest on a small district, table by table.

    villages = [Village(identity, name, enrolled_at, [Month(data, document, received_at), ...]), ...]
    seed(villages)   # in an app context, on a migrated, empty aggregator
"""

import io
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from federation import schema, signing
from federation.aggregator import db, figures
from federation.period import seal_date

CHUNK = 500  # villages written per round of COPY


@dataclass
class Month:
    data: bytes        # the signed bundle, as a hub sends it
    document: dict     # what it holds
    received_at: datetime  # the day it arrives (ingest keeps the day)
    text: str = ""     # the payload's canonical JSON, when the caller has it already


@dataclass
class Village:
    identity: signing.Identity
    name: str
    enrolled_at: datetime
    months: list = field(default_factory=list)  # in the order they arrive: oldest first


COLUMNS = {
    "hub": ("id", "name", "reported_name", "public_key", "key_id", "enrolled_at", "revoked_at", "last_received_at",
            "first_period", "last_period", "months_received", "months_on_time"),
    "bundle": ("id", "hub_id", "epoch", "sequence", "period", "revision", "schema_version", "sha256", "content",
               "received_at", "route"),
    "monthly_summary": ("id", "hub_id", "period", "revision", "schema_version", "bundle_id", "payload",
                        "received_at", "on_time"),
    "hub_figure": ("hub_id", "period", "figure", "lower", "upper", "published"),
    "quality_flag": ("id", "hub_id", "period", "kind", "figure", "detail"),
    "district_figure": ("period", "figure", "lower", "upper", "hubs"),
}


class _Seeder:
    """Rows of the villages given so far; `flush()` writes them, `finish()` the district's sums."""

    def __init__(self):
        self.rows = {table: [] for table in COLUMNS}
        self.district = {}  # (period, payload text) -> villages that sent it
        self.ids = {"bundle": 0, "monthly_summary": 0, "quality_flag": 0}
        self.parsed = {}  # canonical payload text -> (contributions, the same text): villages share payloads

    def next_id(self, table):
        self.ids[table] += 1
        return self.ids[table]

    def parse(self, text, payload):
        """(contributions, [(figure, lower, upper, hubs)] it adds to the district) of a payload, once."""
        found = figures.contributions(payload, schema.TABLES)
        self.parsed[text] = found, [row[1:] for row in figures.deltas("", {}, found)]
        return self.parsed[text]

    def village(self, village):
        hub_id = village.identity.id
        history = {}  # figure -> [(period, middle)] of the months before, as ingest reads from hub_figure
        received = on_time_count = 0
        first = last = last_received = None
        for month in village.months:
            document = month.document
            period, revision = document["period"], document["revision"]
            on_time = month.received_at.date() <= seal_date(period)
            text = month.text or signing.canonical(document["payload"]).decode("utf-8")
            found, sums = self.parsed.get(text) or self.parse(text, document["payload"])
            bundle_id = self.next_id("bundle")
            self.rows["bundle"].append((bundle_id, hub_id, document["epoch"], document["sequence"], period, revision,
                                        document["schema_version"], signing.sha256(month.data), month.data,
                                        month.received_at, "http"))
            self.rows["monthly_summary"].append((self.next_id("monthly_summary"), hub_id, period, revision,
                                                 document["schema_version"], bundle_id, text, month.received_at,
                                                 on_time))
            self.district[(period, text)] = self.district.get((period, text), 0) + 1
            keys = figures.key_rows(hub_id, period, document["payload"], found)
            start = figures.history_start(period)
            for values in history.values():  # months arrive oldest first: drop those now too old
                while values and values[0][0] < start:
                    values.popleft()
            earlier = {figure: [value for _when, value in values] for figure, values in history.items()}
            self.rows["quality_flag"] += [(self.next_id("quality_flag"), *flag)
                                          for flag in figures.flag_rows(hub_id, period, keys, revision, earlier)]
            self.rows["hub_figure"] += keys
            for _hub, _period, figure, lower, upper, _shown in keys:
                history.setdefault(figure, deque()).append((period, (lower + upper) / 2))
            received += 1
            on_time_count += on_time
            first = period if first is None or period < first else first
            last = period if last is None or period > last else last
            last_received = month.received_at
        identity = village.identity
        self.rows["hub"].append((hub_id, village.name, "", identity.public_key, identity.key_id, village.enrolled_at,
                                 None, last_received, first, last, received, on_time_count))

    def flush(self):
        for table in ("hub", "bundle", "monthly_summary", "hub_figure", "quality_flag"):
            write(table, self.rows[table])
            self.rows[table].clear()

    def finish(self):
        self.flush()
        # Ingest adds one village at a time; here each payload's share is added times the villages that sent
        # it: the same sums while the bounds are whole numbers (every count is; the test's amounts are).
        district = {}
        for (period, text), villages in self.district.items():
            for figure, lower, upper, hubs in self.parsed[text][1]:
                sums = district.setdefault((period, figure), [0, 0, 0])
                sums[0] += lower * villages
                sums[1] += upper * villages
                sums[2] += hubs * villages
        write("district_figure", sorted((period, figure, *sums) for (period, figure), sums in district.items()))
        if db.engine() == db.POSTGRESQL:
            for table in ("bundle", "monthly_summary", "quality_flag"):
                db.database.execute_sql(f"SELECT setval('{table}_id_seq', GREATEST(1, (SELECT MAX(id) FROM {table})))")


def seed(villages):
    """Write every village (an iterable, consumed once) with its months, and the district's sums.

    On PostgreSQL the tables' indexes that are not unique are dropped first and made again at the end, each
    as it was (pg_indexes): one sort instead of millions of scattered index inserts."""
    deferred = _drop_plain_indexes() if db.engine() == db.POSTGRESQL else []
    seeder = _Seeder()
    for count, village in enumerate(villages, 1):
        seeder.village(village)
        if count % CHUNK == 0:
            seeder.flush()
    seeder.finish()
    for definition in deferred:
        db.database.execute_sql(definition)


def _drop_plain_indexes():
    """Drop the non-unique indexes of the tables written; -> the statements that make them again."""
    rows = db.database.execute_sql(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename IN ('bundle', 'monthly_summary', 'hub_figure', 'quality_flag') "
        "AND indexdef NOT LIKE %s", ("CREATE UNIQUE INDEX%",)).fetchall()
    for name, _definition in rows:
        db.database.execute_sql(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]


def write(table, rows):
    """Append rows (tuples in COLUMNS[table] order) to table in one go, in one transaction."""
    if not rows:
        return
    columns = COLUMNS[table]
    with db.database.atomic():
        if db.engine() == db.POSTGRESQL:
            text = io.StringIO("".join("\t".join(_copy_value(value) for value in row) + "\n" for row in rows))
            db.database.cursor().copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", text)
        else:
            placeholders = ", ".join("?" * len(columns))
            db.database.cursor().executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
                                             rows)


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value):
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    if isinstance(value, datetime):
        return value.isoformat(" ")
    return str(value).translate(_ESCAPES)
