"""systemd's notify protocol, for `Type=notify` and `WatchdogSec=` in the hub's unit.

systemd passes NOTIFY_SOCKET (and WATCHDOG_USEC when the unit has a watchdog) to the process it starts.
The hub says READY=1 once its socket listens, STOPPING=1 when it stops, and WATCHDOG=1 while it still
answers HTTP: the pinger asks the hub's own /healthz on loopback, so a server whose threads are all stuck
stops pinging and systemd restarts it. Any answer counts, a 503 too: a damaged database is for a person to
repair (`communityhub doctor`), and restarting in a loop would not help. Outside systemd every call is a
no-op, so `communityhub run` in a terminal behaves as before.
"""

import http.client
import os
import socket
import threading

PROBE_TIMEOUT = 10.0  # seconds for the hub to answer its own /healthz


def _socket_address(environ):
    address = environ.get("NOTIFY_SOCKET", "")
    if address.startswith("@"):  # an abstract socket (Linux)
        return "\0" + address[1:]
    return address


def notify(message, environ=None):
    """Send one notification ("READY=1", "WATCHDOG=1", ...) to systemd; False when not run by systemd."""
    address = _socket_address(os.environ if environ is None else environ)
    if not address:
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.sendto(message.encode("ascii"), address)
        except OSError:
            return False
    return True


def watchdog_interval(environ=None):
    """Seconds between two WATCHDOG=1 (a third of the unit's WatchdogSec), or None without a watchdog."""
    environ = os.environ if environ is None else environ
    try:
        usec = int(environ.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec / 3_000_000 if usec > 0 else None


def answers(host, port):
    """True when the hub's HTTP server answers GET /healthz, whatever the status."""
    connection = http.client.HTTPConnection(host, port, timeout=PROBE_TIMEOUT)
    try:
        connection.request("GET", "/healthz")
        connection.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        connection.close()


class Pinger:
    """A daemon thread that sends WATCHDOG=1 every interval while the hub answers on (host, port)."""

    def __init__(self, host, port, interval):
        self.host = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
        self.port, self.interval = port, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="systemd-watchdog", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=PROBE_TIMEOUT + self.interval)

    def _run(self):
        while not self._stop.wait(self.interval):
            if answers(self.host, self.port):
                notify("WATCHDOG=1")
