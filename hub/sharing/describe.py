"""A protected payload in plain words: what the village shares, said in the reader's language.

Used by the coordinator's sharing page (each month released, before and after it leaves) and by the
printable village report, so both show exactly what the district receives: nothing is recomputed from the
hub's records here, every figure is read from the payload (federation.schema, version 1).

The vocabularies of the tables (meeting kinds, topics, case categories, risks, service kinds, sex) reuse
the labels the hub already shows on its own pages, so a count reads the same here as in the register.
Labels are lazy (`lazy_gettext`) and joined when describe() runs, in the language of the request.
"""

from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from federation import schema
from hub.cases.service import CATEGORY_LABELS, RISK_LABELS
from hub.curriculum.service import SHIPPED as SHIPPED_TOPICS
from hub.services.service import KIND_LABELS as SERVICE_LABELS
from hub.sessions.attendance import SEX_LABELS
from hub.sessions.service import KIND_LABELS as MEETING_LABELS

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


# -- table titles, in the order the village report reads them (sessions, people, concerns, registers, savings)
TABLE_TITLES = {
    "sessions_held": _l("Sessions held"),
    "life_skills_topics": _l("Life-skills sessions by topic covered"),
    "attendance": _l("Attendance by sex and age"),
    "attendance_by_kind": _l("Attendance by kind of session"),
    "children_reached": _l("Children reached (under 18, present at least once)"),
    "volunteers": _l("Volunteers"),
    "concerns_opened_by_category": _l("Concerns reported, by what they are about"),
    "concerns_opened_by_risk": _l("Concerns reported, by risk to the child"),
    "concerns_closed_by_category": _l("Cases closed, by what they were about"),
    "concerns_closed_by_risk": _l("Cases closed, by risk to the child"),
    "referrals_by_service": _l("Referrals to services"),
    "migration": _l("Migration"),
    "school": _l("School"),
    "savings": _l("Savings groups"),
}
VALUES_TITLE = _l("Other figures")

# -- cell labels; the vocabularies of hub pages where the hub has one
AGE_BAND_LABELS = {"unknown": _l("age not known")}
TOPIC_LABELS = {code: name for code, (name, _description) in SHIPPED_TOPICS.items()}
TOPIC_LABELS["other"] = _l("Other topics")
RISK_CELL_LABELS = {risk: RISK_LABELS[risk] for risk in ("low", "medium", "high", "immediate")}
RISK_CELL_LABELS["not_assessed"] = RISK_LABELS[""]
CELL_LABELS = {
    "sessions_held": MEETING_LABELS,
    "attendance_by_kind": MEETING_LABELS,
    "life_skills_topics": TOPIC_LABELS,
    "children_reached": SEX_LABELS,
    "concerns_opened_by_category": CATEGORY_LABELS,
    "concerns_closed_by_category": CATEGORY_LABELS,
    "concerns_opened_by_risk": RISK_CELL_LABELS,
    "concerns_closed_by_risk": RISK_CELL_LABELS,
    "referrals_by_service": SERVICE_LABELS,
    "migration": {
        "departures_adults": _l("Adults who left the village"),
        "departures_minors": _l("Minors who left the village"),
        "returns_adults": _l("Adults who came back"),
        "returns_minors": _l("Minors who came back"),
        "minors_away": _l("Minors away at the end of the month"),
    },
    "school": {
        "out_of_school": _l("Children out of school at the end of the month"),
        "dropped_out": _l("Children who dropped out"),
        "reenrolled": _l("Children back in school"),
    },
    "savings": {
        "members": _l("Members of savings groups"),
        "borrowers": _l("Members with a loan to repay"),
    },
    "volunteers": {"active": _l("Volunteers who facilitated a session")},
}
TOTAL_LABEL = _l("Total")

# -- values
VALUE_LABELS = {
    "median_days_to_referral": _l("Usual time from a concern to its referral (median)"),
    "savings_total_saved": _l("Total saved by the savings groups"),
    "savings_loans_outstanding": _l("Loans still to be repaid"),
}
MEDIAN_BAND_LABELS = {
    "0-1": _l("0 to 1 day"),
    "2-7": _l("2 to 7 days"),
    "8-30": _l("8 to 30 days"),
    "31+": _l("more than 30 days"),
}
REASON_LABELS = {
    "fewer_than_10_cases": _l("fewer than 10 referred cases this month"),
    "fewer_than_5_members": _l("fewer than 5 members saved"),
    "one_member_above_half": _l("one member holds more than half of it"),
    "p_percent_rule": _l("one member's savings could be worked out from it"),
}


def describe(payload):
    """The payload as [Section] in the current language: one section per table it holds, in the village
    report's order, then one for its values. Only what the payload holds is shown."""
    tables = payload.get("tables") or {}
    sections = [_table(name, tables[name]) for name in _ordered(tables)]
    values = payload.get("values") or {}
    rows = [_value(name, values[name]) for name in _ordered(values, VALUE_LABELS)]
    if rows:
        sections.append(Section(str(VALUES_TITLE), rows))
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
        rows.append(Row(str(TOTAL_LABEL), count_text(table["total"]), note))
    return Section(str(TABLE_TITLES.get(name, name)), rows)


def cell_label(table, cell):
    """What one cell of table counts, in words."""
    if table == "attendance":
        sex, _dot, band = cell.partition(".")
        band_text = str(AGE_BAND_LABELS[band]) if band in AGE_BAND_LABELS else _("%(band)s years", band=band)
        return _("%(sex)s, %(band)s", sex=str(SEX_LABELS.get(sex, sex)), band=band_text)
    label = CELL_LABELS.get(table, {}).get(cell)
    return str(label) if label is not None else cell


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
