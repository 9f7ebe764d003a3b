"""The `communityhub` command's entry point: what a serving process keeps out of memory, before anything loads.

A Pi 3B+ has 1 GB for the whole village server. When the command serves the hub (`run`, `demo`):

- the PostgreSQL and MySQL drivers are kept out: peewee imports any it finds when it is imported, and the hub
  only ever uses SQLite (psycopg2, installed for the district aggregator's tests, is 8 MB resident);
- glibc's allocator returns big blocks at once: a password hash takes 16 MB (hub.auth.service), which glibc
  would otherwise keep in each thread's arena after the first sign-ins, and all threads share one arena;
- once the hub listens, `trim()` hands back to the system what starting left free in the allocator's heap
  (the start-up checks read the whole database through SQLite's page cache, then close it).

Every other command (the aggregator's among them) runs as it would without this module.
"""

import sys

SERVING = ("run", "demo")
UNUSED_DRIVERS = ("psycopg2", "psycopg", "psycopg2cffi", "pymysql", "MySQLdb", "mysql", "mysql.connector")
M_ARENA_MAX, M_MMAP_THRESHOLD = -8, -3  # mallopt parameters, from glibc's malloc.h
ARENAS = 1  # the GIL lets one thread allocate at a time anyway: one arena, no per-thread leftovers
MMAP_THRESHOLD = 1024 * 1024  # blocks from 1 MB up are mapped on their own and unmapped when freed


def tune_allocator():
    """Fix glibc's mmap threshold and cap its arenas; True when done (False on another C library)."""
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_ARENA_MAX, ARENAS))


def trim():
    """Return the free pages of glibc's heap to the system (malloc_trim); True when some were returned."""
    import ctypes

    try:
        malloc_trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # musl, macOS: nothing to do
        return False
    return bool(malloc_trim(0))


def main():
    """Run `communityhub` (hub.cli), lighter when it serves the hub."""
    if sys.argv[1:2] and sys.argv[1] in SERVING:
        for name in UNUSED_DRIVERS:
            sys.modules.setdefault(name, None)  # None: `import name` raises ImportError, as if not installed
        tune_allocator()
    from hub.cli import main as cli

    return cli()
