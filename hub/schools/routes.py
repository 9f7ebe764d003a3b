"""The schools blueprint with its routes and template globals registered (hub.app imports it from here,
so importing any module of hub.schools never loads its views)."""

from flask import g

from hub.memo import for_account
from hub.schools import (
    bp,
    views,  # noqa: F401  (registers the routes on bp)
)
from hub.schools.service import committees_of, reason_label

bp.add_app_template_global(reason_label)


@bp.app_template_global()
def in_school_committee():
    """True when the signed-in account belongs to a school protection committee (for the menu)."""
    return for_account("in_school_committee", g.get("user"), lambda user: bool(committees_of(user)))

__all__ = ["bp"]
