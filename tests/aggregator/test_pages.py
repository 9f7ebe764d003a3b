"""The district's pages, as a signed-in admin sees them: sign-in, overview, indicators, a hub, codes, exports.

Real aggregator app and database (SQLite and PostgreSQL, conftest), real hub keys; summaries go in
through `ingest.ingest()`, as the API and USB import put them.
"""

import csv
import io
import json
import re
from datetime import datetime

import pytest

from federation import schema
from federation.aggregator import auth, ingest
from federation.aggregator.figures import KEY_FIGURES
from federation.aggregator.models import Admin, EnrolmentCode, Hub, MonthlySummary
from tests.aggregator.conftest import PASSWORD, csrf_of, seal, sign_in

NOW = datetime(2026, 12, 6, 9, 0)


# --- payloads valid under the summary contract (schema version 1) ---------------------------------------

def table(name, total=..., **cells):
    """A table of the payload: every cell of its vocabulary (0, or "<5" in the case family) unless given."""
    meta = schema.TABLES[name]
    empty = "<5" if meta["case_family"] else 0
    part = {"cells": {cell: cells.get(cell.replace(".", "_").replace("-", "_").replace("+", "plus"), empty)
                      for cell in meta["cells"]}}
    if meta["total"]:
        part["total"] = 0 if total is ... else total
    return part


def payload(**tables):
    return {"tables": tables, "values": {
        "median_days_to_referral": {"value": None, "reason": "fewer_than_10_cases"},
        "savings_total_saved": {"value": 12000, "reason": ""},
        "savings_loans_outstanding": {"value": None, "reason": "fewer_than_5_members"}}}


def receive(identity, period, data, sequence, when=NOW, revision=1):
    """Ingest one sealed bundle as the API would, at `when` on the aggregator's clock."""
    return ingest.ingest(seal(identity, sequence=sequence, period=period, revision=revision, payload=data),
                         now=when)


def test_pages__anonymous_requests_go_to_login(api, district):
    for path in ("/", "/indicators?period=2026-10", "/enrol-codes", "/exports/summaries.csv", "/hubs/x"):
        reply = api.get(path)
        assert reply.status_code == 302, path
        assert reply.headers["Location"].startswith("/login?next=")
    assert api.get("/healthz").status_code == 200
    assert api.get("/api/v1/openapi.json").status_code == 200
    assert api.post("/enrol-codes", data={"hub_name": "Rampur"}).status_code in (302, 400)
    assert EnrolmentCode.select().count() == 0


def test_login__signs_in_with_no_permanent_cookie_and_no_store(api, admin):
    reply = sign_in(api)
    assert reply.status_code == 302 and reply.headers["Location"] == "/"
    cookie = reply.headers["Set-Cookie"]
    assert "aggregator_session=" in cookie and "Expires" not in cookie and "Max-Age" not in cookie
    assert "HttpOnly" in cookie
    page = api.get("/")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert b"Signed in as District Officer" in page.data


def test_login__goes_back_to_the_page_asked_for(api, admin):
    token = csrf_of(api.get("/login?next=/enrol-codes").data)
    reply = api.post("/login", data={"username": "district", "password": PASSWORD, "csrf_token": token,
                                     "next": "/enrol-codes"})
    assert reply.headers["Location"] == "/enrol-codes"


def test_login__refuses_a_wrong_password_and_a_post_without_csrf(api, admin):
    reply = sign_in(api, password="not the password")
    assert reply.status_code == 401
    assert b"do not match an active admin" in reply.data
    refused = api.post("/login", data={"username": "district", "password": PASSWORD})
    assert refused.status_code == 400  # no CSRF token
    assert api.get("/").status_code == 302


def test_login__throttles_after_five_failures(api, admin):
    for _ in range(5):
        assert sign_in(api, password="wrong password").status_code == 401
    locked = sign_in(api)  # even the right password, while locked
    assert locked.status_code == 429
    assert b"Too many failed attempts" in locked.data
    assert api.get("/").status_code == 302


def test_session__ends_after_idle_time_on_the_server_clock(aggregator_app, admin):
    clock = {"now": 1000.0}
    aggregator_app.extensions["aggregator_sessions"] = auth.SessionStore(60, now=lambda: clock["now"])
    client = aggregator_app.test_client()
    assert sign_in(client).status_code == 302
    assert client.get("/").status_code == 200
    clock["now"] += 61
    reply = client.get("/")
    assert reply.status_code == 302 and reply.headers["Location"].startswith("/login")


def test_logout__needs_a_post_with_csrf(officer):
    assert officer.get("/logout").status_code == 405
    assert officer.post("/logout").status_code == 400  # no CSRF token: still signed in
    assert officer.get("/").status_code == 200
    token = csrf_of(officer.get("/").data)
    assert officer.post("/logout", data={"csrf_token": token}).headers["Location"] == "/login"
    assert officer.get("/").status_code == 302


def test_admin_add__cli_reads_the_password_from_standard_input(aggregator_app, aggregator_dir, database_url,
                                                              monkeypatch):
    from click.testing import CliRunner

    from federation.aggregator.cli import aggregator

    monkeypatch.setenv("COMMUNITYHUB_DATA_DIR", str(aggregator_dir))
    if database_url:
        monkeypatch.setenv("COMMUNITYHUB_DATABASE_URL", database_url)
    runner = CliRunner()
    result = runner.invoke(aggregator, ["admin", "add", "Officer", "--name", "Asha"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Added the district admin 'officer'" in result.output
    short = runner.invoke(aggregator, ["admin", "add", "other"], input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    again = runner.invoke(aggregator, ["admin", "add", "officer"], input=PASSWORD + "\n")
    assert again.exit_code == 1 and "already taken" in again.output
    with aggregator_app.app_context():
        from federation.aggregator import db

        with db.database.connection_context():
            admin = Admin.get(Admin.username == "officer")
            assert admin.display_name == "Asha" and admin.password_hash.startswith("scrypt:")
            assert auth.authenticate("officer", PASSWORD) == admin


def test_admin_password__hashed_with_the_production_scrypt_parameters(monkeypatch):
    from werkzeug.security import generate_password_hash

    production = generate_password_hash("x", auth.HASH_METHOD).split("$")[0]
    assert auth.hash_password(PASSWORD).split("$")[0] != production  # the suite's cheap setting...
    monkeypatch.delenv(auth.TEST_HASH_METHOD_ENV)  # ...which a real aggregator never has
    assert auth.hash_password(PASSWORD).split("$")[0] == production


# --- the overview -------------------------------------------------------------------------------------

def enrolled_at(hub_identity, when):
    Hub.update(enrolled_at=when).where(Hub.id == hub_identity.id).execute()


def test_villages__mark_a_silent_village_and_count_the_months_received(officer, enrolled, monkeypatch):
    from federation.aggregator.web import dashboard, reports

    monkeypatch.setattr(reports, "utcnow", lambda: NOW)
    monkeypatch.setattr(dashboard, "utcnow", lambda: NOW)
    rampur, sonpur = enrolled("Rampur"), enrolled("Sonpur")
    enrolled_at(rampur, datetime(2026, 8, 20))  # expected: 2026-08 .. 2026-11 = 4 months
    enrolled_at(sonpur, datetime(2026, 9, 2))   # expected: 2026-09 .. 2026-11 = 3 months
    data = payload(sessions_held=table("sessions_held", total=5, life_skills=5))
    receive(rampur, "2026-08", data, 1, when=datetime(2026, 9, 10))   # on time
    receive(rampur, "2026-09", data, 2, when=datetime(2026, 10, 20))  # late
    receive(rampur, "2026-10", data, 3, when=datetime(2026, 11, 14))  # on time
    receive(sonpur, "2026-09", data, 1, when=datetime(2026, 10, 1))   # on time, then silence

    page = officer.get("/villages?period=2026-10&sort=silent").data.decode()
    assert "silent for 66 days" in page  # 2026-10-01 to 2026-12-06
    assert re.search(r'<tr class="silent">\s*<td><a href="/hubs/' + sonpur.id, page)  # silent longest first
    assert "3 of 4 months" in page and "1 of 3 months" in page
    dashboard_page = officer.get("/?period=2026-10").data.decode()
    assert "50% of villages reported" in dashboard_page
    assert "1 of 2; 1 on time, by the 15th of the next month" in dashboard_page
    september = officer.get("/?period=2026-09").data.decode()
    assert "100% of villages reported" in september and "2 of 2; 1 on time" in september


def test_villages__a_village_that_never_reported_is_silent_since_enrolment_and_revoked_ones_are_not_expected(
        officer, enrolled, monkeypatch):
    from federation.aggregator import enrol
    from federation.aggregator.web import dashboard, reports

    monkeypatch.setattr(reports, "utcnow", lambda: NOW)
    monkeypatch.setattr(dashboard, "utcnow", lambda: NOW)
    quiet, gone = enrolled("Quiet"), enrolled("Gone")
    enrolled_at(quiet, datetime(2026, 9, 1))
    enrolled_at(gone, datetime(2026, 9, 1))
    enrol.revoke(gone.id)
    page = officer.get("/villages").data.decode()
    assert "silent for 96 days" in page and "0 of 3 months" in page and "key revoked" in page
    assert "0% of villages reported" in officer.get("/").data.decode()  # 0 of the 1 active village
    follow_up = officer.get("/quality").data.decode()
    assert ">Quiet</strong>" in follow_up and "3 months missing" in follow_up
    assert ">Gone</strong>" not in follow_up


def test_dashboard__with_no_hub_says_how_to_start(officer, district):
    page = officer.get("/").data.decode()
    assert "No village was expected to report for this month." in page and 'href="/enrol-codes"' in page


# --- the indicators page ------------------------------------------------------------------------------

@pytest.fixture
def two_hubs(enrolled):
    """Two hubs' summaries of 2026-10: one with its totals published, one with totals withheld."""
    rampur, sonpur = enrolled("Rampur"), enrolled("Sonpur")
    receive(rampur, "2026-10", payload(
        sessions_held=table("sessions_held", total=10, life_skills=10),
        concerns_opened_by_category=table("concerns_opened_by_category", total=5),
        volunteers=table("volunteers", active=5)), 1)
    receive(sonpur, "2026-10", payload(
        sessions_held=table("sessions_held", total=None, life_skills="<5", parent_meeting=5),
        concerns_opened_by_category=table("concerns_opened_by_category", total=None),
        volunteers=table("volunteers", active="<5")), 1)
    receive(sonpur, "2026-09", payload(sessions_held=table("sessions_held", total=20, life_skills=20)), 2)
    return rampur, sonpur


def test_indicators__district_totals_are_bounds_and_cells_show_as_published(officer, two_hubs):
    page = officer.get("/indicators?period=2026-10")
    assert page.status_code == 200
    text = page.data.decode()
    # sessions held: Rampur 10 (6..14, cells agree), Sonpur withheld: "<5" (1..4) + 5 (5..9) = 6..13
    assert "District total: between 12 and 27" in text
    assert "between 7 and 18" in text      # life skills: 6..14 + 1..4
    assert "between 5 and 9" in text       # parent meetings: 0 + 5
    # concerns: Rampur total 5 (5..9) within its cells 0..44; Sonpur 11 cells of "<5": 0..44
    assert "District total: between 5 and 53" in text
    assert "(1 hubs withheld their total; their cells were added instead.)" in text
    assert 'href="/villages?figure=sessions_held:total&amp;period=2026-10">Each village' in text
    assert "Summaries of 2026-10 received from 2 of 2 hubs." in text
    # an SVG chart per indicator, accessible, with its numbers in a table
    assert text.count("<svg") == sum(meta["total"] for meta in schema.TABLES.values())  # a chart per total
    assert '<title id="sessions_held-total-title">' in text
    assert "<script" not in text


def test_indicators__link_each_key_table_to_the_village_table(officer, two_hubs):
    text = officer.get("/indicators?period=2026-10").data.decode()
    assert 'href="/villages?figure=sessions_held:total&amp;period=2026-10"' in text
    village_table = officer.get("/villages?figure=sessions_held:total&period=2026-10").data.decode()
    sonpur = village_table[village_table.index(">Sonpur</a>"):]
    sonpur = sonpur[:sonpur.index("</tr>")]
    assert "withheld" in sonpur and "between 6 and 13" in sonpur


def test_indicators__chart_covers_twelve_months(officer, two_hubs):
    text = officer.get("/indicators?period=2026-10").data.decode()
    chart = text[text.index('id="sessions_held"'):text.index('id="life_skills_topics"')
                 if 'id="life_skills_topics"' in text else None]
    assert "<td>2025-11</td><td>no data</td>" in chart
    assert "<td>2026-09</td><td>between 16 and 24</td>" in chart
    assert "<td>2026-10</td><td>between 12 and 27</td>" in chart


def test_indicators__a_bad_period_is_refused(officer, district):
    assert officer.get("/indicators?period=2026-13").status_code == 400
    assert officer.get("/indicators?period=tomorrow").status_code == 400
    assert officer.get("/indicators").status_code == 200


def test_indicators__a_new_revision_changes_the_figures(officer, two_hubs):
    rampur, _ = two_hubs
    assert "between 12 and 27" in officer.get("/indicators?period=2026-10").data.decode()
    receive(rampur, "2026-10", payload(sessions_held=table("sessions_held", total=20, life_skills=20)), 9,
            revision=2)
    text = officer.get("/indicators?period=2026-10").data.decode()
    assert "District total: between 22 and 37" in text  # 16..24 + 6..13


# --- one hub ------------------------------------------------------------------------------------------

def test_hub__shows_its_months_and_trend_charts(officer, two_hubs):
    _, sonpur = two_hubs
    reply = officer.get(f"/hubs/{sonpur.id}")
    assert reply.status_code == 200
    text = reply.data.decode()
    assert "<h1>Sonpur</h1>" in text
    assert text.count("<svg") == len(KEY_FIGURES)  # one small chart per key figure
    assert "<title>2026-10: between 6 and 13</title>" in text  # sessions held: withheld total, cells 6..13
    assert "<title>2026-09: between 16 and 24</title>" in text
    named = re.findall(r'class="chart-axis" text-anchor="middle">([^<]+)</text>', text)
    assert named and set(named) <= {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                    "Dec"}  # months as words under the bars, every third of 24
    assert officer.get("/hubs/unknown").status_code == 404


def test_hub__revoke_needs_csrf_and_then_refuses_its_bundles(officer, two_hubs):
    rampur, _ = two_hubs
    assert officer.post(f"/hubs/{rampur.id}/revoke").status_code == 400
    assert Hub.get_by_id(rampur.id).revoked_at is None
    token = csrf_of(officer.get(f"/hubs/{rampur.id}").data)
    reply = officer.post(f"/hubs/{rampur.id}/revoke", data={"csrf_token": token}, follow_redirects=True)
    assert b"is revoked" in reply.data
    assert Hub.get_by_id(rampur.id).revoked_at is not None
    from federation.errors import RevokedKey

    with pytest.raises(RevokedKey):
        receive(rampur, "2026-11", payload(), 20)
    assert b"key revoked" in officer.get("/villages").data


# --- enrolment codes ----------------------------------------------------------------------------------

def test_enrol_codes__issues_a_code_once_with_a_qr_code(officer, district):
    token = csrf_of(officer.get("/enrol-codes").data)
    reply = officer.post("/enrol-codes", data={"hub_name": "Rampur", "csrf_token": token})
    assert reply.status_code == 200
    text = reply.data.decode()
    code = re.search(r"<code>([A-Z2-7]{4}(?:-[A-Z2-7]{4}){7})</code>", text).group(1)
    assert '<svg role="img" aria-label="QR code of the enrolment code"' in text
    key_id = district.extensions["aggregator_identity"].key_id
    assert key_id in text and "http://127.0.0.1:8090" in text
    stored = EnrolmentCode.get()
    assert stored.hub_name == "Rampur" and code not in stored.code_hash
    from federation.aggregator.enrol import hash_code

    assert stored.code_hash == hash_code(code)
    listing = officer.get("/enrol-codes").data.decode()
    assert "Rampur: made" in listing and code not in listing  # shown once only


def test_enrol_codes__qr_code_holds_the_address_key_and_code():
    from federation.aggregator.web.views import qr_text

    assert qr_text("http://d:8090", "abcd1234abcd1234", "AAAA-BBBB") == (
        "Community Hub enrolment\nAggregator: http://d:8090\nKey: abcd1234abcd1234\nCode: AAAA-BBBB")


def test_enrol_codes__refuses_an_empty_name_and_a_missing_token(officer, district):
    token = csrf_of(officer.get("/enrol-codes").data)
    assert officer.post("/enrol-codes", data={"hub_name": "  ", "csrf_token": token}).status_code == 422
    assert officer.post("/enrol-codes", data={"hub_name": "Rampur"}).status_code == 400
    assert EnrolmentCode.select().count() == 0


# --- exports ------------------------------------------------------------------------------------------

def test_exports__csv_has_one_row_per_published_value(officer, two_hubs):
    rampur, sonpur = two_hubs
    reply = officer.get("/exports/summaries.csv?period=2026-10")
    assert reply.status_code == 200
    assert reply.headers["Content-Disposition"] == 'attachment; filename="summaries-2026-10.csv"'
    assert reply.mimetype == "text/csv"
    lines = reply.data.decode("utf-8").split("\r\n")
    assert lines[0] == "hub_id,hub_name,period,table,cell,published,lower,upper,reason"  # no revision, no on time
    assert f"{sonpur.id},Sonpur,2026-10,sessions_held,life_skills,<5,1,4," in lines
    assert f"{sonpur.id},Sonpur,2026-10,sessions_held,total,,,,withheld" in lines
    assert f"{rampur.id},Rampur,2026-10,sessions_held,total,10,6,14," in lines
    assert f"{rampur.id},Rampur,2026-10,concerns_opened_by_category,neglect,<5,0,4," in lines
    assert f"{rampur.id},Rampur,2026-10,values,savings_total_saved,12000,11500,12500," in lines
    assert (f"{rampur.id},Rampur,2026-10,values,median_days_to_referral,,,,fewer_than_10_cases"
            in lines)
    rows = list(csv.DictReader(io.StringIO(reply.data.decode("utf-8"))))
    assert {row["period"] for row in rows} == {"2026-10"}
    assert len([row for row in rows if row["hub_name"] == "Rampur" and row["table"] == "sessions_held"]) == 9


def test_exports__json_keeps_published_values_as_published(officer, two_hubs):
    reply = officer.get("/exports/summaries.json")
    assert reply.headers["Content-Disposition"] == 'attachment; filename="summaries-all.json"'
    body = json.loads(reply.data)
    assert {row["period"] for row in body["rows"]} == {"2026-09", "2026-10"}
    life_skills = {(row["hub_name"], row["period"]): row["published"] for row in body["rows"]
                   if row["table"] == "sessions_held" and row["cell"] == "life_skills"}
    assert life_skills == {("Rampur", "2026-10"): 10, ("Sonpur", "2026-10"): "<5", ("Sonpur", "2026-09"): 20}


def test_exports__a_hub_name_is_never_a_spreadsheet_formula(officer, enrolled):
    hub = enrolled("=HYPERLINK(1)")
    receive(hub, "2026-10", payload(volunteers=table("volunteers", active=5)), 1)
    text = officer.get("/exports/summaries.csv").data.decode()
    assert ",'=HYPERLINK(1)," in text


def test_exports__need_an_admin(api, two_hubs):
    assert api.get("/exports/summaries.json").status_code == 302
    assert api.get("/exports/summaries.csv?period=2026-10").status_code == 302


def test_summaries_are_stored_by_ingest(district, two_hubs):
    assert MonthlySummary.select().count() == 3
    assert {row.period for row in MonthlySummary.select()} == {"2026-09", "2026-10"}
