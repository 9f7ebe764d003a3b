"""How the district's pages write numbers and months: the one place a figure becomes text.

Every figure on a page, in a chart's tooltip or in a CSV of a view goes through `number()`, so a huge or
odd stored value (a count past the schema's cap, an amount of a billion) is written, never a crash.
Months are words, in the reader's language (Babel): "Oct" under a chart's bar, "October 2026" in a title.
"""

import math
from datetime import date

from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _

NO_DATA = "—"
_MEMO_LIMIT = 20000
_memo = {}


def _remembered(kind, key, make):
    """make() once per language and key: a chart draws the same months and figures hundreds of times, and
    Babel formats each one in tens of microseconds."""
    full = (kind, str(get_locale()), key)
    found = _memo.get(full)
    if found is None:
        if len(_memo) >= _MEMO_LIMIT:
            _memo.clear()
        found = _memo[full] = make()
    return found


def number(value):
    """A number as people read it in their language: "1,234", "12.5"; "—" for None or a non-finite value."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _remembered("number", value, lambda: _number(value))
    return _number(value)


def _number(value):
    if value is None or isinstance(value, bool):
        return NO_DATA
    try:
        value = float(value)
    except (TypeError, ValueError):
        return NO_DATA
    if not math.isfinite(value):
        return NO_DATA
    if abs(value) >= 1e15:  # beyond any real count: written plainly rather than with 16 digits of noise
        return f"{value:.3g}"
    return format_decimal(round(value) if value.is_integer() else round(value, 2), format="#,##0.##")


def bound(found):
    """A Bound as people read it: "42", or "between 35 and 52" when suppression or rounding blurs it."""
    if found is None:
        return _("no data")
    return _remembered("bound", (found.lower, found.upper), lambda: _bound(found))


def _bound(found):
    if found.exact:
        return number(found.lower)
    return _("between %(lower)s and %(upper)s", lower=number(found.lower), upper=number(found.upper))


def published(value):
    """A count exactly as a village published it: "<5" stays "<5"; a withheld figure says so."""
    if value is None:
        return _("withheld")
    if value is ...:
        return NO_DATA
    if isinstance(value, str) and not value.lstrip("-").isdigit():
        return value
    return number(int(value))


def change(now, before):
    """How much a figure moved between two months (middles of their ranges, to the nearest whole number):
    "+12", "−3", "0"; None if unknown."""
    if now is None or before is None:
        return None
    difference = (now.lower + now.upper) / 2 - (before.lower + before.upper) / 2
    if not math.isfinite(difference):
        return None
    difference = round(difference)
    text = number(abs(difference))
    if difference > 0:
        return "+" + text
    return "−" + text if difference < 0 else "0"


def percent(part, whole):
    """part of whole as a whole percentage, or None when nothing was expected."""
    return None if not whole else round(100 * min(part, whole) / whole)


def _first_day(period):
    year, month = period.split("-")
    return date(int(year), int(month), 1)


def month_short(period):
    """"Oct" for 2026-10: the month as a word that fits under a chart's bar at 360 px."""
    return _remembered("MMM", period, lambda: format_date(_first_day(period), "MMM"))


def month_long(period):
    """"October 2026" for 2026-10."""
    return _remembered("MMMM y", period, lambda: format_date(_first_day(period), "MMMM y"))
