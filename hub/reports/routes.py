"""The reports blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.reports never loads its views)."""

from hub.reports import (
    bp,
    views,  # noqa: F401  (registers the routes on bp)
)
from hub.reports.service import person_history

bp.add_app_template_global(person_history)

__all__ = ["bp"]
