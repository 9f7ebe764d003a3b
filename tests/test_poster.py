"""The printable poster: the Wi-Fi name and password as a joinable QR code, the hub's address, the
emergency numbers; for the coordinator only, since the password is on it."""

from pathlib import Path

import pytest
from flask_babel import force_locale, gettext

from hub import provision
from hub.db import database
from hub.poster import service
from hub.village.service import get_village
from tests.pages import without_optional_scripts


def test_wifi_text_escapes_the_special_characters():
    assert service.wifi_uri('my;net', 'a\\b,c:d"e') == 'WIFI:T:WPA;S:my\\;net;P:a\\\\b\\,c\\:d\\"e;;'
    assert service.wifi_uri("Rampur", "") == "WIFI:T:nopass;S:Rampur;;"


def test_the_qr_code_is_an_inline_svg_that_decodes_to_the_text():
    svg = str(service.qr_svg("WIFI:T:WPA;S:Rampur;P:abc;;"))
    assert svg.startswith("<svg") and "<path" in svg and "<script" not in svg and "<?xml" not in svg


def test_the_coordinator_sees_the_network_the_pi_broadcasts(app, login_as):
    app.config.update(WIFI_SSID="Rampur hub", HUB_ADDRESS="10.42.0.1", WIFI_OPEN=False)
    page = login_as("coordinator").get("/poster")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    passphrase = (Path(app.config["DATA_DIR"]) / provision.WIFI_PASSPHRASE_FILE).read_text().strip()
    assert len(passphrase) == provision.PASSPHRASE_LENGTH and passphrase in text
    assert "Rampur hub" in text
    assert "http://10.42.0.1/" in text and "http://hub.local/" in text
    # Nothing to run: only the optional clock check every signed-in page carries.
    assert text.count("<svg") >= 2 and "<script" not in without_optional_scripts(text)
    with app.app_context():
        from hub.db import database
        from hub.village.service import emergency_numbers, get_village

        with database.connection_context():
            numbers, language = emergency_numbers(), get_village().language_codes[0]
    assert numbers and all(number in text for _, number in numbers)
    assert f'class="card poster" lang="{language}"' in text  # in the village's language


def test_only_the_sheet_follows_the_village_language_the_menu_follows_the_coordinator(app, login_as):
    app.config.update(WIFI_SSID="Rampur hub", WIFI_OPEN=False)
    text = login_as("coordinator").get("/poster").get_data(as_text=True)   # the village speaks hi, en
    assert 'class="card poster" lang="hi"' in text and "आपातकालीन नंबर" in text
    assert '<html lang="en">' in text and "Sign out" in text and "साइन आउट" not in text
    assert "Print this page and put it up where people meet" in text


def test_the_poster_matches_what_provision_renders(app, login_as):
    app.config.update(WIFI_SSID="Rampur hub", WIFI_OPEN=False)
    text = login_as("coordinator").get("/poster").get_data(as_text=True)
    with app.app_context():
        plan = provision.plan_for(app.config, "", app.config["DATA_DIR"])
    assert f"psk={plan.passphrase}" in dict((t, x) for t, _, x in provision.rendered(plan))[
        "etc/NetworkManager/system-connections/communityhub-ap.nmconnection"]
    assert plan.passphrase in text


def test_an_open_network_has_no_password(app, login_as):
    app.config.update(WIFI_OPEN=True)
    text = login_as("coordinator").get("/poster").get_data(as_text=True)
    with app.test_request_context(), database.connection_context(), \
            force_locale(get_village().language_codes[0]):
        assert gettext("none: the network is open") in text
    assert not (Path(app.config["DATA_DIR"]) / provision.WIFI_PASSPHRASE_FILE).exists()


@pytest.mark.parametrize("role", ["facilitator", "member"])
def test_nobody_else_sees_the_password(app, login_as, role):
    assert login_as(role).get("/poster").status_code in (302, 403, 404)
    assert not (Path(app.config["DATA_DIR"]) / provision.WIFI_PASSPHRASE_FILE).exists()


def test_a_visitor_is_sent_to_sign_in(client, app):
    response = client.get("/poster")
    assert response.status_code in (302, 403)
    assert not (Path(app.config["DATA_DIR"]) / provision.WIFI_PASSPHRASE_FILE).exists()


def test_the_village_page_links_to_the_poster(login_as):
    assert "/poster" in login_as("coordinator").get("/village").get_data(as_text=True)
