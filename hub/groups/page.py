"""What the group page shows of a group, read once and kept until the next write (hub.memo).

The page gathers what other areas know of the group: its members (a page at a time), its accounts, its
last sessions and its attendance by month. Phones reopen it all day while nothing changes, and building
the SQL of its eight queries cost more than SQLite answering them, so each answer is kept, as immutable
rows, until anything is written.
"""

from typing import NamedTuple

from flask_babel import get_locale

from hub import memo
from hub.auth.models import User
from hub.groups.service import accounts_in


class AccountRow(NamedTuple):
    display_name: str
    role: str


class SessionRow(NamedTuple):
    """A session as the group page lists it: .id, .starts_at, .kind and .status, as a Meeting has."""

    id: int
    starts_at: object
    kind: str
    status: str


def group_page(group, viewer, today, page, size, people_url=None):
    """{members, member_lines, more, accounts, sessions, bars, chart, overall} for the group page: the current
    members on page (from 1) of size and their lines (hub.people.rows, linked to people_url/<id> when given),
    whether more follow, the active accounts in the group, its last 10 sessions, the attendance chart of the
    last 12 months and the overall (present, expected)."""
    from hub.people.rows import member_lines
    from hub.people.visibility import current_members_page
    from hub.reports.chart import axis, rate_bars
    from hub.reports.service import attendance_by_month, overall_rate
    from hub.sessions.service import sessions_of

    coordinator = viewer is not None and viewer.role == User.COORDINATOR  # sees people without consent too
    members, more = memo.kept(("group page members", group.id, coordinator, page, size),
                              lambda: _tuple_page(current_members_page(group, viewer, page, size)))
    lines = memo.kept(("group page lines", group.id, coordinator, page, size, str(get_locale()), people_url),
                      lambda: member_lines(members, people_url))
    return {
        "members": members, "member_lines": lines, "more": more,
        "accounts": memo.kept(("group page accounts", group.id), lambda: tuple(
            AccountRow(user.display_name, user.role) for user in accounts_in(group))),
        "sessions": memo.kept(("group page sessions", group.id), lambda: tuple(
            SessionRow(meeting.id, meeting.starts_at, meeting.kind, meeting.status)
            for meeting in sessions_of(group, limit=10))),
        "bars": memo.kept(("group page bars", group.id, today), lambda: tuple(
            rate_bars(attendance_by_month(group, today)))),
        "chart": axis(),
        "overall": memo.kept(("group page overall", group.id), lambda: overall_rate(group)),
    }


def _tuple_page(found):
    members, more = found
    return tuple(members), more
