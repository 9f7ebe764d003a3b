"""The blueprint of hub.offline with its routes registered (hub.app imports it from here)."""

from hub.offline import bp, send_views, views  # noqa: F401  (registers the routes)

__all__ = ["bp"]
