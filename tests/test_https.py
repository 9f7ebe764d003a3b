"""HTTPS beside plain http: a real `communityhub run` serving both, a phone that trusts only the village CA
reaching https://hub.local, the client's own address seen by the app, one session cookie per scheme, the
phone set-up page in each state, and the certificate renewed under a running listener."""

import http.client
import os
import re
import socket
import sqlite3
import ssl
from contextlib import closing
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from cryptography import x509

from hub import https, tls
from hub.db import DATABASE_FILE
from tests.hubprocess import PASSWORDS, HubProcess, seed
from tests.server import LOOPBACK, free_port, run_command

PHONE_ADDRESS = "127.0.0.2"  # the phone's own address: any 127.x is loopback, so the hub sees another peer


class HubLocal(http.client.HTTPSConnection):
    """HTTPS to hub.local, reached at 127.0.0.1 as the hub's own DNS would answer, from source: the chain and
    the name hub.local are checked by OpenSSL against the village CA only."""

    def __init__(self, port, cafile, source=LOOPBACK, hostname="hub.local"):
        super().__init__(hostname, port, context=ssl.create_default_context(cafile=str(cafile)), timeout=30)
        self.source = source

    def connect(self):
        sock = socket.create_connection((LOOPBACK, self.port), self.timeout, (self.source, 0))
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class Phone:
    """A phone on the https side: cookies kept by name, requests sent with the page's origin as Referer."""

    def __init__(self, port, cafile, source=LOOPBACK):
        self.port, self.cafile, self.source = port, cafile, source
        self.origin = f"https://hub.local:{port}"
        self.cookies = {}
        self.set_cookies = []

    def request(self, method, path, form=None):
        connection = HubLocal(self.port, self.cafile, self.source)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Referer": self.origin + path}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or ():
            self.set_cookies.append(header)
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name] = value
        return response.status, response.headers, data

    def sign_in(self, username, password):
        _, _, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1).decode()
        return self.request("POST", "/login", {"username": username, "password": password, "csrf_token": token})


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A set-up hub with its certificates, served by `communityhub run` on http and https (module-scoped)."""
    data_dir = seed(tmp_path_factory.mktemp("https") / "instance")
    run_command(["tls", "init"], data_dir)
    port = free_port()
    hub = HubProcess(data_dir, env={**os.environ, "COMMUNITYHUB_HTTPS_PORT": str(port)})
    try:
        hub.start()
        yield hub, port, tls.files(data_dir).ca_cert
    finally:
        hub.close()


def test_real_server__the_chain_and_hub_local_validate_with_the_village_ca_only(served):
    hub, port, cafile = served
    status, _, body = Phone(port, cafile).request("GET", "/healthz")
    assert status == 200 and b'"status":"ok"' in body
    assert "Serving HTTPS on https://127.0.0.1" in hub.output()
    with pytest.raises(ssl.SSLCertVerificationError, match="(?i)hostname|match"):
        HubLocal(port, cafile, hostname="bank.example").connect()
    system = ssl.create_default_context()  # the system's roots only: a phone without the village CA
    with socket.create_connection((LOOPBACK, port)) as sock, pytest.raises(ssl.SSLCertVerificationError):
        system.wrap_socket(sock, server_hostname="hub.local")


def test_real_server__plain_http_still_serves_the_same_app(served):
    hub, _, _ = served
    import requests

    answer = requests.get(hub.url + "/healthz", timeout=30)
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


def test_real_server__the_app_sees_the_phones_own_address_over_https(served):
    hub, port, cafile = served
    status, _, _ = Phone(port, cafile, source=PHONE_ADDRESS).sign_in("coordinator", "not the password")
    assert status == 401  # the form again, with its error
    with closing(sqlite3.connect(hub.data_dir / DATABASE_FILE)) as connection:
        addresses = [row[0] for row in connection.execute(
            "SELECT client_address FROM audit_event WHERE action = 'sign_in.failed'")]
    assert PHONE_ADDRESS in addresses  # the sign-in throttle and the concern limit count per this address


def test_real_server__signed_in_over_https__secure_cookie_and_the_page_says_set_up(served):
    _, port, cafile = served
    phone = Phone(port, cafile)
    status, headers, _ = phone.sign_in("coordinator", PASSWORDS["coordinator"])
    assert status == 302, headers
    session = [c for c in phone.set_cookies if c.startswith("__Host-hub_session=")][-1]
    assert "Secure" in session and "HttpOnly" in session and "Path=/" in session and "Domain" not in session
    assert not any(c.startswith("hub_session=") for c in phone.set_cookies)
    status, _, page = phone.request("GET", "/phone-setup")
    assert status == 200 and b"This phone is set up" in page


def test_listener__a_renewed_certificate_is_served_without_a_restart(app, tmp_path):
    data_dir = app.config["DATA_DIR"]
    tls.ensure(data_dir, tls.names_for(app.config), datetime.now(UTC) - timedelta(days=380))  # 16 days left
    port = free_port()
    listener = https.HttpsListener(app, LOOPBACK, port, data_dir, threads=2).start()
    app.extensions[https.EXTENSION] = listener
    cafile = tls.files(data_dir).ca_cert
    try:
        first = _served_serial(port, cafile)
        outcome = https.renew(app, datetime.now())
        assert outcome.startswith("renewed") and "serving the certificate now on disk" in outcome
        assert _served_serial(port, cafile) == tls.load(tls.files(data_dir).cert).serial_number != first
        assert https.renew(app, datetime.now()) == "not due"
    finally:
        listener.stop()


def test_listener__cheroot_reads_its_certificate_trusting_the_village_ca_alone(app):
    """cheroot checks its certificate once through a loopback handshake: with the village CA as the chain its
    client loads one certificate, not the system's whole CA store (about 1 MB kept while the hub runs); a
    hub whose CA certificate went missing still serves."""
    data_dir = app.config["DATA_DIR"]
    tls.ensure(data_dir, tls.names_for(app.config), datetime.now(UTC))
    found = tls.files(data_dir)
    assert https.HttpsListener(app, LOOPBACK, free_port(), data_dir, 2).server.ssl_adapter.certificate_chain == \
        str(found.ca_cert)
    kept = found.ca_cert.rename(found.folder.parent / "village-ca-kept.crt")  # the phones' copy still trusts it
    port = free_port()
    listener = https.HttpsListener(app, LOOPBACK, port, data_dir, 2).start()
    try:
        assert listener.server.ssl_adapter.certificate_chain is None
        assert _served_serial(port, kept) == tls.load(found.cert).serial_number
    finally:
        listener.stop()


def _served_serial(port, cafile):
    connection = HubLocal(port, cafile)
    try:
        connection.connect()
        return x509.load_der_x509_certificate(connection.sock.getpeercert(binary_form=True)).serial_number
    finally:
        connection.close()


def test_renew_job__nothing_to_do_without_a_certificate(app):
    assert https.renew(app, datetime.now()) == "no certificate (HTTPS is off)"
    assert not tls.files(app.config["DATA_DIR"]).folder.exists()


def test_renew_job__names_beyond_the_ca_are_one_line_for_the_log(app):
    from hub.jobs import JobProblem

    tls.ensure(app.config["DATA_DIR"], tls.names_for(app.config), datetime.now(UTC))
    app.config["HUB_ADDRESS"] = "10.9.9.1"
    with pytest.raises(JobProblem, match="--new-ca"):
        https.renew(app, datetime.now())


def test_renew_job__a_day_with_nothing_due_keeps_x509_out_of_the_serving_process(app):
    """The job runs 3 minutes after every start and daily: on the days nothing is due it reads the certificate
    with the standard library, so the hub does not keep cryptography (about 9 MB) loaded for nothing."""
    import subprocess
    import sys

    data_dir = app.config["DATA_DIR"]
    tls.ensure(data_dir, tls.names_for(app.config), datetime.now(UTC))
    probe = ("import sys; from datetime import datetime; from hub import https; from hub.app import create_app; "
             f"app = create_app({{'DATA_DIR': {str(data_dir)!r}}}); print(https.renew(app, datetime.now())); "
             "print(sorted({name.split('.')[0] for name in sys.modules if name.startswith('cryptography')}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == ["not due", "[]"]


# The phone set-up page (the Flask test client: base_url "https://..." is a request over https).

def test_setup_page__without_a_certificate(login_as):
    client = login_as("member")
    page = client.get("/phone-setup").get_data(as_text=True)
    assert "This hub has no certificate yet" in page and "communityhub tls init" in page
    assert client.get("/phone-setup/village-ca.crt").status_code == 404


def test_setup_page__https_turned_off__says_so_not_that_the_certificate_is_missing(app, login_as):
    tls.ensure(app.config["DATA_DIR"], tls.names_for(app.config), datetime.now(UTC))
    app.config["HTTPS_PORT"] = 0
    page = login_as("member").get("/phone-setup").get_data(as_text=True)
    assert "HTTPS is turned off on this hub" in page and "HTTPS_PORT" in page
    assert "no certificate yet" not in page and "Download the village certificate" not in page


def test_setup_page__over_http__the_steps_the_fingerprint_and_the_download(app, login_as):
    tls.ensure(app.config["DATA_DIR"], tls.names_for(app.config), datetime.now(UTC))
    authority = tls.load(tls.files(app.config["DATA_DIR"]).ca_cert)
    client = login_as("facilitator")
    page = client.get("/phone-setup").get_data(as_text=True)
    assert tls.fingerprint(authority) in page and "https://hub.local:8443/" in page
    assert "Download the village certificate" in page and "This phone is set up" not in page
    assert "hub.local, 10.42.0.1" in page  # what the CA may vouch for, and nothing else
    download = client.get("/phone-setup/village-ca.crt")
    assert download.status_code == 200 and download.headers["Content-Type"] == "application/x-x509-ca-cert"
    assert x509.load_der_x509_certificate(download.data) == authority
    assert b"PRIVATE" not in download.data


def test_setup_page__in_the_readers_language(app, login_as):
    tls.ensure(app.config["DATA_DIR"], tls.names_for(app.config), datetime.now(UTC))
    page = login_as("member").get("/phone-setup", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Descargue el certificado de la aldea" in page


def test_setup_page__for_signed_in_people_only__linked_from_the_menu(app, client, login_as):
    assert client.get("/phone-setup").headers["Location"].startswith("/login")
    assert client.get("/phone-setup/village-ca.crt").headers["Location"].startswith("/login")
    assert 'href="/phone-setup"' in login_as("member").get("/").get_data(as_text=True)


def test_session_cookie__one_per_scheme__secure_over_https_only(app):
    secure, plain = app.test_client(), app.test_client()
    secure.get("/login", base_url="https://hub.local")
    plain.get("/login")
    assert secure.get_cookie("__Host-hub_session", domain="hub.local").secure
    assert secure.get_cookie("hub_session", domain="hub.local") is None
    assert not plain.get_cookie("hub_session").secure
    assert plain.get_cookie("__Host-hub_session") is None



def test_run__https_port_taken__one_line_and_no_server(tmp_path):
    import subprocess

    from tests.server import default_executable, hub_environment

    data_dir = seed(tmp_path / "instance")
    run_command(["tls", "init"], data_dir)
    with socket.socket() as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([default_executable(), "run", "--host", LOOPBACK, "--port", str(free_port()),
                                 "--https-port", str(port)], env=hub_environment(data_dir), capture_output=True,
                                text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 1 and f"cannot listen for HTTPS on {LOOPBACK}:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_serving__starts_https_without_cryptographys_x509():
    """The serving process checks and loads its certificate with the standard library only: X.509 parsing
    (about 9 MB resident on a Pi with 1 GB) loads when the renewal job or the set-up page needs it."""
    import subprocess
    import sys

    probe = ("import sys; import hub.cli, hub.https, hub.jobs; "
             "print(sorted(name for name in sys.modules if name.startswith('cryptography.x509')))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
