"""What every page looks up (who is signed in, the village's name, which menu entries an account has), kept in
memory until the database changes.

Answers are keyed by the database file and its generation (hub.db: it grows with every commit in this
process), as hub.pagecache keys its pages: any write, of anything, makes every kept answer stale, so none
is older than the last write. The one exception appends what no kept answer may read: the audit trail of
opening a case (hub.db's unseen_write). A Pi serves every page of a village: these lookups were most of a page's
queries, and building their SQL text cost more than SQLite answering them.

Kept values are shared between waitress threads, so they must be immutable (str, bool, int, tuples of those):
a model instance is kept as its field values and rebuilt for each request.
"""

import functools
import threading

from hub import db

MAX_ENTRIES = 512  # a village's accounts times a few lookups; cleared whole when full
_caches = []  # every GenerationCache, for clear()


class GenerationCache:
    """A thread-safe map from key to value that empties itself when the database's generation moves."""

    def __init__(self, max_entries=MAX_ENTRIES):
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._stamp = None
        self._values = {}
        _caches.append(self)

    def get(self, key, make):
        """The kept value of key, or make() kept until the next write."""
        if db.database.in_transaction():  # a write under way must read what it has written
            return make()
        stamp = (db.database.database, db.database.generation)
        with self._lock:
            if self._stamp != stamp:
                self._values.clear()
                self._stamp = stamp
            if key in self._values:
                return self._values[key]
        value = make()  # outside the lock: a query may wait on SQLite
        with self._lock:
            # Kept only if nothing was written meanwhile (then the value may already be stale).
            if self._stamp == stamp:
                if len(self._values) >= self.max_entries:
                    self._values.clear()
                self._values[key] = value
        return value

    def clear(self):
        """Forget every value (tests and a restored database)."""
        with self._lock:
            self._values.clear()
            self._stamp = None


_cache = GenerationCache()


def until_written(function):
    """Decorate a function of hashable arguments whose immutable result depends only on the database."""
    @functools.wraps(function)
    def wrapper(*args):
        return _cache.get((function.__module__, function.__qualname__, *args), lambda: function(*args))
    return wrapper


def kept(key, make):
    """make() kept under key (a tuple naming what it is) until the next write."""
    return _cache.get(key, make)


def for_account(name, user, compute):
    """compute(user), kept per account until a write (an immutable answer, e.g. whether a menu entry shows)."""
    if user is None:
        return compute(user)
    return _cache.get(("account", name, user.id, user.role), lambda: compute(user))


def fields_of(query):
    """The first row of a model query as a tuple of (field, value) pairs, fit to keep; None when there is none."""
    row = query.dicts().first()
    return tuple(row.items()) if row else None


def instance(model, fields):
    """A fresh model instance from kept fields (None stays None), as if just loaded: nothing is dirty."""
    if fields is None:
        return None
    row = model(__no_default__=1, **dict(fields))
    row._dirty.clear()
    return row


def clear():
    """Forget every kept answer (of every GenerationCache)."""
    for cache in _caches:
        cache.clear()
