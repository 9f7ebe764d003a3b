"""Hostile bodies and hostile enrolled hubs against the aggregator: a 4xx with its code, nothing stored,
never a 500; the district's pages survive any value already stored; sign-in lockout holds back only the
device that failed.
"""

import json
import re

import pytest
from click.testing import CliRunner

from federation import signing
from federation.aggregator import auth
from federation.aggregator.models import Bundle, MonthlySummary
from hub import throttle
from hub.cli import main
from tests.aggregator.conftest import PERIOD, seal, valid_payload

JSON = "application/json"
DEEP = b"[" * 100_000
PASSWORD = "district-password-1"


def post(api, path, data):
    return api.post(f"/api/v1/{path}", data=data, content_type=JSON)


def resigned(identity, data, **changes):
    document = json.loads(data)
    document.pop("signature")
    document.update(changes)
    return identity.sign(document)


def sessions_payload(count):
    payload = valid_payload()
    payload["tables"]["sessions_held"]["cells"]["life_skills"] = count
    return payload


@pytest.mark.parametrize("path", ["bundles", "enrolments", "proof"])
@pytest.mark.parametrize("body", [DEEP, b'{"format":"communityhub-bundle","payload":' + DEEP + b"]}",
                                  b'{"challenge":' + b"[" * 200 + b"]" * 200 + b"}"])
def test_api__deep_nesting_is_malformed_not_a_crash(api, district, path, body):
    reply = post(api, path, body)
    assert reply.status_code in (400, 413), reply.data  # /proof takes 256 bytes at most
    assert reply.get_json()["error"] in ("malformed", "too_large")
    assert Bundle.select().count() == 0


def test_api__a_body_without_version_is_malformed_as_the_protocol_says(api, district, enrolled):
    hub = enrolled()
    document = json.loads(seal(hub))
    del document["version"], document["signature"]
    reply = post(api, "bundles", hub.sign(document))
    assert (reply.status_code, reply.get_json()["error"]) == (400, "malformed")
    unknown = post(api, "bundles", resigned(hub, seal(hub), version=2))
    assert (unknown.status_code, unknown.get_json()["error"]) == (422, "unknown_schema")
    assert Bundle.select().count() == 0


def test_api__a_key_id_that_is_not_the_signers_is_refused(api, district, enrolled):
    hub, other = enrolled("Rampur"), enrolled("Sonapur")
    reply = post(api, "bundles", resigned(hub, seal(hub), key_id=other.key_id))
    assert (reply.status_code, reply.get_json()["error"]) == (400, "malformed")
    assert "key_id" in reply.get_json()["message"]
    assert Bundle.select().count() == 0


def test_api__an_overlong_signature_is_malformed(api, district, enrolled):
    hub = enrolled()
    document = json.loads(seal(hub))
    document["signature"] += "A" * 1000
    reply = post(api, "bundles", signing.canonical(document))
    assert (reply.status_code, reply.get_json()["error"]) == (400, "malformed")


@pytest.mark.parametrize("count", [10 ** 4000, 1_000_005, 2 ** 63])
def test_api__a_count_beyond_any_village_is_refused(api, district, enrolled, count):
    hub = enrolled()
    reply = post(api, "bundles", seal(hub, payload=sessions_payload(count)))
    assert (reply.status_code, reply.get_json()["error"]) == (422, "invalid_payload")
    assert Bundle.select().count() == 0 and MonthlySummary.select().count() == 0


def test_api__the_largest_plausible_count_and_amount_are_taken(api, district, enrolled):
    hub = enrolled()
    payload = sessions_payload(1_000_000)
    payload["values"]["savings_total_saved"] = {"value": 10 ** 12, "reason": ""}
    assert post(api, "bundles", seal(hub, payload=payload)).status_code == 201
    payload["values"]["savings_total_saved"] = {"value": 10 ** 12 + 1, "reason": ""}
    assert post(api, "bundles", seal(hub, sequence=2, revision=2, payload=payload)).status_code == 422


def test_api__405_says_which_methods_are_allowed(api, district):
    reply = api.get("/api/v1/bundles")
    assert reply.status_code == 405 and reply.headers["Allow"] == "OPTIONS, POST"
    assert api.put("/api/v1/proof").headers["Allow"] == "OPTIONS, POST"
    assert api.post("/api/v1/openapi.json").headers["Allow"] == "GET, HEAD, OPTIONS"


def test_openapi__states_each_body_limit(api, district):
    paths = api.get("/api/v1/openapi.json").get_json()["paths"]
    proof = paths["/api/v1/proof"]["post"]
    assert proof["requestBody"]["x-max-bytes"] == 256
    assert "256 bytes" in proof["responses"]["413"]["description"]
    assert paths["/api/v1/bundles"]["post"]["requestBody"]["x-max-bytes"] == 256 * 1024


# --- a value stored before the caps ------------------------------------------------------------------------

@pytest.fixture
def officer(api, district):
    auth.add_admin("district", PASSWORD)
    assert sign_in(api).status_code == 302
    return api


def sign_in(client, username="district", password=PASSWORD, address="10.1.0.2"):
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").data).group(1).decode()
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize("stored", ["1" + "0" * 4000, "1e400", "-" + "9" * 30])
def test_dashboard__survives_any_number_already_stored(officer, district, enrolled, stored):
    hub = enrolled()
    payload = valid_payload()
    payload["values"]["savings_total_saved"] = {"value": 12000, "reason": ""}
    assert post(officer, "bundles", seal(hub, payload=payload)).status_code == 201
    text = signing.canonical(payload).decode().replace('"life_skills":10', f'"life_skills":{stored}')
    text = text.replace('"value":12000', f'"value":{stored}')
    MonthlySummary.update(payload=text).execute()  # as a release without caps stored it

    for path in (f"/indicators?period={PERIOD}", f"/hubs/{hub.id}", "/", f"/exports/summaries.csv?period={PERIOD}",
                 f"/exports/summaries.json?period={PERIOD}"):
        assert officer.get(path).status_code == 200, path


# --- sign-in lockout ---------------------------------------------------------------------------------------

def test_login__an_attacker_locks_out_only_their_own_device(api, district):
    auth.add_admin("district", PASSWORD)
    for _ in range(throttle.FREE_FAILURES):
        assert sign_in(api, password="wrong password", address="10.9.9.9").status_code == 401
    assert sign_in(api, address="10.9.9.9").status_code == 429
    assert sign_in(api, address="10.1.0.2").status_code == 302


def test_admin_unlock__clears_the_lock_of_the_running_aggregator(api, aggregator_app, aggregator_dir,
                                                                 database_url, monkeypatch):
    with aggregator_app.app_context():
        auth.add_admin("district", PASSWORD)
    for _ in range(throttle.FREE_FAILURES):
        sign_in(api, password="wrong password")
    assert sign_in(api).status_code == 429
    monkeypatch.setenv("COMMUNITYHUB_DATA_DIR", str(aggregator_dir))
    monkeypatch.setenv("COMMUNITYHUB_DATABASE_URL", database_url)

    result = CliRunner().invoke(main, ["aggregator", "admin", "unlock", "District"], catch_exceptions=False)

    assert result.exit_code == 0 and "Unlocked sign-in for 'district'" in result.output
    assert sign_in(api).status_code == 302
    unknown = CliRunner().invoke(main, ["aggregator", "admin", "unlock", "nobody"], catch_exceptions=False)
    assert unknown.exit_code == 1 and "There is no admin named nobody" in unknown.output


@pytest.mark.parametrize("name", ["Rampur\n[Service]", "Rampur\x1b[2J", "\u202eruPmaR"])
def test_enrolments__a_name_the_hub_sends_is_ignored_the_district_names_the_hub(api, district, hub_identity, name):
    import json

    from federation import bundle
    from federation.aggregator import enrol
    from federation.aggregator.models import Hub

    hub = hub_identity()
    document = json.loads(bundle.seal_enrolment(hub, enrol.issue_code("Rampur")))
    document.pop("signature")
    document["name"] = name  # an older or hostile hub still sends one
    reply = post(api, "enrolments", hub.sign(document))
    assert reply.status_code == 201, reply.get_json()
    (stored,) = Hub.select()
    assert stored.name == "Rampur"
    assert name not in repr([getattr(stored, field) for field in stored.__data__])
