"""The groups blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.groups never loads its views)."""

from hub.groups import (
    bp,
    views,  # noqa: F401  (registers the routes on bp)
)

__all__ = ["bp"]
