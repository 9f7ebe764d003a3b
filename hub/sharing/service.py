"""Sharing with the district: the rules behind the coordinator's page, the village report and the commands.

Data flow: the CLI, the jobs and the pages call these functions; they call the federation pipeline
(federation.publish -> outbox -> transport) and say the outcome in the coordinator's words. Nothing here
reads a person's record: what is shown is the protected payload, exactly what the district receives.

federation.publish and hub.sharing.describe (which reach the summary and its schema) are imported where
they are used, so the hub's app and commands start without loading the summary code.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from federation import bundle, outbox, signing, transport
from federation.errors import EnrolmentRefused, Refused, Unreachable
from hub import clock
from hub.validation import FieldError, Problems

MAX_URL, MAX_CODE = 200, 200


class SharingError(FieldError):
    """A request the hub cannot carry out; str() says why in the coordinator's words, field names the form
    field it is about (None: about the whole form)."""


def identity():
    """This hub's federation identity (made by `communityhub init`, or here at first use)."""
    return signing.load_or_create(current_app.config["DATA_DIR"], signing.HUB)


# -- months

def check_period(text):
    """text if it is a month 'YYYY-MM'; SharingError otherwise."""
    if not isinstance(text, str) or not bundle.PERIOD.match(text):
        raise SharingError(_("A month is written YYYY-MM, for example 2026-11."), "period")
    return text


def default_period(today=None):
    """The month a build releases by default: last month."""
    from federation import jobs

    return jobs.last_month(today or clock.today())


def build(period, today=None):
    """Release period if its content changed and it may be released; -> federation.publish.Result.

    SharingError while the clock cannot be trusted (hub.clockcheck.distrust): a month dated by a wrong clock
    would reach the district for good."""
    from federation import publish
    from hub.clockcheck import service as clockcheck  # here: the CLI loads this module before the areas

    period = check_period(period)
    distrust = clockcheck.distrust()
    if distrust:
        raise SharingError(" ".join((distrust, _("Nothing was released. Set the hub's clock on the Clock page "
                                                 "(or `sudo date -s`) first."))), "period")
    return publish.publish(period, today or clock.today(), identity())


def sealed_bytes(period):
    """(bytes, stored) of period: its latest sealed bundle, or what its first release would be now."""
    from federation import publish

    return publish.preview(check_period(period), identity())


def released(period):
    """The latest release of period (an outbox row), or None."""
    return outbox.latest(check_period(period))


# -- enrolment and delivery

def check_enrolment(url, code):
    """(address, code) tidied, or SharingError naming every field of the enrolment form that is wrong."""
    problems = Problems(SharingError)
    url, code = (url or "").strip().rstrip("/"), (code or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL:
        problems.add(_("Type the aggregator's address as the district gave it, starting with http:// "
                       "(for example http://192.168.1.20:8090)."), "aggregator_url")
    if not code or len(code) > MAX_CODE:
        problems.add(_("Type the enrolment code the district gave you."), "code")
    problems.done()
    return url, code


def enrol(url, code, now=None, key_id=""):
    """Enrol this hub with the aggregator at url using the district's one-time code; pin its key.

    key_id, when the district gave its key's fingerprint (QR code), must match the reply's key.
    -> the federation state. SharingError (field aggregator_url or code) when the address is wrong or
    unreachable, the code is refused, or the answer is not a valid enrolment reply for this hub.
    """
    url, code = check_enrolment(url, code)
    me = identity()
    request_bytes = bundle.seal_enrolment(me, code)  # no village name: the district names the hub
    try:
        reply = transport.enrol(url, request_bytes)
    except Unreachable as exc:
        raise SharingError(_("The district aggregator could not be reached at this address (%(detail)s). "
                             "Check the address and the hub's connection, then try again.",
                             detail=str(exc)), "aggregator_url") from None
    except EnrolmentRefused:
        raise SharingError(_("The district refused this code: it is unknown, already used or expired. "
                             "Ask the district for a new one."), "code") from None
    except Refused as exc:
        raise SharingError(_("The district aggregator refused the enrolment: %(message)s",
                             message=exc.message)) from None
    try:
        return outbox.pin_aggregator(reply, url, now or clock.now(), hub_id=me.id,
                                     expected_key_id=(key_id or "").strip().lower() or None)
    except Refused:
        raise SharingError(_("The answer from this address is not a valid enrolment reply for this hub: "
                             "is it really the district aggregator?"), "aggregator_url") from None


def send_now(now=None):
    """Deliver every waiting bundle now, even one whose next try is later (the coordinator asked);
    -> transport.Report."""
    outbox.OutboxBundle.update(next_try_at=None).where(outbox.OutboxBundle.state == outbox.PENDING).execute()
    return transport.deliver_due(now or clock.now())


# -- plain words

def outcome_text(outcome, detail=""):
    """How a delivery run ended, for the coordinator."""
    texts = {
        outbox.OK: lambda: _("Delivered: the district confirmed what it received."),
        outbox.UNREACHABLE: lambda: _("The district aggregator could not be reached (no connection, or it is "
                                      "switched off). The hub tries again by itself."),
        outbox.REFUSED_RUN: lambda: _("The district aggregator refused a summary (%(detail)s). It will not "
                                      "be sent again.", detail=detail),
        outbox.BAD_RECEIPT: lambda: _("The district's acknowledgement could not be checked: it was not signed "
                                      "with the key this hub trusts. The summary waits and is sent again."),
        outbox.NOT_ENROLLED: lambda: _("This hub is not enrolled with a district aggregator yet."),
    }
    return texts[outcome]() if outcome in texts else ""


def row_problem(row):
    """Why a bundle is not delivered yet (or was refused), for the coordinator; "" when nothing is wrong."""
    if row.state == outbox.DELIVERED or (row.tries == 0 and not row.last_error):
        return ""
    if row.state == outbox.REFUSED:
        if row.last_status == 409:
            return _("Refused: the district holds another summary with the same number. Tell the district.")
        if row.last_status == 403:
            return _("Refused: the district does not accept this hub's key (%(detail)s). Enrol the hub again.",
                     detail=row.last_error)
        return _("Refused by the district: %(detail)s", detail=row.last_error)
    if row.last_status is None:
        return _("Not reached yet (%(tries)d tries): the hub tries again by itself.", tries=row.tries)
    return _("Sent, but the district's acknowledgement could not be checked; it will be sent again.")


# -- what the page and the report show

@dataclass(frozen=True)
class Month:
    """One month released: its latest release and its content in words (hub.sharing.describe)."""

    period: str
    bundle: outbox.OutboxBundle
    sections: list


@dataclass(frozen=True)
class Overview:
    state: outbox.FederationState
    pending: list
    counts: dict
    last_delivery: outbox.OutboxBundle | None
    last_outcome: str
    months: list


def overview():
    """Everything the sharing page shows."""
    state = outbox.state()
    months = [Month(period, row, in_words(row.payload))
              for period in outbox.built_periods() if (row := outbox.latest(period)) is not None]
    return Overview(state, list(outbox.undelivered()), outbox.counts(), outbox.last_delivery(),
                    outcome_text(state.last_outcome, state.last_error), months)


def report(period):
    """(village, release row, sections) for the village report of period; SharingError when not released."""
    from hub.village.service import get_village

    row = released(period)
    if row is None:
        raise SharingError(_("This month has not been built yet."), "period")
    return get_village(), row, in_words(row.payload)


def in_words(payload):
    """A protected payload as sections of labelled values in the current language (hub.sharing.describe)."""
    from hub.sharing import describe

    return describe.describe(payload)


def renew_epoch_after_restore():
    """After `communityhub restore`: a new epoch, so no sequence number of the restored copy is used again.

    -> the new epoch, or None when the restored database predates federation (its first use then makes one).
    """
    from hub import db

    if not db.database.execute_sql("SELECT 1 FROM sqlite_master WHERE name = 'federation_state'").fetchone():
        return None
    return outbox.new_epoch()
