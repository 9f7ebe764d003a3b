"""What the home page shows."""

from hub.village.service import emergency_numbers, get_village


def home_page(today):
    """{village, numbers, today}: the village profile (None before set-up) and its emergency numbers."""
    return {"village": get_village(), "numbers": emergency_numbers(), "today": today}
