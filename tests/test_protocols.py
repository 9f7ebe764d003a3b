"""Protocols: a shipped protocol for every category, the coordinator's wording per language, the pages, the
partial other areas include (visitors too), bad input and XSS."""

import html
import re
from pathlib import Path

import pytest
from flask import render_template_string
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape

from hub.audit.models import AuditEvent
from hub.cases.models import CATEGORIES
from hub.db import database
from hub.protocols.models import ProtocolText
from hub.protocols.service import (
    CATEGORY_LABELS,
    PARTS,
    ProtocolError,
    protocol_for,
    save_protocol,
    shipped,
)
from hub.protocols.shipped import SHIPPED
from hub.services.service import create_service, update_service
from tests.conftest import csrf_token
from tests.markup import executable_markup
from tests.pages import field_errors

PAYLOADS = [line for line in (Path(__file__).parent / "data" / "xss.txt").read_text().splitlines() if line]
MINE = "Llamen primero a la línea de ayuda.\nNo dejen sola a la niña."


def text(response):
    return html.unescape(response.get_data(as_text=True))


def english(category):
    """The shipped protocol in English, outside any request."""
    return shipped(category)


def edit(client, category, language="", **parts):
    """Post the edit form as the coordinator would: as the page filled it, with these parts rewritten."""
    path = f"/protocols/{category}/edit" + (f"?language={language}" if language else "")
    form = client.get(path).get_data(as_text=True)
    data = {name: html.unescape(value) for name, value in
            re.findall(r'<textarea[^>]* name="(\w+)"[^>]*>\n?(.*?)</textarea>', form, re.S)}
    data.update(parts)
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def choose_language(client, code):
    client.post(f"/language/{code}", data={"next": "/", "csrf_token": csrf_token(client)})
    return client


# What the hub ships.

def test_shipped__a_protocol_for_every_category_with_every_part(app):
    assert tuple(SHIPPED) == CATEGORIES == tuple(CATEGORY_LABELS)
    with app.test_request_context():
        for category in CATEGORIES:
            protocol = shipped(category)
            assert protocol.category == category and protocol.custom == ()
            for part in PARTS:
                assert protocol.lines(part), (category, part)
                assert all(line.strip() == line and len(line) <= 300 for line in protocol.lines(part))
            assert len(protocol.lines("first_steps")) >= 3, category


@pytest.mark.parametrize("category, part, words", [
    ("trafficking", "first_steps", "Call the child helpline and the police or anti-trafficking unit at once"),
    ("trafficking", "do_not", "Do not confront or follow the trafficker yourself."),
    ("trafficking", "do_not", "Do not let the child be questioned again and again"),
    ("sexual_abuse", "first_steps", "Make sure the child is safe now"),
    ("sexual_abuse", "first_steps", "medical care at once"),
    ("sexual_abuse", "first_steps", "Keep the evidence"),
    ("sexual_abuse", "do_not", "Do not question the child in detail or make them tell it again and again."),
    ("sexual_abuse", "do_not", "Do not confront or warn the person suspected."),
    ("sexual_abuse", "refer_to", "Legal services authority: free legal aid"),
    ("child_marriage", "first_steps", "Act before the wedding day"),
    ("child_marriage", "who_to_call", "The child marriage prohibition officer, or the police."),
    ("school_dropout", "first_steps", "Tell the school and the school management committee first."),
    ("missing_child", "who_to_call", "The police, within hours"),
    ("missing_child", "do_not", "give it only to the police and the child helpline"),
    ("unsafe_migration", "first_steps", "Tell the vigilance committee"),
    ("unsafe_migration", "first_steps", "Check the agent"),
    ("unsafe_migration", "refer_to", "Anti-trafficking unit"),
    ("substance_abuse", "do_not", "Do not punish, beat or lock up the child"),
    ("substance_abuse", "refer_to", "Health: treatment and counselling."),
])
def test_shipped__grounded_in_practice(app, category, part, words):
    with app.test_request_context():
        assert words in getattr(shipped(category), part)


def test_shipped__translated_line_by_line_by_the_catalogs(app):
    with app.test_request_context():
        lines = english("child_labour").lines("first_steps")
        with force_locale("es"):
            assert shipped("child_labour").lines("first_steps") == [_(line) for line in lines]
            assert str(CATEGORY_LABELS["substance_abuse"]) == _("Substance abuse")


# Reading protocols.

@pytest.mark.parametrize("role", ["coordinator", "case_worker", "facilitator", "member"])
def test_list__every_category_with_its_first_steps(app, login_as, role):
    page = text(login_as(role).get("/protocols"))
    with app.test_request_context():
        for category in CATEGORIES:
            assert str(CATEGORY_LABELS[category]) in page and f'href="/protocols/{category}"' in page
            assert all(line in page for line in english(category).lines("first_steps"))
    assert page.index("Child labour") < page.index("Trafficking") < page.index("Other concern")


def test_pages__a_visitor_is_sent_to_sign_in(client):
    for path in ("/protocols", "/protocols/trafficking", "/protocols/trafficking/edit"):
        assert client.get(path).headers["Location"] == f"/login?next={path}"


def test_view__the_whole_protocol_and_the_services_that_handle_it(app, login_as):
    with app.app_context(), database.connection_context():
        create_service("Childline", "child_helpline", phone="1098", hours="Day and night",
                       categories=["trafficking"])
        create_service("Thana Rampur", "police", phone="+91 3482 100", categories=["missing_child"])
        old = create_service("Old shelter", "ngo", phone="12345", categories=["trafficking"])
        update_service(old, "Old shelter", "ngo", phone="12345", categories=["trafficking"], archived=True)
    page = text(login_as("member").get("/protocols/trafficking"))
    with app.test_request_context():
        protocol = english("trafficking")
        for part in PARTS:
            assert all(f"<li>{line}</li>" in page for line in protocol.lines(part)), part
    handling, others = page.split("Other services")
    assert '<a class="call" href="tel:1098"><span class="call-label">Childline</span>' in handling
    assert "Thana Rampur" not in handling and 'href="tel:+913482100"' in others
    assert "Old shelter" not in page
    assert "Edit the protocol" not in page and "/protocols/trafficking/edit" not in page
    assert "/protocols/trafficking/edit" in text(login_as("coordinator").get("/protocols/trafficking"))


def test_view__no_service_yet_and_unknown_categories(login_as):
    member = login_as("member")
    page = text(member.get("/protocols/neglect"))
    assert "No service in the directory handles this concern yet." in page and "Add a service" not in page
    assert "Add a service" in text(login_as("coordinator").get("/protocols/neglect"))
    assert member.get("/protocols/floods").status_code == 404
    assert login_as("coordinator").get("/protocols/floods/edit").status_code == 404


# The coordinator's wording.

def test_edit__the_coordinators_wording_is_shown_for_that_language_only(app, login_as):
    coordinator = login_as("coordinator")
    response = edit(coordinator, "trafficking", "es", first_steps=MINE)
    assert response.headers["Location"] == "/protocols/trafficking"
    saved = ProtocolText.get()
    assert (saved.category, saved.language, saved.first_steps, saved.who_to_call, saved.do_not,
            saved.refer_to) == ("trafficking", "es", MINE, "", "", "")  # unchanged parts follow the hub's
    event = AuditEvent.get(AuditEvent.action == "protocol.updated")
    assert (event.username, event.detail) == ("coordinator", "trafficking, es: first_steps")
    assert "The protocol for Trafficking is saved in Español." in text(coordinator.get("/protocols"))
    spanish = text(choose_language(login_as("member"), "es").get("/protocols/trafficking"))
    assert "<li>Llamen primero a la línea de ayuda.</li><li>No dejen sola a la niña.</li>" in spanish
    assert "Llamen primero" in text(choose_language(login_as("facilitator"), "es").get("/protocols"))
    with app.test_request_context(), force_locale("es"):
        assert all(line in spanish for line in shipped("trafficking").lines("do_not"))
    for language in ("en", "hi", "bn"):
        page = text(choose_language(login_as("case_worker"), language).get("/protocols/trafficking"))
        assert "Llamen primero" not in page
        with app.test_request_context(), force_locale(language):
            assert all(line in page for line in shipped("trafficking").lines("first_steps"))


def test_edit__the_form_shows_the_wording_of_the_chosen_language(app, login_as):
    with app.app_context(), database.connection_context():
        save_protocol("child_marriage", "hi", do_not="विवाह के दिन तक प्रतीक्षा न करें।")
    coordinator = login_as("coordinator")
    hindi = text(coordinator.get("/protocols/child_marriage/edit?language=hi"))
    assert "विवाह के दिन तक प्रतीक्षा न करें।</textarea>" in hindi and 'aria-current="true">हिन्दी' in hindi
    assert "Go back to the hub's wording in हिन्दी" in hindi
    english_form = text(coordinator.get("/protocols/child_marriage/edit?language=en"))
    assert "Do not wait until the wedding day." in english_form and "प्रतीक्षा" not in english_form
    assert "Go back to the hub's wording" not in english_form
    assert 'aria-current="true">English' in text(coordinator.get("/protocols/child_marriage/edit?language=fr"))


def test_edit__saving_the_hubs_wording_stores_nothing(app, login_as):
    coordinator = login_as("coordinator")
    assert edit(coordinator, "neglect", "en").status_code == 302
    assert ProtocolText.select().count() == 0
    assert AuditEvent.get(AuditEvent.action == "protocol.updated").detail == "neglect, en: shipped wording"


def test_edit__steps_are_tidied_one_a_line(app, login_as):
    coordinator = login_as("coordinator")
    edit(coordinator, "other", "en", do_not="- Do not   wait.\r\n\r\n• Do not gossip.\n   \n")
    assert ProtocolText.get().do_not == "Do not wait.\nDo not gossip."
    page = text(coordinator.get("/protocols/other"))
    assert "<ul><li>Do not wait.</li><li>Do not gossip.</li></ul>" in page


def test_edit__a_part_left_empty_follows_the_hubs_wording(app, login_as):
    coordinator = login_as("coordinator")
    edit(coordinator, "neglect", "en", who_to_call="Asha, the health worker: 98765 43210", refer_to="")
    with app.app_context(), database.connection_context():
        protocol = protocol_for("neglect", "en")
        assert protocol.custom == ("who_to_call",)
        assert protocol.who_to_call == "Asha, the health worker: 98765 43210"
        assert protocol.refer_to == english("neglect").refer_to


def test_edit__go_back_to_the_hubs_wording(app, login_as):
    coordinator = login_as("coordinator")
    edit(coordinator, "trafficking", "es", first_steps=MINE)
    path = "/protocols/trafficking/edit?language=es"
    response = coordinator.post(path, data={"restore": "1", "csrf_token": csrf_token(coordinator, path)})
    assert response.headers["Location"] == "/protocols/trafficking"
    assert ProtocolText.select().count() == 0
    assert AuditEvent.select().where(AuditEvent.action == "protocol.updated").count() == 2
    assert "Llamen primero" not in text(choose_language(login_as("member"), "es").get("/protocols/trafficking"))


@pytest.mark.parametrize("part, typed, message", [
    ("first_steps", "\n".join(f"Step {n}" for n in range(13)), "Please write at most 12 steps, one a line."),
    ("do_not", "Do not " + "x" * 300, "Please keep each step to at most 300 characters."),
    ("who_to_call", "Call\n" * 401, "Please use at most 2000 characters."),
])
def test_edit__bad_input_refused_beside_the_field_with_what_was_typed_kept(app, login_as, part, typed, message):
    coordinator = login_as("coordinator")
    response = edit(coordinator, "child_labour", "bn", **{part: typed})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_errors(page, part) == [message]
    assert str(escape(typed)) in page  # kept as typed
    assert ProtocolText.select().count() == 0
    assert not AuditEvent.select().where(AuditEvent.action == "protocol.updated").exists()


def test_service__refuses_an_unknown_language_or_category(app_context):
    with pytest.raises(ProtocolError) as refused:
        save_protocol("trafficking", "fr", first_steps="Appelez.")
    assert refused.value.field == "language"
    with pytest.raises(ProtocolError):
        save_protocol("floods", "en", first_steps="Call.")
    with pytest.raises(ProtocolError):
        protocol_for("floods")
    assert ProtocolText.select().count() == 0


@pytest.mark.parametrize("role", ["case_worker", "facilitator", "member"])
def test_edit__only_the_coordinator(app, login_as, role):
    client = login_as(role)
    assert client.get("/protocols/trafficking/edit").status_code == 403
    assert edit(client, "trafficking", "en", first_steps="Do nothing.").status_code == 403
    path = "/protocols/trafficking/edit?language=en"
    assert client.post(path, data={"restore": "1", "csrf_token": csrf_token(client)}).status_code == 403
    assert ProtocolText.select().count() == 0


# The partial other areas include (the case page, the "in danger now" page of the concern form).

def render_partial(app, category, username=None):
    """The partial as another area's page renders it, for a visitor (or a signed-in account)."""
    from flask import g

    from hub.auth.models import User

    with app.test_request_context("/concerns/new"):
        database.connect(reuse_if_open=True)  # closed by the request's teardown, as for a real page
        g.user = User.get(User.username == username) if username else None
        return render_template_string('{% include "hub/protocols/_protocol.html" %}',
                                      protocol=protocol_for(category), category=category)


def test_partial__renders_every_part_for_a_visitor_without_links_they_cannot_open(app):
    with app.app_context(), database.connection_context():
        save_protocol("sexual_abuse", "en", do_not="Do not question the child.\nDo not confront anyone.")
    page = html.unescape(render_partial(app, "sexual_abuse"))
    assert "Who to call" in page and "What to do first" in page and "Where to refer" in page
    assert "<ul><li>Do not question the child.</li><li>Do not confront anyone.</li></ul>" in page
    assert "Make sure the child is safe now" in page and "<ol><li>" in page
    assert "href" not in page.replace('href="/static/icons.svg', "")  # nothing a visitor could not open
    assert executable_markup(page) == []


def test_partial__links_to_the_whole_protocol_for_a_signed_in_reader(app):
    assert 'href="/protocols/missing_child"' in render_partial(app, "missing_child", "member")


# Untrusted text.

def test_payloads__through_every_part_on_every_page_that_shows_them(app, login_as):
    coordinator = login_as("coordinator")
    member = login_as("member")
    for payload in PAYLOADS:
        response = edit(coordinator, "trafficking", "en", **{part: f"{payload}\n{payload[::-1]}" for part in PARTS})
        assert response.status_code == 302, payload
        pages = {path: client.get(path).get_data(as_text=True) for client, path in (
            (member, "/protocols"), (member, "/protocols/trafficking"),
            (coordinator, "/protocols/trafficking/edit"))}
        for path, page in pages.items():
            assert executable_markup(page) == [], (payload, path)
        shown = str(escape(" ".join(payload.split())))
        assert f"<li>{shown}</li>" in pages["/protocols/trafficking"], payload
        assert executable_markup(render_partial(app, "trafficking")) == [], payload
    refused = edit(coordinator, "trafficking", "en", first_steps="\n".join(PAYLOADS))
    assert field_errors(refused.get_data(as_text=True), "first_steps")
    assert executable_markup(refused.get_data(as_text=True)) == []
