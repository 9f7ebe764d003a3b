"""services views."""

from hub.services import bp  # noqa: F401
