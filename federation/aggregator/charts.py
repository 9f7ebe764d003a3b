"""Geometry of the pages' small SVG charts: pure numbers, drawn by templates/aggregator/_charts.html.

A figure is a Bound (indicators.py), so a bar is drawn solid up to its lower end and hatched from there
to its upper end: an exact figure is a plain bar, a suppressed or rounded one shows its whole range. A
line chart draws the range as a band and the line through its middle. No JavaScript: the server draws
everything, and every chart's numbers are also given in a table beside it.
"""

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 36, 4, 8, 22  # room for the axis labels
GRID_LINES = 2  # above zero
LABELLED_MONTHS = 12  # beyond this many bars, the axis names every third month: names would overlap


@dataclass
class Mark:
    """One month of a chart: its bar (lower part solid, range hatched) and its point on the line."""

    label: str     # the month, YYYY-MM (the axis shows its month: month_label)
    bound: object  # indicators.Bound or None (no summary that month)
    x: float
    width: float
    labelled: bool = True  # the axis names this month (every month up to 12, every third beyond)
    y_lower: float = 0
    y_upper: float = 0
    centre_y: float = 0

    @property
    def solid_height(self):
        return round(BASELINE - self.y_lower, 1)

    @property
    def range_height(self):
        return round(self.y_lower - self.y_upper, 1)

    @property
    def centre_x(self):
        return round(self.x + self.width / 2, 1)


@dataclass
class Chart:
    width: int
    height: int
    left: int
    baseline: float
    label_y: float
    grid: list = field(default_factory=list)    # [(value, y)]
    marks: list = field(default_factory=list)   # [Mark]
    band: str = ""                              # polygon points of the range (line charts)
    line: str = ""                              # polyline points through the middles (line charts)


BASELINE = HEIGHT - BOTTOM


def nice_ceiling(value):
    """The smallest of 1, 2, 5 x 10^n (at least 4) that is >= value: the top of the axis."""
    if value <= 4:
        return 4
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _y(value, top_value):
    return round(BASELINE - (BASELINE - TOP) * value / top_value, 1)


def chart(points):
    """A Chart of [(label, Bound or None)], one mark per point, sharing one axis from 0."""
    top_value = nice_ceiling(max((bound.upper for _, bound in points if bound is not None), default=0))
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(points))
    result = Chart(WIDTH, HEIGHT, LEFT, BASELINE, HEIGHT - 6)
    result.grid = [(_axis_number(top_value * step / GRID_LINES), _y(top_value * step / GRID_LINES, top_value))
                   for step in range(GRID_LINES + 1)]
    step = 1 if len(points) <= LABELLED_MONTHS else 3
    for index, (label, bound) in enumerate(points):
        mark = Mark(label, bound, round(LEFT + index * slot + slot * 0.15, 1), round(slot * 0.7, 1),
                    labelled=(len(points) - 1 - index) % step == 0)  # the newest month always named
        if bound is not None:
            mark.y_lower, mark.y_upper = _y(bound.lower, top_value), _y(bound.upper, top_value)
            mark.centre_y = _y((bound.lower + bound.upper) / 2, top_value)
        result.marks.append(mark)
    known = [mark for mark in result.marks if mark.bound is not None]
    if known:
        upper = " ".join(f"{mark.centre_x},{mark.y_upper}" for mark in known)
        lower = " ".join(f"{mark.centre_x},{mark.y_lower}" for mark in reversed(known))
        result.band = f"{upper} {lower}"
        result.line = " ".join(f"{mark.centre_x},{mark.centre_y}" for mark in known)
    return result


def _axis_number(value):
    return f"{value:g}" if value < 10000 else f"{value / 1000:g}k"


