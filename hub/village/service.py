"""Rules of the village profile: country defaults for emergency numbers, reading and saving the profile."""

from flask_babel import lazy_gettext as _l

from hub.db import database
from hub.village.models import EmergencyNumber, Village

KIND_LABELS = {
    EmergencyNumber.CHILD_HELPLINE: _l("Child helpline"),
    EmergencyNumber.EMERGENCY: _l("Emergency"),
    EmergencyNumber.POLICE: _l("Police"),
    EmergencyNumber.AMBULANCE: _l("Ambulance"),
    EmergencyNumber.WOMEN_HELPLINE: _l("Women's helpline"),
    EmergencyNumber.FIRE: _l("Fire"),
}

# The child helpline always comes first: it is the number a child or a neighbour should call.
COUNTRIES = {
    "IN": (_l("India"), (
        (EmergencyNumber.CHILD_HELPLINE, "1098"),
        (EmergencyNumber.EMERGENCY, "112"),
        (EmergencyNumber.WOMEN_HELPLINE, "181"),
        (EmergencyNumber.AMBULANCE, "108"),
    )),
    "BD": (_l("Bangladesh"), (
        (EmergencyNumber.CHILD_HELPLINE, "1098"),
        (EmergencyNumber.EMERGENCY, "999"),
        (EmergencyNumber.WOMEN_HELPLINE, "109"),
    )),
    "NP": (_l("Nepal"), (
        (EmergencyNumber.CHILD_HELPLINE, "1098"),
        (EmergencyNumber.POLICE, "100"),
        (EmergencyNumber.AMBULANCE, "102"),
        (EmergencyNumber.WOMEN_HELPLINE, "1145"),
    )),
    "PE": (_l("Peru"), (
        (EmergencyNumber.CHILD_HELPLINE, "100"),
        (EmergencyNumber.POLICE, "105"),
        (EmergencyNumber.AMBULANCE, "106"),
        (EmergencyNumber.FIRE, "116"),
    )),
}


def get_village():
    """The village profile, or None before set-up."""
    return Village.get_or_none(Village.id == 1)


def emergency_numbers():
    """[(label, number)] in display order, labels in the current language."""
    return [(KIND_LABELS.get(row.kind, row.label), row.number) for row in EmergencyNumber.ordered()]


def save_village(name, country, district="", languages=("en",), numbers=None):
    """Create or replace the profile; numbers default to the country's (kind, number) list."""
    if country not in COUNTRIES:
        raise ValueError(f"unknown country {country!r}")
    if numbers is None:
        numbers = COUNTRIES[country][1]
    with database.atomic():
        Village.replace(id=1, name=name, district=district, country=country,
                        languages=",".join(languages)).execute()
        EmergencyNumber.delete().execute()
        for position, (kind, number) in enumerate(numbers):
            EmergencyNumber.create(kind=kind, number=number, position=position)
