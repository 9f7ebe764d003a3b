"""Attendance per group and month, kept on every save (hub.sessions.attendance.refresh_month), so the group
page reads a few rows instead of the group's whole history; filled here from the attendance already taken."""

STATEMENTS = (
    """CREATE TABLE group_month (
        id INTEGER PRIMARY KEY,
        group_id INTEGER NOT NULL REFERENCES community_group (id),
        month TEXT NOT NULL CHECK (length(month) = 7),
        present INTEGER NOT NULL DEFAULT 0 CHECK (present >= 0),
        expected INTEGER NOT NULL DEFAULT 0 CHECK (expected >= present),
        UNIQUE (group_id, month)
    )""",
    # Only held sessions count, as on the group page; the month is that of the session's start.
    """INSERT INTO group_month (group_id, month, present, expected)
       SELECT meeting.group_id, substr(meeting.starts_at, 1, 7),
              SUM(attendance.status = 'present'), COUNT(attendance.id)
       FROM attendance JOIN meeting ON meeting.id = attendance.meeting_id
       WHERE meeting.status = 'held'
       GROUP BY meeting.group_id, substr(meeting.starts_at, 1, 7)""",
)
