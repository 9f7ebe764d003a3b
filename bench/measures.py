"""The measures: each is a function of the session returning report rows, listed in MEASURES.

To add one: write `def roster(session)` whose docstring says how it measures, return Rows (a budgeted
row names its key in budgets.BUDGETS), and add it to MEASURES. The docstring becomes the method
paragraph under its table in docs/benchmarks.md.
"""

import statistics
from dataclasses import dataclass

from bench import (
    aggregator,
    disclosure,
    fresh,
    hashing,
    load,
    loopback,
    offline,
    page,
    pilike,
    roles,
    roster,
    signin,
    summary,
    transfer,
)
from bench.servers import BenchError

STARTS = 3  # start-ups per server; the last one stays up for the other measures
ROUNDS = 3  # load rounds per page, taken in turns


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
    versus: tuple = ()  # (label of another page loaded in the same rounds, BUDGETS key or None) for p95 ÷ its p95
    cpu_budget: str | None = None  # a BUDGETS key for its server CPU per request ÷ hello world's
    repeat: int = 1  # requests per round, in multiples of --requests (hello world: more, as its CPU is tiny)


HELLO_REPEAT = 3


def roster_label(session):
    """How the report names the roster page of the group of 80."""
    path = roster.roster_path(session.roster_meeting_id) if session.roster_meeting_id else "/sessions/<id>/roster"
    return f"roster of 80 `{path}` as {roster.USERNAME}"


def role_target(session, label, kind, path, username, budget):
    """(a Target for path as username on the server of kind, None) or (None, the reason it is not available)."""
    try:
        server = session.server(kind)
        headers = None
        if username:
            logins = session.big.logins if kind == "big" else session.logins
            headers = {"Cookie": signin.sign_in(server.port, username, (logins or {}).get(username))}
            signin.require_page(server.port, path, headers)
    except (signin.NotAvailable, BenchError) as reason:
        return None, str(reason)
    return Target(f"{label} `{path}`", server, path, headers, cpu_budget=budget), None


# The budgets of issues 4 and 6: a page's p95 against the home page as the same person gets it in the same rounds.
VERSUS = {"facilitator: roster of 80": ("facilitator: home", "roster_p95_ratio"),
          "member: passbook of 3 years": ("member: home", "passbook_p95_ratio"),
          "member: group ledger of 3 years": ("member: home", "ledger_p95_ratio")}


def targets(session):
    """(the pages to load, hello world first; rows for the pages that are not available)."""
    pages = [Target("hello world `/`", session.server("hello"), "/", repeat=HELLO_REPEAT)]
    unavailable, by_role = [], {}
    for label, kind, path, username, budget, why in roles.pages(session):
        target, why = role_target(session, label, kind, path, username, budget) if path else (None, why)
        if target is None:
            unavailable.append(Row(f"{label}: server CPU per request ÷ hello world's", None, "×", budget, why))
            continue
        by_role[label] = target
        pages.append(target)
    if "visitor: home" in by_role:
        by_role["visitor: home"].budget = "home_p95_ratio"
    for label, (other, budget) in VERSUS.items():
        if label in by_role and other in by_role:
            by_role[label].versus = ((by_role[other].label, budget),)
        elif label in by_role:
            unavailable.append(Row(f"{label}, p95 ÷ {other} p95", None, "×", budget, f"{other} is not available"))
    return pages, unavailable


def p95_rows(target, runs, hello, requests):
    """p50, p95 and the p95 ratios of one page."""
    p95s = [run.percentile_ms(95) for run in runs[target.label]]
    rows = [Row(f"{target.label}, p50", median_of(run.percentile_ms(50) for run in runs[target.label]), "ms"),
            Row(f"{target.label}, p95", median_of(p95s), "ms",
                note=load_note(runs[target.label], requests * target.repeat))]
    if target is not hello:
        base = [run.percentile_ms(95) for run in runs[hello.label]]
        ratios = [ratio(mine, theirs) for mine, theirs in zip(p95s, base, strict=True)]
        rows.append(Row(f"{target.label}, p95 ÷ hello world p95", median_of(ratios), "×", target.budget,
                        rounds_of(ratios)))
    for other, budget in target.versus:
        theirs = [run.percentile_ms(95) for run in runs[other]]
        ratios = [ratio(mine, their) for mine, their in zip(p95s, theirs, strict=True)]
        rows.append(Row(f"{target.label}, p95 ÷ {other} p95", median_of(ratios), "×", budget, rounds_of(ratios)))
    return rows


def latency(session):
    """p50 and p95 of GET at concurrent keep-alive clients, whose threads run on the other CPUs.

    Each page first gets 10 untimed requests; then the pages take turns for 3 rounds, and each figure
    is the median of its rounds (for a ratio, of the ratios within each round), so a burst of other
    work on the machine moves one round rather than the figure. The pages are the everyday path of each role
    (bench/roles.py) as the demo accounts get them: the roster and group page of a children's group of exactly
    80 with a session planned today (made by `bench/roster_group.py` before the servers start), a savings group
    of 30 with 156 weekly meetings (made by `bench/savings_group.py`) whose treasurer is the demo member, and,
    on a second hub, the biggest children's group of the big village (see "Big village"). The roster and the
    savings pages are also budgeted against the home page as the same person gets it in the same rounds.
    Server CPU per request is the CPU time (user and system, every thread, from /proc/PID/stat) the server
    process used over a page's rounds divided by the requests it answered; hello world answers 3 times as many
    requests per round, since its CPU per request is small against the clock tick of /proc. Then, not budgeted,
    each signed-in page of the village's hub with nothing kept (bench/fresh.py): 40 requests one at a time, each
    right after the bench commits a write to the hub's database, as every saved form does in a village.
    """
    pages, unavailable = targets(session)
    for target in pages:
        load.warm_up(target.server.port, target.path, target.headers)
    runs = {target.label: [] for target in pages}
    cpu = {target.label: [] for target in pages}  # (CPU seconds, requests) per round
    for _ in range(ROUNDS):
        for target in pages:
            before = target.server.cpu_s()
            run = load.run(target.server.port, target.path, session.requests * target.repeat, session.clients,
                           session.time_cap_s / ROUNDS, target.headers)
            cpu[target.label].append((target.server.cpu_s() - before, len(run.latencies) + run.failures))
            runs[target.label].append(run)
    session.loaded = True

    hello = pages[0]
    per_request = {label: (sum(used for used, _ in rounds) / max(1, sum(count for _, count in rounds)) * 1000)
                   for label, rounds in cpu.items()}
    rows = []
    for target in pages:
        rows.append(Row(f"{target.label}, server CPU per request", per_request[target.label], "ms",
                        note=", ".join(f"{used * 1000:.0f} ms for {count}" for used, count in cpu[target.label])))
        if target is not hello:
            rows.append(Row(f"{target.label}, server CPU per request ÷ hello world's",
                            ratio(per_request[target.label], per_request[hello.label]), "×", target.cpu_budget))
    for target in pages:
        rows += p95_rows(target, runs, hello, session.requests)
    for label, value, note in fresh.after_write(session, pages, per_request[hello.label]):
        rows.append(Row(f"{label}, server CPU per request right after a write ÷ hello world's", value, "×",
                        note=note))
    return rows + unavailable


def memory(session):
    """Resident memory (VmRSS from /proc) of each server right after its first 200, and after the load phase.
    The hub's scheduled jobs first run 1 to 25 minutes after start (hub/jobs.py): the note of the figure after
    load says how long the hub had been up."""
    hub, hello = session.server("hub"), session.server("hello")
    after = "after load" if session.loaded else "now (no load phase ran)"
    mb = 1024  # /proc counts KB
    return [
        Row("hub, idle after start", hub.idle_kb / mb, "MB", "rss_idle_mb"),
        Row(f"hub, {after}", hub.rss_kb() / mb, "MB", "rss_after_load_mb",
            f"{hub.uptime_s() / 60:.1f} min after start"),
        Row("hub, peak by its first 200 (VmHWM)", hub.start_peak_kb / mb, "MB"),
        Row(f"hub, peak {after} (VmHWM)", hub.peak_kb() / mb, "MB"),
        Row("hello world, idle after start", hello.idle_kb / mb, "MB"),
        Row(f"hello world, {after}", hello.rss_kb() / mb, "MB"),
        Row("hub ÷ hello world, idle", ratio(hub.idle_kb, hello.idle_kb), "×"),
        Row(f"hub ÷ hello world, {after}", ratio(hub.rss_kb(), hello.rss_kb()), "×"),
        discovering_idle(session),
    ]


def discovering_idle(session):
    """The hub idle after start as on a Pi whose Wi-Fi address is up: this machine has no such address, so the
    budgeted hub above never loads zeroconf; here HUB_ADDRESS is loopback, where its multicast stays."""
    session.stop("hub")  # one hub per data folder; the next measure that needs it starts it again
    try:
        server = session.start("hub", settings={"HUB_ADDRESS": loopback.HOST})
    except BenchError as error:
        return Row("hub with discovery on, idle after start", None, "MB", note=str(error))
    server.stop()
    return Row("hub with discovery on, idle after start", server.idle_kb / 1024, "MB",
               note="zeroconf advertising the hub on loopback; not budgeted (the budgeted figure above is the hub "
                    "as this machine runs it, with no Wi-Fi address, so discovery waits for one)")


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


def coordinator_page(port, path, secret):
    """The HTML of path as the demo coordinator, or why there is none."""
    try:
        reply = loopback.get(port, path, {"Cookie": signin.sign_in(port, "coordinator", secret)})
    except signin.NotAvailable as reason:
        return str(reason)
    return reply.body if reply.status == 200 else f"GET {path} answers {reply.status}"


def roster_of_80(session):
    """The roster page of the group of 80 and saving it, signed in as the demo facilitator.

    The page: one GET of its HTML with no compression offered (the body's size is the budget), before any
    save, so all 80 are ticked as on a first visit; the same as the demo coordinator; then once with gzip
    offered, as transferred. Saving: one client at a time, each save GETs the page untimed, reads its
    roster form (hidden CSRF token, a version if any, the headcount fields, one checkbox per person),
    ticks a different random 85% of the 80 and POSTs it; only the POST is timed, up to its redirect,
    which is then followed untimed as a browser does. 5 untimed saves first, then 100 timed ones (capped at the load
    phase's time cap per page); each save's ticks must show on the next page. The server is pinned to one CPU.
    """
    label = roster_label(session)
    size_row = f"{label}: HTML body"
    save_rows = ("save of 80 (POST), p50", "save of 80 (POST), p95")
    missing = session.roster_missing
    if not missing:
        hub = session.server("hub")
        path = roster.roster_path(session.roster_meeting_id)
        try:
            cookie = signin.sign_in(hub.port, roster.USERNAME, session.logins.get(roster.USERNAME))
            plain = loopback.get(hub.port, path, {"Cookie": cookie})
            if plain.status != 200:
                raise signin.NotAvailable(f"GET {path} answers {plain.status}")
            boxes = roster.roster_form(plain.body, path).checkboxes
            coordinator = coordinator_page(hub.port, path, session.logins.get("coordinator"))
            zipped = loopback.get(hub.port, path, {**page.BROWSER_HEADERS, "Cookie": cookie})
            saves = roster.save_repeatedly(hub.port, cookie, session.roster_meeting_id, roster.SAVES,
                                           session.time_cap_s)
        except signin.NotAvailable as reason:
            missing = str(reason)
    if missing:
        return [Row(size_row, None, "KB", "roster_page_kb", missing),
                Row(save_rows[0], None, "ms", note=missing),
                Row(save_rows[1], None, "ms", "roster_save_p95_ms", missing)]
    kb, result = 1024, saves.result
    ticked = sum(checked for _, _, checked in boxes)
    encoding = zipped.header("Content-Encoding") or "no compression"
    notes = [f"{len(result.latencies)} timed saves of {saves.people} people in {result.elapsed_s:.1f} s"]
    if saves.ticked:
        notes.append(f"{median_of(saves.ticked):g} ticked present and {median_of(saves.changed):g} changed per "
                     f"save (medians)")
    if saves.not_read_back:
        notes.append(f"{saves.not_read_back} saves' ticks did not show on the next page")
    if result.failures:
        notes.append(f"{result.failures} failed ({', '.join(sorted(set(saves.problems)))})")
    if result.capped:
        notes.append(f"stopped at the time cap before {roster.SAVES} saves")
    return [
        Row(size_row, len(plain.body) / kb, "KB", "roster_page_kb",
            f"{len(plain.body)} bytes; {len(boxes)} checkboxes, {ticked} ticked"),
        Row(f"{label.replace(roster.USERNAME, 'coordinator')}: HTML body",
            len(coordinator) / kb if isinstance(coordinator, bytes) else None, "KB",
            note=f"{len(coordinator)} bytes" if isinstance(coordinator, bytes) else coordinator),
        Row(f"{label}: as transferred with gzip offered", len(zipped.body) / kb, "KB", "roster_transfer_kb",
            note=f"{len(zipped.body)} bytes, {encoding}"),
        Row(save_rows[0], result.percentile_ms(50), "ms"),
        Row(save_rows[1], result.percentile_ms(95), "ms", "roster_save_p95_ms", "; ".join(notes)),
        Row("save of 80 (POST), slowest", max(result.latencies) * 1000 if result.latencies else None, "ms"),
    ]


def big_village(session):
    """`communityhub seed-demo --children 2000 --years 5 --seed 7` on a fresh data folder, timed: CPU time
    (user and system, from the kernel's accounting of the finished child) is the budgeted figure, as other work
    on a shared machine stretches the wall time; the wall time is shown beside it. Its biggest children's group
    is the "group of 1,000" whose group page and roster the latency and Pi-like measures load; their HTML here
    is as a facilitator gets it, plain and as transferred with gzip offered."""
    big = session.big
    if big is None or big.cpu_s is None:
        why = (big.missing if big else "") or "the big village was not seeded"
        return [Row("seed-demo --children 2000 --years 5, CPU time", None, "s", "big_seed_cpu_s", why)]
    rows = [Row("seed-demo --children 2000 --years 5, CPU time", big.cpu_s, "s", "big_seed_cpu_s"),
            Row("seed-demo --children 2000 --years 5, wall time", big.wall_s, "s",
                note="on a machine shared with other work"),
            Row("children in its biggest children's group", big.members, "children")]
    try:
        server = session.server("big")
        cookie = signin.sign_in(server.port, roster.USERNAME, (big.logins or {}).get(roster.USERNAME))
    except (BenchError, signin.NotAvailable) as reason:
        return rows + [Row("group page and roster", None, "KB", note=str(reason))]
    kb = 1024
    for label, path in ((f"group page `/groups/{big.group_id}`", f"/groups/{big.group_id}"),
                        (f"roster `{roster.roster_path(big.meeting_id)}`",
                         roster.roster_path(big.meeting_id) if big.meeting_id else None)):
        if path is None:
            rows.append(Row(label, None, "KB", note="no session planned today"))
            continue
        plain = loopback.get(server.port, path, {"Cookie": cookie})
        zipped = loopback.get(server.port, path, {**page.BROWSER_HEADERS, "Cookie": cookie})
        rows += [Row(f"{label}: HTML body", len(plain.body) / kb, "KB", note=f"HTTP {plain.status}"),
                 Row(f"{label}: as transferred with gzip offered", len(zipped.body) / kb, "KB",
                     note=zipped.header("Content-Encoding") or "no compression")]
    return rows


# In order: memory follows latency, so its second figure is memory after the load phase.
MEASURES = (
    ("Start-up", startup),
    ("Big village", big_village),
    ("Latency", latency),
    ("Memory", memory),
    ("Pi-like run", pilike.pi_like),
    ("Password hashing", hashing.hashing),
    ("First page download", first_page),
    ("Away from the hub", offline.offline_weight),
    ("Offline transfer", transfer.offline_transfer),
    ("Monthly summary", summary.monthly_summary),
    ("Disclosure control", disclosure.disclosure_control),
    ("District aggregator", aggregator.district),
    ("Roster of 80", roster_of_80),  # last: its saves change the data the other measures read
)
