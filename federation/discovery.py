"""Zeroconf discovery: hubs and aggregators find each other on a local network, and phones find `hub.local`.

Data flow: the hub's outbox -> (an aggregator it is enrolled with appears on the network) -> the caller's
`on_trusted` delivers at once to the discovered address -> the receipts it gets back are verified with the
pinned key, as always. Discovery only ever shortens the wait; it never decides what is delivered.

Every node advertises `_communityhub._tcp.local.` with TXT records `role` (hub | aggregator | relay), `id`,
`version` (the protocol version) and `key_id`: never a village name or anything about people, since mDNS
reaches everyone on the network (DECISIONS, "Discovery"). A discovered peer is untrusted: `trust(peer)`
(the caller's rule: the aggregator id and key id the hub pinned) decides whether `on_trusted(peer)` runs;
any other peer is only listed in `status` for the coordinator. TXT records can be copied, so the caller
also asks the peer to sign a fresh challenge (federation/proof.py) before sending it anything.

Zeroconf is bound to one configured address (the hub's own LAN address), never the default interface
choice. A `Discovery` runs in its own thread: it waits for that address to exist, opens zeroconf on it,
closes it when the address goes away and opens it again (re-registering) when it comes back, and retries
failures with a bounded backoff. Nothing starts at import or construction; `start()` and `stop()` do.
"""

import collections
import ipaddress
import logging
import queue
import socket
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import ifaddr

log = logging.getLogger(__name__)

SERVICE_TYPE = "_communityhub._tcp.local."
PROTOCOL_VERSION = "1"
ROLES = HUB, AGGREGATOR, RELAY = "hub", "aggregator", "relay"
TXT_KEYS = ("role", "id", "version", "key_id")

CHECK_EVERY = 5.0           # seconds between two looks at the address
MAX_BACKOFF = 300.0         # the longest wait between two attempts after a failure
RESOLVE_TIMEOUT_MS = 3000   # how long one peer's records are awaited
DELIVER_AGAIN_AFTER = 60.0  # a peer that re-announces is acted on again at most this often (seconds)
HISTORY = 20                # attempts and errors kept for the coordinator's page
MAX_PEERS = 50              # peers listed; the oldest seen is forgotten first


class DiscoveryError(Exception):
    """Discovery cannot run as configured (no usable address); str() says what to set."""


@dataclass
class Peer:
    """A node seen on the network, from its TXT records; nothing about it is trusted until `trusted`."""

    name: str
    role: str
    id: str
    key_id: str
    version: str
    address: str
    port: int
    seen_at: datetime
    trusted: bool = False
    note: str = ""
    present: bool = True

    @property
    def url(self):
        return f"http://{self.address}:{self.port}"


@dataclass
class Status:
    """What discovery did, for the coordinator's page: started, bound addresses, last error, peers seen."""

    role: str
    address: str
    started_at: datetime | None = None
    running: bool = False
    interfaces: list = field(default_factory=list)
    last_error: str = ""
    last_error_at: datetime | None = None
    attempts: list = field(default_factory=list)   # (when, what) newest last
    peers: list = field(default_factory=list)      # Peer, most recently seen first


def txt_records(role, node_id, key_id):
    """The TXT records a node advertises: role, id, protocol version and key id, nothing else."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    return {"role": role, "id": node_id, "version": PROTOCOL_VERSION, "key_id": key_id}


def service_name(role, node_id):
    """The instance name: role and the start of the random id, never a place or a person."""
    return f"{role}-{node_id[:12]}.{SERVICE_TYPE}"


def lan_address(value):
    """The address to bind to, or the network to find it in (a laptop on a hub's Wi-Fi gets its address by
    DHCP); refuses the wildcard and anything that is not one host's address or one private network."""
    text = str(value).strip()
    try:
        wanted = ipaddress.ip_network(text, strict=False) if "/" in text else ipaddress.IPv4Address(text)
    except ValueError:
        raise DiscoveryError(f"{value!r} is not an IPv4 address or network: give the LAN address "
                             "(the hub: setting HUB_ADDRESS)") from None
    if isinstance(wanted, ipaddress.IPv4Network):
        if wanted.prefixlen < 8 or not wanted.is_private:
            raise DiscoveryError(f"{wanted} is not one local network: give the LAN's network, e.g. 10.42.0.0/24")
        return wanted
    if not isinstance(wanted, ipaddress.IPv4Address) or wanted.is_unspecified or wanted.is_multicast \
            or str(wanted) == "255.255.255.255":
        raise DiscoveryError(f"{value} is not one host's address: give the LAN address (discovery never "
                             "picks an interface by itself)")
    return wanted


def address_present(wanted):
    """(address, adapter name, adapter index) of the local address that is `wanted` (an address) or lies in
    it (a network) right now, or None."""
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if not ip.is_IPv4:
                continue
            address = ipaddress.IPv4Address(ip.ip)
            if address == wanted or (isinstance(wanted, ipaddress.IPv4Network) and address in wanted
                                     and address != wanted.network_address):
                return str(address), adapter.nice_name, adapter.index
    return None


def peer_from(info, now):
    """A Peer from a resolved ServiceInfo, or None when its TXT records are not ours."""
    props = {key.decode("utf-8", "replace"): (value or b"").decode("utf-8", "replace")
             for key, value in (info.properties or {}).items()}
    if props.get("role") not in ROLES or not props.get("id") or not props.get("key_id"):
        return None
    addresses = info.parsed_addresses()
    if not addresses or not info.port:
        return None
    return Peer(name=info.name, role=props["role"], id=props["id"][:64], key_id=props["key_id"][:64],
                version=props.get("version", "")[:16], address=addresses[0], port=info.port, seen_at=now)


def _utcnow():
    return datetime.now(UTC)


class Discovery:
    """Advertise this node, browse for others, and act on trusted ones, in a thread of its own.

    role, node_id, key_id: what the TXT records say. address, port: where this node serves (address is
    also the only one zeroconf binds to). hostname: also answer `<hostname>.local` with the address (the
    hub, for phones). trust(peer) -> bool and on_trusted(peer) -> note are called in this object's thread,
    never in zeroconf's; browse=False only advertises (an aggregator).
    """

    def __init__(self, role, node_id, key_id, address, port, hostname=None, trust=None, on_trusted=None,
                 browse=True, clock=_utcnow, check_every=CHECK_EVERY, max_backoff=MAX_BACKOFF):
        self.role, self.node_id, self.key_id = role, node_id, key_id
        self.wanted, self.port = lan_address(address), int(port)
        self.hostname = hostname
        self.trust, self.on_trusted = trust or (lambda peer: False), on_trusted
        self.browse, self.clock = browse, clock
        self.check_every, self.max_backoff = check_every, max_backoff
        self.txt = txt_records(role, node_id, key_id)
        self._status = Status(role=role, address=str(self.wanted))
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._found = queue.Queue(maxsize=100)
        self._acted = {}       # (peer name, url) -> monotonic time it was last acted on
        self._zc = self._browser = None
        self._where = None     # (address, adapter, index) zeroconf was opened on
        self._thread = None

    # -- the caller's side

    def start(self):
        """Start the discovery thread; returns at once (never blocks a page or the server's start)."""
        if self._thread is not None:
            raise RuntimeError("a Discovery is started once")
        with self._lock:
            self._status.started_at = self.clock()
        self._thread = threading.Thread(target=self._run, name=f"discovery-{self.role}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout=10.0):
        """Withdraw the advertisement and stop the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def status(self):
        """A copy of the status, safe to read from any thread."""
        with self._lock:
            copy = replace(self._status, interfaces=list(self._status.interfaces),
                           attempts=list(self._status.attempts),
                           peers=[replace(peer) for peer in self._status.peers])
        copy.peers.sort(key=lambda peer: peer.seen_at, reverse=True)
        return copy

    def wait_for(self, predicate, timeout):
        """Wait up to timeout seconds until predicate(status()) holds; -> bool (for tests and the CLI)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.status()):
                return True
            time.sleep(0.05)
        return predicate(self.status())

    # -- the thread

    def _run(self):
        backoff, waiting_noted = 1.0, False
        while not self._stop.is_set():
            wait = self.check_every
            try:
                where = address_present(self.wanted)
                if where is None:
                    if self._zc is not None:
                        self._close(f"the address {self._where[0]} went away: stopped advertising")
                    if not waiting_noted:
                        self._note(f"waiting for an address {self.wanted} on an interface")
                        waiting_noted = True
                elif self._zc is not None and where != self._where:
                    self._close(f"the address changed to {where[0]} ({where[1]}): advertising again")
                    self._open(where)
                elif self._zc is None:
                    self._open(where)
                    waiting_noted = False
                backoff = 1.0
            except Exception as exc:  # zeroconf and sockets fail in many ways; say so and try again later
                self._error(exc)
                self._close_quietly()
                wait, backoff = backoff, min(backoff * 2, self.max_backoff)
            self._serve_found(wait)
        self._close("stopped")

    def _open(self, where):
        # zeroconf (its compiled modules are about 3 MB resident) loads when the address first exists, not
        # with the hub: a hub waiting for its Wi-Fi, or serving without it, never needs it.
        from zeroconf import ServiceBrowser, ServiceInfo, Zeroconf

        address, adapter = where[0], where[1]
        self._note(f"opening zeroconf on {address} ({adapter})")
        zc = Zeroconf(interfaces=[address])
        try:
            server = f"{self.hostname}.local." if self.hostname else None
            info = ServiceInfo(SERVICE_TYPE, service_name(self.role, self.node_id),
                               addresses=[socket.inet_aton(address)], port=self.port,
                               properties=self.txt, server=server)
            zc.register_service(info, allow_name_change=True)
            browser = ServiceBrowser(zc, SERVICE_TYPE, handlers=[self._on_change]) if self.browse else None
        except BaseException:
            zc.close()
            raise
        self._zc, self._browser, self._where = zc, browser, where
        with self._lock:
            self._status.running = True
            self._status.interfaces = [f"{address} ({adapter})"]
        self._note(f"advertising {service_name(self.role, self.node_id)} on {address}"
                   + (f" and {self.hostname}.local" if self.hostname else ""))

    def _close(self, why):
        if self._zc is None:
            return
        self._close_quietly()
        self._note(why)

    def _close_quietly(self):
        zc, browser = self._zc, self._browser
        self._zc = self._browser = self._where = None
        with self._lock:
            self._status.running = False
            self._status.interfaces = []
        try:
            if browser is not None:
                browser.cancel()
            if zc is not None:
                zc.close()  # unregisters (goodbye packets) while the address still exists
        except Exception as exc:
            log.debug("closing zeroconf: %s", exc)

    def _on_change(self, zeroconf, service_type, name, state_change):
        """Zeroconf's browser thread: resolve the peer and hand it over; act on nothing here."""
        from zeroconf import ServiceStateChange  # loaded by _open already

        try:
            if state_change is ServiceStateChange.Removed:
                self._forget(name)
                return
            info = zeroconf.get_service_info(service_type, name, timeout=RESOLVE_TIMEOUT_MS)
            peer = peer_from(info, self.clock()) if info else None
            if peer is not None and peer.id != self.node_id:
                self._found.put_nowait(peer)
        except queue.Full:
            pass  # a flood of announcements: the next one will do
        except Exception as exc:
            self._error(exc)

    def _serve_found(self, wait):
        deadline = time.monotonic() + wait
        while not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                peer = self._found.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            self._act(peer)

    def _act(self, peer):
        try:
            peer.trusted = bool(self.trust(peer))
            # By name and address: a node answering at another address under the same name (the real
            # laptop after a copy of its advertisement) is acted on at once, not a minute later.
            seen = (peer.name, peer.url)
            last = self._acted.get(seen)
            if peer.trusted and self.on_trusted and (last is None
                                                     or time.monotonic() - last > DELIVER_AGAIN_AFTER):
                if len(self._acted) > MAX_PEERS:
                    self._acted.clear()
                self._acted[seen] = time.monotonic()
                self._note(f"{peer.role} {peer.id[:12]} at {peer.url}: trusted (pinned key), delivering")
                peer.note = str(self.on_trusted(peer) or "")
            elif peer.trusted:
                peer.note = self._previous_note(peer.name)
            elif peer.role == AGGREGATOR:
                peer.note = "not the aggregator this hub is enrolled with: nothing sent"
        except Exception as exc:
            peer.note = f"failed: {exc}"
            self._error(exc)
        self._remember(peer)

    def _previous_note(self, name):
        with self._lock:
            return next((known.note for known in self._status.peers if known.name == name), "")

    def _remember(self, peer):
        with self._lock:
            peers = [known for known in self._status.peers if known.name != peer.name]
            peers.insert(0, peer)
            self._status.peers = peers[:MAX_PEERS]

    def _forget(self, name):
        with self._lock:
            for known in self._status.peers:
                if known.name == name:
                    known.present = False

    def _note(self, what):
        log.info("discovery: %s", what)
        with self._lock:
            attempts = collections.deque(self._status.attempts, maxlen=HISTORY)
            attempts.append((self.clock(), what))
            self._status.attempts = list(attempts)

    def _error(self, exc):
        text = f"{type(exc).__name__}: {exc}"
        log.warning("discovery: %s", text)
        with self._lock:
            self._status.last_error, self._status.last_error_at = text, self.clock()
        self._note(f"failed: {text}")


def advertise(identity, role, where, port):
    """Start advertising identity (an aggregator or relay, which browse for nothing) on the LAN address or
    network `where`; -> the started Discovery, to stop() when the server stops."""
    return Discovery(role, identity.id, identity.key_id, where, port, browse=False).start()
