"""What the home page shows: to everyone the village and its emergency numbers; to someone signed in who
runs sessions, their next ones; to case workers and the coordinator, their overdue follow-ups and the new
concerns waiting; to every signed-in account, the urgent alerts it has not yet acknowledged."""

from typing import NamedTuple

from hub.auth.models import User
from hub.cases.jobs import overdue_for
from hub.cases.service import new_concerns
from hub.memo import for_account
from hub.notices.service import mark_seen, unseen_count, waiting_alerts
from hub.sessions.service import start_of, upcoming_for
from hub.village.service import emergency_numbers, get_village


def home_page(today, user):
    """{village, numbers, today, my_sessions, casework}: the village profile (None before set-up), its
    emergency numbers, the signed-in user's next sessions as facilitator (None for visitors and members),
    and their casework (None unless case worker or coordinator); and notices: {alerts, unseen} for someone
    signed in (None for visitors)."""
    return {"village": get_village(), "numbers": emergency_numbers(), "today": today,
            "my_sessions": my_sessions(user, today), "casework": casework(user, today),
            "notices": notices(user, today)}


def notices(user, today):
    """{alerts, unseen}: the urgent alerts the account has not acknowledged (now recorded as seen by it) and
    how many other notices it has not seen yet; None for visitors."""
    if user is None:
        return None
    # Most views have no alert and the same count as the last view: both answers kept until a write.
    alerts = waiting_alerts(user, today) if for_account(f"has_alerts {today}", user, lambda account: bool(
        waiting_alerts(account, today))) else []
    mark_seen(user, alerts)
    return {"alerts": alerts, "unseen": for_account(f"unseen {today}", user,
                                                    lambda account: unseen_count(account, today))}


class GroupName(NamedTuple):
    name: str


class NextSession(NamedTuple):
    """A session as the home page lists it: .id, .starts_at, .kind, .place and .group.name, as a Meeting has."""

    id: int
    starts_at: object
    kind: str
    place: str
    group: GroupName


def my_sessions(user, today):
    """The account's next planned sessions as facilitator, or None when it does not run sessions."""
    if user is None or user.role == User.MEMBER:
        return None
    # Every view of the home page asks, and building the query's SQL cost more than the rest of the page.
    return for_account(f"my_sessions {today}", user, lambda account: tuple(
        NextSession(meeting.id, meeting.starts_at, meeting.kind, meeting.place, GroupName(meeting.group.name))
        for meeting in upcoming_for(account, start_of(today))))


HOME_ROWS = 10


def casework(user, today):
    """{overdue, waiting}: the account's open cases whose follow-up visit is overdue, and the new concerns
    waiting for triage (in danger first); None for accounts that do not hold cases."""
    if user is None or user.role not in User.CASE_STAFF:
        return None
    # Kept as rows until a write, as my_sessions: the two queries' SQL was most of a case worker's home page.
    return {"overdue": for_account(f"overdue {today}", user, lambda account: tuple(
                CaseRow(case.id, case.category, case.next_follow_up, case.reported_at, case.in_danger)
                for case in overdue_for(account, today, limit=HOME_ROWS))),
            "waiting": for_account("new concerns", user, lambda account: tuple(
                CaseRow(case.id, case.category, case.next_follow_up, case.reported_at, case.in_danger)
                for case in new_concerns(limit=HOME_ROWS)))}


class CaseRow(NamedTuple):
    """A case as the home page lists it, with the same names as a Case's."""

    id: int
    category: str
    next_follow_up: object
    reported_at: object
    in_danger: bool
