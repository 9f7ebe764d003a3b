"""Names people read for the summary's tables, cells and values (the payload keeps only codes).

A code with no name here (a vocabulary grown after this list) is shown as its code with spaces.
"""

from flask_babel import lazy_gettext as _l

TABLES = {
    "sessions_held": _l("Sessions held, by kind"),
    "life_skills_topics": _l("Life-skills sessions that covered each topic"),
    "attendance": _l("Attendance, by sex and age"),
    "attendance_by_kind": _l("Attendance, by kind of session"),
    "children_reached": _l("Children reached (distinct, under 18)"),
    "concerns_opened_by_category": _l("Concerns opened, by category"),
    "concerns_closed_by_category": _l("Concerns closed, by category"),
    "concerns_opened_by_risk": _l("Concerns opened, by risk"),
    "concerns_closed_by_risk": _l("Concerns closed, by risk"),
    "referrals_by_service": _l("Referrals, by service"),
    "migration": _l("Migration"),
    "school": _l("School"),
    "savings": _l("Savings groups"),
    "volunteers": _l("Volunteers"),
}

CELLS = {
    # meeting kinds
    "life_skills": _l("Life skills"), "volunteer_training": _l("Volunteer training"),
    "parent_meeting": _l("Parent meeting"), "parenting_workshop": _l("Parenting workshop"),
    "group_meeting": _l("Group meeting"), "awareness_event": _l("Awareness event"),
    "committee_meeting": _l("Committee meeting"), "duty_bearer_meeting": _l("Meeting with duty bearers"),
    # topics
    "child_rights": _l("Child rights"), "sexual_abuse": _l("Sexual abuse"), "trafficking": _l("Trafficking"),
    "street_safety": _l("Street safety"), "substance_abuse": _l("Substance abuse"),
    "leadership": _l("Leadership"), "school_management": _l("School management"),
    "parenting": _l("Parenting"), "other": _l("Other"),
    # sex
    "female": _l("Female"), "male": _l("Male"),
    # case categories
    "child_labour": _l("Child labour"), "child_marriage": _l("Child marriage"),
    "physical_abuse": _l("Physical abuse"), "neglect": _l("Neglect"), "school_dropout": _l("School drop-out"),
    "missing_child": _l("Missing child"), "unsafe_migration": _l("Unsafe migration"),
    # risk
    "low": _l("Low"), "medium": _l("Medium"), "high": _l("High"), "immediate": _l("Immediate"),
    "not_assessed": _l("Not assessed"),
    # services
    "police": _l("Police"), "child_helpline": _l("Child helpline"), "anti_trafficking": _l("Anti-trafficking unit"),
    "legal_services": _l("Legal services"), "health": _l("Health"), "village_council": _l("Village council"),
    "district_cpu": _l("District child protection unit"), "municipal_defence": _l("Municipal child defence office"),
    "school": _l("School"), "ngo": _l("NGO"),
    # registers
    "departures_adults": _l("Adults who left"), "departures_minors": _l("Minors who left"),
    "returns_adults": _l("Adults who returned"), "returns_minors": _l("Minors who returned"),
    "minors_away": _l("Minors away at month end"),
    "out_of_school": _l("Children out of school at month end"), "dropped_out": _l("Dropped out"),
    "reenrolled": _l("Re-enrolled"),
    "members": _l("Members at month end"), "borrowers": _l("Members owing at month end"),
    "active": _l("Active volunteers"),
}
SEXES = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other")}

VALUES = {
    "median_days_to_referral": _l("Median days from report to referral"),
    "savings_total_saved": _l("Savings: total saved"),
    "savings_loans_outstanding": _l("Savings: loans outstanding"),
}
REASONS = {
    "": _l("not given"),
    "fewer_than_10_cases": _l("fewer than 10 cases"),
    "fewer_than_5_members": _l("fewer than 5 members"),
    "one_member_above_half": _l("one member holds more than half"),
}


def _plain(code):
    return code.replace("_", " ").replace(".", " ")


def table(code):
    return TABLES.get(code) or _plain(code)


def cell(code):
    """A cell's name; attendance's "female.10-14" reads "Female, 10-14"."""
    if "." in code:
        sex, band = code.split(".", 1)
        return f"{SEXES.get(sex, sex)}, {band}"
    return CELLS.get(code) or _plain(code)


def value(code):
    return VALUES.get(code) or _plain(code)


def reason(code):
    return REASONS.get(code) or _plain(code)
