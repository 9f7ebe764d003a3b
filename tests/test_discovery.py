"""Zeroconf discovery with real mDNS traffic, only ever inside a private network namespace.

Each `netns_*` case below runs in a fresh `unshare --net` namespace of its own (tests/isolation.py): `lo`
and a veth pair standing for the village Wi-Fi, the hub on 10.42.0.1 and the district laptop on 10.42.0.2.
Nothing reaches the machine's own network. The `test_*` functions are what the normal run collects.
"""

import os

import pytest

from federation import discovery, proof
from tests.isolation import IN_NETNS, can_unshare, pytest_in_network_namespace

HUB_ADDRESS, LAPTOP_ADDRESS = "10.42.0.1", "10.42.0.2"
HUB_ID, HUB_KEY = "b" * 32, "1" * 16
AGGREGATOR_ID, AGGREGATOR_KEY = "a" * 32, "2" * 16
WAIT = 20.0  # seconds: mDNS announces over about 2 s; a loaded machine may take longer

inside = os.environ.get(IN_NETNS) == "1"
CASES = ["netns_advertise_browse_and_resolve", "netns_hub_local_answers_for_phones",
         "netns_rogue_aggregator_is_listed_but_trusted_with_nothing",
         "netns_address_goes_away_and_comes_back", "netns_hub_delivers_to_the_aggregator_it_discovers",
         "netns_aggregator_run_advertises_and_proves_its_key"]


@pytest.mark.skipif(inside or not can_unshare("--net"), reason="needs root and unshare --net")
@pytest.mark.parametrize("case", CASES)
def test_discovery_in_a_private_network_namespace(case):
    result = pytest_in_network_namespace(f"tests/test_discovery.py::{case}")
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert "1 passed" in result.stdout, result.stdout


def test_txt_records__carry_role_id_version_and_key_id_only():
    assert discovery.txt_records("hub", HUB_ID, HUB_KEY) == {
        "role": "hub", "id": HUB_ID, "version": discovery.PROTOCOL_VERSION, "key_id": HUB_KEY}
    assert discovery.service_name("hub", HUB_ID) == f"hub-{HUB_ID[:12]}.{discovery.SERVICE_TYPE}"
    with pytest.raises(ValueError):
        discovery.txt_records("village", HUB_ID, HUB_KEY)


@pytest.mark.parametrize("value", ["0.0.0.0", "224.0.0.251", "255.255.255.255", "hub.local", "",
                                   "0.0.0.0/0", "8.8.0.0/16"])
def test_lan_address__refuses_anything_but_one_address_or_one_private_network(value):
    with pytest.raises(discovery.DiscoveryError):
        discovery.Discovery("hub", HUB_ID, HUB_KEY, value, 8080)


def test_discovery__waits_for_an_address_it_does_not_have_and_sends_nothing():
    # 192.0.2.0/24 is for documentation: no interface here has it, so zeroconf is never opened.
    found = discovery.Discovery("hub", HUB_ID, HUB_KEY, "192.0.2.7", 8080, check_every=0.05).start()
    try:
        assert found.wait_for(lambda status: status.attempts, 5)
        status = found.status()
        assert not status.running and status.interfaces == [] and status.peers == []
        assert "waiting for an address 192.0.2.7" in status.attempts[0][1]
    finally:
        found.stop()


def test_discovery__waiting_for_its_address__keeps_zeroconf_out_of_memory():
    """A hub whose Wi-Fi address is not up (or that serves without it) never loads zeroconf, whose compiled
    modules are about 3 MB resident; it loads when the address appears (the namespace cases above)."""
    import subprocess
    import sys

    probe = ("import sys; from federation import discovery; "
             f"found = discovery.Discovery('hub', {HUB_ID!r}, {HUB_KEY!r}, '192.0.2.7', 8080, check_every=0.05); "
             "found.start(); found.wait_for(lambda status: len(status.attempts) > 0, 5); found.stop(); "
             "print(found.status().attempts[0][1]); "
             "print(sorted({name for name in sys.modules if name.split('.')[0] == 'zeroconf'}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == ["waiting for an address 192.0.2.7 on an interface", "[]"]


# -- inside the namespace (collected there with -o python_functions=netns_)

def _aggregator(address=LAPTOP_ADDRESS, node_id=AGGREGATOR_ID, key_id=AGGREGATOR_KEY, port=8090):
    return discovery.Discovery(discovery.AGGREGATOR, node_id, key_id, address, port, browse=False,
                               check_every=0.2).start()


def _hub(trust=lambda peer: False, on_trusted=None, **kwargs):
    return discovery.Discovery(discovery.HUB, HUB_ID, HUB_KEY, HUB_ADDRESS, 8080, hostname="hub",
                               trust=trust, on_trusted=on_trusted, check_every=0.2, **kwargs).start()


def _peer(status, role):
    return next((peer for peer in status.peers if peer.role == role), None)


def netns_advertise_browse_and_resolve():
    from zeroconf import ServiceBrowser, Zeroconf

    aggregator = _aggregator()
    names = []
    zc = Zeroconf(interfaces=[HUB_ADDRESS])
    try:
        browser = ServiceBrowser(zc, discovery.SERVICE_TYPE, handlers=[
            lambda zeroconf, service_type, name, state_change: names.append(name)])
        hub = _hub()
        try:
            assert hub.wait_for(lambda status: _peer(status, "aggregator"), WAIT), hub.status()
            peer = _peer(hub.status(), "aggregator")
            assert (peer.id, peer.key_id, peer.version, peer.address, peer.port) == (
                AGGREGATOR_ID, AGGREGATOR_KEY, "1", LAPTOP_ADDRESS, 8090)
            assert not peer.trusted and hub.status().interfaces == [f"{HUB_ADDRESS} (lan0)"]
        finally:
            hub.stop()
        name = discovery.service_name("aggregator", AGGREGATOR_ID)
        assert name in names
        info = zc.get_service_info(discovery.SERVICE_TYPE, name, timeout=5000)
        assert {key.decode(): value.decode() for key, value in info.properties.items()} == {
            "role": "aggregator", "id": AGGREGATOR_ID, "version": "1", "key_id": AGGREGATOR_KEY}
        assert info.parsed_addresses() == [LAPTOP_ADDRESS] and info.port == 8090
        browser.cancel()
    finally:
        zc.close()
        aggregator.stop()


def netns_hub_local_answers_for_phones():
    from zeroconf import AddressResolver, Zeroconf

    hub = _hub()
    zc = Zeroconf(interfaces=[LAPTOP_ADDRESS])
    try:
        assert hub.wait_for(lambda status: status.running, WAIT)
        resolver = AddressResolver("hub.local.")
        assert resolver.request(zc, 5000)
        assert resolver.parsed_addresses() == [HUB_ADDRESS]
    finally:
        zc.close()
        hub.stop()


def netns_rogue_aggregator_is_listed_but_trusted_with_nothing():
    pinned = _aggregator()
    rogue = _aggregator(node_id="c" * 32, key_id="3" * 16, port=8091)
    called = []
    hub = _hub(trust=lambda peer: peer.id == AGGREGATOR_ID and peer.key_id == AGGREGATOR_KEY,
               on_trusted=lambda peer: called.append(peer.id) or "sent 0")
    try:
        assert hub.wait_for(lambda status: len([p for p in status.peers if p.role == "aggregator"]) == 2, WAIT)
        peers = {peer.id: peer for peer in hub.status().peers}
        assert peers[AGGREGATOR_ID].trusted and peers[AGGREGATOR_ID].note == "sent 0"
        assert not peers["c" * 32].trusted and "nothing sent" in peers["c" * 32].note
        assert called == [AGGREGATOR_ID]
    finally:
        hub.stop()
        pinned.stop()
        rogue.stop()


def netns_address_goes_away_and_comes_back():
    import subprocess

    aggregator = _aggregator()
    called = []
    hub = _hub(trust=lambda peer: True, on_trusted=lambda peer: called.append(peer.id))
    try:
        assert hub.wait_for(lambda status: status.running and called, WAIT)
        subprocess.run(["ip", "addr", "del", f"{HUB_ADDRESS}/24", "dev", "lan0"], check=True)
        assert hub.wait_for(lambda status: not status.running, WAIT)
        assert hub.status().interfaces == []
        subprocess.run(["ip", "addr", "add", f"{HUB_ADDRESS}/24", "dev", "lan0"], check=True)
        # Back on the network: zeroconf is opened again and the aggregator is seen (and acted on) again.
        discovery.DELIVER_AGAIN_AFTER = 0.0
        assert hub.wait_for(lambda status: status.running and len(called) >= 2, WAIT), hub.status()
        notes = [what for _, what in hub.status().attempts]
        assert any("went away" in note for note in notes)
        assert sum("advertising hub-" in note for note in notes) == 2
    finally:
        hub.stop()
        aggregator.stop()


def netns_hub_delivers_to_the_aggregator_it_discovers(app, tmp_path):
    """The district laptop (a real aggregator) joins the hub's Wi-Fi: the hub finds it and delivers at once.
    Before it, a rogue copying the laptop's TXT records (id and key id) is listed but receives nothing."""
    from datetime import datetime

    from federation import bundle, outbox, signing, transport
    from federation.aggregator.app import create_app as create_aggregator
    from federation.aggregator.enrol import issue_code
    from hub.db import database
    from hub.sharing.nearby import start_discovery
    from tests.loopback import serving

    district = create_aggregator({"DATA_DIR": str(tmp_path / "district"), "TESTING": True})
    pinned = district.extensions["aggregator_identity"]
    (tmp_path / "rogue").mkdir()
    rogue_identity = signing.load_or_create(tmp_path / "rogue", signing.AGGREGATOR)
    rogue_heard = []

    def rogue(environ, start_response):  # signs with its own key and takes anything it is sent
        length = int(environ.get("CONTENT_LENGTH") or 0)
        data = environ["wsgi.input"].read(length)
        rogue_heard.append(environ["PATH_INFO"])
        body = proof.seal_proof(rogue_identity, proof.read_challenge(data)) if (
            environ["PATH_INFO"] == proof.PROOF_PATH) else b"{}"
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    app.config.update(HUB_ADDRESS=HUB_ADDRESS, DISCOVERY=True, HOSTNAME="hub")
    with district.app_context():
        code = issue_code("Rampur")
    with serving(district, host=LAPTOP_ADDRESS) as url, \
            serving(rogue, host=LAPTOP_ADDRESS) as rogue_url:
        with app.app_context(), database.connection_context():
            me = signing.load_or_create(app.config["DATA_DIR"], signing.HUB)
            outbox.pin_aggregator(transport.enrol(url, bundle.seal_enrolment(me, code)),
                                  "http://10.42.0.9:8090",  # the laptop had another address at enrolment
                                  hub_id=me.id)
            row = outbox.enqueue(me, "2026-11", 1, {"tables": {}, "values": {}}, now=datetime(2026, 12, 2))
        copied = discovery.Discovery(discovery.AGGREGATOR, pinned.id, pinned.key_id, LAPTOP_ADDRESS,
                                     int(rogue_url.rsplit(":", 1)[1]), browse=False, check_every=0.2).start()
        hub = start_discovery(app, 8080)
        try:
            assert hub.wait_for(lambda status: any(peer.note for peer in status.peers), WAIT), hub.status()
            (seen,) = hub.status().peers
            assert seen.trusted and "did not prove" in seen.note  # the TXT records match, the key does not
            with app.app_context(), database.connection_context():
                assert outbox.OutboxBundle.get_by_id(row.id).state == "pending"
            copied.stop()
            real = discovery.advertise(pinned, discovery.AGGREGATOR, LAPTOP_ADDRESS, int(url.rsplit(":", 1)[1]))
            try:
                def delivered(status):
                    with app.app_context(), database.connection_context():
                        return outbox.OutboxBundle.get_by_id(row.id).state == "delivered"

                assert hub.wait_for(delivered, WAIT), hub.status()
            finally:
                real.stop()
        finally:
            hub.stop()
            copied.stop()
    with app.app_context(), database.connection_context():
        stored = outbox.OutboxBundle.get_by_id(row.id)
        assert (stored.route, stored.last_error) == ("http", "")
    assert rogue_heard == [proof.PROOF_PATH]  # the rogue was asked to prove its key, and sent nothing


def netns_aggregator_run_advertises_and_proves_its_key(tmp_path):
    """`communityhub aggregator run --advertise` (a district laptop in collector mode): hubs on the Wi-Fi see
    it with its real id and key id, and it signs their challenges with the key they pinned."""
    from federation import signing, transport
    from tests.test_federation_e2e import command, running_aggregator

    district = tmp_path / "district"
    assert command(["aggregator", "init"], district).returncode == 0
    identity = signing.load_or_create(district, signing.AGGREGATOR)
    with running_aggregator(district, 8090, host=LAPTOP_ADDRESS, options=("--advertise", LAPTOP_ADDRESS)):
        hub = _hub()
        try:
            assert hub.wait_for(lambda status: _peer(status, "aggregator"), WAIT), hub.status()
            peer = _peer(hub.status(), "aggregator")
        finally:
            hub.stop()
        assert (peer.id, peer.key_id, peer.url) == (identity.id, identity.key_id, f"http://{LAPTOP_ADDRESS}:8090")
        challenge = proof.new_challenge()
        status, body = transport.post(peer.url, proof.PROOF_PATH, proof.challenge_body(challenge))
        assert status == 200
        proof.open_proof(body, identity.public_key, identity.id, challenge)
        status, body = transport.post(peer.url, proof.PROOF_PATH, b'{"challenge": "not hex"}')
        assert status == 400 and b"malformed" in body


def test_aggregator_run__refuses_an_address_discovery_cannot_use(tmp_path):
    from tests.test_federation_e2e import command

    assert command(["aggregator", "init"], tmp_path).returncode == 0
    result = command(["aggregator", "run", "--advertise", "0.0.0.0"], tmp_path)
    assert result.returncode == 2 and "--advertise" in result.stderr and "0.0.0.0" in result.stderr
