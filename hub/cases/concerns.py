"""Reporting a concern: anyone on the hub's Wi-Fi, signed in or not. A report lands as an unassigned case in
status "reported" for case workers to triage; anonymous reports are limited per client address; a
reporter sees the status of their own reports, never their details: from their account, or, with or without
one, with the reference the hub gave when the report was sent.

A reference is 8 symbols of Crockford's base 32 (40 random bits, shown as K7QM-4XTR; O, I and L typed for 0, 1
and 1 are read as meant), kept only as its SHA-256. With a few hundred reports on a hub, one guess in about
two thousand million is right, and lookups are limited per address: guessing is not practical.
"""

import hashlib
import re
import secrets
import threading
from collections import deque
from dataclasses import dataclass

from flask_babel import gettext as _

from hub import clock
from hub.audit.service import record
from hub.cases.models import CATEGORIES, Case, CaseAction
from hub.cases.service import REPORTED, CaseError
from hub.db import database
from hub.people.models import Person
from hub.people.service import may_see_person
from hub.text import clean
from hub.validation import Problems

MAX_TEXT = 4000   # what happened: a page of a phone's typing; more is refused, never cut
MAX_SHORT = 200   # the child's description, the place
ANONYMOUS_REPORTS = 5
WINDOW_SECONDS = 3600
TAGS = re.compile(r"<[^>]*>")
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O or U
REFERENCE_LENGTH = 8
REFERENCE_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})
STATUS_LOOKUPS = 10  # wrong references from one address in WINDOW_SECONDS before it must wait


@dataclass(frozen=True)
class Report:
    """What someone reported, as the form parsed it."""

    category: str
    what_happened: str
    in_danger: bool
    child_id: int | None = None
    child_description: str = ""
    place: str = ""


def _child(report, user):
    child = None
    if report.child_id is not None:
        # Only someone who may see the person names them; anyone else describes the child.
        child = Person.get_or_none((Person.id == report.child_id) & ~Person.archived)
        if child is None or user is None or not may_see_person(user, child):
            raise CaseError(_("Choose the child from the list, or describe them."), "child")
    if child is None and not (report.child_description or "").strip():
        raise CaseError(_("Say which child this is about: a name, an age, where they live."), "child_description")
    return child


def check_concern(report, user):
    """(the child of the register, what happened cleaned), or CaseError naming every field of the report that
    is wrong."""
    problems = Problems(CaseError)
    if report.category not in CATEGORIES:
        problems.add(_("Choose what the concern is about from the list."), "category")
    child = problems.check(_child, report, user)
    for field, text, limit in (("child_description", report.child_description, MAX_SHORT),
                               ("place", report.place, MAX_SHORT), ("what_happened", report.what_happened, MAX_TEXT)):
        if len(text or "") > limit:
            problems.add(_("Please use at most %(count)d characters.", count=limit), field)
    what_happened = clean(report.what_happened)
    if not TAGS.sub("", what_happened).strip():
        problems.add(_("Please say what happened."), "what_happened")
    problems.done()
    return child, what_happened


def new_reference():
    """A fresh reporter's reference, "XXXX-XXXX"."""
    symbols = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{symbols[:4]}-{symbols[4:]}"


def reference_hash(text):
    """The stored form of a reference as someone typed it (case, spaces, dashes and O/I/L forgiven), or None
    when it cannot be one."""
    symbols = re.sub(r"[\s-]", "", (text or "").upper()).translate(REFERENCE_TYPOS)
    if len(symbols) != REFERENCE_LENGTH or any(symbol not in REFERENCE_ALPHABET for symbol in symbols):
        return None
    return hashlib.sha256(symbols.encode("ascii")).hexdigest()


def report_concern(report, user, with_reference=True):
    """Save a concern, unassigned and in status "reported"; user is None for someone with no account.
    Return the Case, with `reference`: the reporter's reference, to show once (only its hash is kept), or
    None without one (the demo's invented reporters, so that a seed always builds the same rows)."""
    child, what_happened = check_concern(report, user)
    reference = new_reference() if with_reference else None
    with database.atomic():
        case = Case.create(category=report.category, child=child, child_description=report.child_description.strip(),
                           place=report.place.strip(), what_happened=what_happened, in_danger=report.in_danger,
                           reported_by=user, reported_at=clock.now(), status=Case.REPORTED,
                           reference_hash=reference_hash(reference) if reference else None)
        CaseAction.create(case=case, done_at=case.reported_at, user=user, kind=REPORTED)
        record("concern.reported", case, detail=report.category + (", in danger" if report.in_danger else ""),
               user=user)
    case.reference = reference
    return case


def report_with_reference(text):
    """The report a reference was given for: category, reported_at and status only, as for reports_by();
    None when no report has it."""
    digest = reference_hash(text)
    if digest is None:
        return None
    return (Case.select(Case.category, Case.reported_at, Case.status).where(Case.reference_hash == digest)
            .namedtuples().first())


def reports_by(user):
    """The concerns this account reported, newest first: category, reported_at and status only (the
    reporter sees what became of a report, never its details)."""
    return list(Case.select(Case.category, Case.reported_at, Case.status).where(Case.reported_by == user)
                .order_by(Case.id.desc()).namedtuples())


class ReportLimit:
    """At most `limit` anonymous reports (or wrong references) from one address in any `window` seconds,
    counted on the monotonic clock in memory (a jump of the wall clock neither frees nor blocks anyone; a
    restart starts afresh).
    Thread-safe; take() counts a report before it is saved and give_back() returns it if saving fails."""

    def __init__(self, limit=ANONYMOUS_REPORTS, window=WINDOW_SECONDS, now=None, max_keys=4096):
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._now = now or (lambda: clock.monotonic())  # looked up per call: tests move it
        self._lock = threading.Lock()
        self._times = {}  # key -> deque of monotonic times of the reports still in the window

    def _recent(self, key, now):
        times = self._times.get(key)
        while times and now - times[0] >= self.window:
            times.popleft()
        return times or deque()

    def take(self, key):
        """Count one report from key and return 0, or return the seconds to wait (nothing counted)."""
        now = self._now()
        with self._lock:
            times = self._recent(key, now)
            if len(times) >= self.limit:
                return max(1, int(times[0] + self.window - now + 0.999))
            if key not in self._times and len(self._times) >= self.max_keys:
                self._forget_old(now)
            times.append(now)
            self._times[key] = times
            return 0

    def give_back(self, key):
        """Uncount the last report taken for key (it was not saved)."""
        with self._lock:
            times = self._times.get(key)
            if times:
                times.pop()

    def _forget_old(self, now):
        for key in [key for key, times in self._times.items() if not times or now - times[-1] >= self.window]:
            del self._times[key]
