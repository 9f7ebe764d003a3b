"""Rules for sessions and meetings: kinds, planning and recording, possible dates, topics and facilitators,
stale forms, cancelling, and which meetings an account may see.

The only writer of Meeting, MeetingTopic and MeetingFacilitator (attendance: hub.sessions.attendance).
Each change is audited in the same transaction.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hub import clock
from hub.audit.service import record
from hub.auth.models import User
from hub.curriculum.models import Topic
from hub.db import database
from hub.groups.models import AccountGroup, Group
from hub.groups.service import accounts_in, find_group, may_see
from hub.i18n import translated, when
from hub.memo import fields_of, instance, until_written
from hub.sessions.attendance import refresh_month, still_ahead
from hub.sessions.models import Attendance, Meeting, MeetingFacilitator, MeetingTopic
from hub.text import clean
from hub.validation import FieldError, Problems

KIND_LABELS = {
    Meeting.LIFE_SKILLS: _l("Life-skills session"),
    Meeting.VOLUNTEER_TRAINING: _l("Volunteer training"),
    Meeting.PARENT_MEETING: _l("Parent meeting"),
    Meeting.PARENTING_WORKSHOP: _l("Parenting workshop"),
    Meeting.GROUP_MEETING: _l("Group meeting"),
    Meeting.AWARENESS_EVENT: _l("Awareness event or campaign"),
    Meeting.COMMITTEE_MEETING: _l("Committee meeting"),
    Meeting.DUTY_BEARER_MEETING: _l("Meeting with duty bearers (village council, block or district officials, "
                                    "police)"),
}
STATUS_LABELS = {
    Meeting.PLANNED: _l("Planned"),
    Meeting.HELD: _l("Held"),
    Meeting.CANCELLED: _l("Cancelled"),
}
EARLIEST_DAY = date(2000, 1, 1)
YEARS_AHEAD = 2
UPCOMING, RECENT = 50, 30  # sessions on the list page each way; a group's page lists its own
# Roles that see every group (as in hub.groups.service.visible_groups).
SEE_ALL = User.CASE_STAFF


class MeetingError(FieldError):
    """A session change the hub refuses; str() says why, field names the form field."""


@dataclass(frozen=True)
class MeetingPlan:
    """What a person typed for a session, as the form parsed it."""

    kind: str
    starts_at: datetime
    status: str = Meeting.PLANNED
    place: str = ""
    notes: str = ""
    topic_ids: tuple = ()
    facilitator_ids: tuple = ()


def meeting_kind_label(kind):
    """The localised name of a kind of session (a template global)."""
    return translated(KIND_LABELS).get(kind, kind)


def meeting_status_label(status):
    """The localised name of a session's state (a template global)."""
    return translated(STATUS_LABELS).get(status, status)


def latest_day(today):
    """The last day a session may be planned for: YEARS_AHEAD years from today."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def facilitator_choices(group, user=None, meeting=None):
    """Accounts that may facilitate the group's sessions, by name: its accounts that may take attendance,
    the person planning (a coordinator need not belong to the group), and whoever is already assigned."""
    chosen = {account.id: account for account in accounts_in(group) if account.role != User.MEMBER}
    if user is not None and user.role != User.MEMBER:
        chosen.setdefault(user.id, user)
    if meeting is not None:
        for account in facilitators_of(meeting):
            chosen.setdefault(account.id, account)
    return sorted(chosen.values(), key=lambda account: (account.display_name.lower(), account.id))


def topic_choices(meeting=None):
    """Active topics in curriculum order, and any archived topic the meeting already has."""
    query = Topic.active()
    if meeting is not None:
        linked = MeetingTopic.select(MeetingTopic.topic).where(MeetingTopic.meeting == meeting)
        query = Topic.select().where(~Topic.archived | Topic.id.in_(linked)).order_by(Topic.position, Topic.id)
    return list(query)


def topics_of(meeting):
    """The meeting's topics in curriculum order."""
    return list(Topic.select().join(MeetingTopic).where(MeetingTopic.meeting == meeting)
                .order_by(Topic.position, Topic.id))


def facilitators_of(meeting):
    """The meeting's facilitators, by name."""
    return list(User.select().join(MeetingFacilitator).where(MeetingFacilitator.meeting == meeting)
                .order_by(User.display_name, User.id))


def check_plan(group, plan, today, user, meeting=None):
    """Refuse a session plan, every problem at once (a value the form could not read is None: left to it)."""
    problems = Problems(MeetingError)
    if plan.kind not in Meeting.KINDS:
        problems.add(_("Choose a kind of session from the list."), "kind")
    if plan.status not in (Meeting.PLANNED, Meeting.HELD):
        problems.add(_("Choose whether the session is planned or was held."), "status")
    day = plan.starts_at.date() if plan.starts_at else None
    if day is not None and (day < EARLIEST_DAY or day > latest_day(today)):
        problems.add(_("Give a date between %(first)s and %(last)s.", first=when(EARLIEST_DAY),
                       last=when(latest_day(today))), "day")
    elif day is not None and plan.status == Meeting.HELD and still_ahead(day, today) == "ahead":
        problems.add(_("This date is after today (%(today)s on the hub's clock): a session is recorded as held "
                       "from its day. Plan it instead.", today=when(today)), "status")
    if not set(plan.topic_ids) <= {topic.id for topic in topic_choices(meeting)}:
        problems.add(_("Choose topics from the list."), "topics")
    allowed = {account.id for account in facilitator_choices(group, user, meeting)}
    if not set(plan.facilitator_ids) <= allowed:
        problems.add(_("Choose facilitators from the accounts of the group."), "facilitators")
    if (meeting is not None and plan.status == Meeting.PLANNED
            and Attendance.select().where(Attendance.meeting == meeting).exists()):
        problems.add(_("Attendance was taken at this session, so it was held."), "status")
    problems.done()


def _set_links(meeting, plan, new=False):
    """Make the meeting's topics and facilitators exactly those of the plan (a new meeting has none yet)."""
    for model, column, wanted in ((MeetingTopic, MeetingTopic.topic, set(plan.topic_ids)),
                                  (MeetingFacilitator, MeetingFacilitator.user, set(plan.facilitator_ids))):
        if new:
            have = set()
        else:
            model.delete().where((model.meeting == meeting) & column.not_in(wanted)).execute()
            have = {row[0] for row in model.select(column).where(model.meeting == meeting).tuples()}
        rows = [{"meeting": meeting.id, column.name: value} for value in sorted(wanted - have)]
        if rows:
            model.insert_many(rows).execute()


def create_meeting(group, plan, user, today):
    """Plan or record a session of group; return the Meeting."""
    if group.archived:
        raise MeetingError(_("This group is archived: bring it back before planning its sessions."), "group")
    with database.atomic():
        check_plan(group, plan, today, user)
        meeting = Meeting.create(group=group, kind=plan.kind, starts_at=plan.starts_at, status=plan.status,
                                 place=plan.place.strip(), notes=clean(plan.notes), created_by=user,
                                 created_at=clock.now())
        _set_links(meeting, plan, new=True)
        record("meeting.created", meeting, detail=plan.status)
    return meeting


def update_meeting(meeting, version, plan, user, today):
    """Change a session, unless someone saved it since the form was opened (version): then nothing is
    overwritten and MeetingError says so."""
    with database.atomic():
        check_plan(meeting.group, plan, today, user, meeting)
        old = meeting  # as the form saw it: if it moved since, the version check below refuses
        changed = (Meeting.update(kind=plan.kind, starts_at=plan.starts_at, status=plan.status,
                                  place=plan.place.strip(), notes=clean(plan.notes), version=Meeting.version + 1)
                   .where((Meeting.id == meeting.id) & (Meeting.version == _as_version(version))).execute())
        if not changed:
            raise MeetingError(_("Someone else changed this session while you were editing it, so your changes "
                                 "were not saved. Open the session again to see what changed."))
        old_topics = {topic.id for topic in topics_of(meeting)}
        old_people = {account.id for account in facilitators_of(meeting)}
        _set_links(meeting, plan)
        new = Meeting.get_by_id(meeting.id)
        for moved in {(old.group_id, old.starts_at.year, old.starts_at.month), (new.group_id, new.starts_at.year,
                                                                              new.starts_at.month)}:
            refresh_month(moved[0], date(moved[1], moved[2], 1))  # a held session moved or changed status
        fields = [name for name in ("kind", "starts_at", "status", "place", "notes")
                  if getattr(old, name) != getattr(new, name)]
        fields += [name for name, before, after in (("topics", old_topics, set(plan.topic_ids)),
                                                    ("facilitators", old_people, set(plan.facilitator_ids)))
                   if before != after]
        record("meeting.updated", new, detail=", ".join(fields))
    return new


def _as_version(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # matches no row: refused as stale


def cancel_meeting(meeting):
    """Cancel a session that has not been held; return the Meeting."""
    with database.atomic():
        if Attendance.select().where(Attendance.meeting == meeting).exists():
            raise MeetingError(_("Attendance was taken at this session, so it cannot be cancelled."))
        if meeting.status != Meeting.CANCELLED:
            Meeting.update(status=Meeting.CANCELLED, version=Meeting.version + 1).where(
                Meeting.id == meeting.id).execute()
            record("meeting.cancelled", meeting)
    return Meeting.get_by_id(meeting.id)


def find_meeting(meeting_id):
    """The meeting meeting_id with its group loaded (fresh instances), or None."""
    meeting = instance(Meeting, _meeting_fields(meeting_id))
    if meeting is not None:
        meeting.group = find_group(meeting.group_id)
        meeting._dirty.clear()  # as if loaded with its group: nothing to save
    return meeting


@until_written
def _meeting_fields(meeting_id):
    # The roster and the session page are reopened all through a session: kept until a write.
    return fields_of(Meeting.select().where(Meeting.id == meeting_id))


def may_see_meeting(user, meeting):
    """Need to know: an account sees the meetings of the groups it may see."""
    return may_see(user, meeting.group_id)


def _visible(user):
    query = Meeting.select(Meeting, Group).join(Group)
    if user.role not in SEE_ALL:
        mine = AccountGroup.select(AccountGroup.group).where(AccountGroup.user == user)
        query = query.where(Meeting.group.in_(mine) & ~Group.archived)
    return query


def start_of(day):
    """Midnight at the start of day: a session later today still counts as upcoming."""
    return datetime.combine(day, time.min)


def upcoming_and_recent(user, today, upcoming=UPCOMING, recent=RECENT):
    """(upcoming soonest first, recent newest first): sessions of the groups this account may see;
    today's count as upcoming all day."""
    start = start_of(today)
    soon = list(_visible(user).where(Meeting.starts_at >= start).order_by(Meeting.starts_at, Meeting.id)
                .limit(upcoming))
    past = list(_visible(user).where(Meeting.starts_at < start)
                .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(recent))
    return soon, past


def upcoming_for(user, now, limit=5):
    """The planned sessions this account facilitates from today on, soonest first (home page)."""
    query = (_visible(user).join(MeetingFacilitator, on=(MeetingFacilitator.meeting == Meeting.id))
             .where((MeetingFacilitator.user == user) & (Meeting.status == Meeting.PLANNED)
                    & (Meeting.starts_at >= start_of(now.date())))
             .order_by(Meeting.starts_at, Meeting.id))
    return list(query.limit(limit) if limit else query)


def sessions_of(group, limit=None):
    """A group's sessions of every status, newest first."""
    query = Meeting.select().where(Meeting.group == group).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    return list(query.limit(limit) if limit else query)
