"""people views."""

from hub.people import bp  # noqa: F401
