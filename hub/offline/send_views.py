"""Where a phone's outbox sends what it kept out of range: the concern, roster and follow-up visit forms of
the pages, each sent with the idempotency key made when it was filled and a CSRF token fetched just before
(GET /offline/token: see docs/offline.md, "Forms sent later and CSRF"). Each answers JSON:

- 200 {"status": "received"}: saved now, with its key, in one transaction;
- 200 {"status": "already"}: the key was stored before, nothing changed (a second delivery);
- 409 {"status": "conflict", "version", "differences"}: changed on the hub meanwhile, nothing saved;
- 422 {"status": "refused", "errors"}: the hub refuses what was sent (it would refuse the page too);
- 429 {"status": "wait"}: anonymous reports from this address are limited.
"""

from datetime import date

from flask import abort, g, jsonify, request

from hub import clock
from hub.cases.concern_views import concern_limit
from hub.cases.concerns import report_concern
from hub.cases.field_visits import add_field_visit
from hub.cases.forms import ConcernForm, FollowUpForm
from hub.cases.service import CaseError, get_case
from hub.offline import bp
from hub.offline.conflicts import Conflict
from hub.offline.models import Receipt
from hub.offline.receipts import AlreadyReceived, once, valid_key
from hub.sessions.attendance import AttendanceError
from hub.sessions.field import FieldRoster, save_field_roster
from hub.sessions.forms import RosterForm
from hub.sessions.views import get_meeting_or_404


def _answer(status, code=200, **extra):
    response = jsonify(status=status, **extra)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    return response


def _key():
    key = valid_key(request.form.get("idempotency_key"))
    if key is None:
        abort(400)  # the outbox always sends one: without it a second delivery could not be recognised
    return key


def _refused(form, error=None):
    errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
    if error is not None:
        errors.setdefault(getattr(error, "field", None) or "form", []).append(str(error))
    return _answer("refused", 422, errors=errors)


def _send(key, kind, save, form):
    """Save once under key and answer; a refusal or a conflict saves nothing (and stores no key)."""
    try:
        once(key, kind, g.user, save)
    except AlreadyReceived:
        return _answer("already")
    except Conflict as conflict:
        return _answer("conflict", 409, version=conflict.version,
                       differences=[list(difference) for difference in conflict.differences])
    except (CaseError, AttendanceError) as error:
        return _refused(form, error)
    return _answer("received")


@bp.post("/offline/send/concern")
def send_concern():
    key = _key()
    form = ConcernForm()
    if not form.validate_on_submit():
        return _refused(form)
    limit = f"addr:{request.remote_addr}" if g.user is None else None
    if limit and concern_limit().take(limit):
        return _answer("wait", 429)
    answer = _send(key, Receipt.CONCERN, lambda: report_concern(form.report(), g.user), form)
    if limit and answer.json["status"] != "received":
        concern_limit().give_back(limit)
    return answer


def _version(value):
    """The version the form was opened at, or None when the phone did not say."""
    value = (value or "").strip()
    return int(value) if value.isdecimal() else None


def _held_on(value):
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return clock.today()  # a phone that did not say: the day it arrives


@bp.post("/offline/send/roster/<int:meeting_id>")
def send_roster(meeting_id):
    meeting = get_meeting_or_404(meeting_id)
    key = _key()
    form = RosterForm()
    everyone = bool(request.form.get("everyone"))
    if not everyone and not form.validate_on_submit():
        return _refused(form)
    sent = FieldRoster(present=tuple(form.p.data or ()), guests=None if everyone else form.guests(),
                       held_on=_held_on(request.form.get("held_on")), version=_version(request.form.get("v")),
                       everyone=everyone)
    return _send(key, Receipt.ROSTER, lambda: save_field_roster(meeting, sent, clock.today()), form)


@bp.post("/offline/send/visit/<int:case_id>")
def send_visit(case_id):
    case = get_case(case_id)
    if case is None:
        abort(404)
    key = _key()
    form = FollowUpForm()
    if not form.validate_on_submit():
        return _refused(form)
    version = _version(request.form.get("version"))
    return _send(key, Receipt.VISIT, lambda: add_field_visit(case, version, form.visited_on.data, form.progress.data,
                                                             form.next_visit.data, g.user, clock.today()), form)
