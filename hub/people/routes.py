"""The people blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.people never loads its views)."""

from flask import g

from hub.people import (
    bp,
    views,  # noqa: F401  (registers the routes on bp)
)
from hub.people.picker import detail, namesakes
from hub.people.rows import member_lines
from hub.people.service import member_role_label


# Other areas' pages show members' roles too (the group page includes hub/people/_group_members.html), and
# every list of people tells namesakes apart.
@bp.app_template_global("member_role_label")
def role_label_once(role):
    """member_role_label, translated once a request: a member list names a role on every line."""
    labels = g.setdefault("_member_role_labels", {})
    if role not in labels:
        labels[role] = str(member_role_label(role))
    return labels[role]


bp.add_app_template_global(detail, "person_detail")
bp.add_app_template_global(namesakes)
bp.add_app_template_global(member_lines, "group_member_lines")

__all__ = ["bp"]
