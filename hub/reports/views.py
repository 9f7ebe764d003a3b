"""reports views."""

from hub.reports import bp  # noqa: F401
