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


def run(port, path, requests, clients, time_cap_s, headers=None):
    """GET path `requests` times from `clients` threads, each on its own keep-alive connection."""
    result = LoadResult()
    lock = threading.Lock()
    tickets = [requests]
    deadline = time.perf_counter() + time_cap_s

    def take_ticket():
        with lock:
            if tickets[0] <= 0:
                return False
            if time.perf_counter() > deadline:
                result.capped = True
                return False
            tickets[0] -= 1
            return True

    def client():
        connection = None
        while take_ticket():
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
            with lock:
                if reply is not None and reply.status == 200:
                    result.latencies.append(took)
                else:
                    result.failures += 1
        if connection:
            connection.close()

    threads = [threading.Thread(target=client, name=f"bench-client-{n}", daemon=True) for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline + JOIN_GRACE_S - time.perf_counter()))
    result.elapsed_s = time.perf_counter() - began
    if any(thread.is_alive() for thread in threads):  # stuck past the grace: left behind, and said so
        result.capped = True
    return result
