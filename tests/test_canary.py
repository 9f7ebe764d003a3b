"""Canary: whatever people type into the hub never leaves it in a bundle.

A demo village is seeded, then every text column of every table is overwritten with a unique marker
(columns whose CHECK constraint refuses free text are fixed vocabularies and keep their values). The
month's bundle bytes must hold no marker, no name the village had, and no date finer than the month.
"""

import re
import sqlite3

import peewee
import pytest

from federation import publish, signing
from hub import demo
from hub.db import database

MARKER = "qzcanary"
PERIOD = "2026-12"  # the demo enters every record now (the test clock's month), so it all counts here
FINER_THAN_MONTH = re.compile(rb"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}")


def text_columns():
    tables = [name for (name,) in database.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    for table in tables:
        for _, column, kind, *_ in database.execute_sql(f'PRAGMA table_info("{table}")'):
            if any(word in kind.upper() for word in ("CHAR", "TEXT", "CLOB")):
                yield table, column


def fill_with_markers():
    """Overwrite every free-text value with a marker unique to its table, column and row; -> markers set."""
    filled = []
    for table, column in text_columns():
        try:
            with database.atomic():
                database.execute_sql(f'UPDATE "{table}" SET "{column}" = ? || \'-\' || rowid '
                                     f'WHERE "{column}" IS NOT NULL AND "{column}" != \'\'',
                                     (f"{MARKER}-{table}-{column}",))
        except (sqlite3.IntegrityError, peewee.IntegrityError):
            continue  # a CHECK constraint: a fixed vocabulary, not free text
        filled.append((table, column))
    return filled


@pytest.fixture
def seeded(fresh_app, data_dir):
    with fresh_app.app_context(), database.connection_context():
        demo.seed(data_dir, children=40, years=1, seed=3)
        names = {name for (name,) in database.execute_sql("SELECT name FROM person") if name}
        yield fresh_app, names


def test_no_marker_name_or_day_leaves_in_the_bundle(seeded, data_dir):
    app, names = seeded
    identity = signing.load_or_create(data_dir, signing.HUB)
    filled = fill_with_markers()
    assert ("person", "name") in filled and len(filled) > 20  # the canaries went in
    data, stored = publish.preview(PERIOD, identity)
    assert stored is False
    assert MARKER.encode() not in data
    assert not [name for name in names if name.encode() in data]
    assert not FINER_THAN_MONTH.search(data)
    # And the month had something to say: sessions and attendance are counted.
    assert b'"sessions_held"' in data
