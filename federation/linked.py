"""The linked-release audit: what a district could work out from everything one hub has released.

Data flow: `disclosure.protect()` asks `audit()` about a candidate release, together with every earlier
release of the hub (the outbox), and coarsens the candidate until nothing is narrowed.

The attacker's view: each published count is an interval of true counts (`interval()`), a withheld or
absent one is anything from 0, and identities bind them:

- a table's total is the sum of its cells, and the tables of one quantity (`GROUPS`) split the same total
  (attendance by sex and age band, and by kind of meeting, count the same people);
- each life-skills topic count is at most the life-skills sessions held that month;
- a month-end stock is last month's stock plus this month's arrivals minus its departures (`STOCKS`),
  across every month released, and no stock is ever below 0.

The feasible range of every count is exact, not an approximation: the identities form a forest (each
group is a star around its total, each stock a path through the months), and on a forest of sums of
integer intervals, propagating bounds inward and back out gives each variable's exact range. It takes
microseconds per table and a few milliseconds for five years of stocks.

Sums over a quarter or a year of a few sparse counts (`schema.COARSER`, in the bundle of the span's last
month) bind the months' counts too: `span_narrowed()` checks them against the monthly releases. A sum of
a stock (minors away over a quarter) is one more link of the stock's chain: `federation.chains` gives the
ranges along a stock's months, enumerating the whole-number stocks of each summed quarter, so its ranges stay
exact over whole numbers.

A published count is narrowed when the release allows less than it claims (`narrowed()`): a "<5" must
keep every value from 0 to 4 possible, and a rounded count at least BASE consecutive values. A hidden count
(schema 4: attendance of other sex or no age band, counted in the total only) must keep 0 to 4 possible,
like a "<5" (`hidden_narrowed()`).
"""

from federation import schema
from federation.chains import FREE, chain_ranges
from federation.period import span

LESS_THAN_FIVE = "<5"
BASE = 5
TOTAL = "total"
MOST_OVER_A_GAP = 40  # the largest sum of a stock published over a quarter with a month's table left out

# Tables that share one total (or, for topics, are bounded by a cell of the first), first the one kept
# longest when the audit coarsens. Every other table with a total is a group of its own.
GROUPS = {
    "attendance": ("attendance", "attendance_by_kind"),
    "concerns_opened": ("concerns_opened_by_category", "concerns_opened_by_risk"),
    "concerns_closed": ("concerns_closed_by_category", "concerns_closed_by_risk"),
    "sessions_held": ("sessions_held", "life_skills_topics"),
}
# Topic counts are parts of the life-skills sessions held: (bounded table, (table, cell) bounding it).
BOUNDED = {"life_skills_topics": ("sessions_held", "life_skills")}
# table: (stock cell, arrivals cell, departures cell)
STOCKS = {"migration": ("minors_away", "departures_minors", "returns_minors"),
          "school": ("out_of_school", "dropped_out", "reenrolled")}


def groups():
    """{unit: (table, ...)}: every group of tables bound by a total, in schema order."""
    found = dict(GROUPS)
    grouped = {name for names in GROUPS.values() for name in names}
    for name, meta in schema.TABLES.items():
        if meta["total"] and name not in grouped:
            found[name] = (name,)
    return found


def interval(published, version=2, case_family=True):
    """(lowest, highest) true count a published count stands for in a payload of schema version."""
    if published is None:
        return FREE
    if published == LESS_THAN_FIVE:
        return (0 if version >= 2 or case_family else 1), BASE - 1
    if published == 0:
        return 0, 0
    return max(BASE, published - BASE + 1), published + BASE - 1


def narrowed(published, feasible, version=2, case_family=True):
    """True when feasible (the range the releases allow) is narrower than published claims."""
    if published is None or published == 0:
        return False  # withheld, or an exact zero of schema 1 that never claimed anything
    low, high = feasible
    if low > high:
        return True  # the releases contradict each other about this count
    if published == LESS_THAN_FIVE:
        return (low, high) != interval(published, version, case_family)
    return high - low + 1 < BASE


def _add(*bounds):
    # Not capped at INF: a cell's others are the sum less its own, which must stay unbounded with an
    # unbounded other (a hidden count) and bounded without one.
    return sum(low for low, _ in bounds), sum(high for _, high in bounds)


def group_ranges(parts, total):
    """{(table, cell): (low, high)}, and the total's range under (None, "total"), for tables that each split
    one total: parts is {table: {cell: interval}}, total the total's interval."""
    low, high = total
    for cells in parts.values():
        cells_low, cells_high = _add(*cells.values())
        low, high = max(low, cells_low), min(high, cells_high)
    ranges = {}
    for name, cells in parts.items():
        cells_low, cells_high = _add(*cells.values())
        for cell, (cell_low, cell_high) in cells.items():
            others_low, others_high = cells_low - cell_low, cells_high - cell_high
            ranges[name, cell] = (max(cell_low, low - others_high), min(cell_high, high - others_low))
    ranges[None, TOTAL] = (low, high)
    return ranges


def _group_ranges(names, tables, version, override=None):
    """{(table, cell): range} of one group's published counts in one release, and the total's under
    (None, "total"); override {(table, cell) or (None, "total"): interval} replaces what a count stands for
    (a range already narrowed by a sum over months). None when the release has no table of the group."""
    override = override or {}
    present = [name for name in names if name in tables]
    primary = [name for name in present if name not in BOUNDED]
    if not primary:
        return None  # topics alone bound nothing
    parts = {name: {cell: override.get((name, cell)) or interval(value, version, schema.TABLES[name]["case_family"])
                    for cell, value in tables[name]["cells"].items()} for name in primary}
    for name in primary:  # a count the total includes without a cell of its own: anything from 0
        parts[name].update({cell: override.get((name, cell)) or FREE for cell in hidden(name, tables[name])})
    bounded = [name for name in present if name in BOUNDED and BOUNDED[name][0] in parts]
    for name in bounded:  # each topic raises the least the sessions it is part of can be
        limit_table, limit_cell = BOUNDED[name]
        least = max(interval(value, version)[0] for value in tables[name]["cells"].values())
        low, high = parts[limit_table][limit_cell]
        parts[limit_table][limit_cell] = (max(low, least), high)
    total = override.get((None, TOTAL)) or interval(tables[primary[0]].get("total"), version)
    ranges = group_ranges(parts, total)
    for name in bounded:
        limit = ranges[BOUNDED[name]]
        for cell, value in tables[name]["cells"].items():
            low, high = interval(value, version)
            ranges[name, cell] = (low, min(high, limit[1]))
    return ranges


def hidden(name, table):
    """The cells a table's total includes that its payload does not publish (schema 4: attendance's
    other_or_not_recorded). Each must keep every value from 0 to 4 possible, like a "<5": nobody can tell
    from the total and the other cells whether anyone of other sex or without an age band came at all."""
    meta = schema.TABLES[name]
    if set(table["cells"]) != set(meta["cells"]):
        return ()  # a payload of schema 3 or before: every count of the total had its cell
    return meta["included"]


def hidden_narrowed(feasible):
    """True when a hidden count's range (feasible) no longer holds every value from 0 to 4."""
    return feasible[0] > 0 or feasible[1] < BASE - 1


def _narrowed_in(ranges, tables, primary, version):
    """[(table, cell)] of the published counts, and the hidden counts, ranges narrows."""
    found = []
    for (name, cell), feasible in ranges.items():
        if name is not None and cell not in tables[name]["cells"]:
            if hidden_narrowed(feasible):
                found.append((name, cell))
            continue
        value = tables[primary].get("total") if name is None else tables[name]["cells"][cell]
        if narrowed(value, feasible, version):
            found.append((name or primary, cell))
    return found


def _group_narrowed(unit, names, tables, version):
    ranges = _group_ranges(names, tables, version)
    if ranges is None:
        return []
    primary = next(name for name in names if name in tables and name not in BOUNDED)
    return [(unit, name, cell) for name, cell in _narrowed_in(ranges, tables, primary, version)]


def _periods(first, last):
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        yield f"{year:04d}-{month:02d}"
        year, month = year + month // 12, month % 12 + 1


def _stock_spans(table, stock, history, period=None, value=None):
    """{(first month, last month): published sum} of a stock's sums over a quarter: the hub's earlier ones
    (history), and value, a candidate for period, when given."""
    figure = f"{table}:{stock}"
    found = {}
    for month, (_version, payload) in history.items():
        if figure in payload.get("coarser", {}):
            months = span(month, schema.COARSER.get(figure, 3))
            found[months[0], months[-1]] = payload["coarser"][figure]
    if value is not None:
        months = span(period, schema.COARSER[figure])
        found[months[0], months[-1]] = value
    return found


def _chain_narrowed(table, cells, period, tables, history, value=None):
    """[(table, table, cell)] of the stock chain's counts (and "coarser", a sum of the stock) narrowed by
    the release of tables for period, with value the stock's sum over the quarter ending with it if any."""
    releases = {month: (version, payload["tables"].get(table)) for month, (version, payload) in history.items()}
    releases[period] = (2, tables.get(table))
    months = list(_periods(min(releases), max(releases)))
    position = {month: index for index, month in enumerate(months)}
    published = {(position[first], position[last]): figure
                 for (first, last), figure in _stock_spans(table, cells[0], history, period, value).items()}

    def observed(without_current):
        rows = []
        for month in months:
            version, part = releases.get(month, (2, None))
            if part is None or (without_current and month == period):
                rows.append((FREE, FREE, FREE))
            else:
                rows.append(tuple(interval(part["cells"].get(cell), version) for cell in cells))
        spans = {where: interval(figure) for where, figure in published.items()
                 if not (without_current and value is not None and months[where[1]] == period)}
        return rows, spans

    (linked, sums), (alone, sums_alone) = chain_ranges(*observed(False)), chain_ranges(*observed(True))
    found = []
    for month, with_it, without_it in zip(months, linked, alone, strict=True):
        version, part = releases.get(month, (2, None))
        if part is None:
            continue
        for cell, feasible, before in zip(cells, with_it, without_it, strict=True):
            if (month == period or feasible != before) and narrowed(part["cells"].get(cell), feasible, version):
                found.append((table, table, cell))
    for where, feasible in sums.items():
        if feasible != sums_alone.get(where) and narrowed(published[where], feasible):
            found.append((table, table, "coarser"))
    return found


def audit(period, payload, history=None):
    """[(unit, table, cell)] the release of payload for period would narrow, with history {period:
    (schema version, payload)} of the hub's earlier releases (the latest of each other month).

    unit names what to coarsen: a key of `groups()` or a stock table of `STOCKS`."""
    tables = payload["tables"]
    found = []
    for unit, names in groups().items():
        found += _group_narrowed(unit, names, tables, 2)
    for table, cells in STOCKS.items():
        found += _chain_narrowed(table, cells, period, tables, history or {})
    return found


def span_narrowed(period, tables, history, sums):
    """[figure] of sums {"table:cell" or "table:total": published count over its span} that, with the
    monthly releases of its span (tables for period, history for the others), would narrow a count.

    A sum is a star around the months' counts of one cell, each of which sits in its month's group (a
    star around that month's total): the whole is a tree as long as a group has at most one summed cell
    (`schema.COARSER` keeps it so), and propagating ranges in and out of the sum gives exact ranges. A sum
    of a stock is one more link of the stock's chain (`chain_ranges`)."""
    found = []
    for figure, value in sums.items():
        table, _colon, cell = figure.partition(":")
        if table in STOCKS:
            found += _stock_sum_narrowed(figure, period, tables, history, value)
            continue
        names = next((names for names in groups().values() if table in names), (table,))  # no total: alone
        key = (None, TOTAL) if cell == TOTAL else (table, cell)
        months = span(period, schema.COARSER[figure])
        releases = {month: (2, tables) if month == period else history.get(month) for month in months}
        if any(release is None for release in releases.values()):
            found.append(figure)  # a month of the span was never released: the sum is not published
            continue
        releases = {month: (version, part if month == period else part["tables"])
                    for month, (version, part) in releases.items()}
        own = {}
        for month, (version, part) in releases.items():
            ranges = _group_ranges(names, part, version)
            own[month] = FREE if ranges is None or key not in ranges else ranges[key]
        summed = group_ranges({"span": own}, interval(value))  # the months split the sum
        if narrowed(value, summed[None, TOTAL]):
            found.append(figure)
            continue
        for month, (version, part) in releases.items():
            ranges = _group_ranges(names, part, version, {key: summed["span", month]})
            primary = next((name for name in names if name in part and name not in BOUNDED), None)
            if ranges is not None and _narrowed_in(ranges, part, primary, version):
                found.append(figure)
                break
    return found


def _stock_sum_narrowed(figure, period, tables, history, value):
    """[figure] when a stock's sum over the quarter ending with period may not be published: a month of the
    quarter was not released, or the sum narrows a count of the chain (or itself). A month whose table was
    left out is a stock of anything from 0 in the chain, bounded by the sum itself."""
    table = figure.partition(":")[0]
    months = span(period, schema.COARSER[figure])
    if any(month != period and month not in history for month in months):
        return [figure]
    releases = [tables if month == period else history[month][1]["tables"] for month in months]
    if value != LESS_THAN_FIVE and value > MOST_OVER_A_GAP and any(table not in part for part in releases):
        return [figure]  # a left-out month's stock is enumerated up to the sum: only small sums keep it quick
    return [figure] if _chain_narrowed(table, STOCKS[table], period, tables, history, value) else []
