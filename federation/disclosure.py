"""Disclosure control: the one place that turns a month's true counts into what may leave the hub.

Data flow: `summary.build(period)` (true counts) -> `protect()` -> a payload valid against
federation/schema -> publish -> bundle. The rule is DECISIONS "Privacy rule for summaries"; docs/privacy.md
states it for villages and districts. In short:

- Case-family counts (federation/schema marks those tables) from 0 to 4 are "<5"; elsewhere 0 is 0 and
  1 to 4 is "<5".
- Every other count, and every total, is rounded to a multiple of 5 without bias: 5q + r goes up with
  probability r / 5. The draw is a keyed hash (HMAC-SHA-256 with this hub's rounding key) of period,
  quantity, cell and true value, so rebuilding a month gives the same bytes and nobody without the key can
  undo the rounding. Totals are rounded on their own, never added up from published cells.
- A published figure always means what the aggregator reads it as (`bound()`): "<5" is 0 to 4 (1 to 4
  outside the case family), 5k is max(5, 5k - 4) to 5k + 4. Revisions and month-end stocks are sticky: a
  cell keeps its last published value while that value still covers its true value, so one late record
  changes nothing and repeated releases cannot be averaged.
- An interval audit (`pinned()`) makes sure every "<5" cell can still be any value of its range given the
  other cells and the total; where it could not, the total is withheld (null), and if the second breakdown
  of a quantity (concerns by risk) would still narrow it, that table is left out.
- Derived values: the median days to referral as a band from 10 cases; savings amounts from 5 contributing
  members with nobody above half, to 2 significant figures.
- Months are sealed on the 15th of the next month; a month has at most MAX_REVISION releases.
"""

import hashlib
import hmac
import statistics

from federation import schema
from federation.period import month_bounds, seal_date

LESS_THAN_FIVE = "<5"
BASE = 5
MAX_REVISION = 4  # the first release and at most 3 revisions
MEDIAN_MIN_CASES = 10
SAVINGS_MIN_MEMBERS = 5
MEDIAN_BANDS = ((1, "0-1"), (7, "2-7"), (30, "8-30"))  # (up to days, band); above the last: "31+"

# Cells that count a state at month end: sticky against the previous month's release too, so a stock that
# moves by one from month to month changes nothing published.
STOCKS = {("migration", "minors_away"), ("school", "out_of_school"), ("savings", "members"),
          ("savings", "borrowers")}
# Tables whose totals count one quantity: one draw, one published total, withheld together. The tables
# after the first of a quantity are its second breakdowns, left out when they would narrow a "<5" cell.
QUANTITIES = {
    "attendance": ("attendance", "attendance_by_kind"),
    "concerns_opened": ("concerns_opened_by_category", "concerns_opened_by_risk"),
    "concerns_closed": ("concerns_closed_by_category", "concerns_closed_by_risk"),
}
QUANTITY_OF = {table: quantity for quantity, tables in QUANTITIES.items() for table in tables}

FEWER_THAN_10_CASES = "fewer_than_10_cases"
FEWER_THAN_5_MEMBERS = "fewer_than_5_members"
ONE_MEMBER_ABOVE_HALF = "one_member_above_half"


def rounding_key(identity):
    """This hub's secret for the rounding draws, derived from its private key (so a restore keeps it)."""
    return identity.secret(b"communityhub rounding key v1")


def draw(key, period, quantity, cell, true):
    """A number in [0, 1) fixed by the key and (period, quantity, cell, true value)."""
    message = f"{period}|{quantity}|{cell}|{true}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2 ** 64


def rounded(true, case_family, u):
    """The published form of a true count, u being its draw."""
    if true < BASE:
        return 0 if true == 0 and not case_family else LESS_THAN_FIVE
    low, rest = divmod(true, BASE)
    return BASE * (low + (u < rest / BASE))


def bound(published, case_family):
    """(lowest, highest) true count a published count stands for: how the aggregator reads it."""
    if published == LESS_THAN_FIVE:
        return (0 if case_family else 1), BASE - 1
    if published == 0:
        return 0, 0
    return max(BASE, published - BASE + 1), published + BASE - 1


def covers(published, true, case_family):
    lowest, highest = bound(published, case_family)
    return lowest <= true <= highest


def publish_count(true, case_family, u, before):
    """The count to publish: the value published before while it still covers true, else a fresh rounding."""
    if before is not None and covers(before, true, case_family):
        return before
    return rounded(true, case_family, u)


def protect(period, raw, key, previous=None, last_month=None):
    """The payload that may leave the hub for period, from raw true counts (summary.build).

    previous is the payload of this month's last release (its cells and totals are sticky), last_month
    the last release of the month before (month-end stocks are sticky against it). Deterministic.
    """
    before_tables = (previous or {}).get("tables", {})
    last_tables = (last_month or {}).get("tables", {})
    tables = {}
    for name, table in raw["tables"].items():
        meta = schema.TABLES[name]
        case_family = meta["case_family"]
        earlier = before_tables.get(name, {}).get("cells", {})
        cells = {}
        for cell in meta["cells"]:
            true = table["cells"][cell]
            before = earlier.get(cell)
            if before is None and (name, cell) in STOCKS:
                before = last_tables.get(name, {}).get("cells", {}).get(cell)
            cells[cell] = publish_count(true, case_family, draw(key, period, name, cell, true), before)
        tables[name] = {"cells": cells}
    for quantity, names in QUANTITIES.items():
        _protect_total(period, quantity, [name for name in names if name in raw["tables"]], raw, tables, key,
                       before_tables)
    for name in raw["tables"]:
        if name not in QUANTITY_OF and schema.TABLES[name]["total"]:
            _protect_total(period, name, [name], raw, tables, key, before_tables)
    return {"tables": tables, "values": _protect_values(raw.get("values", {}))}


def _protect_total(period, quantity, names, raw, tables, key, before_tables):
    """Publish one quantity's total on every table of it, or withhold it, or leave out second breakdowns."""
    if not names:
        return
    case_family = schema.TABLES[names[0]]["case_family"]
    true = raw["tables"][names[0]]["total"]
    before = next((before_tables[name].get("total") for name in names
                   if before_tables.get(name, {}).get("total") is not None), None)
    total = publish_count(true, case_family, draw(key, period, quantity, "total", true), before)
    parts = {name: tables[name]["cells"] for name in names}
    for kept, shown in ((names, total), (names, None), (names[:1], total), (names[:1], None)):
        if not pinned({name: parts[name] for name in kept}, shown, case_family):
            break
    for name in names:
        if name in kept:
            tables[name]["total"] = shown
        else:
            del tables[name]


def pinned(parts, total, case_family):
    """The "<5" cells a release would narrow: [(table, cell)] whose range is not fully possible.

    parts is {table: published cells} of tables that each split the same true total; total is its
    published total or None (withheld). A "<5" cell is fine when every value v of its range fits: v plus
    the least of the other cells of its table is at most the highest total the other figures allow, and v
    plus their most is at least the lowest. (Bounds of a sum are sums of bounds, so this is exact.)
    """
    def span(cells):
        bounds = [bound(value, case_family) for value in cells.values()]
        return sum(low for low, _ in bounds), sum(high for _, high in bounds)

    spans = {name: span(cells) for name, cells in parts.items()}
    narrowed = []
    for name, cells in parts.items():
        lowest, highest = bound(total, case_family) if total is not None else (0, float("inf"))
        for other, (low, high) in spans.items():
            if other != name:
                lowest, highest = max(lowest, low), min(highest, high)
        table_low, table_high = spans[name]
        for cell, value in cells.items():
            if value != LESS_THAN_FIVE:
                continue
            cell_low, cell_high = bound(value, case_family)
            others_low, others_high = table_low - cell_low, table_high - cell_high
            if any(v + others_low > highest or v + others_high < lowest for v in range(cell_low, cell_high + 1)):
                narrowed.append((name, cell))
    return narrowed


def _protect_values(raw_values):
    values = {}
    if "median_days_to_referral" in raw_values:
        values["median_days_to_referral"] = median_band(raw_values["median_days_to_referral"]["days"])
    for name in ("savings_total_saved", "savings_loans_outstanding"):
        if name in raw_values:
            values[name] = savings_amount(raw_values[name]["shares"])
    return values


def median_band(days):
    """{"value": band or None, "reason": ...} of the median of days: only from MEDIAN_MIN_CASES cases."""
    if len(days) < MEDIAN_MIN_CASES:
        return {"value": None, "reason": FEWER_THAN_10_CASES}
    median = statistics.median_low(days)
    band = next((name for upto, name in MEDIAN_BANDS if median <= upto), "31+")
    return {"value": band, "reason": ""}


def savings_amount(shares):
    """{"value": amount or None, "reason": ...}: the sum of members' shares (minor units) to 2 significant
    figures, only with SAVINGS_MIN_MEMBERS contributing members and nobody holding more than half."""
    shares = [share for share in shares if share > 0]
    if len(shares) < SAVINGS_MIN_MEMBERS:
        return {"value": None, "reason": FEWER_THAN_5_MEMBERS}
    total = sum(shares)
    if 2 * max(shares) > total:
        return {"value": None, "reason": ONE_MEMBER_ABOVE_HALF}
    return {"value": significant(total, 2), "reason": ""}


def significant(amount, digits):
    """amount (an int >= 0) rounded half up to digits significant figures."""
    if amount == 0:
        return 0
    step = 10 ** max(len(str(amount)) - digits, 0)
    return (amount + step // 2) // step * step


NOT_ENDED, SEALED, TOO_MANY = "not_ended", "sealed", "too_many_revisions"


def may_release(period, today, revision):
    """(allowed, reason code): a month's first release any day after it ends; revisions until its seal
    date and up to MAX_REVISION releases in all. The reason is "" when allowed."""
    if today < month_bounds(period)[1]:
        return False, NOT_ENDED
    if revision == 1:
        return True, ""
    if revision > MAX_REVISION:
        return False, TOO_MANY
    if today > seal_date(period):
        return False, SEALED
    return True, ""
