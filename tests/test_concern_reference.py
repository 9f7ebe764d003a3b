"""A reporter's reference: given once after a report (with or without an account), kept only hashed, and
enough on the concern page to see that report's status, never its details; guessing is throttled."""

import hashlib
import re

import pytest

from hub.cases.concern_views import LOOKUP_LIMIT
from hub.cases.concerns import ReportLimit, reference_hash
from hub.cases.models import Case
from tests.conftest import csrf_token
from tests.test_concerns import FORM, VISITOR, report

REFERENCE = re.compile(r"Your reference: <strong>([0-9A-Z]{4}-[0-9A-Z]{4})</strong>")


def reported(client, **overrides):
    """Report as a visitor; -> the reference shown on the confirmation page."""
    response = report(client, environ_base=VISITOR, **overrides)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return REFERENCE.search(page).group(1)


def look_up(client, reference, environ_base=VISITOR):
    return client.post("/concerns/status", data={"reference": reference, "csrf_token": csrf_token(client, FORM)},
                       environ_base=environ_base)


@pytest.fixture
def lookups(app):
    now = [1000.0]
    app.extensions[LOOKUP_LIMIT] = ReportLimit(limit=10, now=lambda: now[0])
    return now


def test_reference__shown_once_kept_only_as_its_hash(app, client):
    reference = reported(client, what_happened="She works at the kiln all day: SECRET-DETAIL")
    (case,) = Case.select()
    symbols = reference.replace("-", "")
    assert case.reference_hash == hashlib.sha256(symbols.encode()).hexdigest()
    assert symbols not in repr(list(Case.select().tuples()))
    # Shown once: the confirmation page is gone after it was read (the reference is never in a URL).
    assert "Your reference" not in client.get("/concerns/new?sent=1").get_data(as_text=True)


def test_status__anyone_with_the_reference_sees_the_status_and_never_the_details(app, client, login_as):
    reference = reported(client, what_happened="She works at the kiln all day: SECRET-DETAIL")
    case = Case.get()
    case.status = Case.REFERRED
    case.save()
    stranger = app.test_client()  # another phone, no account
    response = look_up(stranger, reference.lower().replace("-", " ").replace("0", "o"))  # as it may be typed
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Child labour" in page and "Referred" in page
    assert "SECRET-DETAIL" not in page and "Brick kiln" not in page and "Rani" not in page
    assert response.headers["Cache-Control"] == "no-store"


def test_status__the_concern_page_offers_the_lookup(client):
    page = client.get(FORM).get_data(as_text=True)
    assert 'action="/concerns/status"' in page and 'name="reference"' in page


def test_status__a_wrong_reference_says_so_and_guessing_is_throttled(app, client, lookups):
    reference = reported(client)
    wrong = "ZZZZ-ZZZZ" if reference != "ZZZZ-ZZZZ" else "YYYY-YYYY"
    first = look_up(client, wrong)
    assert first.status_code == 404 and "No report has this reference" in first.get_data(as_text=True)
    for _ in range(9):
        assert look_up(client, wrong).status_code == 404
    blocked = look_up(client, reference)  # even the right one waits: the address has guessed too often
    assert blocked.status_code == 429 and "Too many wrong references" in blocked.get_data(as_text=True)
    assert "Child labour" not in blocked.get_data(as_text=True)
    assert look_up(client, reference, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200
    lookups[0] += 3600
    assert look_up(client, reference).status_code == 200


def test_status__right_references_do_not_use_up_the_limit(client, lookups):
    reference = reported(client)
    for _ in range(15):
        assert look_up(client, reference).status_code == 200


@pytest.mark.parametrize("typed", ["", "K7QM", "K7QM-4XTR-9", "K7QM-4XTU", "<script>"])
def test_reference_hash__what_cannot_be_a_reference(typed):
    assert reference_hash(typed) is None
