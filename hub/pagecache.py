"""Pages for visitors with no account, rendered once and served from memory until anything changes.

The home page (emergency numbers) is what every phone opens first, and a Pi serves a whole village.
A cached page is keyed by its path, language and today's date, and by the database's generation, which
grows with every commit: any write, of anything, makes every cached page stale. Signed-in pages,
pages with a message waiting, and anything but a 200 are never cached.
"""

import functools
import threading

from flask import g, make_response, request, session
from flask_babel import get_locale

from hub import clock, db

MAX_PAGES = 64


class PageCache:
    """A small thread-safe map from key to (body, headers); cleared whole when full."""

    def __init__(self, max_pages=MAX_PAGES):
        self.max_pages = max_pages
        self._lock = threading.Lock()
        self._pages = {}

    def get(self, key):
        with self._lock:
            return self._pages.get(key)

    def put(self, key, page):
        with self._lock:
            if len(self._pages) >= self.max_pages:
                self._pages.clear()
            self._pages[key] = page


_cache = PageCache()


def cached_for_visitors(view):
    """Serve view's page from memory to visitors with no account while nothing has changed."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.method != "GET" or g.get("user") is not None or session.get("_flashes"):
            return view(*args, **kwargs)
        key = (db.database.database, db.database.generation, request.full_path, str(get_locale()),
               clock.today())
        page = _cache.get(key)
        if page is None:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or "Set-Cookie" in response.headers:
                return response
            page = (response.get_data(), response.mimetype)
            _cache.put(key, page)
        body, mimetype = page
        return make_response(body, 200, {"Content-Type": f"{mimetype}; charset=utf-8"})
    return wrapper
