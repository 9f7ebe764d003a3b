"""Follow-up visits recorded away from the hub and sent later by a phone's outbox (hub.offline): a case
changed on the hub since the visit form was opened is never written over silently; the phone is told what
differs and the case worker chooses."""

from flask_babel import gettext as _

from hub.cases.casework import add_follow_up
from hub.cases.models import Case, FollowUp
from hub.cases.service import case_status_label
from hub.db import database
from hub.offline.conflicts import Conflict


def _day(value):
    return value.isoformat() if value else "–"


def visit_differences(case, visited_on, next_visit, user):
    """[(label, on the hub, sent)]: what the case now says that the visit sent would contradict or repeat: it
    was closed, is held by someone else, has another next visit, or has a visit recorded on or after this one."""
    differences = []
    if case.status == Case.CLOSED:
        differences.append((_("Status"), str(case_status_label(case.status)), str(case_status_label(Case.FOLLOW_UP))))
    if case.assigned_to_id != getattr(user, "id", None):
        differences.append((_("Case worker who holds the case"),
                            case.assigned_to.display_name if case.assigned_to_id else _("Nobody yet"),
                            getattr(user, "display_name", "")))
    if next_visit is not None and case.next_follow_up != next_visit:
        differences.append((_("Next follow-up visit"), _day(case.next_follow_up), _day(next_visit)))
    latest = (FollowUp.select(FollowUp.visited_on).where((FollowUp.case == case) & (FollowUp.visited_on >= visited_on))
              .order_by(FollowUp.visited_on.desc()).first())
    if latest is not None:
        differences.append((_("Day of the visit"), _day(latest.visited_on), _day(visited_on)))
    return differences


def add_field_visit(case, version, visited_on, progress, next_visit, user, today):
    """Record a follow-up visit sent late: refused with Conflict when the case changed since its form was
    opened (version) and the change touches this visit. Return the FollowUp."""
    with database.atomic():
        current = Case.get_by_id(case.id)
        if version is not None and version != current.version:
            differences = visit_differences(current, visited_on, next_visit, user)
            if differences:
                raise Conflict(current.version, differences)
        return add_follow_up(current, visited_on, progress, next_visit, user, today)
