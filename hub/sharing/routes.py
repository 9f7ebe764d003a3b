"""The sharing blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.sharing never loads its views)."""

from hub.sharing import bp, transfer_views, views  # noqa: F401  (register the routes on bp)

__all__ = ["bp"]
