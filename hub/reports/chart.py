"""A bar chart of monthly attendance rates, as numbers for an SVG drawn by the template (no JavaScript)."""

from dataclasses import dataclass

WIDTH, HEIGHT = 320, 140
TOP, BOTTOM, LEFT = 10, 24, 28  # room for the 100 % line, month labels and the axis labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str        # "11" for November: short enough for 12 bars on a phone
    percent: int | None


def rate_bars(months):
    """One Bar per MonthRate; a month with no held session has no bar (percent None), not a zero."""
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT) / max(len(months), 1)
    bars = []
    for index, month in enumerate(months):
        percent = round(month.rate * 100) if month.rate is not None else None
        height = plot_height * (percent or 0) / 100
        bars.append(Bar(x=round(LEFT + index * slot + slot * 0.15, 1), y=round(TOP + plot_height - height, 1),
                        width=round(slot * 0.7, 1), height=round(height, 1), label=month.month[5:],
                        percent=percent))
    return bars


def axis():
    """The y positions of the 0 %, 50 % and 100 % lines."""
    plot_height = HEIGHT - TOP - BOTTOM
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "label_y": HEIGHT - 6,
            "lines": [(percent, round(TOP + plot_height * (1 - percent / 100), 1)) for percent in (0, 50, 100)]}
