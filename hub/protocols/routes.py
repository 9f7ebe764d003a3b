"""The protocols blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.protocols never loads its views)."""

from hub.protocols import (
    bp,
    views,  # noqa: F401  (registers the routes on bp)
)
from hub.protocols.service import category_label

# Cases, concerns and the services directory name categories of concern too.
bp.add_app_template_global(category_label)

__all__ = ["bp"]
