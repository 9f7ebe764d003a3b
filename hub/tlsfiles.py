"""Where the hub's certificates live and what it answers to: the part of hub.tls that needs no cryptography.

The hub checks at every start whether it can serve https (`exists`) and where the files are (`files`), and the
daily renewal job whether there is anything to do (`current`); loading cryptography's X.509 for that would add
about 9 MB to every process, kept for as long as it runs. Making, renewing and describing the certificates is
hub.tls.
"""

import ipaddress
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

FOLDER = "tls"
CA_KEY_FILE, CA_CERT_FILE = "village-ca.key", "village-ca.crt"
KEY_FILE, CERT_FILE = "hub.key", "hub.crt"
RENEW_BEFORE = timedelta(days=30)  # the daily job renews the server certificate this long before its end


class TlsError(Exception):
    """The certificates cannot be made or used as asked; str() says why and what to do."""


@dataclass(frozen=True)
class Names:
    """What the hub answers to: its .local name and its address on its own Wi-Fi."""

    dns: str
    addresses: tuple

    def __str__(self):
        return ", ".join([self.dns, *map(str, self.addresses)])


@dataclass(frozen=True)
class Files:
    """The four files of one data folder."""

    folder: Path

    @property
    def ca_key(self):
        return self.folder / CA_KEY_FILE

    @property
    def ca_cert(self):
        return self.folder / CA_CERT_FILE

    @property
    def key(self):
        return self.folder / KEY_FILE

    @property
    def cert(self):
        return self.folder / CERT_FILE


def files(data_dir):
    """The tls/ folder of a data folder."""
    return Files(Path(data_dir) / FOLDER)


def names_for(values):
    """The Names of a hub from its settings {NAME: value} (HOSTNAME, HUB_ADDRESS)."""
    try:
        address = ipaddress.IPv4Address(values["HUB_ADDRESS"])
    except ValueError:
        raise TlsError(f"HUB_ADDRESS {values['HUB_ADDRESS']!r} is not an IPv4 address") from None
    hostname = values["HOSTNAME"].strip().lower()
    if not hostname or not all(part.isascii() and part.replace("-", "").isalnum() for part in hostname.split(".")):
        raise TlsError(f"HOSTNAME {values['HOSTNAME']!r} is not a host name")
    return Names(f"{hostname}.local", (address,))


def exists(data_dir):
    """True when the hub has both its server certificate and key (HTTPS can be served)."""
    found = files(data_dir)
    return found.cert.is_file() and found.key.is_file()


def current(data_dir, names, now):
    """True when the server certificate on disk is signed by the village CA on disk, made for names, and not
    due for renewal at now; False when hub.tls must look closer (and perhaps renew)."""
    found = files(data_dir)
    if not all(path.is_file() for path in (found.cert, found.key, found.ca_cert, found.ca_key)):
        return False
    try:
        certificate, authority = _read(found.cert), _read(found.ca_cert)
        alternative = certificate.get("subjectAltName", ())
        made_for = Names(next((value for kind, value in alternative if kind == "DNS"), ""),
                         tuple(ipaddress.ip_address(value.strip()) for kind, value in alternative
                               if kind == "IP Address"))
        ends = datetime.fromtimestamp(ssl.cert_time_to_seconds(certificate["notAfter"]), UTC)
    except (AttributeError, KeyError, OSError, ValueError, ssl.SSLError):
        return False  # unreadable here: hub.tls decides
    return (certificate.get("issuer") == authority.get("subject") and made_for == names
            and ends - now.astimezone(UTC) >= RENEW_BEFORE)


def _read(path):
    # The standard library's own certificate reader: what ssl's getpeercert() returns (cheroot reads the
    # served certificate with it too). It is private, so a Python without it falls back to hub.tls.
    return ssl._ssl._test_decode_cert(str(path))  # noqa: SLF001
