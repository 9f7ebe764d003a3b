"""What the home page shows: to everyone the village and its emergency numbers; to someone signed in who
runs sessions, their next ones."""

from hub.auth.models import User
from hub.sessions.service import start_of, upcoming_for
from hub.village.service import emergency_numbers, get_village


def home_page(today, user):
    """{village, numbers, today, my_sessions}: the village profile (None before set-up), its emergency
    numbers, and the signed-in user's next sessions as facilitator (None for visitors and members)."""
    return {"village": get_village(), "numbers": emergency_numbers(), "today": today,
            "my_sessions": my_sessions(user, today)}


def my_sessions(user, today):
    """The account's next planned sessions as facilitator, or None when it does not run sessions."""
    if user is None or user.role == User.MEMBER:
        return None
    return upcoming_for(user, start_of(today))
