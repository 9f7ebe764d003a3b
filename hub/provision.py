"""`communityhub provision render`: the Raspberry Pi's configuration, rendered from the hub's settings.

Every file the install script puts in place is rendered here, from templates/provisioning/, so it can be
read and tested before it touches a Pi. A setting that would make an invalid file (an SSID too long, an
address outside the private ranges) is refused before anything is written.

These files are installed as root, so text people type in the hub's pages (the village name) never goes
into them: a coordinator is not the Pi's administrator. The only user text is the Wi-Fi name, checked for
its one context (a NetworkManager keyfile value); every other value is a checked setting or a constant.
As a last guard, any rendered value holding a line break or a control character stops the render
(`_one_line`): no value can add a line (an `ExecStartPre=+...`) to a unit, a script or a rule.
"""

import ipaddress
import os
import re
import secrets
import string
import uuid
from dataclasses import dataclass
from pathlib import Path

import jinja2

from hub.paths import asset_dir

WIFI_PASSPHRASE_FILE = "wifi-passphrase"
PASSPHRASE_ALPHABET = "".join(c for c in string.ascii_lowercase + string.digits if c not in "l1o0")
PASSPHRASE_LENGTH = 16  # about 80 bits; lowercase and digits without look-alikes, to type from a poster
INSTALL_DIR = "/opt/communityhub"
STATE_DIR = "/var/lib/communityhub"
AGGREGATOR_STATE_DIR = "/var/lib/communityhub-aggregator"  # on the district machine
MEDIA_DIR = "/media/communityhub"  # where USB sticks are mounted for the hub (under MEDIA_DIRS' /media)
USER = "communityhub"
HOSTNAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
INTERFACE = re.compile(r"^[A-Za-z0-9_.-]{1,15}$")
SSID_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f;\\]")
# Line breaks and control characters, including Unicode's own line and paragraph separators.
NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
# (template, where the install script puts it, mode)
FILES = (
    ("communityhub.service", "etc/systemd/system/communityhub.service", 0o644),
    ("communityhub-backup.service", "etc/systemd/system/communityhub-backup.service", 0o644),
    ("communityhub-backup.timer", "etc/systemd/system/communityhub-backup.timer", 0o644),
    ("communityhub-backup-to-sticks", "usr/local/sbin/communityhub-backup-to-sticks", 0o755),
    ("communityhub-ap.nmconnection", "etc/NetworkManager/system-connections/communityhub-ap.nmconnection", 0o600),
    ("communityhub-captive.conf", "etc/NetworkManager/dnsmasq-shared.d/communityhub-captive.conf", 0o644),
    ("hostname", "etc/hostname", 0o644),
    ("communityhub-journald.conf", "etc/systemd/journald.conf.d/communityhub.conf", 0o644),
    ("communityhub-set-clock", "usr/local/sbin/communityhub-set-clock", 0o755),
    ("communityhub-clock.rules", "etc/polkit-1/rules.d/50-communityhub-clock.rules", 0o644),
    # USB sticks: mounted for the hub on Raspberry Pi OS Lite, which mounts nothing by itself.
    ("communityhub-usb.rules", "etc/udev/rules.d/99-communityhub-usb.rules", 0o644),
    ("communityhub-usb-mount@.service", "etc/systemd/system/communityhub-usb-mount@.service", 0o644),
    ("communityhub-usb-mount", "usr/local/sbin/communityhub-usb-mount", 0o755),
    ("communityhub-media.conf", "etc/tmpfiles.d/communityhub-media.conf", 0o644),
    # For the district's machine: rendered here so one command makes every unit; the hub never installs it.
    ("communityhub-aggregator.service", "etc/systemd/system/communityhub-aggregator.service", 0o644),
)


class ProvisionError(Exception):
    """A setting that would render an invalid configuration; str() says which and why."""


@dataclass(frozen=True)
class Plan:
    """Everything the templates need, checked."""

    village: str
    hostname: str
    ssid: str
    passphrase: str  # "" for an open network
    interface: str
    address: str
    uuid: str
    data_dir: str = STATE_DIR
    install_dir: str = INSTALL_DIR
    user: str = USER
    aggregator_data_dir: str = AGGREGATOR_STATE_DIR
    media_dir: str = MEDIA_DIR


def wifi_passphrase(data_dir):
    """The hub's WPA2 passphrase, generated once and kept 0600 in the data folder."""
    from hub.instance import write_private

    path = Path(data_dir) / WIFI_PASSPHRASE_FILE
    if not path.exists():
        write_private(path, "".join(secrets.choice(PASSPHRASE_ALPHABET) for _ in range(PASSPHRASE_LENGTH)) + "\n")
    return path.read_text(encoding="utf-8").strip()


def plan_for(values, village_name, data_dir):
    """The checked Plan for a hub's settings {NAME: value} and village name ("" before set-up)."""
    village = village_name or "Community Hub"
    hostname = values["HOSTNAME"]
    if not HOSTNAME.match(hostname):
        raise ProvisionError(f"HOSTNAME {hostname!r}: use 1 to 63 lowercase letters, digits and inner hyphens")
    ssid = values["WIFI_SSID"].strip() or f"Community Hub {village_name}".strip()
    if len(ssid.encode("utf-8")) > 32:
        if values["WIFI_SSID"].strip():
            raise ProvisionError(f"WIFI_SSID {ssid!r} is {len(ssid.encode())} bytes long: a Wi-Fi name has at most 32")
        ssid = ssid.encode("utf-8")[:32].decode("utf-8", "ignore").strip()
    if not values["WIFI_SSID"].strip():  # made from the village name, which a coordinator typed
        ssid = SSID_FORBIDDEN.sub("", NOT_ONE_LINE.sub("", ssid)).strip() or "Community Hub"
    if SSID_FORBIDDEN.search(ssid) or NOT_ONE_LINE.search(ssid):
        raise ProvisionError(f"WIFI_SSID {ssid!r}: no control characters, semicolons or backslashes")
    interface = values["WIFI_INTERFACE"]
    if not INTERFACE.match(interface):
        raise ProvisionError(f"WIFI_INTERFACE {interface!r} is not a network device name")
    try:
        address = ipaddress.IPv4Address(values["HUB_ADDRESS"])
    except ValueError:
        raise ProvisionError(f"HUB_ADDRESS {values['HUB_ADDRESS']!r} is not an IPv4 address") from None
    network = ipaddress.IPv4Network(f"{address}/24", strict=False)
    if not address.is_private or address.is_loopback or address in (network.network_address,
                                                                      network.broadcast_address):
        raise ProvisionError(f"HUB_ADDRESS {address}: use a private address such as 10.42.0.1, not the first "
                             "or last of its /24")
    passphrase = "" if values["WIFI_OPEN"] else wifi_passphrase(data_dir)
    # The connection's identity stays the same from one render to the next (NetworkManager keys on it).
    connection_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"communityhub:{hostname}:{interface}"))
    return Plan(village=village, hostname=hostname, ssid=ssid, passphrase=passphrase, interface=interface,
                address=str(address), uuid=connection_id)


def _one_line(value):
    """Every value a template prints: refused if it could start a new line of a root-owned file."""
    if NOT_ONE_LINE.search(str(value)):
        raise ProvisionError(f"{value!r} holds a line break or a control character: it cannot go into a "
                             "configuration file")
    return value


def _environment():
    return jinja2.Environment(loader=jinja2.FileSystemLoader(asset_dir("templates") / "provisioning"),
                              autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True, finalize=_one_line)


def rendered(plan):
    """[(relative path, mode, text)] of every file, rendered in memory."""
    environment = _environment()
    return [(target, mode, environment.get_template(name).render(**plan.__dict__)) for name, target, mode in FILES]


def render(plan, out_dir):
    """Write every file under out_dir as it would sit under / on the Pi; return their relative paths."""
    files = rendered(plan)  # everything renders before anything is written
    out_dir = Path(out_dir)
    for target, mode, text in files:
        path = out_dir / target
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, mode)  # whatever the umask
        os.replace(temporary, path)
    return [target for target, _, _ in files]
