"""Referrals: a case sent to a service of the directory. The form and what it saves, the case moving to
"referred" through its machine, days from report, the basis for sharing a child's details (consent,
immediate danger, the coordinator's audited override), bad input that saves nothing, the referral's steps
(every pair), two phones, need to know for every role, every opening audited, the slip, untrusted text."""

import html
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from hub.audit.models import AuditEvent
from hub.cases.models import Case, CaseAction, Referral
from hub.cases.referrals import services_for, update_referral
from hub.cases.service import CaseError, StaleRecord
from hub.cases.transitions import REFERRAL_STEPS
from hub.services.models import Service, ServiceCategory
from tests.conftest import csrf_token
from tests.factories import account, make_person
from tests.markup import executable_markup
from tests.pages import field_errors

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 30)
REPORTED_AT = datetime(2026, 11, 10, 8, 15)
PAYLOADS = [line for line in (Path(__file__).parent / "data" / "xss.txt").read_text().splitlines() if line]
STEPS = Referral.STATUSES
# The referral's steps as the issue describes them, written out again to check hub.cases.transitions.
EXPECTED_STEPS = {
    "sent": {"acknowledged", "service_given", "closed", "withdrawn"},
    "acknowledged": {"service_given", "closed", "withdrawn"},
    "service_given": {"closed"},
    "closed": set(),
    "withdrawn": set(),
}
ROLES = (None, "coordinator", "case_worker", "facilitator", "member")
REFERRAL_AUDITS = ("referral.created", "referral.override", "referral.updated", "referral.slip_printed")


pytestmark = pytest.mark.usefixtures("fixed_clock")  # hub.clock pinned to TODAY and NOW




def make_case(**overrides):
    """An assessed case of child labour reported on 2026-11-10, no consent recorded (rows written directly)."""
    values = {"category": "child_labour", "child_description": "Girl, about 12", "place": "Brick kiln by the river",
              "what_happened": "Works there all day, beaten by the owner", "reported_at": REPORTED_AT,
              "status": "assessed", "risk": "medium", "assigned_to": account("case_worker")}
    values.update(overrides)
    return Case.create(**values)


def make_service(name="Childline Murshidabad", kind="child_helpline", categories=("child_labour",), **overrides):
    """A service of the directory handling these categories (rows written directly)."""
    service = Service.create(name=name, kind=kind, **{"phone": "1098", "address": "Hospital road, Berhampore",
                                                        **overrides})
    for category in categories:
        ServiceCategory.create(service=service, category=category)
    return service


def make_referral(case, service, **overrides):
    values = {"referred_on": date(2026, 11, 12), "reason": "Needs rescue from the kiln",
              "information_shared": "Works at the kiln by the river", "status": "sent", "days_from_report": 2,
              "created_by": account("case_worker")}
    values.update(overrides)
    return Referral.create(case=case, service=service, **values)


def post(client, path, **data):
    """POST data with the client's CSRF token (any page of the hub carries it)."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/concerns/new")})


def refer(client, case, to, **overrides):
    """POST the referral form: to a service, on 2026-11-12, sharing no child's details, changed by overrides
    (a value of None leaves the field out, as an unticked box is)."""
    data = {"service": str(to.id) if to else "", "referred_on": "2026-11-12",
            "reason": "Needs rescue from the kiln", "information_shared": "Works at the kiln by the river"}
    data.update(overrides)
    return post(client, f"/cases/{case.id}/referrals/new",
                **{name: value for name, value in data.items() if value is not None})


def update(client, referral, **overrides):
    """POST the referral's form with its current values, changed by overrides."""
    data = {"status": referral.status, "outcome": referral.outcome, "version": str(referral.version)}
    data.update(overrides)
    return post(client, f"/referrals/{referral.id}", **data)


def banners(page):
    """The error banners above a form."""
    return [html.unescape(found) for found in re.findall(r'class="banner banner-error" role="alert">(.*?)</p>', page)]


def text(response):
    """The page as a person reads it: entities decoded, Babel's narrow spaces (in times) as plain ones."""
    return html.unescape(response.get_data(as_text=True)).replace("\u202f", " ")


def events(action):
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


def facts(page):
    """{term: what it says} of the page's fact list, tags stripped, spaces collapsed."""
    pairs = re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", page, re.DOTALL)
    return {html.unescape(term): " ".join(html.unescape(re.sub(r"<[^>]+>", " ", value)).split())
            for term, value in pairs}


def assert_nothing_saved(case):
    """No referral, no entry in the case's log, no referral audit entry, the case as it was."""
    assert not Referral.select().exists()
    assert not CaseAction.select().where(CaseAction.case == case).exists()
    assert not AuditEvent.select().where(AuditEvent.action.in_(REFERRAL_AUDITS)).exists()
    saved = Case.get_by_id(case.id)
    assert (saved.status, saved.version, saved.updated_by_id) == (case.status, case.version, None)


# The form.

def test_form__offers_the_services_handling_the_category_first_and_no_archived_one(login_as):
    case = make_case()
    make_service("Police station Jalangi", "police", categories=("trafficking",), phone="100")
    make_service()
    make_service("Old shelter", "ngo", archived=True)
    page = login_as("case_worker").get(f"/cases/{case.id}/referrals/new").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="service"[^>]*>(.*?)</select>', page, re.DOTALL).group(1)
    groups = [(label, re.findall(r'<option[^>]*>(.*?)</option>', options))
              for label, options in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, re.DOTALL)]
    assert groups == [("Handle this kind of concern", ["Childline Murshidabad · 1098"]),
                      ("Other services", ["Police station Jalangi · 100"])]
    assert "Old shelter" not in page
    assert 'name="referred_on" required type="date" value="2026-11-22"' in page  # today by default
    assert "No consent is recorded: share the child's details only after recording consent" in html.unescape(page)
    assert 'name="override"' not in page and 'name="override_reason"' not in page  # a case worker's form
    coordinator = login_as("coordinator").get(f"/cases/{case.id}/referrals/new").get_data(as_text=True)
    assert 'name="override"' in coordinator and 'name="override_reason"' in coordinator


def test_form__says_which_basis_the_case_has(login_as):
    worker = login_as("case_worker")
    consented = make_case(consent_by="guardian", consent_on=date(2026, 11, 12))
    in_danger = make_case(risk="immediate")
    assert "Consent to share the child's details: given by The child's parent or guardian on Nov 12, 2026." in \
        text(worker.get(f"/cases/{consented.id}/referrals/new"))
    assert "No consent is recorded, but the child is in immediate danger" in \
        text(worker.get(f"/cases/{in_danger.id}/referrals/new"))


def test_form__an_empty_directory_is_explained(login_as):
    case = make_case()
    page = text(login_as("case_worker").get(f"/cases/{case.id}/referrals/new"))
    assert "There is no service in the directory yet." in page


def test_form__an_unknown_case_is_404(login_as):
    assert login_as("case_worker").get("/cases/999/referrals/new").status_code == 404
    assert refer(login_as("case_worker"), Case(id=999), make_service()).status_code == 404
    assert not Referral.select().exists()


def test_services_for__splits_the_active_directory_by_the_category(app):
    helpline = make_service()
    police = make_service("Police station Jalangi", "police", categories=("trafficking",))
    make_service("Old shelter", "ngo", archived=True)
    assert services_for("child_labour") == ([helpline], [police])
    assert services_for("trafficking") == ([police], [helpline])
    assert services_for("neglect") == ([], [helpline, police])  # by kind: child_helpline before police


# Referring.

def test_refer__saves_the_referral_and_the_case_becomes_referred(login_as):
    case = make_case()
    service = make_service()
    worker = login_as("case_worker")
    response = refer(worker, case, service)
    referral = Referral.get()
    assert response.status_code == 302 and response.headers["Location"] == f"/referrals/{referral.id}"
    assert (referral.case_id, referral.service_id, referral.referred_on, referral.reason,
            referral.information_shared, referral.shares_child_details, referral.basis, referral.override_reason,
            referral.status, referral.outcome, referral.days_from_report, referral.created_by_id,
            referral.version) == (
        case.id, service.id, date(2026, 11, 12), "Needs rescue from the kiln", "Works at the kiln by the river",
        False, "", "", "sent", "", 2, account("case_worker").id, 1)
    (logged,) = CaseAction.select().where(CaseAction.case == case)
    assert (logged.kind, logged.user_id, logged.done_at) == ("referral", account("case_worker").id, NOW)
    saved = Case.get_by_id(case.id)
    assert (saved.status, saved.version, saved.updated_by_id, saved.updated_at) == (
        "referred", 2, account("case_worker").id, NOW)
    (event,) = events("referral.created")
    assert (event.username, event.object_type, event.object_id, event.detail) == (
        "caseworker", "referral", str(referral.id), f"case {case.id}, child_helpline, no details")
    assert events("referral.override") == []
    page = text(worker.get(response.headers["Location"]))
    assert "Referred to Childline Murshidabad." in page
    shown = facts(page)
    assert (shown["Status"], shown["Service"], shown["Referred on"], shown["Days from report"], shown["Reason"],
            shown["Information shared"], shown["Child's details"]) == (
        "Sent", "Childline Murshidabad · 1098", "Nov 12, 2026", "2", "Needs rescue from the kiln",
        "Works at the kiln by the river", "Not shared · The child's details are not shared")
    case_page = text(worker.get(f"/cases/{case.id}"))
    assert f'href="/referrals/{referral.id}">Childline Murshidabad</a>' in case_page
    assert "Nov 12, 2026 · Sent" in case_page


@pytest.mark.parametrize("referred_on, days", [("2026-11-10", 0), ("2026-11-22", 12)])
def test_refer__days_from_report_to_referral_are_recorded(login_as, referred_on, days):
    case = make_case()
    assert refer(login_as("case_worker"), case, make_service(), referred_on=referred_on).status_code == 302
    assert Referral.get().days_from_report == days


@pytest.mark.parametrize("status, after", [("reported", "reported"), ("assessed", "referred"),
                                           ("action_taken", "referred"), ("referred", "referred"),
                                           ("follow_up", "referred")])
def test_refer__the_case_becomes_referred_when_its_machine_allows(login_as, status, after):
    case = make_case(status=status)
    assert refer(login_as("case_worker"), case, make_service()).status_code == 302
    saved = Case.get_by_id(case.id)
    assert saved.status == after
    assert saved.version == (2 if after != status else 1)
    assert Referral.select().count() == 1 and [a.kind for a in CaseAction.select()] == ["referral"]


def test_refer__a_second_referral_of_a_referred_case(login_as):
    case = make_case()
    worker = login_as("case_worker")
    refer(worker, case, make_service())
    refer(worker, case, make_service("Police station Jalangi", "police"), referred_on="2026-11-13")
    assert Case.get_by_id(case.id).status == "referred"
    page = text(worker.get(f"/cases/{case.id}"))
    assert page.index("Police station Jalangi") < page.index("Childline Murshidabad")  # newest first
    assert [event.detail for event in events("referral.created")] == [
        f"case {case.id}, child_helpline, no details", f"case {case.id}, police, no details"]


def test_refer__a_closed_case_is_reopened_first(login_as):
    case = make_case(status="closed", closed_on=TODAY, closed_reason="Back at school")
    response = refer(login_as("case_worker"), case, make_service())
    assert response.status_code == 200
    assert banners(text(response)) == ["This case is closed. Reopen it (change its status) before adding to it."]
    assert_nothing_saved(case)


# The basis for sharing a child's details.

@pytest.mark.parametrize("case_values, basis", [
    ({"consent_by": "guardian", "consent_on": date(2026, 11, 12)}, "consent"),
    ({"consent_by": "child", "consent_on": date(2026, 11, 12)}, "consent"),
    ({"consent_by": "child", "consent_on": date(2026, 11, 12), "risk": "immediate"}, "consent"),
    ({"risk": "immediate"}, "immediate_danger"),
    ({"in_danger": True, "status": "reported", "risk": ""}, "immediate_danger"),
], ids=["guardian", "child", "consent-first", "immediate-risk", "reported-in-danger-not-yet-assessed"])
def test_basis__consent_or_immediate_danger_lets_a_case_worker_share(login_as, case_values, basis):
    case = make_case(**case_values)
    response = refer(login_as("case_worker"), case, make_service(), shares_child_details="y")
    assert response.status_code == 302
    referral = Referral.get()
    assert (referral.shares_child_details, referral.basis, referral.override_reason) == (True, basis, "")
    assert [event.detail for event in events("referral.created")] == [f"case {case.id}, child_helpline, {basis}"]
    assert events("referral.override") == []


def test_basis__danger_downgraded_by_triage_no_longer_shares_without_consent(login_as):
    # The reporter said "in danger now"; the case worker rated the risk low: the exception no longer holds.
    case = make_case(in_danger=True, category="neglect", risk="low")
    worker = login_as("case_worker")
    assert "the child is in immediate danger" not in text(worker.get(f"/cases/{case.id}/referrals/new"))
    response = refer(worker, case, make_service(categories=("neglect",)), shares_child_details="y")
    assert response.status_code == 200
    assert field_errors(text(response), "shares_child_details") == [
        ("This referral shares the child's details, but no consent is recorded on the case. Record the consent of "
         "the guardian or the child first, or ask the coordinator.")]
    assert_nothing_saved(case)


@pytest.mark.parametrize("risk, basis", [("immediate", "immediate_danger"), ("high", "consent")])
def test_basis__the_risk_assessed_when_referring_is_kept_with_the_referral(login_as, risk, basis):
    values = {"consent_by": "guardian", "consent_on": date(2026, 11, 12)} if basis == "consent" else {}
    case = make_case(risk=risk, **values)
    worker = login_as("case_worker")
    assert refer(worker, case, make_service(), shares_child_details="y").status_code == 302
    referral = Referral.get()
    assert (referral.basis, referral.risk_at_referral) == (basis, risk)
    Case.update(risk="low").where(Case.id == case.id).execute()  # a later assessment does not rewrite it
    shown = facts(text(worker.get(f"/referrals/{referral.id}")))
    assert shown["Risk when referred"] == {"immediate": "Immediate danger", "high": "High"}[risk]


def test_basis__sharing_without_consent_is_refused(login_as):
    case = make_case()
    response = refer(login_as("case_worker"), case, make_service(), shares_child_details="y")
    assert response.status_code == 200
    assert field_errors(text(response), "shares_child_details") == [
        ("This referral shares the child's details, but no consent is recorded on the case. Record the consent of "
         "the guardian or the child first, or ask the coordinator.")]
    assert "Needs rescue from the kiln" in text(response)  # what was typed is kept
    assert_nothing_saved(case)


def test_basis__a_case_worker_cannot_override(login_as):
    case = make_case()
    response = refer(login_as("case_worker"), case, make_service(), shares_child_details="y", override="y",
                     override_reason="The family would hide her")
    assert response.status_code == 200
    assert banners(text(response)) == ["Only the coordinator may share a child's details without consent."]
    assert_nothing_saved(case)


def test_basis__a_case_workers_form_shows_an_error_about_the_override_it_does_not_offer(login_as):
    case = make_case(consent_by="guardian", consent_on=date(2026, 11, 12))
    response = refer(login_as("case_worker"), case, make_service(), override_reason="o" * 501)
    assert response.status_code == 200
    assert banners(text(response)) == ["Please use at most 500 characters."]
    assert_nothing_saved(case)


def test_basis__the_coordinators_override_with_a_written_reason_is_audited(login_as):
    case = make_case()
    coordinator = login_as("coordinator")
    response = refer(coordinator, case, make_service(), shares_child_details="y", override="y",
                     override_reason="  The family would hide her if asked  ")
    assert response.status_code == 302
    referral = Referral.get()
    assert (referral.shares_child_details, referral.basis, referral.override_reason, referral.created_by_id) == (
        True, "override", "The family would hide her if asked", account("coordinator").id)
    (override,) = events("referral.override")
    assert (override.username, override.role, override.object_type, override.object_id, override.detail) == (
        "coordinator", "coordinator", "referral", str(referral.id), f"case {case.id}")
    assert [event.detail for event in events("referral.created")] == [f"case {case.id}, child_helpline, override"]
    shown = facts(text(coordinator.get(f"/referrals/{referral.id}")))
    assert shown["Child's details"] == "Shared · The coordinator's override: The family would hide her if asked"


def test_basis__an_override_needs_its_reason(login_as):
    case = make_case()
    response = refer(login_as("coordinator"), case, make_service(), shares_child_details="y", override="y",
                     override_reason="   ")
    assert response.status_code == 200
    assert field_errors(text(response), "override_reason") == [
        "Write why the child's details are shared without consent."]
    assert_nothing_saved(case)


def test_basis__the_coordinator_without_the_override_box_is_refused_like_anyone(login_as):
    case = make_case()
    response = refer(login_as("coordinator"), case, make_service(), shares_child_details="y",
                     override_reason="Forgot the box")
    assert field_errors(text(response), "shares_child_details")[0].startswith(
        "This referral shares the child's details, but no consent is recorded on the case.")
    assert_nothing_saved(case)


def test_basis__no_override_when_consent_is_recorded(login_as):
    case = make_case(consent_by="guardian", consent_on=date(2026, 11, 12))
    refer(login_as("coordinator"), case, make_service(), shares_child_details="y", override="y",
          override_reason="Not needed")
    referral = Referral.get()
    assert (referral.basis, referral.override_reason) == ("consent", "")
    assert events("referral.override") == []


def test_basis__an_override_reason_without_sharing_is_not_kept(login_as):
    case = make_case()
    assert refer(login_as("coordinator"), case, make_service(), override="y",
                 override_reason="Nothing to override").status_code == 302
    referral = Referral.get()
    assert (referral.shares_child_details, referral.basis, referral.override_reason) == (False, "", "")
    assert events("referral.override") == []


# Bad input saves nothing.

def test_refer__every_field_error_shows_in_one_pass(login_as):
    case = make_case()
    response = refer(login_as("case_worker"), case, make_service(), service="", reason="", referred_on="2026-11-09",
                     information_shared="i" * 2001)
    page = text(response)
    assert field_errors(page, "service") == ["Choose a service from the directory."]
    assert field_errors(page, "reason") == ["Please fill this in."]
    assert field_errors(page, "referred_on") == ["This date is before the concern was reported (Nov 10, 2026)."]
    assert field_errors(page, "information_shared") == ["Please use at most 2000 characters."]
    assert_nothing_saved(case)


@pytest.mark.parametrize("overrides, field, message", [
    ({"service": "999"}, "service", "Choose a service from the directory."),
    ({"service": "archived"}, "service", "Choose a service from the directory."),
    ({"service": ""}, "service", "Choose a service from the directory."),
    ({"service": "helpline"}, "service", "Choose a service from the directory."),
    ({"referred_on": "2026-11-09"}, "referred_on", "This date is before the concern was reported (Nov 10, 2026)."),
    ({"referred_on": "2026-11-23"}, "referred_on", "This date is after today (Nov 22, 2026 on the hub's clock)."),
    ({"referred_on": ""}, "referred_on", "Please fill this in."),
    ({"referred_on": "12/11/2026"}, "referred_on", "Please give a date as year-month-day."),
    ({"reason": ""}, "reason", "Please fill this in."),
    ({"reason": "   "}, "reason", "Please fill this in."),
    ({"reason": "r" * 501}, "reason", "Please use at most 500 characters."),
    ({"information_shared": "i" * 2001}, "information_shared", "Please use at most 2000 characters."),
    ({"override_reason": "o" * 501, "override": "y", "shares_child_details": "y"}, "override_reason",
     "Please use at most 500 characters."),
])
def test_refer__bad_input_saves_nothing(login_as, overrides, field, message):
    case = make_case()
    service = make_service()
    archived = make_service("Old shelter", "ngo", archived=True)
    if overrides.get("service") == "archived":
        overrides["service"] = str(archived.id)
    response = refer(login_as("coordinator"), case, service, **overrides)
    assert response.status_code == 200
    page = text(response)
    assert field_errors(page, field) == [message]
    assert_nothing_saved(case)


def test_refer__exactly_the_longest_texts_are_kept(login_as):
    case = make_case()
    assert refer(login_as("case_worker"), case, make_service(), reason="r" * 500,
                 information_shared="i" * 2000).status_code == 302
    referral = Referral.get()
    assert (len(referral.reason), len(referral.information_shared)) == (500, 2000)


def test_refer__a_form_without_its_csrf_token_is_refused(login_as):
    case = make_case()
    response = login_as("case_worker").post(f"/cases/{case.id}/referrals/new", data={
        "service": str(make_service().id), "referred_on": "2026-11-12", "reason": "Needs rescue"})
    assert response.status_code == 400
    assert_nothing_saved(case)


# A referral's steps and outcome.

@pytest.mark.parametrize("old", STEPS)
@pytest.mark.parametrize("new", STEPS)
def test_steps__every_pair_through_the_service(app, old, new):
    assert set(REFERRAL_STEPS) == set(STEPS)
    referral = make_referral(make_case(status="referred"), make_service(), status=old)
    with app.test_request_context():
        if old == new or new in EXPECTED_STEPS[old]:
            saved = update_referral(referral, 1, new, "Seen by the helpline", account("case_worker"))
            assert (saved.status, saved.outcome, saved.version) == (new, "Seen by the helpline", 2)
            (event,) = events("referral.updated")
            assert event.detail == (f"{old} -> {new}" if old != new else "outcome")
        else:
            with pytest.raises(CaseError) as refused:
                update_referral(referral, 1, new, "Seen by the helpline", account("case_worker"))
            assert refused.value.field == "status"
            saved = Referral.get_by_id(referral.id)
            assert (saved.status, saved.outcome, saved.version) == (old, "", 1)
            assert events("referral.updated") == []


def test_page__offers_only_the_steps_allowed(login_as):
    referral = make_referral(make_case(status="referred"), make_service(), status="acknowledged")
    page = login_as("case_worker").get(f"/referrals/{referral.id}").get_data(as_text=True)
    select = re.search(r'<select id="status" name="status">(.*?)</select>', page, re.DOTALL).group(1)
    assert re.findall(r'value="(\w+)"', select) == ["acknowledged", "service_given", "closed", "withdrawn"]
    assert 'name="version" type="hidden" value="1"' in page


def test_update__a_step_and_its_outcome_are_saved_and_audited(login_as):
    case = make_case(status="referred")
    referral = make_referral(case, make_service())
    worker = login_as("case_worker")
    response = update(worker, referral, status="acknowledged", outcome="Helpline called back, visit on Monday")
    assert response.status_code == 302 and response.headers["Location"] == f"/referrals/{referral.id}"
    saved = Referral.get_by_id(referral.id)
    assert (saved.status, saved.outcome, saved.version) == ("acknowledged", "Helpline called back, visit on Monday", 2)
    (event,) = events("referral.updated")
    assert (event.username, event.object_id, event.detail) == ("caseworker", str(referral.id), "sent -> acknowledged")
    page = text(worker.get(f"/referrals/{referral.id}"))
    assert "Referral saved." in page
    assert (facts(page)["Status"], facts(page)["Outcome"]) == (
        "Acknowledged by the service", "Helpline called back, visit on Monday")
    # The outcome alone.
    update(worker, saved, outcome="Visited, she is back home")
    assert [event.detail for event in events("referral.updated")] == ["sent -> acknowledged", "outcome"]
    # Nothing changed: nothing saved, nothing logged.
    again = Referral.get_by_id(referral.id)
    response = update(worker, again)
    assert "Nothing was changed." in text(worker.get(response.headers["Location"]))
    assert Referral.get_by_id(referral.id).version == 3 and len(events("referral.updated")) == 2
    assert Case.get_by_id(case.id).version == case.version  # a referral's steps do not touch the case


@pytest.mark.parametrize("old, new, message", [
    ("service_given", "acknowledged",
     "A referral that is “Service given” cannot become “Acknowledged by the service”. It can become: Closed."),
    ("acknowledged", "sent", ("A referral that is “Acknowledged by the service” cannot become “Sent”. It can "
                              "become: Service given, Closed, Withdrawn.")),
    ("closed", "withdrawn", "A referral that is “Closed” cannot become “Withdrawn”. It can become: -."),
    ("withdrawn", "sent", "A referral that is “Withdrawn” cannot become “Sent”. It can become: -."),
    ("sent", "lost", ("A referral that is “Sent” cannot become “lost”. It can become: Acknowledged by the "
                      "service, Service given, Closed, Withdrawn.")),
])
def test_update__a_forbidden_step_says_where_the_referral_can_go(login_as, old, new, message):
    referral = make_referral(make_case(status="referred"), make_service(), status=old)
    response = update(login_as("case_worker"), referral, status=new, outcome="Done")
    assert response.status_code == 200
    assert field_errors(text(response), "status") == [message]
    saved = Referral.get_by_id(referral.id)
    assert (saved.status, saved.outcome, saved.version) == (old, "", 1)
    assert events("referral.updated") == []


def test_update__an_oversized_outcome_saves_nothing(login_as):
    referral = make_referral(make_case(status="referred"), make_service())
    response = update(login_as("case_worker"), referral, status="closed", outcome="o" * 2001)
    assert response.status_code == 200
    assert field_errors(text(response), "outcome") == ["Please use at most 2000 characters."]
    saved = Referral.get_by_id(referral.id)
    assert (saved.status, saved.outcome, saved.version) == ("sent", "", 1)
    assert events("referral.updated") == []


def test_update__refused_once_the_case_notes_are_erased(login_as):
    case = make_case(status="closed", closed_on=date(2020, 1, 1), narrative_erased_on=date(2026, 1, 2))
    referral = make_referral(case, make_service(), reason="", information_shared="")
    response = update(login_as("case_worker"), referral, status="closed")
    assert banners(text(response)) == [("This case's notes were erased under the retention rule: it can no "
                                        "longer change.")]
    assert Referral.get_by_id(referral.id).status == "sent" and events("referral.updated") == []


# Two phones.

def test_update__the_second_save_from_another_phone_is_refused_with_both_versions(login_as):
    referral = make_referral(make_case(status="referred"), make_service())
    worker, coordinator = login_as("case_worker"), login_as("coordinator")
    assert 'name="version" type="hidden" value="1"' in worker.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert update(coordinator, referral, status="acknowledged", outcome="Called back").status_code == 302
    response = update(worker, referral, status="withdrawn", outcome="Family moved away")  # opened at version 1
    assert response.status_code == 200
    page = text(response)
    assert banners(page) == [
        ("Coordinator changed this at Nov 22, 2026, 9:30 AM, after you opened the form, so your changes were not "
         "saved. Both versions are shown below: check them, then save again to keep yours.")]
    versions = re.search(r'<table class="list versions">(.*?)</table>', page, re.DOTALL).group(1)
    rows = [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", versions, re.DOTALL)]
    assert ["Status", "Acknowledged by the service", "Withdrawn"] in rows
    assert ["Outcome", "Called back", "Family moved away"] in rows
    saved = Referral.get_by_id(referral.id)
    assert (saved.status, saved.outcome, saved.version) == ("acknowledged", "Called back", 2)
    assert [event.username for event in events("referral.updated")] == ["coordinator"]
    assert "Family moved away</textarea>" in page  # what was typed is kept in the form
    assert 'name="version" type="hidden" value="2"' in page
    # Having seen both, saving again is a choice, and it is kept.
    assert update(worker, saved, status="withdrawn", outcome="Family moved away").status_code == 302
    saved = Referral.get_by_id(referral.id)
    assert (saved.status, saved.outcome, saved.version) == ("withdrawn", "Family moved away", 3)


def test_update__a_stale_form_names_the_first_referrer_when_nobody_updated_it(app, login_as):
    case = make_case()
    refer(login_as("coordinator"), case, make_service())
    referral = Referral.get()
    with app.test_request_context(), pytest.raises(StaleRecord) as refused:
        update_referral(referral, 0, "closed", "", account("case_worker"))
    assert str(refused.value).startswith("Coordinator changed this at Nov 22, 2026")


def test_update__a_form_without_its_version_is_refused(login_as):
    referral = make_referral(make_case(status="referred"), make_service())
    page = text(update(login_as("case_worker"), referral, version="", status="closed"))
    assert "after you opened the form" in page
    assert Referral.get_by_id(referral.id).status == "sent" and events("referral.updated") == []


# Need to know, and every opening audited.

def _outcome(client, method, path):
    response = client.get(path) if method == "GET" else client.post(path, data={
        "csrf_token": csrf_token(client, "/concerns/new")})
    if response.status_code == 403:
        return "refused"
    if response.status_code == 302 and response.headers["Location"].startswith("/login"):
        return "sign in"
    assert response.status_code in (200, 400), (method, path, response.status_code)  # 400: the form again
    return "open"


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "no-account")
def test_access__referral_pages_for_each_role(app, login_as, role):
    case = make_case(status="referred")
    referral = make_referral(case, make_service())
    client = login_as(role) if role else app.test_client()
    expected = {None: "sign in", "coordinator": "open", "case_worker": "open", "facilitator": "refused",
                "member": "refused"}[role]
    pages = [("GET", f"/cases/{case.id}/referrals/new"), ("POST", f"/cases/{case.id}/referrals/new"),
             ("GET", f"/referrals/{referral.id}"), ("POST", f"/referrals/{referral.id}"),
             ("GET", f"/referrals/{referral.id}/slip")]
    assert {path + " " + method: _outcome(client, method, path) for method, path in pages} == {
        path + " " + method: expected for method, path in pages}
    assert Referral.select().count() == 1 and Referral.get().version == 1  # the empty POSTs saved nothing
    who = {role.replace("_", "")} if expected == "open" else set()
    assert {event.username for event in events("case.viewed")} == who
    assert {event.username for event in events("referral.slip_printed")} == who


@pytest.mark.parametrize("role", ["facilitator", "member"])
def test_access__a_complete_referral_from_another_role_saves_nothing(login_as, role):
    case = make_case()
    referral = make_referral(make_case(status="referred"), make_service())
    client = login_as(role)
    assert refer(client, case, make_service("Police station Jalangi", "police")).status_code == 403
    assert update(client, referral, status="withdrawn", outcome="Not needed").status_code == 403
    assert [(r.id, r.status, r.version) for r in Referral.select()] == [(referral.id, "sent", 1)]
    assert Case.get_by_id(case.id).status == "assessed"
    assert not AuditEvent.select().where(AuditEvent.action.in_(REFERRAL_AUDITS + ("case.viewed",))).exists()


def test_access__the_case_page_links_to_refer_only_for_case_staff(login_as):
    case = make_case()
    assert f'href="/cases/{case.id}/referrals/new"' in login_as("case_worker").get(f"/cases/{case.id}").get_data(
        as_text=True)
    assert login_as("facilitator").get(f"/cases/{case.id}").status_code == 403


def test_view__every_opening_of_a_referral_is_audited(login_as):
    case = make_case(status="referred")
    referral = make_referral(case, make_service())
    worker = login_as("case_worker")
    worker.get(f"/referrals/{referral.id}")
    worker.get(f"/referrals/{referral.id}")
    login_as("coordinator").get(f"/referrals/{referral.id}")
    seen = [(event.username, event.object_type, event.object_id, event.detail) for event in events("case.viewed")]
    assert seen == [("caseworker", "case", str(case.id), f"referral {referral.id}")] * 2 + [
        ("coordinator", "case", str(case.id), f"referral {referral.id}")]


def test_view__an_unknown_referral_is_404_and_not_audited(login_as):
    worker = login_as("case_worker")
    assert worker.get("/referrals/999").status_code == 404
    assert worker.get("/referrals/999/slip").status_code == 404
    assert update(worker, Referral(id=999, status="sent", outcome="", version=1), status="closed").status_code == 404
    assert events("case.viewed") == [] and events("referral.slip_printed") == []


def test_view__an_archived_service_is_marked(login_as):
    referral = make_referral(make_case(status="referred"), make_service(archived=True))
    shown = facts(text(login_as("case_worker").get(f"/referrals/{referral.id}")))
    assert shown["Service"] == "Childline Murshidabad · 1098 · no longer in the directory"


# The slip.

def test_slip__shows_the_service_the_reason_and_what_was_shared_and_is_audited(login_as):
    case = make_case(consent_by="guardian", consent_on=date(2026, 11, 12))
    worker = login_as("case_worker")
    refer(worker, case, make_service(), shares_child_details="y")
    referral = Referral.get()
    response = worker.get(f"/referrals/{referral.id}/slip")
    assert response.status_code == 200
    page = text(response)
    assert facts(page) == {
        "To": "Childline Murshidabad 1098 Hospital road, Berhampore",
        "From": "Community Hub of Rampur Case Worker",
        "Date": "Nov 12, 2026",
        "Reference": f"Case {case.id}, referral {referral.id}",
        "About": "Child labour",
        "Child": "Girl, about 12",
        "Reason": "Needs rescue from the kiln",
        "Information shared": "Works at the kiln by the river",
    }
    for private in ("beaten by the owner", "Brick kiln by the river", "Medium", "guardian"):
        assert private not in page, private  # the report, the place, the risk, the consent stay on the case
    worker.get(f"/referrals/{referral.id}/slip")
    login_as("coordinator").get(f"/referrals/{referral.id}/slip")
    printed = [(event.username, event.object_type, event.object_id, event.detail)
               for event in events("referral.slip_printed")]
    assert printed == [("caseworker", "referral", str(referral.id), f"case {case.id}")] * 2 + [
        ("coordinator", "referral", str(referral.id), f"case {case.id}")]


def test_slip__names_the_child_of_the_register_only_when_details_are_shared(login_as):
    child = make_person(name="Sita Kumari")
    case = make_case(child=child, consent_by="child", consent_on=date(2026, 11, 12))
    service = make_service()
    shared = make_referral(case, service, shares_child_details=True, basis="consent")
    kept = make_referral(case, service, information_shared="")
    worker = login_as("case_worker")
    assert facts(text(worker.get(f"/referrals/{shared.id}/slip")))["Child"] == "Sita Kumari"
    page = text(worker.get(f"/referrals/{kept.id}/slip"))
    assert "Sita Kumari" not in page and "Girl, about 12" not in page and "Child" not in facts(page)
    assert facts(page)["Information shared"] == "-"


def test_slip__never_shows_the_override_reason_or_the_outcome(login_as):
    case = make_case()
    coordinator = login_as("coordinator")
    refer(coordinator, case, make_service(), shares_child_details="y", override="y",
          override_reason="Father is the suspect")
    referral = Referral.get()
    update(coordinator, referral, status="closed", outcome="Placed with her aunt")
    page = text(coordinator.get(f"/referrals/{referral.id}/slip"))
    assert facts(page)["Child"] == "Girl, about 12"
    assert "Father is the suspect" not in page and "Placed with her aunt" not in page
    assert "override" not in page.lower()


# Untrusted text.

def test_payloads__through_every_text_field_of_a_referral_and_every_page(app, login_as):
    coordinator = login_as("coordinator")
    service = make_service(name="<img src=x onerror=alert(1)>Helpline", phone="1098<script>alert(1)</script>",
                           address='"><svg onload=alert(1)>')
    for payload in PAYLOADS:
        case = make_case(child_description=payload[:200])
        form = coordinator.get(f"/cases/{case.id}/referrals/new")
        referred = refer(coordinator, case, service, reason=payload[:500], information_shared=payload,
                         shares_child_details="y", override="y", override_reason=payload[:500])
        flashed = coordinator.get(referred.headers["Location"])
        assert "Referred to &lt;img src=x onerror=alert(1)&gt;Helpline." in flashed.get_data(as_text=True)
        referral = Referral.get(Referral.case == case)
        assert (referral.reason, referral.information_shared) == (payload[:500].strip(), payload.strip())
        update(coordinator, referral, status="acknowledged", outcome=payload)
        pages = {"form": form, "flashed": flashed, "referral": coordinator.get(f"/referrals/{referral.id}"),
                 "slip": coordinator.get(f"/referrals/{referral.id}/slip"),
                 "case": coordinator.get(f"/cases/{case.id}"),
                 "refused": refer(coordinator, case, service, reason=payload[:500], information_shared=payload,
                                  referred_on="2026-11-01", override_reason=payload[:500]),
                 "stale": update(coordinator, referral, status="closed", outcome=payload, version="1")}
        for name, response in pages.items():
            assert response.status_code == 200, (name, payload)
            assert executable_markup(response.get_data(as_text=True)) == [], (name, payload)
