"""A protected payload in plain words: what the village shares, said in the reader's language.

Used by the coordinator's sharing page (each month released, before and after it leaves) and by the
printable village report, so both show exactly what the district receives: nothing is recomputed from the
hub's records here, every figure is read from the payload (federation.schema).

Every title and cell is named by federation.labels, the one table of names per published figure that
the district's pages use too. Labels are lazy and joined when describe() runs, in the language of the
request.
"""

from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _

from federation import schema
from federation.labels import (
    MEDIAN_BAND_LABELS,
    REASON_LABELS,
    TABLE_TITLES,
    TOTAL_LABEL,
    VALUE_LABELS,
    VALUES_TITLE,
)
from federation.labels import cell as cell_label
from federation.labels import summed as summed_label

LESS_THAN_FIVE = "<5"


@dataclass(frozen=True)
class Row:
    """One figure: what it counts (label), the figure in words (value), and an optional note (why)."""

    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Section:
    """One table or group of values of the payload, with its title."""

    title: str
    rows: list


def describe(payload):
    """The payload as [Section] in the current language: one section per table it holds, in the village
    report's order, then one for its values. Only what the payload holds is shown."""
    tables = payload.get("tables") or {}
    sections = [_table(name, tables[name]) for name in _ordered(tables)]
    values = payload.get("values") or {}
    rows = [_value(name, values[name]) for name in _ordered(values, VALUE_LABELS)]
    if rows:
        sections.append(Section(str(VALUES_TITLE), rows))
    sums = payload.get("coarser") or {}
    if sums:  # schema 3: a few sparse counts summed over the quarter or year ending with this month
        sections.append(Section(_("Summed over a quarter or a year"), [
            Row(summed_label(name), count_text(sums[name]),
                _("the %(months)d months up to this one", months=schema.COARSER.get(name, 0)))
            for name in sorted(sums)]))
    return sections


def count_text(count):
    """A published count in words: a number, "fewer than 5", or withheld (None)."""
    if count is None:
        return _("withheld to protect children")
    if count == LESS_THAN_FIVE:
        return _("fewer than 5")
    return format_decimal(count)


def _ordered(names, known=TABLE_TITLES):
    """The known names in the report's order; anything else (a newer schema) after them, sorted."""
    return [name for name in known if name in names] + sorted(name for name in names if name not in known)


def _table(name, table):
    cells = table.get("cells") or {}
    vocabulary = schema.TABLES.get(name, {}).get("cells", ())
    order = [cell for cell in vocabulary if cell in cells] + sorted(cell for cell in cells if cell not in vocabulary)
    rows = [Row(cell_label(name, cell), count_text(cells[cell])) for cell in order]
    if "total" in table:
        note = _("not shown, so that a hidden number cannot be worked out") if table["total"] is None else (
            _("rounded on its own: it may differ from the sum of the rows"))
        included = schema.TABLES.get(name, {}).get("included", ())
        if table["total"] is not None and any(cell not in cells for cell in included):
            note = _("rounded on its own; it also counts people of other sex or without an age band, who have "
                     "no row of their own")
        rows.append(Row(str(TOTAL_LABEL), count_text(table["total"]), note))
    return Section(str(TABLE_TITLES.get(name, name)), rows)


def _value(name, item):
    value, reason = item.get("value"), item.get("reason") or ""
    label = str(VALUE_LABELS.get(name, name))
    if value is None:
        return Row(label, _("not shown"), str(REASON_LABELS[reason]) if reason in REASON_LABELS else "")
    if name == "median_days_to_referral":
        return Row(label, str(MEDIAN_BAND_LABELS.get(value, value)))
    if name.startswith("savings_"):
        from hub.savings import money

        return Row(label, money.show(int(value)), _("rounded to 2 significant figures"))
    return Row(label, str(value))
