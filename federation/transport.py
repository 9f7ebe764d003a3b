"""Delivery over HTTP: the outbox's due bundles to the pinned aggregator, with retry and backoff.

Data flow: `outbox.due()` -> `post()` of the exact bundle bytes to `POST /api/v1/bundles` -> the signed
receipt -> `outbox.apply_receipt()` (only a receipt that verifies with the pinned key marks a row
delivered). A 4xx refusal is final for that bundle (state refused, with the aggregator's message); no
link, a time-out or a 5xx is not: the row's tries grow and its next try moves out by `backoff()`, and the
run stops there (the next bundles would meet the same closed door). USB and relays go through
hub.sharing.transfer; the receipts they bring back meet the same `apply_receipt()`.

Requests go to the aggregator address pinned at enrolment, never through a proxy from the environment.
"""

import random
from dataclasses import asdict, dataclass
from datetime import timedelta

from federation import outbox, signing
from federation.errors import Malformed, Refused, Unreachable

BUNDLES_PATH = "/api/v1/bundles"
ENROLMENTS_PATH = "/api/v1/enrolments"
TIMEOUT = 10                                  # seconds, for connecting and for each read
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)
TRANSIENT = (408, 425, 429)                   # 4xx statuses that mean "later", not "never"


def post(url, path, data, timeout=TIMEOUT):
    """POST data (bytes, JSON) to url + path; -> (status, body bytes) for any answer below 500.

    Raises Unreachable for no link, a refused connection, a time-out, a redirect (a wrong address) or a
    5xx: all worth trying again later.
    """
    import requests  # here, not at the top: the idle hub does without its 5 MB (docs/benchmarks.md)

    target = url.rstrip("/") + path
    with requests.Session() as session:
        session.trust_env = False  # no proxy or .netrc from the environment: the pinned address only
        try:
            response = session.post(target, data=bytes(data), timeout=timeout, allow_redirects=False,
                                    headers={"Content-Type": "application/json"})
            body = response.content
        except requests.Timeout:
            raise Unreachable(f"{url} did not answer within {timeout} seconds") from None
        except requests.RequestException as exc:
            raise Unreachable(f"{url} could not be reached ({_reason(exc)})") from None
    if response.status_code >= 500:
        raise Unreachable(f"{url} answered {response.status_code}: {refusal_message(body)}")
    if 300 <= response.status_code < 400:
        raise Unreachable(f"{url} redirects to {response.headers.get('Location', '?')}: "
                          "is the aggregator's address right?")
    if response.status_code in TRANSIENT:
        raise Unreachable(f"{url} answered {response.status_code}: busy, try later")
    return response.status_code, body


def _reason(exc):
    text = str(exc)
    for hint in ("Connection refused", "Name or service not known", "No route to host",
                 "Network is unreachable", "Temporary failure in name resolution"):
        if hint in text:
            return hint.lower()
    return type(exc).__name__


def refusal_message(body):
    """The aggregator's {"error", "message"} in one line, or the start of the body."""
    try:
        document = signing.loads(body)
        return f"{document['error']}: {document['message']}"
    except (Malformed, KeyError, TypeError, AttributeError):
        return body[:200].decode("utf-8", "replace").strip() or "no explanation"


def backoff(tries, rng=random):
    """How long to wait before try number tries + 1: full jitter over 1 min doubling per try, capped at 6 h.

    Pure: a random draw in [0, min(cap, first * 2 ** (tries - 1))], so many hubs coming back online at
    once do not all knock at the same minute.
    """
    exponent = min(max(tries, 1) - 1, 30)
    ceiling = min(BACKOFF_CAP.total_seconds(), BACKOFF_FIRST.total_seconds() * 2 ** exponent)
    return timedelta(seconds=rng.uniform(0, ceiling))


@dataclass
class Report:
    """What one delivery run did; `error` says the last problem in plain words ("" when none)."""

    enrolled: bool = True
    tried: int = 0
    delivered: int = 0
    refused: int = 0
    failed: int = 0           # reached the aggregator but got no usable receipt: tried again later
    unreachable: bool = False
    pending: int = 0          # still waiting after the run
    outcome: str = outbox.OK
    error: str = ""

    def as_dict(self):
        return asdict(self)

    def __str__(self):
        if not self.enrolled:
            return "not enrolled with a district aggregator: nothing sent"
        text = (f"{self.delivered} delivered, {self.refused} refused, {self.failed} to try again, "
                f"{self.pending} waiting")
        return f"{text}; {self.error}" if self.error else text


def deliver_due(now, url=None, timeout=TIMEOUT, rng=random):
    """Send every due bundle to the pinned aggregator (or url, where discovery found it); -> Report."""
    current = outbox.state()
    report = Report(enrolled=current.enrolled)
    if not current.enrolled:
        report.outcome, report.error = outbox.NOT_ENROLLED, "this hub is not enrolled with a district aggregator"
        report.pending = outbox.undelivered().count()
        return report
    target = url or current.aggregator_url
    rows = list(outbox.due(now))
    for row in rows:
        report.tried += 1
        try:
            status, body = post(target, BUNDLES_PATH, row.content, timeout)
        except Unreachable as exc:
            report.unreachable, report.outcome, report.error = True, outbox.UNREACHABLE, str(exc)
            outbox.record_failure(row, now, None, str(exc), outbox.as_local(now) + backoff(row.tries + 1, rng))
            break
        if status in (200, 201):
            _apply(row, body, now, report, rng)
        else:
            message = refusal_message(body)
            outbox.record_refusal(row, now, status, message)
            report.refused += 1
            report.outcome, report.error = outbox.REFUSED_RUN, f"refused ({status}) {message}"
    if rows:
        outbox.record_run(now, report.outcome, report.error)
    report.pending = outbox.undelivered().count()
    return report


def _apply(row, body, now, report, rng):
    try:
        marked = outbox.apply_receipt(body, route="http", now=now)
    except Refused as exc:
        problem = f"the aggregator's receipt was not accepted: {exc.message}"
    else:
        if any(entry.id == row.id for entry in marked):
            report.delivered += 1
            return
        if outbox.OutboxBundle.get_by_id(row.id).state == outbox.DELIVERED:  # a receipt before this one
            report.delivered += 1
            return
        problem = "the aggregator's receipt does not name this bundle"
    outbox.record_failure(row, now, 200, problem, outbox.as_local(now) + backoff(row.tries + 1, rng))
    report.failed += 1
    report.outcome, report.error = outbox.BAD_RECEIPT, problem


def enrol(url, request_bytes, timeout=TIMEOUT):
    """POST an enrolment request to url; -> the reply bytes (201). Refused with the aggregator's message
    (a code unknown, used or expired), or Unreachable."""
    status, body = post(url, ENROLMENTS_PATH, request_bytes, timeout)
    if status not in (200, 201):
        raise refusal(status, body)
    return body


def refusal(status, body):
    """The aggregator's 4xx answer as the named Refused it stands for (errors.py), keeping its message."""
    try:
        code = signing.loads(body).get("error")
    except (Malformed, AttributeError):
        code = None
    kinds = {kind.code: kind for kind in _refusals(Refused)}
    error = kinds.get(code, Refused)(refusal_message(body))
    error.status = status
    return error


def _refusals(kind):
    for sub in kind.__subclasses__():
        yield sub
        yield from _refusals(sub)
