"""District figures from hubs' published monthly summaries: the one place for the bound arithmetic.

Data flow: a payload (as published, see federation/schema) -> `count_bound`, `table_total`,
`amount_bound` -> federation.aggregator.figures, which keeps the district's sums at ingest -> the pages,
charts and exports. `district()` adds up payloads directly: the reference the kept figures are tested
against. Pure: payload dicts in, Bounds out; no database.

A published count is not the true count (DECISIONS "Privacy rule for summaries"): "<5" stands for 1 to 4
(0 to 4 in case-family tables, where a true 0 is hidden too), and a multiple of 5 is the true count
rounded without bias to the nearest multiple of 5, so 5k stands for 5k-4 to 5k+4, and never less than 5
(only counts of 5 or more are rounded). A published 0 is a true 0. Adding published figures therefore
gives a range, a `Bound(lower, upper)`, exact only when every part was.

A hub's table total: the published total is a bound, and so is the sum of its cells (the cells of a
table with a total partition it); the truth lies in both, so their intersection is used. A withheld
(`null`) or absent total falls back to the sum of the cells. Tables with no total in the schema (topics,
migration, school, savings, volunteers) get per-cell figures only: their cells do not add up to anything.
"""

import math
from dataclasses import dataclass, field

from federation.schema import current_cell

LESS_THAN_FIVE = "<5"


@dataclass(frozen=True)
class Bound:
    """The true figure lies in lower..upper (both included)."""

    lower: float
    upper: float

    @property
    def exact(self):
        return self.lower == self.upper

    def __add__(self, other):
        return Bound(self.lower + other.lower, self.upper + other.upper)

    def intersect(self, other):
        """The range both bounds allow, or self when they do not overlap (inconsistent input)."""
        lower, upper = max(self.lower, other.lower), min(self.upper, other.upper)
        return Bound(lower, upper) if lower <= upper else self


ZERO = Bound(0, 0)
_COUNT_BOUNDS = {}


def count_bound(published, case_family=True):
    """The true count behind one published count.

    >>> count_bound("<5"), count_bound("<5", case_family=False), count_bound(0)
    (Bound(lower=0, upper=4), Bound(lower=1, upper=4), Bound(lower=0, upper=0))
    >>> count_bound(5), count_bound(40)
    (Bound(lower=5, upper=9), Bound(lower=36, upper=44))
    """
    key = (published, case_family)
    found = _COUNT_BOUNDS.get(key)
    if found is None:
        found = _COUNT_BOUNDS[key] = _count_bound(published, case_family)
    return found


def _count_bound(published, case_family):
    if published == LESS_THAN_FIVE:
        return Bound(0 if case_family else 1, 4)
    if isinstance(published, bool) or not isinstance(published, int) or published < 0 or published % 5:
        raise ValueError(f"not a published count: {published!r}")
    if published == 0:
        return ZERO
    return Bound(max(5, published - 4), published + 4)


def amount_bound(published):
    """The true amount behind an amount rounded to 2 significant figures (savings), or None when withheld.

    >>> amount_bound(12000), amount_bound(10000), amount_bound(0)
    (Bound(lower=11500.0, upper=12500.0), Bound(lower=9950.0, upper=10500.0), Bound(lower=0, upper=0))
    """
    if published is None:
        return None
    if published == 0:
        return ZERO
    value = abs(float(published))
    half_up = 10 ** (math.floor(math.log10(value)) - 1) / 2
    half_down = 10 ** (math.floor(math.log10(value * (1 - 1e-12))) - 1) / 2  # 10000 came from 9950 up
    lower, upper = value - half_down, value + half_up
    return Bound(lower, upper) if published > 0 else Bound(-upper, -lower)


def cells_bound(cells, case_family=True):
    """The sum of a table's published cells as a Bound."""
    lower = upper = 0
    for published in cells.values():
        bound = count_bound(published, case_family)
        lower += bound.lower
        upper += bound.upper
    return Bound(lower, upper)


def table_total(table, meta, twin=None):
    """One hub's total of one table (its payload part {"cells", "total"?}) as a Bound; None if it has none.

    A total that includes counts without a cell (schema 4: attendance of other sex or no age band, meta's
    "included") is at least its cells' sum, not at most; withheld, it is the sum of twin's cells (the table
    of the same people, meta's "same_people_as"), or of its own cells when that was left out too.

    >>> table_total({"cells": {"a": "<5", "b": 10}, "total": 15}, {"total": True, "case_family": True})
    Bound(lower=11, upper=18)
    >>> table_total({"cells": {"a": "<5", "b": 10}, "total": 15}, {"total": True, "cells": ("a", "b"),
    ...                                                              "included": ("c",)})
    Bound(lower=11, upper=19)
    """
    if not meta.get("total"):
        return None
    case_family = meta.get("case_family", True)
    from_cells = cells_bound(table.get("cells", {}), case_family)
    cells = table.get("cells", {})
    # Only a payload of meta's own vocabulary leaves them out; an earlier version's cells counted everyone.
    partial = set(cells) == set(meta.get("cells", ())) and any(cell not in cells for cell in meta.get("included", ()))
    published = table.get("total")
    if published is None:
        return cells_bound(twin["cells"], case_family) if partial and twin and "cells" in twin else from_cells
    if partial:
        from_cells = Bound(from_cells.lower, math.inf)
    return count_bound(published, case_family).intersect(from_cells)


def _hub_total(table, meta, payload, lower, upper):
    """(lower, upper) of one hub's total of a table whose cells add up to lower..upper."""
    if meta.get("included"):  # schema 4: a total with counts that have no cell
        bound = table_total(table, meta, payload["tables"].get(meta.get("same_people_as") or ""))
        return bound.lower, bound.upper
    published = table.get("total")
    if published is None:
        return lower, upper
    bound = count_bound(published, meta.get("case_family", True)).intersect(Bound(lower, upper))
    return bound.lower, bound.upper


@dataclass
class TableFigures:
    """The district's figures for one table and month: per cell and (when the table has one) the total."""

    cells: dict = field(default_factory=dict)   # cell -> Bound, summed over the hubs that reported it
    total: Bound | None = None                  # summed over hubs; None when the table has no total
    hubs: int = 0                               # hubs whose summary has this table
    withheld: int = 0                           # of them, hubs whose total was withheld or absent


@dataclass
class ValueFigures:
    """A derived value across hubs: bands counted (median days) or amounts summed (savings)."""

    reported: int = 0                                  # hubs with a value
    withheld: dict = field(default_factory=dict)       # reason -> hubs
    bands: dict = field(default_factory=dict)          # band -> hubs (a value given as a band)
    total: Bound | None = None                         # sum of amounts (a value given as a number)


@dataclass
class SumFigures:
    """A count summed over a quarter or a year (schema 3 "coarser"), added over the hubs that sent it."""

    total: Bound
    hubs: int


def district(payloads, tables):
    """The district's figures for one month from every hub's payload; tables is schema.TABLES.

    -> {"tables": {table: TableFigures}, "values": {name: ValueFigures}, "coarser": {name: SumFigures}},
    tables in the schema's order,
    one pass over the payloads (sums kept as plain numbers, made Bounds at the end).
    """
    figures = {name: TableFigures() for name in tables}
    sums = {name: ({}, {}, [0, 0]) for name in tables}  # cell -> lower, cell -> upper, [total lower, upper]
    pairs = {True: {}, False: {}}  # published -> (lower, upper), per case family
    values, spans = {}, {}
    for payload in payloads:
        for name, published in payload.get("coarser", {}).items():
            bound, found = count_bound(published), spans.get(name)
            spans[name] = SumFigures(bound, 1) if found is None else SumFigures(found.total + bound, found.hubs + 1)
        for name, table in payload.get("tables", {}).items():
            meta = tables.get(name)
            if meta is None:
                continue
            case_family = meta.get("case_family", True)
            known = pairs[case_family]
            into = figures[name]
            into.hubs += 1
            cell_lower, cell_upper, total = sums[name]
            lower = upper = 0
            for cell, published in table.get("cells", {}).items():
                pair = known.get(published) if type(published) in (int, str) else None  # never a bool
                if pair is None:
                    bound = count_bound(published, case_family)
                    pair = known[published] = (bound.lower, bound.upper)
                low, high = pair
                lower += low
                upper += high
                cell = current_cell(name, cell)
                cell_lower[cell] = cell_lower.get(cell, 0) + low
                cell_upper[cell] = cell_upper.get(cell, 0) + high
            if meta.get("total"):
                into.withheld += table.get("total") is None
                lower, upper = _hub_total(table, meta, payload, lower, upper)
                total[0] += lower
                total[1] += upper
        for name, entry in payload.get("values", {}).items():
            _add_value(values.setdefault(name, ValueFigures()), entry)
    for name, meta in tables.items():
        cell_lower, cell_upper, total = sums[name]
        figures[name].cells = {cell: Bound(low, cell_upper[cell]) for cell, low in cell_lower.items()}
        if meta.get("total") and figures[name].hubs:
            figures[name].total = Bound(total[0], total[1])
    return {"tables": figures, "values": values, "coarser": spans}


def _add_value(into, entry):
    value = entry.get("value")
    if value is None:
        reason = entry.get("reason") or ""
        into.withheld[reason] = into.withheld.get(reason, 0) + 1
        return
    into.reported += 1
    if isinstance(value, str):
        into.bands[value] = into.bands.get(value, 0) + 1
    else:
        bound = amount_bound(value)
        into.total = bound if into.total is None else into.total + bound


def headline(figures, table, cell=None):
    """The Bound charted for (table, cell): the cell's, or the table total's when cell is None; or None."""
    found = figures["tables"].get(table)
    if found is None or not found.hubs:
        return None
    return found.total if cell is None else found.cells.get(cell)


def published_bound(published, meta):
    """The Bound of one published count in a table described by meta (None for a withheld total)."""
    if published is None:
        return None
    return count_bound(published, meta.get("case_family", True))
