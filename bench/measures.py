"""The measures: each is a function of the session returning report rows, listed in MEASURES.

To add one: write `def roster(session)` whose docstring says how it measures, return Rows (a budgeted
row names its key in budgets.BUDGETS), and add it to MEASURES. The docstring becomes the method
paragraph under its table in docs/benchmarks.md.
"""

import statistics
from dataclasses import dataclass

from bench import load, page, signin

STARTS = 3  # start-ups per server; the last one stays up for the other measures
ROUNDS = 3  # load rounds per page, taken in turns
# Signed-in list pages timed under load: (path, demo username, BUDGETS key of p95 ÷ hello world p95
# or None). A page or sign-in the hub does not have yet is reported "not available". Add the roster
# and the ledgers here.
LIST_PAGES = (
    ("/accounts", "coordinator", None),
)


@dataclass
class Row:
    """One figure: value None means not available (the note says why); budget is a BUDGETS key or None."""

    label: str
    value: float | None
    unit: str
    budget: str | None = None
    note: str = ""


def ratio(ours, theirs):
    """ours / theirs, or None when either is missing."""
    return ours / theirs if ours is not None and theirs else None


def startup(session):
    """Time from spawning the server to its first 200 from `GET /healthz` (polled every 5 ms), 3 starts each."""
    times = {}
    for kind in ("hub", "hello"):
        samples = []
        for _ in range(STARTS - 1):
            server = session.start(kind)
            server.stop()
            samples.append(server.startup_s)
        samples.append(session.server(kind).startup_s)
        times[kind] = samples
    hub, hello = times["hub"], times["hello"]
    detail = ", ".join(f"{value:.3f}" for value in hub)
    return [
        Row(f"hub, slowest of {STARTS}", max(hub), "s", "startup_s", f"each start: {detail} s"),
        Row(f"hub, median of {STARTS}", statistics.median(hub), "s"),
        Row(f"hello world, median of {STARTS}", statistics.median(hello), "s"),
        Row("hub ÷ hello world (medians)", ratio(statistics.median(hub), statistics.median(hello)), "×"),
    ]


def load_note(runs, requests):
    """What to know about a page's load rounds besides their percentiles."""
    served = sum(len(run.latencies) for run in runs)
    rates = ", ".join(f"{run.rate():.0f}" if run.rate() else "0" for run in runs)
    notes = [f"{served} requests in {len(runs)} rounds; requests/s per round: {rates}"]
    failures = sum(run.failures for run in runs)
    if failures:
        notes.append(f"{failures} failed")
    if any(run.capped for run in runs):
        notes.append(f"a round stopped at the time cap before {requests} requests")
    return "; ".join(notes)


def median_of(values):
    """The median of the values that exist, or None."""
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def rounds_of(values):
    """Per-round figures for a note, e.g. 'rounds: 5.1, 4.8, 6.0'."""
    return "rounds: " + ", ".join("n/a" if value is None else f"{value:.2f}" for value in values)


@dataclass
class Target:
    """A page loaded in the latency measure."""

    label: str
    server: object
    path: str
    headers: dict | None = None
    budget: str | None = None  # a BUDGETS key for its p95 ÷ hello world p95


def targets(session):
    """(the pages to load, hello world first; rows for the list pages that are not available)."""
    hub = session.server("hub")
    pages = [Target("hello world `/`", session.server("hello"), "/"),
             Target("hub home `/`", hub, "/", budget="home_p95_ratio")]
    unavailable = []
    for path, username, budget in LIST_PAGES:
        try:
            headers = {"Cookie": signin.sign_in(hub.port, username, session.logins.get(username))}
            signin.require_page(hub.port, path, headers)
        except signin.NotAvailable as reason:
            unavailable.append(Row(f"`{path}` as {username}, p95", None, "ms", budget, str(reason)))
        else:
            pages.append(Target(f"`{path}` as {username}", hub, path, headers, budget))
    return pages, unavailable


def latency(session):
    """p50 and p95 of GET at concurrent keep-alive clients, whose threads run on the other CPUs.

    Each page first gets 10 untimed requests; then the pages take turns for 3 rounds, and each figure
    is the median of its rounds (for a ratio, of the ratios within each round), so a burst of other
    work on the machine moves one round rather than the figure.
    """
    pages, unavailable = targets(session)
    for target in pages:
        load.warm_up(target.server.port, target.path, target.headers)
    runs = {target.label: [] for target in pages}
    for _ in range(ROUNDS):
        for target in pages:
            runs[target.label].append(load.run(target.server.port, target.path, session.requests,
                                               session.clients, session.time_cap_s / ROUNDS, target.headers))
    session.loaded = True

    hello, *ours = pages
    base = [run.percentile_ms(95) for run in runs[hello.label]]
    rows = []
    for target in pages:
        p95s = [run.percentile_ms(95) for run in runs[target.label]]
        rows += [Row(f"{target.label}, p50", median_of(run.percentile_ms(50) for run in runs[target.label]), "ms"),
                 Row(f"{target.label}, p95", median_of(p95s), "ms",
                     note=load_note(runs[target.label], session.requests))]
        if target in ours:
            ratios = [ratio(mine, theirs) for mine, theirs in zip(p95s, base)]
            rows.append(Row(f"{target.label}, p95 ÷ hello world p95", median_of(ratios), "×", target.budget,
                            rounds_of(ratios)))
    return rows + unavailable


def memory(session):
    """Resident memory (VmRSS from /proc) of each server right after its first 200, and after the load phase."""
    hub, hello = session.server("hub"), session.server("hello")
    after = "after load" if session.loaded else "now (no load phase ran)"
    mb = 1024  # /proc counts KB
    return [
        Row("hub, idle after start", hub.idle_kb / mb, "MB", "rss_idle_mb"),
        Row(f"hub, {after}", hub.rss_kb() / mb, "MB", "rss_after_load_mb"),
        Row("hub, peak by its first 200 (VmHWM)", hub.start_peak_kb / mb, "MB"),
        Row(f"hub, peak {after} (VmHWM)", hub.peak_kb() / mb, "MB"),
        Row("hello world, idle after start", hello.idle_kb / mb, "MB"),
        Row(f"hello world, {after}", hello.rss_kb() / mb, "MB"),
        Row("hub ÷ hello world, idle", ratio(hub.idle_kb, hello.idle_kb), "×"),
        Row(f"hub ÷ hello world, {after}", ratio(hub.rss_kb(), hello.rss_kb()), "×"),
    ]


def first_page(session):
    """Bytes a browser downloads on a first visit to `/`: the page, then each file it references, once.

    No cookie is sent and gzip is offered. The budget counts response bodies as transferred; the
    headers are shown apart.
    """
    weight = page.weigh(session.server("hub").port)
    kb = 1024
    rows = [Row(f"`{item.path}` ({item.status})", item.body_bytes / kb, "KB", note=item.content_type)
            for item in weight.resources]
    return rows + [
        Row(f"total of the {len(weight.resources)} response bodies", weight.body_bytes() / kb, "KB",
            "first_page_kb", f"{weight.body_bytes()} bytes"),
        Row("response headers (status lines and headers), not in the total above", weight.header_bytes() / kb,
            "KB", note=f"{weight.header_bytes()} bytes"),
        Row("total on the wire, bodies and headers", (weight.body_bytes() + weight.header_bytes()) / kb, "KB"),
        Row("references to other hosts", len(weight.external), "references", "first_page_external",
            ", ".join(weight.external)),
    ]


# In order: memory follows latency, so its second figure is memory after the load phase.
MEASURES = (
    ("Start-up", startup),
    ("Latency", latency),
    ("Memory", memory),
    ("First page download", first_page),
)
