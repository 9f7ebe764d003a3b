"""protocols views."""

from hub.protocols import bp  # noqa: F401
