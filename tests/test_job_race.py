"""Scheduled jobs read their rows first and then write in one short transaction (issue 22, item 5).

A job that iterates a lazy query and opens a write transaction inside the loop holds a read snapshot of
the database while it asks to write: if another connection committed in between, SQLite refuses the upgrade
at once with "database is locked", whatever the busy timeout. The race is made certain here with SQLite's
own progress handler: while the job's connection runs its statements, another connection commits.
"""

import sqlite3
from datetime import date, datetime

import pytest

from hub import instance
from hub.auth.models import User
from hub.cases.jobs import erase_old_narratives, overdue_follow_ups
from hub.cases.models import Case, CaseAction
from hub.db import database

TODAY = date(2026, 11, 22)


NOW = datetime(2026, 11, 22, 9, 30)
pytestmark = pytest.mark.usefixtures("fixed_clock")  # hub.clock pinned to TODAY and NOW


def other_connection_commits_meanwhile(app):
    """While the job's connection steps through a statement, a second connection commits a write."""
    other = sqlite3.connect(instance.database_path(app.config["DATA_DIR"]), timeout=0, isolation_level=None)
    other.execute("CREATE TABLE IF NOT EXISTS race_marks (n INTEGER)")
    commits = []

    def commit_elsewhere():
        try:
            other.execute("INSERT INTO race_marks VALUES (1)")
            commits.append(1)
        except sqlite3.OperationalError:
            pass  # the job holds the write lock now: nothing to race with
        return 0

    database.connection().set_progress_handler(commit_elsewhere, 50)
    return other, commits


def make_cases(count, **values):
    worker = User.get(User.username == "caseworker")
    for number in range(count):
        Case.create(category="child_labour", child_description=f"Child {number}", place="Kiln",
                    what_happened="Works", reported_at=datetime(2024, 1, 10), risk="high", assigned_to=worker,
                    **values)


def test_overdue_follow_ups__another_connection_commits_meanwhile(app_context):
    make_cases(20, status="assessed", next_follow_up=date(2026, 11, 1))
    other, commits = other_connection_commits_meanwhile(app_context)
    try:
        grouped = overdue_follow_ups(TODAY)
    finally:
        database.connection().set_progress_handler(None, 0)
        other.close()
    assert commits, "the other connection never committed: the race was not made"
    assert sum(len(cases) for cases in grouped.values()) == 20
    assert CaseAction.select().where(CaseAction.kind == "overdue").count() == 20


def test_erase_old_narratives__another_connection_commits_meanwhile(app_context):
    make_cases(20, status="closed", closed_on=date(2024, 2, 1), closed_reason="Back at school")
    other, commits = other_connection_commits_meanwhile(app_context)
    try:
        erased = erase_old_narratives(TODAY, 24)
    finally:
        database.connection().set_progress_handler(None, 0)
        other.close()
    assert commits
    assert erased == 20
    assert Case.select().where(Case.what_happened != "").count() == 0
