"""curriculum views."""

from hub.curriculum import bp  # noqa: F401
