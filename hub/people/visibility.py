"""Who may see whom in the register: need to know and consent, for every list, search and roster.

- Coordinators and case workers need to know everyone; a facilitator, the current members of their
  groups, and the people they added themselves while those are in no group (found through the
  person.created audit entry: the schema keeps no author on a person).
- A person without consent recorded is in no list but the coordinator's: not in lists, searches, member
  lists or rosters. Only the coordinator and the one who added them (to record the consent) open their page.
"""

import functools
from typing import NamedTuple

from peewee import fn

from hub.audit.models import AuditEvent
from hub.auth.models import User
from hub.db import database
from hub.groups.service import groups_of
from hub.memo import for_account
from hub.people.models import GroupMember, Person
from hub.people.names import fold, key_similarity, name_key, spelling_closeness

ALL_SEEING = User.CASE_STAFF
SEARCH_THRESHOLD = 0.75  # key_similarity() a result needs: one letter off in a five-letter key passes
SEARCH_LIMIT = 50


def _in_some_group():
    return GroupMember.select(GroupMember.person).where(GroupMember.left_on.is_null())


def _added_by(user):
    return AuditEvent.select(AuditEvent.object_id.cast("INTEGER")).where(
        (AuditEvent.action == "person.created") & (AuditEvent.object_type == "person") & (AuditEvent.user == user))


def known_to(user):
    """A query of the people this account needs to know, consent aside (archived records left out)."""
    query = Person.select().where(~Person.archived)
    if user.role in ALL_SEEING:
        return query
    group_ids = [group.id for group in groups_of(user)]
    in_my_groups = _in_some_group().where(GroupMember.group.in_(group_ids))
    return query.where(Person.id.in_(in_my_groups)
                       | (Person.id.in_(_added_by(user)) & Person.id.not_in(_in_some_group())))


def listed_for(user):
    """A query of the people this account may see in a list: known to them, and consenting unless coordinator."""
    query = known_to(user)
    if user.role != User.COORDINATOR:
        query = query.where(Person.consent_by != "")
    return query


def may_see_person(user, person):
    """True when this account may open the person's page."""
    if user.role == User.COORDINATOR:
        return True
    if not person.has_consent and not _added_by(user).where(AuditEvent.object_id == str(person.id)).exists():
        return False
    return known_to(user).where(Person.id == person.id).exists()


def people_visible_to(user, query="", limit=None, offset=0):
    """The people this account may see in a list, by name; with a query, those whose name sounds like it,
    most alike first (see rank)."""
    people = listed_for(user)
    if query.strip():
        return rank(people, query, limit or SEARCH_LIMIT)
    people = people.order_by(fn.LOWER(Person.name), Person.id)
    return list(people.limit(limit).offset(offset) if limit else people)


class PersonRow(NamedTuple):
    """A person as the people list shows them, with the same names as a Person's."""

    id: int
    name: str
    birth_year: int | None
    age_band: str
    hamlet: str
    has_consent: bool


def people_page(user, limit, offset):
    """people_visible_to(user, limit=limit, offset=offset) as PersonRows, kept per account until a write: the
    list is the facilitators' way into the register, and building its query cost more than running it."""
    return list(for_account(f"people page {limit} {offset}", user, lambda account: tuple(
        PersonRow(person.id, person.name, person.birth_year, person.age_band, person.hamlet, person.has_consent)
        for person in people_visible_to(account, limit=limit, offset=offset))))


def rank(people, query, limit=SEARCH_LIMIT):
    """The people (a query) whose name sounds like query, best first: the sound of the name, then the
    spelling as typed, then the name.

    >>> [p.name for p in rank(Person.select(), "Laxmi")]
    ['Laxmi', 'Lakshmi Devi', 'Luxmi']
    """
    key = name_key(query)
    if not key:
        return []
    scored = []
    for person in people:
        score = key_similarity(key, person.name_key or name_key(person.name))
        if score >= SEARCH_THRESHOLD:
            scored.append((-score, -spelling_closeness(query, person.name), fold(person.name), person.id, person))
    scored.sort(key=lambda item: item[:4])
    return [item[-1] for item in scored[:limit]]


def _members(group, viewer):
    query = (GroupMember.select(GroupMember, Person).join(Person)
             .where((GroupMember.group == group) & ~Person.archived))
    if viewer is None or viewer.role != User.COORDINATOR:
        query = query.where(Person.consent_by != "")
    return query


def _by_name(members):
    return sorted(members, key=lambda member: (fold(member.person.name), member.person.id))


def current_members(group, viewer=None):
    """The group's current members (GroupMember with .person loaded), by person name; consenting people
    only, unless the viewer is a coordinator."""
    return _by_name(_members(group, viewer).where(GroupMember.left_on.is_null()))


def current_members_page(group, viewer, page, size):
    """(the members on page (from 1) of current_members, in the same order; whether more follow). Only the
    names are read for all of them: a group of a thousand children is listed a page at a time."""
    current = _members(group, viewer).where(GroupMember.left_on.is_null())
    names = database.execute_sql(*current.select(GroupMember.id, Person.id, Person.name).sql()).fetchall()
    keys = sorted((_folded(name), person_id, member_id) for member_id, person_id, name in names)
    chosen = [member_id for _, _, member_id in keys[(page - 1) * size:page * size + 1]]
    more, chosen = len(chosen) > size, chosen[:size]
    # Plain rows with what the list shows, not models: a hundred model instances cost more than the query.
    rows = {member_id: ListedMember(member_id, role, ListedPerson(person_id, name)) for member_id, role, person_id, name
            in GroupMember.select(GroupMember.id, GroupMember.role, Person.id, Person.name).join(Person)
            .where(GroupMember.id.in_(chosen)).tuples()} if chosen else {}
    return [rows[member_id] for member_id in chosen], more


# Names fold the same way every time: a big group's page sorts a thousand of them on every view.
_folded = functools.lru_cache(maxsize=4096)(fold)


class ListedPerson(NamedTuple):
    id: int
    name: str


class ListedMember(NamedTuple):
    """A member as the group page lists them: .person.id, .person.name and .role, as a GroupMember has."""

    id: int
    role: str
    person: ListedPerson


def members_on(group, day, viewer=None):
    """The group's members on a given day (joined by then, not yet left), as current_members; for the
    roster of a past session."""
    return _by_name(_members(group, viewer).where(
        (GroupMember.joined_on <= day) & (GroupMember.left_on.is_null() | (GroupMember.left_on >= day))))
