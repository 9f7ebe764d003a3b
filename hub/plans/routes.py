"""The plans blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.plans never loads its views)."""

from hub.plans import (
    bp,
    views,  # noqa: F401  (registers the routes on bp)
)
from hub.plans.service import status_label

bp.add_app_template_global(status_label)

__all__ = ["bp"]
