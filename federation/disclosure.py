"""Disclosure control: the one place that turns a month's true counts into what may leave the hub.

Data flow: `summary.build(period)` (true counts, and the records behind each) -> `protect()` (with every
earlier release of this hub) -> a payload valid against federation/schema (version SCHEMA_VERSION) ->
publish -> bundle. docs/privacy.md states the rule for villages and districts. In short:

- Every count from 0 to 4 is "<5" (so "none" is never told apart from one person); every other count,
  and every total, is rounded to a multiple of 5 without bias: 5q + r goes up when the cell key is below
  r / 5.
- The cell key (the ABS cell-key method) is a function of the records counted, never of the period or
  the table: each record has a secret key (keyed BLAKE2b of its identity under this hub's rounding key),
  and a cell's key is the sum of its records' keys, modulo 1. The same people give the same published
  value in any month and any table that counts them: averaging months learns nothing, and a total shared
  by two tables (attendance by band and by kind) is one figure. Nothing is sticky.
- The linked audit (federation/linked.py) computes the exact range of every count given this release,
  every earlier release and the identities binding them; while something is narrowed it coarsens the
  release: a total is withheld (null), then a second breakdown is left out, then the table.
- Derived values: the median days to referral as a band from 10 cases; savings amounts from 5 members,
  nobody above half, the p%-rule on the month and on its difference from the last month published.
- A month is released once: a record entered after its release counts in the month it is entered
  (summary's cut-offs), so no revision can single out a late record.
- A few sparse counts are also published summed over a quarter or a year (`schema.COARSER`), rounded like
  any count, when the linked audit finds the sum narrows none of the monthly counts it adds up.
"""

import hashlib
import statistics

from federation import linked, schema
from federation.period import month_bounds

LESS_THAN_FIVE = "<5"
BASE = 5
MAX_REVISION = 1  # a month is released once (schema 2): no revision can difference a late record
MEDIAN_MIN_CASES = 10
SAVINGS_MIN_MEMBERS = 5
P_PERCENT = 20  # no contributor's savings may be estimated within 20 % (the p%-rule)
MEDIAN_BANDS = ((1, "0-1"), (7, "2-7"), (30, "8-30"))  # (up to days, band); above the last: "31+"
SCALE = 2 ** 64

FEWER_THAN_10_CASES = "fewer_than_10_cases"
FEWER_THAN_5_MEMBERS = "fewer_than_5_members"
ONE_MEMBER_ABOVE_HALF = "one_member_above_half"
P_PERCENT_RULE = "p_percent_rule"


def rounding_key(identity):
    """This hub's secret for the record keys, derived from its private key (so a restore keeps it)."""
    return identity.secret(b"communityhub rounding key v1")


def record_key(key, record):
    """A record's secret key: an integer in [0, 2**64) fixed by the hub's key and the record's identity
    (keyed BLAKE2b, a MAC in one call: a month of a village has thousands of records)."""
    return int.from_bytes(hashlib.blake2b(record.encode(), key=key, digest_size=8).digest(), "big")


def cell_key(key, records, known=None):
    """A number in [0, 1): the sum of the records' keys modulo 1, the same for the same set of records.
    known, a dict, keeps the record keys already made (a record is counted in several tables)."""
    known = {} if known is None else known
    total = 0
    for record in set(records):
        found = known.get(record)
        if found is None:
            found = known[record] = record_key(key, record)
        total += found
    return total % SCALE / SCALE


def rounded(true, u):
    """The published form of a true count, u being its cell key: "<5" below 5, else a multiple of 5."""
    if true < BASE:
        return LESS_THAN_FIVE
    low, rest = divmod(true, BASE)
    return BASE * (low + (u < rest / BASE))


def bound(published):
    """(lowest, highest) true count a published count of schema 2 stands for: how the district reads it."""
    return linked.interval(published)


def covers(published, true):
    lowest, highest = bound(published)
    return lowest <= true <= highest


def _records(table, cell, true, name):
    """The records behind a cell; without them (raw counts written by hand) the count stands for itself."""
    found = table.get("records", {}).get(cell)
    return found if found is not None else [f"{name}|{cell}|{true}"]


def protect(period, raw, key, history=None, earlier_savings=None, spans=None):
    """The payload that may leave the hub for period, from raw true counts (summary.build). Deterministic.

    history is {period: (schema version, payload)} of this hub's latest release of every other month;
    earlier_savings {value name: {member: amount}} as they stood at the end of the last month whose
    amount was published (for the p%-rule on the difference); spans {"table:cell": [record, ...]} the
    records of each sum over a quarter or a year due this month (summary.spans)."""
    tables, known = {}, {}
    for name, table in raw["tables"].items():
        meta = schema.TABLES[name]
        cells = {cell: rounded(table["cells"][cell],
                               cell_key(key, _records(table, cell, table["cells"][cell], name), known))
                 for cell in meta["cells"]}
        tables[name] = {"cells": cells}
        if meta["total"]:  # the records of every cell; a table of the same people has the same ones
            every = ([record for found in table["records"].values() for record in found] if "records" in table
                     else [f"{linked_unit(name)}|total|{table['total']}"])
            tables[name]["total"] = rounded(table["total"], cell_key(key, every, known))
    tables = coarsen(period, tables, history or {})
    payload = {"tables": tables, "values": _protect_values(raw.get("values", {}), earlier_savings or {})}
    sums = {figure: rounded(len(set(records)), cell_key(key, records, known))
            for figure, records in (spans or {}).items()}
    sums = summed(period, tables, history or {}, sums)
    if sums:
        payload["coarser"] = sums
    return payload


def summed(period, tables, history, sums):
    """The sums over a quarter or a year that may be published with tables: each that would narrow a count
    of its span's monthly releases (or whose span was not all released) is left out."""
    narrowing = set(linked.span_narrowed(period, tables, history, sums))
    return {figure: value for figure, value in sums.items() if figure not in narrowing}


def linked_unit(name):
    """The group of tables (linked.groups) name belongs to: tables of one group share their total."""
    return next(unit for unit, names in linked.groups().items() if name in names)


def _ladder(names):
    """The ways to publish a group, least coarse first: (tables kept, total kept)."""
    steps = [(names, True), (names, False)]
    if len(names) > 1:
        steps += [(names[:1], True), (names[:1], False)]
    return steps + [((), False)]


def _apply(tables, steps, groups):
    out = {name: {"cells": dict(table["cells"]), **({"total": table["total"]} if "total" in table else {})}
           for name, table in tables.items()}
    for unit, step in steps.items():
        if unit in linked.STOCKS:
            if step:
                out.pop(unit, None)
            continue
        kept, with_total = _ladder(groups[unit])[step]
        for name in groups[unit]:
            if name not in kept:
                out.pop(name, None)
            elif not with_total and "total" in out.get(name, {}):
                out[name]["total"] = None
    return out


def coarsen(period, tables, history):
    """tables coarsened until the linked audit finds nothing narrowed (each step only ever hides more,
    and with every table left out the release adds nothing to what was already released)."""
    groups = linked.groups()
    steps = dict.fromkeys(list(groups) + list(linked.STOCKS), 0)
    while True:
        candidate = _apply(tables, steps, groups)
        units = {unit for unit, _, _ in linked.audit(period, {"tables": candidate}, history)}
        if not units:
            return {name: candidate[name] for name in tables if name in candidate}
        for unit in units:
            last = 1 if unit in linked.STOCKS else len(_ladder(groups[unit])) - 1
            if steps[unit] >= last:
                raise AssertionError(f"{unit} narrowed with every table left out")  # pragma: no cover
            steps[unit] += 1


def pinned(parts, total):
    """[(table, cell)] of the "<5" and rounded cells a release of these tables, which each split one total
    (published, or None when withheld), would narrow on its own."""
    ranges = linked.group_ranges({name: {cell: bound(value) for cell, value in cells.items()}
                                  for name, cells in parts.items()}, bound(total))
    return [(name, cell) for (name, cell), feasible in ranges.items()
            if name is not None and linked.narrowed(parts[name][cell], feasible)]


def _protect_values(raw_values, earlier_savings):
    values = {}
    if "median_days_to_referral" in raw_values:
        values["median_days_to_referral"] = median_band(raw_values["median_days_to_referral"]["days"])
    for name in ("savings_total_saved", "savings_loans_outstanding"):
        if name in raw_values:
            values[name] = savings_amount(raw_values[name]["shares"], raw_values[name].get("by_member"),
                                          earlier_savings.get(name))
    return values


def median_band(days):
    """{"value": band or None, "reason": ...} of the median of days: only from MEDIAN_MIN_CASES cases."""
    if len(days) < MEDIAN_MIN_CASES:
        return {"value": None, "reason": FEWER_THAN_10_CASES}
    median = statistics.median_low(days)
    band = next((name for upto, name in MEDIAN_BANDS if median <= upto), "31+")
    return {"value": band, "reason": ""}


def half_step(amount):
    """How far an amount published to 2 significant figures may be from the truth."""
    return 10 ** max(len(str(amount)) - 2, 0) / 2


def p_percent_safe(contributions, slack=0):
    """The p%-rule: the second largest contributor, knowing her own part, cannot estimate the largest
    within P_PERCENT (what the others add, and the published figures' rounding, hide it)."""
    parts = sorted((abs(part) for part in contributions), reverse=True)
    if not parts or parts[0] == 0:
        return True
    return sum(parts[2:]) + slack >= parts[0] * P_PERCENT / 100


def savings_amount(shares, by_member=None, earlier=None):
    """{"value": amount or None, "reason": ...}: the sum of members' shares (minor units) to 2 significant
    figures, only with SAVINGS_MIN_MEMBERS contributing members, nobody holding more than half, and the
    p%-rule met by the shares and, when earlier ({member: amount} at the end of the last month whose
    amount was published) is given, by each member's change since then."""
    shares = [share for share in shares if share > 0]
    if len(shares) < SAVINGS_MIN_MEMBERS:
        return {"value": None, "reason": FEWER_THAN_5_MEMBERS}
    total = sum(shares)
    if 2 * max(shares) > total:
        return {"value": None, "reason": ONE_MEMBER_ABOVE_HALF}
    value = significant(total, 2)
    if not p_percent_safe(shares, half_step(value)):
        return {"value": None, "reason": P_PERCENT_RULE}
    if earlier is not None and by_member is not None:
        changes = [by_member.get(member, 0) - earlier.get(member, 0) for member in set(by_member) | set(earlier)]
        slack = half_step(value) + half_step(significant(sum(earlier.values()), 2))
        if not p_percent_safe(changes, slack):
            return {"value": None, "reason": P_PERCENT_RULE}
    return {"value": value, "reason": ""}


def significant(amount, digits):
    """amount (an int >= 0) rounded half up to digits significant figures."""
    if amount == 0:
        return 0
    step = 10 ** max(len(str(amount)) - digits, 0)
    return (amount + step // 2) // step * step


NOT_ENDED, RELEASED = "not_ended", "released_once"


def may_release(period, today, revision):
    """(allowed, reason code): a month's first release any day after it ends, and no other (MAX_REVISION
    is 1: records entered after the release count in the month they are entered). "" when allowed."""
    if today < month_bounds(period)[1]:
        return False, NOT_ENDED
    if revision > MAX_REVISION:
        return False, RELEASED
    return True, ""
