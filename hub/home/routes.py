"""The home blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.home never loads its views)."""

from hub.home import (
    bp,
    views,  # noqa: F401  (registers the routes on bp)
)

__all__ = ["bp"]
