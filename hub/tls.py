"""The village certificate authority and the hub's HTTPS certificate: made, renewed and described.

Browsers run service workers and WebCrypto only on a secure origin, so a phone can keep work away from the
hub's Wi-Fi only when it opens the hub over https. A self-signed certificate would need a warning clicked
through on every phone; instead each hub makes its own certificate authority (the "village CA"), which a
coordinator installs once in each phone's settings, and a server certificate signed by it.

What makes installing the village CA safe is its name constraint: it may vouch only for the hub's own name
(<HOSTNAME>.local and the names under it) and the hub's address on its Wi-Fi (HUB_ADDRESS). A phone refuses
any certificate it signs for another site, so even someone who copies its key from the SD card cannot use it
against the phone's bank or mail. docs/https.md explains the decision.

Everything lives in the data folder's tls/ folder: the two keys are 0600, the two certificates public.
`communityhub init` and `communityhub tls init` make what is missing; the server certificate lasts 397 days
(Chrome accepts at most 398) and is renewed 30 days before it ends, by the `tls.renew` job of a running hub
or by `communityhub tls renew`. The times are UTC and `now` is always passed in, so tests can move it.
"""

import hashlib
import ipaddress
import os
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from hub.instance import write_private
from hub.tlsfiles import RENEW_BEFORE, Files, Names, TlsError, exists, files, names_for  # noqa: F401 (hub.tls's names too)

BACKDATE = timedelta(days=1)             # a phone whose clock is a little behind still accepts a new certificate
CA_LIFETIME = timedelta(days=3650)       # installed once per phone: it should outlive the hub's SD card
CERT_LIFETIME = timedelta(days=397)      # from not-before (backdated) to not-after; Chrome's limit is 398
CA_WARN_BEFORE = timedelta(days=365)     # doctor warns a year ahead: every phone must install the next one


@dataclass(frozen=True)
class Made:
    """What ensure() did: made a new authority, a new server certificate, and why."""

    authority: bool
    certificate: bool
    reason: str


@dataclass(frozen=True)
class Status:
    """The certificates as a page or doctor shows them."""

    fingerprint: str          # SHA-256 of the village CA, as a phone's settings show it
    authority_ends: object    # aware datetimes
    certificate_ends: object
    certificate_names: str
    days_left: int            # of the server certificate


def fingerprint(certificate):
    """The certificate's SHA-256 fingerprint as colon-separated hex pairs (how Android shows it)."""
    digest = certificate.fingerprint(hashes.SHA256()).hex().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def spki_hash(certificate):
    """Base64 SHA-256 of the certificate's public key (Chromium's --ignore-certificate-errors-spki-list)."""
    import base64

    der = certificate.public_key().public_bytes(serialization.Encoding.DER,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode("ascii")


def load(path):
    """The PEM certificate at path."""
    return x509.load_pem_x509_certificate(Path(path).read_bytes())


def authority_der(data_dir):
    """The village CA in DER, the form Android's certificate installer reads."""
    return load(files(data_dir).ca_cert).public_bytes(serialization.Encoding.DER)


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Community Hub"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_authority(names, now):
    """(key, certificate) of a new village CA that may vouch for names only."""
    key = ec.generate_private_key(ec.SECP256R1())
    # The key id in the name tells two hubs' authorities apart in a phone's list of installed ones.
    key_id = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    subject = _name(f"Village CA {names.dns} {key_id.digest[:3].hex()}")
    permitted = [x509.DNSName(names.dns)] + [x509.IPAddress(ipaddress.ip_network(a)) for a in names.addresses]
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE).not_valid_after(now - BACKDATE + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None), critical=True)
        .add_extension(key_id, critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def make_certificate(names, authority_key, authority, now):
    """(key, certificate) of a server certificate for names, signed by the village CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    alternative = [x509.DNSName(names.dns)] + [x509.IPAddress(address) for address in names.addresses]
    certificate = (
        x509.CertificateBuilder().subject_name(_name(names.dns)).issuer_name(authority.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE).not_valid_after(now - BACKDATE + CERT_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(authority_key.public_key()),
                       critical=False)
        .sign(authority_key, hashes.SHA256())
    )
    return key, certificate


def permits(authority, names):
    """True when the village CA's name constraint covers every one of names."""
    constraint = authority.extensions.get_extension_for_class(x509.NameConstraints).value
    dns = {general.value for general in constraint.permitted_subtrees or () if isinstance(general, x509.DNSName)}
    networks = [general.value for general in constraint.permitted_subtrees or ()
                if isinstance(general, x509.IPAddress)]
    return (any(names.dns == d or names.dns.endswith("." + d) for d in dns)
            and all(any(address in network for network in networks) for address in names.addresses))


def names_of(certificate):
    """The Names a server certificate was made for."""
    alternative = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return Names(alternative.get_values_for_type(x509.DNSName)[0],
                 tuple(alternative.get_values_for_type(x509.IPAddress)))


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def _write_public(path, certificate):
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    temporary.chmod(0o644)
    os.replace(temporary, path)


def _load_key(path):
    return serialization.load_pem_private_key(Path(path).read_bytes(), password=None)


def _renewal_reason(found, names, now):
    """Why the server certificate must be made again, or "" when it is fine."""
    if not (found.cert.is_file() and found.key.is_file()):
        return "there was no server certificate"
    certificate, authority = load(found.cert), load(found.ca_cert)
    if certificate.issuer != authority.subject:
        return "the server certificate was signed by another village CA"
    if names_of(certificate) != names:
        return f"the hub's names changed to {names}"
    if certificate.not_valid_after_utc - now < RENEW_BEFORE:
        return f"the server certificate ends on {certificate.not_valid_after_utc:%Y-%m-%d}"
    return ""


def ensure(data_dir, names, now, new_authority=False, renew=False):
    """Make what is missing or due in data_dir's tls/ folder for names; -> Made.

    A village CA already installed on phones is kept unless new_authority: a new one must be installed on
    every phone again. When the settings name the hub differently from what the CA may vouch for, that is
    refused with the way out (TlsError). renew makes a new server certificate even when not due.
    """
    now = now.astimezone(UTC)
    found = files(data_dir)
    found.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    made_authority = new_authority or not (found.ca_cert.is_file() and found.ca_key.is_file())
    if made_authority:
        key, authority = make_authority(names, now)
        write_private(found.ca_key, _key_pem(key))  # the key first: a certificate without its key is useless
        _write_public(found.ca_cert, authority)
    else:
        authority = load(found.ca_cert)
        if not permits(authority, names):
            raise TlsError(f"the village CA may vouch only for the names it was made for, and the settings now "
                           f"name the hub {names}: make a new one with `communityhub tls init --new-ca` and install "
                           "it again on every phone (/phone-setup)")
    reason = "forced" if renew else _renewal_reason(found, names, now)
    if made_authority and not reason:
        reason = "a new village CA was made"
    if reason:
        key, certificate = make_certificate(names, _load_key(found.ca_key), authority, now)
        write_private(found.key, _key_pem(key))
        _write_public(found.cert, certificate)
    return Made(made_authority, bool(reason), reason)


def status(data_dir, now):
    """The Status of data_dir's certificates, or None when there are none."""
    found = files(data_dir)
    if not (found.ca_cert.is_file() and found.cert.is_file()):
        return None
    authority, certificate = load(found.ca_cert), load(found.cert)
    ends = certificate.not_valid_after_utc
    return Status(fingerprint(authority), authority.not_valid_after_utc, ends, str(names_of(certificate)),
                  (ends - now.astimezone(UTC)).days)
