"""The clock rules: when the hub's clock is suspect, how it is set, and which times were suspect.

State lives in two small files of the data folder, not in the database, so that nothing here needs a
migration and a record's own row is never rewritten: `clock-suspect` (present while a phone has said the
hub's clock is wrong: its first line is when, by the hub's clock) and `clock-log.jsonl` (one line per
setting of the clock: who, the hub's time before, the time set, and the suspect period it closes). A record
was made while the clock was suspect when its time falls in a closed period or after an open one
(`was_suspect`). Files are written only when the state changes, never per request (the SD card wears).
Sequence numbers, sessions (CSRF tokens have no time limit), throttling (monotonic) and the scheduler
(hub.scheduler) do not read the wall clock for ordering, so setting it here breaks none of them.
"""

import json
import os
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app, g, has_request_context, request
from flask_babel import gettext as _
from peewee import fn

from hub import clock
from hub.audit import service as audit
from hub.audit.models import AuditEvent
from hub.i18n import when

SKEW_LIMIT = timedelta(minutes=5)  # "more than a few minutes"
SUSPECT_FILE = "clock-suspect"
LOG_FILE = "clock-log.jsonl"
# On the Pi the unit's ProtectClock stops the hub from setting the clock itself: CLOCK_SET_COMMAND (the time
# appended) asks systemd-timedated, which the polkit rule the install script puts in place allows.
DEFAULT_COMMAND = ("/usr/local/sbin/communityhub-set-clock",)
EARLIEST = clock.EARLIEST_PLAUSIBLE


class ClockError(Exception):
    """The clock could not be set: the message says why, for the coordinator."""


def _folder():
    return Path(current_app.config["DATA_DIR"])


def skew(phone_time, hub_time=None):
    """phone minus hub, as a timedelta."""
    return phone_time - (hub_time or clock.now())


def is_skewed(phone_time, hub_time=None):
    return abs(skew(phone_time, hub_time)) > SKEW_LIMIT


def suspect_since():
    """When (hub's clock) a phone first said the clock was wrong, or None while it is trusted."""
    try:
        return datetime.fromisoformat(( _folder() / SUSPECT_FILE).read_text().split("\n")[0].strip())
    except (OSError, ValueError):
        return None


def sequence_marks():
    """{table: the highest id so far} of the records that show a clock mark: their order, which no clock moves."""
    from hub.cases.models import Case, CaseAction

    return {model._meta.table_name: model.select(fn.MAX(model.id)).scalar() or 0
            for model in (AuditEvent, Case, CaseAction)}


def _suspect_lines():
    try:
        return (_folder() / SUSPECT_FILE).read_text().split("\n")
    except OSError:
        return []


def suspect_since_ids():
    """sequence_marks() when the clock became suspect ({} while it is trusted, or for an older marker)."""
    lines = _suspect_lines()
    try:
        return json.loads(lines[2]) if len(lines) > 2 and lines[2].strip() else {}
    except ValueError:
        return {}


def report_phone_time(phone_time):
    """A phone said what time it is: mark the clock suspect if it differs by more than SKEW_LIMIT (once)."""
    hub_time = clock.now()
    if is_skewed(phone_time, hub_time) and suspect_since() is None:
        marks = json.dumps(sequence_marks(), sort_keys=True)
        (_folder() / SUSPECT_FILE).write_text(f"{hub_time.isoformat()}\n{phone_time.isoformat()}\n{marks}\n")
    return is_skewed(phone_time, hub_time)


def parse_phone_time(text):
    """A time typed or sent by the phone: ISO "YYYY-MM-DDTHH:MM[:SS]" (a datetime-local field) or epoch ms."""
    text = (text or "").strip()
    if not text:
        raise ClockError("no time given")
    try:
        if text.isdigit():
            return datetime.fromtimestamp(int(text) / 1000)
        return datetime.fromisoformat(text.replace(" ", "T"))
    except (ValueError, OverflowError, OSError):
        raise ClockError(f"not a time: {text[:40]}") from None


def set_clock(new_time, username):
    """Set the system clock to new_time with CLOCK_SET_COMMAND, log it, close the suspect period."""
    if new_time < EARLIEST:
        raise ClockError(f"{new_time:%Y-%m-%d %H:%M} is before this version of the hub was made")
    command = list(current_app.config.get("CLOCK_SET_COMMAND") or DEFAULT_COMMAND)
    before = clock.now()
    try:
        result = subprocess.run(command + [new_time.strftime("%Y-%m-%d %H:%M:%S")], capture_output=True,
                                text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ClockError(str(error)) from None
    if result.returncode != 0:
        raise ClockError((result.stderr or result.stdout).strip()[:200] or f"exit status {result.returncode}")
    since = suspect_since()
    entry = {"by": username, "hub_before": before.isoformat(), "set_to": new_time.isoformat(),
             "suspect_from": since.isoformat() if since else None, "suspect_until": before.isoformat(),
             "suspect_from_ids": suspect_since_ids() if since else {}, "suspect_until_ids": sequence_marks()}
    with open(_folder() / LOG_FILE, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")
    (_folder() / SUSPECT_FILE).unlink(missing_ok=True)
    audit.record("clock.set", detail=f"{before:%Y-%m-%d %H:%M:%S} -> {new_time:%Y-%m-%d %H:%M:%S}")
    return entry


def history():
    """Every setting of the clock, oldest first."""
    try:
        lines = (_folder() / LOG_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [json.loads(line) for line in lines if line.strip()]


def suspect_periods():
    """[(start, end)] by the hub's clock at the time; end is None for the period still open."""
    return [(start, end) for start, end, _, _ in _periods()]


# The periods parsed from the two files, by the data folder and the files' versions: a request only looks at
# the files (two os.stat) and parses them again only when one changed (reading them was ~0.1 ms a page).
_parsed = {}


def _periods():
    # A page may mark many records (the audit log: fifty). Parsed again only when one of the two files changed;
    # during a GET, which never writes them (only the POSTs of hub.clockcheck.views do), checked once.
    cached = g.get("clock_suspect_periods")
    reading = has_request_context() and request.method == "GET"
    if cached is not None and reading:
        return cached[1]
    version = tuple(_changed(name) for name in (SUSPECT_FILE, LOG_FILE))
    if cached is None or cached[0] != version:
        key = (current_app.config["DATA_DIR"], version)
        periods = _parsed.get(key)
        if periods is None:
            periods = tuple(_read_suspect_periods())  # shared between requests: never changed in place
            if len(_parsed) >= 16:
                _parsed.clear()
            _parsed[key] = periods
        g.clock_suspect_periods = cached = (version, periods)
    return cached[1]


def marks_version():
    """What the clock marks depend on besides the records (the two files of suspect periods, as they are now): a
    part of a page kept with its marks is keyed on it, since setting the clock writes no database row."""
    _periods()  # read once per GET, as every mark is
    return g.clock_suspect_periods[0]


def _changed(name):
    # Asked for every date a page marks (fifty on the audit log): os.stat of a plain path, not pathlib's.
    try:
        status = os.stat(os.path.join(current_app.config["DATA_DIR"], name))
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def _read_suspect_periods():
    """[(start, end, start ids, end ids)]: times by the hub's clock, ids from sequence_marks()."""
    periods = [(datetime.fromisoformat(e["suspect_from"]), datetime.fromisoformat(e["suspect_until"]),
                e.get("suspect_from_ids") or {}, e.get("suspect_until_ids") or {})
               for e in history() if e.get("suspect_from")]
    since = suspect_since()
    if since is not None:
        periods.append((since, None, suspect_since_ids(), None))
    return periods


def was_suspect(when, record=None):
    """Whether a record stamped `when` (by the hub's clock then) was made while the clock was suspect.

    With the record, by its place in its table's order (its id between the marks taken when the clock became
    suspect and when it was set): a clock that jumped back meanwhile stamps times before the period began,
    and comparing times would miss exactly the records whose times are wrong. Without, or for periods logged
    before the marks existed, by its time."""
    table = type(record)._meta.table_name if record is not None and hasattr(record, "_meta") else None
    for start, end, start_ids, end_ids in _periods():
        if table in start_ids:
            after_start = record.id > start_ids[table]
            if after_start and (end_ids is None or record.id <= end_ids.get(table, record.id)):
                return True
        elif start <= when and (end is None or when <= end):
            return True
    return False


def suspect_among(records, stamp):
    """The ids of the records (of one table) that were_suspect, stamp(record) being its time: a long list asks
    once, and marks only those (none while the clock was never suspect), instead of asking row by row."""
    if not _periods():
        return frozenset()
    return frozenset(record.id for record in records if was_suspect(stamp(record), record))


def distrust(now=None):
    """Why the hub's clock cannot date a release now, in the coordinator's words; None when it can.

    A month is released for good (the district keeps it), so a clock that cannot be right, or that a phone
    said is wrong, releases nothing until the coordinator sets it."""
    now = now or clock.now()
    if not clock.is_plausible(now):
        return _("The hub's clock says %(time)s, which cannot be right.", time=when(now))
    if suspect_since() is not None:
        return _("A phone said the hub's clock is wrong.")
    return None
