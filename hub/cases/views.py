"""cases views."""

from hub.cases import bp, concerns_bp  # noqa: F401
