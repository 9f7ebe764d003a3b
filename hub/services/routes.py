"""The services blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.services never loads its views)."""

from hub.services import (
    bp,
    views,  # noqa: F401  (registers the routes on bp)
)
from hub.services.service import service_kind_label

# Protocols, cases and referral slips name kinds of services too.
bp.add_app_template_global(service_kind_label)

__all__ = ["bp"]
