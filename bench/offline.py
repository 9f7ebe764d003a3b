"""Work away from the hub (issue 24): the weight of the service worker and the outbox script a phone
downloads once, and what a browser without JavaScript downloads for the home page compared with the same
page without the two offline tags (the manifest link and the outbox script)."""

import gzip
import re

from bench import loopback, page

SCRIPTS = ("/sw.js", "/static/outbox.js")
OFFLINE_TAGS = re.compile(rb'<link rel="manifest" href="[^"]*">\n|<script src="[^"]*/outbox\.js" defer></script>\n')


def _compressed(body):
    return len(gzip.compress(body, 9, mtime=0))


def offline_weight(session):
    """The service worker and the outbox script: each fetched once with gzip offered, and its bytes gzipped at
    level 9 (the budget, whether or not the hub compresses them). A browser without JavaScript on a first visit
    to `/`: every body it downloads except scripts and the manifest (which it never uses), and the difference
    the offline tags make to the home page's HTML as transferred (the HTML gzipped when the hub sends it
    gzipped)."""
    from bench.measures import Row  # late: bench.measures imports this module

    port = session.server("hub").port
    rows, total = [], 0
    for path in SCRIPTS:
        reply = loopback.get(port, path, page.BROWSER_HEADERS)
        body = page.decoded(reply)
        size = _compressed(body)
        total += size
        rows.append(Row(f"`{path}` ({reply.status}), gzipped", size / 1024, "KB",
                        note=f"{len(body)} bytes uncompressed, {len(reply.body)} as transferred"))
    rows.append(Row("service worker + outbox script, gzipped", total / 1024, "KB", "offline_scripts_kb",
                    f"{total} bytes"))
    weight = page.weigh(port)
    no_script = [item for item in weight.resources
                 if "javascript" not in item.content_type and "manifest" not in item.content_type]
    rows.append(Row(f"first visit to `/` without JavaScript: {len(no_script)} bodies",
                    sum(item.body_bytes for item in no_script) / 1024, "KB"))
    reply = loopback.get(port, "/", page.BROWSER_HEADERS)
    html = page.decoded(reply)
    today = OFFLINE_TAGS.sub(b"", html)
    gzipped = reply.header("Content-Encoding").lower() == "gzip"
    delta = (_compressed(html) - _compressed(today)) if gzipped else len(html) - len(today)
    rows.append(Row("home page HTML: added by the offline tags, as transferred", delta, "bytes",
                    "offline_no_js_delta_bytes", f"{len(html) - len(today)} bytes uncompressed"))
    return rows

