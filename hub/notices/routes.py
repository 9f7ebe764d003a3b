"""The notices blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.notices never loads its views)."""

from hub.notices import (
    bp,
    views,  # noqa: F401  (registers the routes on bp)
)
from hub.notices.service import notice_body

bp.add_app_template_global(notice_body)

__all__ = ["bp"]
