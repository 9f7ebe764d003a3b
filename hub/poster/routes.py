"""The poster blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.poster never loads its views)."""

from hub.poster import (
    bp,
    views,  # noqa: F401  (register the routes on bp)
)

__all__ = ["bp"]
