"""sessions views."""

from hub.sessions import bp  # noqa: F401
