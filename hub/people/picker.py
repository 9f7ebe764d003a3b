"""The one person picker, and what tells namesakes apart wherever a person is listed or chosen.

Two "Ajay Das" in one group are two children: a list that shows only names lets the wrong one be marked
absent, or money be credited to the wrong woman. Every picker offers people through `offered` (search by
the sound of the name, the chosen one kept when a form comes back, never an archived person or one this
account may not see) and labels them with `label`; lists add `detail` to the names they share.
"""

from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from hub.people.models import Person
from hub.people.visibility import may_see_person, people_visible_to


def detail(person):
    """What tells this person apart from a namesake: "b. 2014 · Ramnagar · guardian Sunita · No. 42"
    (the birth year or age band, the hamlet, the guardian, and the register number, which is always there)."""
    parts = [_("b. %(year)d", year=person.birth_year) if person.birth_year else person.age_band,
             person.hamlet, _("guardian %(name)s", name=person.guardian) if person.guardian else "",
             _("No. %(number)d", number=person.id)]
    return " · ".join(part for part in parts if part)


def label(person):
    """The person's name with what tells them apart, for a picker: "Ajay Das · b. 2014 · Ramnagar · No. 42"."""
    return f"{person.name} · {detail(person)}"


def namesakes(people):
    """The ids of the people in a list who share their name with someone else in it (spelling and case
    aside), so the list shows their detail."""
    seen = {}
    for person in people:
        seen.setdefault(" ".join(person.name.lower().split()), []).append(person.id)
    return {person_id for ids in seen.values() if len(ids) > 1 for person_id in ids}


def chosen_one(user, person_id, only=None):
    """The person a form chose, if it is one this account may choose: in the register, not archived, seen
    by this account, and passing only (a further test, such as "a child"); else None."""
    person = Person.get_or_none((Person.id == person_id) & ~Person.archived) if person_id is not None else None
    if person is None or not may_see_person(user, person) or (only is not None and not only(person)):
        return None
    return person


def offered(user, query, chosen="", only=None):
    """The people a picker offers: those this account may see whose name sounds like query (best first),
    then the one chosen when the search does not find them (a form that comes back keeps its choice)."""
    people = [person for person in people_visible_to(user, query)
              if not person.archived and (only is None or only(person))] if (query or "").strip() else []
    chosen = str(chosen or "").strip()
    if chosen.isdigit() and all(str(person.id) != chosen for person in people):
        person = chosen_one(user, int(chosen), only)
        if person is not None:
            people.append(person)
    return people


def choices(people, empty=None):
    """Select choices for these people, each labelled with what tells them apart (and empty first)."""
    return ([SelectChoice("", empty)] if empty else []) + [SelectChoice(str(person.id), label(person))
                                                           for person in people]
