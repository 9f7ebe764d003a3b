"""Disclosure control (issue 19): what protection costs the district, and what the linked audit costs a hub.

Two figures, both run in a child process so the bench's own hub is untouched:

- Utility: a synthetic district of 50 villages x 24 months (seeded; villages of 80 to 450 children, each
  child with a sex and an age band, sessions and their attendance by a stable set of children, concerns,
  referrals, migration and school registers with their stocks, savings groups). Each village's months go
  through `federation.disclosure.protect` in order, with its earlier releases, as a hub would release
  them. For every table total and cell, the district total of the published figures is set against the
  true total of the same hubs: the mean absolute relative error over the months; what was withheld (a
  null total, a left-out table) is counted apart, as the share withheld. A "<5" is read as 2. A sum over a
  quarter or a year is judged at that level; a count published only inside a total (schema 4: attendance
  of other sex or no age band) is judged as that total.
- Cost: on five years of a village (bench.summary's seed), every month before the last is released, then
  the last month is built, protected with the linked audit over the 59 releases before it, and validated
  (`federation.publish.protected`): the median of 3 runs, and the bytes of the signed bundle.

Run on its own with `python -m bench.disclosure` (both), or `python -m bench.disclosure --utility` (the
district's error alone, a few seconds).
"""

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VILLAGES, MONTHS, SEED = 50, 24, 19
BUDGET_FROM = 100  # the error budget applies to indicators whose district total is at least this
BUDGET_PCT = 5
LESS_THAN_FIVE_READ_AS = 2  # the middle of 0-4: the district's range of a "<5" is 0 to 4
# Months each village's registers run before its first release: a vigilance committee starting on the hub
# lists the minors already away, and the school register the children already out of school, so a real
# district's stocks do not start at 0 (without it the first months' stocks are a third of their level).
WARM_UP = 12


def _periods(first_year, count):
    return [f"{first_year + index // 12:04d}-{index % 12 + 1:02d}" for index in range(count)]


class Village:
    """One synthetic village: its people and registers, stepped a month at a time into raw counts."""

    def __init__(self, number, rng):
        from federation import schema

        self.rng, self.number, self.schema, self.cell_of = rng, number, schema.TABLES, schema.attendance_cell
        size = rng.randint(80, 450)
        bands = ["0-5", "6-9", "10-14", "15-17"]
        self.children = [(f"person:{number}:{index}", rng.choices(["female", "male", "other"], [49, 49, 2])[0],
                          rng.choices(bands, [10, 30, 40, 20])[0]) for index in range(size)]
        self.regulars = rng.sample(self.children, k=max(8, size // 6))
        self.adults = [(f"person:{number}:a{index}", rng.choice(["female", "male"]), rng.choice(["18-24", "25+"]))
                       for index in range(size // 5)]
        self.away, self.out = {}, {}
        self.savers = {f"person:{number}:s{index}": 0 for index in range(rng.randint(12, 30))}
        self.counter = 0

    def _id(self, kind):
        self.counter += 1
        return f"{kind}:{self.number}:{self.counter}"

    def month(self):
        rng, tables = self.rng, {}
        records = {name: defaultdict(list) for name in self.schema}
        kinds = {"life_skills": 6, "parent_meeting": 2, "group_meeting": 3, "awareness_event": 1,
                 "committee_meeting": 1, "volunteer_training": 0.4}
        reached, topics = set(), list(self.schema["life_skills_topics"]["cells"])
        for kind, rate in kinds.items():
            for _ in range(_poisson(rng, rate * len(self.children) / 250)):
                meeting = self._id("meeting")
                records["sessions_held"][kind].append(meeting)
                if kind == "life_skills":
                    for topic in rng.sample(topics, k=rng.choice((1, 1, 2))):
                        records["life_skills_topics"][topic].append(meeting)
                people = (rng.sample(self.regulars, k=min(len(self.regulars), rng.randint(6, 25)))
                          if kind != "parent_meeting" else rng.sample(self.adults, k=min(len(self.adults), 12)))
                for person, sex, band in people:
                    attendance = self._id("attendance")
                    records["attendance"][self.cell_of(sex, band)].append(attendance)
                    records["attendance_by_kind"][kind].append(attendance)
                    if band in ("0-5", "6-9", "10-14", "15-17"):
                        reached.add((person, sex))
        for person, sex in reached:
            records["children_reached"][sex].append(person)
        records["volunteers"]["active"] = [f"user:{self.number}:{index}" for index in range(rng.randint(3, 9))]
        self._cases(records)
        self._registers(records)
        for name, meta in self.schema.items():
            listed = {cell: list(records[name].get(cell, ())) for cell in meta["cells"] + meta["included"]}
            tables[name] = {"cells": {cell: len(listed[cell]) for cell in meta["cells"]}, "records": listed}
            if meta["total"]:  # with the counts it includes without a cell (schema 4: other sex, no age)
                tables[name]["total"] = sum(len(found) for found in listed.values())
        return {"tables": tables, "values": self._savings(records, tables)}

    def _cases(self, records):
        rng = self.rng
        categories = list(self.schema["concerns_opened_by_category"]["cells"])
        risks = list(self.schema["concerns_opened_by_risk"]["cells"])
        for prefix, rate in (("concerns_opened", 2.5), ("concerns_closed", 2.2)):
            for _ in range(_poisson(rng, rate * len(self.children) / 250)):
                case = self._id("case")
                records[f"{prefix}_by_category"][rng.choice(categories)].append(case)
                records[f"{prefix}_by_risk"][rng.choice(risks)].append(case)
        services = list(self.schema["referrals_by_service"]["cells"])
        for _ in range(_poisson(rng, 2.0 * len(self.children) / 250)):
            records["referrals_by_service"][rng.choice(services)].append(self._id("referral"))

    def _registers(self, records):
        rng = self.rng
        for cell, rate in (("departures_adults", 2.0), ("departures_minors", 0.6)):
            for _ in range(_poisson(rng, rate)):
                departure = self._id("departure")
                records["migration"][cell].append(departure)
                if cell == "departures_minors":
                    self.away[departure] = True
        for departure in list(self.away):
            if rng.random() < 0.15:
                del self.away[departure]
                records["migration"]["returns_minors"].append(departure)
        records["migration"]["returns_adults"] = [self._id("departure") for _ in range(_poisson(rng, 1.8))]
        records["migration"]["minors_away"] = list(self.away)
        for _ in range(_poisson(rng, 1.2)):
            child = rng.choice(self.children)[0]
            if child not in self.out:
                self.out[child] = True
                records["school"]["dropped_out"].append(child)
        for child in list(self.out):
            if rng.random() < 0.1:
                del self.out[child]
                records["school"]["reenrolled"].append(child)
        records["school"]["out_of_school"] = list(self.out)

    def _savings(self, records, tables):
        rng = self.rng
        if rng.random() < 0.08:
            self.savers[f"person:{self.number}:s{len(self.savers) + rng.randint(100, 999)}"] = 0
        for saver in self.savers:
            self.savers[saver] += rng.choice((0, 1000, 2000, 2000, 5000))
        records["savings"]["members"] = list(self.savers)
        return {"median_days_to_referral": {"days": [rng.randint(0, 20) for _ in range(rng.randint(3, 14))]},
                "savings_total_saved": {"shares": sorted(self.savers.values()), "by_member": dict(self.savers)},
                "savings_loans_outstanding": {"shares": [], "by_member": {}}}


def _poisson(rng, rate):
    """A Poisson draw (Knuth), enough for small monthly rates."""
    limit, count, product = 2.718281828459045 ** -rate, 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


class Month:
    """One indicator's district in one month, as the district reads it and as it truly is."""

    __slots__ = ("true", "numbers", "less", "hidden_true", "rounding", "published", "withheld_true", "cells")

    def __init__(self):
        self.true = self.numbers = self.less = self.hidden_true = self.rounding = 0
        self.published = self.withheld_true = self.cells = 0

    def add(self, true, value):
        self.cells += 1
        if value is None:  # withheld: counted apart, not in the error
            self.withheld_true += true
            return
        self.true += true
        self.published += 1
        if value == "<5":
            self.less += 1
            self.hidden_true += true
        else:
            self.numbers += value
            self.rounding += value - true


def censored_poisson_mean(numbers, published, less):
    """E[X | X < 5] under the Poisson fitted by maximum likelihood to one indicator's villages in one month,
    the "<5" of `less` villages censored to 0-4 and the published numbers (sum `numbers`) taken as exact.

    The score S/l - n + c P(4)/F(4) falls with l; bisection finds its zero (l = 0 when every figure is "<5")."""
    observed = published - less
    if not less:
        return LESS_THAN_FIVE_READ_AS

    def terms(rate):
        found, term = [], 1.0
        for k in range(5):
            found.append(term)
            term *= rate / (k + 1)
        return found

    def score(rate):
        found = terms(rate)
        return numbers / rate - observed - less * found[4] / sum(found)

    low, high = 1e-9, 1e3
    if score(low) <= 0:
        return 0.0
    for _ in range(100):
        middle = (low + high) / 2
        low, high = (middle, high) if score(middle) > 0 else (low, middle)
    found = terms(low)
    return sum(k * term for k, term in enumerate(found)) / sum(found)


def utility(villages=VILLAGES, months=MONTHS, seed=SEED, warm_up=WARM_UP):
    """({indicator: figures}, share withheld) of the synthetic district, each village protected in order.

    An indicator's figures: "true_mean" (mean district total), "error" (mean absolute relative error of the
    district total with "<5" read as 2), its parts "hiding" (the "<5" read as 2 alone, the rest exact) and
    "rounding" (the rounded figures alone), "withheld" (the share of the truth in withheld figures, left
    out of the error), "hidden" (the share of published figures that are "<5"), "poisson" (the error with
    each "<5" read as a censored Poisson fitted across the villages that month) and "hidden_mean" (the
    mean true value behind a "<5"). warm_up months of each village's registers run before its first release.
    """
    from federation import disclosure, schema
    from federation.period import span

    rng = random.Random(seed)
    periods = _periods(2025, months)
    sums = defaultdict(lambda: [Month() for _ in range(months)])
    cells = withheld = 0
    included = {f"{name}.{cell}": [0] * months for name, meta in schema.TABLES.items() for cell in meta["included"]}
    for number in range(villages):
        village, key, history, last_saved = Village(number, rng), rng.randbytes(32), {}, {}
        summed = {}  # (figure, period) -> the records it counts, as summary.spans tags them
        for _ in range(warm_up):
            village.month()
        for index, period in enumerate(periods):
            raw = village.month()
            for figure in schema.COARSER:
                table, _colon, cell = figure.partition(":")
                found = raw["tables"][table]["records"]
                chosen = [record for listed in found.values() for record in listed] if cell == "total" else found[cell]
                summed[figure, period] = [f"{record}@{period}" for record in chosen]
            spans = {figure: [record for month in span(period, length) for record in summed[figure, month]]
                     for figure, length in schema.COARSER.items()
                     if span(period, length) and all((figure, month) in summed for month in span(period, length))}
            payload = disclosure.protect(period, raw, key, history, last_saved, spans)
            for figure, records in spans.items():
                sums[f"{figure.replace(':', '.')} over {schema.COARSER[figure]} months"][index].add(
                    len(records), payload.get("coarser", {}).get(figure))
            history[period] = (2, payload)
            if payload["values"]["savings_total_saved"]["value"] is not None:
                last_saved = {"savings_total_saved": raw["values"]["savings_total_saved"]["by_member"]}
            for indicator in included:  # counted in its table's total only (schema 4)
                table, _dot, cell = indicator.partition(".")
                included[indicator][index] += len(raw["tables"][table]["records"][cell])
            for name, table in raw["tables"].items():
                shown = payload["tables"].get(name, {"cells": {}})
                figures = [(cell, true, shown["cells"].get(cell)) for cell, true in table["cells"].items()]
                if "total" in table:
                    figures.append(("total", table["total"], shown.get("total")))
                for cell, true, value in figures:
                    sums[f"{name}.{cell}"][index].add(true, value)
                    cells += 1
                    withheld += value is None
    found = {indicator: _figures(per_month) for indicator, per_month in sums.items()}
    for indicator, totals in included.items():  # judged inside the total, the level it is published at
        inside = f"{indicator.partition('.')[0]}.total"
        found[indicator] = {**found[inside], "true_mean": statistics.mean(totals), "inside": inside}
    return found, withheld / cells


def _figures(per_month):
    per_month = [month for month in per_month if month.cells]  # a sum over a span: only its last months
    def error(estimate):
        found = [abs(estimate(month) - month.true) / month.true for month in per_month if month.true]
        return statistics.mean(found) if found else 0.0

    less = sum(month.less for month in per_month)
    everything = sum(month.true + month.withheld_true for month in per_month)
    return {
        "true_mean": statistics.mean(month.true for month in per_month),
        "error": error(lambda month: month.numbers + month.less * LESS_THAN_FIVE_READ_AS),
        "hiding": error(lambda month: month.true + month.less * LESS_THAN_FIVE_READ_AS - month.hidden_true),
        "rounding": error(lambda month: month.true + month.rounding),
        "poisson": error(lambda month: month.numbers + month.less * censored_poisson_mean(
            month.numbers, month.published, month.less)),
        "withheld": sum(month.withheld_true for month in per_month) / everything if everything else 0.0,
        "hidden": less / max(1, sum(month.published for month in per_month)),
        "hidden_mean": sum(month.hidden_true for month in per_month) / less if less else 0.0,
        "villages": statistics.mean(month.published for month in per_month),
    }


def audit_cost(data_dir):
    """Seed five years of a village, release every month before the last, then time the last month's
    protected build (with the linked audit over the earlier releases) and measure its bundle."""
    from bench import summary as village

    end = date.today().replace(day=1)
    app = village.seed(data_dir, end)
    from federation import outbox, publish, signing
    from hub.db import database

    last = end - timedelta(days=1)
    period = f"{last.year:04d}-{last.month:02d}"
    with app.app_context(), database.connection_context():
        identity = signing.load_or_create(data_dir, signing.HUB)
        month = date(end.year - village.YEARS, end.month, 1)
        while month < last.replace(day=1):
            label = f"{month.year:04d}-{month.month:02d}"
            publish.publish(label, (month + timedelta(days=40)).replace(day=2), identity)
            month = (month + timedelta(days=32)).replace(day=1)
        released = len(outbox.built_periods())
        times = []
        for _ in range(3):
            started = time.perf_counter()
            publish.protected(period, identity)
            times.append(time.perf_counter() - started)
        content, _ = publish.preview(period, identity)
        # The heaviest month: a December, whose release also sums the year and its last quarter.
        december = f"{last.year - (last.month < 12):04d}-12"
        year_end = []
        for _ in range(3):
            started = time.perf_counter()
            publish.protected(december, identity)
            year_end.append(time.perf_counter() - started)
    return {"period": period, "released": released, "times": times, "bundle_bytes": len(content),
            "december": december, "december_times": year_end}


def child(data_dir):
    figures, share = utility()
    return {"utility": figures, "withheld_share": share, "cost": audit_cost(data_dir)}


def child_figures():
    root = tempfile.mkdtemp(prefix="bench-disclosure-")
    try:
        env = {key: value for key, value in os.environ.items() if not key.startswith("COMMUNITYHUB_")}
        done = subprocess.run([sys.executable, "-m", "bench.disclosure", "--child", str(Path(root, "hub"))],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
        if done.returncode:
            raise RuntimeError(f"`python -m bench.disclosure --child` failed ({done.returncode}): "
                               f"{done.stderr[-2000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def coarser_rows():
    """{monthly indicator: the name of its row summed over a quarter or a year}; a summed total stands for
    every table that shares it (concerns closed by category and by risk)."""
    from federation import linked, schema

    found = {}
    for figure, months in schema.COARSER.items():
        table, _colon, cell = figure.partition(":")
        row = f"{table}.{cell} over {months} months"
        tables = next((names for names in linked.groups().values() if table in names), (table,))
        for name in tables if cell == "total" else (table,):
            found[f"{name}.{cell}"] = row
    return found


def decomposition(figure):
    """Where an indicator's error comes from, in words (bench.report's note column)."""
    if "inside" in figure:
        return (f'published only inside {figure["inside"]} (schema 4: no cell of its own, its count kept 0 to 4 '
                f'possible in every village), so judged there: the figures are {figure["inside"]}\'s')
    return (f'"<5" read as 2 alone {figure["hiding"] * 100:.1f} %, rounding alone {figure["rounding"] * 100:.1f} %; '
            f'{figure["hidden"] * 100:.0f} % of its {figure["villages"]:.0f} villages\' figures are "<5" (true mean '
            f'{figure["hidden_mean"]:.1f}); withheld {figure["withheld"] * 100:.1f} % of its truth; a censored '
            f'Poisson fit instead of 2: {figure["poisson"] * 100:.1f} %')


def disclosure_control(session=None):
    """Utility on a synthetic district of 50 villages x 24 months, each village's months protected in order
    with its earlier releases (`federation.disclosure.protect`): the mean absolute relative error, over the
    months, of each district total of the published figures against the true total of the same hubs, for
    every indicator whose district total is at least 100 a month on average (the worst is budgeted at 5 %),
    a "<5" read as 2; and the share of cells and totals withheld (null totals, left-out tables). Then, on
    five years of a village with its 59 earlier months released, the last month built, protected with the
    linked audit and validated (`federation.publish.protected`), median of 3, and its signed bundle."""
    from bench.measures import Row

    result = child_figures()
    budgeted = {name: figure for name, figure in result["utility"].items() if figure["true_mean"] >= BUDGET_FROM}
    summed = coarser_rows()
    # An indicator also published summed over a quarter or a year is judged at that level (docs/privacy.md).
    judged = {summed[name] if summed.get(name) in budgeted else name: budgeted.get(summed.get(name), figure)
              for name, figure in budgeted.items() if " over " not in name and "inside" not in figure}
    worst = max(judged.items(), key=lambda item: item[1]["error"]) if judged else None
    failing = sorted(name for name, figure in judged.items() if figure["error"] * 100 > BUDGET_PCT)
    rows = [Row("worst error of the indicators with a district total of 100+, each at the level published",
                worst[1]["error"] * 100 if worst else None, "%", "disclosure_error_pct",
                f"{worst[0]}" if worst else "no indicator reaches 100"),
            Row(f"indicators with a district total of 100+ within {BUDGET_PCT} % at the level published",
                len(judged) - len(failing), f"of {len(judged)}", note="over: " + ", ".join(failing) if failing else "")]
    for name, figure in sorted(budgeted.items(), key=lambda item: -item[1]["error"]):
        also = summed.get(name)
        rows.append(Row(f"error of {name} (district total {figure['true_mean']:.0f})", figure["error"] * 100, "%",
                        None if also in budgeted or "inside" in figure else "disclosure_indicator_error_pct",
                        note=(f"judged summed: {also}; " if also in budgeted else "") + decomposition(figure)))
    cost = result["cost"]
    rows += [
        Row("share of cells and totals withheld", result["withheld_share"] * 100, "%"),
        Row(f"summary with the linked audit, {cost['period']}, median of 3", statistics.median(cost["times"]), "s",
            "summary_audit_s", f"after {cost['released']} months released; runs: "
            + ", ".join(f"{value * 1000:.0f}" for value in cost["times"]) + " ms"),
        Row("bundle of that month", cost["bundle_bytes"], "bytes", "bundle_bytes"),
        Row(f"summary with the linked audit and the sums of the year and quarter, {cost['december']}, median of 3",
            statistics.median(cost["december_times"]), "s", "summary_audit_s",
            "runs: " + ", ".join(f"{value * 1000:.0f}" for value in cost["december_times"]) + " ms"),
    ]
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    os.chdir(REPO)
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(Path(sys.argv[2]))))
    elif sys.argv[1:2] == ["--utility"]:  # the district's error alone, in seconds (no five-year village)
        found, share = utility()
        for name, figure in sorted(found.items(), key=lambda item: -item[1]["error"]):
            if figure["true_mean"] >= BUDGET_FROM:
                print(f"{name}: {figure['error'] * 100:.2f} % (district total {figure['true_mean']:.0f}); "
                      + decomposition(figure))
        print(f"withheld: {share * 100:.2f} % of cells and totals")
    else:
        for row in disclosure_control():
            print(f"{row.label}: {row.value} {row.unit} {row.note}")
