"""The coordinator's sharing pages: enrolment, delivery state, the months in words, the exact bytes and the
village report; nobody else may open them."""

import re
from datetime import date, datetime

import pytest

from federation import bundle, outbox
from hub import clock
from hub.db import database
from tests.conftest import csrf_token
from tests.loopback import closed_port_url, serving
from tests.pages import without_optional_scripts
from tests.test_publish import hold_sessions


@pytest.fixture(autouse=True)
def hub_clock(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2026, 12, 2))
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 2, 9, 0))


@pytest.fixture
def coordinator(app, login_as):
    with app.app_context(), database.connection_context():
        hold_sessions(12)
    return login_as("coordinator")


@pytest.fixture
def aggregator(tmp_path):
    from federation.aggregator.app import create_app

    return create_app({"DATA_DIR": str(tmp_path / "aggregator"), "TESTING": True})


def issue_code(aggregator):
    from federation.aggregator import enrol

    with aggregator.app_context():
        return enrol.issue_code("Rampur")


def state(app):
    with app.app_context(), database.connection_context():
        return outbox.state()


def build(client):
    response = client.post("/sharing/build", data={"csrf_token": csrf_token(client, "/sharing")})
    assert response.status_code == 302
    return response


@pytest.mark.parametrize("role", ["case_worker", "facilitator", "member"])
@pytest.mark.parametrize("path", ["/sharing", "/sharing/report/2026-11", "/sharing/bundle/2026-11.json"])
def test_sharing__only_the_coordinator(app, login_as, role, path):
    assert login_as(role).get(path).status_code == 403
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_sharing__linked_from_the_coordinators_menu_only(app, coordinator, login_as):
    assert 'href="/sharing"' in coordinator.get("/").get_data(as_text=True)
    assert 'href="/sharing"' not in login_as("case_worker").get("/").get_data(as_text=True)


def test_sharing__not_enrolled_shows_the_form(coordinator):
    page = coordinator.get("/sharing").get_data(as_text=True)
    assert "not enrolled with a district aggregator yet" in page
    assert 'name="aggregator_url"' in page and 'name="code"' in page and 'name="csrf_token"' in page
    assert "No month has been built yet." in page


def test_enrol__without_csrf_is_refused(app, coordinator):
    response = coordinator.post("/sharing/enrol", data={"aggregator_url": "http://127.0.0.1:1", "code": "x"})
    assert response.status_code == 400
    assert not state(app).enrolled


def test_enrol__unreachable_is_said_beside_the_address_and_kept(app, coordinator):
    url = closed_port_url()
    response = coordinator.post("/sharing/enrol", data={"aggregator_url": url, "code": "abc",
                                                        "csrf_token": csrf_token(coordinator, "/sharing")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "could not be reached at this address" in page and f'value="{url}"' in page
    assert not state(app).enrolled


def test_enrol__a_bad_address_is_refused_before_anything_is_sent(app, coordinator):
    response = coordinator.post("/sharing/enrol", data={"aggregator_url": "district office", "code": "abc",
                                                        "csrf_token": csrf_token(coordinator, "/sharing")})
    assert response.status_code == 400 and "starting with http://" in response.get_data(as_text=True)


def test_enrol__a_refused_code_is_said_beside_the_code(app, coordinator, aggregator):
    with serving(aggregator) as url:
        response = coordinator.post("/sharing/enrol", data={
            "aggregator_url": url, "code": "wrong", "csrf_token": csrf_token(coordinator, "/sharing")})
    assert response.status_code == 400 and "refused this code" in response.get_data(as_text=True)
    assert not state(app).enrolled


def test_enrol_build_send__the_whole_page_flow(app, coordinator, aggregator):
    district = aggregator.extensions["aggregator_identity"]
    with serving(aggregator) as url:
        response = coordinator.post("/sharing/enrol", data={
            "aggregator_url": url, "code": issue_code(aggregator), "csrf_token": csrf_token(coordinator, "/sharing")})
        assert response.status_code == 302
        page = coordinator.get("/sharing").get_data(as_text=True)
        assert url in page and district.key_id in page and 'name="code"' not in page
        build(coordinator)
        page = coordinator.get("/sharing").get_data(as_text=True)
        assert "2026-11 revision 1" in page and "waiting to be sent" in page
        sent = coordinator.post("/sharing/send", data={"csrf_token": csrf_token(coordinator, "/sharing")},
                                follow_redirects=True)
        page = sent.get_data(as_text=True)
        assert "1 summary delivered." in page and "confirmed by the district" in page
    assert state(app).last_outcome == "ok"


def test_send__unreachable_says_so_in_plain_words(app, coordinator, tmp_path):
    from federation import signing

    district_dir = tmp_path / "district"
    district_dir.mkdir()
    district = signing.load_or_create(district_dir, signing.AGGREGATOR)
    with app.app_context(), database.connection_context():
        hub = signing.load_or_create(app.config["DATA_DIR"], signing.HUB)
        url = closed_port_url()
        outbox.pin_aggregator(bundle.seal_enrolment_reply(district, hub.id, url), url, hub_id=hub.id)
    build(coordinator)
    page = coordinator.post("/sharing/send", data={"csrf_token": csrf_token(coordinator, "/sharing")},
                            follow_redirects=True).get_data(as_text=True)
    assert "could not be reached (no connection, or it is switched off)" in page
    assert "Not reached yet (1 tries)" in page


def test_send__without_csrf_is_refused(coordinator):
    assert coordinator.post("/sharing/send").status_code == 400


def test_month__content_in_words_and_the_exact_bytes(app, coordinator):
    build(coordinator)
    with app.app_context(), database.connection_context():
        row = outbox.latest("2026-11")
        stored = bytes(row.content)
        from hub.sharing import describe

        sections = describe.describe(row.payload)
    page = coordinator.get("/sharing").get_data(as_text=True)
    for section in sections:
        assert str(section.title) in page
    raw = coordinator.get("/sharing/bundle/2026-11.json")
    assert raw.status_code == 200 and raw.data == stored and raw.mimetype == "application/json"
    assert coordinator.get("/sharing/bundle/2026-10.json").status_code == 404
    assert coordinator.get("/sharing/bundle/nonsense.json").status_code == 404


def test_report__the_protected_payload_as_a_printable_page(app, coordinator):
    build(coordinator)
    with app.app_context(), database.connection_context():
        payload = outbox.latest("2026-11").payload
        from hub.sharing import describe

        sections = describe.describe(payload)
    response = coordinator.get("/sharing/report/2026-11")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Rampur" in page and "2026-11" in page and "Murshidabad" in page  # in Hindi: the village's language
    assert "village-report" in page and not re.search(r"Child \d", page)  # counts only, never a name
    # The report in the village's first language (hi, en); the page around it in the coordinator's.
    assert 'class="card village-report" lang="hi"' in page and "ज़िला: Murshidabad" in page
    assert '<html lang="en">' in page and "Sign out" in page and "साइन आउट" not in page
    english = coordinator.get("/sharing/report/2026-11?lang=en").get_data(as_text=True)
    assert 'class="card village-report" lang="en"' in english
    assert "Rampur: monthly report, 2026-11" in english and "District: Murshidabad" in english
    for section in sections:  # described outside a request: in English
        assert str(section.title) in english
        for row in section.rows:
            assert str(row.label) in english and str(row.value) in english
    assert "fewer than 5" in english  # the case-family cells of 0 to 4
    assert coordinator.get("/sharing/report/2026-10").status_code == 404


def test_transfer__a_typed_address_is_tried_and_what_failed_is_said(app, coordinator, aggregator):
    # Enrolled with the real aggregator; discovery found nothing, so the coordinator types the laptop's
    # address on the transfer page: the page says what was tried and what failed.
    with serving(aggregator) as url:
        coordinator.post("/sharing/enrol", data={"aggregator_url": url, "code": issue_code(aggregator),
                                                 "csrf_token": csrf_token(coordinator, "/sharing")})
    build(coordinator)
    page = coordinator.get("/sharing/transfer").get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 1 and 'name="url"' in page
    assert "<script" not in without_optional_scripts(page)  # no JS needed
    unreachable = closed_port_url()
    page = coordinator.post("/sharing/transfer/send", data={"url": unreachable,
                                                   "csrf_token": csrf_token(coordinator, "/sharing/transfer")},
                            follow_redirects=True).get_data(as_text=True)
    assert f"Tried {unreachable}: could not be reached" in page
    bad = coordinator.post("/sharing/transfer/send", data={"url": "laptop", "csrf_token": csrf_token(coordinator,
                                                                                          "/sharing/transfer")})
    assert bad.status_code == 400 and "starting with http://" in bad.get_data(as_text=True)
    assert coordinator.post("/sharing/transfer/send", data={"url": unreachable}).status_code == 400  # no CSRF token
    with app.app_context(), database.connection_context():
        assert [row.state for row in outbox.OutboxBundle.select()] == ["pending"]


def test_build__a_clock_decades_ahead_says_so_and_releases_nothing(app, coordinator, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2057, 3, 2))
    monkeypatch.setattr(clock, "now", lambda: datetime(2057, 3, 2, 9, 0))
    page = build(coordinator)
    page = coordinator.get("/sharing").get_data(as_text=True)
    assert "cannot be right" in page and "Nothing was released" in page
    with app.app_context(), database.connection_context():
        assert outbox.OutboxBundle.select().count() == 0
