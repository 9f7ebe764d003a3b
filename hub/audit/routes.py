"""The audit blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.audit never loads its views)."""

from hub.audit import (
    bp,
    views,  # noqa: F401  (registers the routes on bp)
)

__all__ = ["bp"]
