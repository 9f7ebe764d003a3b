"""The everyday pages with nothing kept: each request right after a write by another process.

The hub keeps what pages read (and some whole pages) until the next write (hub/memo.py); the latency measure
loads each page many times between writes, so it mostly measures kept answers. In a village a write comes
with every saved roster, concern or entry, so this measure shows the other end: before each request the bench
commits one row to the hub's database through a connection of its own, as a command run beside the server
would, which the hub notices at its next request (hub.db.CommitWatcher) and which drops everything kept.
"""

import sqlite3
from contextlib import closing

from bench import loopback

REQUESTS = 40  # a page, one at a time; the CPU figure is over all of them (the clock tick of /proc is 10 ms)
# A write that changes nothing a page shows: the village's name set to itself still commits a transaction.
TOUCH = "UPDATE village SET name = name WHERE id = 1"


def touch(data_dir):
    """Commit one write to the hub's database from this process."""
    with closing(sqlite3.connect(data_dir / "hub.sqlite3", timeout=30)) as connection:
        connection.execute(TOUCH)
        connection.commit()


def cpu_per_request(server, path, headers, data_dir):
    """Server CPU milliseconds per request of path on one keep-alive connection, each request right after a
    write; None when a request did not get a 200."""
    used = 0.0
    with closing(loopback.connect(server.port)) as connection:
        for _ in range(REQUESTS):
            touch(data_dir)
            before = server.cpu_s()
            reply = loopback.request(connection, "GET", path, headers)
            used += server.cpu_s() - before
            if reply.status != 200:
                return None
    return used / REQUESTS * 1000


def after_write(session, targets, hello_ms):
    """[(label, ratio or None, note)]: each page of the village's hub (of the latency measure's targets), its
    server CPU per request right after a write over hello world's CPU per request (hello_ms)."""
    found = []
    for target in targets:
        if target.server is not session.server("hub") or target.headers is None:
            continue  # hello world, the visitor's home (kept by nothing), the big village's hub
        ms = cpu_per_request(target.server, target.path, target.headers, session.data_dir)
        note = "a request did not get a 200" if ms is None else f"{REQUESTS} requests, each after a write"
        found.append((target.label, ms / hello_ms if ms is not None and hello_ms else None, note))
    return found
