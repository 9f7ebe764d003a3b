"""Delivery over HTTP: backoff bounds, a closed door (tries and next try recorded, the run stops), refusals
that are final, and receipts that only count when signed by the pinned aggregator key.

The aggregator is the real one (federation.aggregator, served on loopback); no link is a closed loopback
port.
"""

import random
from datetime import datetime, timedelta

import pytest

from federation import bundle, outbox, signing, transport
from federation.errors import Unreachable
from hub.db import database
from tests.loopback import closed_port_url, serving

NOW = datetime(2026, 12, 2, 9, 0)
PAYLOAD = {"tables": {"children_reached": {"cells": {"female": 5, "male": 0, "other": 0}, "total": 5}}, "values": {}}


def identity_in(folder, name):
    folder.mkdir(parents=True, exist_ok=True)
    return signing.load_or_create(folder, name)


@pytest.fixture
def hub(app_context, data_dir):
    return signing.load_or_create(data_dir, signing.HUB)


# backoff(): a pure function.

@pytest.mark.parametrize("tries, ceiling", [(0, 60), (1, 60), (2, 120), (3, 240), (9, 60 * 256),
                                            (10, 6 * 3600), (500, 6 * 3600)])
def test_backoff__full_jitter_under_a_doubling_ceiling_capped_at_six_hours(tries, ceiling):
    rng = random.Random(tries)
    waits = [transport.backoff(tries, rng) for _ in range(300)]
    assert all(timedelta(0) <= wait <= timedelta(seconds=ceiling) for wait in waits)
    assert max(waits) > timedelta(seconds=ceiling * 0.8)  # it does reach up to the ceiling
    assert len(set(waits)) > 250                          # and spreads hubs out


class Top:
    """An rng that always draws the top of the range."""

    @staticmethod
    def uniform(low, high):
        return high


def test_backoff__the_ceiling_doubles_per_try():
    assert [transport.backoff(tries, Top).total_seconds() for tries in range(1, 6)] == [60, 120, 240, 480, 960]


# deliver_due() without a link.

def enrolled(hub, tmp_path, url):
    district = identity_in(tmp_path / "district", signing.AGGREGATOR)
    outbox.pin_aggregator(bundle.seal_enrolment_reply(district, hub.id, url), url, NOW, hub_id=hub.id)
    return district


def test_deliver_due__not_enrolled_sends_nothing(hub):
    outbox.enqueue(hub, "2026-11", 1, PAYLOAD, now=NOW)
    report = transport.deliver_due(NOW)
    assert (report.enrolled, report.tried, report.pending, report.outcome) == (False, 0, 1, "not_enrolled")
    assert outbox.OutboxBundle.get().tries == 0


def test_deliver_due__unreachable_records_the_try_and_the_backoff_and_stops(hub, tmp_path):
    enrolled(hub, tmp_path, closed_port_url())
    rows = [outbox.enqueue(hub, "2026-11", revision, PAYLOAD, now=NOW) for revision in (1, 2)]
    report = transport.deliver_due(NOW, rng=Top)
    assert (report.tried, report.delivered, report.unreachable, report.pending) == (1, 0, True, 2)
    assert "could not be reached" in report.error and "connection refused" in report.error
    first, second = (outbox.OutboxBundle.get_by_id(row.id) for row in rows)
    assert (first.state, first.tries, first.last_try_at, first.last_status) == ("pending", 1, NOW, None)
    assert first.next_try_at == NOW + timedelta(minutes=1) and "could not be reached" in first.last_error
    assert (second.tries, second.last_try_at) == (0, None)  # the run stopped at the first closed door
    state = outbox.state()
    assert (state.last_run_at, state.last_outcome) == (NOW, "unreachable")
    # Not due again before its next try; then a second failure doubles the ceiling.
    later = NOW + timedelta(seconds=30)
    assert transport.deliver_due(later, rng=Top).tried == 1  # the second row, never tried, is due
    report = transport.deliver_due(NOW + timedelta(minutes=2), rng=Top)
    first = outbox.OutboxBundle.get_by_id(rows[0].id)
    assert (first.tries, first.next_try_at) == (2, NOW + timedelta(minutes=2) + timedelta(minutes=2))


def test_post__a_closed_port_is_unreachable():
    with pytest.raises(Unreachable, match="could not be reached"):
        transport.post(closed_port_url(), transport.BUNDLES_PATH, b"{}", timeout=2)


# Against the real aggregator.

@pytest.fixture
def aggregator(tmp_path):
    """The district aggregator's app on its own data folder, and a way to issue enrolment codes."""
    from federation.aggregator.app import create_app

    app = create_app({"DATA_DIR": str(tmp_path / "aggregator"), "TESTING": True})
    return app


def issue_code(aggregator_app, name="Rampur"):
    from federation.aggregator import enrol

    with aggregator_app.app_context():
        return enrol.issue_code(name)


def enrol_over_http(hub, url, code):
    reply = transport.enrol(url, bundle.seal_enrolment(hub, code))
    return outbox.pin_aggregator(reply, url, NOW, hub_id=hub.id)


def test_deliver_due__delivers_against_the_real_aggregator_and_a_second_run_sends_nothing(hub, aggregator):
    with serving(aggregator) as url:
        state = enrol_over_http(hub, url, issue_code(aggregator))
        assert state.aggregator_id == aggregator.extensions["aggregator_identity"].id
        rows = [outbox.enqueue(hub, period, 1, PAYLOAD, now=NOW) for period in ("2026-10", "2026-11")]
        report = transport.deliver_due(NOW)
        assert (report.tried, report.delivered, report.pending, report.error) == (2, 2, 0, "")
        again = transport.deliver_due(NOW + timedelta(minutes=5))
        assert (again.tried, again.delivered) == (0, 0)
        # Sending the same bytes again is a duplicate for the aggregator, never a second copy.
        status, body = transport.post(url, transport.BUNDLES_PATH, rows[0].content)
        assert status == 200 and bundle.open_receipt(body, state.aggregator_key)["bundles"][0]["status"] == "duplicate"
    for row in rows:
        stored = outbox.OutboxBundle.get_by_id(row.id)
        assert (stored.state, stored.route, stored.delivered_at, stored.tries) == ("delivered", "http", NOW, 0)
    assert outbox.last_delivery() is not None and outbox.state().last_outcome == "ok"


def test_deliver_due__a_refusal_is_final_and_the_run_goes_on(hub, aggregator, tmp_path):
    with serving(aggregator) as url:
        enrol_over_http(hub, url, issue_code(aggregator))
        # A bundle the aggregator holds under the same id with other bytes: 409, never retried.
        first = outbox.enqueue(hub, "2026-10", 1, PAYLOAD, now=NOW)
        transport.deliver_due(NOW)
        with database.atomic():
            other = bundle.seal(hub, first.epoch, first.sequence, "2026-10", 1, 1,
                                {"tables": {}, "values": {}})
            outbox.OutboxBundle.delete().execute()
            clash = outbox.OutboxBundle.create(hub_id=hub.id, epoch=first.epoch, sequence=first.sequence,
                                               period="2026-10", revision=1, content=other,
                                               sha256=signing.sha256(other), created_at=NOW)
        fine = outbox.enqueue(hub, "2026-11", 1, PAYLOAD, now=NOW)
        report = transport.deliver_due(NOW)
        assert (report.tried, report.refused, report.delivered) == (2, 1, 1)
        clash = outbox.OutboxBundle.get_by_id(clash.id)
        assert (clash.state, clash.last_status, clash.tries, clash.next_try_at) == ("refused", 409, 1, None)
        assert "conflict" in clash.last_error
        assert outbox.OutboxBundle.get_by_id(fine.id).state == "delivered"
        assert transport.deliver_due(NOW + timedelta(days=1)).tried == 0  # refused: not sent again


def test_deliver_due__unknown_hub_is_refused_with_the_aggregators_words(hub, aggregator, tmp_path):
    with serving(aggregator) as url:
        aggregator_identity = aggregator.extensions["aggregator_identity"]
        # Pinned to this aggregator but never enrolled with it (the enrolment was lost): 403 unknown_key.
        outbox.pin_aggregator(bundle.seal_enrolment_reply(aggregator_identity, hub.id, url), url, NOW,
                              hub_id=hub.id)
        row = outbox.enqueue(hub, "2026-11", 1, PAYLOAD, now=NOW)
        report = transport.deliver_due(NOW)
    stored = outbox.OutboxBundle.get_by_id(row.id)
    assert (stored.state, stored.last_status) == ("refused", 403) and "unknown_key" in stored.last_error
    assert report.refused == 1 and report.outcome == "refused"


def test_deliver_due__a_receipt_signed_by_another_key_leaves_the_row_pending(hub, aggregator, tmp_path):
    with serving(aggregator) as url:
        enrol_over_http(hub, url, issue_code(aggregator))
        # The hub pins an impostor's key for the same aggregator id: the real receipt no longer verifies.
        impostor = identity_in(tmp_path / "impostor", signing.AGGREGATOR)
        outbox.FederationState.update(aggregator_key=impostor.public_key).execute()
        row = outbox.enqueue(hub, "2026-11", 1, PAYLOAD, now=NOW)
        report = transport.deliver_due(NOW, rng=Top)
    stored = outbox.OutboxBundle.get_by_id(row.id)
    assert (stored.state, stored.tries, stored.next_try_at) == ("pending", 1, NOW + timedelta(minutes=1))
    assert "receipt was not accepted" in stored.last_error
    assert (report.delivered, report.failed, report.outcome) == (0, 1, "bad_receipt")
    assert outbox.last_delivery() is None
