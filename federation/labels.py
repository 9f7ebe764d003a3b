"""One name for each published figure: the titles of the summary's tables, their cells and its values.

The village's sharing page and printable report (the hub's describe module) and the district's pages and
exports (federation.aggregator) all name a figure from here, so "Concerns reported, by what they are
about" reads the same in the village and at the district. From the hub it reads only the categories of
concern (hub.categories, the one table the village's areas use too): the aggregator runs without the
hub's areas. The words match the hub's own registers (the same msgids, so one translation serves
both); a code with no name here (a vocabulary grown after this list) is shown as its code.

Labels are lazy (`lazy_gettext`): they are turned into text in the language of the request.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hub.categories import CATEGORY_LABELS

# Table titles, in the order the village report reads them (sessions, people, concerns, registers, savings).
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
TOTAL_LABEL = _l("Total")

MEETING_LABELS = {
    "life_skills": _l("Life-skills session"),
    "volunteer_training": _l("Volunteer training"),
    "parent_meeting": _l("Parent meeting"),
    "parenting_workshop": _l("Parenting workshop"),
    "group_meeting": _l("Group meeting"),
    "awareness_event": _l("Awareness event or campaign"),
    "committee_meeting": _l("Committee meeting"),
    "duty_bearer_meeting": _l("Meeting with duty bearers (village council, block or district officials, police)"),
}
TOPIC_LABELS = {
    "child_rights": _l("Child rights"),
    "sexual_abuse": _l("Protection from sexual abuse and exploitation"),
    "trafficking": _l("Trafficking"),
    "street_safety": _l("Keeping safe on the streets"),
    "substance_abuse": _l("Substance abuse"),
    "leadership": _l("Leadership"),
    "school_management": _l("School management"),
    "life_skills": _l("Life skills"),
    "parenting": _l("Parenting"),
    "other": _l("Other topics"),
}
SEX_LABELS = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other")}
RISK_LABELS = {
    "low": _l("Low"),
    "medium": _l("Medium"),
    "high": _l("High"),
    "immediate": _l("Immediate danger"),
    "not_assessed": _l("Not assessed yet"),
}
SERVICE_LABELS = {
    "police": _l("Police"),
    "child_helpline": _l("Child helpline"),
    "anti_trafficking": _l("Anti-trafficking unit"),
    "legal_services": _l("Legal services authority"),
    "health": _l("Health"),
    "village_council": _l("Village council"),
    "district_cpu": _l("District child protection unit"),
    "municipal_defence": _l("Municipal child defence office"),
    "school": _l("School"),
    "ngo": _l("NGO"),
}
AGE_BAND_LABELS = {"unknown": _l("age not known")}
CELL_LABELS = {
    "attendance": {"other_or_not_recorded": _l("Other sex, or age not recorded")},
    "sessions_held": MEETING_LABELS,
    "attendance_by_kind": MEETING_LABELS,
    "life_skills_topics": TOPIC_LABELS,
    "children_reached": SEX_LABELS,
    "concerns_opened_by_category": CATEGORY_LABELS,
    "concerns_closed_by_category": CATEGORY_LABELS,
    "concerns_opened_by_risk": RISK_LABELS,
    "concerns_closed_by_risk": RISK_LABELS,
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


def table(name):
    """A table's title."""
    return str(TABLE_TITLES.get(name, name))


def cell(table_name, code):
    """What one cell of a table counts; attendance's "female.10-14" reads "Female, 10-14 years"."""
    if table_name == "attendance" and "." in code:
        sex, _dot, band = code.partition(".")
        band_text = str(AGE_BAND_LABELS[band]) if band in AGE_BAND_LABELS else _("%(band)s years", band=band)
        return _("%(sex)s, %(band)s", sex=str(SEX_LABELS.get(sex, sex)), band=band_text)
    label = CELL_LABELS.get(table_name, {}).get(code)
    return str(label) if label is not None else code


def value(name):
    """A derived value's name (median days, savings amounts)."""
    return str(VALUE_LABELS.get(name, name))


def band(code):
    """A band of the median days to referral, in words."""
    return str(MEDIAN_BAND_LABELS.get(code, code))


def reason(code):
    """Why a value was not published, in words ("" when none was given)."""
    return str(REASON_LABELS[code]) if code in REASON_LABELS else code


# A sum over a quarter whose monthly figure's name would mislead: three month-end stocks added count no one
# three times over, they are minor-months.
SUM_LABELS = {"migration:minors_away": _l("Minor-months away (minors away at each month's end, added)")}


def summed(name):
    """The name of a sum over a quarter or a year ("coarser"): its own where the monthly name would mislead."""
    return SUM_LABELS[name] if name in SUM_LABELS else figure(name)


def figure(name):
    """The name of a figure as federation.aggregator.figures names it: "sessions_held:total" reads
    "Sessions held", "migration:minors_away" "Minors away at the end of the month", "value:..." its value."""
    table_name, _colon, code = name.partition(":")
    if table_name == "value":
        return value(code.split("=", 1)[0].split("!", 1)[0])
    if code in ("", "total"):
        return table(table_name)
    return cell(table_name, code)
