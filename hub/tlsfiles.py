"""Where the hub's certificates live and what it answers to: the part of hub.tls that needs no cryptography.

The hub checks at every start whether it can serve https (`exists`) and where the files are (`files`); loading
cryptography's X.509 for that would add about 9 MB to every process. Making, renewing and describing the
certificates is hub.tls.
"""

import ipaddress
from dataclasses import dataclass
from pathlib import Path

FOLDER = "tls"
CA_KEY_FILE, CA_CERT_FILE = "village-ca.key", "village-ca.crt"
KEY_FILE, CERT_FILE = "hub.key", "hub.crt"


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
