"""The village CA and the HTTPS certificate (hub.tls): made at init, private keys 0600, a name constraint that
keeps the CA to the hub's own names, a certificate Chrome accepts, renewal, `communityhub tls`, doctor."""

import ipaddress
import socket
import ssl
import stat
import threading
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from hub import doctor, tls, tlsfiles

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
HUB = tls.Names("hub.local", (ipaddress.IPv4Address("10.42.0.1"),))


def made(folder, now=NOW, names=HUB, **options):
    tls.ensure(folder, names, now, **options)
    return tls.files(folder)


def verifier(authority, name, now=NOW):
    """cryptography's X.509 path validation, with the village CA as the only trusted root."""
    return PolicyBuilder().store(Store([authority])).time(now).build_server_verifier(name)


def test_init__makes_the_ca_and_the_certificate__private_keys_0600(runner, data_dir):
    output = runner.invoke(["init"]).output
    found = tls.files(data_dir)
    assert "Made a new village CA" in output and tls.fingerprint(tls.load(found.ca_cert)) in output
    for key in (found.ca_key, found.key):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key
    for certificate in (found.ca_cert, found.cert):
        assert stat.S_IMODE(certificate.stat().st_mode) == 0o644
        assert b"PRIVATE KEY" not in certificate.read_bytes()
    assert stat.S_IMODE(found.folder.stat().st_mode) == 0o700
    again = runner.invoke(["init"]).output
    assert "Made" not in again  # nothing replaced: phones keep the CA they installed


def test_certificate__the_hub_validates_for_its_name_and_address(tmp_path):
    found = made(tmp_path)
    authority, certificate = tls.load(found.ca_cert), tls.load(found.cert)
    for name in (x509.DNSName("hub.local"), x509.IPAddress(ipaddress.IPv4Address("10.42.0.1"))):
        chain = verifier(authority, name).verify(certificate, [])
        assert chain[-1] == authority
    with pytest.raises(VerificationError):
        verifier(authority, x509.DNSName("other.local")).verify(certificate, [])
    # ECDSA P-256 and at most 398 days from start to end (Chrome's limit for server certificates).
    assert isinstance(certificate.public_key().curve, type(tls.ec.SECP256R1()))
    assert certificate.not_valid_after_utc - certificate.not_valid_before_utc <= timedelta(days=398)
    assert certificate.not_valid_before_utc < NOW  # a phone a little behind accepts it at once


@pytest.mark.parametrize("names", [
    tls.Names("bank.example", (ipaddress.IPv4Address("10.42.0.1"),)),
    tls.Names("hub.local", (ipaddress.IPv4Address("10.42.0.2"),)),
    tls.Names("hub.local.evil.example", ()),
], ids=["another-site", "another-address", "suffix-trick"])
def test_name_constraint__the_ca_cannot_vouch_for_another_site(tmp_path, names):
    """Someone who copies the CA's key from the SD card can sign a certificate for any name, and every
    phone that installed the CA refuses it: the constraint, not the key's secrecy, is what keeps phones safe."""
    found = made(tmp_path)
    authority = tls.load(found.ca_cert)
    ca_key = serialization.load_pem_private_key(found.ca_key.read_bytes(), None)
    _, forged = tls.make_certificate(names, ca_key, authority, NOW)
    target = x509.DNSName(names.dns) if names.dns != "hub.local" else x509.IPAddress(names.addresses[0])
    with pytest.raises(VerificationError, match="(?i)constraint|subtree"):
        verifier(authority, target).verify(forged, [])


def test_name_constraint__openssl_refuses_a_forged_certificate_in_a_real_handshake(tmp_path):
    found = made(tmp_path, now=datetime.now(UTC))  # OpenSSL checks the dates by the real clock
    authority = tls.load(found.ca_cert)
    ca_key = serialization.load_pem_private_key(found.ca_key.read_bytes(), None)
    key, forged = tls.make_certificate(tls.Names("bank.example", ()), ca_key, authority, datetime.now(UTC))
    (tmp_path / "forged.crt").write_bytes(forged.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "forged.key").write_text(tls._key_pem(key))
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(tmp_path / "forged.crt", tmp_path / "forged.key")
    client_context = ssl.create_default_context(cafile=str(found.ca_cert))
    client, server = socket.socketpair()
    with client, server:
        thread = threading.Thread(target=_serve_handshake, args=(server_context, server), daemon=True)
        thread.start()
        with pytest.raises(ssl.SSLCertVerificationError, match="(?i)subtree|constraint"):
            client_context.wrap_socket(client, server_hostname="bank.example")
        client.close()
        thread.join(timeout=30)


def _serve_handshake(context, sock):
    try:
        context.wrap_socket(sock, server_side=True)
    except (ssl.SSLError, OSError):
        pass  # the client refused the certificate


def test_ca__constrained_critically_to_the_hubs_names(tmp_path):
    authority = tls.load(made(tmp_path).ca_cert)
    constraint = authority.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraint.critical
    assert set(constraint.value.permitted_subtrees) == {x509.DNSName("hub.local"),
                                                        x509.IPAddress(ipaddress.ip_network("10.42.0.1/32"))}
    assert authority.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length == 0


def test_renewal__a_month_before_the_end__the_ca_kept(tmp_path):
    found = made(tmp_path)
    fingerprint, first = tls.fingerprint(tls.load(found.ca_cert)), tls.load(found.cert)
    assert not tls.ensure(tmp_path, HUB, NOW + timedelta(days=300)).certificate
    renewal = tls.ensure(tmp_path, HUB, first.not_valid_after_utc - timedelta(days=29))
    assert renewal.certificate and not renewal.authority and "ends on" in renewal.reason
    assert tls.load(found.cert).serial_number != first.serial_number
    assert tls.fingerprint(tls.load(found.ca_cert)) == fingerprint


def test_names_changed__inside_the_constraint_renewed__outside_refused_until_a_new_ca(tmp_path):
    made(tmp_path)
    moved = tls.Names("hub.local", (ipaddress.IPv4Address("10.42.7.1"),))
    with pytest.raises(tls.TlsError, match="--new-ca"):
        tls.ensure(tmp_path, moved, NOW)
    again = tls.ensure(tmp_path, moved, NOW, new_authority=True)
    assert again.authority and again.certificate
    assert tls.names_of(tls.load(tls.files(tmp_path).cert)) == moved


def test_current__read_without_x509__agrees_with_tls_on_what_is_due(tmp_path):
    """The renewal job's daily look (hub.tlsfiles, standard library only) says "nothing to do" exactly when
    hub.tls would renew nothing; anything else goes to hub.tls."""
    found = made(tmp_path)
    ends = tls.load(found.cert).not_valid_after_utc
    assert tlsfiles.current(tmp_path, HUB, NOW)
    assert tlsfiles.current(tmp_path, HUB, ends - timedelta(days=31))
    assert not tlsfiles.current(tmp_path, HUB, ends - timedelta(days=29))  # tls renews it then
    assert not tlsfiles.current(tmp_path, tls.Names("other.local", HUB.addresses), NOW)
    assert not tlsfiles.current(tmp_path, tls.Names("hub.local", (ipaddress.IPv4Address("10.42.7.1"),)), NOW)
    other = made(tmp_path / "other")  # another village CA put in place of this one
    for name in ("ca_cert", "ca_key"):
        getattr(found, name).write_bytes(getattr(other, name).read_bytes())
    assert not tlsfiles.current(tmp_path, HUB, NOW)
    assert "another village CA" in tls.ensure(tmp_path, HUB, NOW).reason
    assert tlsfiles.current(tmp_path, HUB, NOW)
    found.cert.write_text("not a certificate", encoding="ascii")
    assert not tlsfiles.current(tmp_path, HUB, NOW)


def test_cli__tls_init_renew_and_a_new_ca(runner, data_dir):
    runner.invoke(["init"])
    found = tls.files(data_dir)
    fingerprint, serial = tls.fingerprint(tls.load(found.ca_cert)), tls.load(found.cert).serial_number
    assert "Made" not in runner.invoke(["tls", "init"]).output
    renewed = runner.invoke(["tls", "renew"])
    assert "Made the HTTPS certificate (forced)" in renewed.output
    assert tls.load(found.cert).serial_number != serial
    assert tls.fingerprint(tls.load(found.ca_cert)) == fingerprint
    (data_dir / "settings.toml").write_text('hub_address = "10.9.0.1"\n')
    refused = runner.invoke(["tls", "init"])
    assert refused.exit_code == 1 and "--new-ca" in refused.output
    replaced = runner.invoke(["tls", "init", "--new-ca"])
    assert "Made a new village CA" in replaced.output
    assert tls.fingerprint(tls.load(found.ca_cert)) != fingerprint


def test_doctor__the_certificates_state_and_days_left(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    missing = doctor.check_certificate(tmp_path, NOW)
    assert not missing.ok and "communityhub tls init" in missing.fix
    found = made(tmp_path)
    fresh = doctor.check_certificate(tmp_path, NOW)
    assert fresh.ok and "396 days left" in fresh.detail and tls.fingerprint(tls.load(found.ca_cert)) in fresh.detail
    late = doctor.check_certificate(tmp_path, NOW + timedelta(days=380))
    assert not late.ok and "16 days left" in late.detail and "communityhub tls renew" in late.fix
    found.key.chmod(0o644)
    loose = doctor.check_certificate(tmp_path, NOW)
    assert not loose.ok and f"chmod 600 {found.key}" == loose.fix
    found.key.chmod(0o600)
    (tmp_path / "settings.toml").write_text('hostname = "school"\n')
    renamed = doctor.check_certificate(tmp_path, NOW)
    assert not renamed.ok and "--new-ca" in renamed.fix
