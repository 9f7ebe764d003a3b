"""The captive portal: a phone's connectivity check, which the hub's DNS sends to the hub, is answered with a
redirect to the hub, so the phone opens it by itself."""

import pytest

from hub.home.views import CONNECTIVITY_CHECKS


@pytest.mark.parametrize("path", CONNECTIVITY_CHECKS)
def test_a_check_for_another_server_is_sent_to_the_hub_by_address(client, path):
    response = client.get(path, base_url="http://connectivitycheck.gstatic.com")
    assert response.status_code == 302
    assert response.headers["Location"] == "http://10.42.0.1/"
    assert response.headers["Cache-Control"] == "no-store"


def test_on_the_hubs_own_names_it_stays_on_the_hub(client, app):
    for base_url in ("http://10.42.0.1", "http://hub.local", "http://127.0.0.1:8080"):
        response = client.get("/generate_204", base_url=base_url)
        assert (response.status_code, response.headers["Location"]) == (302, "/"), base_url


def test_follows_the_settings(client, app):
    app.config.update(HUB_ADDRESS="192.168.50.1", HOSTNAME="rampur")
    assert client.get("/ncsi.txt", base_url="http://www.msftncsi.com").headers["Location"] == "http://192.168.50.1/"
    assert client.get("/ncsi.txt", base_url="http://rampur.local").headers["Location"] == "/"


def test_the_hub_home_answers_where_the_phone_is_sent(client):
    response = client.get("/", base_url="http://10.42.0.1")
    assert response.status_code == 200 and "Report a concern about a child" in response.get_data(as_text=True)
