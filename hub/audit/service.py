"""Writing and searching the audit log. `record()` is the only writer; nothing updates or deletes."""

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import peewee
from flask import current_app, g, has_request_context, request
from flask_babel import lazy_gettext as _l

from hub import clock
from hub.audit.models import AuditEvent
from hub.db import ReadOnlyError, database
from hub.prepared import Prepared

log = logging.getLogger(__name__)
# Sign-ins and sign-outs while the database cannot take them (read-only, full card): one JSON line each, moved
# into the audit log at the next start with a working database (import_fallback).
FALLBACK_FILE = "audit-fallback.jsonl"

PAGE_SIZE = 50

# Every action the hub records, with the words the coordinator reads.
ACTIONS = {
    "setup.completed": _l("Set up the hub"),
    "sign_in": _l("Signed in"),
    "sign_in.failed": _l("Sign-in failed"),
    "sign_in.locked": _l("Sign-in locked after failures"),
    "sign_in.unlocked": _l("Sign-in unlocked from the console"),
    "sign_out": _l("Signed out"),
    "secret.changed": _l("Changed own password or PIN"),
    "account.created": _l("Created an account"),
    "account.updated": _l("Changed an account"),
    "account.secret_reset": _l("Reset a password or PIN"),
    "account.deactivated": _l("Deactivated an account"),
    "account.reactivated": _l("Reactivated an account"),
    "village.updated": _l("Changed the village profile"),
    "group.created": _l("Created a group"),
    "group.updated": _l("Changed a group"),
    "group.archived": _l("Archived a group"),
    "group.restored": _l("Restored a group"),
    "person.created": _l("Added a person to the register"),
    "person.updated": _l("Changed a person's record"),
    "person.joined": _l("Added a person to a group"),
    "person.left": _l("Recorded a person leaving a group"),
    "topic.created": _l("Added a topic"),
    "topic.updated": _l("Changed a topic"),
    "skill.recorded": _l("Recorded a volunteer's training"),
    "meeting.created": _l("Planned or recorded a session"),
    "meeting.updated": _l("Changed a session"),
    "meeting.cancelled": _l("Cancelled a session"),
    "attendance.saved": _l("Saved attendance"),
    "attendance.changed_later": _l("Changed attendance after the day"),
    "meeting.held_in_field": _l("Recorded a session held away from the hub on another day"),
    "offline.keep_days": _l("Set how many days phones keep forms they could not send"),
    "concern.reported": _l("Reported a concern"),
    "case.viewed": _l("Opened a case"),
    "case.triaged": _l("Triaged a concern into a case"),
    "case.updated": _l("Changed a case"),
    "case.action_added": _l("Logged an action on a case"),
    "case.follow_up_added": _l("Recorded a follow-up visit"),
    "case.consent_recorded": _l("Recorded consent to share a child's details"),
    "case.child_linked": _l("Linked a case to the child's record in the register"),
    "case.narrative_erased": _l("Erased the narrative of an old closed case"),
    "referral.created": _l("Referred a case to a service"),
    "referral.override": _l("Referred without consent (coordinator's override)"),
    "referral.updated": _l("Changed a referral"),
    "referral.slip_printed": _l("Opened a referral slip"),
    "service.created": _l("Added a service"),
    "service.updated": _l("Changed a service"),
    "protocol.updated": _l("Changed a protocol"),
    "departure.created": _l("Recorded a departure in the migration register"),
    "departure.updated": _l("Changed a departure in the migration register"),
    "departure.call_added": _l("Recorded a follow-up call to someone who migrated"),
    "departure.returned": _l("Recorded the return of someone who migrated"),
    "school.dropout_recorded": _l("Recorded a child out of school"),
    "school.visit_added": _l("Recorded an outreach visit to a child out of school"),
    "school.reenrolled": _l("Recorded a child back in school"),
    "notice.created": _l("Sent a notice or an urgent alert"),
    "notice.acknowledged": _l("Acknowledged an urgent alert"),
    "notice.ended": _l("Stopped showing a notice"),
    "plan.created": _l("Recorded an action plan"),
    "plan.updated": _l("Changed an action plan"),
    "plan.action_added": _l("Added an action to an action plan"),
    "plan.action_updated": _l("Changed an action of an action plan"),
    "savings.cycle_created": _l("Started a savings cycle"),
    "savings.members_added": _l("Added members to a savings cycle"),
    "savings.account_linked": _l("Linked a savings member to an account"),
    "attendance.outside_range": _l("Recorded more guests than seemed likely (marked for review)"),
    "savings.outside_range": _l("Recorded an amount beyond the plausible range (marked for review)"),
    "savings.range_set": _l("Set the largest plausible amount of a savings cycle"),
    "savings.meeting_recorded": _l("Recorded a savings meeting"),
    "savings.recorded": _l("Recorded a savings entry"),
    "savings.loan_requested": _l("Recorded a loan request"),
    "savings.approved": _l("Approved a loan or share-out (one key)"),
    "savings.reversed": _l("Reversed a savings entry"),
    "savings.share_out_proposed": _l("Worked out a share-out"),
    "clock.set": _l("Set the hub's clock"),
}


def _event(action, obj, detail, user, username):
    """{field name: value} of one event; the actor is the signed-in user unless given."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    actor = user if user is not None else (getattr(g, "user", None) if has_request_context() else None)
    return {
        "at": clock.now(),
        "user": actor.id if actor else None,
        "username": actor.username if actor else username,
        "role": actor.role if actor else "",
        "action": action,
        "object_type": type(obj).__name__.lower() if obj is not None else "",
        "object_id": str(obj.id) if obj is not None else "",
        "client_address": (request.remote_addr or "") if has_request_context() else "cli",
        "detail": detail,
    }


def record(action, obj=None, detail="", user=None, username=""):
    """Append one event; the actor is the signed-in user unless given (a failed sign-in has none)."""
    return AuditEvent.create(**_event(action, obj, detail, user, username))


# The insert of one event, its SQL text built once: peewee builds it anew for every create(), and a case's
# page records one on every view.
_FIELDS = tuple(AuditEvent._meta.sorted_fields[1:])  # all but the id
_INSERT = 'INSERT INTO "{}" ({}) VALUES ({})'.format(
    AuditEvent._meta.table_name, ", ".join(f'"{field.column_name}"' for field in _FIELDS),
    ", ".join("?" * len(_FIELDS)))


def record_read(action, obj, detail=""):
    """Append that the signed-in account read obj (opened a case), in its own transaction, with the SQL built
    once; its commit leaves the database's generation as it is (hub.db's unseen_write): a read changes nothing
    else, and the audit log's kept pages are keyed on its newest event (hub.audit.views)."""
    values = _event(action, obj, detail, None, "")
    with database.unseen_write():
        database.execute_sql(_INSERT, [field.db_value(values[field.name]) for field in _FIELDS])


def record_now(action, obj=None, detail="", user=None, username=""):
    """record() in its own transaction, or, while the database cannot take it, a line in the fallback log
    (signing in must work on a read-only hub; its trace must not be lost)."""
    try:
        with database.atomic():
            return record(action, obj, detail=detail, user=user, username=username)
    except (ReadOnlyError, peewee.DatabaseError) as error:
        actor = user if user is not None else g.get("user")
        entry = {"at": clock.now().isoformat(), "action": action, "username": actor.username if actor else username,
                 "role": actor.role if actor else "", "user_id": actor.id if actor else None,
                 "object_type": type(obj).__name__.lower() if obj is not None else "",
                 "object_id": str(obj.id) if obj is not None else "",
                 "client_address": request.remote_addr or "", "detail": detail}
        log.warning("audit %s kept in %s: the database cannot take it (%s)", action, FALLBACK_FILE, error)
        try:
            with open(Path(current_app.config["DATA_DIR"]) / FALLBACK_FILE, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry, sort_keys=True) + "\n")
        except OSError as problem:  # the card is full: the journal still has the line above
            log.error("audit %s lost: %s", action, problem)
        return None


def import_fallback(data_dir):
    """Move the fallback log's events into the audit log (at start, with a working database); -> how many."""
    path = Path(data_dir) / FALLBACK_FILE
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    entries = [json.loads(line) for line in lines if line.strip()]
    with database.atomic():
        for entry in entries:
            AuditEvent.create(at=datetime.fromisoformat(entry["at"]), user=entry["user_id"],
                              username=entry["username"], role=entry["role"], action=entry["action"],
                              object_type=entry["object_type"], object_id=entry["object_id"],
                              client_address=entry["client_address"],
                              detail=(entry["detail"] + " (kept aside while the database could not save)").strip())
    path.unlink()
    return len(entries)


@dataclass(frozen=True)
class Filters:
    username: str = ""
    action: str = ""
    object_type: str = ""
    before_id: int | None = None


class Shown(NamedTuple):
    """An event as the log's page shows it: a plain row, since fifty model instances cost more than SQLite
    reading them. Of AuditEvent's table (_meta): a clock mark goes by the order of the record's table."""

    id: int
    at: datetime
    username: str
    role: str
    action: str
    object_type: str
    object_id: str
    client_address: str
    detail: str
    _meta = AuditEvent._meta


def _shown():
    return (AuditEvent.select(*(getattr(AuditEvent, name) for name in Shown._fields))
            .order_by(AuditEvent.id.desc()).tuples())


# The log as the coordinator opens it, and its older pages, unfiltered: their SQL built once.
_NEWEST = Prepared(lambda: _shown().limit(PAGE_SIZE + 1))
_OLDER = Prepared(lambda before_id: _shown().where(AuditEvent.id < before_id).limit(PAGE_SIZE + 1), int)


_NEWEST_ID = Prepared(lambda: AuditEvent.select(peewee.fn.MAX(AuditEvent.id)))


def newest_id():
    """The id of the latest event (0 for none): a page of the log kept until the next write is also kept only
    while no event was added, since opening a case appends one without a new database generation."""
    found = _NEWEST_ID.tuple()
    return (found[0] if found else None) or 0


def search(filters):
    """(events, next_before_id): one page of events (Shown) matching filters, newest first."""
    if not (filters.username or filters.action or filters.object_type):
        rows = _OLDER.rows(filters.before_id) if filters.before_id else _NEWEST.rows()
        return _page([Shown(*row) for row in rows])
    query = _shown()
    if filters.username:
        query = query.where(AuditEvent.username == filters.username.strip().lower())
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.object_type:
        query = query.where(AuditEvent.object_type == filters.object_type)
    if filters.before_id:
        query = query.where(AuditEvent.id < filters.before_id)
    return _page([Shown(*row) for row in query.limit(PAGE_SIZE + 1)])


def _page(events):
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    return events, (events[-1].id if more else None)
