"""The services directory: who reads it, the coordinator's services and their categories, bad input, XSS."""

import html
import re
from pathlib import Path

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape

from hub.audit.models import AuditEvent
from hub.cases.models import CATEGORIES
from hub.db import database
from hub.protocols.service import CATEGORY_LABELS
from hub.services.models import KINDS, Service, ServiceCategory
from hub.services.service import (
    KIND_LABELS,
    ServiceError,
    categories_of,
    create_service,
    services_for,
    update_service,
)
from tests.conftest import csrf_token
from tests.markup import executable_markup
from tests.pages import field_errors

PAYLOADS = [line for line in (Path(__file__).parent / "data" / "xss.txt").read_text().splitlines() if line]
HELPLINE = {"name": "Childline Murshidabad", "kind": "child_helpline", "phone": "1098",
            "address": "District hospital road, Berhampore", "hours": "Day and night",
            "languages": "Bengali, Hindi", "categories": ["trafficking", "child_marriage", "missing_child"]}


def text(response):
    return html.unescape(response.get_data(as_text=True))


def add(app, **values):
    """A service written through the service layer (outside any request)."""
    with app.app_context(), database.connection_context():
        return create_service(**{**HELPLINE, **values})


def post(client, path, **values):
    data = {**HELPLINE, **values}
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/services/new")})


def audits(action):
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


# Labels.

def test_labels__every_kind_and_category_has_a_localised_label(app):
    assert set(KIND_LABELS) == set(KINDS)
    assert tuple(CATEGORY_LABELS) == CATEGORIES
    with app.test_request_context(), force_locale("es"):
        assert str(KIND_LABELS["police"]) == _("Police") == "Policía"
        assert str(CATEGORY_LABELS["trafficking"]) == _("Trafficking")


# Reading the directory.

@pytest.mark.parametrize("role", ["coordinator", "case_worker", "facilitator", "member"])
def test_list__every_signed_in_role_reads_the_directory(app, login_as, role):
    service = add(app)
    page = text(login_as(role).get("/services"))
    for shown in ("Childline Murshidabad", "Child helpline", "District hospital road, Berhampore",
                  "Hours: Day and night", "Languages: Bengali, Hindi", "Trafficking", "Child marriage",
                  "Missing child"):
        assert shown in page
    assert 'href="tel:1098"' in page
    assert "Neglect" not in page.split("Childline Murshidabad")[1]
    coordinator = role == "coordinator"
    assert ("Add a service" in page) == coordinator
    assert (f'href="/services/{service.id}"' in page) == coordinator


def test_list__a_visitor_is_sent_to_sign_in(client):
    response = client.get("/services")
    assert response.headers["Location"] == "/login?next=/services"


def test_list__tap_to_call_without_spaces_and_the_kind_in_the_readers_language(app, login_as):
    add(app, name="Thana Rampur", kind="police", phone="+91 3482 250 100", categories=[])
    member = login_as("member")
    assert 'href="tel:+913482250100"' in text(member.get("/services"))
    member.post("/language/es", data={"next": "/services", "csrf_token": csrf_token(member)})
    assert "Policía" in text(member.get("/services"))


def test_list__filtered_by_category(app, login_as):
    add(app)
    add(app, name="Rampur primary school", kind="school", phone="", categories=["school_dropout"])
    add(app, name="Health post", kind="health", categories=[])
    client = login_as("facilitator")
    page = text(client.get("/services?category=school_dropout"))
    assert "Rampur primary school" in page and "Childline Murshidabad" not in page and "Health post" not in page
    assert "Services for: School drop-out" in page and '<option value="school_dropout" selected>' in page
    assert "No service handles this concern yet." in text(client.get("/services?category=substance_abuse"))
    everything = text(client.get("/services?category=nonsense"))
    assert all(name in everything for name in ("Rampur primary school", "Childline Murshidabad", "Health post"))


def test_list__archived_services_only_for_the_coordinator(app, login_as):
    service = add(app)
    with app.app_context(), database.connection_context():
        update_service(service, **HELPLINE, archived=True)
    assert "Childline Murshidabad" not in text(login_as("case_worker").get("/services"))
    page = text(login_as("coordinator").get("/services"))
    assert "Childline Murshidabad" in page and "Archived" in page


# The coordinator's services.

def test_new__added_with_its_categories_and_audited(app, login_as):
    coordinator = login_as("coordinator")
    response = post(coordinator, "/services/new", name="  Anti-trafficking   unit ", kind="anti_trafficking",
                    phone=" +91  3482-250 111 ", address="SP office,  Berhampore", hours="", languages="",
                    categories=["unsafe_migration", "trafficking"])
    assert response.headers["Location"] == "/services"
    service = Service.get()
    assert (service.name, service.kind, service.phone, service.address, service.hours, service.archived) == (
        "Anti-trafficking unit", "anti_trafficking", "+91 3482-250 111", "SP office, Berhampore", "", False)
    assert categories_of(service) == ["trafficking", "unsafe_migration"]
    event, = audits("service.created")
    assert (event.username, event.object_type, event.object_id) == ("coordinator", "service", str(service.id))
    assert "Service Anti-trafficking unit added." in text(coordinator.get("/services"))


def test_new__a_double_tap_adds_one_service(app, login_as):
    coordinator = login_as("coordinator")
    assert post(coordinator, "/services/new").status_code == 302
    again = post(coordinator, "/services/new", name="CHILDLINE murshidabad")
    assert field_errors(text(again), "name") == ["There is already a service called CHILDLINE murshidabad."]
    assert Service.select().count() == 1 and len(audits("service.created")) == 1


PHONE_RULE = "A phone number has digits, and may have spaces, dashes and a + in front."


@pytest.mark.parametrize("values, field, message", [
    ({"name": "  "}, "name", "Please fill this in."),
    ({"name": "n" * 81}, "name", "Please use at most 80 characters."),
    ({"kind": "temple"}, "kind", "Not a valid choice"),
    ({"phone": "1098 ext. 2"}, "phone", PHONE_RULE),
    ({"phone": "++91 1098"}, "phone", PHONE_RULE),
    ({"phone": "(033) 2255"}, "phone", PHONE_RULE),
    ({"phone": "javascript:alert(1)"}, "phone", PHONE_RULE),
    ({"phone": "-1098"}, "phone", PHONE_RULE),
    ({"phone": "10"}, "phone", "A phone number has 3 to 15 digits."),
    ({"phone": "+91 1234 5678 9012 34"}, "phone", "A phone number has 3 to 15 digits."),
    ({"phone": "1" * 31}, "phone", "Please use at most 30 characters."),
    ({"phone": "", "address": " "}, "phone", "Give a phone number or an address, so people can reach this service."),
    ({"address": "a" * 201}, "address", "Please use at most 200 characters."),
    ({"hours": "h" * 81}, "hours", "Please use at most 80 characters."),
    ({"languages": "l" * 81}, "languages", "Please use at most 80 characters."),
    ({"categories": ["trafficking", "floods"]}, "categories", "'floods' is not a valid choice"),
])
def test_new__bad_input_refused_beside_the_field_with_what_was_typed_kept(app, login_as, values, field, message):
    coordinator = login_as("coordinator")
    response = post(coordinator, "/services/new", **values)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert any(error.startswith(message) for error in field_errors(page, field)), field_errors(page, field)
    typed = {**HELPLINE, **values}
    for name in ("name", "phone", "address", "hours", "languages"):
        assert f'value="{escape(typed[name])}"' in page or (not typed[name] and f'name="{name}"' in page)
    assert re.search(r'<input checked[^>]*value="trafficking"', page)
    assert Service.select().count() == 0 and ServiceCategory.select().count() == 0
    assert not audits("service.created")


def test_new__a_service_with_an_address_and_no_phone(app, login_as):
    coordinator = login_as("coordinator")
    assert post(coordinator, "/services/new", phone="", categories=[]).status_code == 302
    service = Service.get()
    assert (service.phone, categories_of(service)) == ("", [])
    assert "tel:" not in text(coordinator.get("/services"))


def test_edit__changes_the_service_and_replaces_its_categories(app, login_as):
    service = add(app)
    coordinator = login_as("coordinator")
    form = text(coordinator.get(f"/services/{service.id}"))
    assert 'value="Childline Murshidabad"' in form and 'value="1098"' in form
    assert re.search(r'<input checked[^>]*value="trafficking"', form)
    assert not re.search(r'<input checked[^>]*value="neglect"', form)
    response = post(coordinator, f"/services/{service.id}", hours="08:00 to 20:00",
                    categories=["trafficking", "neglect"], state="active")
    assert response.headers["Location"] == "/services"
    service = Service.get_by_id(service.id)
    assert service.hours == "08:00 to 20:00"
    assert categories_of(service) == ["trafficking", "neglect"]
    assert ServiceCategory.select().count() == 2
    event, = audits("service.updated")
    assert (event.object_id, event.detail) == (str(service.id), "")


def test_edit__archive_and_bring_back(app, login_as):
    service = add(app)
    coordinator = login_as("coordinator")
    post(coordinator, f"/services/{service.id}", state="archived")
    assert Service.get_by_id(service.id).archived
    assert audits("service.updated")[-1].detail == "archived"
    with app.app_context(), database.connection_context():
        assert services_for("trafficking") == []
    post(coordinator, f"/services/{service.id}", state="active")
    assert not Service.get_by_id(service.id).archived
    refused = post(coordinator, f"/services/{service.id}", state="gone")
    assert field_errors(text(refused), "state")


def test_edit__another_services_name_is_refused_its_own_is_kept(app, login_as):
    first, second = add(app), add(app, name="Thana Rampur", kind="police", phone="100")
    coordinator = login_as("coordinator")
    refused = post(coordinator, f"/services/{second.id}", name="Childline Murshidabad", kind="police",
                   state="active")
    assert field_errors(text(refused), "name") == ["There is already a service called Childline Murshidabad."]
    assert Service.get_by_id(second.id).name == "Thana Rampur"
    assert post(coordinator, f"/services/{first.id}", state="active").status_code == 302


@pytest.mark.parametrize("role", ["case_worker", "facilitator", "member"])
def test_edit__only_the_coordinator_adds_or_changes_services(app, login_as, role):
    service = add(app)
    client = login_as(role)
    assert client.get("/services/new").status_code == 403
    assert client.get(f"/services/{service.id}").status_code == 403
    token = csrf_token(client, "/services")
    assert client.post("/services/new", data={**HELPLINE, "name": "Other", "csrf_token": token}).status_code == 403
    assert client.post(f"/services/{service.id}", data={**HELPLINE, "name": "Renamed", "state": "active",
                                                        "csrf_token": token}).status_code == 403
    assert [s.name for s in Service.select()] == ["Childline Murshidabad"] and not audits("service.updated")


def test_edit__an_unknown_service_is_not_found(login_as):
    assert login_as("coordinator").get("/services/99").status_code == 404


# Rules, through the service layer.

def test_services_for__those_that_handle_the_category_first_archived_left_out(app_context):
    police = create_service("Thana Rampur", "police", phone="100", categories=["missing_child"])
    helpline = create_service(**HELPLINE)
    school = create_service("Rampur primary school", "school", address="Rampur", categories=[])
    old = create_service("Old shelter", "ngo", phone="12345", categories=["missing_child"])
    update_service(old, "Old shelter", "ngo", phone="12345", categories=["missing_child"], archived=True)
    assert services_for("missing_child") == [police, helpline, school]
    assert services_for("trafficking") == [helpline, police, school]
    assert services_for("neglect") == [police, helpline, school]  # by kind: police before child helpline


def test_service__refuses_an_unknown_category(app_context):
    with pytest.raises(ServiceError) as refused:
        create_service("Shelter", "ngo", phone="12345", categories=["floods"])
    assert refused.value.field == "categories" and Service.select().count() == 0


# Untrusted text.

def test_payloads__through_every_text_field_and_every_page_that_shows_them(app, login_as):
    coordinator = login_as("coordinator")
    token = csrf_token(coordinator, "/services/new")
    for index, payload in enumerate(PAYLOADS):
        response = coordinator.post("/services/new", data={
            "name": f"{payload[:72]} {index}", "kind": "ngo", "phone": "1098", "address": payload[:200],
            "hours": payload[:80], "languages": payload[:80], "categories": ["trafficking"], "csrf_token": token})
        assert response.status_code == 302, payload
        refused = coordinator.post("/services/new", data={
            "name": payload[:80], "kind": payload, "phone": payload[:30], "address": payload[:200],
            "hours": payload[:80], "languages": payload[:80], "categories": [payload], "csrf_token": token})
        assert refused.status_code == 200 and executable_markup(refused.get_data(as_text=True)) == [], payload
    assert Service.select().count() == len(PAYLOADS)
    member = login_as("member")
    pages = {path: member.get(path).get_data(as_text=True)
             for path in ("/services", "/services?category=trafficking", "/protocols/trafficking")}
    pages.update({f"/services/{service.id}": coordinator.get(f"/services/{service.id}").get_data(as_text=True)
                  for service in Service.select()})
    for path, page in pages.items():
        assert executable_markup(page) == [], path
    for payload in PAYLOADS:  # saved as typed, shown escaped
        assert str(escape(" ".join(payload[:80].split()))) in pages["/services"], payload
