"""docs/benchmarks.md: the machine, the method, and one table per measure with its budgets."""

import datetime
import os
import platform
from importlib import metadata
from pathlib import Path

from bench.budgets import BUDGETS, verdict

DECIMALS = {"s": 3, "ms": 1, "MB": 1, "KB": 1, "×": 2}


def cpu_model():
    """The CPU's name from /proc/cpuinfo ("model name" on x86, "Model" on a Raspberry Pi)."""
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return platform.processor() or "unknown"
    fields = {}
    for line in lines:
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    return next((fields[key] for key in ("model name", "Model", "Hardware") if fields.get(key)), "unknown")


def memory_total():
    """Total memory from /proc/meminfo, e.g. '7.6 GB'."""
    for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    return "unknown"


def os_name():
    """The distribution's PRETTY_NAME and the kernel release."""
    try:
        release = platform.freedesktop_os_release().get("PRETTY_NAME", "Linux")
    except OSError:
        release = platform.system()
    return f"{release}, kernel {platform.release()}"


def machine(session):
    """(label, value) pairs describing where and with what the figures were measured."""
    health = session.server("hub").health
    database = health.get("database", {})
    return [
        ("Date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", f"{cpu_model()}, {os.cpu_count()} CPUs (nproc)"),
        ("Memory", memory_total()),
        ("System", os_name()),
        ("Python", platform.python_version()),
        ("SQLite", f"{database.get('sqlite_version', 'unknown')} (as the hub's /healthz reports it)"),
        ("Hub", health.get("version", "unknown")),
        ("Flask, waitress", f"{metadata.version('flask')}, {metadata.version('waitress')}"),
    ]


def method(session):
    """A few sentences on how the figures were made."""
    clients = ", ".join(str(cpu) for cpu in sorted(session.client_cpus))
    shared = " (one CPU only: clients and server share it)" if session.client_cpus == {session.server_cpu} else ""
    return (
        f"A throwaway data folder is made with `communityhub init` and `communityhub seed-demo "
        f"--children 300 --years 1 --seed 7`. The hub is served by `communityhub run` and, as a yardstick, "
        f"a bare \"hello world\" Flask app (`bench/hello.py`) by the same waitress with the same "
        f"{session.threads} threads; each server is a subprocess pinned to CPU {session.server_cpu}, and the "
        f"bench's clients run on CPU {clients}{shared}. Every request goes to 127.0.0.1. Latency: "
        f"{session.requests} requests per page shared by {session.clients} concurrent keep-alive clients, "
        f"capped at {session.time_cap_s:g} s. KB is 1024 bytes and MB 1024 KB. The figures come from the "
        f"machine below, not from a Raspberry Pi, which is several times slower per core: the ratios to "
        f"hello world travel better than the absolute times."
    )


def figure(value, unit):
    """A value with its unit, rounded for reading."""
    if value is None:
        return "not available"
    places = DECIMALS.get(unit, 0)
    return f"{value:.{places}f} {unit}".rstrip()


def table(rows):
    """A markdown table of rows with their budgets and verdicts."""
    lines = ["| figure | value | budget | result | note |", "|---|---:|---|---|---|"]
    for row in rows:
        budget = BUDGETS[row.budget].describe() if row.budget else ""
        result = verdict(row.budget, row.value)
        result = f"**{result}**" if result in ("fail", "not available") else result
        note = row.note.replace("|", "\\|")
        lines.append(f"| {row.label} | {figure(row.value, row.unit)} | {budget} | {result} | {note} |")
    return "\n".join(lines)


def tally(results):
    """(budgets met, [labels of budgets failed], measures that broke)."""
    budgeted = [row for _, _, rows, _ in results for row in rows if row.budget]
    met = sum(verdict(row.budget, row.value) == "pass" for row in budgeted)
    failed = [row.label for row in budgeted if verdict(row.budget, row.value) == "fail"]
    broken = [title for title, _, _, error in results if error]
    return met, failed, broken


# Kolibri's figures are not measured by this suite (installing Kolibri would pull in hundreds of MB): they are
# those recorded when issue 23 was filed, measured once by hand in one run with this hub and hello world.
KOLIBRI = {"first": "3,010,112 B", "idle": "111.9 MiB", "landing": "20.4 ms", "signed_in": "2.92 ms (its app shell; "
           "the data comes by later API calls)"}
KOLIBRI_HOW = (
    "Kolibri 0.19.5 (the best-known offline web app that runs on a Pi) was measured once, outside this suite, "
    "when issue 23 was filed: side by side with this hub and the same hello world app in one run on this "
    "machine, the first visit weighed in chromium (every response body of a first load of its landing page), "
    "resident memory read from /proc after start, and server CPU per request from /proc/PID/stat over a load "
    "run, as here. Its column is copied from that run, not re-measured by `make bench`.")


def _value(results, title, starts):
    """The first row of measure title whose label starts with starts, or None."""
    for name, _, rows, _ in results:
        if name == title:
            return next((row for row in rows if row.label.startswith(starts)), None)
    return None


def side_by_side(results):
    """The comparison table: Kolibri (as recorded), this hub and hello world (this run)."""
    def shown(row, unit=None):
        return figure(row.value, unit or row.unit) if row is not None else "not available"

    first = _value(results, "First page download", "total of the")
    idle, hello_idle = _value(results, "Memory", "hub, idle"), _value(results, "Memory", "hello world, idle")
    landing = _value(results, "Latency", "visitor: home `/`, server CPU per request")
    landing_x = _value(results, "Latency", "visitor: home `/`, server CPU per request ÷")
    hello = _value(results, "Latency", "hello world `/`, server CPU per request")
    home = _value(results, "Latency", "facilitator: home `/`, server CPU per request")
    home_x = _value(results, "Latency", "facilitator: home `/`, server CPU per request ÷")
    lines = ["| figure | Kolibri (measured outside the suite) | Community Hub | hello world |", "|---|---|---|---|",
             f"| first visit, bodies as transferred | {KOLIBRI['first']} | {shown(first)} | |",
             f"| idle RSS | {KOLIBRI['idle']} | {shown(idle)} | {shown(hello_idle)} |",
             f"| landing page, server CPU per request | {KOLIBRI['landing']} | {shown(landing)} "
             f"({shown(landing_x)} hello) | {shown(hello)} |",
             f"| signed-in page, server CPU per request | {KOLIBRI['signed_in']} | {shown(home)} facilitator home "
             f"({shown(home_x)} hello) | |"]
    return "\n".join(lines)


def render(session, machine_rows, results):
    """The whole of docs/benchmarks.md."""
    met, failed, broken = tally(results)
    outcome = f"**{met} budgets met, {len(failed)} failed**" + (f" ({'; '.join(failed)})" if failed else "")
    if broken:
        outcome += f"; **measures that broke: {', '.join(broken)}**"
    parts = [
        "# Benchmarks",
        "_Written by `make bench` (the code is in `bench/`, the budgets in `bench/budgets.py`) and "
        "regenerated on every run: edit the bench, not this file._",
        f"Result: {outcome}.",
        "## Machine",
        "| | |\n|---|---|\n" + "\n".join(f"| {label} | {value} |" for label, value in machine_rows),
        "## Method",
        method(session),
        "## Side by side",
        KOLIBRI_HOW,
        side_by_side(results),
    ]
    for title, doc, rows, error in results:
        parts += [f"## {title}", doc]
        if error:
            parts.append(f"**The measure broke:** `{error}`")
        if rows:
            parts.append(table(rows))
    return "\n\n".join(parts) + "\n"
