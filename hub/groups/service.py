"""Rules for groups: names, kinds, archiving, which accounts belong, and who may see a group."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import fn

from hub import clock
from hub.audit.service import record
from hub.auth.models import User
from hub.db import database
from hub.groups.models import AccountGroup, Group
from hub.memo import fields_of, for_account, instance, until_written
from hub.validation import FieldError, Problems

KIND_LABELS = {
    Group.CARE_GROUP: _l("Community care group"),
    Group.MOTHERS_GROUP: _l("Mothers' group"),
    Group.YOUTH_FORUM: _l("Youth volunteers' forum"),
    Group.CHILDRENS_GROUP: _l("Children's group"),
    Group.VIGILANCE_COMMITTEE: _l("Vigilance committee"),
    Group.SCHOOL_COMMITTEE: _l("School protection committee"),
    Group.LOCAL_CLUB: _l("Local club"),
}


class GroupError(FieldError):
    """A group change the hub refuses; str() says why, field names the form field."""


def check_group(name, kind, group_id=None):
    """Raise GroupError naming every field of a group that breaks a rule (a missing name is the form's)."""
    problems = Problems(GroupError)
    if kind not in Group.KINDS:
        problems.add(_("Choose a kind of group from the list."), "kind")
    # Matches the database's NOCASE unique index, so the form explains what the index would refuse.
    same_name = Group.select().where(fn.LOWER(Group.name) == (name or "").strip().lower())
    if group_id is not None:
        same_name = same_name.where(Group.id != group_id)
    if (name or "").strip() and same_name.exists():
        problems.add(_("There is already a group called %(name)s.", name=name.strip()), "name")
    problems.done()


def create_group(name, kind, description=""):
    """Create a group; return it."""
    with database.atomic():
        check_group(name, kind)
        group = Group.create(name=name.strip(), kind=kind, description=(description or "").strip(),
                             created_at=clock.now())
        record("group.created", group)
    return group


def update_group(group, name, kind, description):
    with database.atomic():
        check_group(name, kind, group.id)
        group.name, group.kind, group.description = name.strip(), kind, (description or "").strip()
        group.save()
        record("group.updated", group)
    return group


def set_archived(group, archived):
    """Archive a group that no longer meets (kept, with its history), or bring it back."""
    with database.atomic():
        group.archived = archived
        group.save()
        record("group.archived" if archived else "group.restored", group)
    return group


def groups_of(user):
    """The active groups an account belongs to, by name."""
    return list(Group.active().join(AccountGroup).where(AccountGroup.user == user))


def check_groups(group_ids):
    """The set of group ids, or GroupError when one is unknown or archived."""
    wanted = set(group_ids or ())
    found = {group.id for group in Group.active().where(Group.id.in_(wanted))} if wanted else set()
    if found != wanted:
        raise GroupError(_("Choose groups from the list."), "groups")
    return wanted


def set_groups_of(user, group_ids):
    """Make the account belong to exactly these groups (unknown or archived ids are refused)."""
    wanted = check_groups(group_ids)
    with database.atomic():
        AccountGroup.delete().where((AccountGroup.user == user) & AccountGroup.group.not_in(wanted)).execute()
        have = {link.group_id for link in AccountGroup.select().where(AccountGroup.user == user)}
        for group_id in sorted(wanted - have):
            AccountGroup.create(user=user, group=group_id)


def visible_groups(user):
    """The groups this account may see: all for a coordinator or case worker, else their own."""
    if user.role in User.CASE_STAFF:
        return list(Group.select().order_by(Group.archived, Group.name))
    return groups_of(user)


def find_group(group_id):
    """The group group_id (a fresh instance), or None."""
    return instance(Group, _group_fields(group_id))


@until_written
def _group_fields(group_id):
    # The group page, its roster and its members page ask on every view: kept until a write.
    return fields_of(Group.select().where(Group.id == group_id))


def may_see(user, group):
    """True when the account may see the group (a Group or its id): case staff all, others their own groups."""
    group_id = group.id if isinstance(group, Group) else group
    return user.role in User.CASE_STAFF or for_account(f"in group {group_id}", user, lambda account: (
        AccountGroup.select().where((AccountGroup.user == account) & (AccountGroup.group == group_id)).exists()))


def accounts_in(group):
    """The active accounts that belong to a group, by name."""
    return list(User.select().join(AccountGroup).where((AccountGroup.group == group) & User.active)
                .order_by(User.display_name))
