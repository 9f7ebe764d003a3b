"""gzip for pages, stylesheets, scripts and icons over 1 KB, when the browser accepts it.

The village Wi-Fi is slow and shared: an attendance roster of 80 shrinks from 13 KB to under 3 KB. zlib is
in the standard library (no extension to build on the Pi) and every phone browser accepts gzip. A body that
does not change between requests (a stylesheet, the visitors' cached home page) is compressed once and kept.
A signed-in page (no-store) is compressed quickly; it is the same on a session's next views until the next write
(its parts are kept: hub.shell, hub.memo), so its gzip is kept too, by the digest of its bytes, apart from the
bodies above so that many sessions' pages do not push those out.
"""

import functools
import hashlib
import threading
import zlib

from flask import request
from werkzeug.http import parse_accept_header

MIN_BYTES = 1024  # below this the gzip header and the CPU are not worth it
# A body compressed once and kept (a stylesheet, the visitors' home page) takes the smallest form. A signed-in
# page is compressed on every view: zlib's level 1 takes a third of the CPU of its default (6) for about a
# fifth more bytes (measured: a roster of 1,000 children, 139 KB, to 16.5 KB in 0.5 ms, against 13.3 KB in
# 1.5 ms; a roster of 80 stays under 3 KB), and the Pi's one CPU serves every phone of the village.
KEPT_LEVEL = 9
LEVEL = 1
COMPRESSIBLE = frozenset(("text/html", "text/css", "image/svg+xml", "text/javascript", "application/javascript",
                          "application/json", "application/manifest+json", "text/plain"))
MAX_KEPT = 64
MAX_KEPT_PAGES = 64  # the pages of a village's sessions open now, 3 KB apiece compressed (16 KB at most)


class Kept:
    """A small thread-safe map from a body's digest to its gzip at level, cleared whole when full."""

    def __init__(self, max_entries=MAX_KEPT, level=KEPT_LEVEL):
        self.max_entries, self.level = max_entries, level
        self._lock = threading.Lock()
        self._bodies = {}

    def gzip_of(self, body):
        # A digest costs about a sixth of compressing at level 1 (measured on 12 KB of HTML).
        key = hashlib.blake2b(body, digest_size=16).digest()
        with self._lock:
            found = self._bodies.get(key)
        if found is None:
            found = gzip_bytes(body, self.level)
            with self._lock:
                if len(self._bodies) >= self.max_entries:
                    self._bodies.clear()
                self._bodies[key] = found
        return found


def gzip_bytes(body, level=LEVEL):
    """body in the gzip format (RFC 1952), which every browser reads."""
    packer = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # 16+: a gzip header, not zlib's
    return packer.compress(body) + packer.flush()


def wanted(response):
    """True when this response should leave compressed."""
    return (response.status_code == 200 and response.mimetype in COMPRESSIBLE
            and "Content-Encoding" not in response.headers and "Content-Range" not in response.headers
            and request.method != "HEAD" and accepts_gzip(request.headers.get("Accept-Encoding", "")))


@functools.lru_cache(maxsize=64)  # a village's browsers send a handful of different headers
def accepts_gzip(accept_encoding):
    """True when an Accept-Encoding header accepts gzip (parsed as werkzeug parses it)."""
    return parse_accept_header(accept_encoding).quality("gzip") > 0


def init_app(app):
    kept, pages = Kept(), Kept(MAX_KEPT_PAGES, LEVEL)

    @app.after_request
    def compress(response):
        if not wanted(response):
            return response
        source = response.response
        response.direct_passthrough = False  # a static file: read it whole (the hub's files are small)
        body = response.get_data()
        if hasattr(source, "close"):  # the file it was read from
            source.close()
        if len(body) < MIN_BYTES:
            return response
        same_every_time = "no-store" not in response.headers.get("Cache-Control", "")
        response.set_data((kept if same_every_time else pages).gzip_of(body))
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        etag, weak = response.get_etag()
        if etag and not weak:  # the same file in another encoding: no longer byte for byte the same
            response.set_etag(etag, weak=True)
        return response
