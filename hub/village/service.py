"""Rules of the village profile: country defaults for emergency numbers, reading and saving the profile,
and first-run set-up."""

import hmac
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hub.audit.service import record
from hub.auth.models import User
from hub.auth.service import AccountError, check_new_user, create_user
from hub.db import database
from hub.i18n import translated
from hub.memo import fields_of, instance, until_written
from hub.validation import FieldError, Problems
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
PHONE_NUMBER = re.compile(r"^\+?[0-9][0-9 -]{1,19}$")
MAX_NUMBERS = 12
# A village name is one line of text: it goes into pages, the Wi-Fi name and the district's records.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class VillageError(FieldError):
    """A profile the hub refuses; str() says why, field names the form field."""


def get_village():
    """The village profile, or None before set-up (a fresh instance: the caller may change and save it)."""
    return instance(Village, _village_fields())


@until_written
def _village_fields():
    # Every page's header names the village: kept until a write.
    return fields_of(Village.select().where(Village.id == 1))


def village_name():
    """The village's name, or '' before set-up."""
    return dict(_village_fields() or ()).get("name", "")


def emergency_numbers():
    """[(label, number)] in display order, labels in the current language."""
    return [(translated(KIND_LABELS).get(kind, label), number) for kind, label, number in _numbers()]


@until_written
def _numbers():
    return tuple(EmergencyNumber.ordered().select(EmergencyNumber.kind, EmergencyNumber.label,
                                                  EmergencyNumber.number).tuples())


def numbers_text(rows=None):
    """The numbers as the form shows them: one "label = number" a line."""
    return "\n".join(f"{label} = {number}" for label, number in (rows or emergency_numbers()))


def parse_numbers(text, country):
    """[(kind, label, number)] from "label = number" lines; the country's defaults when text is empty."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        return [(kind, "", number) for kind, number in COUNTRIES[country][1]]
    labels = {str(label).casefold(): kind for kind, label in KIND_LABELS.items()}
    parsed = []
    for line in lines:
        label, sep, number = line.rpartition("=")
        label, number = label.strip(), number.strip()
        if not sep or not label or not PHONE_NUMBER.match(number):
            raise VillageError(_("Write each number on its own line as “name = number”, for example "
                                 "“Child helpline = 1098”. This line is not right: %(line)s", line=line),
                               "numbers")
        kind = labels.get(label.casefold(), EmergencyNumber.OTHER)
        parsed.append((kind, label if kind == EmergencyNumber.OTHER else "", number))
    if len(parsed) > MAX_NUMBERS:
        raise VillageError(_("Please keep to %(count)d numbers or fewer.", count=MAX_NUMBERS), "numbers")
    return parsed


def _one_line(value, field):
    if CONTROL_CHARACTERS.search((value or "").strip()):
        raise VillageError(_("Write this on one line, without line breaks or control characters."), field)


def check_village(name, country, district="", numbers_text_value=None):
    """The emergency numbers parsed from their text, or VillageError naming every field that is wrong."""
    problems = Problems(VillageError)
    if country not in COUNTRIES:
        problems.add(_("Choose a country from the list."), "country")
    problems.check(_one_line, name, "name")
    problems.check(_one_line, district, "district")
    numbers = problems.check(parse_numbers, numbers_text_value, country) if country in COUNTRIES else None
    problems.done()
    return numbers


def save_village(name, country, district="", languages=("en",), numbers=None):
    """Create or replace the profile; numbers are (kind, number) or (kind, label, number) tuples."""
    check_village(name, country, district)
    numbers = numbers if numbers is not None else COUNTRIES[country][1]
    with database.atomic():
        Village.replace(id=1, name=name.strip(), district=(district or "").strip(), country=country,
                        languages=",".join(languages)).execute()
        EmergencyNumber.delete().execute()
        for position, entry in enumerate(numbers):
            kind, label, number = entry if len(entry) == 3 else (entry[0], "", entry[1])
            EmergencyNumber.create(kind=kind, label=label, number=number, position=position)


def update_village(name, country, district, languages, numbers_text_value):
    """The coordinator changes the profile; audited."""
    numbers = check_village(name, country, district, numbers_text_value)
    with database.atomic():
        save_village(name, country, district, languages, numbers)
        record("village.updated", get_village())


def _check_coordinator(username, secret):
    try:
        check_new_user(username, User.COORDINATOR, secret)
    except AccountError as error:  # the set-up form calls the secret "password"
        (field, message), *more = [({"secret": "password"}.get(field, field), message)
                                   for field, message in error.errors]
        raise VillageError(message, field, more) from None


def check_setup(village, coordinator):
    """The emergency numbers of the first run's village, or VillageError naming every field of the village and
    of the coordinator's account that is wrong (the set-up code is checked on its own, throttled)."""
    problems = Problems(VillageError)
    numbers = problems.check(check_village, village["name"], village["country"], village.get("district", ""),
                             village.get("numbers_text"))
    problems.check(_check_coordinator, coordinator.get("username"), coordinator.get("secret"))
    problems.done()
    return numbers


def complete_setup(expected_code, given_code, village, coordinator):
    """First run: check the set-up code, save the village and create the coordinator, all or nothing.

    village: dict of save_village's arguments plus "numbers_text"; coordinator: dict of create_user's.
    """
    if User.select().where(User.role == User.COORDINATOR).exists():
        raise VillageError(_("This hub is already set up."))
    given = re.sub(r"[^0-9]", "", given_code or "")
    if not hmac.compare_digest(given, re.sub(r"[^0-9]", "", expected_code)):
        raise VillageError(_("That set-up code is not right. It was printed by “communityhub init” and "
                             "“communityhub doctor” shows it again."), "setup_code")
    numbers = check_setup(village, coordinator)
    village = {name: value for name, value in village.items() if name != "numbers_text"}
    with database.atomic():
        save_village(numbers=numbers, **village)
        user = create_user(role=User.COORDINATOR, must_change_secret=False, **coordinator)
        record("setup.completed", get_village(), user=user)
    return user
