"""Latency under load: a fixed number of GETs shared by concurrent keep-alive clients, under a time cap."""

import math
import threading
import time
from dataclasses import dataclass, field

from bench import loopback

WARM_UP_REQUESTS = 10   # untimed: the first renders compile templates and fill caches
JOIN_GRACE_S = 15.0     # beyond the cap, for requests in flight (each has a 10 s socket timeout)


@dataclass
class LoadResult:
    """Latencies (seconds) of the requests that got a 200, and what went wrong with the others."""

    latencies: list = field(default_factory=list)
    failures: int = 0
    elapsed_s: float = 0.0
    capped: bool = False

    def percentile_ms(self, percent):
        """The nearest-rank percentile in milliseconds, or None when no request succeeded."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)] * 1000

    def rate(self):
        """Successful requests per second over the whole run."""
        return len(self.latencies) / self.elapsed_s if self.elapsed_s else None


def warm_up(port, path, headers=None):
    """A few sequential requests, untimed."""
    for _ in range(WARM_UP_REQUESTS):
        try:
            loopback.get(port, path, headers)
        except loopback.ERRORS:
            pass


class _Tickets:
    """The requests still to make, shared by the clients, and the result they fill in, under one lock."""

    def __init__(self, requests, deadline, result):
        self.left, self.deadline, self.result = requests, deadline, result
        self.lock = threading.Lock()

    def take(self):
        """True while a request is left to make and the time cap has not passed."""
        with self.lock:
            if self.left <= 0:
                return False
            if time.perf_counter() > self.deadline:
                self.result.capped = True
                return False
            self.left -= 1
            return True

    def count(self, reply, took):
        with self.lock:
            if reply is not None and reply.status == 200:
                self.result.latencies.append(took)
            else:
                self.result.failures += 1


def _client(port, path, headers, tickets):
    """One keep-alive client: a request per ticket, a fresh connection after an error."""
    connection = None
    while tickets.take():
        took = None
        try:
            connection = connection or loopback.connect(port)
            began = time.perf_counter()
            reply = loopback.request(connection, "GET", path, headers)
            took = time.perf_counter() - began
        except loopback.ERRORS:
            reply = None
            if connection:
                connection.close()
            connection = None  # a fresh connection for the next ticket
        tickets.count(reply, took)
    if connection:
        connection.close()


def run(port, path, requests, clients, time_cap_s, headers=None):
    """GET path `requests` times from `clients` threads, each on its own keep-alive connection."""
    result = LoadResult()
    deadline = time.perf_counter() + time_cap_s
    tickets = _Tickets(requests, deadline, result)
    threads = [threading.Thread(target=_client, args=(port, path, headers, tickets), name=f"bench-client-{n}",
                                daemon=True) for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline + JOIN_GRACE_S - time.perf_counter()))
    result.elapsed_s = time.perf_counter() - began
    if any(thread.is_alive() for thread in threads):  # stuck past the grace: left behind, and said so
        result.capped = True
    return result
