"""What a browser downloads on a first visit to a page: the HTML and each file it references, once.

References followed: stylesheets, icons and preloads (<link>), scripts, images, SVG <use>/<image>
sprites, and url()/@import inside stylesheets; /favicon.ico when the page names no icon, as browsers
then ask for it. References to other hosts are listed, never fetched.
"""

import gzip
import re
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from bench import loopback

# What a phone's browser sends; no "br": the standard library cannot decode it to follow references.
BROWSER_HEADERS = {"Accept": "text/html,*/*;q=0.8", "Accept-Encoding": "gzip, deflate",
                   "User-Agent": "communityhub-bench"}
MAX_RESOURCES = 50
LINK_RELS = {"stylesheet", "icon", "apple-touch-icon", "preload", "modulepreload", "manifest"}
SRC_TAGS = {"script", "img", "source", "iframe", "embed", "audio", "video"}
CSS_REFERENCES = re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


class References(HTMLParser):
    """The URLs an HTML page makes a browser fetch, in document order."""

    def __init__(self):
        super().__init__()
        self.urls, self.names_icon = [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            rels = set((attrs.get("rel") or "").lower().split())
            self.names_icon = self.names_icon or "icon" in rels
            url = attrs.get("href") if rels & LINK_RELS else None
        elif tag in SRC_TAGS or (tag == "input" and attrs.get("type") == "image"):
            url = attrs.get("src") or attrs.get("poster")
        elif tag in ("use", "image"):
            url = attrs.get("href") or attrs.get("xlink:href")
        else:
            url = None
        if url:
            self.urls.append(url)


@dataclass
class Resource:
    """One file fetched: its path, status, content type and sizes as transferred."""

    path: str
    status: int
    content_type: str
    body_bytes: int
    header_bytes: int


@dataclass
class Weight:
    """Everything a first visit downloads, and the references that point off the hub."""

    resources: list = field(default_factory=list)
    external: list = field(default_factory=list)

    def body_bytes(self):
        """Sum of response bodies as transferred."""
        return sum(resource.body_bytes for resource in self.resources)

    def header_bytes(self):
        """Sum of response status lines and headers."""
        return sum(resource.header_bytes for resource in self.resources)


def decoded(reply):
    """The body without its content encoding, to read references from."""
    encoding = reply.header("Content-Encoding").lower()
    if encoding == "gzip":
        return gzip.decompress(reply.body)
    if encoding == "deflate":
        return zlib.decompress(reply.body)
    return reply.body


def references(reply, is_page):
    """The URLs a browser fetches next because of this response."""
    text = decoded(reply).decode("utf-8", errors="replace")
    if is_page:
        parser = References()
        parser.feed(text)
        return parser.urls + ([] if parser.names_icon else ["/favicon.ico"])
    if "css" in reply.header("Content-Type"):
        return [url or imported for url, imported in CSS_REFERENCES.findall(text)]
    return []


def resolve(origin, base, url):
    """('local', path) on the hub, ('external', url) elsewhere, or None for data: and #fragment URLs."""
    url = url.strip()
    if not url or url.startswith(("data:", "#")):
        return None
    parts = urlsplit(urljoin(base, url))
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return ("external", parts.geturl())
    return ("local", parts.path + (f"?{parts.query}" if parts.query else ""))


def weigh(port, path="/"):
    """Fetch path and everything it references, once each, on one keep-alive connection."""
    origin = f"http://{loopback.HOST}:{port}"
    weight, queue, seen = Weight(), [path], set()
    connection = loopback.connect(port)
    try:
        while queue and len(weight.resources) < MAX_RESOURCES:
            target = queue.pop(0)
            if target in seen:
                continue
            seen.add(target)
            try:
                reply = loopback.request(connection, "GET", target, BROWSER_HEADERS)
            except loopback.ERRORS:  # the server closed the idle connection: once more on a new one
                connection.close()
                connection = loopback.connect(port)
                reply = loopback.request(connection, "GET", target, BROWSER_HEADERS)
            weight.resources.append(Resource(target, reply.status, reply.header("Content-Type"),
                                             len(reply.body), reply.header_bytes))
            for url in references(reply, is_page=target == path):
                found = resolve(origin, origin + target, url)
                if found and found[0] == "local":
                    queue.append(found[1])
                elif found and found[1] not in weight.external:
                    weight.external.append(found[1])
    finally:
        connection.close()
    return weight
