"""Month arithmetic of the published periods ("YYYY-MM"): where a month starts and ends, and the day it is
sealed. One home for both ends of the pipeline: `summary` counts within a month's bounds, `disclosure`
decides what may be released before the seal date, and the aggregator marks bundles on time by it.
"""

from datetime import date

SEAL_DAY = 15


def month_bounds(period):
    """(first day, first day of the next month) of "YYYY-MM"."""
    year, month = (int(part) for part in period.split("-"))
    first = date(year, month, 1)
    return first, date(year + month // 12, month % 12 + 1, 1)


def seal_date(period):
    """The last day a month may be revised: the 15th of the next month."""
    return month_bounds(period)[1].replace(day=SEAL_DAY)


def span(period, months):
    """The months ("YYYY-MM", oldest first) of the quarter (months 3) or calendar year (12) that ends with
    period, or [] when period ends none.

    >>> span("2026-06", 3), span("2026-05", 3), len(span("2026-12", 12))
    (['2026-04', '2026-05', '2026-06'], [], 12)
    """
    year, month = int(period[:4]), int(period[5:7])
    if month % months:
        return []
    return [f"{year:04d}-{first:02d}" for first in range(month - months + 1, month + 1)]
